"""conv2d forward + backward: dlnotes on torch tensors and on NumPy vs PyTorch on the CPU.

A ResNet stage's layer: ``x`` of shape ``(16, 64, 56, 56)`` float32, a 3x3
kernel from 64 to 64 channels, padding 1 (the output keeps 56x56). One step
is the forward pass (output) and the backward pass (gradients of x, weight
and bias for a given gradient of the output):

- torch: ``F.conv2d(x, weight, bias, padding=1)`` then ``y.backward(grad_out)``
  (oneDNN's direct convolution kernels, all its threads);
- dlnotes: ``conv2d`` then ``conv2d_backward``, on torch tensors and on NumPy
  arrays, with the data checks on (the default: one NaN scan per array
  argument) and off (``dlnotes.checks(False)``). dlnotes computes im2col
  columns (9 slices of the padded input, an image at a time) and one matrix
  product; its backward pass takes the im2col columns of the output
  gradient (padded: the input gradient is their convolution with the
  kernels rotated) and two products, one with the rotated kernels and one
  with ``x`` (the weight gradient);
- a profile: the three matrix products alone, at the shapes dlnotes' step
  multiplies, on ready-made columns, with torch's BLAS and with NumPy's.

Every case runs in its own fresh Python process, in alternating rounds; the
table shows the best wall-clock time per step, the user and system CPU time and
minor page faults of that process's timed steps, and the peak memory the steps add
to the process
(peak resident set size after the steps minus before them; the inputs, about
0.4 GB, are already there). Before timing, each implementation's outputs are
checked against torch's.

Run from the project root: ``python benchmarks/bench_conv.py``. It writes
``benchmarks/results/conv.md``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from _timing import (
    CASE_HEADER,
    case_cells,
    case_step,
    check_against_torch,
    fresh_process_results,
    measure_steps,
    sized,
    versions,
    write_table,
)

SHAPE, C_OUT, K = sized((16, 64, 56, 56), (2, 4, 9, 9)), sized(64, 4), 3
ROUNDS = 3  # fresh processes per case, alternating
REPEAT = 4  # timed steps per process, after one warm-up step
CASES = {
    "torch": "torch `F.conv2d` + `backward`",
    "dlnotes_torch": "dlnotes on torch tensors",
    "dlnotes_torch_unchecked": "dlnotes on torch tensors, `checks(False)`",
    "dlnotes_numpy": "dlnotes on NumPy",
    "dlnotes_numpy_unchecked": "dlnotes on NumPy, `checks(False)`",
    "products_torch": "profile: dlnotes' three matrix products alone, torch (MKL)",
    "products_numpy": "profile: dlnotes' three matrix products alone, NumPy (OpenBLAS)",
}


def make_data():
    """float32 drawn directly: no float64 temporary raises the peak before the steps run."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPE, dtype=np.float32)
    weight = rng.standard_normal((C_OUT, SHAPE[1], K, K), dtype=np.float32)
    weight /= np.float32(np.sqrt(SHAPE[1] * K * K))
    bias = rng.standard_normal(C_OUT, dtype=np.float32)
    grad_out = rng.standard_normal((SHAPE[0], C_OUT, *SHAPE[2:]), dtype=np.float32)
    return x, weight, bias, grad_out


def torch_step(x, weight, bias, grad_out):
    import torch

    x, weight, bias = (a.detach().requires_grad_(True) for a in (x, weight, bias))
    y = torch.nn.functional.conv2d(x, weight, bias, padding=1)
    y.backward(grad_out)
    return y.detach(), x.grad, weight.grad, bias.grad


def dlnotes_step(x, weight, bias, grad_out):
    from dlnotes.conv import conv2d, conv2d_backward

    y = conv2d(x, weight, bias, padding=1)
    return (y, *conv2d_backward(grad_out, x, weight, padding=1))


def products_step(case):
    """The three matrix products of dlnotes' step alone, on ready-made im2col columns.

    Forward ``W @ cols`` and input gradient ``W~ @ cols`` (the rotated kernels
    times the output gradient's columns: the same shapes), weight gradient
    ``cols @ X.T`` (the columns' 576 rows first), at the shapes dlnotes
    multiplies: one image at a time, ``cols`` of shape (C * 9, H * (W + 2))
    (stride 1: rows as wide as the padded input). What no im2col formulation
    can avoid.
    """
    rng = np.random.default_rng(0)
    n, c, h, w = SHAPE
    positions = h * (w + 2)
    cols = rng.standard_normal((c * K * K, positions), dtype=np.float32)
    weight = rng.standard_normal((C_OUT, c * K * K), dtype=np.float32)
    x_rows = rng.standard_normal((c, positions), dtype=np.float32)
    if "torch" in case:
        import torch

        cols, weight, x_rows = (torch.from_numpy(a) for a in (cols, weight, x_rows))

    def step():
        for _ in range(n):  # each image's products, dropped as dlnotes drops them
            _ = weight @ cols, weight @ cols, cols @ x_rows.T

    return step


def prepared(case):
    """The step of ``case`` as a function of no arguments, on its own copy of the data."""
    if case.startswith("products"):
        return products_step(case)
    return case_step(case, make_data(), torch_step, dlnotes_step)


def run_case(case):
    print(json.dumps(measure_steps(prepared(case), REPEAT)))


def main() -> None:
    import torch

    convolutions = [case for case in CASES if not case.startswith("products")]
    check_against_torch(prepared, convolutions, ["y", "grad_x", "grad_weight", "grad_bias"])
    results = fresh_process_results(__file__, CASES, ROUNDS)
    theirs = results["torch"]["best"]
    rows = [
        [label, *case_cells(results[case]), f"{results[case]['best'] / theirs:.2f}"]
        for case, label in CASES.items()
    ]
    for case in CASES:
        r = results[case]
        ratio = r["best"] / theirs
        print(f"{case}: {r['best'] * 1e3:.1f} ms, {ratio:.2f} x torch, {r['peak_mb']:.0f} MiB")
    write_table(
        "conv",
        f"conv2d forward + backward, x {'×'.join(map(str, SHAPE))} float32, 3×3 kernel, "
        f"{SHAPE[1]}→{C_OUT} channels, padding 1",
        ["implementation", *CASE_HEADER, f"ratio to torch {torch.__version__}"],
        rows,
        note=f"Best of {ROUNDS * REPEAT} steps each: {ROUNDS} alternating rounds of a fresh "
        f"process timing {REPEAT} steps after a warm-up; {versions('numpy', 'torch')}; every "
        "output agrees with torch's (rtol 1e-3). torch runs oneDNN's direct convolution on all "
        "its threads; dlnotes builds im2col columns (9 slices of the padded input, each one "
        "contiguous run for stride 1; 9x the input), an image at a time, and one matrix product "
        "(BLAS: OpenBLAS for NumPy, MKL for torch); its backward pass builds the columns of the "
        "padded output gradient, as many, and multiplies them by the rotated kernels and by x.",
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        run_case(sys.argv[2])
    else:
        main()

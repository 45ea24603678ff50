"""Max pooling forward + backward: dlnotes on torch tensors and on NumPy vs PyTorch on the CPU.

A ResNet-sized activation, ``(16, 64, 56, 56)`` float32 (3.2 million values,
13 MB), 2×2 windows with stride 2. One step is the forward pass (the maxima
and their positions) and the backward pass (the gradient of x for a given
gradient of the output):

- torch: ``F.max_pool2d(x, 2, return_indices=True)`` then ``out.backward(grad_out)``
  (its CPU kernels, all its threads);
- dlnotes: ``max_pool2d`` then ``max_pool2d_backward(grad_out, indices, x.shape,
  kernel_size=2)``, given the window as torch's backward kernel is, on torch tensors
  and on NumPy arrays, with the data checks on (the default) and off
  (``dlnotes.checks(False)``);
- dlnotes on NumPy with the positions alone (``max_pool2d_backward(grad_out,
  indices, x.shape)``): the generic scatter-add (a stable sort of each plane's
  indices, ``searchsorted`` for each position's run, running sums).

Every case runs in its own fresh Python process, in alternating rounds; the
table shows the best wall-clock time per step, the user and system CPU time
and minor page faults of that process's timed steps, and the peak memory the
steps added to the process (its resident set's high-water mark, reset once the
data is made, minus the resident set then).
Before timing, each implementation's outputs are checked against torch's.

Run from the project root: ``python benchmarks/bench_pooling.py``.
It writes ``benchmarks/results/pooling.md``.
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

SHAPE = sized((16, 64, 56, 56), (2, 3, 8, 8))
KERNEL = 2
ROUNDS = 3  # fresh processes per case, alternating
REPEAT = 5  # timed steps per process, after one warm-up step
CASES = {
    "torch": "torch `F.max_pool2d(return_indices=True)` + `backward`",
    "dlnotes_torch": "dlnotes on torch tensors",
    "dlnotes_torch_unchecked": "dlnotes on torch tensors, `checks(False)`",
    "dlnotes_numpy": "dlnotes on NumPy",
    "dlnotes_numpy_unchecked": "dlnotes on NumPy, `checks(False)`",
    "dlnotes_numpy_positions": "dlnotes on NumPy, positions only (sort-based scatter-add)",
}


def make_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=SHAPE).astype(np.float32)
    out_shape = (*SHAPE[:2], SHAPE[2] // KERNEL, SHAPE[3] // KERNEL)
    return x, rng.normal(size=out_shape).astype(np.float32)


def torch_step(x, grad_out):
    import torch

    x = x.detach().requires_grad_(True)
    out, indices = torch.nn.functional.max_pool2d(x, KERNEL, return_indices=True)
    out.backward(grad_out)
    return out.detach(), indices, x.grad


def dlnotes_step(x, grad_out):
    from dlnotes.pooling import max_pool2d, max_pool2d_backward

    out, indices = max_pool2d(x, KERNEL)
    grad_x = max_pool2d_backward(grad_out, indices, tuple(x.shape), kernel_size=KERNEL)
    return out, indices, grad_x


def positions_step(x, grad_out):
    from dlnotes.pooling import max_pool2d, max_pool2d_backward

    out, indices = max_pool2d(x, KERNEL)
    return out, indices, max_pool2d_backward(grad_out, indices, tuple(x.shape))


def prepared(case):
    """The step of ``case`` as a function of no arguments, on its own copy of the data."""
    step = positions_step if case.endswith("positions") else dlnotes_step
    return case_step(case, make_data(), torch_step, step)


def run_case(case):
    print(json.dumps(measure_steps(prepared(case), REPEAT)))


def main() -> None:
    import torch

    check_against_torch(prepared, CASES, ["out", "indices", "grad_x"], exact=True)
    results = fresh_process_results(__file__, CASES, ROUNDS)
    theirs = results["torch"]["best"]
    rows = [
        [label, *case_cells(results[case]), f"{results[case]['best'] / theirs:.2f}"]
        for case, label in CASES.items()
    ]
    for case in CASES:
        r = results[case]
        print(f"{case}: {r['best'] * 1e3:.1f} ms, {r['best'] / theirs:.2f} x torch")
    write_table(
        "pooling",
        f"Max pooling forward + backward, {'×'.join(map(str, SHAPE))} float32, "
        f"{KERNEL}×{KERNEL} windows, stride {KERNEL}",
        ["implementation", *CASE_HEADER, f"ratio to torch {torch.__version__}"],
        rows,
        note=f"Best of {ROUNDS * REPEAT} steps each: {ROUNDS} alternating rounds of a fresh "
        f"process timing {REPEAT} steps after a warm-up; {versions('numpy', 'torch')}. The "
        "maxima, indices and gradient of every implementation equal torch's exactly. Peak "
        "memory: the largest growth of the process's resident set over the data and "
        "libraries, over the rounds (the output, indices and gradient alone take 22 MB).",
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        run_case(sys.argv[2])
    else:
        main()

"""Batch norm forward + backward: dlnotes on torch tensors and on NumPy vs PyTorch on the CPU.

A ResNet-sized activation, ``(64, 64, 56, 56)`` float32 (12.8 million values,
51 MB), in training mode with running statistics. One step is the forward
pass (output and the running averages' update) and the backward pass
(gradients of x, gamma and beta for a given gradient of the output):

- torch: ``F.batch_norm(x, running_mean, running_var, weight, bias, training=True)``
  then ``y.backward(grad_out)`` (its fused CPU kernels, all its threads);
- dlnotes: ``batch_norm`` then ``batch_norm_backward``, on torch tensors and
  on NumPy arrays, with the data checks on (the default: one NaN scan per
  array argument) and off (``dlnotes.checks(False)``);
- the same two functions as their copy snippets (``python -m dlnotes copy``):
  the formulas alone, without the checks;
- NumPy, written for speed: the same formulas with ``out=`` and in-place
  updates, dot products for the sums of products, and the batch statistics of
  the forward pass kept for the backward pass (as torch's autograd keeps
  them): the best NumPy we could write, the yardstick of the NumPy target.

Every case runs in its own fresh Python process (a large temporary costs more
in a fresh process, whose memory pages are not mapped yet: each case pays the
same), in alternating rounds; the table shows the best wall-clock time per
step and the user + system CPU time of that process's timed steps. Before
timing, each implementation's outputs are checked against torch's.

Run from the project root: ``python benchmarks/bench_regularization.py``.
It writes ``benchmarks/results/regularization.md``.
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

SHAPE = sized((64, 64, 56, 56), (4, 3, 5, 5))
EPS, MOMENTUM = 1e-5, 0.1
ROUNDS = 3  # fresh processes per case, alternating
REPEAT = 5  # timed steps per process, after one warm-up step
CASES = {
    "torch": "torch `F.batch_norm` + `backward`",
    "dlnotes_torch": "dlnotes on torch tensors",
    "dlnotes_torch_unchecked": "dlnotes on torch tensors, `checks(False)`",
    "snippet_torch": "dlnotes copy snippets on torch tensors (no checks)",
    "dlnotes_numpy": "dlnotes on NumPy",
    "dlnotes_numpy_unchecked": "dlnotes on NumPy, `checks(False)`",
    "snippet_numpy": "dlnotes copy snippets on NumPy (no checks)",
    "numpy_best": "NumPy written for speed",
}


def make_data():
    rng = np.random.default_rng(0)
    c = SHAPE[1]
    x = rng.normal(loc=0.5, scale=2.0, size=SHAPE).astype(np.float32)
    grad_out = rng.normal(size=SHAPE).astype(np.float32)
    gamma = rng.uniform(0.5, 2.0, c).astype(np.float32)
    beta = rng.normal(size=c).astype(np.float32)
    return x, grad_out, gamma, beta, np.zeros(c, np.float32), np.ones(c, np.float32)


# ------------------------------------------------------------------ the implementations


def torch_step(x, grad_out, gamma, beta, running_mean, running_var):
    import torch

    x = x.detach().requires_grad_(True)
    weight, bias = gamma.detach().requires_grad_(True), beta.detach().requires_grad_(True)
    new_mean, new_var = running_mean.clone(), running_var.clone()  # updated in place
    y = torch.nn.functional.batch_norm(
        x, new_mean, new_var, weight, bias, training=True, momentum=MOMENTUM, eps=EPS
    )
    y.backward(grad_out)
    return y.detach(), new_mean, new_var, x.grad, weight.grad, bias.grad


def dlnotes_step(x, grad_out, gamma, beta, running_mean, running_var):
    from dlnotes.regularization import batch_norm, batch_norm_backward

    y, new_mean, new_var = batch_norm(
        x, gamma, beta, running_mean, running_var, momentum=MOMENTUM, eps=EPS
    )
    return (y, new_mean, new_var, *batch_norm_backward(grad_out, x, gamma, eps=EPS))


def snippet_step():
    """The same two calls through the copy snippets: the formulas alone, without `checked`."""
    from dlnotes.snippets import snippet

    forward, backward = {}, {}
    exec(snippet("regularization.batch_norm"), forward)
    exec(snippet("regularization.batch_norm_backward"), backward)

    def step(x, grad_out, gamma, beta, running_mean, running_var):
        y, new_mean, new_var = forward["batch_norm"](
            x, gamma, beta, running_mean, running_var, momentum=MOMENTUM, eps=EPS
        )
        return (y, new_mean, new_var, *backward["batch_norm_backward"](grad_out, x, gamma, eps=EPS))

    return step


def numpy_best_step(x, grad_out, gamma, beta, running_mean, running_var):
    n, c = x.shape[:2]
    m = x.size // c
    rows = (n, c, -1)
    per_channel = (1, c) + (1,) * (x.ndim - 2)
    # forward: statistics, then y = gamma (x - mean) / sqrt(var + eps) + beta in one buffer
    mean = x.reshape(rows).sum(axis=(0, 2)) / m
    y = np.subtract(x, mean.reshape(per_channel))
    centred = y.reshape(rows)
    var = np.vecdot(centred, centred).sum(axis=0) / m
    inv_std = 1 / np.sqrt(var + EPS)
    new_mean = (1 - MOMENTUM) * running_mean + MOMENTUM * mean
    new_var = (1 - MOMENTUM) * running_var + MOMENTUM * var * (m / (m - 1))
    y *= (gamma * inv_std).reshape(per_channel)
    y += beta.reshape(per_channel)
    # backward, with the forward's mean and inv_std kept
    grad_beta = grad_out.reshape(rows).sum(axis=(0, 2))
    grad_x = np.subtract(x, mean.reshape(per_channel))
    grad_x *= inv_std.reshape(per_channel)  # x_hat
    grad_gamma = np.vecdot(grad_out.reshape(rows), grad_x.reshape(rows)).sum(axis=0)
    grad_x *= (grad_gamma / m).reshape(per_channel)
    grad_x += (grad_beta / m).reshape(per_channel)
    np.subtract(grad_out, grad_x, out=grad_x)
    grad_x *= (gamma * inv_std).reshape(per_channel)
    return y, new_mean, new_var, grad_x, grad_gamma, grad_beta


def prepared(case):
    """The step of ``case`` as a function of no arguments, on its own copy of the data."""
    data = make_data()
    if case == "numpy_best":
        return lambda: numpy_best_step(*data)
    if case.startswith("snippet"):  # the copy snippets: dlnotes_step's formulas, unchecked
        return case_step(case, data, torch_step, snippet_step())
    return case_step(case, data, torch_step, dlnotes_step)


# ------------------------------------------------------------------ one case, one process


def run_case(case):
    print(json.dumps(measure_steps(prepared(case), REPEAT)))


def main() -> None:
    import torch

    check_against_torch(
        prepared, CASES, ["y", "running_mean", "running_var", "grad_x", "grad_gamma", "grad_beta"]
    )
    results = fresh_process_results(__file__, CASES, ROUNDS)
    best = {case: r["best"] for case, r in results.items()}
    theirs, numpy_best = best["torch"], best["numpy_best"]
    rows = [
        [
            label,
            *case_cells(results[case]),
            f"{best[case] / theirs:.2f}",
            f"{best[case] / numpy_best:.2f}",
        ]
        for case, label in CASES.items()
    ]
    for case in CASES:
        print(f"{case}: {best[case] * 1e3:.1f} ms, {best[case] / theirs:.2f} x torch")
    write_table(
        "regularization",
        f"Batch norm forward + backward, {'×'.join(map(str, SHAPE))} float32, training mode",
        [
            "implementation",
            *CASE_HEADER,
            f"ratio to torch {torch.__version__}",
            "ratio to NumPy written for speed",
        ],
        rows,
        note=f"Best of {ROUNDS * REPEAT} steps each: {ROUNDS} alternating rounds of a fresh "
        f"process timing {REPEAT} steps after a warm-up; {versions('numpy', 'torch')}; every "
        "output agrees with torch's (rtol 1e-3). torch runs one fused kernel per pass on all "
        "its threads; dlnotes runs array-API operations, NumPy's on one thread. The backward "
        "pass of dlnotes recomputes the batch statistics from x (its signature has no saved "
        "state); the NumPy written for speed and torch keep them from the forward pass.",
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        run_case(sys.argv[2])
    else:
        main()

"""Cross-entropy forward + backward on 4096×1000 float32 logits: dlnotes against the best code.

Two losses, each as one training step (the mean loss and its gradient with
respect to the logits):

- softmax cross-entropy with integer class targets, as in an ImageNet
  classifier's last layer: torch ``F.cross_entropy`` + ``backward()``; the best
  NumPy we could write (in place, one ``exp``); dlnotes'
  ``softmax_cross_entropy_and_grad`` (fused) and the two calls
  ``softmax_cross_entropy`` + ``softmax_cross_entropy_grad``, on NumPy arrays and on
  torch tensors, with the data checks on and off;
- binary cross-entropy with logits on 0/1 targets of the same shape: torch
  ``F.binary_cross_entropy_with_logits`` + ``backward()``, the best NumPy, and
  dlnotes' ``binary_cross_entropy_with_logits`` + ``_grad``.

A case on NumPy input is compared with the best NumPy, a case on torch tensors
with torch's own op: the best code of the same backend. Each case runs in a
fresh process (``python benchmarks/bench_softmax_cross_entropy.py --case NAME``),
in alternating rounds; every case's outputs are checked against torch's first.
Run from the project root: ``python benchmarks/bench_softmax_cross_entropy.py``;
it writes ``benchmarks/results/softmax_cross_entropy.md``.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import torch
import torch.nn.functional as F
from _timing import (
    CASE_HEADER,
    case_cells,
    check_against_torch,
    fresh_process_results,
    measure_steps,
    sized,
    versions,
    write_table,
)

import dlnotes
from dlnotes.losses import (
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_and_grad,
    softmax_cross_entropy_grad,
)

N_SAMPLES, N_CLASSES = sized(4096, 64), sized(1000, 10)
ROUNDS = 3  # fresh processes per case, alternating
STEPS = 10  # timed steps per process, after 3 warm-up steps
LOSSES = {
    "softmax": "softmax cross-entropy, class-index targets",
    "bce": "binary cross-entropy with logits, 0/1 targets",
}
KINDS = {
    "torch": "torch's own op + backward",
    "numpy_inplace": "NumPy, in place (best we could write)",
    "dlnotes_numpy": "dlnotes on NumPy",
    "dlnotes_numpy_unchecked": "dlnotes on NumPy, checks off",
    "dlnotes_numpy_two": "dlnotes on NumPy, two calls",
    "dlnotes_torch": "dlnotes on torch tensors",
    "dlnotes_torch_unchecked": "dlnotes on torch tensors, checks off",
}
CASES = [
    f"{loss}:{kind}" for loss in LOSSES for kind in KINDS if "two" not in kind or loss == "softmax"
]


def data(n=N_SAMPLES):
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3, size=(n, N_CLASSES)).astype(np.float32)
    classes = rng.integers(0, N_CLASSES, size=n)
    labels = (rng.random(size=(n, N_CLASSES)) < 0.1).astype(np.float32)
    return logits, classes, labels


def numpy_softmax(target, logits):
    """Softmax cross-entropy as a NumPy user writes it for speed: one array, one exp."""
    n = logits.shape[0]
    e = logits - logits.max(axis=1, keepdims=True)  # the one full-size array
    picked = np.take_along_axis(e, target[:, None], axis=1)
    np.exp(e, out=e)
    total = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(total) - picked)
    e *= 1 / (n * total)
    e[np.arange(n), target] -= 1 / n
    return loss, e


def numpy_bce(target, logits):
    """Binary cross-entropy with logits, NumPy in place: one exp shared by loss and gradient."""
    n = logits.size
    e = np.abs(logits)
    np.negative(e, out=e)
    np.exp(e, out=e)  # e^{-|x|}
    terms = np.log1p(e)
    terms += np.maximum(logits, 0.0)
    terms -= logits * target
    loss = terms.mean()
    grad = np.add(e, 1.0, out=terms)
    np.reciprocal(grad, out=grad)  # sigmoid(|x|)
    np.multiply(e, grad, out=e)  # sigmoid(-|x|)
    np.copyto(grad, e, where=logits < 0)  # sigmoid(x)
    grad -= target
    grad /= n
    return loss, grad


def torch_softmax(target, logits):
    logits = logits.detach().requires_grad_(True)
    loss = F.cross_entropy(logits, target)
    loss.backward()
    return loss.detach(), logits.grad


def torch_bce(target, logits):
    logits = logits.detach().requires_grad_(True)
    loss = F.binary_cross_entropy_with_logits(logits, target)
    loss.backward()
    return loss.detach(), logits.grad


def dlnotes_two(target, logits):
    return softmax_cross_entropy(target, logits), softmax_cross_entropy_grad(target, logits)


def dlnotes_bce(target, logits):
    return (
        binary_cross_entropy_with_logits(target, logits),
        binary_cross_entropy_with_logits_grad(target, logits),
    )


def prepared(case, n=N_SAMPLES):
    """The step of ``case`` on its data, as a function of no arguments."""
    loss, kind = case.split(":")
    logits, classes, labels = data(n)
    target = classes if loss == "softmax" else labels
    if "torch" in kind:
        logits, target = torch.from_numpy(logits), torch.from_numpy(target)
    if kind == "torch":
        fn = torch_softmax if loss == "softmax" else torch_bce
    elif kind == "numpy_inplace":
        fn = numpy_softmax if loss == "softmax" else numpy_bce
    elif loss == "bce":
        fn = dlnotes_bce
    else:
        fn = dlnotes_two if kind.endswith("two") else softmax_cross_entropy_and_grad
    checks = not kind.endswith("unchecked")

    def step():
        with dlnotes.checks(checks):
            return fn(target, logits)

    return step


def run_case(case):
    """Time STEPS steps of one case; print a json line."""
    step = prepared(case)
    for _ in range(2):  # measure_steps makes the third warm-up step
        step()
    print(json.dumps(measure_steps(step, STEPS)))


def main():
    for loss in LOSSES:
        cases = [c.split(":")[1] for c in CASES if c.startswith(loss)]
        check_against_torch(
            lambda kind, loss=loss: prepared(f"{loss}:{kind}", n=256), cases, ["loss", "grad"]
        )
    measured = fresh_process_results(__file__, CASES, ROUNDS)
    rows = []
    for case in CASES:
        loss, kind = case.split(":")
        t = measured[case]
        reference = "torch" if "torch" in kind else "numpy_inplace"
        ratio = t["best"] / measured[f"{loss}:{reference}"]["best"]
        print(case, t, flush=True)
        rows.append(
            [
                LOSSES[loss],
                KINDS[kind],
                *case_cells(t),
                "1 (reference)" if kind == reference else f"{ratio:.2f} ({KINDS[reference]})",
            ]
        )
    write_table(
        "softmax_cross_entropy",
        f"Cross-entropy forward + backward, {N_SAMPLES}×{N_CLASSES} float32 logits",
        ["loss", "implementation", *CASE_HEADER, "ratio to the same backend's best"],
        rows,
        note=f"Best of {ROUNDS * STEPS} steps each: {ROUNDS} alternating rounds of a fresh "
        f"process timing {STEPS} steps after 3 warm-up steps, on the same data; outputs "
        f"checked against torch's first. {versions('numpy', 'torch')}, CPU. A step is the mean "
        "loss and its gradient with respect to the logits. The best NumPy makes one full-size "
        "array and one exp and updates it in place; dlnotes' functions are pure (new arrays, "
        "no `out=`, which the array API does not have; they update only arrays they made), "
        "and their checks read the logits in one pass (a dot product) and BCE's targets in two "
        "(min, max). Page faults are glibc returning freed 16 MiB blocks to the system "
        "between steps, which depends on the order of allocations, not only their number.",
    )


if __name__ == "__main__":
    if "--case" in sys.argv:
        run_case(sys.argv[sys.argv.index("--case") + 1])
    else:
        main()

"""Softmax cross-entropy forward + backward: dlnotes on NumPy vs PyTorch on the CPU.

A batch of 4096 samples with 1000 classes and integer class targets, as in an
ImageNet classifier's last layer. One step is the mean loss and its gradient
with respect to the logits:

- dlnotes, two calls: ``softmax_cross_entropy`` then ``softmax_cross_entropy_grad``;
- dlnotes, fused: ``softmax_cross_entropy_and_grad`` (one pass of exponentials);
- torch: ``F.cross_entropy(logits, target)`` then ``.backward()``.

Run from the project root: ``python benchmarks/bench_softmax_cross_entropy.py``.
It writes ``benchmarks/results/softmax_cross_entropy.md``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from _timing import best_time, write_table

from dlnotes.losses import (
    softmax_cross_entropy,
    softmax_cross_entropy_and_grad,
    softmax_cross_entropy_grad,
)

N_SAMPLES, N_CLASSES = 4096, 1000
ROUNDS = 5  # of 3 timed calls each, per implementation


def dlnotes_step(target, logits):
    loss = softmax_cross_entropy(target, logits)
    grad = softmax_cross_entropy_grad(target, logits)
    return loss, grad


def fused_step(target, logits):
    return softmax_cross_entropy_and_grad(target, logits)


def torch_step(target, logits):
    logits = logits.detach().requires_grad_(True)
    loss = F.cross_entropy(logits, target)
    loss.backward()
    return loss, logits.grad


def main() -> None:
    rng = np.random.default_rng(0)
    rows = []
    for dtype in (np.float32, np.float64):
        logits = rng.normal(scale=3, size=(N_SAMPLES, N_CLASSES)).astype(dtype)
        target = rng.integers(0, N_CLASSES, size=N_SAMPLES)
        t_logits, t_target = torch.from_numpy(logits), torch.from_numpy(target)

        # same numbers before timing anything: the benchmark compares equal work
        t_loss, t_grad = torch_step(t_target, t_logits)
        tol = 1e-5 if dtype == np.float32 else 1e-12
        for step in (dlnotes_step, fused_step):
            loss, grad = step(target, logits)
            np.testing.assert_allclose(float(loss), float(t_loss.detach()), rtol=tol)
            np.testing.assert_allclose(grad, t_grad.numpy(), rtol=tol, atol=tol / N_SAMPLES)

        # alternate short rounds so that a burst of load on a shared machine hits all three alike
        steps = {
            "two": lambda target=target, logits=logits: dlnotes_step(target, logits),
            "fused": lambda target=target, logits=logits: fused_step(target, logits),
            "torch": lambda target=t_target, logits=t_logits: torch_step(target, logits),
        }
        best = dict.fromkeys(steps, float("inf"))
        for _ in range(ROUNDS):
            for name, fn in steps.items():
                best[name] = min(best[name], best_time(fn, repeat=3))
        two, fused, theirs = best["two"], best["fused"], best["torch"]
        print(
            f"{np.dtype(dtype).name}: dlnotes {two * 1e3:.1f} ms (fused {fused * 1e3:.1f} ms), "
            f"torch {theirs * 1e3:.1f} ms, ratio {two / theirs:.2f} (fused {fused / theirs:.2f})"
        )
        rows.append(
            [
                np.dtype(dtype).name,
                f"{two * 1e3:.1f}",
                f"{fused * 1e3:.1f}",
                f"{theirs * 1e3:.1f}",
                f"{two / theirs:.2f}",
                f"{fused / theirs:.2f}",
            ]
        )

    write_table(
        "softmax_cross_entropy",
        f"Softmax cross-entropy forward + backward, {N_SAMPLES}×{N_CLASSES} logits, "
        "class-index targets",
        [
            "dtype",
            "dlnotes two calls, ms",
            "dlnotes fused, ms",
            f"torch {torch.__version__} CPU, ms ({torch.get_num_threads()} threads)",
            "ratio two calls / torch",
            "ratio fused / torch",
        ],
        rows,
        note="Best of 15 calls each (5 alternating rounds of 3), in one process on the same data. "
        "The two dlnotes calls each compute the softmax's exponentials; the fused call shares "
        "them. NumPy runs each array operation on one thread and materialises every intermediate "
        "array; torch fuses the loss and its backward into vectorised kernels on all its threads.",
    )


if __name__ == "__main__":
    main()

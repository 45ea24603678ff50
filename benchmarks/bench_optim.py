"""Adam on 10^7 float32 parameters: dlnotes' pure ``adam_step`` against in-place updates.

One Adam step (moments, bias correction, update) on a flat parameter of 10^7 float32
values with a fixed gradient:

- ``torch.optim.Adam(foreach=True)``, PyTorch's own in-place update on CPU tensors;
- dlnotes' ``adam_step`` on the same torch tensors (a pure function: new ``param``,
  ``m`` and ``v`` every step), with the data checks on (one sync) and off;
- the best NumPy we could write: the same formula with in-place ``out=`` updates and one
  scratch array, no allocation per step;
- dlnotes' ``adam_step`` on NumPy arrays, checks on and off;
- a profile: three fresh copies (``clone``) of 10^7-value tensors and nothing else, the
  least any pure step does on torch tensors, since it must return three new arrays.

Each case runs in a fresh process (``python benchmarks/bench_optim.py --case NAME``), in
alternating rounds: a process that has already allocated and freed large arrays gets later
ones faster (glibc's mmap threshold rises), which would favour whichever case runs second.
The table shows the best step, its user and system CPU time, minor page faults (the kernel
mapping fresh memory) and the peak memory added. The results are checked equal first, on
10^5 parameters over 5 steps. Run from the project root: ``python benchmarks/bench_optim.py``;
it writes ``benchmarks/results/optim.md``.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import torch
from _timing import (
    CASE_HEADER,
    case_cells,
    fresh_process_results,
    measure_steps,
    sized,
    versions,
    write_table,
)

import dlnotes
from dlnotes.optim import adam_step

N_PARAMS = sized(10**7, 1000)
ROUNDS = 3  # fresh processes per case, alternating
STEPS = 10  # timed steps per process, after 3 warm-up steps
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8
CASES = {
    "torch_adam": "torch.optim.Adam(foreach=True)",
    "dlnotes_torch": "dlnotes on torch tensors",
    "dlnotes_torch_nochecks": "dlnotes on torch tensors, checks off",
    "numpy_inplace": "NumPy, in place (best we could write)",
    "dlnotes_numpy": "dlnotes on NumPy arrays",
    "dlnotes_numpy_nochecks": "dlnotes on NumPy arrays, checks off",
    "fresh_torch": "profile: three fresh 10⁷-value tensors alone (`clone`), torch",
}


def data(n):
    rng = np.random.default_rng(0)
    return rng.normal(size=n).astype(np.float32), rng.normal(size=n).astype(np.float32)


class NumpyInPlace:
    """Adam as a NumPy user would write it for speed: every array updated in place."""

    def __init__(self, param):
        self.p, self.m, self.v = param.copy(), np.zeros_like(param), np.zeros_like(param)
        self.tmp, self.t = np.empty_like(param), 0

    def step(self, g):
        (b1, b2), self.t = BETAS, self.t + 1
        self.m *= b1
        self.m += np.multiply(g, 1 - b1, out=self.tmp)
        self.v *= b2
        np.multiply(g, g, out=self.tmp)
        self.tmp *= 1 - b2
        self.v += self.tmp
        np.sqrt(self.v, out=self.tmp)
        self.tmp *= 1 / np.sqrt(1 - b2**self.t)
        self.tmp += EPS
        np.divide(self.m, self.tmp, out=self.tmp)
        self.tmp *= LR / (1 - b1**self.t)
        self.p -= self.tmp
        return self.p


def stepper(case, param, grad):
    """A function doing one step, and one returning the current parameters as NumPy."""
    if case == "torch_adam":
        p = torch.from_numpy(param.copy()).requires_grad_(True)
        p.grad = torch.from_numpy(grad)
        opt = torch.optim.Adam([p], lr=LR, betas=BETAS, eps=EPS, foreach=True)
        return opt.step, lambda: p.detach().numpy()
    if case == "fresh_torch":  # what a pure step cannot avoid: returning three new arrays
        arrays = [torch.from_numpy(param.copy()) for _ in range(3)]

        def step():
            arrays[:] = [a.clone() for a in arrays]

        return step, lambda: arrays[0].numpy()
    if case == "numpy_inplace":
        runner = NumpyInPlace(param)
        return (lambda: runner.step(grad)), lambda: runner.p
    state = {"p": param.copy(), "s": None}
    if case.startswith("dlnotes_torch"):
        state["p"], grad = torch.from_numpy(state["p"]), torch.from_numpy(grad)
    checks = not case.endswith("nochecks")

    def step():
        with dlnotes.checks(checks):
            state["p"], state["s"] = adam_step(
                state["p"], grad, state["s"], lr=LR, betas=BETAS, eps=EPS
            )

    return step, lambda: np.asarray(state["p"])


def run_case(case):
    """Time STEPS steps on N_PARAMS parameters; print a json line."""
    param, grad = data(N_PARAMS)
    step, _ = stepper(case, param, grad)
    for _ in range(2):  # measure_steps makes the third warm-up step
        step()
    print(json.dumps(measure_steps(step, STEPS)))


def check_equal():
    param, grad = data(10**5)
    results = {}
    for case in CASES:
        if case.startswith("fresh"):
            continue
        step, current = stepper(case, param, grad)
        for _ in range(5):
            step()
        results[case] = np.array(current(), copy=True)
    for case, value in results.items():
        np.testing.assert_allclose(value, results["torch_adam"], rtol=1e-6, atol=1e-7, err_msg=case)


def main():
    check_equal()
    measured = fresh_process_results(__file__, CASES, ROUNDS)
    rows = []
    for case, label in CASES.items():
        t = measured[case]
        reference = "torch_adam" if "torch" in case else "numpy_inplace"
        ratio = t["best"] / measured[reference]["best"]
        print(case, t, flush=True)
        rows.append(
            [
                label,
                *case_cells(t),
                f"{ratio:.2f} ({CASES[reference]})" if case != reference else "1 (reference)",
            ]
        )
    write_table(
        "optim",
        f"One Adam step on {N_PARAMS:,} float32 parameters",
        ["implementation", *CASE_HEADER, "ratio"],
        rows,
        note=f"Best of {ROUNDS * STEPS} steps each: {ROUNDS} alternating rounds of a fresh "
        f"process timing {STEPS} steps after 3 warm-up steps, on the same data; results "
        f"checked equal first. {versions('numpy', 'torch')}, CPU. CPU times are per step, "
        "summed over threads; the system time is mostly the kernel mapping fresh pages for "
        "new arrays (the page faults). `adam_step` is pure: each step returns new `param`, "
        "`m` and `v` (three 40 MB arrays, each made once and updated in place), where the "
        "in-place updates reuse their memory and torch's allocates one array (its denominator). "
        "The profile row times only what a pure step must do on top of any arithmetic.",
    )


if __name__ == "__main__":
    if "--case" in sys.argv:
        run_case(sys.argv[sys.argv.index("--case") + 1])
    else:
        main()

"""dlnotes on a GPU: CuPy arrays and CUDA torch tensors against torch's own CUDA kernels.

Four steps of the CPU benchmarks, their data made as there and moved to the GPU:

- conv2d forward + backward (``bench_conv``: x 16×64×56×56, 3×3, 64→64 channels);
- max pooling forward + backward (``bench_pooling``: 16×64×56×56, 2×2 windows);
- batch norm forward + backward (``bench_regularization``: 64×64×56×56);
- one Adam step on 10⁷ float32 parameters (``bench_optim``'s data and settings),
  against ``torch.optim.Adam`` with ``foreach=True`` (the issue's reference) and
  with ``fused=True`` (torch's fastest on a GPU).

Each is run by torch on CUDA (cuDNN and torch's own kernels), the reference, and by
dlnotes on CUDA torch tensors and on CuPy arrays, with the data checks on (the
default: their one read from the device per call) and off (``dlnotes.checks(False)``).

A GPU works asynchronously, so every timed step ends by synchronising the device: a
time is the whole step's work. Each case makes warm-up steps, then times REPEAT
steps, in this one process, and keeps the best: on a GPU the memory pools of CuPy
and torch hand one step's memory to the next, so the CPU benchmarks' rule of a fresh
process per case (about the kernel mapping fresh pages) has nothing to guard here.
Before timing, every output is checked against torch's (rtol 1e-3).

Needs an NVIDIA GPU, CuPy and a CUDA build of torch; ``bash benchmarks/device_check.sh``
runs it on the device machine after CuPy's backend tests. Without a GPU it says so and
writes nothing, except in the smoke test (``DLNOTES_BENCH_SMOKE=1``), which runs the
same code on the CPU (torch's CPU tensors, NumPy in CuPy's place) so that this script
is tested on every machine. Run from the project root: ``python benchmarks/bench_gpu.py``.
It writes ``benchmarks/results/gpu.md``.
"""

from __future__ import annotations

import bench_conv
import bench_optim
import bench_pooling
import bench_regularization
import numpy as np
from _timing import SMOKE, best_time, case_step, check_against_torch, versions, write_table

REPEAT = 1 if SMOKE else 20  # timed steps per case, after WARMUP
WARMUP = 1 if SMOKE else 5
STEPS = {  # title: the benchmark whose make_data, torch_step and dlnotes_step run, its outputs
    "conv2d forward + backward": (bench_conv, ["y", "grad_x", "grad_weight", "grad_bias"]),
    "max pooling forward + backward": (bench_pooling, ["out", "indices", "grad_x"]),
    "batch norm forward + backward": (
        bench_regularization,
        ["y", "running_mean", "running_var", "grad_x", "grad_gamma", "grad_beta"],
    ),
}
CASES = {
    "torch": "torch on CUDA",
    "dlnotes_torch": "dlnotes on CUDA torch tensors",
    "dlnotes_torch_unchecked": "dlnotes on CUDA torch tensors, `checks(False)`",
    "dlnotes_cupy": "dlnotes on CuPy",
    "dlnotes_cupy_unchecked": "dlnotes on CuPy, `checks(False)`",
}
ADAM = {
    "torch_foreach": "torch.optim.Adam(foreach=True)",
    "torch_fused": "torch.optim.Adam(fused=True)",
    "dlnotes_torch": "dlnotes on CUDA torch tensors",
    "dlnotes_torch_unchecked": "dlnotes on CUDA torch tensors, `checks(False)`",
    "dlnotes_cupy": "dlnotes on CuPy",
    "dlnotes_cupy_unchecked": "dlnotes on CuPy, `checks(False)`",
}


def device():
    """``(array module, torch device, synchronize)``: CuPy and CUDA, or NumPy and the CPU.

    The CPU stands in only for the smoke test; otherwise ``None`` without a GPU.
    """
    import torch

    try:
        import cupy

        if cupy.cuda.is_available() and torch.cuda.is_available():

            def synchronize():
                torch.cuda.synchronize()
                cupy.cuda.Device().synchronize()

            return cupy, "cuda", synchronize
    except ImportError:  # no CuPy
        pass
    return (np, "cpu", lambda: None) if SMOKE else None


def timed(step, synchronize) -> float:
    """The best seconds of REPEAT synchronised calls of ``step``, after WARMUP calls."""
    return best_time(step, repeat=REPEAT, warmup=WARMUP, synchronize=synchronize)


def adam_step_of(case, arrays, torch_device):
    """One Adam step of ``case`` as a function of no arguments, and its current parameters."""
    import torch

    import dlnotes
    from dlnotes.backend import to_numpy
    from dlnotes.optim import adam_step

    param, grad = bench_optim.data(bench_optim.N_PARAMS)
    settings = dict(lr=bench_optim.LR, betas=bench_optim.BETAS, eps=bench_optim.EPS)
    if case.startswith("torch_"):
        p = torch.from_numpy(param).to(torch_device).requires_grad_(True)
        p.grad = torch.from_numpy(grad).to(torch_device)
        kind = {"foreach": True} if case == "torch_foreach" else {"fused": True}
        optimizer = torch.optim.Adam([p], **settings, **kind)
        return optimizer.step, lambda: to_numpy(p)
    move = (lambda a: torch.from_numpy(a).to(torch_device)) if "torch" in case else arrays.asarray
    state = {"p": move(param), "s": None}
    grad, checks = move(grad), not case.endswith("unchecked")

    def step():
        with dlnotes.checks(checks):
            state["p"], state["s"] = adam_step(state["p"], grad, state["s"], **settings)

    return step, lambda: to_numpy(state["p"])


def main() -> None:
    import torch

    found = device()
    if found is None:
        print("bench_gpu: no CUDA GPU with CuPy and torch here; nothing timed or written")
        return
    arrays, torch_device, synchronize = found
    rows = []
    for title, (bench, outputs) in STEPS.items():

        def prepared(case, bench=bench):  # the case's step, its data moved to the device
            data = bench.make_data()
            return case_step(
                case,
                data,
                bench.torch_step,
                bench.dlnotes_step,
                torch_device=torch_device,
                arrays=arrays,
            )

        check_against_torch(prepared, CASES, outputs)
        times = {case: timed(prepared(case), synchronize) for case in CASES}
        rows.append([f"**{title}**", "", ""])
        for case, label in CASES.items():
            rows.append([label, f"{times[case] * 1e3:.2f}", f"{times[case] / times['torch']:.2f}"])
            print(f"{title}, {case}: {times[case] * 1e3:.2f} ms")
    steps = {case: adam_step_of(case, arrays, torch_device) for case in ADAM}
    want = None
    for case, (step, current) in steps.items():  # three steps each, then the parameters agree
        for _ in range(3):
            step()
        want = current() if want is None else want
        np.testing.assert_allclose(current(), want, rtol=1e-3, atol=1e-6, err_msg=case)
    times = {case: timed(step, synchronize) for case, (step, _) in steps.items()}
    rows.append([f"**Adam step, {bench_optim.N_PARAMS:,} float32 parameters**", "", ""])
    for case, label in ADAM.items():
        ratio = times[case] / times["torch_foreach"]
        rows.append([label, f"{times[case] * 1e3:.2f}", f"{ratio:.2f}"])
        print(f"adam {case}: {times[case] * 1e3:.2f} ms")
    where = torch.cuda.get_device_name() if torch_device == "cuda" else "CPU (smoke test)"
    write_table(
        "gpu",
        f"dlnotes on a GPU ({where}) against torch on it",
        ["implementation", "ms per step (best)", "ratio to torch (Adam: foreach=True)"],
        rows,
        note=f"Best of {REPEAT} steps each after {WARMUP} warm-up steps, every step ended by "
        f"synchronising the device, in one process; {versions('numpy', 'torch')}, "
        f"{_cupy_version()}. The data and settings are the CPU benchmarks' (bench_conv, "
        "bench_pooling, bench_regularization, bench_optim); every output agrees with torch's "
        "(rtol 1e-3).",
    )


def _cupy_version() -> str:
    try:
        import cupy
    except ImportError:
        return "no CuPy (NumPy in its place)"
    return f"cupy {cupy.__version__}"


if __name__ == "__main__":
    main()

"""Timing helpers shared by the benchmarks.

Benchmarks report *ratios* measured in one run, never absolute timings as a
test: the machines are noisy and shared. The honest way, used by
`fresh_process_results`: every case runs in its own fresh Python process (no
case inherits another's warmed-up allocator), the cases alternate over several
rounds (a burst of load hits all alike), and each case's best step is kept,
with its user and system CPU time, page faults and peak memory beside the
wall-clock time (`measure_steps`, `case_cells`). `best_time` is the in-process
timer (the GPU benchmark's: on a GPU the memory pools, not the kernel, hand
out memory). Each benchmark writes a Markdown table to
``benchmarks/results/<name>.md``, which the Performance page includes.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

# The smoke test (tests/test_benchmarks.py) sets DLNOTES_BENCH_SMOKE=1: every script
# then runs end to end on the small sizes that `sized` gives, one round of one step
# per case, and writes its tables to DLNOTES_BENCH_RESULTS instead of results/.
SMOKE = os.environ.get("DLNOTES_BENCH_SMOKE") == "1"
RESULTS = Path(os.environ.get("DLNOTES_BENCH_RESULTS") or Path(__file__).parent / "results")
RESULTS = RESULTS.resolve()


def sized(full, small):
    """A benchmark's size: ``full``, or ``small`` under the smoke test."""
    return small if SMOKE else full


def best_time(fn, *, repeat=5, number=1, warmup=1, synchronize=None):
    """Best wall-clock seconds per call of ``fn()`` over ``repeat`` rounds.

    ``warmup`` calls come first (imports, caches, lazy initialisation). On a
    GPU, ``synchronize()`` ends the warm-up and every round, so that a round's
    time holds all the work its calls queued on the device.
    """
    synchronize = synchronize or (lambda: None)
    for _ in range(warmup):
        fn()
    synchronize()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        synchronize()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def _vector_unit() -> str:
    """The widest SIMD extension the CPU reports (Linux's ``/proc/cpuinfo``), or ``""``.

    BLAS and oneDNN pick their kernels by it: the same step can differ by a
    third between an AVX2 and an AVX-512 machine, so every table names it.
    """
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:  # not Linux
        return ""
    flags = next(
        (ln.split(":", 1)[1].split() for ln in lines if ln.startswith(("flags", "Features"))), []
    )
    known = [
        ("avx512f", "AVX-512"),
        ("avx2", "AVX2"),
        ("avx", "AVX"),
        ("sve", "SVE"),
        ("asimd", "NEON"),
    ]
    return next((name for flag, name in known if flag in flags), "")


def machine() -> str:
    """One line describing where the numbers were taken, and how loaded the machine was."""
    import os

    cpu = platform.processor() or platform.machine()
    unit = _vector_unit()
    cpu = f"{cpu} ({unit})" if unit else cpu
    line = f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"
    try:
        load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:  # not on this platform
        return line
    return f"{line}, load average {load} (1, 5, 15 min) when written"


def versions(*modules: str) -> str:
    """``"numpy 2.4.6, torch 2.13.0+cpu (2 threads)"`` for the modules named."""
    import importlib

    parts = []
    for name in modules:
        module = importlib.import_module(name)
        part = f"{name} {getattr(module, '__version__', '?')}"
        if name == "torch":
            part += f" ({module.get_num_threads()} threads)"
        parts.append(part)
    return ", ".join(parts)


def write_table(
    name: str, title: str, header: list[str], rows: list[list[str]], note: str = ""
) -> Path:
    """Write ``benchmarks/results/<name>.md`` (a Markdown table) and print it."""
    lines = [f"**{title}** ({machine()}, {time.strftime('%Y-%m-%d')})", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    if note:
        lines += ["", note]
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    print(text)
    return path


def measure_steps(step, repeat: int) -> dict[str, float]:
    """Time ``repeat`` calls of ``step()`` in this process, after one warm-up call.

    Returns the best wall-clock seconds per call (``"best"``) and their median
    (``"median"``); per call, the user and system CPU seconds (``"user"``,
    ``"sys"``; ``"cpu"`` is their sum, all threads together) and the minor page
    faults (``"faults"``: the kernel mapping fresh memory, most of the system
    time of a step that allocates large arrays); and the peak memory the calls
    add to the process in MiB (``"peak_mb"``; Linux: the peak is reset first,
    then ``VmHWM`` is read against the resident size before the calls;
    elsewhere 0).
    """
    import resource
    import statistics

    repeat = 1 if SMOKE else repeat
    reset = _reset_peak()
    before = _memory_kib("VmRSS") if reset else 0
    step()  # warm-up
    times = []
    start = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(repeat):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    end = resource.getrusage(resource.RUSAGE_SELF)
    user = (end.ru_utime - start.ru_utime) / repeat
    system = (end.ru_stime - start.ru_stime) / repeat
    peak = (_memory_kib("VmHWM") - before) / 1024 if reset else 0.0
    return {
        "best": min(times),
        "median": statistics.median(times),
        "user": user,
        "sys": system,
        "cpu": user + system,
        "faults": (end.ru_minflt - start.ru_minflt) / repeat,
        "peak_mb": peak,
    }


CASE_HEADER = [
    "ms per step (best)",
    "CPU ms per step, user / system",
    "page faults per step",
    "peak memory added (MiB)",
]


def case_cells(result: dict[str, float]) -> list[str]:
    """A `measure_steps` result as the table cells under `CASE_HEADER`."""
    return [
        f"{result['best'] * 1e3:.1f}",
        f"{result.get('user', result['cpu']) * 1e3:.0f} / {result.get('sys', 0.0) * 1e3:.0f}",
        f"{result.get('faults', 0.0):,.0f}",
        f"{result['peak_mb']:.0f}",
    ]


def fresh_process_results(script: str, cases, rounds: int) -> dict[str, dict[str, float]]:
    """Run ``python script --case CASE`` once per case and round, in a fresh process each.

    The rounds alternate the cases, so a burst of load hits all alike. Each run
    prints one json line (`measure_steps`' dict); per case, the fastest run's
    numbers are kept, with the largest peak memory of all its runs. A fresh
    process for every case keeps one case's allocations from changing the next
    one's (glibc raises its thresholds for returning memory to the kernel as a
    process frees large blocks, so a later case would find memory ready).
    """
    import json
    import subprocess
    import sys

    rounds = 1 if SMOKE else rounds
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path.cwd()), *sys.path]))
    results = {case: {"best": float("inf"), "peak_mb": 0.0} for case in cases}
    for _ in range(rounds):
        for case in cases:
            out = subprocess.run(
                [sys.executable, script, "--case", case],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            ).stdout
            result = json.loads(out.strip().splitlines()[-1])
            peak = max(results[case]["peak_mb"], result.get("peak_mb", 0.0))
            if result["best"] < results[case]["best"]:
                results[case] = result
            results[case]["peak_mb"] = peak
    return results


def _reset_peak() -> bool:
    """Start this process's peak resident size again from now (Linux only)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _memory_kib(field: str) -> int:
    """``VmRSS`` (resident now) or ``VmHWM`` (its peak) of this process, in KiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise OSError(field)


def case_step(case: str, data: tuple, torch_step, dlnotes_step, *, torch_device="cpu", arrays=None):
    """The step a benchmark case times, as a function of no arguments.

    ``"torch"`` runs ``torch_step``; every other case runs ``dlnotes_step``,
    on torch tensors (on ``torch_device``) when its name holds "torch", else on
    the NumPy ``data`` or, with ``arrays`` (CuPy, say), on ``arrays.asarray`` of
    it, inside ``dlnotes.checks(False)`` when its name ends in "unchecked".
    """
    import dlnotes

    if "torch" in case:
        import torch

        data = tuple(torch.from_numpy(a).to(torch_device) for a in data)
    elif arrays is not None:
        data = tuple(arrays.asarray(a) for a in data)
    if case == "torch":
        return lambda: torch_step(*data)
    if case.endswith("unchecked"):

        def unchecked():
            with dlnotes.checks(False):
                return dlnotes_step(*data)

        return unchecked
    return lambda: dlnotes_step(*data)


def check_against_torch(prepared, cases, names, *, exact=False):
    """Every case's outputs against the ``"torch"`` case's, before anything is timed.

    ``prepared(case)`` gives the step; its outputs are compared in order, under
    ``names``: bit for bit with ``exact``, else to rtol 1e-3 (float32) with an
    absolute tolerance of 1e-4 of each output's largest magnitude.
    """
    import numpy as np

    from dlnotes.backend import to_numpy

    expected = [to_numpy(a) for a in prepared("torch")()]
    for case in cases:
        if case == "torch":
            continue
        for name, got, want in zip(names, prepared(case)(), expected, strict=True):
            got, message = to_numpy(got), f"{case}: {name}"
            if exact:  # bit for bit: a -0.0 where the reference has 0.0 is a difference
                np.testing.assert_array_equal(got, want, err_msg=message)
                np.testing.assert_array_equal(np.signbit(got), np.signbit(want), err_msg=message)
            else:
                scale = float(np.max(np.abs(want)))
                np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4 * scale, err_msg=message)

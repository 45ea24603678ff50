"""Timing helpers shared by the benchmarks.

Benchmarks report *ratios* measured in one run, never absolute timings as a
test: the machines are noisy, but two functions timed back to back on the same
data see the same noise. Each benchmark writes a Markdown table to
``benchmarks/results/<name>.md``, which the Performance page includes.
"""

from __future__ import annotations

import platform
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def best_time(fn, *, repeat=5, number=1):
    """Best wall-clock seconds per call of ``fn()`` over ``repeat`` rounds."""
    fn()  # warm-up: imports, caches, lazy initialisation
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def machine() -> str:
    """One line describing where the numbers were taken."""
    import os

    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


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

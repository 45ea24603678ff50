"""The benchmarks run end to end, on small sizes: a smoke test, not a timing.

Each script in ``benchmarks/`` runs as ``make bench`` runs it, with
``DLNOTES_BENCH_SMOKE=1``: the sizes that `_timing.sized` gives for the smoke
test, one round of one step per case, every case in its fresh process as usual,
and the tables written to a temporary folder (``DLNOTES_BENCH_RESULTS``), never
to ``benchmarks/results/``. Every script first checks its implementations'
answers against each other (dlnotes against torch, pycocotools, OpenCV, plain
NumPy), so this also runs those comparisons on the benchmarks' own calls. What
is tested here is only that each script finishes and writes a well-formed table
with a row per case: the timings of such small sizes mean nothing.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("bench_*.py"))
TABLES = {"bench_coco": ["coco", "coco_scaling"]}  # the others write bench_<name> as <name>.md
NEEDS = {  # the references a script cannot run without (bench_coco skips missing peers itself)
    "bench_coco": [],
    "bench_detection": ["torch", "cv2"],
    "bench_metrics": ["torch", "sklearn"],
}


def _tables(script: Path) -> list[str]:
    return TABLES.get(script.stem, [script.stem.removeprefix("bench_")])


def test_every_benchmark_is_covered():
    # a new script is listed here once its tables and references are in TABLES and NEEDS
    assert [s.stem for s in SCRIPTS] == [
        "bench_coco",
        "bench_conv",
        "bench_detection",
        "bench_gpu",
        "bench_metrics",
        "bench_optim",
        "bench_pooling",
        "bench_regularization",
        "bench_softmax_cross_entropy",
    ]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.stem)
def test_benchmark_runs_and_writes_its_tables(script, tmp_path):
    for module in NEEDS.get(script.stem, ["torch"]):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{script.name} compares with {module}, which is not installed")
    committed = {p.name: p.read_bytes() for p in (BENCHMARKS / "results").glob("*.md")}
    env = dict(os.environ, DLNOTES_BENCH_SMOKE="1", DLNOTES_BENCH_RESULTS=str(tmp_path))
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=BENCHMARKS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, f"{script.name} failed:\n{run.stderr[-4000:]}"
    for name in _tables(script):
        lines = (tmp_path / f"{name}.md").read_text(encoding="utf-8").splitlines()
        rows = [line for line in lines if line.startswith("|")]
        header, separator, body = rows[0], rows[1], rows[2:]
        width = header.count("|")
        assert separator == "|" + "---|" * (width - 1), name
        ratios = []
        for row in body:
            assert row.count("|") == width, f"{name}: {row}"
            ratios.append(row.removesuffix("|").rsplit("|", 1)[-1].strip())
        ratios = [r for r in ratios if r]  # not the rows that only name a group of cases
        assert len(ratios) >= 2, f"{name}: {len(ratios)} case"
        assert all(r[0].isdigit() for r in ratios), f"{name}: ratios {ratios}"
    after = {p.name: p.read_bytes() for p in (BENCHMARKS / "results").glob("*.md")}
    assert after == committed, "the smoke test must not rewrite benchmarks/results/"

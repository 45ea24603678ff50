"""COCO box evaluation: dlnotes against pycocotools and the fastest evaluators.

On synthetic sets from ``dlnotes.datasets.make_coco_dataset`` (20 classes, about
7.5 ground truths and 23 detections per image, with crowds, area borders, tied
scores and an image with more than 100 detections) each implementation goes
from the in-memory json records to the 12 summary numbers (loading and
indexing included):

- dlnotes: ``coco_evaluate(ground_truth, detections)`` (NumPy only);
- hotcoco (Rust) and ultrafast-pycocotools (C++): their pycocotools-compatible
  ``COCO`` + ``loadRes`` + ``COCOeval``;
- vernier: its ``COCOeval`` on pycocotools' ``COCO`` index;
- faster-coco-eval: ``COCOeval_faster`` (C++ matching and accumulation);
- pycocotools: ``COCO`` + ``loadRes`` + ``COCOeval`` (Python loops, C IoU).

First every library's 12 numbers are checked equal to dlnotes' (to 1e-9), in
this process. Then each (library, size) case is timed in a fresh process of
its own, best of a few calls after one warm-up, with its CPU time and the peak
resident memory the calls add. A library that is not installed is left out
with a note. Run from the project root: ``python benchmarks/bench_coco.py``
(``--sizes 1000,5000``); it writes ``benchmarks/results/coco.md``, and
``benchmarks/results/coco_scaling.md``: dlnotes alone from 1,000 to 16,000
images (``--scaling 1000,...``; ``--scaling ""`` leaves it out), with the
exponents of a power law fitted to its time and peak memory.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import warnings
from importlib.metadata import PackageNotFoundError, version

import numpy as np
from _timing import fresh_process_results, measure_steps, sized, write_table

from dlnotes.coco import coco_evaluate
from dlnotes.datasets import make_coco_dataset

N_CATEGORIES, SEED = 20, 0
SIZES = sized((1000, 5000), (20, 40))
# dlnotes alone: how time and memory grow
SCALING = sized((1000, 2000, 4000, 8000, 16000), (20, 40))
ROUNDS = 2  # fresh processes per case; each times REPEAT calls after a warm-up
REPEAT = 3
SLOW = {"pycocotools": 1}  # pycocotools takes seconds per call: fewer calls

# name: (distribution, label)
LIBRARIES = {
    "dlnotes": ("dlnotes", "dlnotes `coco_evaluate` (NumPy)"),
    "hotcoco": ("hotcoco", "hotcoco {v} (Rust)"),
    "ultrafast": ("ultrafast-pycocotools", "ultrafast-pycocotools {v} (C++)"),
    "vernier": ("vernier", "vernier {v}"),
    "fce": ("faster-coco-eval", "faster-coco-eval {v} `COCOeval_faster` (C++)"),
    "pycocotools": ("pycocotools", "pycocotools {v} `COCOeval`"),
}


def _pycocotools_api(name):
    """``(COCO index from a dict, COCOeval class, extra keyword arguments)``."""
    if name == "hotcoco":
        import hotcoco

        return hotcoco.COCO, hotcoco.COCOeval, {}
    if name == "ultrafast":
        import ultrafast_pycocotools

        return ultrafast_pycocotools.COCO, ultrafast_pycocotools.COCOeval, {}
    if name == "fce":
        from faster_coco_eval import COCO, COCOeval_faster

        return COCO, COCOeval_faster, {"print_function": lambda *a, **k: None}
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    def index(dataset):  # pycocotools' COCO() reads only files
        gt = COCO()
        gt.dataset = dataset
        gt.createIndex()
        return gt

    if name == "vernier":
        import vernier

        return index, vernier.COCOeval, {}
    return index, COCOeval, {}


def step_for(name, ground_truth, detections):
    """The timed call: records in, 12 numbers out."""
    if name == "dlnotes":
        return lambda: coco_evaluate(ground_truth, detections)["stats"]
    index, evaluator, extra = _pycocotools_api(name)
    # a copy of its own: the references add keys to the records
    ground_truth, detections = copy.deepcopy(ground_truth), copy.deepcopy(detections)

    def step():
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gt = index(ground_truth)
            evaluation = evaluator(gt, gt.loadRes(detections), "bbox", **extra)
            evaluation.evaluate()
            evaluation.accumulate()
            evaluation.summarize()
        return np.asarray(evaluation.stats[:12], dtype=float)

    return step


def installed(name) -> str | None:
    try:
        return version(LIBRARIES[name][0])
    except PackageNotFoundError:
        return None


def run_case(case: str) -> None:
    """In a fresh process: time one ``name:size`` case, print its json line."""
    name, size = case.split(":")
    ground_truth, detections = make_coco_dataset(int(size), N_CATEGORIES, seed=SEED)
    step = step_for(name, ground_truth, detections)
    print(json.dumps(measure_steps(step, SLOW.get(name, REPEAT))))


def main(sizes) -> None:
    names = [name for name in LIBRARIES if installed(name)]
    missing = [LIBRARIES[name][0] for name in LIBRARIES if name not in names]
    for size in sizes:  # equal numbers first, then time
        ground_truth, detections = make_coco_dataset(size, N_CATEGORIES, seed=SEED)
        want = step_for("dlnotes", ground_truth, detections)()
        for name in names[1:]:
            got = step_for(name, ground_truth, detections)()
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-9, err_msg=name)
    cases = [f"{name}:{size}" for size in sizes for name in names]
    results = fresh_process_results(__file__, cases, ROUNDS)
    rows = []
    for size in sizes:
        ground_truth, detections = make_coco_dataset(size, N_CATEGORIES, seed=SEED)
        fastest_peer = min(results[f"{n}:{size}"]["best"] for n in names if n != "dlnotes")
        for name in names:
            r = results[f"{name}:{size}"]
            label = LIBRARIES[name][1].format(v=installed(name))
            rows.append(
                [
                    f"{size:,}",
                    label,
                    f"{r['best'] * 1e3:,.0f}",
                    f"{r['cpu'] * 1e3:,.0f}",
                    f"{r['peak_mb']:,.0f}",
                    f"{r['best'] / fastest_peer:.2f}",
                ]
            )
        rows.append(
            [
                "",
                f"({len(ground_truth['annotations']):,} ground truths, "
                f"{len(detections):,} detections)",
                "",
                "",
                "",
                "",
            ]
        )
    note = (
        f"Each case in a fresh process: best of {REPEAT} calls after one warm-up "
        f"(pycocotools: 1), the fastest of {ROUNDS} processes, the rounds alternating the "
        "libraries. *CPU* is user + system time per call, *peak* the resident memory the "
        "calls add over the process before them (VmHWM − VmRSS), *ratio* the wall time over "
        "the fastest other library's at that size. All 12 numbers of every library agree "
        "with dlnotes' to 1e-9 (checked before timing). Data: "
        f"`make_coco_dataset(n, {N_CATEGORIES}, seed={SEED})` (`dlnotes.datasets`)."
    )
    if missing:
        note += f" Not installed, so not shown: {', '.join(missing)}."
    write_table(
        "coco",
        "COCO box evaluation, records in, 12 numbers out",
        ["images", "implementation", "ms", "CPU ms", "peak MiB", "ratio to fastest peer"],
        rows,
        note=note,
    )


def scaling(sizes) -> None:
    """dlnotes alone over growing sets: time and peak memory, and their growth exponents."""
    results = fresh_process_results(__file__, [f"dlnotes:{size}" for size in sizes], ROUNDS)
    best = np.array([results[f"dlnotes:{size}"]["best"] for size in sizes])
    peak = np.array([results[f"dlnotes:{size}"]["peak_mb"] for size in sizes])
    rows = []
    for size, t, mb in zip(sizes, best, peak):
        _, dt = make_coco_dataset(size, N_CATEGORIES, seed=SEED)
        rows.append([f"{size:,}", f"{len(dt):,}", f"{t * 1e3:,.0f}", f"{mb:,.0f}"])
    slope_t, slope_m = (np.polyfit(np.log(sizes), np.log(v), 1)[0] for v in (best, peak))
    write_table(
        "coco_scaling",
        "COCO box evaluation with dlnotes, growing sets",
        ["images", "detections", "ms", "peak MiB"],
        rows,
        note=f"Each size in a fresh process, as above. Fitted to time ∝ n^a and memory ∝ "
        f"n^b over these sizes: a = {slope_t:.2f}, b = {slope_m:.2f} (1 is linear).",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", help="internal: time one name:size case")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--scaling", default=",".join(map(str, SCALING)))
    args, _ = parser.parse_known_args()  # run_all.py passes its own words
    if args.case:
        run_case(args.case)
    else:
        main([int(s) for s in args.sizes.split(",")])
        if args.scaling:
            scaling([int(s) for s in args.scaling.split(",")])

"""COCO box evaluation: dlnotes against pycocotools and faster-coco-eval.

On one synthetic set from ``dlnotes.datasets.make_coco_dataset`` (1,000 images,
20 classes, about 7.5k ground truths and 23k detections, with crowds, area
borders, tied scores and an image with more than 100 detections) each
implementation goes from the in-memory json records to the 12 summary
numbers:

- dlnotes: ``coco_evaluate(ground_truth, detections)`` (NumPy only);
- pycocotools: ``COCO`` index + ``loadRes`` + ``COCOeval`` evaluate,
  accumulate, summarize (Python loops over images, with a C IoU);
- faster-coco-eval: the same with ``COCOeval_faster`` (C++ matching and
  accumulation).

The 12 numbers are checked equal (to 1e-9) before timing. Run from the
project root: ``python benchmarks/bench_coco.py``; it writes
``benchmarks/results/coco.md``.
"""

from __future__ import annotations

import contextlib
import copy
import io
import warnings

import numpy as np
from _timing import best_time, write_table

from dlnotes.coco import coco_evaluate
from dlnotes.datasets import make_coco_dataset

N_IMAGES, N_CATEGORIES, SEED = 1000, 20, 0
ROUNDS = 2  # alternating rounds of best_time per implementation


def pycocotools_stats(ground_truth, detections):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gt = COCO()
        gt.dataset = ground_truth
        gt.createIndex()
        evaluation = COCOeval(gt, gt.loadRes(detections), "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return evaluation.stats


def faster_coco_eval_stats(ground_truth, detections):
    from faster_coco_eval import COCO, COCOeval_faster

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gt = COCO(ground_truth)
        evaluation = COCOeval_faster(
            gt, gt.loadRes(detections), "bbox", print_function=lambda *a, **k: None
        )
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return np.asarray(evaluation.stats[:12])


def main() -> None:
    from importlib.metadata import version

    ground_truth, detections = make_coco_dataset(N_IMAGES, N_CATEGORIES, seed=SEED)
    n_gt, n_det = len(ground_truth["annotations"]), len(detections)
    # Each library gets its own copy: the references add keys to the records.
    inputs = {
        name: (copy.deepcopy(ground_truth), copy.deepcopy(detections)) for name in ("pyc", "fce")
    }
    fns = {
        "dlnotes": lambda: coco_evaluate(ground_truth, detections)["stats"],
        "pyc": lambda: pycocotools_stats(*inputs["pyc"]),
        "fce": lambda: faster_coco_eval_stats(*inputs["fce"]),
    }
    stats = {name: fn() for name, fn in fns.items()}
    np.testing.assert_allclose(stats["dlnotes"], stats["pyc"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(stats["fce"], stats["pyc"], rtol=0, atol=1e-9)

    best = dict.fromkeys(fns, float("inf"))
    for _ in range(ROUNDS):
        for name, fn in fns.items():
            best[name] = min(best[name], best_time(fn, repeat=2))
    ref = best["pyc"]
    labels = {
        "dlnotes": "dlnotes `coco_evaluate` (NumPy)",
        "fce": f"faster-coco-eval {version('faster-coco-eval')} `COCOeval_faster` (C++)",
        "pyc": f"pycocotools {version('pycocotools')} `COCOeval`",
    }
    rows = [
        [labels[name], f"{best[name] * 1e3:,.0f}", f"{ref / best[name]:.1f}"]
        for name in ("dlnotes", "fce", "pyc")
    ]
    print(
        f"dlnotes is {best['pyc'] / best['dlnotes']:.1f}x faster than pycocotools, "
        f"{best['fce'] / best['dlnotes']:.1f}x faster than faster-coco-eval; "
        f"faster-coco-eval is {best['pyc'] / best['fce']:.1f}x faster than pycocotools"
    )
    write_table(
        "coco",
        f"COCO box evaluation, {N_IMAGES:,} images, {N_CATEGORIES} classes, "
        f"{n_gt:,} ground truths, {n_det:,} detections",
        ["implementation", "ms", "speed-up over pycocotools"],
        rows,
        note=(
            f"Best of {2 * ROUNDS} calls each ({ROUNDS} alternating rounds of 2), in one "
            "process, from the in-memory json records to the 12 summary numbers (loading and "
            "indexing included); the 12 numbers of the three agree to 1e-9. Data: "
            "`make_coco_dataset(1000, 20, seed=0)` (`dlnotes.datasets`). dlnotes matches every "
            "(image, class, area range, IoU threshold) at once, one step per detection rank, and "
            "accumulates with one sort and cumulative counts; see [COCO evaluation](coco.md)."
        ),
    )


if __name__ == "__main__":
    main()

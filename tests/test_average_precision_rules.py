"""The recall-level rule of COCO's 101-point AP: one option, one default, in both functions.

pycocotools' recall levels are ``np.linspace(0, 1, 101)`` floats, ten of which
lie above k/100, so a recall of exactly 0.35, 0.70, 0.95... misses its level
there. ``recall_levels="pycocotools"`` (the default of `average_precision` and
`coco_evaluate`) follows it; ``"exact"`` compares k/100 exactly.
"""

from __future__ import annotations

import contextlib
import copy
import io
import warnings

import numpy as np
import pytest

from dlnotes.coco import coco_evaluate
from dlnotes.detection import average_precision

RULES = ("pycocotools", "exact")


def one_class(hits, n_ground_truth, scores=None):
    """One image, one class: ``n_ground_truth`` disjoint boxes and one detection per
    entry of ``hits`` (True: the next ground truth's exact box; False: a box far away),
    scored in decreasing order (or by ``scores``)."""
    scores = np.linspace(1.0, 0.5, len(hits)).tolist() if scores is None else scores
    box = lambda i: [float(20 * i), 0.0, 10.0, 10.0]  # noqa: E731
    gt = {
        "images": [{"id": 1}],
        "categories": [{"id": 1}],
        "annotations": [
            {"id": i + 1, "image_id": 1, "category_id": 1, "bbox": box(i), "area": 100.0,
             "iscrowd": 0}
            for i in range(n_ground_truth)
        ],
    }  # fmt: skip
    found, dets = 0, []
    for hit, score in zip(hits, scores):
        dets.append({"image_id": 1, "category_id": 1, "score": score,
                     "bbox": box(found) if hit else [5000.0, 5000.0, 10.0, 10.0]})  # fmt: skip
        found += bool(hit)
    return gt, dets, scores


def pycocotools_ap50(gt, dets):
    """pycocotools' AP at IoU 0.5 (area "all", 100 detections) of one class."""
    pytest.importorskip("pycocotools", reason="pycocotools is the reference for COCO evaluation")
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = COCO()
        index.dataset = copy.deepcopy(gt)
        index.createIndex()
        evaluation = COCOeval(index, index.loadRes(copy.deepcopy(dets)), "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
    return float(evaluation.eval["precision"][0, :, 0, 0, 2].mean())


def test_the_issue_example():
    """10 ground truths, 7 perfect detections: recall 0.7 misses pycocotools' level 0.70."""
    gt, dets, scores = one_class([True] * 7, 10)
    ours = {rule: float(average_precision(scores, [True] * 7, 10, method="coco",
                                          recall_levels=rule)) for rule in RULES}  # fmt: skip
    assert ours == {"pycocotools": pytest.approx(70 / 101), "exact": pytest.approx(71 / 101)}
    assert round(ours["pycocotools"], 4) == 0.6931 and round(ours["exact"], 4) == 0.7030
    for rule in RULES:
        ap50 = coco_evaluate(gt, dets, recall_levels=rule)["AP50"]
        assert ap50 == pytest.approx(ours[rule], abs=1e-14)
    assert pycocotools_ap50(gt, dets) == pytest.approx(ours["pycocotools"], abs=1e-14)


def test_the_default_is_pycocotools_rule_in_both():
    gt, dets, scores = one_class([True] * 7, 10)
    assert float(average_precision(scores, [True] * 7, 10, method="coco")) == float(
        average_precision(scores, [True] * 7, 10, method="coco", recall_levels="pycocotools")
    )
    assert (
        coco_evaluate(gt, dets)["AP50"]
        == coco_evaluate(gt, dets, recall_levels="pycocotools")["AP50"]
    )


@pytest.mark.parametrize("n_ground_truth", [10, 20, 50, 100])
@pytest.mark.parametrize("seed", range(4))
def test_both_functions_agree_under_each_rule(n_ground_truth, seed):
    """Random ranked lists whose recall lands exactly on the levels that differ."""
    rng = np.random.default_rng(seed * 1000 + n_ground_truth)
    n_hits = int(rng.integers(1, n_ground_truth + 1))
    hits = [True] * n_hits + [False] * int(rng.integers(0, 100 - n_hits + 1))
    hits = rng.permutation(hits).tolist()[:100]  # at most 100 per image: COCO's limit
    gt, dets, scores = one_class(hits, n_ground_truth)
    for rule in RULES:
        ap = float(average_precision(scores, hits, n_ground_truth, method="coco",
                                     recall_levels=rule))  # fmt: skip
        assert coco_evaluate(gt, dets, recall_levels=rule)["AP50"] == pytest.approx(ap, abs=1e-14)
        if rule == "pycocotools":
            assert pycocotools_ap50(gt, dets) == pytest.approx(ap, abs=1e-14)


@pytest.mark.parametrize(
    ("found", "n_ground_truth"),
    [(7, 20), (41, 100), (47, 100), (57, 100), (69, 100), (7, 10), (41, 50), (83, 100),
     (47, 50), (19, 20)],
)  # fmt: skip
def test_each_level_that_differs(found, n_ground_truth):
    """Recall exactly 0.35, 0.41, 0.47, 0.57, 0.69, 0.70, 0.82, 0.83, 0.94, 0.95: one
    level fewer under pycocotools' rule, the rest the same."""
    scores, hits = np.linspace(1, 0.5, found).tolist(), [True] * found
    aps = [float(average_precision(scores, hits, n_ground_truth, method="coco",
                                   recall_levels=rule)) for rule in RULES]  # fmt: skip
    k = 100 * found // n_ground_truth
    assert aps == [pytest.approx(k / 101), pytest.approx((k + 1) / 101)]
    gt, dets, _ = one_class(hits, n_ground_truth)
    assert pycocotools_ap50(gt, dets) == pytest.approx(aps[0], abs=1e-14)


def test_levels_that_agree():
    """Recall 0.5 (and any level not among the ten) is reached under both rules."""
    aps = [float(average_precision([1.0] * 5, [True] * 5, 10, method="coco", recall_levels=r))
           for r in RULES]  # fmt: skip
    assert aps == [pytest.approx(51 / 101)] * 2


def test_the_rule_on_every_backend(xp):
    scores = xp.asarray([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3])
    correct = xp.asarray([1.0] * 7)
    for rule, expected in zip(RULES, (70 / 101, 71 / 101)):
        ap = average_precision(scores, correct, 10, method="coco", recall_levels=rule)
        assert float(ap) == pytest.approx(expected)


def test_other_methods_ignore_the_option():
    s, c = [0.9, 0.7, 0.6, 0.3, 0.2], [True, True, False, True, False]
    for method in ("voc2007", "slide", "all-point", "step"):
        values = {float(average_precision(s, c, 5, method=method, recall_levels=r)) for r in RULES}
        assert len(values) == 1


@pytest.mark.parametrize("function", ["average_precision", "coco_evaluate"])
def test_bad_rule(function):
    gt, dets, scores = one_class([True], 1)
    call = {
        "average_precision": lambda **kw: average_precision(scores, [True], 1, method="coco", **kw),
        "coco_evaluate": lambda **kw: coco_evaluate(gt, dets, **kw),
    }[function]
    with pytest.raises(ValueError, match="recall_levels"):
        call(recall_levels="linspace")
    with pytest.raises(TypeError, match="recall_levels"):
        call(recall_levels=None)


@pytest.mark.parametrize("rule", RULES)
def test_equals_a_loop_reference(rule):
    """Loops: pycocotools' levels are np.linspace floats compared with float recalls; the
    exact levels are compared in integers, 100 TP >= k G."""
    rng = np.random.default_rng(5)
    levels = np.linspace(0.0, 1.0, 101)
    for _ in range(40):
        n_gt = int(rng.choice([10, 20, 50, 100]))
        n = int(rng.integers(1, 120))
        correct = rng.random(n) < 0.6
        correct[np.cumsum(correct) > n_gt] = False
        scores = rng.random(n)
        tp = np.cumsum(correct[np.argsort(-scores, kind="stable")])
        precision = tp / np.arange(1, n + 1)
        total = 0.0
        for k in range(101):
            if rule == "pycocotools":
                reached = [p for p, t in zip(precision, tp) if t / n_gt >= levels[k]]
            else:
                reached = [p for p, t in zip(precision, tp) if 100 * t >= k * n_gt]
            total += max(reached) if reached else 0.0
        ap = average_precision(scores, correct, n_gt, method="coco", recall_levels=rule)
        assert float(ap) == pytest.approx(total / 101, abs=1e-12)

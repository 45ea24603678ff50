"""COCO evaluation (D8) against pycocotools, the id-0 bug, hand-checked cases, bad input."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import warnings

import numpy as np
import pytest

from dlnotes import coco
from dlnotes.coco import SUMMARY_NAMES, coco_evaluate
from dlnotes.datasets import make_coco_dataset
from tests._helpers import run_pycocotools


def assert_same_as_pycocotools(result, evaluation, *, stats=True):
    if stats:
        np.testing.assert_allclose(result["stats"], evaluation.stats, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        result["precision"], evaluation.eval["precision"], rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(result["recall"], evaluation.eval["recall"], rtol=0, atol=1e-12)
    if stats:
        assert [result[name] for name in SUMMARY_NAMES] == pytest.approx(
            list(evaluation.stats), abs=1e-9
        )


def one_image(boxes, dets, *, crowd=(), areas=None, first_id=1):
    """A one-image, one-category set: ground-truth boxes and (box, score) detections."""
    areas = areas or [b[2] * b[3] for b in boxes]
    gt = {
        "images": [{"id": 7}],
        "categories": [{"id": 3}],
        "annotations": [
            {
                "id": first_id + i,
                "image_id": 7,
                "category_id": 3,
                "bbox": b,
                "area": a,
                "iscrowd": int(i in crowd),
            }
            for i, (b, a) in enumerate(zip(boxes, areas))
        ],
    }
    return gt, [{"image_id": 7, "category_id": 3, "bbox": b, "score": s} for b, s in dets]


# --------------------------------------------------------------------------
# Agreement with pycocotools


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_equals_pycocotools_on_generated_data(seed):
    gt, dets = make_coco_dataset(120, 6, seed=seed)
    result = coco_evaluate(gt, dets)
    assert_same_as_pycocotools(result, run_pycocotools(gt, dets))


@pytest.mark.parametrize(("n_images", "n_categories"), [(40, 1), (30, 2), (60, 12)])
def test_equals_pycocotools_on_other_shapes(n_images, n_categories):
    gt, dets = make_coco_dataset(n_images, n_categories, seed=n_images)
    assert_same_as_pycocotools(coco_evaluate(gt, dets), run_pycocotools(gt, dets))


def test_equals_pycocotools_where_records_are_left_out():
    """Detections of unknown classes and ground truth on unlisted images are not evaluated."""
    gt, dets = make_coco_dataset(40, 4, seed=5)
    dets = dets + [dict(dets[0], category_id=999), dict(dets[1], category_id=999, score=1.0)]
    gt = dict(
        gt, annotations=gt["annotations"] + [dict(gt["annotations"][0], id=10**6, image_id=-5)]
    )
    assert_same_as_pycocotools(coco_evaluate(gt, dets), run_pycocotools(gt, dets))


def integer_grid_set(seed):
    """A few images whose boxes sit on a coarse integer grid: many exactly equal IoUs.

    Crowds, "area" fields on the 32² and 96² borders, detections that copy or
    nudge a ground truth, tied scores, and now and then more than 100
    detections on one image.
    """
    rng = np.random.default_rng(seed)
    cats, sides, corners = [2, 5, 9], [4, 8, 16, 32, 64, 96, 100], [0, 4, 8, 16]
    images = rng.choice(np.arange(1, 50), size=int(rng.integers(1, 5)), replace=False).tolist()
    anns, dets = [], []
    for image in images:
        for _ in range(rng.integers(0, 8)):
            w, h = (float(v) for v in rng.choice(sides, 2))
            anns.append(
                {
                    "id": len(anns) + 1,
                    "image_id": image,
                    "category_id": int(rng.choice(cats)),
                    "bbox": [float(v) for v in rng.choice(corners, 2)] + [w, h],
                    "area": float(rng.choice([w * h, 32.0**2, 96.0**2, w * h / 2])),
                    "iscrowd": int(rng.random() < 0.2),
                }
            )
        own = [a for a in anns if a["image_id"] == image]
        for _ in range(rng.integers(0, 12) if rng.random() < 0.9 else rng.integers(100, 130)):
            if own and rng.random() < 0.6:
                a = own[rng.integers(len(own))]
                box, cat = (
                    [v + float(rng.choice([0, 0, 1, 2, 4])) for v in a["bbox"]],
                    a["category_id"],
                )
            else:
                box = [float(v) for v in rng.choice(corners, 2)] + [
                    float(v) for v in rng.choice(sides, 2)
                ]
                cat = int(rng.choice(cats))
            dets.append(
                {
                    "image_id": image,
                    "category_id": cat,
                    "bbox": box,
                    "score": float(rng.choice([0.1, 0.3, 0.5, 0.5, 0.9])),
                }
            )
    gt = {
        "images": [{"id": i} for i in images],
        "categories": [{"id": c} for c in cats],
        "annotations": anns,
    }
    return gt, dets


@pytest.mark.parametrize("seed", range(30))
def test_equals_pycocotools_on_integer_grids(seed):
    gt, dets = integer_grid_set(seed)
    if not dets:  # pycocotools' loadRes cannot take an empty list
        dets = [
            {
                "image_id": gt["images"][0]["id"],
                "category_id": 2,
                "bbox": [0.0, 0.0, 4.0, 4.0],
                "score": 0.5,
            }
        ]
    assert_same_as_pycocotools(coco_evaluate(gt, dets), run_pycocotools(gt, dets))


def test_string_image_ids_equal_pycocotools():
    gt, dets = make_coco_dataset(30, 3, seed=6)
    for record in gt["images"]:
        record["id"] = f"im{record['id']}"
    for record in gt["annotations"] + dets:
        record["image_id"] = f"im{record['image_id']}"
    assert_same_as_pycocotools(coco_evaluate(gt, dets), run_pycocotools(gt, dets))


def test_iou_is_bit_identical_to_pycocotools():
    """Same arithmetic as pycocotools' C code: a box on a threshold falls on the same side."""
    pytest.importorskip("pycocotools", reason="pycocotools is the reference for COCO evaluation")
    from pycocotools import mask

    rng = np.random.default_rng(0)
    d = np.round(rng.uniform(0, 50, (120, 4)), 2)
    g = np.round(rng.uniform(0, 50, (80, 4)), 2)
    crowd = rng.random(80) < 0.3
    expected = mask.iou(d.tolist(), g.tolist(), crowd.astype(np.uint8).tolist())
    di, gi = np.meshgrid(np.arange(120), np.arange(80), indexing="ij")
    ours = coco._pair_iou(d[di.ravel()], g[gi.ravel()], crowd[gi.ravel()]).reshape(120, 80)
    np.testing.assert_array_equal(ours, expected)


# --------------------------------------------------------------------------
# The annotation id 0: pycocotools' bug is not copied


def test_annotation_id_zero_counts_as_a_match():
    gt, dets = one_image([[10, 10, 20, 20]], [([10, 10, 20, 20], 0.9)], first_id=0)
    # one true positive has precision 1 / (1 + eps) in pycocotools' formula
    assert coco_evaluate(gt, dets)["AP"] == pytest.approx(1.0, abs=1e-15)
    assert run_pycocotools(gt, dets).stats[0] == 0.0  # the match is stored as "0 = none"
    shifted, _ = one_image([[10, 10, 20, 20]], [([10, 10, 20, 20], 0.9)], first_id=1)
    assert run_pycocotools(shifted, dets).stats[0] == coco_evaluate(gt, dets)["AP"]


def test_annotation_id_zero_on_generated_data():
    gt0, dets = make_coco_dataset(80, 4, seed=3, first_annotation_id=0)
    gt1, dets1 = make_coco_dataset(80, 4, seed=3, first_annotation_id=1)
    assert dets1 == dets
    ours = coco_evaluate(gt0, dets)
    assert_same_as_pycocotools(ours, run_pycocotools(gt1, dets))  # ids shifted by +1
    buggy = run_pycocotools(gt0, dets)
    assert not np.allclose(ours["stats"], buggy.stats, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(
        coco_evaluate(gt1, dets)["stats"], ours["stats"]
    )  # ids play no part


# --------------------------------------------------------------------------
# Small cases checked by hand


DOCSTRING_CASE = (
    [[0, 0, 10, 10], [20, 20, 10, 10]],
    [([0, 0, 10, 10], 0.9), ([20, 20, 10, 7.2], 0.8)],
)
CROWD_CASE = (
    [[0, 0, 10, 10], [100, 100, 200, 200]],
    [([120, 120, 10, 10], 0.99), ([150, 150, 20, 20], 0.98), ([0, 0, 10, 10], 0.5)],
)
BORDER_CASE = ([[0, 0, 40, 40]], [([0, 0, 40, 40], 0.9)])
OUTSIDE_CASE = ([[0, 0, 10, 10]], [([300, 300, 100, 100], 0.9), ([0, 0, 10, 10], 0.8)])
# two identical ground truths (equal IoUs: the later one is taken) and a twice-found one
TIE_CASE = (
    [[0, 0, 10, 10], [0, 0, 10, 10], [50, 50, 10, 10]],
    [([0, 0, 10, 9], 0.7), ([0, 0, 10, 9], 0.7), ([50, 50, 10, 10], 0.7), ([51, 50, 10, 10], 0.7)],
)


@pytest.mark.parametrize(
    ("case", "options"),
    [
        (DOCSTRING_CASE, {}),
        (CROWD_CASE, {"crowd": (1,)}),
        (BORDER_CASE, {"areas": [32.0**2]}),
        (OUTSIDE_CASE, {}),
        (TIE_CASE, {}),
        (TIE_CASE, {"crowd": (1,)}),
        (TIE_CASE, {"areas": [100, 20000, 100]}),
    ],
    ids=["docstring", "crowd", "border", "outside", "ties", "ties-crowd", "ties-large"],
)
def test_hand_cases_equal_pycocotools(case, options):
    gt, dets = one_image(*case, **options)
    assert_same_as_pycocotools(coco_evaluate(gt, dets), run_pycocotools(gt, dets))


def test_envelope_of_the_last_row():
    """Regression: in the last (area range, threshold, class) row, a true positive after the
    last reached recall level still raises the envelope (a reduceat past the end)."""
    boxes = [[200.0 * i, 0.0, 100.0, 100.0] for i in range(300)]  # large: one level = 3 TPs
    far = [5e4, 5e4, 100.0, 100.0]
    dets = [(far, 0.9), (far, 0.8)] + [(boxes[i], 0.7 - 0.1 * i) for i in range(4)]
    gt, dets = one_image(boxes, dets)
    result = coco_evaluate(gt, dets)
    assert result["precision"][-1, :2, 0, 3, 2].tolist() == pytest.approx([4 / 6] * 2)
    assert_same_as_pycocotools(result, run_pycocotools(gt, dets))


def test_docstring_case_by_hand():
    gt, dets = one_image(*DOCSTRING_CASE)
    r = coco_evaluate(gt, dets)
    # IoU 0.72 matches at 0.50..0.70 (5 thresholds): AP 1 there; elsewhere recall
    # stops at 1/2 with precision 1, so 51 of the 101 recall thresholds read 1.
    assert r["AP50"] == 1.0
    assert r["AP75"] == pytest.approx(51 / 101)
    assert r["AP"] == pytest.approx((5 * 1 + 5 * 51 / 101) / 10)
    assert r["AR1"] == 0.5 and r["AR100"] == pytest.approx(0.75)
    assert r["APs"] == r["AP"] and r["APm"] == -1.0 and r["APl"] == -1.0
    assert r["precision"].shape == (10, 101, 1, 4, 3)
    assert r["recall"].shape == (10, 1, 4, 3)
    assert r["category_ids"].tolist() == [3]


def test_detection_inside_a_crowd_is_ignored():
    # the crowd is matched by the highest-scored detection (IoU = |d ∩ g| / |d| = 1)
    # and by a second one, so neither counts as a false positive
    gt, dets = one_image(*CROWD_CASE, crowd=(1,))
    r = coco_evaluate(gt, dets)
    assert r["AP"] == pytest.approx(1.0, abs=1e-15) and r["AR100"] == 1.0
    assert r["AR1"] == 0.0  # the best-scored detection went to the crowd


def test_area_borders_are_inclusive_and_read_from_the_area_field():
    # a 40 x 40 box whose "area" field is 32² belongs to "small" and "medium"
    gt, dets = one_image(*BORDER_CASE, areas=[32.0**2])
    r = coco_evaluate(gt, dets)
    assert r["APs"] == r["APm"] == pytest.approx(1.0, abs=1e-15) and r["APl"] == -1.0


def test_unmatched_detection_outside_the_area_range_is_ignored():
    # a false positive of area 100² is ignored for "small" but counts for "all"
    gt, dets = one_image(*OUTSIDE_CASE)
    r = coco_evaluate(gt, dets)
    assert r["APs"] == pytest.approx(1.0, abs=1e-15)
    assert r["AP"] == pytest.approx(0.5)  # precision 1/2 at every recall


def test_empty_detections():
    gt, _ = make_coco_dataset(20, 3, seed=1)
    r = coco_evaluate(gt, [])
    assert r["AP"] == 0.0 and r["AR100"] == 0.0
    assert set(r["stats"].tolist()) <= {0.0, -1.0}


def test_nothing_to_evaluate_gives_minus_one():
    gt, dets = make_coco_dataset(20, 3, seed=1)
    for ground_truth, detections in [
        (dict(gt, annotations=[]), dets),
        (dict(gt, categories=[]), dets),
        ({"images": [], "annotations": [], "categories": []}, []),
    ]:
        r = coco_evaluate(ground_truth, detections)
        assert r["stats"].tolist() == [-1.0] * 12
        assert (r["precision"] == -1).all() and (r["recall"] == -1).all()


def test_json_paths_and_unchanged_inputs(tmp_path):
    gt, dets = make_coco_dataset(30, 3, seed=2)
    gt_copy, dets_copy = copy.deepcopy(gt), copy.deepcopy(dets)
    expected = coco_evaluate(gt, dets)
    assert gt == gt_copy and dets == dets_copy
    (tmp_path / "gt.json").write_text(json.dumps(gt), encoding="utf-8")
    (tmp_path / "dets.json").write_text(json.dumps(dets), encoding="utf-8")
    from_files = coco_evaluate(tmp_path / "gt.json", str(tmp_path / "dets.json"))
    np.testing.assert_array_equal(from_files["stats"], expected["stats"])
    np.testing.assert_array_equal(from_files["precision"], expected["precision"])


def test_results_are_numpy_and_floats():
    gt, dets = make_coco_dataset(20, 3, seed=4)
    r = coco_evaluate(gt, dets)
    assert all(type(r[name]) is float for name in SUMMARY_NAMES)
    for name in (
        "stats",
        "precision",
        "recall",
        "category_ids",
        "iou_thresholds",
        "recall_thresholds",
    ):
        assert isinstance(r[name], np.ndarray)
    assert r["area_labels"] == ("all", "small", "medium", "large") and r["max_dets"] == (1, 10, 100)


# --------------------------------------------------------------------------
# Parameters, each against pycocotools run with the same parameter


@pytest.mark.parametrize(
    "thresholds", [[0.5], [0.1, 0.3, 0.5, 0.75], [0.0, 0.5, 1.0], [0.9, 0.6, 0.75, 0.6]]
)
def test_iou_thresholds_equal_pycocotools(thresholds):
    gt, dets = make_coco_dataset(60, 4, seed=11)
    result = coco_evaluate(gt, dets, iou_thresholds=thresholds)
    assert_same_as_pycocotools(result, run_pycocotools(gt, dets, iouThrs=np.array(thresholds)))
    assert result["iou_thresholds"].tolist() == thresholds
    if 0.5 not in thresholds:
        assert result["AP50"] == -1.0  # as pycocotools: 0.5 is not a threshold


@pytest.mark.parametrize("seed", range(6))
def test_iou_thresholds_on_integer_grids(seed):
    """Exactly equal IoUs and IoU 1, with pycocotools' cap of the threshold 1 at 1 - 1e-10."""
    gt, dets = integer_grid_set(seed)
    if dets:
        thresholds = [0.0, 0.25, 0.5, 1.0]
        result = coco_evaluate(gt, dets, iou_thresholds=thresholds)
        assert_same_as_pycocotools(result, run_pycocotools(gt, dets, iouThrs=np.array(thresholds)))


def test_max_detections_differ_from_pycocotools_only_in_its_stats_bug():
    """pycocotools' AP summary looks for maxDets == 100: with [1, 10, 50] its stats[0] is -1.
    dlnotes reads AP at the largest limit; every array is pycocotools'."""
    gt, dets = make_coco_dataset(80, 4, seed=12)
    result = coco_evaluate(gt, dets, max_detections=[1, 10, 50])
    theirs = run_pycocotools(gt, dets, maxDets=[1, 10, 50])
    assert_same_as_pycocotools(result, theirs, stats=False)
    assert theirs.stats[0] == -1.0  # pycocotools' bug
    precision = theirs.eval["precision"][..., 0, -1]  # area "all", 50 detections
    assert result["AP"] == pytest.approx(precision[precision > -1].mean(), abs=1e-12)
    assert result["AP"] > 0.2
    np.testing.assert_allclose(result["stats"][1:], theirs.stats[1:], rtol=0, atol=1e-9)
    assert result["summary_names"][6:9] == ("AR1", "AR10", "AR50") and "AR100" not in result
    assert result["max_dets"] == (1, 10, 50)


@pytest.mark.parametrize("limits", [[1, 10, 100, 300], [5], [2, 200]])
def test_max_detections_as_any_list(limits):
    """AR at every limit; pycocotools' stats need exactly three limits, its arrays do not."""
    gt, dets = make_coco_dataset(60, 3, seed=13)
    result = coco_evaluate(gt, dets, max_detections=limits)
    theirs = run_pycocotools(gt, dets, maxDets=limits) if len(limits) >= 3 else None
    if theirs is None:  # pycocotools' summarize() indexes maxDets[2]: evaluate and accumulate
        pytest.importorskip("pycocotools", reason="pycocotools is the reference")
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval

        with contextlib.redirect_stdout(io.StringIO()):
            index = COCO()
            index.dataset = copy.deepcopy(gt)
            index.createIndex()
            theirs = COCOeval(index, index.loadRes(copy.deepcopy(dets)), "bbox")
            theirs.params.maxDets = limits
            theirs.evaluate()
            theirs.accumulate()
    assert_same_as_pycocotools(result, theirs, stats=False)
    for j, m in enumerate(limits):
        recall = theirs.eval["recall"][:, :, 0, j]
        assert result[f"AR{m}"] == pytest.approx(recall[recall > -1].mean(), abs=1e-12)
    assert len(result["stats"]) == 6 + len(limits) + 3


def test_area_ranges_with_custom_bounds_equal_pycocotools():
    gt, dets = make_coco_dataset(60, 4, seed=14)
    bounds = {"all": (0, 1e10), "small": (0, 500.0), "medium": (500.0, 5000.0),
              "large": (5000.0, 1e10)}  # fmt: skip
    result = coco_evaluate(gt, dets, area_ranges=bounds)
    assert_same_as_pycocotools(
        result, run_pycocotools(gt, dets, areaRng=[list(v) for v in bounds.values()])
    )


def test_area_ranges_with_custom_names():
    """Names other than small/medium/large give AP<name> and AR<name>; pycocotools' summary
    knows only its four labels (-1 for the others), its arrays are the same."""
    gt, dets = make_coco_dataset(60, 4, seed=15)
    ranges = {"tiny": (0, 16.0**2), "all": (0, 1e10), "rest": (16.0**2, 1e10)}
    result = coco_evaluate(gt, dets, area_ranges=ranges)
    theirs = run_pycocotools(
        gt, dets, areaRng=[list(v) for v in ranges.values()], areaRngLbl=list(ranges)
    )
    assert_same_as_pycocotools(result, theirs, stats=False)
    np.testing.assert_allclose(result["stats"][:3], theirs.stats[:3], rtol=0, atol=1e-9)
    assert result["summary_names"] == ("AP", "AP50", "AP75", "APtiny", "APrest", "AR1", "AR10",
                                       "AR100", "ARtiny", "ARrest")  # fmt: skip
    precision = theirs.eval["precision"][..., 0, 2]  # "tiny", 100 detections
    assert result["APtiny"] == pytest.approx(precision[precision > -1].mean(), abs=1e-12)
    assert theirs.stats[3] == -1.0  # no range is labelled "small" there
    assert result["area_labels"] == ("tiny", "all", "rest")


@pytest.mark.parametrize("seed", range(3))
def test_class_agnostic_equals_pycocotools_use_cats_0(seed):
    gt, dets = make_coco_dataset(60, 5, seed=seed)
    result = coco_evaluate(gt, dets, use_categories=False)
    assert_same_as_pycocotools(result, run_pycocotools(gt, dets, useCats=0))
    assert result["category_ids"].tolist() == [-1] and result["precision"].shape[2] == 1


@pytest.mark.parametrize("seed", range(12))
def test_class_agnostic_tie_order_on_integer_grids(seed):
    """Equal scores and equal IoUs across classes: pycocotools lists an image's boxes class
    by class (in category id order), then sorts by score stably."""
    gt, dets = integer_grid_set(seed)
    if dets:
        result = coco_evaluate(gt, dets, use_categories=False)
        assert_same_as_pycocotools(result, run_pycocotools(gt, dets, useCats=0))


def test_per_class_ap_and_ar_equal_pycocotools():
    gt, dets = make_coco_dataset(80, 8, seed=0)
    result = coco_evaluate(gt, dets)
    theirs = run_pycocotools(gt, dets)
    precision, recall = theirs.eval["precision"][..., 0, 2], theirs.eval["recall"][..., 0, 2]
    for k in range(len(result["category_ids"])):
        p, r = precision[:, :, k], recall[:, k]
        assert result["per_class_AP"][k] == pytest.approx(p.mean() if (p > -1).all() else -1.0)
        assert result["per_class_AR"][k] == pytest.approx(r.mean() if (r > -1).all() else -1.0)
    defined = result["per_class_AP"] > -1
    assert 0 < defined.sum() < len(defined)  # the set has classes without ground truth
    assert result["per_class_AP"][defined].mean() == pytest.approx(result["AP"], abs=1e-12)
    assert result["per_class_AR"][defined].mean() == pytest.approx(result["AR100"], abs=1e-12)


def test_detections_as_an_n_by_7_array():
    gt, dets = make_coco_dataset(60, 4, seed=16)
    rows = np.array([[d["image_id"], *d["bbox"], d["score"], d["category_id"]] for d in dets])
    result = coco_evaluate(gt, rows)
    assert_same_as_pycocotools(result, run_pycocotools(gt, rows))
    np.testing.assert_array_equal(result["precision"], coco_evaluate(gt, dets)["precision"])


def test_bad_detection_arrays(small):
    gt, _ = small
    with pytest.raises(ValueError, match=r"detections as an array must be \(N, 7\)"):
        coco_evaluate(gt, np.zeros((2, 6)))
    with pytest.raises(ValueError, match="detections must hold finite numbers"):
        coco_evaluate(gt, np.array([[7, 0, 0, np.inf, 1, 0.5, 3]]))
    with pytest.raises(ValueError, match="columns 0 and 6"):
        coco_evaluate(gt, np.array([[7.5, 0, 0, 1, 1, 0.5, 3]]))


def test_recall_levels_exact_on_generated_data():
    """ "exact" differs from pycocotools' rule only where a recall hits one of its ten levels."""
    gt, dets = make_coco_dataset(60, 4, seed=17)
    exact, default = (coco_evaluate(gt, dets, recall_levels=r) for r in ("exact", "pycocotools"))
    assert (exact["precision"] >= default["precision"]).all()
    assert exact["stats"][6:].tolist() == default["stats"][6:].tolist()  # AR: no levels


@pytest.mark.parametrize("where", ["detections", "ground_truth"])
@pytest.mark.parametrize("box", [[0, 0, 1e300, 1e300], [1e300, 0, 1, 1], [0, 0, 1e151, 1]])
def test_huge_boxes_are_a_value_error(small, where, box):
    """Products of 1e300 overflow: a clear ValueError, no warning, no OverflowError."""
    gt, dets = small
    if where == "detections":
        dets = [dict(dets[0], bbox=box)]
    else:
        gt["annotations"][0]["bbox"] = box
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"{where}.*bbox\[0\] must be .*1e150"):
            coco_evaluate(gt, dets)


def test_large_boxes_are_fine(small):
    gt, dets = small
    box = [1e150, 1e150, 1e150, 1e150]
    gt["annotations"][0]["bbox"] = box
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = coco_evaluate(gt, [dict(dets[0], bbox=box)])
    assert r["AP50"] == pytest.approx(1.0)


def test_mixed_integer_and_string_ids_are_different_ids():
    """2299 and "2299" are different image ids, as in pycocotools (the annotation is left out)."""
    gt, dets = one_image([[0, 0, 10, 10], [20, 20, 10, 10]], [([0, 0, 10, 10], 0.9)])
    gt["images"][0]["id"] = "7"
    gt["annotations"][0]["image_id"] = "7"
    dets[0]["image_id"] = "7"
    result = coco_evaluate(gt, dets)
    assert result["AP"] == pytest.approx(1.0) and result["AR100"] == 1.0
    assert_same_as_pycocotools(result, run_pycocotools(gt, dets))


def test_image_ids_of_two_kinds(small):
    gt, dets = small
    gt["images"].append({"id": "8"})
    with pytest.raises(TypeError, match=r"ground_truth\['images'\] ids must be all integers"):
        coco_evaluate(gt, dets)


def test_default_result_keys_unchanged():
    gt, dets = make_coco_dataset(20, 3, seed=4)
    r = coco_evaluate(gt, dets)
    assert r["summary_names"] == SUMMARY_NAMES
    old = {"stats", "precision", "recall", "category_ids", "iou_thresholds", "recall_thresholds",
           "area_labels", "max_dets"}  # fmt: skip
    assert set(SUMMARY_NAMES) | old <= set(r)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"iou_thresholds": 0.5}, TypeError, "iou_thresholds must be a list"),
        ({"iou_thresholds": ["0.5"]}, TypeError, "iou_thresholds must hold real numbers"),
        ({"iou_thresholds": [1.5]}, ValueError, "iou_thresholds must be a nonempty list"),
        ({"iou_thresholds": []}, ValueError, "iou_thresholds must be a nonempty list"),
        ({"iou_thresholds": [float("nan")]}, ValueError, "iou_thresholds"),
        ({"max_detections": 100}, TypeError, "max_detections must be a list"),
        ({"max_detections": [1.5]}, TypeError, "max_detections must hold integers"),
        ({"max_detections": [True]}, TypeError, "max_detections must hold integers"),
        ({"max_detections": [0, 10]}, ValueError, "max_detections must be distinct"),
        ({"max_detections": [10, 10]}, ValueError, "max_detections must be distinct"),
        ({"area_ranges": [(0, 1)]}, TypeError, "area_ranges must be a dict"),
        ({"area_ranges": {"small": (0, 1)}}, ValueError, "area_ranges must have an 'all'"),
        ({"area_ranges": {"all": (5, 1)}}, ValueError, r"area_ranges\['all'\]"),
        ({"area_ranges": {"all": (0, 1, 2)}}, ValueError, r"area_ranges\['all'\]"),
        ({"area_ranges": {1: (0, 1), "all": (0, 1)}}, TypeError, "area_ranges: the names"),
        ({"use_categories": 0}, TypeError, "use_categories"),
    ],
)
def test_bad_parameters(small, kwargs, error, match):
    with pytest.raises(error, match=match):
        coco_evaluate(*small, **kwargs)


# --------------------------------------------------------------------------
# Bad input


@pytest.fixture
def small():
    return one_image([[0, 0, 10, 10]], [([0, 0, 10, 10], 0.9)])


@pytest.mark.parametrize("iou_type", ["segm", "keypoints"])
def test_other_iou_types_are_not_supported(small, iou_type):
    with pytest.raises(ValueError, match=f"{iou_type} is not supported"):
        coco_evaluate(*small, iou_type=iou_type)


def test_unknown_iou_type(small):
    with pytest.raises(ValueError, match="iou_type must be 'bbox'"):
        coco_evaluate(*small, iou_type="box")


@pytest.mark.parametrize("iou_type", [None, True, 1, b"bbox", ["bbox"]])
def test_iou_type_must_be_a_string(small, iou_type):
    with pytest.raises(TypeError, match="iou_type"):
        coco_evaluate(*small, iou_type=iou_type)


def test_ids_must_be_integers_or_strings(small):
    gt, dets = small
    gt["images"][0]["id"] = 7.5
    with pytest.raises(TypeError, match=r"ground_truth\['images'\] ids must be integers"):
        coco_evaluate(gt, dets)


def test_the_snippet_fits_its_budget():
    from dlnotes.snippets import code_lines, snippet

    assert code_lines(snippet("coco.coco_evaluate")) <= 250


def test_wrong_containers(small):
    gt, dets = small
    with pytest.raises(TypeError, match="ground_truth must be a dict"):
        coco_evaluate([gt], dets)
    with pytest.raises(TypeError, match="detections must be a list"):
        coco_evaluate(gt, {"annotations": dets})
    with pytest.raises(TypeError, match=r"detections\[0\] must be a dict"):
        coco_evaluate(gt, [[0, 0, 10, 10]])


@pytest.mark.parametrize("key", ["images", "annotations", "categories"])
def test_missing_ground_truth_section(small, key):
    gt, dets = small
    with pytest.raises(ValueError, match=f"no '{key}' key"):
        coco_evaluate({k: v for k, v in gt.items() if k != key}, dets)


@pytest.mark.parametrize("key", ["id", "image_id", "category_id", "bbox", "area", "iscrowd"])
def test_missing_annotation_key(small, key):
    gt, dets = small
    gt["annotations"][0].pop(key)
    with pytest.raises(ValueError, match=rf"ground_truth\['annotations'\]\[0\] has no '{key}' key"):
        coco_evaluate(gt, dets)


@pytest.mark.parametrize("key", ["image_id", "category_id", "bbox", "score"])
def test_missing_detection_key(small, key):
    gt, dets = small
    dets[0].pop(key)
    with pytest.raises(ValueError, match=rf"detections\[0\] has no '{key}' key"):
        coco_evaluate(gt, dets)


@pytest.mark.parametrize(
    "bbox", [[0, 0, 10], [0, 0, 10, 10, 1], "0 0 10 10", [0, 0, "ten", 10], [0, 0, float("nan"), 1]]
)
def test_bad_boxes(small, bbox):
    gt, dets = small
    dets = dets + [dict(dets[0], bbox=bbox)]
    with pytest.raises(ValueError, match=r"detections bbox\[1\] must be"):
        coco_evaluate(gt, dets)
    gt["annotations"][0]["bbox"] = bbox
    with pytest.raises(ValueError, match=r"ground_truth\['annotations'\] bbox\[0\] must be"):
        coco_evaluate(gt, dets[:1])


def test_bad_numbers(small):
    gt, dets = small
    with pytest.raises(ValueError, match=r"detections score\[0\] must be finite"):
        coco_evaluate(gt, [dict(dets[0], score=float("nan"))])
    with pytest.raises(ValueError, match=r"area\[0\] must be finite"):
        coco_evaluate(dict(gt, annotations=[dict(gt["annotations"][0], area=None)]), dets)


def test_detection_on_an_unknown_image(small):
    gt, dets = small
    with pytest.raises(ValueError, match=r"detections\[1\] has image_id 8, which is not an image"):
        coco_evaluate(gt, dets + [dict(dets[0], image_id=8)])


def test_repeated_annotation_ids(small):
    gt, dets = small
    gt["annotations"].append(dict(gt["annotations"][0]))
    with pytest.raises(ValueError, match="ids must be unique"):
        coco_evaluate(gt, dets)


def test_malformed_json_file(tmp_path, small):
    gt, dets = small
    bad = tmp_path / "gt.json"
    bad.write_text('{"images": [', encoding="utf-8")
    with pytest.raises(ValueError, match="not valid json"):
        coco_evaluate(bad, dets)
    (tmp_path / "dets.json").write_text(json.dumps({"not": "a list"}), encoding="utf-8")
    with pytest.raises(TypeError, match="detections must be a list"):
        coco_evaluate(gt, tmp_path / "dets.json")

"""Detection: boxes, IoU, NMS, matching, AP/mAP, R-CNN and YOLO (catalogue D1-D12, X2, X3, X6)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlnotes import detection as det
from dlnotes.backend import array_namespace, to_numpy
from tests._helpers import assert_close

# The slides' ranked list (000 part 6): 5 faces in the ground truth.
SLIDE_SCORES = [0.9, 0.7, 0.6, 0.3, 0.2]
SLIDE_CORRECT = [True, True, False, True, False]
SLIDE_GT = 5


def random_boxes(rng, n, *, extent=200.0, max_size=60.0):
    """n random xyxy boxes with positive sizes."""
    xy = rng.uniform(0, extent, (n, 2))
    wh = rng.uniform(1.0, max_size, (n, 2))
    return np.concatenate([xy, xy + wh], axis=1)


# ---------------------------------------------------------------- slide values


def test_rank_table_d3():
    p, r = det.precision_recall(SLIDE_SCORES, SLIDE_CORRECT, SLIDE_GT)
    assert np.round(to_numpy(p), 2).tolist() == [1.0, 1.0, 0.67, 0.75, 0.6]
    assert np.round(to_numpy(r), 2).tolist() == [0.2, 0.4, 0.4, 0.6, 0.6]


def test_rank_table_precision_at_rank_3_is_two_thirds_not_066_x2():
    p, _ = det.precision_recall(SLIDE_SCORES, SLIDE_CORRECT, SLIDE_GT)
    assert float(p[2]) == pytest.approx(2 / 3)
    assert round(float(p[2]), 2) == 0.67  # the slide's 0.66 is 0.666... truncated


def test_rank_table_sorts_by_score_stably():
    # the same list shuffled gives the same table; a tie keeps input order
    perm = [3, 0, 4, 2, 1]
    p, _ = det.precision_recall(
        [SLIDE_SCORES[i] for i in perm], [SLIDE_CORRECT[i] for i in perm], 5
    )
    assert np.round(to_numpy(p), 2).tolist() == [1.0, 1.0, 0.67, 0.75, 0.6]
    p, _ = det.precision_recall([0.5, 0.5], [False, True], 1)
    assert to_numpy(p).tolist() == [0.0, 0.5]


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("voc2007", 6.5 / 11),
        ("slide", 8.9 / 11),
        ("all-point", 0.55),
        ("coco", 56 / 101),
        ("step", 0.55),
    ],
)
def test_average_precision_of_the_slide_list_d4_d5_d6(method, expected):
    ap = det.average_precision(SLIDE_SCORES, SLIDE_CORRECT, SLIDE_GT, method=method)
    assert float(ap) == pytest.approx(expected, abs=1e-12)


def test_slide_ap_081_versus_voc2007_059_erratum_d4():
    slide = det.average_precision(SLIDE_SCORES, SLIDE_CORRECT, SLIDE_GT, method="slide")
    voc = det.average_precision(SLIDE_SCORES, SLIDE_CORRECT, SLIDE_GT)  # the default
    assert round(float(slide), 2) == 0.81  # (5 x 1.0 + 2 x 0.75 + 4 x 0.6) / 11 = 8.9 / 11
    assert round(float(voc), 2) == 0.59  # recall 0.7-1.0 never reached: 0, so 6.5 / 11
    assert (
        round(float(det.average_precision(SLIDE_SCORES, SLIDE_CORRECT, 5, method="all-point")), 2)
        == 0.55
    )
    assert (
        round(float(det.average_precision(SLIDE_SCORES, SLIDE_CORRECT, 5, method="coco")), 3)
        == 0.554
    )


def float_threshold_voc2007(precision, recall):
    """The 11-point AP as widely copied: float levels from np.arange (the trap)."""
    ap = 0.0
    for t in np.arange(0.0, 1.1, 0.1):
        reached = recall >= t
        ap += (precision[reached].max() if reached.any() else 0.0) / 11
    return ap


def test_float_threshold_trap_gives_052():
    p, r = (to_numpy(a) for a in det.precision_recall(SLIDE_SCORES, SLIDE_CORRECT, SLIDE_GT))
    assert np.arange(0.0, 1.1, 0.1)[6] == 0.6000000000000001  # the level above recall 3/5
    assert round(float_threshold_voc2007(p, r), 2) == 0.52  # level 0.6 lost: 5.75 / 11
    assert round(float(det.average_precision(SLIDE_SCORES, SLIDE_CORRECT, SLIDE_GT)), 2) == 0.59


def test_float_levels_can_only_lose_recall_levels():
    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(1, 40))
        correct = rng.random(n) < 0.5
        n_gt = int(correct.sum()) + int(rng.integers(0, 5)) or 1
        scores = rng.random(n)
        p, r = (to_numpy(a) for a in det.precision_recall(scores, correct, n_gt))
        exact = float(det.average_precision(scores, correct, n_gt))
        trap = float_threshold_voc2007(p, r)
        # the float version can only lose levels, never gain them
        assert trap <= exact + 1e-12


def faces(n=5):
    return [[20.0 * i, 0.0, 20.0 * i + 10, 10.0] for i in range(n)]


def shifted(box, dx=1.0, dy=1.0):
    return [box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy]


def test_face_example_d9_reconstructed():
    gt = faces()
    # the slide's four panels (pictures lost): all five found; three found;
    # three found (one detection a duplicate is not among them); three of four right
    all_found = det.match_detections(gt, [shifted(b) for b in gt], [0.9, 0.8, 0.7, 0.6, 0.5])
    assert (float(all_found.recall), float(all_found.precision)) == (1.0, 1.0)
    three = det.match_detections(gt, [shifted(b) for b in gt[:3]], [0.9, 0.8, 0.7])
    assert (float(three.recall), float(three.precision)) == (0.6, 1.0)
    wrong = [30.0, 40.0, 40.0, 50.0]  # a detection where there is no face
    last = det.match_detections(gt, [shifted(b) for b in gt[:3]] + [wrong], [0.9, 0.8, 0.7, 0.6])
    assert (float(last.recall), float(last.precision)) == (0.6, 0.75)
    assert to_numpy(last.tp).tolist() == [True, True, True, False]
    assert to_numpy(last.gt_index).tolist() == [0, 1, 2, -1]


def test_match_is_greedy_by_score_one_detection_per_ground_truth():
    gt = [[0.0, 0.0, 10.0, 10.0]]
    dets = [[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 9.0]]
    m = det.match_detections(gt, dets, [0.5, 0.9])  # the higher score takes the face
    assert to_numpy(m.gt_index).tolist() == [-1, 0]
    assert float(m.precision) == 0.5 and float(m.recall) == 1.0


def test_match_falls_back_to_the_next_free_ground_truth():
    gt = [[0.0, 0.0, 10.0, 10.0], [2.0, 0.0, 12.0, 10.0]]
    dets = [[0.0, 0.0, 10.0, 10.0], [1.0, 0.0, 11.0, 10.0]]
    # detection 1 overlaps gt 0 best (IoU 0.82) but gt 0 is taken: it takes gt 1 (IoU 0.82)
    m = det.match_detections(gt, dets, [0.9, 0.8])
    assert to_numpy(m.gt_index).tolist() == [0, 1]


def test_match_threshold_is_inclusive():
    gt = [[0.0, 0.0, 2.0, 1.0]]
    dets = [[1.0, 0.0, 3.0, 1.0]]  # IoU exactly 1/3
    assert to_numpy(det.match_detections(gt, dets, [1.0], iou_threshold=1 / 3).tp).tolist() == [
        True
    ]
    assert to_numpy(det.match_detections(gt, dets, [1.0], iou_threshold=0.34).tp).tolist() == [
        False
    ]


def test_match_feeds_the_rank_table():
    # the slide's ranked list as a scene: three faces found (0.9, 0.7, 0.3), two misses (0.6, 0.2)
    gt = faces()
    dets = [shifted(b) for b in gt[:3]] + [[30.0, 40.0, 40.0, 50.0], [70.0, 40.0, 80.0, 50.0]]
    scores = [0.9, 0.7, 0.3, 0.6, 0.2]
    m = det.match_detections(gt, dets, scores)
    p, r = det.precision_recall(scores, m.tp, len(gt))
    assert np.round(to_numpy(p), 2).tolist() == [1.0, 1.0, 0.67, 0.75, 0.6]
    assert np.round(to_numpy(r), 2).tolist() == [0.2, 0.4, 0.4, 0.6, 0.6]
    assert float(det.average_precision(scores, m.tp, len(gt), method="all-point")) == pytest.approx(
        0.55
    )


def test_match_with_nothing():
    m = det.match_detections(faces(2), np.zeros((0, 4)), [])
    assert m.tp.shape == (0,) and float(m.precision) == 0.0 and float(m.recall) == 0.0
    m = det.match_detections(np.zeros((0, 4)), faces(2), [0.5, 0.4])
    assert to_numpy(m.gt_index).tolist() == [-1, -1] and float(m.recall) == 0.0


# ------------------------------------------------------------------ AP methods


def test_step_ap_equals_sklearn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn is the reference")
    rng = np.random.default_rng(0)
    for _ in range(30):
        n = int(rng.integers(2, 200))
        correct = rng.random(n) < rng.uniform(0.1, 0.9)
        correct[rng.integers(n)] = True
        scores = rng.random(n)  # continuous: no ties
        ours = det.average_precision(scores, correct, int(correct.sum()), method="step")
        theirs = sklearn_metrics.average_precision_score(correct, scores)
        assert float(ours) == pytest.approx(theirs, abs=1e-12)


def test_step_ap_equals_sklearn_on_tied_scores():
    """scikit-learn treats tied scores as one threshold: so does "step", in any input order."""
    sklearn_metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn is the reference")
    assert float(det.average_precision([1.0, 1.0], [True, False], 1, method="step")) == 0.5
    assert float(det.average_precision([1.0, 1.0], [False, True], 1, method="step")) == 0.5
    constant = [True] + [False] * 3  # a constant score with 25 % positives
    assert float(det.average_precision([0.5] * 4, constant, 1, method="step")) == 0.25
    rng = np.random.default_rng(1)
    for _ in range(40):
        n = int(rng.integers(2, 120))
        correct = rng.random(n) < rng.uniform(0.1, 0.9)
        correct[rng.integers(n)] = True
        scores = rng.integers(0, int(rng.integers(1, 6)), n) / 4.0  # few distinct scores
        theirs = sklearn_metrics.average_precision_score(correct, scores)
        for perm in (np.arange(n), rng.permutation(n)):
            ours = det.average_precision(
                scores[perm], correct[perm], int(correct.sum()), method="step"
            )
            assert float(ours) == pytest.approx(theirs, abs=1e-12)


@pytest.mark.parametrize("method", ["voc2007", "slide", "all-point", "coco"])
def test_other_methods_rank_ties_in_input_order(method):
    """VOC and pycocotools sort stably: of two tied detections the first listed ranks first."""
    hit_first = det.average_precision([1.0, 1.0], [True, False], 1, method=method)
    miss_first = det.average_precision([1.0, 1.0], [False, True], 1, method=method)
    assert float(hit_first) == 1.0
    assert float(miss_first) < 1.0


def voc2010_reference(scores, correct, n_gt):
    """All-point AP with explicit loops: envelope from the right, area under it."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    tp = 0
    precision, recall = [], []
    for rank, i in enumerate(order, start=1):
        tp += bool(correct[i])
        precision.append(tp / rank)
        recall.append(tp / n_gt)
    rec = [0.0] + recall + [1.0]
    prec = [0.0] + precision + [0.0]
    for i in range(len(prec) - 2, -1, -1):
        prec[i] = max(prec[i], prec[i + 1])
    return sum((rec[i + 1] - rec[i]) * prec[i + 1] for i in range(len(rec) - 1))


def test_all_point_ap_equals_a_loop_reference():
    rng = np.random.default_rng(1)
    for _ in range(30):
        n = int(rng.integers(1, 100))
        correct = rng.random(n) < 0.4
        n_gt = int(correct.sum()) + int(rng.integers(1, 10))
        scores = rng.random(n)
        ours = det.average_precision(scores, correct, n_gt, method="all-point")
        assert float(ours) == pytest.approx(
            voc2010_reference(scores.tolist(), correct.tolist(), n_gt), abs=1e-12
        )


def interpolated_reference(precision, recall_tp, n_gt, n_levels, fill_last):
    """Points-on-a-grid AP with Fraction-exact levels, by loops."""
    total = 0.0
    for k in range(n_levels):
        reached = [p for p, tp in zip(precision, recall_tp) if tp * (n_levels - 1) >= k * n_gt]
        total += max(reached) if reached else (precision[-1] if fill_last else 0.0)
    return total / n_levels


@pytest.mark.parametrize(
    ("method", "levels", "fill_last"),
    [("voc2007", 11, False), ("slide", 11, True), ("coco", 101, False)],
)
def test_point_interpolated_ap_equals_a_loop_reference(method, levels, fill_last):
    rng = np.random.default_rng(2)
    for _ in range(30):
        n = int(rng.integers(1, 60))
        correct = rng.random(n) < 0.5
        n_gt = int(correct.sum()) + int(rng.integers(0, 4)) or 1
        scores = rng.random(n)
        order = np.argsort(-scores, kind="stable")
        tp = np.cumsum(correct[order])
        precision = (tp / np.arange(1, n + 1)).tolist()
        expected = interpolated_reference(precision, tp.tolist(), n_gt, levels, fill_last)
        # the loop compares levels exactly: pycocotools' float levels are tested in
        # tests/test_average_precision_rules.py
        options = {"recall_levels": "exact"} if method == "coco" else {}
        ap = det.average_precision(scores, correct, n_gt, method=method, **options)
        assert float(ap) == pytest.approx(expected, abs=1e-12)


def test_ap_of_a_perfect_and_an_empty_list():
    for method in det.AP_METHODS:
        assert float(
            det.average_precision([0.9, 0.8], [True, True], 2, method=method)
        ) == pytest.approx(1.0)
        assert float(det.average_precision([], [], 3, method=method)) == 0.0


# ------------------------------------------------------------------------- mAP


def test_map_is_the_mean_of_per_class_ap_d7_x3():
    lists = {
        "face": (SLIDE_SCORES, SLIDE_CORRECT, SLIDE_GT),
        "cat": ([0.8, 0.4, 0.3], [False, True, True], 2),
        "dog": ([], [], 4),
    }
    for method in det.AP_METHODS:
        per_class = [float(det.average_precision(*t, method=method)) for t in lists.values()]
        assert float(det.mean_average_precision(lists, method=method)) == pytest.approx(
            np.mean(per_class)
        )
        assert float(
            det.mean_average_precision(list(lists.values()), method=method)
        ) == pytest.approx(np.mean(per_class))
        assert float(det.mean_average_precision(per_class)) == pytest.approx(np.mean(per_class))
    # X3: one class's AP (the slides' "average of maximum precisions") is not the mAP
    assert float(det.mean_average_precision(lists)) != pytest.approx(
        float(det.average_precision(*lists["face"]))
    )


def test_map_bad_input():
    with pytest.raises(ValueError, match="per_class"):
        det.mean_average_precision([])
    with pytest.raises(ValueError, match="per_class"):
        det.mean_average_precision([0.5, 1.5])
    with pytest.raises(ValueError, match="per_class item 0"):
        det.mean_average_precision([([0.5], [True])])
    with pytest.raises(ValueError, match="method"):
        det.mean_average_precision([0.5], method="voc")


# ------------------------------------------------------------------- IoU, boxes


def torch_box_iou(torch, a, b):
    """Pairwise IoU written with torch ops (torchvision is not installable here)."""
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    lt = torch.maximum(a[:, None, :2], b[None, :, :2])
    rb = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(dim=-1)
    area_a = (a[:, 2:] - a[:, :2]).prod(dim=-1)
    area_b = (b[:, 2:] - b[:, :2]).prod(dim=-1)
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def test_box_iou_equals_torch_reference(torch):
    rng = np.random.default_rng(3)
    a, b = random_boxes(rng, 70), random_boxes(rng, 50)
    assert_close(det.box_iou(a, b), torch_box_iou(torch, a, b), rtol=1e-12, atol=1e-15)


def test_box_iou_known_values():
    iou = det.box_iou(
        [[0.0, 0.0, 2.0, 2.0]], [[1.0, 1.0, 3.0, 3.0], [0.0, 0.0, 2.0, 2.0], [5.0, 5.0, 6.0, 6.0]]
    )
    assert to_numpy(iou).tolist() == [[1 / 7, 1.0, 0.0]]
    # touching boxes and degenerate boxes: 0, no 0/0 (RuntimeWarning would be an error)
    assert to_numpy(det.box_iou([[0.0, 0.0, 1.0, 1.0]], [[1.0, 0.0, 2.0, 1.0]])).tolist() == [[0.0]]
    assert to_numpy(det.box_iou([[1.0, 1.0, 1.0, 1.0]], [[1.0, 1.0, 1.0, 1.0]])).tolist() == [[0.0]]


def test_box_iou_empty_sets():
    assert det.box_iou(np.zeros((0, 4)), [[0.0, 0.0, 1.0, 1.0]]).shape == (0, 1)
    assert det.box_iou([[0.0, 0.0, 1.0, 1.0]], np.zeros((0, 4))).shape == (1, 0)


coordinate = st.floats(-100, 100, allow_nan=False)
size = st.floats(0.01, 50, allow_nan=False)
box = st.builds(lambda x, y, w, h: [x, y, x + w, y + h], coordinate, coordinate, size, size)
box_sets = st.lists(box, min_size=1, max_size=8)


@settings(max_examples=80, deadline=None)
@given(box_sets, box_sets)
def test_box_iou_properties(a, b):
    ab, ba = to_numpy(det.box_iou(a, b)), to_numpy(det.box_iou(b, a))
    np.testing.assert_array_equal(ab, ba.T)  # symmetric
    assert np.all((ab >= 0) & (ab <= 1))
    assert np.all(np.diag(to_numpy(det.box_iou(a, a))) == 1.0)  # IoU(b, b) = 1 (positive area)


@settings(max_examples=60, deadline=None)
@given(box_sets)
def test_box_convert_round_trips(a):
    a = np.asarray(a)
    for fmt in ("xywh", "cxcywh"):
        there = det.box_convert(a, "xyxy", fmt)
        back = det.box_convert(there, fmt, "xyxy")
        np.testing.assert_allclose(back, a, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(
            det.box_area(there, fmt=fmt), det.box_area(a), rtol=1e-9, atol=1e-9
        )
    via = det.box_convert(det.box_convert(a, "xyxy", "xywh"), "xywh", "cxcywh")
    np.testing.assert_allclose(via, det.box_convert(a, "xyxy", "cxcywh"), rtol=1e-12, atol=1e-12)


def test_box_convert_known_values_and_copy():
    b = np.array([[10.0, 20.0, 40.0, 60.0]])
    assert to_numpy(det.box_convert(b, "xyxy", "xywh")).tolist() == [[10.0, 20.0, 30.0, 40.0]]
    assert to_numpy(det.box_convert(b, "xyxy", "cxcywh")).tolist() == [[25.0, 40.0, 30.0, 40.0]]
    centred = [[25.0, 40.0, 30.0, 40.0]]
    assert to_numpy(det.box_convert(centred, "cxcywh", "xywh")).tolist() == [
        [10.0, 20.0, 30.0, 40.0]
    ]
    same = det.box_convert(b, "xyxy", "xyxy")
    same[0, 0] = -1.0
    assert b[0, 0] == 10.0  # a copy, never the input


# ------------------------------------------------------------------------- NMS


def torch_nms_reference(torch, boxes, scores, threshold):
    """Greedy NMS in torch ops: stable sort by score, suppress IoU > threshold."""
    boxes, scores = torch.as_tensor(boxes), torch.as_tensor(scores)
    order = torch.sort(scores, descending=True, stable=True).indices
    iou = torch_box_iou(torch, boxes[order], boxes[order])
    suppressed = torch.zeros(len(order), dtype=torch.bool)
    keep = []
    for i in range(len(order)):
        if not suppressed[i]:
            keep.append(i)
            suppressed |= iou[i] > threshold
    return order[keep].tolist()


def tied_scores(rng, n):
    """Scores from a few float32 values: many ties, identical in float32 and float64."""
    return (rng.integers(1, 8, n) / 8).astype(np.float32)


def test_nms_equals_torch_reference_with_ties(torch):
    rng = np.random.default_rng(4)
    for _ in range(25):
        n = int(rng.integers(1, 400))
        boxes, scores = random_boxes(rng, n), tied_scores(rng, n).astype(np.float64)
        thr = float(rng.uniform(0.05, 0.95))
        assert to_numpy(det.nms(boxes, scores, thr)).tolist() == torch_nms_reference(
            torch, boxes, scores, thr
        )


def test_nms_equals_opencv_with_ties():
    cv2 = pytest.importorskip("cv2", reason="OpenCV's dnn.NMSBoxes is the reference")
    rng = np.random.default_rng(5)
    for _ in range(25):
        n = int(rng.integers(1, 1500))  # many blocks of candidates
        boxes, scores = random_boxes(rng, n), tied_scores(rng, n)
        thr = float(rng.uniform(0.05, 0.95))
        xywh = to_numpy(det.box_convert(boxes, "xyxy", "xywh")).tolist()
        # OpenCV keeps scores > score_threshold (which must be >= 0): 0 is below every score
        expected = np.asarray(cv2.dnn.NMSBoxes(xywh, scores.tolist(), 0.0, thr)).ravel().tolist()
        assert to_numpy(det.nms(boxes, scores.astype(np.float64), thr)).tolist() == expected


def test_nms_rules_strict_threshold_and_stable_ties():
    boxes = [[0.0, 0.0, 2.0, 1.0], [1.0, 0.0, 3.0, 1.0]]  # IoU exactly 1/3
    assert to_numpy(det.nms(boxes, [0.9, 0.8], 1 / 3)).tolist() == [0, 1]  # not > 1/3: kept
    assert to_numpy(det.nms(boxes, [0.9, 0.8], 0.33)).tolist() == [0]
    assert to_numpy(det.nms(boxes, [0.5, 0.5], 0.2)).tolist() == [0]  # tie: lower index first
    assert to_numpy(det.nms(boxes[::-1], [0.5, 0.5], 0.2)).tolist() == [0]
    assert to_numpy(det.nms(boxes, [0.5, 0.6], 0.2)).tolist() == [1]


def test_nms_suppression_chain_within_and_across_blocks():
    # box i overlaps box i + 1 with IoU 1/3 and box i + 2 not at all: 0 suppresses 1,
    # 1 (suppressed) cannot suppress 2, so greedy NMS keeps every other box - the
    # longest chain of decisions a block can hold, and it crosses the block borders
    boxes = [[float(i), 0.0, i + 2.0, 1.0] for i in range(150)]
    scores = np.linspace(1, 0.1, 150)
    assert to_numpy(det.nms(boxes, scores, 0.3)).tolist() == list(range(0, 150, 2))
    assert to_numpy(det.nms(boxes, scores, 1 / 3)).tolist() == list(range(150))  # IoU not > 1/3


def test_nms_and_box_iou_equal_torchvision(torch):
    ops = pytest.importorskip("torchvision.ops", reason="torchvision is the reference of D2")
    rng = np.random.default_rng(19)
    for _ in range(10):
        n = int(rng.integers(1, 800))
        boxes, scores = random_boxes(rng, n), tied_scores(rng, n).astype(np.float64)
        thr = float(rng.uniform(0.05, 0.95))
        expected = ops.nms(torch.as_tensor(boxes), torch.as_tensor(scores), thr).tolist()
        assert to_numpy(det.nms(boxes, scores, thr)).tolist() == expected
        assert_close(
            det.box_iou(boxes, boxes[:50]),
            ops.box_iou(torch.as_tensor(boxes), torch.as_tensor(boxes[:50])),
        )


def test_nms_edge_cases():
    empty = det.nms(np.zeros((0, 4)), np.zeros(0), 0.5)
    assert empty.shape == (0,) and empty.dtype == np.int64
    boxes = random_boxes(np.random.default_rng(6), 300)
    scores = np.linspace(1, 0, 300)
    assert to_numpy(det.nms(boxes, scores, 1.0)).tolist() == list(range(300))  # IoU > 1 never
    same = np.tile([[0.0, 0.0, 1.0, 1.0]], (300, 1))
    assert to_numpy(det.nms(same, scores[::-1], 0.0)).tolist() == [299]


# ------------------------------------------------------------------- R-CNN (D10)


def test_rcnn_box_loss_terms_by_hand():
    y_true = [[5.0, 5.0, 4.0, 2.0], [0.0, 0.0, 1.0, 1.0]]
    y_pred = [[6.0, 3.0, 2.0, 2.0], [9.0, 9.0, 9.0, 9.0]]
    expected = 1.0 + 4.0 + math.log(2) ** 2  # x, y, log w; h equal
    loss = det.rcnn_box_loss(y_true, y_pred, positive=[True, False])
    assert float(loss) == pytest.approx(expected)
    per_box = det.rcnn_box_loss(y_true, y_pred, positive=[1, 0], reduction="none")
    assert to_numpy(per_box) == pytest.approx([expected, 0.0])
    assert float(
        det.rcnn_box_loss(y_true, y_pred, positive=[True, False], reduction="mean")
    ) == pytest.approx(expected)
    assert (
        float(det.rcnn_box_loss(y_true, y_pred, positive=[False, False], reduction="mean")) == 0.0
    )
    # anchors scale the centre terms only: (1/2)^2 + (-2/4)^2 + (log 2)^2
    anchored = det.rcnn_box_loss(y_true[:1], y_pred[:1], anchors=[[5.0, 5.0, 2.0, 4.0]])
    assert float(anchored) == pytest.approx(0.25 + 0.25 + math.log(2) ** 2)


def test_rcnn_box_loss_equals_torch(torch):
    rng = np.random.default_rng(8)
    t = np.concatenate([rng.normal(size=(20, 2)), rng.uniform(0.1, 5, (20, 2))], axis=1)
    p = np.concatenate([rng.normal(size=(20, 2)), rng.uniform(0.1, 5, (20, 2))], axis=1)
    pos = rng.random(20) < 0.5
    tt, pt = torch.as_tensor(t), torch.as_tensor(p)
    terms = (tt[:, :2] - pt[:, :2]).pow(2).sum(1) + (tt[:, 2:].log() - pt[:, 2:].log()).pow(2).sum(
        1
    )
    assert float(det.rcnn_box_loss(t, p, positive=pos)) == pytest.approx(
        float(terms[torch.as_tensor(pos)].sum())
    )


def test_rcnn_class_loss_equals_torch_cross_entropy(torch):
    rng = np.random.default_rng(9)
    logits, labels = rng.normal(size=(12, 4)) * 3, rng.integers(0, 4, 12)
    expected = torch.nn.functional.cross_entropy(
        torch.as_tensor(logits), torch.as_tensor(labels), reduction="sum"
    )
    assert float(det.rcnn_class_loss(labels, logits)) == pytest.approx(float(expected))
    assert float(det.rcnn_class_loss([1], [[1000.0, -1000.0]])) == pytest.approx(2000.0)


# -------------------------------------------------------------------- YOLO (D11)


def yolo_2x2():
    """The hand-checked 2x2 grid: S=2, B=2, C=2, one object in cell (0, 0)."""
    y_true = np.zeros((2, 2, 7))
    y_true[0, 0] = [0.5, 0.5, 0.36, 0.64, 1.0, 1.0, 0.0]  # sqrt w = 0.6, sqrt h = 0.8
    y_pred = np.zeros((2, 2, 12))
    # box 0: inside the ground truth, IoU (0.16 x 0.36) / (0.36 x 0.64) = 0.25; box 1: IoU 0
    y_pred[0, 0] = [0.4, 0.6, 0.16, 0.36, 0.5, 0.0, 0.0, 0.04, 0.04, 0.2, 0.7, 0.3]
    y_pred[0, 1, 4], y_pred[1, 0, 4], y_pred[1, 1, 9] = 0.1, 0.2, 0.4
    return y_true, y_pred


def test_yolo_loss_2x2_every_term_by_hand_d11():
    y_true, y_pred = yolo_2x2()
    loss, terms = det.yolo_loss(y_true, y_pred, return_terms=True)
    by_hand = {
        "xy": 5 * ((0.5 - 0.4) ** 2 + (0.5 - 0.6) ** 2),  # lambda_coord = 5
        "wh": 5 * ((0.6 - 0.4) ** 2 + (0.8 - 0.6) ** 2),
        "obj": (0.25 - 0.5) ** 2,  # target C = IoU of the responsible box
        "noobj": 0.5
        * (0.2**2 + 0.1**2 + 0.2**2 + 0.4**2),  # box 1 of cell (0,0) and the empty cells
        "class": (1 - 0.7) ** 2 + (0 - 0.3) ** 2,
    }
    assert {k: float(v) for k, v in terms.items()} == pytest.approx(by_hand)
    rounded = {k: round(v, 4) for k, v in by_hand.items()}
    assert rounded == {"xy": 0.1, "wh": 0.4, "obj": 0.0625, "noobj": 0.125, "class": 0.18}
    assert float(loss) == pytest.approx(0.8675)


def test_yolo_confidence_target_is_c_i_x6():
    y_true, y_pred = yolo_2x2()
    _, terms = det.yolo_loss(y_true, y_pred, confidence_target="one", return_terms=True)
    assert float(terms["obj"]) == pytest.approx((1 - 0.5) ** 2)
    # the first slide's (C^_i - C^_ij)^2 compares the prediction with itself: always 0
    y_pred2 = y_pred.copy()
    y_pred2[0, 0, 4] = 0.25  # predicting the target confidence zeroes the term
    _, terms = det.yolo_loss(y_true, y_pred2, return_terms=True)
    assert float(terms["obj"]) == pytest.approx(0.0, abs=1e-30)


def test_yolo_responsible_predictor_is_the_best_iou():
    y_true, y_pred = yolo_2x2()
    swapped = y_pred.copy()
    swapped[0, 0, :5], swapped[0, 0, 5:10] = y_pred[0, 0, 5:10], y_pred[0, 0, :5]
    assert float(det.yolo_loss(y_true, swapped)) == pytest.approx(
        float(det.yolo_loss(y_true, y_pred))
    )


def test_yolo_loss_weights_batches_and_reductions():
    y_true, y_pred = yolo_2x2()
    _, base = det.yolo_loss(y_true, y_pred, return_terms=True)
    _, weighted = det.yolo_loss(
        y_true, y_pred, lambda_coord=1.0, lambda_noobj=1.0, return_terms=True
    )
    assert float(weighted["xy"]) == pytest.approx(float(base["xy"]) / 5)
    assert float(weighted["noobj"]) == pytest.approx(float(base["noobj"]) * 2)
    empty_true = np.zeros_like(y_true)
    batch_t, batch_p = np.stack([y_true, empty_true]), np.stack([y_pred, y_pred])
    per_image = det.yolo_loss(batch_t, batch_p, reduction="none")
    noobj_all = 0.5 * (
        0.5**2 + 0.2**2 + 0.1**2 + 0.2**2 + 0.4**2
    )  # no object: every confidence is noobj
    assert to_numpy(per_image) == pytest.approx([0.8675, noobj_all])
    assert float(det.yolo_loss(batch_t, batch_p, reduction="mean")) == pytest.approx(
        (0.8675 + noobj_all) / 2
    )


def test_yolo_loss_equals_torch_formula(torch):
    rng = np.random.default_rng(10)
    S, B, C = 3, 2, 3
    y_true = np.zeros((S, S, 5 + C))
    obj = rng.random((S, S)) < 0.5
    y_true[..., :2] = rng.random((S, S, 2))
    y_true[..., 2:4] = rng.uniform(0.05, 0.9, (S, S, 2))
    y_true[..., 4] = obj
    y_true[..., 5:] = np.eye(C)[rng.integers(0, C, (S, S))]
    y_pred = rng.uniform(0.01, 0.9, (S, S, 5 * B + C))
    t, p = torch.as_tensor(y_true), torch.as_tensor(y_pred).reshape(S, S, -1)
    boxes = p[..., : 5 * B].reshape(S, S, B, 5)

    def corners(b):
        c = b[..., :2] / S
        return torch.cat([c - b[..., 2:4] / 2, c + b[..., 2:4] / 2], dim=-1)

    g, q = corners(t[..., None, :4]), corners(boxes[..., :4])
    inter = (
        (torch.minimum(g[..., 2:], q[..., 2:]) - torch.maximum(g[..., :2], q[..., :2]))
        .clamp(min=0)
        .prod(-1)
    )
    area = lambda b: (b[..., 2:] - b[..., :2]).prod(-1)  # noqa: E731
    iou = inter / (area(g) + area(q) - inter)
    resp = torch.nn.functional.one_hot(iou.argmax(-1), B).bool() & torch.as_tensor(obj)[..., None]
    expected = (
        5 * (((t[..., None, :2] - boxes[..., :2]) ** 2).sum(-1) * resp).sum()
        + 5 * (((t[..., None, 2:4].sqrt() - boxes[..., 2:4].sqrt()) ** 2).sum(-1) * resp).sum()
        + (((iou - boxes[..., 4]) ** 2) * resp).sum()
        + 0.5 * ((boxes[..., 4] ** 2) * ~resp).sum()
        + (((t[..., 5:] - p[..., 5 * B :]) ** 2).sum(-1) * torch.as_tensor(obj)).sum()
    )
    assert float(det.yolo_loss(y_true, y_pred)) == pytest.approx(float(expected))


# -------------------------------------------------------------- YOLOv2 (D12)


def test_yolo_decode_cells_and_priors():
    t = np.zeros((2, 3, 2, 4))  # H = 2 rows, W = 3 columns, A = 2 priors
    t[1, 2, 1] = [math.log(3.0), -math.log(3.0), math.log(2.0), 0.0]  # sigma = 0.75 and 0.25
    anchors = [[1.0, 2.0], [0.5, 0.5]]
    b = to_numpy(det.yolo_decode(t, anchors))
    assert b[0, 0, 0].tolist() == [
        0.5,
        0.5,
        1.0,
        2.0,
    ]  # centre of cell (row 0, col 0), the prior itself
    assert b[1, 2, 0].tolist() == [2.5, 1.5, 1.0, 2.0]  # c_x = 2 (column), c_y = 1 (row)
    np.testing.assert_allclose(b[1, 2, 1], [2.75, 1.25, 1.0, 0.5])
    # the centre never leaves its cell, whatever t is
    wild = np.random.default_rng(11).normal(scale=20, size=(2, 3, 2, 4))
    c = to_numpy(det.yolo_decode(wild, anchors))
    cols, rows = np.arange(3)[None, :, None], np.arange(2)[:, None, None]
    assert np.all((c[..., 0] >= cols) & (c[..., 0] <= cols + 1))
    assert np.all((c[..., 1] >= rows) & (c[..., 1] <= rows + 1))


def test_yolo_decode_extreme_input_is_finite(xp):
    t = xp.asarray([[[[1000.0, -1000.0, 1000.0, -1000.0]]]], dtype=xp.float32)
    b = det.yolo_decode(t, xp.asarray([[3.0, 3.0]], dtype=xp.float32))
    assert b.dtype == xp.float32
    out = to_numpy(b)
    assert np.all(np.isfinite(out)) and out[0, 0, 0, 0] == 1.0 and out[0, 0, 0, 1] == 0.0
    assert out[0, 0, 0, 3] == 0.0  # e^-1000 underflows to 0 quietly
    # a prior smaller than a cell must not overflow either (the cap covers e^t itself)
    small = to_numpy(det.yolo_decode(t, xp.asarray([[0.05, 0.05]], dtype=xp.float32)))
    assert np.all(np.isfinite(small)) and small[0, 0, 0, 2] > 1e35


def planted_boxes(rng, centres, per_cluster=150, spread=0.06):
    wh = [np.asarray(c) * np.exp(rng.normal(0, spread, (per_cluster, 2))) for c in centres]
    return np.concatenate(wh)


CENTRES = [(10.0, 14.0), (24.0, 60.0), (60.0, 30.0), (90.0, 140.0), (250.0, 200.0)]


@pytest.mark.parametrize("update", ["mean", "median"])
def test_kmeans_anchors_recovers_planted_clusters(update):
    rng = np.random.default_rng(12)
    wh = planted_boxes(rng, CENTRES)
    anchors = to_numpy(det.kmeans_anchors(wh, k=5, update=update, seed=0))
    np.testing.assert_allclose(
        anchors, np.asarray(CENTRES), rtol=0.05
    )  # sorted by area, like CENTRES


def test_kmeans_anchors_is_seeded_and_takes_the_best_run():
    wh = planted_boxes(np.random.default_rng(13), CENTRES, per_cluster=40, spread=0.3)
    a = to_numpy(det.kmeans_anchors(wh, seed=3))
    assert np.array_equal(a, to_numpy(det.kmeans_anchors(wh, seed=3)))
    fit = lambda anchors: float(np.mean(np.max(to_numpy(det.wh_iou(wh, anchors)), axis=1)))  # noqa: E731
    single = [fit(to_numpy(det.kmeans_anchors(wh, seed=3 + s, n_init=1))) for s in range(3)]
    assert fit(a) >= min(single) - 1e-12
    # n_init=3 is three runs drawn one after the other from one generator: the winner
    # is the run with the best fit
    rng = np.random.default_rng(3)
    runs = [to_numpy(det.kmeans_anchors(wh, seed=rng, n_init=1)) for _ in range(3)]
    fits = [fit(r) for r in runs]
    assert len(set(fits)) > 1  # the runs differ, so picking the best one matters
    assert fit(a) == max(fits)
    np.testing.assert_array_equal(a, runs[int(np.argmax(fits))])
    assert to_numpy(det.kmeans_anchors(wh, k=1, seed=0)).shape == (1, 2)


def test_wh_iou_is_corner_aligned_box_iou():
    rng = np.random.default_rng(14)
    a, b = rng.uniform(0.1, 5, (6, 2)), rng.uniform(0.1, 5, (4, 2))
    as_boxes = lambda wh: np.concatenate([np.zeros_like(wh), wh], axis=1)  # noqa: E731
    assert_close(det.wh_iou(a, b), det.box_iou(as_boxes(a), as_boxes(b)))


# ------------------------------------------------------------------- backends


def test_backends_agree(xp):
    rng = np.random.default_rng(15)
    a, b = random_boxes(rng, 30), random_boxes(rng, 20)
    scores = tied_scores(rng, 30).astype(np.float64)

    def same(fn, *args, **kw):
        out = fn(*(xp.asarray(x) if isinstance(x, np.ndarray) else x for x in args), **kw)
        ref = fn(*args, **kw)
        for o, r in zip(
            out if isinstance(out, tuple) else (out,), ref if isinstance(ref, tuple) else (ref,)
        ):
            assert array_namespace(o) is xp
            np.testing.assert_allclose(to_numpy(o), to_numpy(r), rtol=1e-12)

    same(det.box_iou, a, b)
    same(det.box_area, a)
    same(det.box_convert, a, "xyxy", "cxcywh")
    same(det.nms, a, scores, 0.3)
    correct = rng.random(30) < 0.5
    same(det.precision_recall, scores, correct, 20)
    for method in det.AP_METHODS:
        same(det.average_precision, scores, correct, 20, method=method)
    same(det.match_detections, b, a, scores)
    same(det.mean_average_precision, np.array([0.2, 0.4]))
    y_true, y_pred = yolo_2x2()
    same(det.yolo_loss, y_true, y_pred)
    same(det.yolo_decode, rng.normal(size=(2, 2, 3, 4)), rng.uniform(0.5, 2, (3, 2)))
    same(det.rcnn_box_loss, np.abs(a) + 1, np.abs(b[:1].repeat(30, 0)) + 1)
    same(
        det.rcnn_box_loss,
        np.abs(a[:2]) + 1,
        np.abs(b[:2]) + 1,
        positive=[True, False],
        anchors=[[0, 0, 2, 3]] * 2,
    )
    same(det.rcnn_class_loss, np.arange(5) % 3, rng.normal(size=(5, 3)))
    same(det.wh_iou, a[:, 2:] - a[:, :2], b[:, 2:] - b[:, :2])


def test_kmeans_anchors_namespace(xp):
    wh = planted_boxes(np.random.default_rng(16), CENTRES[:3], per_cluster=30)
    anchors = det.kmeans_anchors(xp.asarray(wh, dtype=xp.float32), k=3, seed=0)
    assert array_namespace(anchors) is xp and anchors.dtype == xp.float32
    np.testing.assert_allclose(to_numpy(anchors), CENTRES[:3], rtol=0.05)
    from_list = det.kmeans_anchors(wh.tolist(), k=3, seed=0, xp=xp)
    assert array_namespace(from_list) is xp


def test_float32_stays_float32(xp):
    rng = np.random.default_rng(17)
    a = xp.asarray(random_boxes(rng, 10), dtype=xp.float32)
    s = xp.asarray(rng.random(10), dtype=xp.float32)
    assert det.box_iou(a, a).dtype == xp.float32
    assert det.box_convert(a, "xyxy", "xywh").dtype == xp.float32
    assert det.nms(a, s, 0.5).dtype == xp.int64
    assert det.precision_recall(s, [True] * 10, 10)[0].dtype == xp.float32
    for method in det.AP_METHODS:
        assert det.average_precision(s, [True, False] * 5, 5, method=method).dtype == xp.float32
    assert det.match_detections(a, a, s).precision.dtype == xp.float32
    y_true, y_pred = yolo_2x2()
    out = det.yolo_loss(xp.asarray(y_true, dtype=xp.float32), xp.asarray(y_pred, dtype=xp.float32))
    assert out.dtype == xp.float32 and float(out) == pytest.approx(0.8675, rel=1e-6)
    # plain lists beside float32 arrays take their dtype
    wh = xp.abs(a[:, 2:] - a[:, :2]) + 1
    cxcywh = xp.concat([a[:, :2], wh], axis=1)
    assert (
        det.rcnn_box_loss(cxcywh, cxcywh, positive=[True] * 10, anchors=[[0, 0, 2, 2]] * 10).dtype
        == xp.float32
    )
    assert (
        det.rcnn_class_loss([0, 1], xp.asarray([[1.0, 0.0], [0.0, 1.0]], dtype=xp.float32)).dtype
        == xp.float32
    )
    assert (
        det.yolo_decode(xp.zeros((1, 1, 1, 4), dtype=xp.float32), [[1.0, 2.0]]).dtype == xp.float32
    )
    assert det.wh_iou(wh, [[1.0, 2.0]]).dtype == xp.float32
    assert det.box_area(a).dtype == xp.float32
    assert det.mean_average_precision([(s, [True, False] * 5, 5)]).dtype == xp.float32


def test_inputs_are_not_modified():
    rng = np.random.default_rng(18)
    boxes, scores = random_boxes(rng, 50), rng.random(50)
    y_true, y_pred = yolo_2x2()
    keep = [a.copy() for a in (boxes, scores, y_true, y_pred)]
    det.nms(boxes, scores, 0.5)
    det.box_convert(boxes, "xyxy", "cxcywh")
    det.match_detections(boxes[:10], boxes, scores)
    det.average_precision(scores, scores > 0.5, 50)
    det.yolo_loss(y_true, y_pred)
    det.kmeans_anchors(boxes[:, 2:] - boxes[:, :2], k=3, seed=0)
    det.rcnn_box_loss(boxes[:, :4], boxes[:, :4] + 1, anchors=boxes[:, :4], positive=scores > 0.5)
    det.yolo_decode(boxes[:12].reshape(1, 3, 4, 4), boxes[:4, 2:])
    for before, after in zip(keep, (boxes, scores, y_true, y_pred)):
        np.testing.assert_array_equal(before, after)


# ------------------------------------------------------------------ bad input


def test_bad_boxes():
    with pytest.raises(ValueError, match="in_fmt"):
        det.box_convert([[0.0, 0.0, 1.0, 1.0]], "xyhw", "xyxy")
    with pytest.raises(ValueError, match="out_fmt"):
        det.box_convert([[0.0, 0.0, 1.0, 1.0]], "xyxy", "yolo")
    with pytest.raises(ValueError, match="negative width"):
        det.box_convert([[0.0, 0.0, -1.0, 1.0]], "xywh", "xyxy")
    with pytest.raises(ValueError, match="boxes2 has a box with x2 < x1"):
        det.box_iou([[0.0, 0.0, 1.0, 1.0]], [[2.0, 0.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match="boxes1 has a box with y2 < y1"):
        det.box_iou([[0.0, 2.0, 1.0, 1.0]], [[0.0, 0.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match="boxes1 must have 4 coordinates"):
        det.box_iou([[0.0, 0.0, 1.0]], [[0.0, 0.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match="boxes1 must be a 2-D array"):
        det.box_iou([0.0, 0.0, 1.0, 1.0], [[0.0, 0.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match="boxes must be finite"):
        det.box_area([[0.0, 0.0, float("nan"), 1.0]])
    with pytest.raises(ValueError, match="fmt"):
        det.box_area([[0.0, 0.0, 1.0, 1.0]], fmt="xy")


def test_bad_nms_and_matching_input():
    boxes = [[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 2.0, 2.0]]
    with pytest.raises(ValueError, match="scores must have one entry per box: got 3 for 2"):
        det.nms(boxes, [0.1, 0.2, 0.3], 0.5)
    with pytest.raises(ValueError, match="scores must be finite"):
        det.nms(boxes, [0.1, float("nan")], 0.5)
    with pytest.raises(ValueError, match="iou_threshold"):
        det.nms(boxes, [0.1, 0.2], 1.5)
    with pytest.raises(ValueError, match="det_scores must have one entry per detection"):
        det.match_detections(boxes, boxes, [0.5])
    with pytest.raises(ValueError, match="iou_threshold"):
        det.match_detections(boxes, boxes, [0.5, 0.4], iou_threshold=0.0)
    with pytest.raises(ValueError, match="det_boxes has a box with x2 < x1"):
        det.match_detections(boxes, [[1.0, 0.0, 0.0, 1.0]], [0.5])


def test_bad_ranked_lists():
    with pytest.raises(ValueError, match="correct must have one entry per score: got 4 for 5"):
        det.precision_recall(SLIDE_SCORES, SLIDE_CORRECT[:4], 5)
    with pytest.raises(ValueError, match="n_ground_truth"):
        det.precision_recall(SLIDE_SCORES, SLIDE_CORRECT, 2)  # 3 correct detections
    with pytest.raises(ValueError, match="n_ground_truth"):
        det.average_precision(SLIDE_SCORES, SLIDE_CORRECT, 0)
    with pytest.raises(TypeError, match="n_ground_truth"):
        det.average_precision(SLIDE_SCORES, SLIDE_CORRECT, 5.5)
    with pytest.raises(ValueError, match="correct must hold booleans"):
        det.average_precision(SLIDE_SCORES, [1, 2, 0, 1, 0], 5)
    with pytest.raises(ValueError, match="method"):
        det.average_precision(SLIDE_SCORES, SLIDE_CORRECT, 5, method="11-point")
    with pytest.raises(ValueError, match="scores must be 1-D"):
        det.average_precision([[0.5]], [[True]], 5)


def test_bad_losses_and_anchors():
    y_true, y_pred = yolo_2x2()
    with pytest.raises(ValueError, match="grid"):
        det.yolo_loss(y_true, y_pred[:1])
    with pytest.raises(ValueError, match="5B \\+ C"):
        det.yolo_loss(y_true, y_pred[..., :11])
    bad = y_true.copy()
    bad[0, 1, 4] = 0.5
    with pytest.raises(ValueError, match="object indicator"):
        det.yolo_loss(bad, y_pred)
    neg = y_pred.copy()
    neg[1, 1, 2] = -0.1
    with pytest.raises(ValueError, match="y_pred has a negative"):
        det.yolo_loss(y_true, neg)
    with pytest.raises(ValueError, match="lambda_coord"):
        det.yolo_loss(y_true, y_pred, lambda_coord=-1)
    with pytest.raises(ValueError, match="confidence_target"):
        det.yolo_loss(y_true, y_pred, confidence_target="C_hat")
    with pytest.raises(ValueError, match="y_pred must have positive widths"):
        det.rcnn_box_loss([[0.0, 0.0, 1.0, 1.0]], [[0.0, 0.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match="positive must have one entry per box"):
        det.rcnn_box_loss([[0.0, 0.0, 1.0, 1.0]], [[0.0, 0.0, 1.0, 1.0]], positive=[True, False])
    with pytest.raises(ValueError, match="labels must be integers"):
        det.rcnn_class_loss([3], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="anchors must have positive"):
        det.yolo_decode(np.zeros((1, 1, 1, 4)), [[0.0, 1.0]])
    with pytest.raises(ValueError, match="len\\(anchors\\)"):
        det.yolo_decode(np.zeros((1, 1, 2, 4)), [[1.0, 1.0]])
    with pytest.raises(ValueError, match="k \\(3\\) must not exceed"):
        det.kmeans_anchors([[1.0, 1.0], [2.0, 2.0]], k=3)
    with pytest.raises(ValueError, match="wh must be a 2-D"):
        det.kmeans_anchors([], k=1)
    with pytest.raises(ValueError, match="wh must have positive"):
        det.kmeans_anchors([[1.0, 0.0], [2.0, 2.0]], k=1)
    with pytest.raises(ValueError, match="update"):
        det.kmeans_anchors([[1.0, 1.0]], k=1, update="mode")
    torch = pytest.importorskip("torch", reason="needs a second array library")
    with pytest.raises(ValueError, match="conflicts"):
        det.kmeans_anchors(torch.ones(3, 2), k=1, xp="numpy")


# ----------------------------------------------------- copy-ready rules (issue 7)


def greedy_match_reference(gt, dets, scores, thr):
    """Matching with explicit loops: by score (stable), the free ground truth of highest IoU."""
    iou = to_numpy(det.box_iou(dets, gt)) if len(gt) and len(dets) else np.zeros((len(dets), 0))
    taken, out = set(), [-1] * len(dets)
    for d in sorted(range(len(dets)), key=lambda i: -scores[i]):
        best, best_iou = -1, -1.0
        for g in range(len(gt)):
            if g not in taken and iou[d, g] >= thr and iou[d, g] > best_iou:
                best, best_iou = g, iou[d, g]
        if best >= 0:
            taken.add(best)
            out[d] = best
    return out


def test_match_equals_a_loop_reference_with_ties():
    rng = np.random.default_rng(20)
    for _ in range(60):
        n_gt, n_det = int(rng.integers(0, 12)), int(rng.integers(0, 30))
        # boxes on a coarse grid: many equal overlaps; scores from a few values: many ties
        gt = np.round(random_boxes(rng, n_gt, extent=40.0, max_size=20.0))
        dets = np.round(random_boxes(rng, n_det, extent=40.0, max_size=20.0))
        scores = rng.integers(1, 4, n_det) / 4
        thr = float(rng.choice([0.1, 0.3, 0.5]))
        m = det.match_detections(gt.reshape(-1, 4), dets.reshape(-1, 4), scores, iou_threshold=thr)
        expected = greedy_match_reference(gt, dets, scores.tolist(), thr)
        assert to_numpy(m.gt_index).tolist() == expected


def test_match_detections_makes_no_sync_whatever_the_number_of_detections(torch):
    import dlnotes
    from tests.test_syncs import SyncCounter

    rng = np.random.default_rng(21)
    gt = torch.asarray(random_boxes(rng, 20))
    for n in (10, 200):
        dets = torch.asarray(random_boxes(rng, n))
        with dlnotes.checks(False), SyncCounter() as counter:
            m = det.match_detections(gt, dets, torch.asarray(rng.random(n)))
        assert counter.count == 0, counter.seen
        with SyncCounter() as counter:  # the checks on: their one sync
            det.match_detections(gt, dets, torch.asarray(rng.random(n)))
        assert counter.count == 1, counter.seen
    assert m.tp.shape == (200,)
    lists = [(torch.asarray(rng.random(5)), torch.asarray([1.0, 0, 1, 0, 1]), 3)] * 4
    with SyncCounter() as counter:  # four ranked lists checked in one sync
        det.mean_average_precision(lists)
    assert counter.count == 1, counter.seen


def test_scalars_are_0d_arrays_never_numpy_scalars():
    for method in det.AP_METHODS:
        ap = det.average_precision(SLIDE_SCORES, SLIDE_CORRECT, SLIDE_GT, method=method)
        assert isinstance(ap, np.ndarray) and ap.ndim == 0 and ap.dtype == np.float64
    for per_class in ([0.5, 0.7], [(SLIDE_SCORES, SLIDE_CORRECT, SLIDE_GT)]):
        m = det.mean_average_precision(per_class)
        assert isinstance(m, np.ndarray) and m.ndim == 0
    y_true, y_pred = yolo_2x2()
    loss, terms = det.yolo_loss(y_true, y_pred, reduction="none", return_terms=True)
    assert isinstance(loss, np.ndarray) and all(isinstance(v, np.ndarray) for v in terms.values())
    match = det.match_detections(faces(), faces(), [0.5] * 5)
    assert isinstance(match.precision, np.ndarray) and isinstance(match.recall, np.ndarray)
    for loss in (
        det.rcnn_box_loss([[5.0, 5.0, 4.0, 2.0]], [[6.0, 5.0, 4.0, 2.0]], reduction="mean"),
        det.rcnn_class_loss([0], [[2.0, 0.0]]),
        det.box_area([0.0, 0.0, 2.0, 3.0]),
    ):
        assert isinstance(loss, np.ndarray) and loss.ndim == 0


def test_a_zero_loss_is_plus_zero():
    y_true, _ = yolo_2x2()
    y_pred = np.zeros((2, 2, 12))
    y_pred[0, 0] = [0.5, 0.5, 0.36, 0.64, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    loss = det.yolo_loss(y_true, y_pred, confidence_target="one")
    assert str(float(loss)) == "0.0"
    assert str(float(det.rcnn_box_loss([[1.0, 1.0, 2.0, 2.0]], [[1.0, 1.0, 2.0, 2.0]]))) == "0.0"
    assert str(float(det.rcnn_class_loss([0], [[1000.0, -1000.0]]))) == "0.0"


@pytest.mark.parametrize("bad", ["0.5", True, None, [0.5], 0.5j])
def test_thresholds_of_the_wrong_type_are_type_errors(bad):
    boxes = [[0.0, 0.0, 1.0, 1.0]]
    with pytest.raises(TypeError, match="iou_threshold"):
        det.nms(boxes, [0.5], bad)
    with pytest.raises(TypeError, match="iou_threshold"):
        det.match_detections(boxes, boxes, [0.5], iou_threshold=bad)


def test_options_of_the_wrong_type_are_type_errors():
    y_true, y_pred = yolo_2x2()
    box = [[0.0, 0.0, 1.0, 1.0]]
    cases = [
        ("fmt", lambda: det.box_area(box, fmt=1)),
        ("in_fmt", lambda: det.box_convert(box, None, "xyxy")),
        ("method", lambda: det.average_precision(SLIDE_SCORES, SLIDE_CORRECT, 5, method=None)),
        ("n_ground_truth", lambda: det.precision_recall(SLIDE_SCORES, SLIDE_CORRECT, True)),
        ("n_ground_truth", lambda: det.average_precision(SLIDE_SCORES, SLIDE_CORRECT, "5")),
        ("return_terms", lambda: det.yolo_loss(y_true, y_pred, return_terms="False")),
        ("return_terms", lambda: det.yolo_loss(y_true, y_pred, return_terms=1)),
        ("lambda_coord", lambda: det.yolo_loss(y_true, y_pred, lambda_coord="5")),
        ("lambda_noobj", lambda: det.yolo_loss(y_true, y_pred, lambda_noobj=True)),
        ("reduction", lambda: det.yolo_loss(y_true, y_pred, reduction=None)),
        ("reduction", lambda: det.rcnn_class_loss([0], [[1.0, 0.0]], reduction=0)),
        ("k", lambda: det.kmeans_anchors([[1.0, 1.0], [2.0, 2.0]], k=True)),
        ("k", lambda: det.kmeans_anchors([[1.0, 1.0], [2.0, 2.0]], k=2.0)),
        ("n_init", lambda: det.kmeans_anchors([[1.0, 1.0]], k=1, n_init="3")),
        ("max_iter", lambda: det.kmeans_anchors([[1.0, 1.0]], k=1, max_iter=None)),
        ("seed", lambda: det.kmeans_anchors([[1.0, 1.0]], k=1, seed="0")),
        ("seed", lambda: det.kmeans_anchors([[1.0, 1.0]], k=1, seed=True)),
        ("boxes1", lambda: det.box_iou("boxes", box)),
        ("boxes2", lambda: det.box_iou(box, None)),
        ("scores", lambda: det.nms(box, ["a"], 0.5)),
        ("per_class", lambda: det.mean_average_precision(None)),
        ("per_class", lambda: det.mean_average_precision("0.5")),
        ("wh", lambda: det.kmeans_anchors(None, k=1)),
        ("labels", lambda: det.rcnn_class_loss(["a"], [[1.0, 0.0]])),
    ]
    for name, call in cases:
        with pytest.raises(TypeError, match=name):
            call()


def test_values_out_of_range_are_value_errors_naming_the_argument():
    y_true, y_pred = yolo_2x2()
    cases = [
        ("lambda_noobj", lambda: det.yolo_loss(y_true, y_pred, lambda_noobj=float("inf"))),
        ("k", lambda: det.kmeans_anchors([[1.0, 1.0]], k=0)),
        ("seed", lambda: det.kmeans_anchors([[1.0, 1.0]], k=1, seed=-1)),
        ("iou_threshold", lambda: det.nms([[0.0, 0.0, 1.0, 1.0]], [0.5], float("nan"))),
        ("det_boxes", lambda: det.match_detections([[0, 0, 1, 1]], [[0, 0, 1, float("inf")]], [1])),
        ("labels", lambda: det.rcnn_class_loss([-1], [[1.0, 0.0]])),
        ("labels", lambda: det.rcnn_class_loss([0.5], [[1.0, 0.0]])),
        ("logits", lambda: det.rcnn_class_loss([0], [[float("nan"), 0.0]])),
        ("wh1", lambda: det.wh_iou([[1.0, -1.0]], [[1.0, 1.0]])),
        ("wh2", lambda: det.wh_iou([[1.0, 1.0]], [[1.0, 1.0, 1.0]])),
        (
            "anchors",
            lambda: det.rcnn_box_loss([[0, 0, 1, 1]], [[0, 0, 1, 1]], anchors=[[0, 0, 0, 1]]),
        ),
        ("positive", lambda: det.rcnn_box_loss([[0, 0, 1, 1]], [[0, 0, 1, 1]], positive=[2])),
        ("t", lambda: det.yolo_decode(np.full((1, 1, 1, 4), np.nan), [[1.0, 1.0]])),
    ]
    for name, call in cases:
        with pytest.raises(ValueError, match=name):
            call()


def test_map_checks_the_ranked_lists_it_is_given():
    # the body's calls of average_precision skip their data checks: mAP's own spec checks
    with pytest.raises(ValueError, match="per_class item 1: correct must hold booleans"):
        det.mean_average_precision([(SLIDE_SCORES, SLIDE_CORRECT, 5), ([0.5, 0.4], [1, 2], 2)])
    with pytest.raises(ValueError, match="per_class item 0: n_ground_truth"):
        det.mean_average_precision({"face": (SLIDE_SCORES, SLIDE_CORRECT, 2)})
    with pytest.raises(ValueError, match="per_class item 0: scores must be finite"):
        det.mean_average_precision([([float("nan")], [True], 1)])
    with pytest.raises(ValueError, match="per_class item 0: scores and correct"):
        det.mean_average_precision([([0.5, 0.4], [True], 1)])
    with pytest.raises(TypeError, match="per_class item 0: n_ground_truth"):
        det.mean_average_precision([([0.5], [True], 1.5)])


def test_checks_off_skip_only_the_data_checks():
    import dlnotes

    bad = [[1.0, 0.0, 0.0, 1.0]]  # x2 < x1: a data check
    with dlnotes.checks(False):
        assert det.box_area(bad).shape == (1,)
        with pytest.raises(ValueError, match="boxes1 must have 4 coordinates"):  # a shape
            det.box_iou([[0.0, 0.0, 1.0]], bad)
        with pytest.raises(TypeError, match="iou_threshold"):  # an option
            det.nms(bad, [0.5], "0.5")
    with pytest.raises(ValueError, match="x2 < x1"):
        det.box_area(bad)

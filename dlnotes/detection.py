r"""Object detection (slides 000 part 6, 002, 003): boxes, IoU, NMS, matching,
precision and recall down a ranked list, AP and mAP, and the R-CNN and YOLO
losses with YOLOv2's box decoding and anchors.

Boxes are ``(x1, y1, x2, y2)`` ("xyxy") unless a function says otherwise: the
top-left and bottom-right corners, x to the right and y downwards, with
``x2 >= x1`` and ``y2 >= y1``. `box_convert` converts from and to
"xywh" (top-left corner, width, height: COCO and OpenCV) and "cxcywh" (centre,
width, height: YOLO). Coordinates are continuous: a box from 0 to 10 is 10
wide (no "+1 pixel" convention).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from array_api_compat import device, is_array_api_obj

from dlnotes._checks import (
    REDUCTIONS,
    check_choice,
    check_count,
    check_finite,
    check_ndim,
    check_nonempty,
    check_nonnegative_real,
    check_same_shape,
    reduce,
)
from dlnotes.activations import log_softmax, sigmoid
from dlnotes.backend import array_namespace, as_float_arrays, random_generator, resolve_backend
from dlnotes.coco import coco_evaluate  # COCO evaluation has its own module (NumPy only, json input)

__all__ = [
    "AP_METHODS",
    "BOX_FORMATS",
    "DetectionMatch",
    "average_precision",
    "box_area",
    "box_convert",
    "box_iou",
    "coco_evaluate",
    "kmeans_anchors",
    "match_detections",
    "mean_average_precision",
    "nms",
    "precision_recall",
    "rcnn_box_loss",
    "rcnn_class_loss",
    "wh_iou",
    "yolo_decode",
    "yolo_loss",
]

BOX_FORMATS = ("xyxy", "xywh", "cxcywh")
"""Box formats understood by `box_convert`: corners, top-left corner and size, centre and size."""

AP_METHODS = ("voc2007", "slide", "all-point", "coco", "step")
"""Methods of `average_precision`, in the order of the Detection page's table."""

_COORDS = {"xyxy": "x1, y1, x2, y2", "xywh": "x, y, w, h", "cxcywh": "cx, cy, w, h"}
_LEVELS = {"voc2007": 11, "slide": 11, "coco": 101}  # recall levels 0, 1/(n-1), ..., 1

# NMS takes the next this-many unsuppressed boxes at a time: big enough to
# vectorise, small enough that little work is wasted on boxes a block
# suppresses. On 10,000 boxes (benchmarks/bench_detection.py, and 300 clusters
# of overlapping boxes) 32 was fastest on CPU; 64 and 128 took up to twice as long.
_NMS_BLOCK = 32


# --------------------------------------------------------------------------
# Validation shared by every public function
# --------------------------------------------------------------------------


def _check_boxes(xp, name, boxes, fmt="xyxy", *, ndim=None):
    """4 finite coordinates on the last axis, and no box turned inside out."""
    if ndim is not None and boxes.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array of shape (N, 4), got shape {tuple(boxes.shape)}")
    if boxes.ndim < 1 or boxes.shape[-1] != 4:
        raise ValueError(
            f"{name} must have 4 coordinates ({_COORDS[fmt]}) on its last axis, got shape {tuple(boxes.shape)}"
        )
    check_finite(xp, name, boxes)
    if fmt == "xyxy":
        for lo, hi, axis in ((0, 2, "x"), (1, 3, "y")):
            if not bool(xp.all(boxes[..., hi] >= boxes[..., lo])):
                raise ValueError(
                    f"{name} has a box with {axis}2 < {axis}1; xyxy boxes need x2 >= x1 and y2 >= y1 "
                    f"(convert other formats with box_convert)"
                )
    elif not bool(xp.all(boxes[..., 2:] >= 0)):
        raise ValueError(f"{name} has a box with a negative width or height ({fmt}: {_COORDS[fmt]})")


def _check_scores(xp, name, scores, n, what):
    """A finite 1-D array with one entry per box (or per detection)."""
    check_ndim(name, scores, (1,), "a 1-D array")
    if scores.shape[0] != n:
        raise ValueError(f"{name} must have one entry per {what}: got {scores.shape[0]} for {n}")
    check_finite(xp, name, scores)


def _check_flags(xp, name, flags):
    """0/1 (or False/True) values only."""
    if not bool(xp.all((flags == 0) | (flags == 1))):
        raise ValueError(f"{name} must hold booleans (True/False or 1/0)")


def _fraction(name, value, *, allow_zero=True):
    """A threshold in [0, 1] (or (0, 1]) as a Python float."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number in [0, 1], got {value!r}") from None
    low_ok = value >= 0 if allow_zero else value > 0
    if not (low_ok and value <= 1):
        raise ValueError(f"{name} must be in {'[0, 1]' if allow_zero else '(0, 1]'}, got {value!r}")
    return value


# --------------------------------------------------------------------------
# Boxes (D1)
# --------------------------------------------------------------------------


def _area(xp, b):
    return (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])


def _iou(xp, a, b):
    """IoU of xyxy boxes ``a`` and ``b`` broadcast against each other.

    One coordinate at a time, so pairwise IoU of (N, 1, 4) and (1, M, 4) boxes
    makes (N, M) temporaries, never (N, M, 2).
    """
    w = xp.maximum(xp.minimum(a[..., 2], b[..., 2]) - xp.maximum(a[..., 0], b[..., 0]), 0.0)
    h = xp.maximum(xp.minimum(a[..., 3], b[..., 3]) - xp.maximum(a[..., 1], b[..., 1]), 0.0)
    inter = w * h
    union = _area(xp, a) + _area(xp, b) - inter
    # The intersection is never larger than either area (also after rounding), so
    # union == 0 only for two zero-area boxes, whose intersection is 0: dividing
    # by 1 there gives IoU 0 instead of 0/0.
    return inter / xp.where(union > 0, union, 1.0)


def box_area(boxes, *, fmt="xyxy"):
    r"""Area of each box.

    Slide formula: D1.

    Parameters
    ----------
    boxes : array-like of shape (..., 4)
        Boxes in the format ``fmt``.
    fmt : {"xyxy", "xywh", "cxcywh"}, default="xyxy"
        Box format, see `box_convert`.

    Returns
    -------
    area : array of shape (...)
        $(x_2 - x_1)(y_2 - y_1)$, or $wh$.

    Raises
    ------
    ValueError
        If the last axis is not 4, the format is unknown, a coordinate is not
        finite or a box has a negative width or height.

    Examples
    --------
    >>> box_area([[0.0, 0.0, 4.0, 3.0], [1.0, 1.0, 1.0, 5.0]]).tolist()
    [12.0, 0.0]
    >>> box_area([[5.0, 5.0, 4.0, 3.0]], fmt="cxcywh").tolist()
    [12.0]
    """
    check_choice("fmt", fmt, BOX_FORMATS)
    xp, b = as_float_arrays(boxes)
    _check_boxes(xp, "boxes", b, fmt)
    return _area(xp, b) if fmt == "xyxy" else b[..., 2] * b[..., 3]


def box_convert(boxes, in_fmt, out_fmt):
    r"""Convert boxes between "xyxy", "xywh" and "cxcywh".

    Slide formula: D1.

    Parameters
    ----------
    boxes : array-like of shape (..., 4)
        Boxes in ``in_fmt``.
    in_fmt, out_fmt : {"xyxy", "xywh", "cxcywh"}
        "xyxy": corners $(x_1, y_1, x_2, y_2)$; "xywh": top-left corner,
        width, height (COCO, OpenCV); "cxcywh": centre, width, height (YOLO).

    Returns
    -------
    array of shape (..., 4)
        A new array in ``out_fmt`` (a copy when the formats are equal).

    Raises
    ------
    ValueError
        If a format is unknown, the last axis is not 4, a coordinate is not
        finite, or a box is inside out ($x_2 < x_1$, $y_2 < y_1$, or a
        negative width or height).

    Notes
    -----
    $$x_2 = x + w = c_x + \tfrac w2, \qquad c_x = \tfrac{x_1 + x_2}{2},
    \qquad w = x_2 - x_1$$ and the same for $y$ and $h$.

    Examples
    --------
    >>> box_convert([[10.0, 20.0, 30.0, 40.0]], "xywh", "xyxy").tolist()
    [[10.0, 20.0, 40.0, 60.0]]
    >>> box_convert([[10.0, 20.0, 40.0, 60.0]], "xyxy", "cxcywh").tolist()
    [[25.0, 40.0, 30.0, 40.0]]
    """
    check_choice("in_fmt", in_fmt, BOX_FORMATS)
    check_choice("out_fmt", out_fmt, BOX_FORMATS)
    xp, b = as_float_arrays(boxes)
    _check_boxes(xp, "boxes", b, in_fmt)
    if in_fmt == out_fmt:
        return xp.asarray(b, copy=True)
    return _from_xyxy(xp, _to_xyxy(xp, b, in_fmt), out_fmt)


def _to_xyxy(xp, b, fmt):
    if fmt == "xyxy":
        return b
    w, h = b[..., 2], b[..., 3]
    if fmt == "xywh":
        x1, y1 = b[..., 0], b[..., 1]
    else:
        x1, y1 = b[..., 0] - w / 2, b[..., 1] - h / 2
    return xp.stack([x1, y1, x1 + w, y1 + h], axis=-1)


def _from_xyxy(xp, b, fmt):
    if fmt == "xyxy":
        return b
    w, h = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
    if fmt == "xywh":
        return xp.stack([b[..., 0], b[..., 1], w, h], axis=-1)
    return xp.stack([(b[..., 0] + b[..., 2]) / 2, (b[..., 1] + b[..., 3]) / 2, w, h], axis=-1)


def box_iou(boxes1, boxes2):
    r"""Pairwise intersection over union of two sets of xyxy boxes.

    Slide formula: D1.

    Parameters
    ----------
    boxes1 : array-like of shape (N, 4)
        Boxes $(x_1, y_1, x_2, y_2)$ with $x_2 \ge x_1$, $y_2 \ge y_1$.
    boxes2 : array-like of shape (M, 4)
        Boxes in the same format (convert others with `box_convert`).

    Returns
    -------
    iou : array of shape (N, M)
        ``iou[i, j]`` is the IoU of ``boxes1[i]`` and ``boxes2[j]``, in
        $[0, 1]$. Two boxes whose union has zero area (degenerate boxes) get
        0 rather than 0/0. Either set may be empty.

    Raises
    ------
    ValueError
        If an input is not of shape (N, 4), not finite, or has a box with
        $x_2 < x_1$ or $y_2 < y_1$.

    Notes
    -----
    $$\mathrm{IoU}(A, B) = \frac{\lvert A \cap B\rvert}{\lvert A \cup B\rvert}
    = \frac{\lvert A \cap B\rvert}{\lvert A\rvert + \lvert B\rvert - \lvert A \cap B\rvert}$$

    with the intersection's width $\max(0, \min(x_2, x_2') - \max(x_1, x_1'))$
    and height likewise. All $N \times M$ pairs are computed at once by
    broadcasting.

    Examples
    --------
    >>> iou = box_iou([[0.0, 0.0, 2.0, 2.0]], [[1.0, 1.0, 3.0, 3.0], [0.0, 0.0, 2.0, 2.0]])
    >>> [round(v, 4) for v in iou[0].tolist()]  # overlap 1, union 4 + 4 - 1
    [0.1429, 1.0]
    """
    xp, a, b = as_float_arrays(boxes1, boxes2)
    _check_boxes(xp, "boxes1", a, ndim=2)
    _check_boxes(xp, "boxes2", b, ndim=2)
    return _iou(xp, a[:, None, :], b[None, :, :])


# --------------------------------------------------------------------------
# Non-maximum suppression (D2)
# --------------------------------------------------------------------------


def nms(boxes, scores, iou_threshold):
    r"""Greedy non-maximum suppression; kept indices by decreasing score.

    Slide formula: D2 (IoU "used in NMS to discard the multiple
    [detections] localized at the same location").

    Parameters
    ----------
    boxes : array-like of shape (N, 4)
        xyxy boxes.
    scores : array-like of shape (N,)
        Their confidence scores.
    iou_threshold : float in [0, 1]
        A box is suppressed by a kept, higher-ranked box when their IoU is
        **strictly greater** than this.

    Returns
    -------
    keep : integer array of shape (K,)
        Indices into ``boxes`` of the kept boxes, sorted by decreasing score
        (int64, the namespace of the inputs). Empty input gives an empty
        result.

    Raises
    ------
    ValueError
        If the boxes are invalid (see `box_iou`), ``scores`` is not 1-D
        with one finite score per box, or the threshold is outside [0, 1].

    Notes
    -----
    The rules are those of ``torchvision.ops.nms`` and OpenCV's
    ``cv2.dnn.NMSBoxes``:

    1. sort by score, highest first; **equal scores keep their input order**
       (a stable sort: the lower index ranks first);
    2. walk down the list; a box is kept unless a box kept before it overlaps
       it with IoU $> t$ (strictly).

    The walk takes the next 32 boxes not yet suppressed at a time and
    computes their IoU matrix at once. Inside the block, "box $j$ is kept
    unless a kept box before it overlaps it" is a triangular system of
    boolean equations with one solution; iterating it from "all kept" fixes
    at least one more box per step, so a few $32 \times 32$ array
    operations solve it (a chain of boxes each suppressing the next needs
    the most). The block's kept boxes then suppress every later box in one
    vectorised step. Memory stays $O(32\,N)$, never $O(N^2)$.

    Examples
    --------
    >>> boxes = [[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0], [20.0, 20.0, 30.0, 30.0]]
    >>> nms(boxes, [0.8, 0.9, 0.7], 0.5).tolist()  # box 1 beats box 0 (IoU 0.68)
    [1, 2]
    >>> nms(boxes, [0.9, 0.9, 0.9], 0.5).tolist()  # a tie: the lower index wins
    [0, 2]
    """
    xp, b, s = as_float_arrays(boxes, scores)
    _check_boxes(xp, "boxes", b, ndim=2)
    _check_scores(xp, "scores", s, b.shape[0], "box")
    thr = _fraction("iou_threshold", iou_threshold)
    order = xp.argsort(-s, stable=True)  # stable: ties keep the lower index first
    kept = _greedy_sorted(xp, xp.take(b, order, axis=0), thr)
    return xp.astype(xp.take(order, kept), xp.int64)


def _greedy_sorted(xp, boxes, thr):
    """Positions kept by greedy NMS on boxes already sorted by decreasing score."""
    pending = xp.arange(boxes.shape[0], device=device(boxes))  # not suppressed yet, in rank order
    kept = [pending[:0]]
    while pending.shape[0]:
        split = min(_NMS_BLOCK, pending.shape[0])  # in-bounds slices (array-api-strict)
        head, rest = pending[:split], pending[split:]
        cand = xp.take(boxes, head, axis=0)
        winners = head[_greedy_block(xp, _iou(xp, cand[:, None, :], cand[None, :, :]) > thr)]
        kept.append(winners)
        if rest.shape[0] and winners.shape[0]:
            # the block's kept boxes suppress every later box in one step
            kept_boxes, later = xp.take(boxes, winners, axis=0), xp.take(boxes, rest, axis=0)
            over = _iou(xp, kept_boxes[:, None, :], later[None, :, :]) > thr
            rest = rest[~xp.any(over, axis=0)]
        pending = rest
    return xp.concat(kept)


def _greedy_block(xp, over):
    """Greedy NMS inside a block, given its boolean "IoU > t" matrix in rank order.

    ``keep[j] = not any(keep[i] and over[i, j] for i < j)`` is triangular:
    ``keep[0]`` is right after one sweep from "all kept", and each sweep makes
    the next box right. A sweep that changes nothing has reached the unique
    solution, that is the sequential greedy result.
    """
    c = over.shape[0]
    idx = xp.arange(c, device=device(over))
    over = over & (idx[None, :] > idx[:, None])  # a box suppresses only later ones
    keep = xp.ones(c, dtype=xp.bool, device=device(over))
    while True:
        swept = ~xp.any(over & keep[:, None], axis=0)
        if bool(xp.all(swept == keep)):
            return keep
        keep = swept


# --------------------------------------------------------------------------
# Matching detections to ground truth (D9)
# --------------------------------------------------------------------------


class DetectionMatch(NamedTuple):
    """Result of `match_detections` (the detections in their input order).

    Attributes
    ----------
    tp : bool array of shape (D,)
        True where the detection matched a ground-truth box (a true positive).
    gt_index : int64 array of shape (D,)
        Index of the matched ground-truth box, -1 for a false positive.
    precision : 0-d array
        TP / number of detections (0 when there is no detection).
    recall : 0-d array
        TP / number of ground-truth boxes (0 when there is none).
    """

    tp: Any
    gt_index: Any
    precision: Any
    recall: Any


def match_detections(gt_boxes, det_boxes, det_scores, *, iou_threshold=0.5):
    r"""Match detections to ground-truth boxes greedily by score.

    Slide formula: D9 (face detection: "recall: how many of the faces did
    you detect? precision: how many of the detected faces are really
    faces?").

    Parameters
    ----------
    gt_boxes : array-like of shape (G, 4)
        Ground-truth xyxy boxes of one image and one class.
    det_boxes : array-like of shape (D, 4)
        Detected xyxy boxes.
    det_scores : array-like of shape (D,)
        Their confidence scores.
    iou_threshold : float in (0, 1], default=0.5
        A detection can match a ground truth only with IoU $\ge$ this.

    Returns
    -------
    DetectionMatch
        ``(tp, gt_index, precision, recall)``; ``tp`` can go straight into
        `precision_recall` and `average_precision`.

    Raises
    ------
    ValueError
        If a box array is invalid, ``det_scores`` has not one finite score
        per detection, or the threshold is outside (0, 1].

    Notes
    -----
    Detections are visited by decreasing score (ties in input order). Each
    takes, among the ground truths **not yet taken**, the one it overlaps
    most (the lower index of two equal overlaps), provided the IoU is at
    least the threshold; otherwise it is a false positive (a duplicate
    detection of a taken face is one). Each ground truth is matched at most
    once. This is COCO's rule (pycocotools gives two equal overlaps to the
    later ground truth); the VOC devkit instead lets a detection try only
    its best-overlapping ground truth and makes it a false positive if that
    one is taken.

    $$\text{precision} = \frac{TP}{D}, \qquad \text{recall} = \frac{TP}{G}$$

    Examples
    --------
    Five faces, four detections, three of which find a face (the slide's
    last panel: recall 0.6, precision 0.75; reconstructed, the picture is
    lost):

    >>> faces = [[0, 0, 10, 10], [20, 0, 30, 10], [40, 0, 50, 10], [60, 0, 70, 10], [80, 0, 90, 10]]
    >>> dets = [[1, 0, 11, 10], [20, 1, 30, 11], [41, 1, 51, 11], [0, 30, 10, 40]]
    >>> m = match_detections(faces, dets, [0.9, 0.8, 0.7, 0.6])
    >>> m.tp.tolist(), m.gt_index.tolist()
    ([True, True, True, False], [0, 1, 2, -1])
    >>> float(m.recall), float(m.precision)
    (0.6, 0.75)
    """
    xp, gt, det, s = as_float_arrays(gt_boxes, det_boxes, det_scores)
    _check_boxes(xp, "gt_boxes", gt, ndim=2)
    _check_boxes(xp, "det_boxes", det, ndim=2)
    _check_scores(xp, "det_scores", s, det.shape[0], "detection")
    thr = _fraction("iou_threshold", iou_threshold, allow_zero=False)
    n_det, n_gt = det.shape[0], gt.shape[0]
    gt_index = _greedy_match(xp, _iou(xp, det[:, None, :], gt[None, :, :]), xp.argsort(-s, stable=True), thr)
    gt_index = xp.asarray(gt_index, dtype=xp.int64, device=device(det))
    tp = gt_index >= 0
    hits = float(xp.sum(xp.astype(tp, s.dtype)))
    return DetectionMatch(
        tp=tp,
        gt_index=gt_index,
        precision=xp.asarray(hits / n_det if n_det else 0.0, dtype=s.dtype, device=device(det)),
        recall=xp.asarray(hits / n_gt if n_gt else 0.0, dtype=s.dtype, device=device(det)),
    )


def _greedy_match(xp, iou, order, thr):
    """Matched ground-truth index (or -1) per detection, visiting them in ``order``."""
    n_det, n_gt = iou.shape
    result = [-1] * n_det
    if n_gt == 0:
        return result
    gt_ids = xp.arange(n_gt, device=device(iou))
    free = xp.ones(n_gt, dtype=xp.bool, device=device(iou))
    for r in range(n_det):
        d = int(order[r])
        row = xp.where(free & (iou[d, :] >= thr), iou[d, :], -1.0)
        g = int(xp.argmax(row))
        if bool(row[g] >= 0):
            result[d] = g
            free = free & (gt_ids != g)  # a ground truth is found once
    return result


# --------------------------------------------------------------------------
# Precision and recall down a ranked list, AP and mAP (D3-D7)
# --------------------------------------------------------------------------


def _ranked(scores, correct, n_ground_truth):
    """Validate, rank by decreasing score (stable) and count true positives."""
    xp, s, c = as_float_arrays(scores, correct)
    check_ndim("scores", s, (1,), "a 1-D array")
    _check_scores(xp, "correct", c, s.shape[0], "score")
    check_finite(xp, "scores", s)
    _check_flags(xp, "correct", c)
    n_gt = check_count("n_ground_truth", n_ground_truth, 1)
    order = xp.argsort(-s, stable=True)  # ties: input order
    hits = xp.astype(xp.take(c, order), xp.int64)
    tp = xp.cumulative_sum(hits)  # integers: recall levels are compared exactly
    if s.shape[0] and int(tp[-1]) > n_gt:
        raise ValueError(
            f"n_ground_truth ({n_gt}) is smaller than the number of correct detections ({int(tp[-1])})"
        )
    rank = xp.arange(1, s.shape[0] + 1, dtype=s.dtype, device=device(s))
    return xp, hits, tp, xp.astype(tp, s.dtype) / rank, n_gt


def precision_recall(scores, correct, n_ground_truth):
    r"""Precision and recall at each rank of a list sorted by decreasing score.

    Slide formula: D3.

    Parameters
    ----------
    scores : array-like of shape (D,)
        Confidence of each detection (any order).
    correct : array-like of bool, shape (D,)
        Whether each detection is a true positive (e.g. ``tp`` of
        `match_detections`).
    n_ground_truth : int >= 1
        Number of ground-truth objects, found or not (the recall's
        denominator).

    Returns
    -------
    precision, recall : arrays of shape (D,)
        At rank $n$ (the $n$ highest scores; equal scores keep their input
        order): $TP_n / n$ and $TP_n / G$. Same floating dtype as ``scores``.

    Raises
    ------
    ValueError
        If the lengths differ, a score is not finite, ``correct`` is not
        boolean, or ``n_ground_truth`` is below 1 or below the number of
        correct detections.

    Notes
    -----
    $$P_n = \frac{TP_n}{n}, \qquad R_n = \frac{TP_n}{G}$$

    The slide's table prints 0.66 at rank 3: it is $2/3 = 0.667$ truncated
    (erratum X2).

    Examples
    --------
    The slide's rank table (5 faces in the ground truth):

    >>> p, r = precision_recall([0.9, 0.7, 0.6, 0.3, 0.2], [True, True, False, True, False], 5)
    >>> [round(v, 2) for v in p.tolist()]
    [1.0, 1.0, 0.67, 0.75, 0.6]
    >>> [round(v, 2) for v in r.tolist()]
    [0.2, 0.4, 0.4, 0.6, 0.6]
    """
    xp, _, tp, precision, n_gt = _ranked(scores, correct, n_ground_truth)
    return precision, xp.astype(tp, precision.dtype) / n_gt


def _suffix_max(xp, x):
    """``out[n] = max(x[n:])``: a log-step (Hillis-Steele) scan, O(D log D), any namespace."""
    out, shift = x, 1
    while shift < x.shape[0]:
        out = xp.concat([xp.maximum(out[:-shift], out[shift:]), out[-shift:]])
        shift *= 2
    return out


def _interpolated_ap(xp, tp, envelope, n_gt, n_levels, fill):
    """Mean over recall levels k/(n_levels-1) of the envelope at the first rank reaching them.

    Recall tp/n_gt >= k/(n_levels-1) is tested as tp*(n_levels-1) >= k*n_gt in
    integers: a float level such as 0.6000000000000001 would miss recall 0.6.
    """
    size = tp.shape[0]
    k = xp.arange(n_levels, dtype=xp.int64, device=device(tp))
    first = xp.searchsorted(tp * (n_levels - 1), k * n_gt, side="left")
    at_first = xp.take(envelope, xp.clip(first, max=size - 1))
    return xp.mean(xp.where(first < size, at_first, fill))


def average_precision(scores, correct, n_ground_truth, *, method="voc2007"):
    r"""Average precision of one class from its ranked detections.

    Slide formula: D4, D5, D6 (and the slide's own rule, erratum D4).

    Parameters
    ----------
    scores : array-like of shape (D,)
        Confidence of each detection.
    correct : array-like of bool, shape (D,)
        Whether each detection is a true positive.
    n_ground_truth : int >= 1
        Number of ground-truth objects of the class.
    method : {"voc2007", "slide", "all-point", "coco", "step"}, default="voc2007"
        How precision is averaged over recall (see Notes).

    Returns
    -------
    ap : 0-d array
        In $[0, 1]$, dtype of ``scores``. An empty list gives 0 (a class
        with ground truth and no detection, as in VOC and COCO).

    Raises
    ------
    ValueError
        As `precision_recall`, or for an unknown ``method``.

    Notes
    -----
    With $P_n, R_n$ from `precision_recall` and the interpolated
    precision $p_{\mathrm{interp}}(r) = \max_{n:\,R_n \ge r} P_n$:

    - **"voc2007"** (11-point, PASCAL VOC 2007):
      $\frac{1}{11}\sum_{r \in \{0, 0.1, \dots, 1\}} p_{\mathrm{interp}}(r)$;
      a recall level never reached contributes 0.
    - **"slide"**: the same, but a level never reached gets the precision at
      the last rank, the rule the slide uses for its 8.9/11 = 0.81
      (erratum D4; not a standard definition).
    - **"all-point"** (VOC 2010 and later):
      $\sum_n (R_n - R_{n-1})\, p_{\mathrm{interp}}(R_n)$, the area under the
      precision envelope.
    - **"coco"** (101-point):
      $\frac{1}{101}\sum_{r \in \{0, 0.01, \dots, 1\}} p_{\mathrm{interp}}(r)$,
      unreached levels 0, as pycocotools at one IoU threshold and area range.
    - **"step"**: $\sum_n (R_n - R_{n-1})\, P_n$ without interpolation, as
      ``sklearn.metrics.average_precision_score`` (equal to it when every
      positive is in the list and no two scores tie: scikit-learn treats
      tied scores as one threshold, this function ranks them in input
      order).

    Recall levels are compared exactly, in integers ($TP_n \cdot 10 \ge k\,G$),
    so recall 0.6 reaches the level 0.6. The widely copied VOC code compares
    with ``np.arange(0, 1.1, 0.1)``, whose 0.6 is 0.6000000000000001, and gets
    0.52 instead of 0.59 on the slide's list.

    Examples
    --------
    The slide's list (ranks T T F T F, 5 ground truths):

    >>> s, c = [0.9, 0.7, 0.6, 0.3, 0.2], [True, True, False, True, False]
    >>> [round(float(average_precision(s, c, 5, method=m)), 4) for m in AP_METHODS]
    [0.5909, 0.8091, 0.55, 0.5545, 0.55]
    >>> round(float(average_precision(s, c, 5, method="slide")), 2)  # 8.9 / 11
    0.81
    """
    check_choice("method", method, AP_METHODS)
    xp, hits, tp, precision, n_gt = _ranked(scores, correct, n_ground_truth)
    if precision.shape[0] == 0:
        return xp.asarray(0.0, dtype=precision.dtype, device=device(precision))
    gains = xp.astype(hits, precision.dtype) / n_gt  # R_n - R_{n-1}
    if method == "step":
        return xp.sum(gains * precision)
    envelope = _suffix_max(xp, precision)
    if method == "all-point":
        return xp.sum(gains * envelope)
    fill = precision[-1] if method == "slide" else 0.0
    return _interpolated_ap(xp, tp, envelope, n_gt, _LEVELS[method], fill)


def mean_average_precision(per_class, *, method="voc2007"):
    r"""Mean of the per-class average precisions (mAP).

    Slide formula: D7 ("mean of APs over all classes"; the slides'
    "average of the maximum precisions at different recall values" is the AP
    of one class, erratum X3).

    Parameters
    ----------
    per_class : mapping, sequence or array
        Either the APs of the classes (a 1-D array-like of numbers), or one
        ranked list per class: a mapping ``{class: (scores, correct,
        n_ground_truth)}`` or a sequence of such triples, each passed to
        `average_precision`.
    method : str, default="voc2007"
        The AP method for ranked lists (see `average_precision`);
        ignored for APs given directly.

    Returns
    -------
    map : 0-d array
        $\frac{1}{C}\sum_c AP_c$ over the $C$ classes given.

    Raises
    ------
    ValueError
        If there is no class, an AP is outside [0, 1], or a ranked list is
        invalid.

    Examples
    --------
    >>> float(mean_average_precision([0.5, 0.7, 0.9]))
    0.7
    >>> lists = {"face": ([0.9, 0.7, 0.6, 0.3, 0.2], [True, True, False, True, False], 5),
    ...          "cat": ([0.8, 0.4], [True, True], 2)}
    >>> round(float(mean_average_precision(lists, method="all-point")), 3)  # (0.55 + 1) / 2
    0.775
    """
    check_choice("method", method, AP_METHODS)
    items = list(per_class.values()) if isinstance(per_class, Mapping) else per_class
    if not is_array_api_obj(items) and len(items) and isinstance(items[0], (tuple, list)):
        items = [average_precision(*_triple(i, t), method=method) for i, t in enumerate(items)]
        items = array_namespace(*items).stack(items)
    xp, aps = as_float_arrays(items)
    check_ndim("per_class", aps, (1,), "a 1-D array of per-class APs or a collection of ranked lists")
    check_nonempty("per_class", aps)
    if not bool(xp.all((aps >= 0) & (aps <= 1))):
        raise ValueError("per_class APs must lie in [0, 1] (no NaN)")
    return xp.mean(aps)


def _triple(i, item):
    if len(item) != 3:
        raise ValueError(f"per_class item {i} must be (scores, correct, n_ground_truth), got {len(item)} values")
    return item


# --------------------------------------------------------------------------
# Faster R-CNN (D10)
# --------------------------------------------------------------------------


def rcnn_box_loss(y_true, y_pred, *, positive=None, anchors=None, reduction="sum"):
    r"""Box-regression loss of the slides' Faster R-CNN.

    Slide formula: D10 (the box term; the class term is
    `rcnn_class_loss`).

    Parameters
    ----------
    y_true : array-like of shape (N, 4)
        Ground-truth boxes $(x, y, w, h)$ as **centre, width, height**
        ("cxcywh"), $w, h > 0$.
    y_pred : array-like of shape (N, 4)
        Predicted boxes $(\hat x_i, \hat y_i, \hat w_i, \hat h_i)$, same format.
    positive : array-like of bool, shape (N,), optional
        The indicator $\mathbb 1_i$: proposals matched to an object (the
        others contribute nothing). Default: all boxes.
    anchors : array-like of shape (N, 4), optional
        Anchor (or proposal) boxes in cxcywh. When given, centre differences
        are divided by the anchor's width and height, the parametrisation of
        Faster R-CNN ($t_x = (x - x_a)/w_a$, $t_w = \log(w / w_a)$); the
        log-size terms do not change because $\log(w/w_a) - \log(\hat w/w_a)
        = \log w - \log \hat w$.
    reduction : {"sum", "mean", "none"}, default="sum"
        "sum" is the slide's $\sum_i$; "mean" divides by the number of
        positive boxes (0 when there is none); "none" returns the per-box
        terms (0 for negatives).

    Returns
    -------
    loss : array
        0-d (or shape (N,) for "none"), namespace and dtype of the inputs.

    Raises
    ------
    ValueError
        If the shapes are not (N, 4), a width or height is not positive, a
        value is not finite, or ``positive`` is not boolean.

    Notes
    -----
    $$l_{box} = \sum_i \mathbb 1_i\left[(x - \hat x_i)^2 + (y - \hat y_i)^2
    + (\log w - \log \hat w_i)^2 + (\log h - \log \hat h_i)^2\right]$$

    As printed on the slide: squared errors. The published Faster R-CNN uses
    the smooth-L1 loss on the same four differences.

    Examples
    --------
    >>> float(rcnn_box_loss([[5.0, 5.0, 4.0, 2.0]], [[6.0, 5.0, 4.0, 2.0]]))
    1.0
    >>> round(float(rcnn_box_loss([[5.0, 5.0, 4.0, 2.0]], [[5.0, 5.0, 2.0, 2.0]])), 4)  # (log 2)^2
    0.4805
    >>> float(rcnn_box_loss([[5.0, 5.0, 4.0, 2.0]], [[6.0, 5.0, 4.0, 2.0]],
    ...                     anchors=[[5.0, 5.0, 2.0, 2.0]]))  # (1/2)^2
    0.25
    """
    check_choice("reduction", reduction, REDUCTIONS)
    xp, t, p = as_float_arrays(y_true, y_pred)
    _check_rcnn_boxes(xp, "y_true", t)
    _check_rcnn_boxes(xp, "y_pred", p)
    check_same_shape("y_true", t, "y_pred", p)
    centre = t[:, :2] - p[:, :2]
    if anchors is not None:
        # converted beside y_true: a list of anchors takes its dtype and device
        _, _, a = as_float_arrays(t, anchors, names=("y_true", "anchors"))
        _check_rcnn_boxes(xp, "anchors", a)
        if a.shape != t.shape:
            raise ValueError(f"anchors must have the shape of y_true {tuple(t.shape)}, got {tuple(a.shape)}")
        centre = centre / a[:, 2:]
    size = xp.log(t[:, 2:]) - xp.log(p[:, 2:])
    per_box = xp.sum(centre * centre, axis=1) + xp.sum(size * size, axis=1)
    mask = _positive_mask(xp, t, positive)
    per_box = xp.where(mask, per_box, 0.0)
    if reduction == "mean":
        n_pos = int(xp.sum(xp.astype(mask, xp.int64)))
        return xp.sum(per_box) / max(n_pos, 1)
    return reduce(xp, per_box, reduction)


def _check_rcnn_boxes(xp, name, b):
    check_ndim(name, b, (2,), "a 2-D array of shape (N, 4) of cxcywh boxes")
    _check_boxes(xp, name, b, "cxcywh")
    if not bool(xp.all(b[:, 2:] > 0)):
        raise ValueError(f"{name} must have positive widths and heights (their logarithms are taken)")


def _positive_mask(xp, boxes, positive):
    """The indicator 1_i as a bool array on the device of ``boxes`` (all True by default)."""
    if positive is None:
        return xp.ones(boxes.shape[0], dtype=xp.bool, device=device(boxes))
    _, _, flags = as_float_arrays(boxes, positive, names=("y_true", "positive"))
    _check_scores(xp, "positive", flags, boxes.shape[0], "box")
    _check_flags(xp, "positive", flags)
    return flags == 1


def rcnn_class_loss(labels, logits, *, reduction="sum"):
    r"""Classification term of the slides' Faster R-CNN: cross-entropy per proposal.

    Slide formula: D10 ($l_{class} = \sum_c \mathrm{entropy}(c, \hat c)$).

    Parameters
    ----------
    labels : array-like of int, shape (N,)
        Class index of each proposal (background included as a class).
    logits : array-like of shape (N, C)
        Unnormalised class scores.
    reduction : {"sum", "mean", "none"}, default="sum"
        Over the proposals.

    Returns
    -------
    loss : array
        0-d (or shape (N,)), namespace and dtype of ``logits``.

    Raises
    ------
    ValueError
        If the shapes disagree, a label is not an integer in $[0, C)$, or a
        logit is not finite.

    Notes
    -----
    $$l_{class} = -\sum_i \log \operatorname{softmax}(z_i)_{c_i}$$

    the cross-entropy of the one-hot target $c_i$ and the predicted
    distribution, the "entropy" of the slide.

    Examples
    --------
    >>> round(float(rcnn_class_loss([0, 1], [[2.0, 0.0], [0.0, 2.0]])), 4)
    0.2539
    """
    xp, z, y = as_float_arrays(logits, labels, names=("logits", "labels"))
    check_ndim("logits", z, (2,), "a 2-D array of shape (N, C)")
    check_finite(xp, "logits", z)
    _check_scores(xp, "labels", y, z.shape[0], "row of logits")
    n_classes = z.shape[1]
    if not bool(xp.all((y == xp.floor(y)) & (y >= 0) & (y < n_classes))):
        raise ValueError(f"labels must be integers in [0, {n_classes})")
    onehot = xp.astype(y, xp.int64)[:, None] == xp.arange(n_classes, device=device(z))[None, :]
    per_row = -xp.sum(xp.where(onehot, log_softmax(z, axis=1), 0.0), axis=1)
    return reduce(xp, per_row, reduction)


# --------------------------------------------------------------------------
# YOLO (D11, D12)
# --------------------------------------------------------------------------


def yolo_loss(
    y_true,
    y_pred,
    *,
    lambda_coord=5.0,
    lambda_noobj=0.5,
    confidence_target="iou",
    reduction="sum",
    return_terms=False,
):
    r"""The YOLO (v1) loss over an $S \times S$ grid with $B$ boxes per cell.

    Slide formula: D11 (with the confidence target $C_i$ of the later slide,
    erratum X6).

    Parameters
    ----------
    y_true : array-like of shape (..., S, S, 5 + C)
        Per cell: $(x, y, w, h, \mathbb 1^{obj}, p(1), \dots, p(C))$. $x, y$
        are the object's centre relative to the cell (in $[0, 1]$), $w, h$
        its size relative to the image, $\mathbb 1^{obj}$ is 1 if an
        object's centre falls in the cell (else 0, and the rest of the row is
        ignored), $p(c)$ the class target (one-hot). Leading axes are images.
    y_pred : array-like of shape (..., S, S, 5B + C)
        Per cell: $B$ boxes $(\hat x, \hat y, \hat w, \hat h, \hat C)$ one
        after the other, then the $C$ class probabilities $\hat p(c)$.
        $\hat w, \hat h \ge 0$ (their square roots are taken).
    lambda_coord : float, default=5.0
        Weight of the coordinate terms.
    lambda_noobj : float, default=0.5
        Weight of the confidence term of predictors not responsible for an
        object.
    confidence_target : {"iou", "one"}, default="iou"
        $C_i$ for the responsible predictor: its IoU with the ground-truth
        box (the YOLO paper: confidence = Pr(object)·IoU), or 1.
    reduction : {"sum", "mean", "none"}, default="sum"
        Over the images (leading axes): each image's loss is the slide's sum
        over cells and boxes.
    return_terms : bool, default=False
        Also return the five weighted terms (they add up to the loss).

    Returns
    -------
    loss : array
        0-d (or per image for "none"), namespace and dtype of the inputs.
    terms : dict, only if ``return_terms``
        ``{"xy", "wh", "obj", "noobj", "class"}``, each reduced as the loss.

    Raises
    ------
    ValueError
        If the grids differ, the last axes do not fit $5 + C$ and $5B + C$,
        $\mathbb 1^{obj}$ is not 0/1, a width or height is negative, or a
        value is not finite.

    Notes
    -----
    $$\begin{aligned}
    L = {} & \lambda_{coord}\sum_{i=0}^{S^2}\sum_{j=0}^{B}\mathbb 1^{obj}_{ij}
      \left[(x_i - \hat x_{ij})^2 + (y_i - \hat y_{ij})^2\right] \\
    & + \lambda_{coord}\sum_{i,j}\mathbb 1^{obj}_{ij}
      \left[(\sqrt{w_i} - \sqrt{\hat w_{ij}})^2 + (\sqrt{h_i} - \sqrt{\hat h_{ij}})^2\right] \\
    & + \sum_{i,j}\mathbb 1^{obj}_{ij}(C_i - \hat C_{ij})^2
      + \lambda_{noobj}\sum_{i,j}\mathbb 1^{noobj}_{ij}(0 - \hat C_{ij})^2 \\
    & + \sum_i \mathbb 1^{obj}_i \sum_{c}(p_i(c) - \hat p_i(c))^2
    \end{aligned}$$

    $\mathbb 1^{obj}_{ij}$ is 1 for the **responsible** predictor: in a cell
    holding an object, the box $j$ with the highest IoU with the
    ground-truth box (the first on ties); $\mathbb 1^{noobj}_{ij} = 1 -
    \mathbb 1^{obj}_{ij}$ (every other predictor, whose target confidence is
    0). The IoU is taken in image units: both centres lie in the same cell,
    so $x/S$ against $\hat x/S$ with the sizes as given. The first loss slide
    prints the target as $\hat C_i$; the target is the ground truth's $C_i$
    (erratum X6).

    Examples
    --------
    The hand-checked 2×2 grid ($S=2$, $B=2$, $C=2$): one object in cell
    (0, 0); its first predictor is responsible (IoU 0.25, the second has 0).

    >>> import numpy as np
    >>> y_true = np.zeros((2, 2, 7))
    >>> y_true[0, 0] = [0.5, 0.5, 0.36, 0.64, 1.0, 1.0, 0.0]
    >>> y_pred = np.zeros((2, 2, 12))
    >>> y_pred[0, 0] = [0.4, 0.6, 0.16, 0.36, 0.5, 0.0, 0.0, 0.04, 0.04, 0.2, 0.7, 0.3]
    >>> y_pred[0, 1, 4], y_pred[1, 0, 4], y_pred[1, 1, 9] = 0.1, 0.2, 0.4
    >>> loss, terms = yolo_loss(y_true, y_pred, return_terms=True)
    >>> {k: round(float(v), 4) for k, v in terms.items()}
    {'xy': 0.1, 'wh': 0.4, 'obj': 0.0625, 'noobj': 0.125, 'class': 0.18}
    >>> round(float(loss), 4)
    0.8675
    """
    check_choice("confidence_target", confidence_target, ("iou", "one"))
    check_choice("reduction", reduction, REDUCTIONS)
    lambda_coord = check_nonnegative_real("lambda_coord", lambda_coord)
    lambda_noobj = check_nonnegative_real("lambda_noobj", lambda_noobj)
    xp, t, p, n_boxes = _yolo_inputs(y_true, y_pred)
    cells = p.shape[:-1]
    boxes = xp.reshape(p[..., : 5 * n_boxes], (*cells, n_boxes, 5))
    gt = t[..., None, :4]  # one ground-truth box per cell, against each predictor
    obj = t[..., 4] == 1
    iou = _cell_iou(xp, gt, boxes[..., :4], t.shape[-3], t.shape[-2])
    best = xp.argmax(iou, axis=-1)  # the first on ties
    resp = (xp.arange(n_boxes, device=device(p)) == best[..., None]) & obj[..., None]
    conf = boxes[..., 4]
    target = iou if confidence_target == "iou" else 1.0
    d_xy, d_wh = gt[..., :2] - boxes[..., :2], xp.sqrt(gt[..., 2:]) - xp.sqrt(boxes[..., 2:4])
    d_cls = t[..., 5:] - p[..., 5 * n_boxes :]
    terms = {
        "xy": lambda_coord * _masked_sum(xp, resp, xp.sum(d_xy * d_xy, axis=-1)),
        "wh": lambda_coord * _masked_sum(xp, resp, xp.sum(d_wh * d_wh, axis=-1)),
        "obj": _masked_sum(xp, resp, (target - conf) ** 2),
        "noobj": lambda_noobj * _masked_sum(xp, ~resp, conf * conf),
        "class": _masked_sum(xp, obj[..., None], xp.sum(d_cls * d_cls, axis=-1)[..., None]),
    }
    loss = reduce(xp, sum(terms.values()), reduction)
    if return_terms:
        return loss, {k: reduce(xp, v, reduction) for k, v in terms.items()}
    return loss


def _yolo_inputs(y_true, y_pred):
    """Validated targets and predictions, and the number of boxes per cell B."""
    xp, t, p = as_float_arrays(y_true, y_pred)
    check_ndim("y_true", t, tuple(range(3, 33)), "of shape (..., S, S, 5 + C)")
    if p.shape[:-1] != t.shape[:-1]:
        raise ValueError(
            f"y_pred and y_true must share the grid (all but the last axis), got {tuple(p.shape)} and {tuple(t.shape)}"
        )
    n_classes = t.shape[-1] - 5
    n_boxes, extra = divmod(p.shape[-1] - n_classes, 5)
    if n_classes < 0 or n_boxes < 1 or extra:
        raise ValueError(
            f"y_true's last axis must be 5 + C and y_pred's 5B + C with B >= 1, got {t.shape[-1]} and {p.shape[-1]}"
        )
    check_finite(xp, "y_true", t)
    check_finite(xp, "y_pred", p)
    _check_flags(xp, "y_true[..., 4] (the object indicator)", t[..., 4])
    if not bool(xp.all(t[..., 2:4] >= 0)):
        raise ValueError("y_true has a negative width or height (y_true[..., 2:4])")
    sizes = xp.reshape(p[..., : 5 * n_boxes], (*p.shape[:-1], n_boxes, 5))[..., 2:4]
    if not bool(xp.all(sizes >= 0)):
        raise ValueError("y_pred has a negative predicted width or height (their square roots are taken)")
    return xp, t, p, n_boxes


def _cell_iou(xp, gt, pred, s_rows, s_cols):
    """IoU of cell-relative (x, y, w, h) boxes sharing a cell, in image units."""

    def corners(b):
        cx, cy = b[..., 0] / s_cols, b[..., 1] / s_rows
        w, h = b[..., 2], b[..., 3]
        return xp.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)

    return _iou(xp, corners(gt), corners(pred))


def _masked_sum(xp, mask, values):
    """Sum over the grid and boxes (last three axes) of ``values`` where ``mask``."""
    return xp.sum(xp.where(mask, values, 0.0), axis=(-3, -2, -1))


def yolo_decode(t, anchors):
    r"""YOLOv2 box decoding: offsets bounded to their cell, sizes scaling priors.

    Slide formula: D12.

    Parameters
    ----------
    t : array-like of shape (..., H, W, A, 4)
        Raw network outputs $(t_x, t_y, t_w, t_h)$ for each cell (row $c_y$,
        column $c_x$) and each of the $A$ priors.
    anchors : array-like of shape (A, 2)
        The priors' widths and heights $(p_w, p_h)$ in grid-cell units
        (e.g. from `kmeans_anchors`, times the grid size).

    Returns
    -------
    boxes : array of shape (..., H, W, A, 4)
        $(b_x, b_y, b_w, b_h)$: centre and size in grid-cell units; divide
        $b_x, b_w$ by $W$ and $b_y, b_h$ by $H$ for fractions of the image.

    Raises
    ------
    ValueError
        If the shapes do not fit, a value is not finite, or a prior is not
        positive.

    Notes
    -----
    $$b_x = \sigma(t_x) + c_x,\quad b_y = \sigma(t_y) + c_y,\quad
    b_w = p_w e^{t_w},\quad b_h = p_h e^{t_h}$$

    The sigmoid keeps the centre inside its cell ("bound x and y to the
    bounds of the cell"); $e^{t}$ scales the predefined shape. Huge $t_w$,
    $t_h$ give large finite sizes (at most the largest float divided by $e$)
    instead of overflowing to infinity.

    Examples
    --------
    >>> t = [[[[0.0, 0.0, 0.0, 0.0]], [[0.0, 0.0, 0.6931471805599453, 0.0]]]]  # H=1, W=2, A=1
    >>> yolo_decode(t, [[2.0, 3.0]]).tolist()
    [[[[0.5, 0.5, 2.0, 3.0]], [[1.5, 0.5, 4.0, 3.0]]]]
    """
    xp, t, a = as_float_arrays(t, anchors)
    check_ndim("t", t, tuple(range(4, 33)), "of shape (..., H, W, A, 4)")
    check_ndim("anchors", a, (2,), "of shape (A, 2)")
    if t.shape[-1] != 4 or a.shape[1] != 2 or t.shape[-2] != a.shape[0]:
        raise ValueError(
            f"t must be (..., H, W, A, 4) with A = len(anchors) and anchors (A, 2), "
            f"got {tuple(t.shape)} and {tuple(a.shape)}"
        )
    check_finite(xp, "t", t)
    check_finite(xp, "anchors", a)
    if not bool(xp.all(a > 0)):
        raise ValueError("anchors must have positive widths and heights")
    dev = device(t)
    c_x = xp.arange(t.shape[-3], dtype=t.dtype, device=dev)[:, None]  # column index, x
    c_y = xp.arange(t.shape[-4], dtype=t.dtype, device=dev)[:, None, None]  # row index, y
    # cap the exponent so that e^t and p * e^t both stay below the largest float / e:
    # no overflow warning, also for priors smaller than 1
    cap = math.log(xp.finfo(t.dtype).max) - 1 - xp.maximum(xp.log(a), 0.0)
    size = a * xp.exp(xp.minimum(t[..., 2:], cap))
    return xp.stack(
        [sigmoid(t[..., 0]) + c_x, sigmoid(t[..., 1]) + c_y, size[..., 0], size[..., 1]], axis=-1
    )


def wh_iou(wh1, wh2):
    r"""Pairwise IoU of boxes given by width and height, aligned at a corner.

    Slide formula: D12 (the k-means distance $1 - \mathrm{IoU}$).

    Parameters
    ----------
    wh1 : array-like of shape (N, 2)
        Widths and heights, $\ge 0$.
    wh2 : array-like of shape (M, 2)
        Widths and heights, $\ge 0$.

    Returns
    -------
    iou : array of shape (N, M)
        $\frac{\min(w, w')\min(h, h')}{wh + w'h' - \min(w, w')\min(h, h')}$:
        the IoU of the two boxes placed at the same corner (or centre), so
        that only their shapes count.

    Raises
    ------
    ValueError
        If a shape is not (., 2), a value is negative or not finite.

    Examples
    --------
    >>> wh_iou([[2.0, 2.0]], [[2.0, 2.0], [1.0, 4.0], [4.0, 4.0]]).tolist()
    [[1.0, 0.3333333333333333, 0.25]]
    """
    xp, a, b = as_float_arrays(wh1, wh2)
    _check_wh(xp, "wh1", a)
    _check_wh(xp, "wh2", b)
    return _wh_iou(xp, a, b)


def _check_wh(xp, name, wh):
    check_ndim(name, wh, (2,), "a 2-D array of shape (N, 2) of widths and heights")
    if wh.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2) (width, height), got {tuple(wh.shape)}")
    check_finite(xp, name, wh)
    if not bool(xp.all(wh >= 0)):
        raise ValueError(f"{name} has a negative width or height")


def _wh_iou(xp, a, b):
    zero = xp.zeros_like(a)
    return _iou(xp, xp.concat([zero, a], axis=1)[:, None, :], xp.concat([xp.zeros_like(b), b], axis=1)[None, :, :])


def kmeans_anchors(wh, k=5, *, update="mean", n_init=3, max_iter=300, seed=None, xp=None):
    r"""Anchor shapes (priors) by k-means on box sizes with distance $1 - \mathrm{IoU}$.

    Slide formula: D12 ("good shape priors found via clustering"; YOLOv2
    uses $k = 5$).

    Parameters
    ----------
    wh : array-like of shape (N, 2)
        Widths and heights of the training boxes, $> 0$ (any unit).
    k : int, default=5
        Number of anchors, $1 \le k \le N$.
    update : {"mean", "median"}, default="mean"
        How a centroid is recomputed from its boxes: the mean (Lloyd's
        k-means, as in YOLOv2) or the per-coordinate median (more robust to
        outlying sizes).
    n_init : int, default=3
        Runs from different k-means++ seeds; the run with the highest mean
        IoU between each box and its anchor wins.
    max_iter : int, default=300
        Iterations per run; a run stops earlier when no box changes cluster.
    seed : int, numpy.random.Generator or None
        Seed of the initialisation (drawn with NumPy, see dlnotes.backend).
    xp : str or namespace, optional
        Namespace for plain (list) input; array input keeps its namespace and
        a conflicting ``xp`` is an error.

    Returns
    -------
    anchors : array of shape (k, 2)
        Widths and heights, sorted by increasing area.

    Raises
    ------
    ValueError
        If ``wh`` is not (N, 2) of positive finite sizes, ``k`` is not in
        $[1, N]$, or an option is invalid.

    Notes
    -----
    $$d(\text{box}, \text{centroid}) = 1 - \mathrm{IoU}(\text{box}, \text{centroid})$$

    with both boxes aligned at a corner (`wh_iou`), so large boxes do
    not dominate as they would with Euclidean distance. Assignment is
    vectorised (one $N \times k$ IoU matrix per iteration). A cluster left
    empty keeps its previous centroid. Initialisation is k-means++: each new
    seed is drawn with probability proportional to its distance to the
    nearest seed.

    Examples
    --------
    >>> wh = [[1.0, 1.0], [1.1, 0.9], [0.9, 1.1], [4.0, 8.0], [4.2, 7.8], [3.8, 8.2]]
    >>> kmeans_anchors(wh, k=2, seed=0).tolist()
    [[1.0, 1.0], [4.0, 8.0]]
    """
    check_choice("update", update, ("mean", "median"))
    k = check_count("k", k, 1)
    n_init = check_count("n_init", n_init, 1)
    max_iter = check_count("max_iter", max_iter, 1)
    space = _kmeans_namespace(wh, xp)
    _, wh = as_float_arrays(wh, xp=space)
    _check_wh(space, "wh", wh)
    if not bool(space.all(wh > 0)):
        raise ValueError("wh must have positive widths and heights")
    if k > wh.shape[0]:
        raise ValueError(f"k ({k}) must not exceed the number of boxes ({wh.shape[0]})")
    rng = random_generator(seed)
    best, best_fit = None, -1.0
    for _ in range(n_init):
        centroids = _lloyd(space, wh, _kmeans_pp(space, wh, k, rng), update, max_iter)
        fit = float(space.mean(space.max(_wh_iou(space, wh, centroids), axis=1)))
        if fit > best_fit:
            best, best_fit = centroids, fit
    return space.take(best, space.argsort(best[:, 0] * best[:, 1], stable=True), axis=0)


def _kmeans_namespace(wh, xp):
    """The namespace of ``wh`` if it is an array, else ``xp`` (or the default)."""
    if xp is None or not is_array_api_obj(wh):
        return array_namespace(wh, xp=xp)
    own, wanted = array_namespace(wh), resolve_backend(xp)
    if own is not wanted:
        raise ValueError(f"xp={getattr(wanted, '__name__', wanted)} conflicts with wh's namespace {own.__name__}")
    return own


def _kmeans_pp(xp, wh, k, rng):
    """k-means++ seeds under the 1 - IoU distance, drawn with ``rng``."""
    n = wh.shape[0]
    chosen = [int(rng.integers(n))]
    dist = 1 - _wh_iou(xp, wh, wh[chosen[0] : chosen[0] + 1, :])[:, 0]
    for _ in range(1, k):
        cum = xp.cumulative_sum(xp.clip(dist, min=0.0))
        total = float(cum[-1])
        if total > 0:  # draw proportionally to the distance to the nearest seed
            u = xp.asarray([rng.random() * total], dtype=cum.dtype, device=device(cum))
            i = min(int(xp.searchsorted(cum, u, side="right")[0]), n - 1)
        else:  # every box already coincides with a seed
            i = int(rng.integers(n))
        chosen.append(i)
        dist = xp.minimum(dist, 1 - _wh_iou(xp, wh, wh[i : i + 1, :])[:, 0])
    return xp.take(wh, xp.asarray(chosen, device=device(wh)), axis=0)


def _lloyd(xp, wh, centroids, update, max_iter):
    """Alternate assignment to the closest centroid (largest IoU) and update."""
    previous = None
    for _ in range(max_iter):
        assign = xp.argmax(_wh_iou(xp, wh, centroids), axis=1)
        if previous is not None and bool(xp.all(assign == previous)):
            break
        previous = assign
        members = [xp.take(wh, xp.nonzero(assign == j)[0], axis=0) for j in range(centroids.shape[0])]
        centroids = xp.stack([_centre(xp, m, centroids[j, :], update) for j, m in enumerate(members)])
    return centroids


def _centre(xp, members, old, update):
    if members.shape[0] == 0:
        return old  # an empty cluster keeps its centroid
    if update == "mean":
        return xp.mean(members, axis=0)
    ordered, m = xp.sort(members, axis=0), members.shape[0]
    return (ordered[(m - 1) // 2, :] + ordered[m // 2, :]) / 2

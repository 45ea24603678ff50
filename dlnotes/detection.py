r"""Object detection (slides 000 part 6, 002, 003): boxes, IoU, NMS, matching,
precision and recall down a ranked list, AP and mAP, and the R-CNN and YOLO
losses with YOLOv2's box decoding and anchors.

Boxes are ``(x1, y1, x2, y2)`` ("xyxy") unless a function says otherwise: the
top-left and bottom-right corners, x to the right and y downwards, with
``x2 >= x1`` and ``y2 >= y1``. `box_convert` converts from and to
"xywh" (top-left corner, width, height: COCO and OpenCV) and "cxcywh" (centre,
width, height: YOLO). Coordinates are continuous: a box from 0 to 10 is 10
wide (no "+1 pixel" convention).

Host-device syncs (with ``dlnotes.checks(False)``; with the checks on, one
more): none, except where the algorithm reads the data itself. `nms` returns
as many indices as it keeps, so it reads which boxes survive (a few reads per
block of 32 candidates); `kmeans_anchors` reads its convergence test once per
iteration. `match_detections` makes none: its loop runs once per ground-truth
box (at most), whatever the number of detections.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import array_api_compat
from array_api_compat import device, is_array_api_obj

from dlnotes._checks import (
    REDUCTIONS,
    Choice,
    Count,
    Flag,
    Floats,
    Ints,
    Optional,
    Real,
    Seed,
    Spec,
    checked,
    reduce,
)
from dlnotes.backend import (
    array_namespace,
    as_float_arrays,
    default_float,
    float_arrays,
    random_generator,
    resolve_backend,
)
from dlnotes.coco import coco_evaluate  # COCO evaluation has its own module (NumPy only, json)

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


# --------------------------------------------------------------------------
# Checks of this module (the specs and rules of the decorators below)
# --------------------------------------------------------------------------


class Boxes(Floats):
    """Boxes: 4 finite coordinates on the last axis, and no box turned inside out.

    ``fmt`` is a format of `BOX_FORMATS` or the name of the argument that holds
    it. xyxy boxes need x2 >= x1 and y2 >= y1, the others a width and height
    >= 0. ``ndim=2`` asks for a set of boxes (N, 4). Empty sets are allowed.
    """

    def __init__(self, *, fmt="xyxy", ndim=None):
        super().__init__(nonempty=False)
        self.fmt, self.box_ndim = fmt, ndim

    def check(self, name, a, call):
        form, shape = call.args.get(self.fmt, self.fmt), tuple(getattr(a, "shape", ()))
        if a is not None and self.box_ndim is not None and a.ndim != self.box_ndim:
            raise ValueError(
                f"{name} must be a {self.box_ndim}-D array of shape (N, 4), got shape {shape}"
            )
        if a is not None and (a.ndim < 1 or shape[-1] != 4):
            coords = _COORDS.get(form, _COORDS["xyxy"])
            raise ValueError(
                f"{name} must have 4 coordinates ({coords}) on its last axis, got shape {shape}"
            )
        a = super().check(name, a, call)  # finite
        xp = call.xp
        if form == "xyxy":
            for lo, hi, axis in ((0, 2, "x"), (1, 3, "y")):
                call.require(
                    xp.all(a[..., hi] >= a[..., lo]),
                    f"{name} has a box with {axis}2 < {axis}1; xyxy boxes need x2 >= x1 and "
                    "y2 >= y1 (convert other formats with box_convert)",
                )
        elif form in _COORDS:  # an unknown format is the Choice spec's error
            call.require(
                xp.all(a[..., 2:] >= 0),
                f"{name} has a box with a negative width or height ({form}: {_COORDS[form]})",
            )
        return a


class Sizes(Floats):
    """Widths and heights: an (N, 2) array of finite values, > 0 (or >= 0 with ``zero``)."""

    def __init__(self, *, zero=True):
        super().__init__(nonempty=False)
        self.zero = zero

    def check(self, name, wh, call):
        if wh is not None and (wh.ndim != 2 or wh.shape[1] != 2):
            raise ValueError(
                f"{name} must be a 2-D array of shape (N, 2) of widths and heights, "
                f"got shape {tuple(wh.shape)}"
            )
        wh = super().check(name, wh, call)
        if self.zero:
            call.require(call.xp.all(wh >= 0), f"{name} has a negative width or height")
        else:
            call.require(call.xp.all(wh > 0), f"{name} must have positive widths and heights")
        return wh


def _entries(name, of, what):
    """Rule: ``name`` (if given) is 1-D with one entry per row of ``of``."""

    def rule(call):
        a, n = call.args[name], call.args[of].shape[0]
        if a is None:
            return
        if a.ndim != 1:
            raise ValueError(
                f"{name} must be a 1-D array with one entry per {what}, got shape {tuple(a.shape)}"
            )
        if a.shape[0] != n:
            raise ValueError(f"{name} must have one entry per {what}: got {a.shape[0]} for {n}")

    return rule


def _flags(name):
    """Rule: ``name`` (if given) holds 0/1 (False/True) only."""

    def rule(call):
        a = call.args[name]
        if a is not None:
            xp = call.xp
            call.require(
                xp.all((a == 0) | (a == 1)), f"{name} must hold booleans (True/False or 1/0)"
            )

    return rule


def _ranked_list(call, scores, correct, n_ground_truth, where=""):
    """Data checks of one ranked list: 0/1 flags, no more correct ones than ground truths."""
    xp = call.xp
    call.require(
        xp.all((correct == 0) | (correct == 1)),
        f"{where}correct must hold booleans (True/False or 1/0)",
    )
    call.require(
        xp.sum(correct) <= n_ground_truth,
        f"{where}n_ground_truth ({n_ground_truth}) must be at least the number of correct "
        "detections",
    )


def _ranked(call):
    """Rule of `precision_recall` and `average_precision`."""
    _entries("correct", "scores", "score")(call)
    args = call.args
    _ranked_list(call, args["scores"], args["correct"], args["n_ground_truth"])


class PerClass(Spec):
    """Per-class APs (a 1-D array-like in [0, 1]) or ranked lists, one triple per class.

    APs come back as a floating array; ranked lists (a mapping's values or a
    sequence of ``(scores, correct, n_ground_truth)``) as a list of triples of
    arrays, checked here as `average_precision` checks its arguments (the
    calls in the body skip their data checks).
    """

    def check(self, name, value, call):
        items = list(value.values()) if isinstance(value, Mapping) else value
        if isinstance(items, (list, tuple)) and items and isinstance(items[0], (list, tuple)):
            return [
                self.ranked_list(f"{name} item {i}", item, call) for i, item in enumerate(items)
            ]
        xp, aps = as_float_arrays(items, names=(name,))
        if aps.ndim != 1:
            raise ValueError(
                f"{name} must be a 1-D array of per-class APs or a collection of ranked lists, "
                f"got shape {tuple(aps.shape)}"
            )
        if aps.shape[0] == 0:
            raise ValueError(f"{name} must not be empty: mAP needs at least one class")
        call.xp, call.device = xp, device(aps)  # the data check runs in the APs' namespace
        call.require(xp.all((aps >= 0) & (aps <= 1)), f"{name} APs must lie in [0, 1] (no NaN)")
        return aps

    def ranked_list(self, where, item, call):
        if not isinstance(item, (list, tuple)) or len(item) != 3:
            raise ValueError(f"{where} must be (scores, correct, n_ground_truth), got {item!r:.60}")
        xp, scores, correct = as_float_arrays(
            *item[:2], names=(f"{where}: scores", f"{where}: correct")
        )
        n_ground_truth = Count(1).check(f"{where}: n_ground_truth", item[2], call)
        if scores.ndim != 1 or tuple(correct.shape) != tuple(scores.shape):
            raise ValueError(
                f"{where}: scores and correct must be 1-D of one length, "
                f"got shapes {tuple(scores.shape)} and {tuple(correct.shape)}"
            )
        if call.xp is None:
            call.xp, call.device = xp, device(scores)
        call.require(xp.all(xp.isfinite(scores)), f"{where}: scores must be finite")
        _ranked_list(call, scores, correct, n_ground_truth, where=f"{where}: ")
        return scores, correct, n_ground_truth


def _rcnn_rule(call):
    """Rule of `rcnn_box_loss`: positive sizes (logs are taken), one 0/1 flag per box."""
    xp = call.xp
    for name in ("y_true", "y_pred", "anchors"):
        b = call.args[name]
        if b is not None:
            call.require(
                xp.all(b[:, 2:] > 0),
                f"{name} must have positive widths and heights (their logarithms are taken)",
            )
    _entries("positive", "y_true", "box")(call)
    _flags("positive")(call)


def _class_rule(call):
    """Rule of `rcnn_class_loss`: one label in [0, C) per row of logits."""
    _entries("labels", "logits", "row of logits")(call)
    n_classes = call.args["logits"].shape[1]
    call.require(
        call.xp.all(call.args["labels"] < n_classes), f"labels must be integers in [0, {n_classes})"
    )


def _yolo_rule(call):
    """Rule of `yolo_loss`: grids that fit 5 + C and 5B + C, 0/1 objects, sizes >= 0."""
    t, p = call.args["y_true"], call.args["y_pred"]
    if t.ndim < 3:
        raise ValueError(f"y_true must be of shape (..., S, S, 5 + C), got shape {tuple(t.shape)}")
    if tuple(p.shape[:-1]) != tuple(t.shape[:-1]):
        raise ValueError(
            "y_pred and y_true must share the grid (all but the last axis), "
            f"got {tuple(p.shape)} and {tuple(t.shape)}"
        )
    n_classes = t.shape[-1] - 5
    n_boxes, extra = divmod(p.shape[-1] - n_classes, 5)
    if n_classes < 0 or n_boxes < 1 or extra:
        raise ValueError(
            "y_true's last axis must be 5 + C and y_pred's 5B + C with B >= 1, "
            f"got {t.shape[-1]} and {p.shape[-1]}"
        )
    xp, obj = call.xp, t[..., 4]
    call.require(
        xp.all((obj == 0) | (obj == 1)),
        "y_true[..., 4] (the object indicator) must hold booleans (True/False or 1/0)",
    )
    call.require(
        xp.all(t[..., 2:4] >= 0), "y_true has a negative width or height (y_true[..., 2:4])"
    )
    sizes = xp.reshape(p[..., : 5 * n_boxes], (*p.shape[:-1], n_boxes, 5))[..., 2:4]
    call.require(
        xp.all(sizes >= 0),
        "y_pred has a negative predicted width or height (their square roots are taken)",
    )


def _decode_rule(call):
    """Rule of `yolo_decode`: t (..., H, W, A, 4) for A priors (A, 2) of positive size."""
    t, a = call.args["t"], call.args["anchors"]
    if (
        t.ndim < 4
        or a.ndim != 2
        or t.shape[-1] != 4
        or a.shape[1] != 2
        or t.shape[-2] != a.shape[0]
    ):
        raise ValueError(
            "t must be (..., H, W, A, 4) with A = len(anchors) and anchors (A, 2), "
            f"got {tuple(t.shape)} and {tuple(a.shape)}"
        )
    call.require(call.xp.all(a > 0), "anchors must have positive widths and heights")


class BoxSizes(Spec):
    """The training box sizes of `kmeans_anchors`: `Sizes` > 0, in the namespace ``xp``.

    Not a `Floats` spec: plain input is converted with the call's ``xp``
    (default: the default backend); an array keeps its own namespace, and an
    ``xp`` naming another one is an error.
    """

    def check(self, name, value, call):
        wanted = call.args["xp"]
        if wanted is not None and is_array_api_obj(value):
            own, wanted = array_namespace(value), resolve_backend(wanted)
            if own is not wanted:
                raise ValueError(
                    f"xp={getattr(wanted, '__name__', wanted)} conflicts with {name}'s "
                    f"namespace {own.__name__}"
                )
        xp, wh = as_float_arrays(value, xp=array_namespace(value, xp=wanted), names=(name,))
        call.xp, call.device = xp, device(wh)
        return Sizes(zero=False).check(name, wh, call)


def _k_rule(call):
    """Rule of `kmeans_anchors`: no more anchors than boxes."""
    k, n = call.args["k"], call.args["wh"].shape[0]
    if k > n:
        raise ValueError(f"k ({k}) must not exceed the number of boxes ({n})")


# --------------------------------------------------------------------------
# Boxes (D1)
# --------------------------------------------------------------------------


def _iou(xp, a, b, plus=0.0):
    """IoU of xyxy boxes ``a`` and ``b`` broadcast against each other.

    One coordinate at a time, so pairwise IoU of (N, 1, 4) and (1, M, 4) boxes
    makes (N, M) temporaries, never (N, M, 2). ``plus=1.0`` is the VOC devkit's
    inclusive-pixel rule: every width and height is ``x2 - x1 + 1``.
    """
    w = xp.maximum(xp.minimum(a[..., 2], b[..., 2]) - xp.maximum(a[..., 0], b[..., 0]) + plus, 0.0)
    h = xp.maximum(xp.minimum(a[..., 3], b[..., 3]) - xp.maximum(a[..., 1], b[..., 1]) + plus, 0.0)
    inter = w * h
    area_a = (a[..., 2] - a[..., 0] + plus) * (a[..., 3] - a[..., 1] + plus)
    area_b = (b[..., 2] - b[..., 0] + plus) * (b[..., 3] - b[..., 1] + plus)
    union = area_a + area_b - inter
    # union == 0 only for two zero-area boxes, whose intersection is 0: IoU 0, not 0/0
    return inter / xp.where(union > 0, union, 1.0)


def _overlapping(xp, corners, size, iou_threshold):
    """(size, P) bool: IoU of box ``k < size`` and box ``p`` of ``corners`` > ``iou_threshold``.

    ``corners`` is (4, P), one contiguous row per coordinate x1, y1, x2, y2 (fast
    broadcast comparisons). IoU above a threshold >= 0 needs a positive
    intersection, so only pairs whose x and y spans overlap (strict comparisons,
    boolean arrays) can qualify; `_iou` runs on those pairs alone, so every
    decision equals the dense one bit for bit, without (size, P) float64
    temporaries (page faults in a fresh process).
    """
    x1, y1, x2, y2 = (corners[k, :] for k in range(4))
    ax1, ay1, ax2, ay2 = (c[:size, None] for c in (x1, y1, x2, y2))  # the first size, against all
    touch = (ax1 < x2) & (x1 < ax2) & (ay1 < y2) & (y1 < ay2)
    flat = xp.nonzero(xp.reshape(touch, (-1,)))[0]  # 1-D: much faster than a 2-D nonzero
    i, j = flat // corners.shape[1], flat % corners.shape[1]
    pairs = _iou(xp, xp.take(corners, i, axis=1).T, xp.take(corners, j, axis=1).T)
    over = xp.zeros_like(touch)  # True where the IoU of an intersecting pair is above the threshold
    over[touch] = pairs > iou_threshold
    return over


@checked(boxes=Boxes(fmt="fmt"), fmt=Choice(*BOX_FORMATS), pixel_inclusive=Flag())
def box_area(boxes, *, fmt="xyxy", pixel_inclusive=False):
    r"""Area of each box.

    Slide formula: D1.

    Parameters
    ----------
    boxes : array-like of shape (..., 4)
        Boxes in the format ``fmt``.
    fmt : {"xyxy", "xywh", "cxcywh"}, default="xyxy"
        Box format, see `box_convert`.
    pixel_inclusive : bool, default=False
        False (torchvision, COCO): coordinates are points, width $x_2 - x_1$.
        True (the PASCAL VOC devkit, older detectors): coordinates index
        pixels and both corner pixels belong to the box, so the width is
        $x_2 - x_1 + 1$ (a box from pixel 0 to pixel 9 is 10 wide); every
        width and height is one larger, in every ``fmt``.

    Returns
    -------
    area : array of shape (...)
        $(x_2 - x_1)(y_2 - y_1)$, or $wh$ (a 0-d array for one box); with
        ``pixel_inclusive``, $(x_2 - x_1 + 1)(y_2 - y_1 + 1)$ or $(w + 1)(h + 1)$.

    Raises
    ------
    TypeError
        If ``boxes`` does not hold real numbers, ``fmt`` is not a string or
        ``pixel_inclusive`` is not a bool.
    ValueError
        If the last axis is not 4, the format is unknown, a coordinate is not
        finite or a box has a negative width or height.

    Notes
    -----
    $$\text{area} = (x_2 - x_1)(y_2 - y_1) = w\,h$$

    Examples
    --------
    >>> box_area([[0.0, 0.0, 4.0, 3.0], [1.0, 1.0, 1.0, 5.0]]).tolist()
    [12.0, 0.0]
    >>> box_area([[5.0, 5.0, 4.0, 3.0]], fmt="cxcywh").tolist()
    [12.0]
    >>> box_area([[0.0, 0.0, 9.0, 9.0]], pixel_inclusive=True).tolist()  # pixels 0..9
    [100.0]
    """
    xp, boxes = float_arrays(boxes)
    plus = 1.0 if pixel_inclusive else 0.0
    if fmt == "xyxy":
        w, h = boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1]
    else:
        w, h = boxes[..., 2], boxes[..., 3]
    return xp.asarray((w + plus) * (h + plus))  # width times height


@checked(boxes=Boxes(fmt="in_fmt"), in_fmt=Choice(*BOX_FORMATS), out_fmt=Choice(*BOX_FORMATS))
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
    TypeError
        If ``boxes`` does not hold real numbers or a format is not a string.
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
    xp, boxes = float_arrays(boxes)
    if in_fmt == out_fmt:
        return xp.asarray(boxes, copy=True)
    x1, y1, c, d = boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]
    if in_fmt == "cxcywh":  # first to the corners x1, y1, x2, y2
        x1, y1 = x1 - c / 2, y1 - d / 2
    x2, y2 = (c, d) if in_fmt == "xyxy" else (x1 + c, y1 + d)
    if out_fmt == "xyxy":
        return xp.stack([x1, y1, x2, y2], axis=-1)
    w, h = x2 - x1, y2 - y1
    if out_fmt == "xywh":
        return xp.stack([x1, y1, w, h], axis=-1)
    return xp.stack([(x1 + x2) / 2, (y1 + y2) / 2, w, h], axis=-1)


@checked(boxes1=Boxes(ndim=2), boxes2=Boxes(ndim=2), pixel_inclusive=Flag())
def box_iou(boxes1, boxes2, *, pixel_inclusive=False):
    r"""Pairwise intersection over union of two sets of xyxy boxes.

    Slide formula: D1.

    Parameters
    ----------
    boxes1 : array-like of shape (N, 4)
        Boxes $(x_1, y_1, x_2, y_2)$ with $x_2 \ge x_1$, $y_2 \ge y_1$.
    boxes2 : array-like of shape (M, 4)
        Boxes in the same format (convert others with `box_convert`).
    pixel_inclusive : bool, default=False
        True: the "+1 pixel" rule of the PASCAL VOC devkit and of much
        widely copied IoU code: every width and height, the intersection's
        too, is $x_2 - x_1 + 1$ (see `box_area`). It raises the IoU of
        small boxes noticeably; False (torchvision, COCO) is the default.

    Returns
    -------
    iou : array of shape (N, M)
        ``iou[i, j]`` is the IoU of ``boxes1[i]`` and ``boxes2[j]``, in
        $[0, 1]$. Two boxes whose union has zero area (degenerate boxes) get
        0 rather than 0/0. Either set may be empty.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or ``pixel_inclusive`` is not
        a bool.
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
    >>> iou = box_iou([[0.0, 0.0, 2.0, 2.0]], [[1.0, 1.0, 3.0, 3.0]], pixel_inclusive=True)
    >>> round(float(iou[0, 0]), 4)  # 3 x 3 pixels each, 2 x 2 shared: 4 / (9 + 9 - 4)
    0.2857
    """
    xp, boxes1, boxes2 = float_arrays(boxes1, boxes2)
    plus = 1.0 if pixel_inclusive else 0.0
    return _iou(xp, boxes1[:, None, :], boxes2[None, :, :], plus)


# --------------------------------------------------------------------------
# Non-maximum suppression (D2)
# --------------------------------------------------------------------------


_BLOCK = 128  # candidates per block of `nms`: 64 to 192 were equally fast, 32 took twice as long


@checked(
    boxes=Boxes(ndim=2),
    scores=Floats(nonempty=False),
    iou_threshold=Real(0, 1),
    extra=_entries("scores", "boxes", "box"),
)
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
    TypeError
        If an input does not hold real numbers or ``iou_threshold`` is not a
        number.
    ValueError
        If the boxes are invalid (see `box_iou`), ``scores`` is not 1-D
        with one finite score per box, or the threshold is outside [0, 1].

    Notes
    -----
    $$\text{keep } b_j \iff \nexists\, i \text{ kept, ranked before } j:\
    \mathrm{IoU}(b_i, b_j) > t$$

    The rules are those of ``torchvision.ops.nms`` and OpenCV's
    ``cv2.dnn.NMSBoxes``:

    1. sort by score, highest first; **equal scores keep their input order**
       (a stable sort: the lower index ranks first);
    2. walk down the list; a box is kept unless a box kept before it overlaps
       it with IoU $> t$ (strictly).

    One exception to OpenCV's rules: **zero-area boxes**. OpenCV counts two
    boxes whose areas sum to 0 as IoU 1 wherever they are, so a zero-area
    box suppresses every later zero-area box, even one far away. dlnotes,
    like torchvision, counts IoU 0 for a zero union (see `box_iou`): two
    separate points never suppress each other.

    The walk takes the next 128 boxes not yet suppressed at a time and
    finds, in one vectorised step, which of them overlap each other and the
    later boxes with IoU $> t$: comparisons of the corners find the pairs
    that intersect at all, and only those get an IoU. Inside the block, "box
    $j$ is kept unless a kept box before it overlaps it" is a triangular
    system of boolean equations with one solution; iterating it from "all
    kept" fixes at least one more box per step, so a few $128 \times 128$
    array operations solve it (a chain of boxes each suppressing the next
    needs the most). The block's kept boxes then suppress the later boxes
    they overlap. Memory stays $O(128\,N)$ booleans, never $O(N^2)$.

    The number of kept boxes depends on the data, so `nms` reads from the
    device: once per sweep and four times per block (which pairs intersect,
    which boxes stay).

    Examples
    --------
    >>> boxes = [[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0], [20.0, 20.0, 30.0, 30.0]]
    >>> nms(boxes, [0.8, 0.9, 0.7], 0.5).tolist()  # box 1 beats box 0 (IoU 0.68)
    [1, 2]
    >>> nms(boxes, [0.9, 0.9, 0.9], 0.5).tolist()  # a tie: the lower index wins
    [0, 2]
    >>> nms([[0.0, 0.0, 0.0, 0.0], [5.0, 5.0, 5.0, 5.0]], [0.9, 0.8], 0.5).tolist()
    [0, 1]
    """
    xp, boxes, scores = float_arrays(boxes, scores)
    order = xp.argsort(-scores, stable=True)  # 1. by score, highest first; ties: input order
    corners, dev = xp.take(boxes, order, axis=0).T, device(boxes)  # (4, N), ranked
    pending = xp.arange(boxes.shape[0], device=dev)  # ranks not suppressed yet
    rank = xp.arange(_BLOCK, device=dev)
    before = rank[:, None] < rank  # before[i, j]: rank i comes before rank j
    kept = [pending[:0]]
    while pending.shape[0] > 0:  # 2. walk down the list, _BLOCK candidates at a time
        size = min(_BLOCK, pending.shape[0])
        over = _overlapping(xp, xp.take(corners, pending, axis=1), size, iou_threshold)
        inner = over[:, :size] & before[:size, :size]  # the block against itself
        keep = xp.ones(size, dtype=xp.bool, device=dev)
        while True:  # box j stays unless a kept box before it overlaps it: sweep until stable
            swept = ~xp.any(inner & keep[:, None], axis=0)
            if bool(xp.all(swept == keep)):
                break
            keep = swept
        kept.append(pending[:size][keep])  # the block's kept boxes suppress the later ones
        pending = pending[size:][~xp.any(over[:, size:] & keep[:, None], axis=0)]
    return xp.astype(xp.take(order, xp.concat(kept)), xp.int64)


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


@checked(
    gt_boxes=Boxes(ndim=2),
    det_boxes=Boxes(ndim=2),
    det_scores=Floats(nonempty=False),
    iou_threshold=Real(0, 1, open="low"),
    extra=_entries("det_scores", "det_boxes", "detection"),
)
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
    TypeError
        If an input does not hold real numbers or ``iou_threshold`` is not a
        number.
    ValueError
        If a box array is invalid, ``det_scores`` has not one finite score
        per detection, or the threshold is outside (0, 1].

    Notes
    -----
    $$\text{precision} = \frac{TP}{D}, \qquad \text{recall} = \frac{TP}{G}$$

    Detections are visited by decreasing score (ties in input order). Each
    takes, among the ground truths **not yet taken**, the one it overlaps
    most (the lower index of two equal overlaps), provided the IoU is at
    least the threshold; otherwise it is a false positive (a duplicate
    detection of a taken face is one). Each ground truth is matched at most
    once. This is COCO's rule (pycocotools gives two equal overlaps to the
    later ground truth); the VOC devkit instead lets a detection try only
    its best-overlapping ground truth and makes it a false positive if that
    one is taken.

    The visit needs no loop over the detections: a detection that finds no
    free ground truth at its turn never will (ground truths are only
    taken), so each round jumps to the next detection, in score order, that
    still has a free ground truth above the threshold, and gives it the one
    it overlaps most. Each round matches one ground truth, so
    $\min(D, G)$ rounds of whole-array operations finish, with no
    host-device sync.

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
    xp, gt_boxes, det_boxes, det_scores = float_arrays(gt_boxes, det_boxes, det_scores)
    n_det, n_gt, dev = det_boxes.shape[0], gt_boxes.shape[0], device(det_boxes)
    iou = _iou(xp, det_boxes[:, None, :], gt_boxes[None, :, :])  # (D, G)
    allowed = iou >= iou_threshold  # the pairs that may match
    options = xp.sum(xp.astype(allowed, xp.int64), axis=1)  # free ground truths each may take
    rank = xp.argsort(xp.argsort(-det_scores, stable=True))  # visiting order: score, then index
    det_ids, gt_ids = xp.arange(n_det, device=dev), xp.arange(n_gt, device=dev)
    free = xp.ones(n_gt, dtype=xp.bool, device=dev)  # ground truths not taken yet
    gt_index = xp.full(n_det, -1, dtype=xp.int64, device=dev)
    for _ in range(min(n_det, n_gt)):  # one match per round
        can = (options > 0) & (gt_index < 0)
        d = xp.argmin(xp.where(can, rank, n_det))[None]  # the next detection that can match
        row = xp.where(xp.take(allowed, d, axis=0) & free, xp.take(iou, d, axis=0), -1.0)
        g = xp.argmax(row[0, :])[None]  # the free ground truth it overlaps most (first on ties)
        hit = xp.take(can, d)  # False once no detection can match any more
        gt_index = xp.where(hit & (det_ids == d), g, gt_index)
        free = free & ~(hit & (gt_ids == g))
        options = options - xp.astype(xp.take(allowed, g, axis=1)[:, 0] & hit, xp.int64)
    tp = gt_index >= 0
    hits = xp.sum(xp.astype(tp, det_scores.dtype))
    return DetectionMatch(
        tp, gt_index, xp.asarray(hits / max(n_det, 1)), xp.asarray(hits / max(n_gt, 1))
    )


# --------------------------------------------------------------------------
# Precision and recall down a ranked list, AP and mAP (D3-D7)
# --------------------------------------------------------------------------


_RANKED = {
    "scores": Floats(ndim=1, nonempty=False),
    "correct": Floats(nonempty=False),
    "n_ground_truth": Count(1),
    "extra": _ranked,
}


@checked(**_RANKED)
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
    TypeError
        If an input does not hold real numbers or ``n_ground_truth`` is not
        an integer.
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
    xp, scores, correct = float_arrays(scores, correct)
    ranked = xp.astype(xp.take(correct, xp.argsort(-scores, stable=True)), scores.dtype)
    tp = xp.cumulative_sum(ranked)  # TP_n: true positives among the n highest scores
    n = xp.arange(1, scores.shape[0] + 1, dtype=scores.dtype, device=device(scores))
    return tp / n, tp / n_ground_truth


@checked(method=Choice(*AP_METHODS), recall_levels=Choice("pycocotools", "exact"), **_RANKED)
def average_precision(
    scores, correct, n_ground_truth, *, method="voc2007", recall_levels="pycocotools"
):
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
    recall_levels : {"pycocotools", "exact"}, default="pycocotools"
        For ``method="coco"`` only (the same option as `coco_evaluate`'s):
        whether a recall level $r_k$ is reached as in pycocotools, where
        $r_k$ is ``np.linspace(0, 1, 101)[k]``, a float that lies above
        $k/100$ for $k$ = 35, 41, 47, 57, 69, 70, 82, 83, 94, 95, or
        exactly, $R_n \ge k/100$ (see Notes).

    Returns
    -------
    ap : 0-d array
        In $[0, 1]$, dtype of ``scores``. An empty list gives 0 (a class
        with ground truth and no detection, as in VOC and COCO).

    Raises
    ------
    TypeError
        As `precision_recall`, or if ``method`` is not a string.
    ValueError
        As `precision_recall`, or for an unknown ``method``.

    Notes
    -----
    $$p_{\mathrm{interp}}(r) = \max_{n:\,R_n \ge r} P_n, \qquad
    AP_{11} = \frac{1}{11}\sum_{r \in \{0, 0.1, \dots, 1\}} p_{\mathrm{interp}}(r)$$

    With $P_n, R_n$ from `precision_recall` and the interpolated
    precision $p_{\mathrm{interp}}$:

    - **"voc2007"** (11-point, PASCAL VOC 2007): $AP_{11}$ above; a recall
      level never reached contributes 0.
    - **"slide"**: the same, but a level never reached gets the precision at
      the last rank, the rule the slide uses for its 8.9/11 = 0.81
      (erratum D4; not a standard definition).
    - **"all-point"** (VOC 2010 and later):
      $\sum_n (R_n - R_{n-1})\, p_{\mathrm{interp}}(R_n)$, the area under the
      precision envelope.
    - **"coco"** (101-point):
      $\frac{1}{101}\sum_{r \in \{0, 0.01, \dots, 1\}} p_{\mathrm{interp}}(r)$,
      unreached levels 0, the rule of pycocotools at one IoU threshold and
      area range. With ``recall_levels="pycocotools"`` a recall of exactly
      0.35, 0.41, 0.47, 0.57, 0.69, 0.70, 0.82, 0.83, 0.94 or 0.95 misses
      that level, as in pycocotools (whose levels are ``np.linspace``
      floats, 0.35000000000000003...); with ``"exact"`` it reaches it.
      pycocotools' precision also has an $\varepsilon$,
      $TP_n / (n + 2.2\cdot 10^{-16})$, left out here.
    - **"step"**: $\sum_n (R_n - R_{n-1})\, P_n$ without interpolation, as
      ``sklearn.metrics.average_precision_score``: tied scores are one
      threshold, whose precision counts every detection of the tie, so the
      result does not depend on the input order (equal to scikit-learn when
      every positive is in the list).

    The other methods rank tied scores in input order (a stable sort), as the
    VOC code and pycocotools do, so there the order of ties matters.

    For "voc2007" and "slide", and for "coco" with ``recall_levels="exact"``,
    recall levels are compared exactly, in integers ($TP_n \cdot 10 \ge k\,G$),
    so recall 0.6 reaches the level 0.6. The widely copied VOC code compares
    with ``np.arange(0, 1.1, 0.1)``, whose 0.6 is 0.6000000000000001, and gets
    0.52 instead of 0.59 on the slide's list.

    Examples
    --------
    The slide's list (ranks T T F T F, 5 ground truths):

    >>> s, c = [0.9, 0.7, 0.6, 0.3, 0.2], [True, True, False, True, False]
    >>> round(float(average_precision(s, c, 5)), 4)  # VOC 2007: 6.5 / 11
    0.5909
    >>> round(float(average_precision(s, c, 5, method="slide")), 2)  # 8.9 / 11
    0.81

    Every method:

    >>> [round(float(average_precision(s, c, 5, method=m)), 4) for m in AP_METHODS]
    [0.5909, 0.8091, 0.55, 0.5545, 0.55]

    The two recall-level rules: 7 perfect detections of 10 objects reach
    recall 0.7, which pycocotools' level 0.7000000000000001 misses:

    >>> [round(float(average_precision([1.0] * 7, [True] * 7, 10, method="coco",
    ...     recall_levels=rule)), 4) for rule in ("pycocotools", "exact")]
    [0.6931, 0.703]
    """
    xp, scores, correct = float_arrays(scores, correct)
    n, dev = scores.shape[0], device(scores)
    if n == 0:  # no detection: AP 0, as in VOC and COCO
        return xp.zeros((), dtype=scores.dtype, device=dev)
    order = xp.argsort(-scores, stable=True)  # by score; ties in input order
    hits = xp.astype(xp.take(correct, order), xp.int64)
    tp = xp.cumulative_sum(hits)  # TP_n in integers: recall levels are compared exactly
    precision = xp.astype(tp, scores.dtype) / xp.arange(1, n + 1, dtype=scores.dtype, device=dev)
    gain = xp.astype(hits, scores.dtype) / n_ground_truth  # R_n - R_{n-1}
    if method == "step":  # a tie is one threshold: every rank takes the precision at its end
        ranked = -xp.take(scores, order)  # ascending
        tie_end = xp.searchsorted(ranked, ranked, side="right") - 1
        return xp.asarray(xp.sum(gain * xp.take(precision, tie_end)))
    envelope, shift = precision, 1  # p_interp at rank n: max of P_m for m >= n (a suffix max)
    while shift < n:
        envelope = xp.concat([xp.maximum(envelope[:-shift], envelope[shift:]), envelope[-shift:]])
        shift *= 2
    if method == "all-point":
        return xp.asarray(xp.sum(gain * envelope))
    levels = 101 if method == "coco" else 11  # recall levels k / (levels - 1)
    k = xp.arange(levels, dtype=xp.int64, device=dev)
    first = xp.searchsorted(tp * (levels - 1), k * n_ground_truth)  # first rank with R_n >= level
    if method == "coco" and recall_levels == "pycocotools":  # these levels lie above k / 100
        late = [i in (35, 41, 47, 57, 69, 70, 82, 83, 94, 95) for i in range(101)]
        after = xp.searchsorted(tp * 100, k * n_ground_truth, side="right")  # R_n > k / 100
        first = xp.where(xp.asarray(late, device=dev), after, first)
    p_interp = xp.take(envelope, xp.minimum(first, n - 1))
    unreached = precision[-1] if method == "slide" else 0.0  # the slide's rule (erratum D4)
    return xp.asarray(xp.mean(xp.where(first < n, p_interp, unreached)))


@checked(per_class=PerClass(), method=Choice(*AP_METHODS))
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
    TypeError
        If ``per_class`` holds no numbers, or ``method`` is not a string.
    ValueError
        If there is no class, an AP is outside [0, 1], or a ranked list is
        invalid.

    Notes
    -----
    $$\mathrm{mAP} = \frac{1}{C}\sum_{c=1}^{C} AP_c$$

    Ranked lists are checked as `average_precision` checks its arguments,
    all classes together in the one host-device sync of the checks.

    Examples
    --------
    >>> round(float(mean_average_precision([0.5, 0.7, 0.9])), 4)
    0.7
    >>> lists = {"face": ([0.9, 0.7, 0.6, 0.3, 0.2], [True, True, False, True, False], 5),
    ...          "cat": ([0.8, 0.4], [True, True], 2)}
    >>> round(float(mean_average_precision(lists, method="all-point")), 3)  # (0.55 + 1) / 2
    0.775
    """
    items = list(per_class.values()) if isinstance(per_class, Mapping) else per_class
    if not is_array_api_obj(items) and isinstance(items[0], (tuple, list)):  # ranked lists
        aps = [average_precision(*item, method=method) for item in items]
        items = array_api_compat.array_namespace(*aps).stack(aps)
    xp, aps = float_arrays(items)
    return xp.asarray(xp.mean(aps))


# --------------------------------------------------------------------------
# Faster R-CNN (D10)
# --------------------------------------------------------------------------


@checked(
    y_true=Floats(ndim=2, last=4, nonempty=False),
    y_pred=Floats(like="y_true", nonempty=False),
    positive=Optional(Floats(nonempty=False)),
    anchors=Optional(Floats(like="y_true", nonempty=False)),
    reduction=Choice(*REDUCTIONS),
    extra=_rcnn_rule,
)
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
    TypeError
        If an input does not hold real numbers or ``reduction`` is not a
        string.
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
    xp, y_true, y_pred = float_arrays(y_true, y_pred)
    centre = y_true[:, :2] - y_pred[:, :2]
    if anchors is not None:  # Faster R-CNN's t_x = (x - x_a) / w_a: offsets in anchor sizes
        _, _, anchors = float_arrays(y_true, anchors)
        centre = centre / anchors[:, 2:]
    size = xp.log(y_true[:, 2:]) - xp.log(y_pred[:, 2:])
    per_box = xp.sum(centre * centre, axis=1) + xp.sum(size * size, axis=1)
    if positive is None:
        positive = xp.ones_like(per_box)
    _, _, positive = float_arrays(y_true, positive)
    per_box = xp.where(positive != 0, per_box, 0.0)  # the indicator 1_i
    if reduction == "mean":  # over the positive boxes
        return xp.asarray(xp.sum(per_box) / xp.maximum(xp.sum(positive), 1.0))
    return xp.asarray(reduce(xp, per_box, reduction))


@checked(
    labels=Ints(low=0, nonempty=False),
    logits=Floats(ndim=2, nonempty=False),
    reduction=Choice(*REDUCTIONS),
    extra=_class_rule,
)
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
    TypeError
        If an input does not hold numbers or ``reduction`` is not a string.
    ValueError
        If the shapes disagree, a label is not an integer in $[0, C)$, or a
        logit is not finite.

    Notes
    -----
    $$l_{class} = -\sum_i \log \operatorname{softmax}(z_i)_{c_i}$$

    the cross-entropy of the one-hot target $c_i$ and the predicted
    distribution, the "entropy" of the slide, computed as
    $\log \sum_c e^{z_{ic}} - z_{ic_i}$ after subtracting the row's largest
    logit, so that logits of ±1000 give finite losses.

    Examples
    --------
    >>> round(float(rcnn_class_loss([0, 1], [[2.0, 0.0], [0.0, 2.0]])), 4)
    0.2539
    """
    xp, logits = float_arrays(logits)
    labels = xp.asarray(labels, device=device(logits))
    z = logits - xp.max(logits, axis=1, keepdims=True)  # shifted: e^z never overflows
    onehot = labels[:, None] == xp.arange(logits.shape[1], device=device(logits))
    per_row = xp.log(xp.sum(xp.exp(z), axis=1)) - xp.sum(xp.where(onehot, z, 0.0), axis=1)
    return xp.asarray(reduce(xp, per_row, reduction))


# --------------------------------------------------------------------------
# YOLO (D11, D12)
# --------------------------------------------------------------------------


@checked(
    y_true=Floats(),
    y_pred=Floats(),
    lambda_coord=Real(0),
    lambda_noobj=Real(0),
    confidence_target=Choice("iou", "one"),
    reduction=Choice(*REDUCTIONS),
    return_terms=Flag(),
    extra=_yolo_rule,
)
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
    TypeError
        If an input does not hold real numbers, a weight is not a number, an
        option is not a string or ``return_terms`` is not True or False.
    ValueError
        If the grids differ, the last axes do not fit $5 + C$ and $5B + C$,
        $\mathbb 1^{obj}$ is not 0/1, a width or height is negative, a
        weight is negative, or a value is not finite.

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
    xp, y_true, y_pred = float_arrays(y_true, y_pred)
    n_boxes = (y_pred.shape[-1] - y_true.shape[-1]) // 5 + 1  # 5B + C against 5 + C
    rows, cols = y_true.shape[-3], y_true.shape[-2]
    boxes = xp.reshape(y_pred[..., : 5 * n_boxes], (*y_pred.shape[:-1], n_boxes, 5))
    gt = y_true[..., None, :4]  # one ground-truth box per cell, against each predictor

    def corners(b):  # cell-relative centre, image-relative size -> xyxy in image units
        cx, cy, w, h = b[..., 0] / cols, b[..., 1] / rows, b[..., 2], b[..., 3]
        return xp.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)

    def total(mask, values):  # sum over the grid and the boxes where mask
        return xp.sum(xp.where(mask, values, 0.0), axis=(-3, -2, -1))

    iou = _iou(xp, corners(gt), corners(boxes[..., :4]))
    obj = y_true[..., 4] == 1  # 1^obj_i
    best = xp.argmax(iou, axis=-1)  # the responsible predictor: highest IoU, the first on ties
    resp = (xp.arange(n_boxes, device=device(y_pred)) == best[..., None]) & obj[..., None]
    conf = boxes[..., 4]
    target = iou if confidence_target == "iou" else 1.0  # C_i (erratum X6)
    d_xy = gt[..., :2] - boxes[..., :2]
    d_wh = xp.sqrt(gt[..., 2:]) - xp.sqrt(boxes[..., 2:4])
    d_cls = y_true[..., 5:] - y_pred[..., 5 * n_boxes :]
    terms = {
        "xy": lambda_coord * total(resp, xp.sum(d_xy * d_xy, axis=-1)),
        "wh": lambda_coord * total(resp, xp.sum(d_wh * d_wh, axis=-1)),
        "obj": total(resp, (target - conf) ** 2),
        "noobj": lambda_noobj * total(~resp, conf * conf),
        "class": total(obj[..., None], xp.sum(d_cls * d_cls, axis=-1)[..., None]),
    }
    loss = xp.asarray(reduce(xp, sum(terms.values()), reduction))
    if return_terms:
        return loss, {k: xp.asarray(reduce(xp, v, reduction)) for k, v in terms.items()}
    return loss


@checked(t=Floats(), anchors=Floats(), extra=_decode_rule)
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
    TypeError
        If an input does not hold real numbers.
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
    xp, t, anchors = float_arrays(t, anchors)
    c_x = xp.arange(t.shape[-3], dtype=t.dtype, device=device(t))[:, None]  # column index, x
    c_y = xp.arange(t.shape[-4], dtype=t.dtype, device=device(t))[:, None, None]  # row index, y
    sigma = (1 + xp.tanh(t[..., :2] / 2)) / 2  # the sigmoid, written so that it never overflows
    # cap the exponent so that e^t and p e^t stay below the largest float / e (no overflow)
    cap = math.log(xp.finfo(t.dtype).max) - 1 - xp.maximum(xp.log(anchors), 0.0)
    size = anchors * xp.exp(xp.minimum(t[..., 2:], cap))
    return xp.stack([sigma[..., 0] + c_x, sigma[..., 1] + c_y, size[..., 0], size[..., 1]], axis=-1)


def _wh_iou(xp, wh1, wh2):
    """IoU of (N, 2) and (M, 2) widths and heights aligned at a corner: (N, M)."""
    w1, h1, w2, h2 = wh1[:, None, 0], wh1[:, None, 1], wh2[None, :, 0], wh2[None, :, 1]
    inter = xp.minimum(w1, w2) * xp.minimum(h1, h2)
    union = w1 * h1 + w2 * h2 - inter
    return inter / xp.where(union > 0, union, 1.0)  # two empty boxes: 0, not 0/0


@checked(wh1=Sizes(), wh2=Sizes())
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
        The IoU of the two boxes placed at the same corner (or centre), so
        that only their shapes count.

    Raises
    ------
    TypeError
        If an input does not hold real numbers.
    ValueError
        If a shape is not (., 2), a value is negative or not finite.

    Notes
    -----
    $$\mathrm{IoU}(wh, w'h') = \frac{\min(w, w')\min(h, h')}{wh + w'h' - \min(w, w')\min(h, h')}$$

    Examples
    --------
    >>> wh_iou([[2.0, 2.0]], [[2.0, 2.0], [1.0, 4.0], [4.0, 4.0]]).tolist()
    [[1.0, 0.3333333333333333, 0.25]]
    """
    xp, wh1, wh2 = float_arrays(wh1, wh2)
    return _wh_iou(xp, wh1, wh2)


@checked(
    wh=BoxSizes(),
    k=Count(1),
    update=Choice("mean", "median"),
    n_init=Count(1),
    max_iter=Count(1),
    seed=Seed(),
    extra=_k_rule,
)
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
        IoU between each box and its anchor wins (the first on ties).
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
    TypeError
        If ``wh`` does not hold real numbers, ``k``, ``n_init`` or
        ``max_iter`` is not an integer, or ``seed`` is not a seed.
    ValueError
        If ``wh`` is not (N, 2) of positive finite sizes, ``k`` is not in
        $[1, N]$, an option is invalid, or ``xp`` conflicts with ``wh``.

    Notes
    -----
    $$d(\text{box}, \text{centroid}) = 1 - \mathrm{IoU}(\text{box}, \text{centroid})$$

    with both boxes aligned at a corner (`wh_iou`), so large boxes do
    not dominate as they would with Euclidean distance. Assignment is
    vectorised (one $N \times k$ IoU matrix per iteration), and so is the
    update (a $k \times N$ membership mask; the median sorts each
    cluster's sizes). A cluster left empty keeps its previous centroid.
    Initialisation is k-means++: each new seed is drawn with probability
    proportional to its distance to the nearest seed (the uniform number is
    drawn by NumPy, the choice made on the device).

    The convergence test ("did any box change cluster?") is the algorithm's
    own host-device sync: one per iteration, none elsewhere.

    Examples
    --------
    >>> wh = [[1.0, 1.0], [1.1, 0.9], [0.9, 1.1], [4.0, 8.0], [4.2, 7.8], [3.8, 8.2]]
    >>> kmeans_anchors(wh, k=2, seed=0).tolist()
    [[1.0, 1.0], [4.0, 8.0]]
    """
    xp = array_namespace(wh, xp=xp)  # wh's namespace, or xp's for plain lists
    if not is_array_api_obj(wh):
        wh = xp.asarray(wh, dtype=default_float(xp))
    _, wh = float_arrays(wh)
    n, dev, rng = wh.shape[0], device(wh), random_generator(seed)
    clusters = xp.arange(k, device=dev)[:, None]
    positions = xp.arange(n, dtype=wh.dtype, device=dev)[:, None]  # where each median sits
    runs, fits = [], []
    for _ in range(n_init):
        # k-means++: each new seed drawn with probability proportional to 1 - IoU to the nearest
        centroids = xp.take(wh, xp.asarray([int(rng.integers(n))], device=dev), axis=0)
        for _ in range(1, k):
            cum = xp.cumulative_sum(1 - xp.max(_wh_iou(xp, wh, centroids), axis=1))
            u = xp.asarray([rng.random()], dtype=wh.dtype, device=dev) * cum[-1:]
            i = xp.minimum(xp.searchsorted(cum, u, side="right"), n - 1)
            centroids = xp.concat([centroids, xp.take(wh, i, axis=0)])
        assign = None
        for _ in range(max_iter):  # Lloyd: assign to the closest centroid (largest IoU), update
            new = xp.argmax(_wh_iou(xp, wh, centroids), axis=1)
            if assign is not None and bool(xp.all(new == assign)):  # converged: the one sync
                break
            assign = new
            member = (assign == clusters)[:, :, None]  # (k, N, 1)
            count = xp.sum(xp.astype(member, wh.dtype), axis=1)  # (k, 1)
            if update == "mean":
                centre = xp.sum(xp.where(member, wh, 0.0), axis=1) / xp.maximum(count, 1.0)
            else:  # the middle of each cluster's sorted sizes (its members sort first)
                ordered = xp.sort(xp.where(member, wh, xp.inf), axis=1)
                middle = (xp.floor((count - 1) / 2), xp.floor(count / 2))
                at = [xp.where(positions == m[:, None, :], ordered, 0.0) for m in middle]
                centre = (xp.sum(at[0], axis=1) + xp.sum(at[1], axis=1)) / 2
            centroids = xp.where(count > 0, centre, centroids)  # an empty cluster stays
        runs.append(centroids)
        fits.append(xp.mean(xp.max(_wh_iou(xp, wh, centroids), axis=1)))  # mean IoU to anchors
    best = xp.take(xp.stack(runs), xp.argmax(xp.stack(fits))[None], axis=0)[0, ...]
    return xp.take(best, xp.argsort(best[:, 0] * best[:, 1], stable=True), axis=0)

r"""COCO box evaluation (slide 002, "Average Recall"): the 12 numbers of the COCO
leaderboard, computed from COCO-format json records.

This module is **not namespace-generic**: COCO ground truth and detections are
json records (lists of dicts), so it works on NumPy, converts the records
explicitly to NumPy arrays and returns NumPy arrays and Python floats.
Convert arrays of another library with [`to_numpy`][dlnotes.backend.to_numpy] before
you build the records.

[`coco_evaluate`][dlnotes.coco.coco_evaluate] follows the rules of pycocotools' ``COCOeval`` (``bbox``)
and gives its ``stats`` to floating-point rounding, except for one pycocotools
bug that is not copied: pycocotools stores matches as annotation ids with 0
meaning "no match", so a detection matched to the annotation whose id is 0
counts as a false positive there; here it counts as a true positive.

[`make_coco_dataset`][dlnotes.coco.make_coco_dataset] is a synthetic-data helper (no slide formula): it
generates a COCO-format set with every corner case the evaluation has to get
right, for the tests, the benchmark and the worked example.
"""

from __future__ import annotations

import json
import os
from itertools import chain
from operator import itemgetter

import numpy as np

from dlnotes.backend import random_generator

__all__ = ["SUMMARY_NAMES", "coco_evaluate", "make_coco_dataset"]

#: Names of the 12 summary numbers, in the order of pycocotools' ``stats``.
SUMMARY_NAMES = ("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl")

# pycocotools' default box parameters (Params.setDetParams): linspace, not
# arange, so that 0.75 and the recall thresholds are the same floats.
_IOU_THRESHOLDS = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)
_RECALL_THRESHOLDS = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)
_MAX_DETS = (1, 10, 100)
_AREA_LABELS = ("all", "small", "medium", "large")
_AREA_RANGES = np.array([[0.0, 1e5**2], [0.0, 32.0**2], [32.0**2, 96.0**2], [96.0**2, 1e5**2]])
# (precision or recall, IoU threshold or None for all, area label, maxDets)
_SUMMARY_SPEC = (
    (True, None, "all", 100), (True, 0.5, "all", 100), (True, 0.75, "all", 100),
    (True, None, "small", 100), (True, None, "medium", 100), (True, None, "large", 100),
    (False, None, "all", 1), (False, None, "all", 10), (False, None, "all", 100),
    (False, None, "small", 100), (False, None, "medium", 100), (False, None, "large", 100),
)
_GT_KEYS = ("id", "image_id", "category_id", "bbox", "area", "iscrowd")
_DT_KEYS = ("image_id", "category_id", "bbox", "score")
# Largest padded block (rows x longest row) for the running maximum in the
# accumulation; past it, pointer doubling on the flat array needs no padding.
_BLOCK_ELEMENTS = 1 << 22


def coco_evaluate(ground_truth, detections, *, iou_type="bbox"):
    r"""COCO detection metrics (AP@[.5:.95], AP50, AP75, APs/m/l, AR@1/10/100, ARs/m/l).

    Slide formula: D8.

    Not namespace-generic: works on NumPy, converts explicitly. The inputs are
    COCO json records; the results are NumPy arrays and Python floats.

    Parameters
    ----------
    ground_truth : dict or path
        COCO ground truth, or the path of its json file: ``"images"`` (each
        with ``"id"``), ``"annotations"`` (each with ``"id"``, ``"image_id"``,
        ``"category_id"``, ``"bbox"`` as ``[x, y, width, height]``, ``"area"``
        and ``"iscrowd"``) and ``"categories"`` (each with ``"id"``).
    detections : list of dict or path
        COCO results, or the path of their json file: each with
        ``"image_id"``, ``"category_id"``, ``"bbox"`` ``[x, y, width, height]``
        and ``"score"``.
    iou_type : {"bbox"}, default="bbox"
        Only boxes are evaluated; ``"segm"`` and ``"keypoints"`` raise.

    Returns
    -------
    result : dict
        ``"AP"``, ``"AP50"``, ``"AP75"``, ``"APs"``, ``"APm"``, ``"APl"``,
        ``"AR1"``, ``"AR10"``, ``"AR100"``, ``"ARs"``, ``"ARm"``, ``"ARl"``:
        the 12 summary numbers as floats, in pycocotools' order, -1.0 where
        undefined (no ground truth in that area range);
        ``"stats"``: the same 12 numbers as an array;
        ``"precision"``: array ``[T, R, K, A, M]`` = [10 IoU thresholds, 101
        recall thresholds, categories, 4 area ranges, 3 maxDets], the
        interpolated precision (pycocotools' ``eval["precision"]``), -1 where a
        category has no ground truth in the area range;
        ``"recall"``: array ``[T, K, A, M]``, the recall reached;
        ``"category_ids"``: the K category ids (sorted), ``"iou_thresholds"``,
        ``"recall_thresholds"``, ``"area_labels"`` ("all", "small", "medium",
        "large") and ``"max_dets"`` (1, 10, 100) to index the arrays.

    Raises
    ------
    ValueError
        For another ``iou_type``, a file that is not valid json, a missing
        key, a box that is not four finite numbers, a non-finite score, area
        or iscrowd, repeated annotation ids, or a detection on an image that
        is not in ``ground_truth["images"]``.
    TypeError
        If the ground truth is not a dict (or one of its three sections not
        a list), the detections not a list, a record not a dict, or ids are
        neither integers nor strings.
    OSError
        If a path cannot be read (``FileNotFoundError``...).

    Notes
    -----
    The rules are pycocotools' (``COCOeval`` with ``iouType="bbox"``): every
    image of the ground truth is evaluated and every category of its
    ``"categories"``; ground truths and detections of other categories are
    left out, and so are ground truths on images not listed. A ground truth
    is *ignored* when it is a crowd or its ``"area"`` field lies outside the
    area range (inclusive borders $[0, 32^2]$, $[32^2, 96^2]$,
    $[96^2, 10^{10}]$). Per image and category the detections are sorted by
    score (stable) and the first 100 kept; each, in turn, takes the
    unmatched (or crowd) ground truth of highest IoU $\ge t$, preferring
    non-ignored ones. For a crowd the union is the detection's area:
    $\mathrm{IoU} = |d\cap g| / |d|$. A detection matched to an ignored
    ground truth is ignored, and so is an unmatched one whose box area
    lies outside the range. Per category and area range, precision
    $p = \mathrm{TP}/(\mathrm{TP}+\mathrm{FP})$ over the detections of
    all images sorted by score is made monotone,
    $\tilde p(r) = \max_{r' \ge r} p(r')$, and read at the recall thresholds
    $r = 0, 0.01, \dots, 1$:

    $$\mathrm{AP} = \frac{1}{|T|\,|K|}\sum_{t}\sum_{k}\frac{1}{101}\sum_{r}\tilde p_{t,k}(r),
    \qquad \mathrm{AR} = \frac{1}{|T|\,|K|}\sum_{t}\sum_{k}\mathrm{recall}_{t,k},$$

    averaging only over the categories that have ground truth. Unlike
    pycocotools, which stores a match as the annotation's id with 0 for "no
    match", a detection matched to the annotation with id 0 counts as a true
    positive: annotation ids play no part. The matching
    is greedy within one image and category, and vectorised across all of
    them: one step per detection rank (at most 100) matches every
    (image, category, area range, IoU threshold) at once.

    Examples
    --------
    One image, two boxes of one class; the first is found exactly, the second
    with IoU 0.72 (a match at the thresholds 0.50 to 0.70 only):

    >>> gt = {"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": [
    ...     {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0},
    ...     {"id": 2, "image_id": 1, "category_id": 1, "bbox": [20, 20, 10, 10], "area": 100, "iscrowd": 0}]}
    >>> dets = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9},
    ...         {"image_id": 1, "category_id": 1, "bbox": [20, 20, 10, 7.2], "score": 0.8}]
    >>> r = coco_evaluate(gt, dets)
    >>> r["AP50"], round(r["AP75"], 4), round(r["AP"], 4), r["AR100"], r["APm"]
    (1.0, 0.505, 0.7525, 0.75, -1.0)
    >>> r["precision"].shape
    (10, 101, 1, 4, 3)
    """
    _check_iou_type(iou_type)
    gt = _load_json(ground_truth, "ground_truth", dict, "a dict with 'images', 'annotations' and 'categories'")
    dts = _load_json(detections, "detections", (list, tuple), "a list of detection dicts")
    for key in ("images", "annotations", "categories"):
        if key not in gt:
            raise ValueError(f"ground_truth has no {key!r} key (expected 'images', 'annotations', 'categories')")
        if not isinstance(gt[key], (list, tuple)):
            raise TypeError(f"ground_truth[{key!r}] must be a list, got {type(gt[key]).__name__}")

    image_ids = np.unique(_ids(_column(gt["images"], "id", "ground_truth['images']"), "ground_truth['images'] ids"))
    category_ids = np.unique(
        _ids(_column(gt["categories"], "id", "ground_truth['categories']"), "ground_truth['categories'] ids")
    )
    g = _read_ground_truth(gt["annotations"], image_ids, category_ids)
    d = _read_detections(dts, image_ids, category_ids)

    n_images = max(len(image_ids), 1)
    n_cats = len(category_ids)
    matches = _match(g, d, n_images)
    precision, recall = _accumulate(matches, n_cats)
    stats = _summarize(precision, recall)
    result = {name: float(value) for name, value in zip(SUMMARY_NAMES, stats)}
    result.update(
        stats=stats,
        precision=precision,
        recall=recall,
        category_ids=category_ids,
        iou_thresholds=_IOU_THRESHOLDS.copy(),
        recall_thresholds=_RECALL_THRESHOLDS.copy(),
        area_labels=_AREA_LABELS,
        max_dets=_MAX_DETS,
    )
    return result


# --------------------------------------------------------------------------
# Reading and checking the json records


def _check_iou_type(iou_type):
    if iou_type in ("segm", "keypoints"):
        raise ValueError(
            f"iou_type={iou_type!r}: {iou_type} is not supported; dlnotes evaluates boxes only (iou_type='bbox')"
        )
    if iou_type != "bbox":
        raise ValueError(f"iou_type must be 'bbox', got {iou_type!r}")


def _load_json(source, name, kind, what):
    """The records themselves, or those read from the json file ``source``."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, encoding="utf-8") as f:
            try:
                source = json.load(f)
            except json.JSONDecodeError as err:
                raise ValueError(f"{name}: the file {os.fspath(f.name)!r} is not valid json ({err})") from err
    if not isinstance(source, kind):
        raise TypeError(f"{name} must be {what} or the path of a json file, got {type(source).__name__}")
    return source


def _column(records, key, what):
    """``[r[key] for r in records]`` with an error naming the record at fault."""
    try:
        return list(map(itemgetter(key), records))
    except (KeyError, TypeError, IndexError):
        for i, r in enumerate(records):
            if not isinstance(r, dict):
                raise TypeError(f"{what}[{i}] must be a dict, got {type(r).__name__}") from None
            if key not in r:
                raise ValueError(f"{what}[{i}] has no {key!r} key") from None
        raise


def _ids(values, what):
    ids = np.asarray(values)
    if ids.size == 0:
        return ids.astype(np.int64).reshape(0)
    if ids.ndim != 1 or ids.dtype.kind not in "iuU":
        raise TypeError(f"{what} must be integers (or strings), got {values[:3]!r}...")
    return ids


def _numbers(values, what, shape_text, width=None):
    """Float64 array of the values, finite, of shape (n,) or (n, width)."""
    n = len(values)
    arr = None
    try:
        if width is None:
            arr = np.fromiter(values, dtype=np.float64, count=n)
        elif set(map(len, values)) <= {width}:
            arr = np.fromiter(chain.from_iterable(values), dtype=np.float64, count=n * width).reshape(n, width)
    except (ValueError, TypeError):
        arr = None
    if arr is None:
        for i, v in enumerate(values):
            try:
                one = np.asarray(v, dtype=np.float64)
            except (ValueError, TypeError):
                one = None
            if one is None or one.shape != (() if width is None else (width,)):
                raise ValueError(f"{what}[{i}] must be {shape_text}, got {v!r}")
        raise ValueError(f"{what} must hold {shape_text} each")
    finite = np.isfinite(arr) if width is None else np.isfinite(arr).all(axis=1)
    if not finite.all():
        i = int(np.flatnonzero(~finite)[0])
        raise ValueError(f"{what}[{i}] must be finite, got {values[i]!r}")
    return arr


def _index_of(sorted_ids, values):
    """Position of each value in ``sorted_ids`` and whether it is there at all."""
    if len(values) == 0 or len(sorted_ids) == 0 or (sorted_ids.dtype.kind == "U") != (values.dtype.kind == "U"):
        return np.zeros(len(values), dtype=np.intp), np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_ids, values), len(sorted_ids) - 1)
    return pos, sorted_ids[pos] == values


def _read_ground_truth(anns, image_ids, category_ids):
    what = "ground_truth['annotations']"
    cols = {key: _column(anns, key, what) for key in _GT_KEYS}
    ann_ids = _ids(cols["id"], f"{what} ids")
    if len(np.unique(ann_ids)) != len(ann_ids):
        raise ValueError(f"{what} ids must be unique (COCO format)")
    box = _numbers(cols["bbox"], f"{what} bbox", "[x, y, width, height] (4 finite numbers)", 4)
    area = _numbers(cols["area"], f"{what} area", "a finite number")
    crowd = _numbers(cols["iscrowd"], f"{what} iscrowd", "0 or 1") != 0
    img, img_ok = _index_of(image_ids, _ids(cols["image_id"], f"{what} image ids"))
    cat, cat_ok = _index_of(category_ids, _ids(cols["category_id"], f"{what} category ids"))
    keep = np.flatnonzero(img_ok & cat_ok)  # pycocotools leaves the others out
    return {"img": img[keep], "cat": cat[keep], "box": box[keep], "area": area[keep], "crowd": crowd[keep]}


def _read_detections(dts, image_ids, category_ids):
    what = "detections"
    cols = {key: _column(dts, key, what) for key in _DT_KEYS}
    box = _numbers(cols["bbox"], f"{what} bbox", "[x, y, width, height] (4 finite numbers)", 4)
    score = _numbers(cols["score"], f"{what} score", "a finite number")
    img_values = _ids(cols["image_id"], f"{what} image ids")
    img, img_ok = _index_of(image_ids, img_values)
    if not img_ok.all():
        i = int(np.flatnonzero(~img_ok)[0])
        raise ValueError(
            f"detections[{i}] has image_id {cols['image_id'][i]!r}, which is not an image of "
            "ground_truth['images'] (pycocotools: 'Results do not correspond to current coco set')"
        )
    cat, cat_ok = _index_of(category_ids, _ids(cols["category_id"], f"{what} category ids"))
    keep = np.flatnonzero(cat_ok)  # categories outside the ground truth are not evaluated
    return {"img": img[keep], "cat": cat[keep], "box": box[keep], "score": score[keep]}


# --------------------------------------------------------------------------
# Evaluation


def _group_starts(keys_sorted, n_groups):
    """First position of every group in a sorted key array, and the group sizes."""
    counts = np.bincount(keys_sorted, minlength=n_groups)
    return np.cumsum(counts) - counts, counts


def _run_starts(a):
    """True where a run of equal values of ``a`` begins."""
    first = np.ones(len(a), dtype=bool)
    first[1:] = a[1:] != a[:-1]
    return first


def _place_in_group(keys_sorted):
    """0, 1, 2, ... inside each run of equal keys of a sorted array."""
    start = np.flatnonzero(_run_starts(keys_sorted))
    return np.arange(len(keys_sorted)) - np.repeat(start, np.diff(np.append(start, len(keys_sorted))))


def _pair_iou(dbox, gbox, crowd):
    """IoU of paired boxes (x, y, w, h), with the detection's area as union for crowds.

    Same arithmetic as pycocotools' ``bbIou`` so that a box on a threshold
    falls on the same side.
    """
    w = np.minimum(dbox[:, 0] + dbox[:, 2], gbox[:, 0] + gbox[:, 2]) - np.maximum(dbox[:, 0], gbox[:, 0])
    h = np.minimum(dbox[:, 1] + dbox[:, 3], gbox[:, 1] + gbox[:, 3]) - np.maximum(dbox[:, 1], gbox[:, 1])
    inter = w * h
    darea = dbox[:, 2] * dbox[:, 3]
    union = np.where(crowd, darea, darea + gbox[:, 2] * gbox[:, 3] - inter)
    iou = np.zeros(len(inter))
    np.divide(inter, union, out=iou, where=(w > 0) & (h > 0))
    return iou


def _match(g, d, n_images):
    """Greedy matching per (image, category), vectorised over all of them.

    pycocotools loops over every (image, category, area range, IoU threshold)
    and, inside, over the detections by score. Only that inner loop is
    sequential (a ground truth taken by one detection is no longer free for
    the next), so it is the only loop here: step k matches the k-th
    detection of every group at once, for all area ranges and IoU thresholds
    together.

    Returns the kept detections (the first 100 per image and category) in
    (category, image, rank) order with, per area range and IoU threshold,
    whether each is a true positive or a false positive (neither: ignored),
    and the ground truths' categories and ignore flags.
    """
    n_areas, n_thr = len(_AREA_RANGES), len(_IOU_THRESHOLDS)
    lo, hi = _AREA_RANGES[:, :1], _AREA_RANGES[:, 1:]

    # Ground truths sorted by group, (category, image), in file order inside
    # a group; g_pos, the place in the group, breaks ties between equal IoUs.
    g_key = g["cat"] * n_images + g["img"]
    g_order = np.argsort(g_key, kind="stable")
    g_key = g_key[g_order]
    g_box, g_area, g_crowd, g_cat = g["box"][g_order], g["area"][g_order], g["crowd"][g_order], g["cat"][g_order]
    g_pos = _place_in_group(g_key)
    g_ignore = g_crowd | (g_area < lo) | (g_area > hi)  # [A, G]
    n_gt = len(g_key)

    # Detections sorted by group too, then by score (stable: equal scores
    # keep the file order); only the first 100 of each group take part.
    d_key = d["cat"] * n_images + d["img"]
    d_order = np.lexsort((-d["score"], d_key))
    rank = _place_in_group(d_key[d_order])
    top = rank < _MAX_DETS[-1]
    d_order, rank = d_order[top], rank[top]
    d_key, d_box, d_score = d_key[d_order], d["box"][d_order], d["score"][d_order]
    n_det = len(d_key)

    # Candidate pairs: detection i with each ground truth of its group,
    # first[i], first[i] + 1, ..., so the pairs come sorted by detection.
    # A pair below the lowest threshold can never match and is dropped.
    first = np.searchsorted(g_key, d_key, side="left")
    per_det = np.searchsorted(g_key, d_key, side="right") - first
    pair_det = np.repeat(np.arange(n_det), per_det)
    pair_gt = first[pair_det] + _place_in_group(pair_det)
    iou = _pair_iou(d_box[pair_det], g_box[pair_gt], g_crowd[pair_gt])
    useful = iou >= _IOU_THRESHOLDS[0]
    pair_det, pair_gt, iou = pair_det[useful], pair_gt[useful], iou[useful]

    # Step k handles the k-th detection of every group that still has a
    # candidate (those without one match nothing and need no step). Sorting
    # the pairs by step, stably, keeps them sorted by detection inside a
    # step: one segment of pairs per detection.
    det_first = _run_starts(pair_det)  # first pair of each detection
    det_step = _place_in_group(d_key[pair_det[det_first]])
    step = det_step[np.cumsum(det_first) - 1]
    order = np.argsort(step, kind="stable")
    pair_det, pair_gt, iou, step = pair_det[order], pair_gt[order], iou[order], step[order]
    seg_start = np.flatnonzero(_run_starts(pair_det))
    seg_det = pair_det[seg_start]
    seg_group_gt = (pair_gt[seg_start] - g_pos[pair_gt[seg_start]])[:, None, None]  # its group's first gt
    n_steps = int(step[-1]) + 1 if len(step) else 0
    bounds = np.searchsorted(step, np.arange(n_steps + 1))  # pairs of step k: bounds[k]:bounds[k + 1]
    seg_bounds = np.searchsorted(seg_start, bounds)  # and its segments

    # pycocotools' loop prefers, among the free ground truths with IoU >= t,
    # a non-ignored one (it meets them first and stops at the ignored ones
    # once it has one), then the highest IoU, then the later ground truth
    # among equal IoUs (a tie replaces the match so far). One integer per
    # pair and area range, the digits (not ignored, IoU rank, g_pos), orders
    # the candidates the same way: the match is the candidate of largest key.
    iou_values, iou_rank = np.unique(iou, return_inverse=True)
    n_rank = max(len(iou_values), 1)
    n_pos = int(g_pos.max(initial=0)) + 1
    dtype = np.int32 if 2 * n_rank * n_pos < 2**31 else np.int64  # int32 halves the loop's memory traffic
    key = ((~g_ignore.T[pair_gt]) * n_rank + iou_rank[:, None]) * n_pos + g_pos[pair_gt][:, None]  # [P, A]
    key = key.astype(dtype)[:, :, None]  # [P, A, 1]
    above = (iou[:, None] >= _IOU_THRESHOLDS)[:, None, :]  # [P, 1, T]
    once = ~g_crowd[pair_gt][:, None, None]  # a crowd can be matched again and again

    # matched[g, a, t]: ground truth g is taken at area range a and
    # threshold t. The spare row n_gt takes the writes of the detections
    # that match nothing, so that marking needs no mask.
    matched = np.zeros((n_gt + 1, n_areas, n_thr), dtype=bool)
    cells = n_areas * n_thr
    cell = np.arange(cells).reshape(n_areas, n_thr)
    best_key = np.full((n_det, n_areas, n_thr), -1, dtype=dtype)  # -1: no match
    for k in range(n_steps):
        s, e = bounds[k], bounds[k + 1]
        ss, se = seg_bounds[k], seg_bounds[k + 1]
        free = above[s:e] & ~(matched[pair_gt[s:e]] & once[s:e])
        best = np.maximum.reduceat(np.where(free, key[s:e], -1), seg_start[ss:se] - s, axis=0)  # [S, A, T]
        best_key[seg_det[ss:se]] = best
        hit = np.where(best >= 0, seg_group_gt[ss:se] + best % n_pos, n_gt)  # best % n_pos is g_pos
        matched.ravel()[hit * cells + cell] = True

    # A match to a non-ignored ground truth (key digit 1, so key >= n_rank *
    # n_pos) is a true positive; a match to an ignored one is ignored, and
    # so is an unmatched detection whose box area is outside the range.
    d_area = d_box[:, 2] * d_box[:, 3]
    d_inside = ~((d_area < lo) | (d_area > hi)).T[:, :, None]  # [D, A, 1]
    tp = np.ascontiguousarray((best_key >= n_rank * n_pos).transpose(1, 2, 0))  # [A, T, D]
    fp = np.ascontiguousarray(((best_key < 0) & d_inside).transpose(1, 2, 0))
    return {
        "tp": tp, "fp": fp, "cat": d_key // n_images, "rank": rank, "score": d_score,
        "g_cat": g_cat, "g_ignore": g_ignore,
    }


def _recall_steps(n_gt):
    """Smallest j with j / n_gt >= r for each recall threshold r: [..., R].

    ``searchsorted(tp / n_gt, r, side="left")`` in pycocotools is then the
    place of the j-th true positive (of the first detection for j = 0).
    Computed with the same division, so a threshold met exactly is met here.
    """
    n = np.maximum(n_gt, 1).astype(np.float64)[..., None]
    r = _RECALL_THRESHOLDS
    j = np.clip(np.ceil(r * n), 0, n)
    for _ in range(2):  # ceil(r * n) may be one off after rounding
        j = j - ((j >= 1) & ((j - 1) / n >= r))
        j = j + ((j < n) & (j / n < r))
    return j.astype(np.int64)


def _suffix_max(rows, place, values, counts):
    """``max(values[i:])`` within each row; ``rows`` sorted, ``place`` = position in the row.

    The rows are padded into one block, each written backwards so that a
    running ``maximum.accumulate`` is the maximum from the right (values
    must be >= 0: the padding is 0), when the block is small enough;
    otherwise pointer doubling on the flat array (log2 of the longest row
    passes), which needs no padding.
    """
    width = max(int(counts.max(initial=0)), 1)
    if len(counts) * width <= _BLOCK_ELEMENTS:
        flat = rows * width + (width - 1 - place)
        block = np.zeros((len(counts), width))
        block.ravel()[flat] = values
        return np.maximum.accumulate(block, axis=1).ravel()[flat]
    out = values.copy()
    after = counts[rows] - place - 1  # elements after this one in its row
    step = 1
    while step < width:  # out[i] = max(values[i : i + 2 * step]) within the row
        far = np.flatnonzero(after >= step)
        out[far] = np.maximum(out[far], out[far + step])
        step *= 2
    return out


def _accumulate(m, n_cats):
    """Precision [T, R, K, A, M] and recall [T, K, A, M] from the matches.

    pycocotools walks, per (IoU threshold, category, area range, maxDets),
    the score-sorted detections: cumulative true and false positive counts
    give precision and recall after each detection; the precision is made
    monotone from the right and read where recall first reaches r. Only the
    true positives matter for that: precision can only rise at one, so the
    envelope at recall r is the largest precision at or after the j-th true
    positive, j the smallest count with j / n_gt >= r. Every row is done at
    once on the flat list of all true positives: its count in its row and
    the false positives before it give its precision, a suffix maximum per
    row the envelope.
    """
    n_areas, n_thr, n_rec = len(_AREA_RANGES), len(_IOU_THRESHOLDS), len(_RECALL_THRESHOLDS)
    n_rows = n_areas * n_thr * n_cats  # one row per (area range, IoU threshold, category)
    precision = np.empty((n_thr, n_rec, n_cats, n_areas, len(_MAX_DETS)))
    recall = np.empty((n_thr, n_cats, n_areas, len(_MAX_DETS)))
    # non-ignored ground truths per area range and category: [A, K]
    n_gt = np.stack([np.bincount(m["g_cat"][~ig], minlength=n_cats) for ig in m["g_ignore"]])
    has_gt = n_gt > 0
    # the true positive read at each recall threshold, counted from 1: [A, 1, K, R]
    # (recall 0 reads the first one: before it the precision is 0)
    need = np.maximum(_recall_steps(n_gt), 1)[:, None]
    # Per category, the detections of all images by score; equal scores keep
    # the order of image, then rank (pycocotools' stable sort of the per-image
    # lists concatenated in image order): the matches come in that order.
    order = np.lexsort((-m["score"], m["cat"]))
    cat, rank = m["cat"][order], m["rank"][order]
    tp_all, fp_all = m["tp"][:, :, order], m["fp"][:, :, order]  # [A, T, D]
    n_det = max(len(order), 1)
    # In the flattened [A, T, D] arrays row (a, t, k) starts at row_first[a * T + t, k].
    row_first = np.arange(n_areas * n_thr)[:, None] * n_det + _group_starts(cat, n_cats)[0]
    for mi, max_det in enumerate(_MAX_DETS):
        # the first max_det of each image: a subsequence of the stable sort
        kept = rank < max_det
        tp = tp_all & kept
        counted = np.flatnonzero(tp | (fp_all & kept))  # flat places of the TPs and FPs (not the ignored)
        tp_index = np.flatnonzero(tp.ravel()[counted])  # where the TPs are among them
        at, i = np.divmod(counted[tp_index], n_det)  # (area range, threshold) and detection of each TP
        c = cat[i]
        row = at * n_cats + c  # sorted
        row_start, row_count = _group_starts(row, n_rows)
        j = np.arange(len(row)) - row_start[row]  # this is the (j + 1)-th true positive of its row
        counted_before_row = np.searchsorted(counted, row_first)
        n_tp = (j + 1).astype(np.float64)
        n_fp = (tp_index - counted_before_row[at, c] - j).astype(np.float64)  # before it in its row
        # pycocotools' precision, with its eps: one true positive alone has 1 - 2.2e-16
        envelope = _suffix_max(row, j, n_tp / (n_fp + n_tp + np.spacing(1)), row_count)
        row_start, row_count = row_start.reshape(n_areas, n_thr, n_cats), row_count.reshape(n_areas, n_thr, n_cats)
        reached = need <= row_count[..., None]  # [A, T, K, R]
        place = np.where(reached, row_start[..., None] + need - 1, 0)
        q = np.where(reached, envelope[place] if len(envelope) else 0.0, 0.0)
        q = np.where(has_gt[:, None, :, None], q, -1.0)
        precision[..., mi] = q.transpose(1, 3, 2, 0)
        rec = np.divide(row_count, n_gt[:, None, :], out=np.full(row_count.shape, -1.0), where=has_gt[:, None, :])
        recall[..., mi] = rec.transpose(1, 2, 0)
    return precision, recall


def _summarize(precision, recall):
    """The 12 numbers of pycocotools' ``summarize()`` (mean over entries > -1)."""
    stats = np.zeros(len(_SUMMARY_SPEC))
    for i, (is_ap, iou_thr, area, max_det) in enumerate(_SUMMARY_SPEC):
        a = [_AREA_LABELS.index(area)]
        mi = [_MAX_DETS.index(max_det)]
        s = precision if is_ap else recall
        if iou_thr is not None:
            s = s[np.where(iou_thr == _IOU_THRESHOLDS)[0]]
        s = s[..., a, mi]
        kept = s[s > -1]
        stats[i] = -1.0 if kept.size == 0 else np.mean(kept)
    return stats


# --------------------------------------------------------------------------
# Synthetic data


def make_coco_dataset(n_images=200, n_categories=8, *, seed=None, first_annotation_id=1):
    r"""A synthetic COCO-format set with the corner cases of COCO evaluation.

    Synthetic data helper (no slide formula) for the tests, the benchmark and
    the worked example. About 7.5 ground truths and 23 detections per image,
    with: crowd boxes (and detections inside them), objects whose ``"area"``
    is exactly $32^2$ or $96^2$, detection boxes of exactly those areas, an
    ``"area"`` field smaller than the box (as for segmentation areas), objects
    annotated twice (equal IoUs), scores rounded to two decimals (many ties,
    some on identical boxes), detections of the wrong class, a category with detections but no ground truth and
    one with neither, images without detections (and without ground truth),
    an image with more than 100 detections of one category, unsorted and
    non-contiguous image and category ids, and records in shuffled order.

    Parameters
    ----------
    n_images : int, default=200
        Number of images (at least 3).
    n_categories : int, default=8
        Number of categories; with 3 or more, the two last have no ground truth.
    seed : int, Generator or None
        Seed of NumPy's random generator.
    first_annotation_id : int, default=1
        Id of the first annotation, the others follow; 0 shows pycocotools'
        id-0 bug (the ids are all that changes with it).

    Returns
    -------
    ground_truth : dict
        ``{"images", "annotations", "categories"}`` (json-serialisable).
    detections : list of dict
        ``{"image_id", "category_id", "bbox", "score"}`` records.

    Examples
    --------
    >>> gt, dets = make_coco_dataset(50, 4, seed=0)
    >>> len(gt["images"]), len(gt["categories"])
    (50, 4)
    >>> sorted(gt["annotations"][0])
    ['area', 'bbox', 'category_id', 'id', 'image_id', 'iscrowd']
    """
    if n_images < 3 or n_categories < 1:
        raise ValueError(f"need n_images >= 3 and n_categories >= 1, got {n_images} and {n_categories}")
    rng = random_generator(seed)
    width, height = 640.0, 480.0
    image_ids = rng.choice(np.arange(1, 10 * n_images + 1), size=n_images, replace=False)
    category_ids = np.sort(rng.choice(np.arange(1, 3 * n_categories + 1), size=n_categories, replace=False))
    n_gt_cats = n_categories - 2 if n_categories >= 3 else n_categories

    # Ground truth
    per_image = rng.poisson(7.75, n_images)
    per_image[rng.random(n_images) < 0.03] = 0
    per_image[1] = 0  # an image without ground truth for sure
    n_gt = int(per_image.sum())
    g_img = np.repeat(np.arange(n_images), per_image)
    g_cat = rng.integers(0, n_gt_cats, n_gt)
    area = np.exp(rng.uniform(np.log(6.0**2), np.log(350.0**2), n_gt))
    aspect = np.exp(rng.uniform(np.log(0.5), np.log(2.0), n_gt))
    crowd = rng.random(n_gt) < 0.04
    w = np.sqrt(area * aspect) * np.where(crowd, 2.0, 1.0)
    h = np.sqrt(area / aspect) * np.where(crowd, 2.0, 1.0)
    w, h = np.round(np.clip(w, 1.0, width - 1), 1), np.round(np.clip(h, 1.0, height - 1), 1)
    ann_area = np.where(rng.random(n_gt) < 0.5, np.round(w * h * rng.uniform(0.6, 1.0, n_gt), 2), w * h)
    border = rng.random(n_gt)
    for side, lo, hi in ((32.0, 0.0, 0.05), (96.0, 0.05, 0.10)):
        on = (border >= lo) & (border < hi) & ~crowd
        w[on], h[on], ann_area[on] = side, side, side * side
    x = np.round(rng.uniform(0, width - w), 1)
    y = np.round(rng.uniform(0, height - h), 1)
    twin = np.flatnonzero(~crowd & (rng.random(n_gt) < 0.02))  # annotated twice: IoU ties
    g_img, g_cat, crowd, x, y, w, h, ann_area = (
        np.concatenate([v, v[twin]]) for v in (g_img, g_cat, crowd, x, y, w, h, ann_area))
    n_gt = len(g_img)

    # Detections: jittered ground truths, duplicates, boxes in crowds, false positives
    def jitter(src, sigma):
        dx = rng.normal(0, 1, len(src)) * sigma * w[src]
        dy = rng.normal(0, 1, len(src)) * sigma * h[src]
        dw, dh = np.exp(rng.normal(0, 1, (2, len(src))) * sigma)
        return np.stack([x[src] + dx, y[src] + dy, np.maximum(w[src] * dw, 1.0), np.maximum(h[src] * dh, 1.0)], 1)

    def scores(base, n):
        return np.round(np.clip(base + rng.normal(0, 0.15, n), 0.01, 1.0), 2)

    found = np.flatnonzero(~crowd & (rng.random(n_gt) < 0.85))
    sigma = rng.choice([0.03, 0.08, 0.2], size=len(found))
    boxes = [jitter(found, sigma)]
    score = [scores(0.95 - 2 * sigma, len(found))]
    imgs, cats = [g_img[found]], [g_cat[found].copy()]
    wrong = rng.random(len(found)) < 0.08
    cats[0][wrong] = rng.integers(0, n_categories, int(wrong.sum()))

    dup = found[rng.random(len(found)) < 0.25]
    boxes.append(jitter(dup, np.full(len(dup), 0.1)))
    score.append(scores(0.5, len(dup)))
    imgs.append(g_img[dup])
    cats.append(g_cat[dup])
    same = found[rng.random(len(found)) < 0.05]  # identical box, identical score
    boxes.append(boxes[0][np.searchsorted(found, same)])
    score.append(score[0][np.searchsorted(found, same)])
    imgs.append(g_img[same])
    cats.append(cats[0][np.searchsorted(found, same)])

    in_crowd = np.repeat(np.flatnonzero(crowd), 4)
    bw, bh = w[in_crowd] * rng.uniform(0.1, 0.4, len(in_crowd)), h[in_crowd] * rng.uniform(0.1, 0.4, len(in_crowd))
    bx = x[in_crowd] + rng.uniform(0, 1, len(in_crowd)) * (w[in_crowd] - bw)
    by = y[in_crowd] + rng.uniform(0, 1, len(in_crowd)) * (h[in_crowd] - bh)
    boxes.append(np.stack([bx, by, bw, bh], 1))
    score.append(scores(0.6, len(in_crowd)))
    imgs.append(g_img[in_crowd])
    cats.append(g_cat[in_crowd])

    n_fp = rng.poisson(15.9, n_images)
    fp_img = np.repeat(np.arange(n_images), n_fp)
    fw = np.exp(rng.uniform(np.log(6.0), np.log(300.0), len(fp_img)))
    fh = fw * np.exp(rng.uniform(np.log(0.5), np.log(2.0), len(fp_img)))
    side = rng.random(len(fp_img))
    fw[side < 0.04], fh[side < 0.04] = 32.0, 32.0
    fw[(side >= 0.04) & (side < 0.08)], fh[(side >= 0.04) & (side < 0.08)] = 96.0, 96.0
    boxes.append(np.stack([rng.uniform(0, width - 6, len(fp_img)), rng.uniform(0, height - 6, len(fp_img)), fw, fh], 1))
    score.append(np.round(rng.uniform(0.0, 0.7, len(fp_img)), 2))
    imgs.append(fp_img)
    cats.append(rng.integers(0, n_categories, len(fp_img)))

    # image 0: more than 100 detections of one category, scores with one decimal
    crowded = np.flatnonzero(g_img == 0)
    target = int(g_cat[crowded[0]]) if len(crowded) else 0
    src = crowded[g_cat[crowded] == target] if len(crowded) else crowded
    n_many = 130
    if len(src):
        many = jitter(rng.choice(src, n_many), np.full(n_many, 0.15))
    else:
        many = np.stack([rng.uniform(0, 500, n_many), rng.uniform(0, 400, n_many), np.full(n_many, 40.0),
                         np.full(n_many, 30.0)], 1)
    boxes.append(many)
    score.append(np.round(rng.uniform(0, 1, n_many), 1))
    imgs.append(np.zeros(n_many, dtype=np.int64))
    cats.append(np.full(n_many, target))

    d_box = np.round(np.concatenate(boxes), 2)
    d_score = np.concatenate(score)
    d_img = np.concatenate(imgs)
    d_cat = np.concatenate(cats)
    silent = rng.random(n_images) < 0.05  # images without detections
    silent[[0, 1]] = False
    silent[2] = True
    keep = ~silent[d_img]
    if n_categories >= 3:  # the second-to-last category has neither ground truth nor detections
        keep &= d_cat != n_categories - 2
    d_box, d_score, d_img, d_cat = d_box[keep], d_score[keep], d_img[keep], d_cat[keep]
    shuffle = rng.permutation(len(d_score))
    d_box, d_score, d_img, d_cat = d_box[shuffle], d_score[shuffle], d_img[shuffle], d_cat[shuffle]

    g_shuffle = rng.permutation(n_gt)
    precise = found[(sigma == sigma.min()) & ~wrong & ~silent[g_img[found]]] if len(found) else found
    if len(precise):  # the first annotation (the one with id 0 if asked) is found precisely
        best = precise[0]
        where = int(np.flatnonzero(g_shuffle == best)[0])
        g_shuffle[[0, where]] = g_shuffle[[where, 0]]
    g_box = np.stack([x, y, w, h], 1)[g_shuffle]
    g_img, g_cat, ann_area, crowd = g_img[g_shuffle], g_cat[g_shuffle], ann_area[g_shuffle], crowd[g_shuffle]
    image_list, cat_list = image_ids.tolist(), category_ids.tolist()
    ground_truth = {
        "images": [{"id": i, "width": int(width), "height": int(height), "file_name": f"{i:08d}.jpg"}
                   for i in image_list],
        "annotations": [
            {"id": first_annotation_id + n, "image_id": image_list[i], "category_id": cat_list[c],
             "bbox": b, "area": a, "iscrowd": int(cr)}
            for n, (i, c, b, a, cr) in enumerate(zip(g_img.tolist(), g_cat.tolist(), g_box.tolist(),
                                                     ann_area.tolist(), crowd.tolist()))
        ],
        "categories": [{"id": c, "name": f"class {c}"} for c in cat_list],
    }
    detections = [
        {"image_id": image_list[i], "category_id": cat_list[c], "bbox": b, "score": s}
        for i, c, b, s in zip(d_img.tolist(), d_cat.tolist(), d_box.tolist(), d_score.tolist())
    ]
    return ground_truth, detections

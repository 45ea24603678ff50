r"""COCO box evaluation (slide 002, "Average Recall"): the 12 numbers of the COCO
leaderboard, computed from COCO-format json records.

This module is **not namespace-generic**: COCO ground truth and detections are
json records (lists of dicts), so it works on NumPy, converts the records
explicitly to NumPy arrays and returns NumPy arrays and Python floats.
Convert arrays of another library with `to_numpy` before you build the records.

`coco_evaluate` follows the rules of pycocotools' ``COCOeval`` (``bbox``)
and gives its ``stats`` to floating-point rounding, except for one pycocotools
bug that is not copied: pycocotools stores matches as annotation ids with 0
meaning "no match", so a detection matched to the annotation whose id is 0
counts as a false positive there; here it counts as a true positive.

Synthetic COCO data with every corner case of the evaluation (for tests,
benchmarks and examples) is made by `dlnotes.datasets.make_coco_dataset`.
"""

from __future__ import annotations

import json
import os
from itertools import chain
from operator import itemgetter

import numpy as np

from dlnotes._checks import Spec, checked

__all__ = ["SUMMARY_NAMES", "coco_evaluate"]

#: Names of the 12 summary numbers, in the order of pycocotools' ``stats``.
SUMMARY_NAMES = (
    "AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl",
)  # fmt: skip

# pycocotools' default box parameters (Params.setDetParams).
_MAX_DETS = (1, 10, 100)
_AREA_LABELS = ("all", "small", "medium", "large")
_BOX = "[x, y, width, height] (4 finite numbers)"
_AREA_RANGES = ((0.0, 1e10), (0.0, 32.0**2), (32.0**2, 96.0**2), (96.0**2, 1e10))


# --------------------------------------------------------------------------
# Validation of the json records (the package's; a snippet trusts its input)


def _read_json(name, source):
    if not isinstance(source, (str, os.PathLike)):
        return source
    with open(source, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(
                f"{name}: the file {os.fspath(source)!r} is not valid json ({err})"
            ) from err


class _Records(Spec):
    """COCO ground truth (a dict of three lists) or detections (a list), or the path of
    their json file, read here. The records themselves are checked as they are read."""

    def __init__(self, kind):
        self.kind = kind

    def check(self, name, value, call):
        value = _read_json(name, value)
        if self.kind is list and not isinstance(value, (list, tuple)):
            raise TypeError(f"{name} must be a list of detection dicts or the path of a json "
                            f"file, got {type(value).__name__}")  # fmt: skip
        if self.kind is list:
            return value
        if not isinstance(value, dict):
            raise TypeError(f"{name} must be a dict with 'images', 'annotations' and "
                            "'categories' or the path of a json file, "
                            f"got {type(value).__name__}")  # fmt: skip
        for key in ("images", "annotations", "categories"):
            if key not in value:
                raise ValueError(f"{name} has no {key!r} key "
                                 "(expected 'images', 'annotations', 'categories')")  # fmt: skip
            if not isinstance(value[key], (list, tuple)):
                raise TypeError(f"{name}[{key!r}] must be a list, got {type(value[key]).__name__}")
        return value


class _IouType(Spec):
    """``"bbox"``: the only kind of COCO evaluation done here."""

    def check(self, name, value, call):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string ('bbox'), got {value!r}")
        if value in ("segm", "keypoints"):
            raise ValueError(f"{name}={value!r}: {value} is not supported; "
                             f"dlnotes evaluates boxes only ({name}='bbox')")  # fmt: skip
        if value != "bbox":
            raise ValueError(f"{name} must be 'bbox', got {value!r}")
        return value


# --------------------------------------------------------------------------
# The evaluation


@checked(
    ground_truth=_Records(dict),
    detections=_Records(list),
    iou_type=_IouType(),
)
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
        If ``iou_type`` is not a string, the ground truth is not a dict (or
        one of its three sections not a list), the detections not a list, a
        record not a dict, or ids are neither integers nor strings.
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

    >>> box = {"image_id": 1, "category_id": 1, "area": 100, "iscrowd": 0}
    >>> gt = {"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": [
    ...     dict(box, id=1, bbox=[0, 0, 10, 10]), dict(box, id=2, bbox=[20, 20, 10, 10])]}
    >>> dets = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9},
    ...         {"image_id": 1, "category_id": 1, "bbox": [20, 20, 10, 7.2], "score": 0.8}]
    >>> r = coco_evaluate(gt, dets)
    >>> [round(r[name], 4) for name in ("AP50", "AP75", "AP", "AR100", "APm")]
    [1.0, 0.505, 0.7525, 0.75, -1.0]
    >>> r["precision"].shape
    (10, 101, 1, 4, 3)
    """
    gt, dts = _load(ground_truth), _load(detections)
    anns, a = gt["annotations"], "ground_truth['annotations']"
    image_ids = np.unique(_column(gt["images"], "id", "ground_truth['images']"))
    category_ids = np.unique(_column(gt["categories"], "id", "ground_truth['categories']"))
    if len(np.unique(_column(anns, "id", a))) != len(anns):
        raise ValueError(f"{a} ids must be unique (COCO format)")
    g_img = _index(image_ids, _column(anns, "image_id", a))
    g_cat = _index(category_ids, _column(anns, "category_id", a))
    g = np.flatnonzero((g_img >= 0) & (g_cat >= 0))  # pycocotools leaves the others out
    d_img = _index(image_ids, _column(dts, "image_id", "detections"))
    if (d_img < 0).any():
        i = int(np.flatnonzero(d_img < 0)[0])
        raise ValueError(f"detections[{i}] has image_id {dts[i]['image_id']!r}, which is not an "
                         "image of ground_truth['images'] (pycocotools: 'Results do not "
                         "correspond to current coco set')")  # fmt: skip
    d_cat = _index(category_ids, _column(dts, "category_id", "detections"))
    d = np.flatnonzero(d_cat >= 0)  # categories outside the ground truth are not evaluated
    g_crowd = _column(anns, "iscrowd", a, "0 or 1")[g] != 0
    matches = _match(
        (
            g_cat[g],
            g_img[g],
            _column(anns, "bbox", a, _BOX)[g],
            _column(anns, "area", a, "a finite number")[g],
        ),
        g_crowd,
        (d_cat[d], d_img[d], _column(dts, "bbox", "detections", _BOX)[d]),
        _column(dts, "score", "detections", "a finite number")[d],
        max(len(image_ids), 1),
    )
    precision, recall = _accumulate(*matches, len(category_ids))

    def mean(s):  # pycocotools' summarize(): the mean over the defined entries
        return float(np.mean(s[s > -1])) if (s > -1).any() else -1.0

    stats = [mean(precision[..., 0, 2]), mean(precision[0, ..., 0, 2])]  # AP, AP50
    stats += [mean(precision[5, ..., 0, 2])] + [mean(precision[..., a, 2]) for a in (1, 2, 3)]
    stats += [mean(recall[..., 0, m]) for m in (0, 1, 2)] + [
        mean(recall[..., a, 2]) for a in (1, 2, 3)
    ]
    return dict(
        zip(SUMMARY_NAMES, stats),
        stats=np.array(stats),
        precision=precision,
        recall=recall,
        category_ids=category_ids,
        iou_thresholds=np.linspace(0.5, 0.95, 10),
        recall_thresholds=np.linspace(0.0, 1.0, 101),
        area_labels=_AREA_LABELS,
        max_dets=_MAX_DETS,
    )


def _load(source):
    """The json records, read from the file ``source`` if it is a path."""
    if not isinstance(source, (str, os.PathLike)):
        return source
    with open(source, encoding="utf-8") as f:
        return json.load(f)


def _column(records, key, what, number=None):
    """``[r[key] for r in records]`` as an array: ids (integers or strings) as they are;
    with ``number`` (what a value must be), finite floats, a "bbox" as [n, 4]."""
    try:
        values = list(map(itemgetter(key), records))
    except (KeyError, TypeError, IndexError):
        for i, r in enumerate(records):  # name the record at fault
            if not isinstance(r, dict):
                raise TypeError(f"{what}[{i}] must be a dict, got {type(r).__name__}") from None
            if key not in r:
                raise ValueError(f"{what}[{i}] has no {key!r} key") from None
        raise
    if number is None:
        ids = np.array(values)
        if len(values) and (ids.ndim != 1 or ids.dtype.kind not in "iuU"):
            raise TypeError(f"{what} {key}s must be integers (or strings), got {values[:3]!r}...")
        return ids
    shape = (4,) if key == "bbox" else ()
    try:
        flat = chain.from_iterable(values) if shape else values
        arr = np.fromiter(flat, np.float64, len(values) * sum(shape or (1,))).reshape(-1, *shape)
        if np.isfinite(arr).all() and (not shape or set(map(len, values)) <= {4}):
            return arr
    except (ValueError, TypeError):
        pass
    for i, v in enumerate(values):  # the first bad value
        try:
            one = np.asarray(v, dtype=np.float64)
        except (ValueError, TypeError):
            one = None
        if one is None or one.shape != shape:
            raise ValueError(f"{what} {key}[{i}] must be {number}, got {v!r}")
        if not np.isfinite(one).all():
            raise ValueError(f"{what} {key}[{i}] must be finite, got {v!r}")
    raise ValueError(f"{what} {key} must be {number} each")


def _index(ids, values):
    """Position of each value in the sorted ``ids``, -1 where it is not there."""
    if len(ids) == 0 or len(values) == 0 or (ids.dtype.kind == "U") != (values.dtype.kind == "U"):
        return np.full(len(values), -1)
    pos = np.minimum(np.searchsorted(ids, values), len(ids) - 1)
    return np.where(ids[pos] == values, pos, -1)


def _starts(a):
    """True where a run of equal values of ``a`` begins."""
    return np.concatenate([np.ones(min(len(a), 1), dtype=bool), a[1:] != a[:-1]])


def _place(keys_sorted):
    """0, 1, 2, ... inside each run of equal keys of a sorted array."""
    start = np.flatnonzero(_starts(keys_sorted))
    return np.arange(len(keys_sorted)) - np.repeat(
        start, np.diff(np.append(start, len(keys_sorted)))
    )


def _group_starts(keys_sorted, n_groups):
    """First position of every group in a sorted key array, and the group sizes."""
    counts = np.bincount(keys_sorted, minlength=n_groups)
    return np.cumsum(counts) - counts, counts


def _pair_iou(dbox, gbox, crowd):
    """IoU of paired boxes (x, y, w, h), with the detection's area as union for crowds.

    Same arithmetic as pycocotools' ``bbIou``: a box on a threshold falls on the same side.
    """
    (dx, dy, dw, dh), (gx, gy, gw, gh) = dbox.T, gbox.T
    w = np.minimum(dx + dw, gx + gw) - np.maximum(dx, gx)
    h = np.minimum(dy + dh, gy + gh) - np.maximum(dy, gy)
    union = np.where(crowd, dw * dh, dw * dh + gw * gh - w * h)
    return np.divide(w * h, union, out=np.zeros(len(w)), where=(w > 0) & (h > 0))


def _match(g, g_crowd, d, d_score, n_images):
    """Greedy matching per (image, category), vectorised over all of them.

    pycocotools loops over every (image, category, area range, IoU threshold)
    and, inside, over the detections by score. Only that inner loop is
    sequential (a ground truth taken by one detection is no longer free for
    the next), so it is the only loop here: step k matches the k-th
    detection of every group at once, for all area ranges and IoU thresholds
    together. Returns, per area range and IoU threshold, whether each kept
    detection (the first 100 per image and category, in (category, image,
    rank) order) is a true or a false positive (neither: ignored), with
    their categories, ranks and scores, the ground truths' categories and
    their ignore flags per area range.
    """
    thresholds, (lo, hi) = np.linspace(0.5, 0.95, 10), np.array(_AREA_RANGES).T[:, :, None]
    # Ground truths sorted by group, (category, image), in file order inside a
    # group; g_pos, the place in the group, breaks ties between equal IoUs.
    order = np.argsort(g[0] * n_images + g[1], kind="stable")
    g_cat, g_img, g_box, g_area, g_crowd = (v[order] for v in (*g, g_crowd))
    g_key, g_ignore = g_cat * n_images + g_img, g_crowd | (g_area < lo) | (g_area > hi)  # [A, G]
    g_pos = _place(g_key)
    # Detections by group, then by score (stable: ties keep the file order);
    # only the first 100 of each group take part.
    d_key = d[0] * n_images + d[1]
    order = np.lexsort((-d_score, d_key))
    rank = _place(d_key[order])
    order, rank = order[rank < _MAX_DETS[-1]], rank[rank < _MAX_DETS[-1]]
    d_key, d_box, d_score = d_key[order], d[2][order], d_score[order]
    # Candidate pairs: detection i with each ground truth of its group, sorted
    # by detection; a pair below the lowest threshold can never match.
    first = np.searchsorted(g_key, d_key, side="left")
    pair_det = np.repeat(np.arange(len(d_key)), np.searchsorted(g_key, d_key, "right") - first)
    pair_gt = first[pair_det] + _place(pair_det)
    iou = _pair_iou(d_box[pair_det], g_box[pair_gt], g_crowd[pair_gt])
    pair_det, pair_gt, iou = (v[iou >= thresholds[0]] for v in (pair_det, pair_gt, iou))
    # Step k handles the k-th detection of every group that still has a
    # candidate; a stable sort by step keeps one segment of pairs per detection.
    det_first = _starts(pair_det)
    step = _place(d_key[pair_det[det_first]])[np.cumsum(det_first) - 1]
    order = np.argsort(step, kind="stable")
    pair_det, pair_gt, iou, step = pair_det[order], pair_gt[order], iou[order], step[order]
    seg_start = np.flatnonzero(_starts(pair_det))
    seg_det, seg_gt = pair_det[seg_start], pair_gt[seg_start]
    group_first_gt = (seg_gt - g_pos[seg_gt])[:, None, None]
    bounds = np.searchsorted(step, np.arange(step[-1] + 2 if len(step) else 1))
    seg_bounds = np.searchsorted(seg_start, bounds)  # step k: pairs and segments in bounds[k:k+2]
    # pycocotools prefers, among the free ground truths with IoU >= t, a
    # non-ignored one, then the highest IoU, then the later one among equal
    # IoUs. One integer per pair and area range, the digits (not ignored, IoU
    # rank, g_pos), orders them so: the match is the candidate of largest key.
    iou_values, iou_rank = np.unique(iou, return_inverse=True)
    n_rank, n_pos = max(len(iou_values), 1), 1 << int(g_pos.max(initial=0)).bit_length()
    dtype = np.int32 if 2 * n_rank * n_pos < 2**31 else np.int64  # int32: less memory traffic
    key = ((~g_ignore.T[pair_gt]) * n_rank + iou_rank[:, None]) * n_pos + g_pos[pair_gt][:, None]
    key = key.astype(dtype)[:, :, None]  # [P, A, 1]
    above = (iou[:, None] >= thresholds)[:, None, :]  # [P, 1, T]
    once = ~g_crowd[pair_gt][:, None, None]  # a crowd can be matched again and again
    # matched[g, a, t]; the spare last row takes the writes of detections that match nothing.
    matched = np.zeros((len(g_key) + 1, len(_AREA_RANGES), len(thresholds)), dtype=bool)
    cell = np.arange(matched[0].size).reshape(matched[0].shape)
    best_key = np.full((len(d_key), *matched[0].shape), -1, dtype=dtype)  # -1: no match
    for k in range(len(bounds) - 1):
        (s, e), (ss, se) = bounds[k : k + 2], seg_bounds[k : k + 2]
        free = above[s:e] & ~(matched[pair_gt[s:e]] & once[s:e])
        best = np.maximum.reduceat(np.where(free, key[s:e], -1), seg_start[ss:se] - s, axis=0)
        best_key[seg_det[ss:se]] = best
        hit = np.where(best >= 0, group_first_gt[ss:se] + (best & (n_pos - 1)), len(g_key))
        matched.ravel()[hit * matched[0].size + cell] = True
    # A match to a non-ignored ground truth (key >= n_rank * n_pos) is a true
    # positive; a match to an ignored one is ignored, and so is an unmatched
    # detection whose box area is outside the range.
    d_area = d_box[:, 2] * d_box[:, 3]
    d_inside = ~((d_area < lo) | (d_area > hi)).T[:, :, None]  # [D, A, 1]
    tp = np.ascontiguousarray((best_key >= n_rank * n_pos).transpose(1, 2, 0))  # [A, T, D]
    fp = np.ascontiguousarray(((best_key < 0) & d_inside).transpose(1, 2, 0))
    return tp, fp, d_key // n_images, rank, d_score, g_cat, g_ignore


def _accumulate(tp_all, fp_all, d_cat, d_rank, d_score, g_cat, g_ignore, n_cats):
    """Precision [T, R, K, A, M] and recall [T, K, A, M] from the matches.

    pycocotools walks, per (IoU threshold, category, area range, maxDets),
    the score-sorted detections: cumulative true and false positives give
    precision and recall after each one; the precision is made monotone
    from the right and read where recall first reaches r. Precision only
    rises at a true positive, so the envelope at recall r is the largest
    precision at or after the j-th true positive, j the smallest count with
    j / n_gt >= r. All rows are done at once on the flat list of true
    positives: its count in its row and the false positives before it give
    its precision; a maximum per stretch between two thresholds' places,
    then from the right over the 101 stretches, the envelope.
    """
    (n_areas, n_thr), recall_thresholds = tp_all.shape[:2], np.linspace(0.0, 1.0, 101)
    n_rows = n_areas * n_thr * n_cats  # one row per (area range, IoU threshold, category)
    n_gt = np.stack([np.bincount(g_cat[~ig], minlength=n_cats) for ig in g_ignore])  # [A, K]
    # The smallest j with j / n_gt >= r, with pycocotools' division (ceil may be one off);
    # counted from 1 (recall 0 reads the first true positive): [A, 1, K, R].
    n = np.maximum(n_gt, 1)[..., None].astype(np.float64)
    need = np.clip(np.ceil(recall_thresholds * n), 0, n)
    for _ in range(2):
        need = need - ((need >= 1) & ((need - 1) / n >= recall_thresholds))
        need = need + ((need < n) & (need / n < recall_thresholds))
    need = np.maximum(need.astype(np.int64), 1)[:, None]
    # Per category, the detections of all images by score; equal scores keep
    # the order of image, then rank (pycocotools' stable sort of the per-image
    # lists concatenated in image order): the matches come in that order.
    order = np.lexsort((-d_score, d_cat))
    precision = np.empty((n_thr, 101, n_cats, n_areas, len(_MAX_DETS)))
    recall = np.empty((n_thr, n_cats, n_areas, len(_MAX_DETS)))
    for m, max_det in enumerate(_MAX_DETS):
        kept = order[d_rank[order] < max_det]  # the first max_det of each image, in that order
        tp, cat, n_det = tp_all[:, :, kept], d_cat[kept], max(len(kept), 1)  # [A, T, D]
        counted = np.flatnonzero(tp | fp_all[:, :, kept])  # the TPs and FPs (not the ignored)
        # In the flat [A, T, D] arrays, row (a, t, k) starts at row_first[a * T + t, k].
        row_first = np.arange(n_areas * n_thr)[:, None] * n_det + _group_starts(cat, n_cats)[0]
        tp_index = np.flatnonzero(tp.ravel()[counted])  # where the TPs are among them
        at, i = np.divmod(counted[tp_index], n_det)  # (area range, threshold), detection
        row = at * n_cats + cat[i]  # sorted
        row_start, row_count = _group_starts(row, n_rows)
        j = np.arange(len(row)) - row_start[row]  # the (j + 1)-th true positive of its row
        n_fp = tp_index - np.searchsorted(counted, row_first)[at, cat[i]] - j  # FPs before it
        # pycocotools' precision, with its eps: one true positive alone has 1 - 2.2e-16
        prec = (j + 1) / (n_fp + j + 1 + np.spacing(1))
        row_start, row_count = (v.reshape(n_areas, n_thr, n_cats) for v in (row_start, row_count))
        reached = need <= row_count[..., None]  # [A, T, K, R]
        # The envelope at the need-th true positive: the largest precision up to the next
        # threshold's place (reduceat), then the maximum of those from the right.
        place = np.where(
            reached, row_start[..., None] + need - 1, (row_start + row_count)[..., None]
        )
        q = np.zeros(reached.shape)
        if len(prec):
            upto_next = np.maximum.reduceat(prec, np.minimum(place, len(prec) - 1).ravel())
            q = np.where(reached, upto_next.reshape(reached.shape), 0.0)
            q = np.maximum.accumulate(q[..., ::-1], axis=-1)[..., ::-1]
        precision[..., m] = np.where(n_gt[:, None, :, None] > 0, q, -1.0).transpose(1, 3, 2, 0)
        rec = np.divide(row_count, n_gt[:, None], out=np.full(row_count.shape, -1.0),
                        where=n_gt[:, None] > 0)  # fmt: skip
        recall[..., m] = rec.transpose(1, 2, 0)
    return precision, recall

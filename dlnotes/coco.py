r"""COCO box evaluation (slide 002, "Average Recall"): the 12 numbers of the COCO
leaderboard, computed from COCO-format json records.

This module is **not namespace-generic**: COCO ground truth and detections are
json records (lists of dicts), so it works on NumPy, converts the records
explicitly to NumPy arrays and returns NumPy arrays and Python floats.
Convert arrays of another library with `to_numpy` before you build the records.

`coco_evaluate` follows the rules of pycocotools' ``COCOeval`` (``bbox``)
and gives its ``stats`` and arrays to floating-point rounding, with its
parameters (IoU thresholds, detection limits, area ranges, class-agnostic
evaluation), except where pycocotools is wrong: a detection matched to the
annotation whose id is 0 counts as a true positive here (pycocotools stores
matches as annotation ids with 0 meaning "no match"), and the AP numbers use
the largest detection limit (pycocotools' summary looks for 100).

Synthetic COCO data with every corner case of the evaluation (for tests,
benchmarks and examples) is made by `dlnotes.datasets.make_coco_dataset`.
"""

from __future__ import annotations

import json
import numbers
import os
from collections.abc import Mapping
from itertools import chain
from operator import itemgetter

import numpy as np

from dlnotes._checks import Choice, Flag, Spec, checked

__all__ = ["SUMMARY_NAMES", "coco_evaluate"]

#: Names of the 12 summary numbers, in the order of pycocotools' ``stats``.
SUMMARY_NAMES = (
    "AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl",
)  # fmt: skip

# pycocotools' default box parameters (Params.setDetParams).
_AREA_LABELS = ("all", "small", "medium", "large")
_BOX = "[x, y, width, height] (4 finite numbers of magnitude at most 1e150)"
_AREA_RANGES = ((0.0, 1e10), (0.0, 32.0**2), (32.0**2, 96.0**2), (96.0**2, 1e10))
_SHORT = {"small": "s", "medium": "m", "large": "l"}  # APs, APm, APl
_RECALL_LEVELS = ("pycocotools", "exact")  # as average_precision(method="coco")
_BLOCK = 4096  # segments (detections) matched together at most: bounds the memory

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
        if self.kind is list and hasattr(value, "__array__") and not isinstance(value, list):
            return _detection_array(name, value)
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
        for key in ("images", "categories"):  # sorted below: one kind of id each
            if len({isinstance(r.get("id"), str) for r in value[key] if isinstance(r, dict)}) > 1:
                raise TypeError(f"{name}[{key!r}] ids must be all integers or all strings")
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


def _detection_array(name, value):
    """Detections as an (N, 7) array [image_id, x, y, w, h, score, category_id]."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "iuf" or arr.ndim != 2 or arr.shape[1] != 7:
        raise ValueError(f"{name} as an array must be (N, 7) numbers [image_id, x, y, w, h, "
                         f"score, category_id], got shape {arr.shape} of {arr.dtype}")  # fmt: skip
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all() or (np.abs(arr[:, 1:5]) > 1e150).any():
        raise ValueError(f"{name} must hold finite numbers, boxes of magnitude at most 1e150")
    if (arr[:, [0, 6]] != np.round(arr[:, [0, 6]])).any():
        raise ValueError(f"{name}: image_id and category_id (columns 0 and 6) must be integers")
    return arr


def _real_list(name, value, low=-np.inf, high=np.inf):
    """A nonempty list of real numbers in [low, high], as a float array."""
    if isinstance(value, (str, bytes, dict)) or not np.iterable(value):
        raise TypeError(f"{name} must be a list of numbers, got {value!r}")
    items = list(value)
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in items):
        raise TypeError(f"{name} must hold real numbers, got {items!r:.80}")
    arr = np.array(items, dtype=np.float64)
    if not len(arr) or np.isnan(arr).any() or (arr < low).any() or (arr > high).any():
        raise ValueError(f"{name} must be a nonempty list of numbers in [{low}, {high}], "
                         f"got {items!r:.80}")  # fmt: skip
    return arr


class _Thresholds(Spec):
    """``None`` or a nonempty list of IoU thresholds in [0, 1]."""

    def check(self, name, value, call):
        return None if value is None else _real_list(name, value, 0.0, 1.0)


class _MaxDetections(Spec):
    """A nonempty list of distinct detection limits per image, each an integer >= 1."""

    def check(self, name, value, call):
        if isinstance(value, (str, bytes, dict)) or not np.iterable(value):
            raise TypeError(f"{name} must be a list of integers, got {value!r}")
        items = list(value)
        if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in items):
            raise TypeError(f"{name} must hold integers, got {items!r:.80}")
        if not items or min(items) < 1 or len(set(items)) != len(items):
            raise ValueError(f"{name} must be distinct integers >= 1, got {items!r:.80}")
        return tuple(int(v) for v in items)


class _AreaRanges(Spec):
    """``None`` or a dict {name: (low, high)} with an "all" entry, low <= high."""

    def check(self, name, value, call):
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise TypeError(f"{name} must be a dict {{name: (low, high)}}, got {value!r:.80}")
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"{name}: the names must be strings, got {list(value)!r:.80}")
        if "all" not in value:
            raise ValueError(f"{name} must have an 'all' range: the overall numbers use it")
        ranges = {k: _real_list(f"{name}[{k!r}]", v) for k, v in value.items()}
        for k, v in ranges.items():
            if len(v) != 2 or v[0] > v[1]:
                raise ValueError(f"{name}[{k!r}] must be (low, high) with low <= high, got {v}")
        return {k: (float(v[0]), float(v[1])) for k, v in ranges.items()}


# --------------------------------------------------------------------------
# The evaluation


@checked(
    ground_truth=_Records(dict),
    detections=_Records(list),
    iou_type=_IouType(),
    iou_thresholds=_Thresholds(),
    max_detections=_MaxDetections(),
    area_ranges=_AreaRanges(),
    use_categories=Flag(),
    recall_levels=Choice(*_RECALL_LEVELS),
)
def coco_evaluate(
    ground_truth,
    detections,
    *,
    iou_type="bbox",
    iou_thresholds=None,
    max_detections=(1, 10, 100),
    area_ranges=None,
    use_categories=True,
    recall_levels="pycocotools",
):
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
    detections : list of dict, (N, 7) array or path
        COCO results, or the path of their json file: each with
        ``"image_id"``, ``"category_id"``, ``"bbox"`` ``[x, y, width, height]``
        and ``"score"``. Or a NumPy array of rows ``[image_id, x, y, w, h,
        score, category_id]``, as pycocotools' ``loadRes`` takes.
    iou_type : {"bbox"}, default="bbox"
        Only boxes are evaluated; ``"segm"`` and ``"keypoints"`` raise.
    iou_thresholds : list of float in [0, 1], optional
        The IoU thresholds $T$ (pycocotools' ``iouThrs``); default
        ``np.linspace(0.5, 0.95, 10)``. AP50 and AP75 are -1 when 0.5 or
        0.75 is not among them.
    max_detections : list of int, default=(1, 10, 100)
        Detection limits per image (``maxDets``); the first ``max(...)`` per
        image and class are matched. One AR per limit, ``"AR<m>"``; every AP
        number and ARs/m/l use the largest limit.
    area_ranges : dict, optional
        ``{name: (low, high)}`` object-area ranges (``areaRng`` with
        ``areaRngLbl``), inclusive; must have ``"all"``, which the overall
        numbers use. Default: all $[0, 10^{10}]$, small $[0, 32^2]$, medium
        $[32^2, 96^2]$, large $[96^2, 10^{10}]$. Each other range gives
        ``"AP<name>"`` and ``"AR<name>"`` (``s``, ``m``, ``l`` for small,
        medium, large).
    use_categories : bool, default=True
        False: class-agnostic, every class one (pycocotools' ``useCats=0``).
    recall_levels : {"pycocotools", "exact"}, default="pycocotools"
        How a recall level is reached (as in `average_precision`): at
        pycocotools' ``np.linspace(0, 1, 101)`` floats, or exactly at $k/100$.
        They differ only where a recall equals 0.35, 0.41, 0.47, 0.57, 0.69,
        0.70, 0.82, 0.83, 0.94 or 0.95 (see Notes).

    Returns
    -------
    result : dict
        ``"AP"``, ``"AP50"``, ``"AP75"``, ``"APs"``, ``"APm"``, ``"APl"``,
        ``"AR1"``, ``"AR10"``, ``"AR100"``, ``"ARs"``, ``"ARm"``, ``"ARl"``:
        the 12 summary numbers as floats, in pycocotools' order, -1.0 where
        undefined (no ground truth in that area range); other parameters
        give the names listed in ``"summary_names"``;
        ``"stats"``: the same numbers as an array;
        ``"precision"``: array ``[T, R, K, A, M]`` = [IoU thresholds, 101
        recall thresholds, categories, area ranges, detection limits], the
        interpolated precision (pycocotools' ``eval["precision"]``), -1 where a
        category has no ground truth in the area range;
        ``"recall"``: array ``[T, K, A, M]``, the recall reached;
        ``"per_class_AP"``, ``"per_class_AR"``: arrays ``[K]``, each class's
        AP@[.5:.95] and AR (area "all", the largest limit), -1 without
        ground truth;
        ``"category_ids"``: the K category ids (sorted; ``[-1]`` when
        class-agnostic), ``"iou_thresholds"``, ``"recall_thresholds"``,
        ``"area_labels"``, ``"area_ranges"`` and ``"max_dets"`` to index
        the arrays.

    Raises
    ------
    ValueError
        For another ``iou_type``, a file that is not valid json, a missing
        key, a box that is not four finite numbers of magnitude at most
        $10^{150}$ (larger ones overflow $w h$), a non-finite score, area or
        iscrowd, repeated annotation ids, a detection on an image that is not
        in ``ground_truth["images"]``, or a parameter out of range.
    TypeError
        If ``iou_type`` is not a string, the ground truth is not a dict (or
        one of its three sections not a list), the detections not a list or
        array, a record not a dict, ids are neither integers nor strings, or
        a parameter has the wrong type.
    OSError
        If a path cannot be read (``FileNotFoundError``...).

    Notes
    -----
    The rules are pycocotools' (``COCOeval`` with ``iouType="bbox"``): every
    image of the ground truth is evaluated and every category of its
    ``"categories"``; ground truths and detections of other categories are
    left out, and so are ground truths on images not listed (an id 2299 and
    an id ``"2299"`` are different images). A ground truth
    is *ignored* when it is a crowd or its ``"area"`` field lies outside the
    area range (inclusive borders). Per image and category the detections
    are sorted by score (stable) and the first ``max(max_detections)`` kept;
    each, in turn, takes the unmatched (or crowd) ground truth of highest
    IoU $\ge t$, preferring non-ignored ones. For a crowd the union is the
    detection's area: $\mathrm{IoU} = |d\cap g| / |d|$. A detection matched
    to an ignored ground truth is ignored, and so is an unmatched one whose
    box area lies outside the range. Per category and area range, precision
    $p = \mathrm{TP}/(\mathrm{TP}+\mathrm{FP})$ over the detections of
    all images sorted by score is made monotone,
    $\tilde p(r) = \max_{r' \ge r} p(r')$, and read at the recall thresholds
    $r = 0, 0.01, \dots, 1$:

    $$\mathrm{AP} = \frac{1}{|T|\,|K|}\sum_{t}\sum_{k}\frac{1}{101}\sum_{r}\tilde p_{t,k}(r),
    \qquad \mathrm{AR} = \frac{1}{|T|\,|K|}\sum_{t}\sum_{k}\mathrm{recall}_{t,k},$$

    averaging only over the categories that have ground truth. With
    ``recall_levels="pycocotools"`` the thresholds $r$ are
    ``np.linspace(0, 1, 101)``, whose 0.35 is 0.35000000000000003: a recall
    of exactly 0.35 does not reach it (10 such levels). ``"exact"`` compares
    $k/100$ exactly. Class-agnostic evaluation lists each image's boxes class
    by class (in category-id order) before the stable sort by score, as
    pycocotools does, which decides ties.

    Where dlnotes differs from pycocotools: a detection matched to the
    annotation with id 0 counts as a true positive (pycocotools stores a
    match as the annotation's id with 0 for "no match"); the AP numbers
    use the largest detection limit (pycocotools' summary looks for 100
    and gives AP -1 for ``max_detections=[1, 10, 50]``); names other than
    small/medium/large get their own numbers (pycocotools' summary gives
    -1). The matching is greedy within one image and category, and
    vectorised across all of them: one step per detection rank matches
    every (image, category, area range, IoU threshold) at once.

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

    Other parameters: two IoU thresholds, limits 1 and 5, sizes split at
    area 100 (the borders are inclusive: both boxes are "tiny" and "big"):

    >>> r = coco_evaluate(gt, dets, iou_thresholds=[0.5, 0.75], max_detections=[1, 5],
    ...                   area_ranges={"all": (0, 1e10), "tiny": (0, 100), "big": (100, 1e10)})
    >>> r["summary_names"]
    ('AP', 'AP50', 'AP75', 'APtiny', 'APbig', 'AR1', 'AR5', 'ARtiny', 'ARbig')
    >>> [round(v, 4) for v in r["stats"].tolist()]
    [0.7525, 1.0, 0.505, 0.7525, 0.7525, 0.5, 0.75, 0.75, 0.75]
    """
    gt, dts = _load(ground_truth), _load(detections)
    thresholds = np.linspace(0.5, 0.95, 10) if iou_thresholds is None else np.array(iou_thresholds)
    ranges = dict(zip(_AREA_LABELS, _AREA_RANGES)) if area_ranges is None else dict(area_ranges)
    max_dets, areas = tuple(max_detections), list(ranges)
    anns, a = gt["annotations"], "ground_truth['annotations']"
    image_ids = np.unique(_column(gt["images"], "id", "ground_truth['images']"))
    category_ids = np.unique(_column(gt["categories"], "id", "ground_truth['categories']"))
    if len(np.unique(_column(anns, "id", a))) != len(anns):
        raise ValueError(f"{a} ids must be unique (COCO format)")
    g_img = _index(image_ids, _column(anns, "image_id", a))
    g_cat = _index(category_ids, _column(anns, "category_id", a))
    g = np.flatnonzero((g_img >= 0) & (g_cat >= 0))  # pycocotools leaves the others out
    d_image, d_category, d_box, d_score = _detection_columns(dts)
    d_img = _index(image_ids, d_image)
    if (d_img < 0).any():
        i = int(np.flatnonzero(d_img < 0)[0])
        raise ValueError(f"detections[{i}] has image_id {d_image.tolist()[i]!r}, which is not "
                         "an image of ground_truth['images'] (pycocotools: 'Results do not "
                         "correspond to current coco set')")  # fmt: skip
    d_cat = _index(category_ids, d_category)
    d = np.flatnonzero(d_cat >= 0)  # categories outside the ground truth are not evaluated
    if not use_categories:  # pycocotools' useCats=0: one class; the lists in category order
        g, d = g[np.argsort(g_cat[g], kind="stable")], d[np.argsort(d_cat[d], kind="stable")]
        g_cat, d_cat, category_ids = g_cat * 0, d_cat * 0, np.array([-1])
    g_box, g_area = _column(anns, "bbox", a, _BOX)[g], _column(anns, "area", a, "a number")[g]
    g_crowd = _column(anns, "iscrowd", a, "0 or 1")[g] != 0
    # pycocotools caps the thresholds at 1 - 1e-10: an IoU computed as 0.9999999999 matches
    limits = np.minimum(thresholds, 1 - 1e-10), np.array(list(ranges.values())).T[:, :, None]
    matches = _match((g_cat[g], g_img[g], g_box, g_area), g_crowd, (d_cat[d], d_img[d], d_box[d]),
                     d_score[d], max(len(image_ids), 1), *limits, max(max_dets))  # fmt: skip
    precision, recall = _accumulate(*matches, len(category_ids), max_dets, recall_levels)

    def mean(s):  # pycocotools' summarize(): the mean over the defined entries
        return float(np.mean(s[s > -1])) if (s > -1).any() else -1.0

    top, every = max_dets.index(max(max_dets)), areas.index("all")
    p, r = precision[..., top], recall[..., top]  # at the largest detection limit
    other = [(_SHORT.get(name, name), areas.index(name)) for name in areas if name != "all"]
    stats = {"AP": mean(p[..., every])}  # AP50, AP75: -1 where 0.5, 0.75 are not thresholds
    stats.update((f"AP{round(t * 100)}", mean(p[thresholds == t, ..., every])) for t in (0.5, 0.75))
    stats.update((f"AP{name}", mean(p[..., i])) for name, i in other)
    stats.update((f"AR{m}", mean(recall[..., every, j])) for j, m in enumerate(max_dets))
    stats.update((f"AR{name}", mean(r[..., i])) for name, i in other)
    defined = p[0, 0, :, every] > -1  # per class: -1 without ground truth
    return dict(
        stats,
        stats=np.array(list(stats.values())),
        summary_names=tuple(stats),
        precision=precision,
        recall=recall,
        category_ids=category_ids,
        per_class_AP=np.where(defined, p[..., every].mean(axis=(0, 1)), -1.0),
        per_class_AR=np.where(defined, r[..., every].mean(axis=0), -1.0),
        iou_thresholds=thresholds,
        recall_thresholds=np.linspace(0.0, 1.0, 101),
        area_labels=tuple(areas),
        area_ranges=ranges,
        max_dets=max_dets,
    )


def _detection_columns(dts):
    """Image ids, category ids, boxes and scores of the detections: from json records, or
    from an (N, 7) array [image_id, x, y, w, h, score, category_id] (pycocotools' loadRes)."""
    if isinstance(dts, np.ndarray):
        ids = dts[:, [0, 6]].astype(np.int64)
        return ids[:, 0], ids[:, 1], dts[:, 1:5], dts[:, 5]
    return (
        _column(dts, "image_id", "detections"),
        _column(dts, "category_id", "detections"),
        _column(dts, "bbox", "detections", _BOX),
        _column(dts, "score", "detections", "a finite number"),
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
        if ids.dtype.kind == "U" and not all(isinstance(v, str) for v in values):
            ids = np.array(values, dtype=object)  # mixed: 2299 and "2299" are different ids
        return ids
    shape = (4,) if key == "bbox" else ()
    try:
        flat = chain.from_iterable(values) if shape else values
        arr = np.fromiter(flat, np.float64, len(values) * sum(shape or (1,))).reshape(-1, *shape)
        small = not shape or (np.abs(arr) <= 1e150).all()  # w * h + w * h stays finite
        if np.isfinite(arr).all() and small and (not shape or set(map(len, values)) <= {4}):
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
        if shape and (np.abs(one) > 1e150).any():
            raise ValueError(f"{what} {key}[{i}] must be {number}, got {v!r}")
    raise ValueError(f"{what} {key} must be {number} each")


def _index(ids, values):
    """Position of each value in the sorted ``ids``, -1 where it is not there."""
    if values.dtype == object:  # integer and string ids mixed: compared as Python values
        where = {v: i for i, v in enumerate(ids.tolist())}
        return np.array([where.get(v, -1) for v in values.tolist()], dtype=np.int64)
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


def _match(g, g_crowd, d, d_score, n_images, thresholds, area_ranges, max_det):
    """Greedy matching per (image, category), vectorised over all of them.

    pycocotools loops over every (image, category, area range, IoU threshold)
    and, inside, over the detections by score. Only that inner loop is
    sequential (a ground truth taken by one detection is no longer free for
    the next), so it is the only loop here: step k matches the k-th
    detection of every group at once, for all area ranges and IoU thresholds
    together (a large step in blocks of ``_BLOCK`` detections). Returns, per
    area range and IoU threshold, whether each kept detection (the first
    ``max_det`` per image and category; each category's by score, ties in
    image and rank order) is a true positive (2), a false positive (1) or
    ignored (0), an int8 array [A, T, D]; with their categories and ranks, the
    ground truths' categories and their ignore flags per area range
    (``area_ranges``: [2, A, 1]).
    """
    lo, hi = area_ranges
    # Ground truths sorted by group, (category, image), in file order inside a
    # group; g_pos, the place in the group, breaks ties between equal IoUs.
    order = np.argsort(g[0] * n_images + g[1], kind="stable")
    g_cat, g_img, g_box, g_area, g_crowd = (v[order] for v in (*g, g_crowd))
    g_key, g_ignore = g_cat * n_images + g_img, g_crowd | (g_area < lo) | (g_area > hi)  # [A, G]
    g_pos = _place(g_key)
    # Detections by group, then by score (stable: ties keep the file order);
    # only the first max_det of each group take part.
    d_key = d[0] * n_images + d[1]
    order = np.lexsort((-d_score, d_key))
    rank = _place(d_key[order])
    order, rank = order[rank < max_det], rank[rank < max_det]
    d_key, d_box, d_score = d_key[order], d[2][order], d_score[order]
    # The accumulation reads each category's detections of all images by score, ties in
    # image and rank order: the match of detection i is written at its place there, at[i].
    by_score = np.lexsort((-d_score, d_key // n_images))
    at = np.empty_like(by_score)
    at[by_score] = np.arange(len(by_score))
    # Candidate pairs: detection i with each ground truth of its group, sorted
    # by detection; a pair below the lowest threshold can never match.
    first = np.searchsorted(g_key, d_key, side="left")
    pair_det = np.repeat(np.arange(len(d_key)), np.searchsorted(g_key, d_key, "right") - first)
    pair_gt = first[pair_det] + _place(pair_det)
    iou = _pair_iou(d_box[pair_det], g_box[pair_gt], g_crowd[pair_gt])
    pair_det, pair_gt, iou = (v[iou >= thresholds.min()] for v in (pair_det, pair_gt, iou))
    # Step k handles the k-th detection of every group that still has a
    # candidate; a stable sort by step keeps one segment of pairs per detection.
    det_first = _starts(pair_det)
    step = _place(d_key[pair_det[det_first]])[np.cumsum(det_first) - 1]
    order = np.argsort(step, kind="stable")
    pair_det, pair_gt, iou, step = pair_det[order], pair_gt[order], iou[order], step[order]
    seg_start = np.flatnonzero(_starts(pair_det))
    seg_det, seg_gt = pair_det[seg_start], pair_gt[seg_start]
    group_first_gt = (seg_gt - g_pos[seg_gt])[:, None, None]  # [S, 1, 1]
    # Step k's segments start at seg_bounds[k]; a step is cut into blocks of at most
    # _BLOCK segments (their groups are distinct: any cut is valid), which bounds the memory.
    steps = np.searchsorted(step, np.arange(step[-1] + 2 if len(step) else 1))
    seg_bounds = np.union1d(np.searchsorted(seg_start, steps), np.arange(0, len(seg_start), _BLOCK))
    bounds = np.append(seg_start, len(step))[seg_bounds]  # block k: pairs in bounds[k:k+2]
    # pycocotools prefers, among the free ground truths with IoU >= t, a
    # non-ignored one, then the highest IoU, then the later one among equal
    # IoUs. One integer per pair and area range, the digits (not ignored, IoU
    # rank, g_pos), orders them so: the match is the candidate of largest key.
    iou_values, iou_rank = np.unique(iou, return_inverse=True)
    n_rank, n_pos = max(len(iou_values), 1), 1 << int(g_pos.max(initial=0)).bit_length()
    dtype = np.int32 if 2 * n_rank * n_pos < 2**31 else np.int64  # int32: less memory traffic
    key = ((~g_ignore.T[pair_gt]) * n_rank + iou_rank[:, None]) * n_pos + g_pos[pair_gt][:, None]
    key = (key + 1).astype(dtype)[:, :, None]  # [P, A, 1], from 1: 0 is "not free"
    above = (iou[:, None] >= thresholds)[:, None, :]  # [P, 1, T]
    once = ~g_crowd[pair_gt][:, None, None]  # a crowd can be matched again and again
    # matched[g, a, t]; the spare last row takes the writes of detections that match nothing.
    matched = np.zeros((len(g_key) + 1, len(lo), len(thresholds)), dtype=bool)
    # status[at[i], a, t]: 0 no match, 1 matched to an ignored ground truth, 2 to another
    status, seg_at = np.zeros((len(d_key), *matched[0].shape), dtype=np.int8), at[seg_det]
    # matched.ravel()[first + cell + place * cells]: a candidate's flag; spare: no match
    cells, index = matched[0].size, np.int32 if matched.size < 2**31 else np.int64
    first, spare = (group_first_gt * cells).astype(index), len(g_key) * cells
    cell = np.arange(cells, dtype=index).reshape(matched[0].shape)
    for k in range(len(bounds) - 1):
        (s, e), (ss, se) = bounds[k : k + 2], seg_bounds[k : k + 2]
        free = above[s:e] & ~(matched[pair_gt[s:e]] & once[s:e])
        best = np.maximum.reduceat(key[s:e] * free, seg_start[ss:se] - s, axis=0) - 1
        status[seg_at[ss:se]] = (best >= 0) + (best >= n_rank * n_pos).astype(np.int8)
        hit = np.where(best >= 0, first[ss:se] + cell + (best & (n_pos - 1)) * cells, spare)
        matched.ravel()[hit] = True
    # A match to a non-ignored ground truth is a true positive (2); a match to an ignored
    # one is ignored (0), and so is an unmatched detection whose box area is outside the
    # range; the other unmatched ones are false positives (1). [A, T, D], in score order.
    d_area = d_box[:, 2] * d_box[:, 3]
    inside = ~((d_area < lo) | (d_area > hi)).T[by_score, :, None]  # [D, A, 1]
    unmatched = status == 0
    np.bitwise_and(status, 2, out=status)
    status += np.logical_and(unmatched, inside, out=unmatched)
    code = np.ascontiguousarray(status.transpose(1, 2, 0))
    return code, d_key[by_score] // n_images, rank[by_score], g_cat, g_ignore


def _accumulate(code, d_cat, d_rank, g_cat, g_ignore, n_cats, max_dets, recall_levels):
    """Precision [T, R, K, A, M] and recall [T, K, A, M] from the matches.

    pycocotools walks, per (IoU threshold, category, area range, maxDets),
    the score-sorted detections: cumulative true and false positives give
    precision and recall after each one; the precision is made monotone
    from the right and read where recall first reaches r. Precision only
    rises at a true positive, so the envelope at recall r is the largest
    precision at or after the j-th true positive, j the smallest count with
    j / n_gt >= r. All rows of an area range are done at once on the flat list of
    true positives: its count in its row and the false positives before it give
    its precision; a maximum per stretch between two thresholds' places,
    then from the right over the 101 stretches, the envelope. ``code`` [A, T, D]
    holds 2 for a true positive, 1 for a false positive, 0 for neither, the
    detections of each category together, by score (as pycocotools sorts them).
    """
    (n_areas, n_thr, n_det), recall_thresholds = code.shape, np.linspace(0.0, 1.0, 101)
    n_gt = np.stack([np.bincount(g_cat[~ig], minlength=n_cats) for ig in g_ignore])  # [A, K]
    # The smallest j with j / n_gt >= r, counted from 1 (recall 0 reads the first true
    # positive): [A, 1, K, R]. "exact": r = k / 100 in integers, 100 j >= k n_gt;
    # "pycocotools": r = np.linspace(0, 1, 101) and its division (ceil may be one off).
    n = np.maximum(n_gt, 1)[..., None]
    need = -(-np.arange(101) * n // 100)
    if recall_levels == "pycocotools":
        need, n = need.astype(np.float64), n.astype(np.float64)
        for _ in range(2):
            need = need - ((need >= 1) & ((need - 1) / n >= recall_thresholds))
            need = need + ((need < n) & (need / n < recall_thresholds))
    need = np.maximum(need.astype(np.int64), 1)[:, None]
    # In a flat [T, D] block, row (t, k) starts at row_first[t * K + k].
    row_first = (np.arange(n_thr)[:, None] * n_det + _group_starts(d_cat, n_cats)[0]).ravel()
    precision = np.empty((len(max_dets), n_areas, n_thr, n_cats, 101))  # written row by row
    recall = np.empty((len(max_dets), n_areas, n_thr, n_cats))
    index = np.int32 if code[0].size < 2**31 else np.int64
    for m, max_det in enumerate(max_dets):
        kept = d_rank < max_det  # the first max_det of each image and category
        for a in range(n_areas):
            c = (code[a] if kept.all() else code[a] * kept).ravel()  # [T, D] flat
            # before[p]: the TPs and FPs (not the ignored) before place p
            before = np.cumulative_sum(c != 0, dtype=index, include_initial=True)
            tp = np.flatnonzero(c == 2)  # the true positives' places
            t, i = np.divmod(tp, max(n_det, 1))  # IoU threshold, detection
            row = t * n_cats + d_cat[i]  # sorted
            row_start, row_count = _group_starts(row, n_thr * n_cats)
            j = np.arange(len(row)) - row_start[row]  # the (j + 1)-th true positive of its row
            n_fp = before[tp] - before[row_first][row] - j  # the FPs before it in its row
            # pycocotools' precision, with its eps: one true positive alone has 1 - 2.2e-16
            prec = (j + 1) / (n_fp + j + 1 + np.spacing(1))
            row_start, row_count = (v.reshape(n_thr, n_cats) for v in (row_start, row_count))
            reached = need[a] <= row_count[..., None]  # [T, K, R]
            # The envelope at the need-th true positive: the largest precision up to the next
            # threshold's place (reduceat), then the maximum of those from the right.
            place = np.where(
                reached, row_start[..., None] + need[a] - 1, (row_start + row_count)[..., None]
            )
            # A 0 at the end: a place past the last true positive (a level not reached) is a
            # valid start, and the stretch before it keeps the last true positive.
            upto_next = np.maximum.reduceat(np.append(prec, 0.0), place.ravel())
            q = np.where(reached, upto_next.reshape(reached.shape), 0.0)
            precision[m, a] = np.maximum.accumulate(q[..., ::-1], axis=-1)[..., ::-1]
            recall[m, a] = row_count / np.maximum(n_gt[a], 1)
    # -1 where a category has no ground truth; pycocotools' order [T, R, K, A, M]
    undefined = (n_gt == 0)[None, :, None, :]  # [1, A, 1, K]
    np.copyto(precision, -1.0, where=undefined[..., None])
    np.copyto(recall, -1.0, where=undefined)
    precision = np.ascontiguousarray(precision.transpose(2, 4, 3, 1, 0))
    return precision, np.ascontiguousarray(recall.transpose(2, 3, 1, 0))

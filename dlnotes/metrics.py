r"""Classification and segmentation metrics (slides 002; 000 part 6).

Labels are **class labels of any value**: integers (negative ones, ``{-1, 1}``
and ids such as ``10**12`` too), booleans, floats that hold whole numbers, and,
for NumPy input only, strings (a NumPy string array, a list of strings, or an
object array of strings as pandas gives). Every metric is built from one
counting kernel, the confusion matrix over the labels that occur (or those
you name), counted without a Python loop over the samples and in memory
$O(n + k^2)$ for $k$ distinct labels, whatever their values (about $2nk$
bytes for up to 16 classes, where each label is compared with every class).

The words follow the slides: in TP, FP, TN, FN the first word,
**True/False**, says whether the prediction *agrees with the ground truth*; the
second, **Positive/Negative**, is *what was predicted*. A false positive is a
sample predicted positive that is in truth negative.

Options shared with scikit-learn, with the same meaning:

- ``average``: ``"binary"`` (only ``pos_label``), ``"micro"`` (add up TP, FP,
  FN, TN over the classes, then divide), ``"macro"`` (unweighted mean of the
  per-class values), ``"weighted"`` (mean weighted by each class's support, its
  number of true samples) or ``None`` (the per-class values as a 1-D array).
- ``zero_division``: what a 0/0 is replaced by. ``"warn"`` returns 0.0 and
  emits ``UndefinedMetricWarning``; ``0.0``, ``1.0`` or ``nan`` are used
  silently (``nan`` values are then left out of the macro and weighted means).
- ``sample_weight``: each sample counts with its weight instead of 1 (the
  counts are then floats); ``labels``: the classes to count, in this order.

Results are arrays of the input's namespace: 0-d for one number, 1-D per class;
ratios in the device's default floating dtype (float64 where the device has
it), counts in its default integer dtype.

Host-device syncs (with ``dlnotes.checks(False)``; with the checks on, one
more): none when the classes are known, that is with ``average="binary"``,
``labels=`` or ``n_classes=``. Otherwise the classes are the labels that
occur, found by sorting the labels and keeping each distinct one: how many
there are decides the result's size, so they are read from the device (one
sync). ``zero_division="warn"`` reads whether a 0/0 occurred, to decide
whether to warn: one sync; ``0.0``, ``1.0`` and ``nan`` need none.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, NamedTuple

import array_api_compat

from dlnotes._checks import Choice, Count, Ints, Optional, Spec, checked, checks_enabled
from dlnotes.backend import array_namespace, default_float

__all__ = [
    "ConfusionCounts",
    "UndefinedMetricWarning",
    "accuracy",
    "confusion_counts",
    "confusion_matrix",
    "f1_score",
    "mean_iou",
    "precision",
    "recall",
    "sensitivity",
    "specificity",
]

AVERAGES = ("binary", "micro", "macro", "weighted", None)
NORMALIZE = ("true", "pred", "all", None)


class UndefinedMetricWarning(UserWarning):
    """A metric was 0/0 and ``zero_division="warn"`` replaced it by 0.0.

    Pass ``zero_division=0.0``, ``1.0`` or ``float("nan")`` to choose the value
    and silence the warning.
    """


class ConfusionCounts(NamedTuple):
    """The four counts of a one-vs-rest confusion table.

    Slide formula: M1.

    Attributes
    ----------
    tp : array
        True positives: predicted positive, and truly positive.
    fp : array
        False positives: predicted positive, but truly negative.
    tn : array
        True negatives: predicted negative, and truly negative.
    fn : array
        False negatives: predicted negative, but truly positive.

    Examples
    --------
    >>> counts = confusion_counts([1, 0, 1, 1, 0, 1, 0], [1, 0, 0, 0, 1, 0, 1])
    >>> [int(c) for c in counts]
    [1, 2, 1, 3]
    """

    tp: Any
    fp: Any
    tn: Any
    fn: Any


# --------------------------------------------------------------------------
# Checks of this module (the specs and rules of the decorators below)
# --------------------------------------------------------------------------


class ZeroDivision(Spec):
    """``"warn"``, 0.0, 1.0 or NaN (the value of a 0/0 score), as a Python float."""

    def check(self, name, value, call):
        if isinstance(value, str) and value == "warn":
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f'{name} must be "warn", 0.0, 1.0 or nan, got {value!r}')
        value = float(value)  # a NumPy scalar would promote float32 results
        if not (value in (0.0, 1.0) or math.isnan(value)):
            raise ValueError(f'{name} must be "warn", 0.0, 1.0 or nan, got {value!r}')
        return value


def _is_sparse(value) -> bool:
    """A SciPy or pydata sparse matrix/array, or a sparse torch tensor."""
    module = type(value).__module__ or ""
    return module.startswith(("scipy.sparse", "sparse")) or getattr(value, "is_sparse", False)


def _is_text(a) -> bool:
    """A NumPy array of strings (the converted form of string labels)."""
    return getattr(getattr(a, "dtype", None), "kind", "") == "U"


def _as_text(name, value, xp):
    """String labels as a NumPy string array, or None for anything else.

    Accepted: a NumPy array of str or bytes, an object array that holds only
    strings (a pandas column), a (nested) list of strings. Strings need NumPy.
    """
    import numpy as np  # strings are NumPy-only: the array API has no string dtype

    if isinstance(value, np.ndarray):
        a = value
    elif array_api_compat.is_array_api_obj(value) or isinstance(value, (str, bytes)):
        return None  # another library's array (numbers), or a lone string (refused later)
    else:
        try:
            a = np.asarray(value)
            if a.dtype.kind in "OSU":  # NumPy turns ["a", 1] into ["a", "1"]: look closer
                a = np.asarray(value, dtype=object)
        except (TypeError, ValueError):
            return None
    if a.dtype.kind == "O":
        items = a.ravel().tolist()
        if not items or not all(isinstance(v, str) for v in items):
            if any(isinstance(v, (str, bytes)) for v in items):
                raise TypeError(f"{name} mixes strings with other values")
            return None
        a = a.astype(str)
    elif a.dtype.kind in "SU":
        a = a.astype(str)
    else:
        return None
    if not array_api_compat.is_numpy_namespace(xp):
        raise TypeError(f"{name} holds strings: string labels need NumPy input, not {xp.__name__}")
    return a


class Labels(Ints):
    """Class labels: integers of any value (bools and whole floats too, see `Ints`),
    or with ``strings=True`` NumPy strings; the kind must match argument ``kind_of``.
    A sparse matrix is a ``TypeError`` (sparse input is not supported)."""

    def __init__(self, *, strings: bool = True, kind_of: str | None = None, **shape: Any) -> None:
        super().__init__(**shape)
        self.strings, self.kind_of = strings, kind_of

    def check(self, name, value, call):
        if _is_sparse(value):
            raise TypeError(
                f"{name} is a sparse matrix ({type(value).__name__}): sparse input is not "
                "supported; pass a dense 1-D array of labels (e.g. .toarray().ravel())"
            )
        text = _as_text(name, value, call.xp) if self.strings else None
        if text is not None:
            self.check_shape(name, text, call)
        else:
            text = super().check(name, value, call)  # numbers (raises for anything else)
        other = call.args.get(self.kind_of) if self.kind_of else None
        if other is not None and _is_text(other) != _is_text(text):
            kinds = ("strings", "numbers") if _is_text(other) else ("numbers", "strings")
            raise TypeError(f"{name} must hold {kinds[0]} like {self.kind_of}, got {kinds[1]}")
        return text


class Label(Spec):
    """One class label: an integer (not a bool), or a string for string labels."""

    def check(self, name, value, call):
        if isinstance(value, str) and _is_text(call.args["y_true"]):
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer label (or a string), got {value!r}")
        return int(value)


class Weights(Spec):
    """``sample_weight``: None, or finite weights >= 0 of ``y_true``'s shape, not all 0,
    as an array of ``y_true``'s namespace in the device's default floating dtype."""

    is_array = True

    def check(self, name, value, call):
        if value is None:
            return None
        if isinstance(value, (str, bytes, bool)) or _is_sparse(value):
            raise TypeError(f"{name} must be an array of real numbers, got {type(value).__name__}")
        y = call.args["y_true"]
        xp = call.xp if not _is_text(y) else array_namespace(value)
        device = None if _is_text(y) else array_api_compat.device(y)
        try:
            w = xp.asarray(value, device=device)
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name} must be an array of real numbers: {err}") from None
        try:
            real = xp.isdtype(w.dtype, ("bool", "integral", "real floating"))
        except (TypeError, ValueError):  # NumPy object and string dtypes
            real = False
        if not real:
            raise TypeError(f"{name} must hold real numbers, got dtype {w.dtype}")
        if tuple(w.shape) != tuple(y.shape):
            raise ValueError(
                f"y_true and {name} must have the same shape, got {tuple(y.shape)} and "
                f"{tuple(w.shape)}"
            )
        w = xp.astype(w, default_float(xp, array_api_compat.device(w)))
        if call.enabled:
            call.require(
                xp.all(xp.isfinite(w) & (w >= 0)) & (xp.sum(w) > 0),
                f"{name} must hold finite weights >= 0, not all 0",
            )
        return w


def _binary_rule(call):
    """average="binary": at most two classes in y_true and y_pred, pos_label one of them."""
    args, xp = call.args, call.xp
    if args["average"] != "binary" or not checks_enabled():
        return
    both = xp.sort(xp.concat([args["y_true"], args["y_pred"]]), stable=False)
    changes = xp.count_nonzero(both[1:] != both[:-1])  # number of classes - 1
    call.require(
        changes <= 1,
        "average='binary' needs at most two classes in y_true and y_pred; "
        "choose average='micro', 'macro', 'weighted' or None",
    )
    same_kind = isinstance(args["pos_label"], str) == _is_text(both)
    call.require(
        (changes == 0) | (xp.any(both == args["pos_label"]) if same_kind else False),
        f"pos_label={args['pos_label']!r} is not one of the two classes in y_true and y_pred",
    )


def _below_n_classes(call):
    """With n_classes given, every class index (labels and pos_label too) is in 0 .. n - 1."""
    args, xp = call.args, call.xp
    n = args["n_classes"]
    if n is None:
        return
    if _is_text(args["y_true"]):
        raise TypeError("n_classes needs integer labels; for strings pass labels=")
    pos_label = args.get("pos_label")
    if pos_label is not None and not 0 <= pos_label < n:
        raise ValueError(f"pos_label={pos_label} is not in 0 .. n_classes - 1 = {n - 1}")
    for name in ("y_true", "y_pred", "labels"):
        if args.get(name) is not None:
            call.require(
                xp.all((args[name] >= 0) & (args[name] < n)),
                f"{name} holds a class index outside 0 .. n_classes - 1 = {n - 1}",
            )


def _labels_in_y_true(call):
    """confusion_matrix: at least one of ``labels`` occurs in y_true (scikit-learn's rule)."""
    _below_n_classes(call)
    args, xp = call.args, call.xp
    labels, y_true = args["labels"], args["y_true"]
    if labels is None or not checks_enabled():
        return
    ranked = xp.sort(labels, stable=False)
    at = xp.minimum(xp.searchsorted(ranked, y_true), labels.shape[0] - 1)
    call.require(xp.any(xp.take(ranked, at) == y_true), "none of labels occurs in y_true")


def _kept_pixels(call):
    """mean_iou: some pixel is kept (true label not ignore_index); with n_classes the kept
    pixels hold 0 .. n_classes - 1; without the classes named, no multilabel indicator."""
    args, xp = call.args, call.xp
    if not checks_enabled():
        return
    y_true, y_pred = args["y_true"], args["y_pred"]
    ignore, n, labels = args["ignore_index"], args["n_classes"], args["labels"]
    if ignore is None:
        kept = xp.ones(y_true.shape, dtype=xp.bool, device=call.device)
    else:
        kept = y_true != ignore
        call.require(xp.any(kept), f"every pixel of y_true is ignore_index={ignore}")
    for name in ("y_true", "y_pred"):
        if n is not None:
            inside = (args[name] >= 0) & (args[name] < n)
            call.require(xp.all(inside | ~kept), f"{name} holds a class index outside 0 .. {n - 1}")
    if y_true.ndim == 2 and y_true.shape[1] > 1 and n is None and labels is None and ignore is None:
        zero_one = xp.all((y_true == 0) | (y_true == 1)) & xp.all((y_pred == 0) | (y_pred == 1))
        call.require(
            ~zero_one,
            "y_true and y_pred look like multilabel indicator matrices (2-D, only 0 and 1), "
            "which mean_iou does not take: it reads them as one image's label mask. Pass "
            "n_classes=2 (or labels=) for a binary mask, or score label j on its own with "
            "mean_iou(y_true[:, j], y_pred[:, j], labels=[1])",
        )


# --------------------------------------------------------------------------
# The shared math: the confusion matrix, its one-vs-rest counts, 0/0, averages
# --------------------------------------------------------------------------


def _classes(xp, y_true, y_pred):
    """The labels that occur in ``y_true`` or ``y_pred``, sorted, each once.

    Their number depends on the data: reading it is one host-device sync (the
    boolean mask). A sort and a comparison of neighbours: what ``unique_values``
    computes, four times faster on NumPy and torch.
    """
    both = xp.sort(xp.concat([y_true, y_pred]), stable=False)
    return both[xp.concat([both[:1] == both[:1], both[1:] != both[:-1]])]  # first of each run


def _confusion(xp, y_true, y_pred, classes, sample_weight=None, compare_max=16):
    """Counts (or summed ``sample_weight``) of (true, predicted) pairs of 1-D labels over
    ``classes``, plus a last row and column for any other label: a ``(k + 1, k + 1)``
    array, rows the true class (a class listed twice counts at its first place).

    The standard has no ``bincount``: each sample gets the cell ``position(true) *
    (k + 1) + position(pred)``, its labels' places in ``classes`` (any values: the
    cells stay below (k + 1)²); after sorting, ``searchsorted`` finds where each
    cell's run starts, and the run lengths are the counts (O(n log n)). The places
    are the slow part: for up to ``compare_max`` classes (16, the measured
    cross-over on NumPy and torch; at most 127 for int8) each label is compared
    with every class, O(n k) in int8 (memory about 2 n k bytes), else found by
    ``searchsorted`` (memory O(n + k²)). With weights, the runs' sums come from a
    running sum.
    """
    k, device = classes.shape[0], array_api_compat.device(classes)
    order, ranked = xp.argsort(classes), xp.sort(classes, stable=False)  # stable: first place

    def position(y):  # the index of each label in classes (its first place), k for any other
        if k <= compare_max:  # (c - k) * [y is classes[c]]: the smallest, plus k
            below = xp.arange(-k, 0, dtype=xp.int8, device=device)[:, None]  # c - k for class c
            return xp.min(xp.astype(classes[:, None] == y, xp.int8) * below, axis=0) + k
        at = xp.minimum(xp.searchsorted(ranked, xp.astype(y, ranked.dtype, copy=False)), k - 1)
        return xp.where(xp.take(ranked, at) == y, xp.take(order, at), k)

    cells = xp.astype(position(y_true), xp.int64, copy=False) * (k + 1) + position(y_pred)
    edges = xp.arange((k + 1) ** 2 + 1, device=device)
    if sample_weight is None:  # before[c]: how many samples fall in a cell below c
        before = xp.searchsorted(xp.sort(cells, stable=False), edges)
    else:  # the weights summed in cell order, read where each cell's run starts
        by_cell = xp.argsort(cells, stable=False)
        running = xp.cumulative_sum(xp.take(sample_weight, by_cell), include_initial=True)
        before = xp.take(running, xp.searchsorted(xp.take(cells, by_cell), edges))
    return xp.reshape(before[1:] - before[:-1], (k + 1, k + 1))


def _one_vs_rest(xp, y_true, y_pred, classes, sample_weight=None):
    """TP, FP, TN, FN of each class in ``classes``: the diagonal, the rest of its
    column, what is left, the rest of its row."""
    cm = _confusion(xp, y_true, y_pred, classes, sample_weight)
    tp = xp.linalg.diagonal(cm)[:-1]  # [:-1]: not the "other" bin
    fp, fn = xp.sum(cm, axis=0)[:-1] - tp, xp.sum(cm, axis=1)[:-1] - tp
    return tp, fp, xp.sum(cm) - tp - fp - fn, fn


def _scored(xp, y_true, y_pred, average, pos_label, labels, sample_weight):
    """TP, FP, TN, FN of the classes scored (added up over them for average="micro")."""
    y_true, y_pred = xp.asarray(y_true), xp.asarray(y_pred)
    if average == "binary" or labels is None:  # the classes seen: their number is a sync
        labels = [pos_label] if average == "binary" else _classes(xp, y_true, y_pred)
    labels = xp.asarray(labels, device=array_api_compat.device(y_true))
    counts = _one_vs_rest(xp, y_true, y_pred, labels, sample_weight)
    return [xp.sum(c, keepdims=True) for c in counts] if average == "micro" else counts


def _divide(xp, num, den, zero_division, what):
    """``num / den`` per class in floating point, ``zero_division`` where ``den`` is 0.

    ``"warn"`` gives 0.0 and warns that ``what``: deciding to warn reads the
    data, one host-device sync.
    """
    dtype = default_float(xp, array_api_compat.device(num))
    num, den = xp.astype(num, dtype), xp.astype(den, dtype)
    undefined = den == 0
    if zero_division == "warn" and bool(xp.any(undefined)):  # the sync; 4: the caller
        warnings.warn(f"{what}, set to 0.0 (see zero_division)", UndefinedMetricWarning, 4)
    fill = 0.0 if zero_division == "warn" else zero_division
    return xp.where(undefined, fill, num / xp.where(undefined, 1.0, den))


def _average(xp, values, support, average):
    """Per-class values to the ``average`` (``None``: as they are); NaN values are left out."""
    if average is None:
        return values
    valid = xp.astype(~xp.isnan(values), values.dtype)  # 1.0, or 0.0 for NaN
    weights = valid * xp.astype(support, values.dtype) if average == "weighted" else valid
    weights = xp.where(xp.sum(weights) > 0, weights, valid)  # all weights 0: a plain mean
    total = xp.sum(weights)  # 0 when every value is NaN: the mean is NaN
    mean = xp.sum(xp.where(valid > 0, values, 0.0) * weights) / xp.where(total > 0, total, 1.0)
    return xp.where(total > 0, mean, xp.nan)


# --------------------------------------------------------------------------
# Public metrics
# --------------------------------------------------------------------------


@checked(
    y_true=Labels(ndim=1),
    y_pred=Labels(ndim=1, like="y_true", kind_of="y_true"),
    pos_label=Optional(Label()),
    n_classes=Optional(Count(minimum=1)),
    labels=Optional(Labels(ndim=1, kind_of="y_true")),
    sample_weight=Weights(),
    extra=_below_n_classes,
)
def confusion_counts(
    y_true, y_pred, *, pos_label=1, n_classes=None, labels=None, sample_weight=None
):
    r"""True/false positives and negatives: TP, FP, TN, FN.

    Slide formula: M1.

    "True"/"False" says whether the prediction agrees with the ground truth,
    "Positive"/"Negative" what was predicted (slide 000 part 6).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth labels (0/1 for a binary problem): integers of any
        value, booleans, or strings (NumPy input only).
    y_pred : array-like of shape (n_samples,)
        Predicted labels, of the same kind.
    pos_label : int, str or None, default=1
        The positive class; the other classes together are the negative one.
        ``None`` gives the counts of every class one-vs-rest.
    n_classes : int, optional
        For ``pos_label=None``: the classes are ``0 .. n_classes - 1``.
    labels : sequence of labels, optional
        For ``pos_label=None``: the classes, in this order. Without it and
        ``n_classes``: the labels that occur in ``y_true`` or ``y_pred``,
        sorted (read from the data: one host-device sync, since the result's
        length depends on it).
    sample_weight : array-like of shape (n_samples,), optional
        Weight of each sample (finite, >= 0, not all 0): the counts become
        sums of weights (floats). Default: each sample counts 1.

    Returns
    -------
    ConfusionCounts
        Named tuple ``(tp, fp, tn, fn)`` of 0-d arrays, or of 1-D arrays (one
        entry per class) for ``pos_label=None``; integers, or floats with
        ``sample_weight``.

    Raises
    ------
    TypeError
        If the labels are neither numbers nor NumPy strings (a sparse matrix
        is refused: sparse input is not supported), or ``pos_label`` or
        ``n_classes`` has the wrong type.
    ValueError
        If the inputs are not 1-D, differ in length, are empty, or hold NaN
        or fractional labels, labels outside ``0 .. n_classes - 1`` when
        ``n_classes`` is given, or a bad ``sample_weight``.

    Notes
    -----
    With $t_i$, $\hat y_i$ the true and predicted labels and $c$ the positive
    class:

    $$TP = \#\{t_i = c, \hat y_i = c\},\quad FP = \#\{t_i \ne c, \hat y_i = c\},\quad
    TN = \#\{t_i \ne c, \hat y_i \ne c\},\quad FN = \#\{t_i = c, \hat y_i \ne c\}$$

    They add up to $n$. They are read off the confusion matrix (see
    `confusion_matrix`): $TP$ on its diagonal, $FP$ in the rest of the column,
    $FN$ in the rest of the row.

    Examples
    --------
    The slide's ground truth against the prediction 1 0 1 1 0 0 0:

    >>> tp, fp, tn, fn = confusion_counts([1, 0, 1, 1, 0, 1, 0], [1, 0, 1, 1, 0, 0, 0])
    >>> int(tp), int(fp), int(tn), int(fn)
    (3, 0, 3, 1)

    Every class one-vs-rest (the classes that occur, sorted):

    >>> confusion_counts([0, 1, 2, 2], [0, 2, 2, 1], pos_label=None).fp.tolist()
    [0, 1, 1]
    >>> confusion_counts([-1, 10**12, 7], [7, 10**12, 7], pos_label=None).fp.tolist()
    [0, 1, 0]
    """
    xp = array_namespace(y_true, y_pred)
    y_true, y_pred = xp.asarray(y_true), xp.asarray(y_pred)
    device = array_api_compat.device(y_true)
    if pos_label is not None:
        labels = [pos_label]
    elif labels is None and n_classes is not None:
        labels = xp.arange(n_classes, device=device)
    elif labels is None:  # the labels that occur: how many is read from the device (a sync)
        labels = _classes(xp, y_true, y_pred)
    labels = xp.asarray(labels, device=device)
    counts = _one_vs_rest(xp, y_true, y_pred, labels, sample_weight)
    return ConfusionCounts(*(c if pos_label is None else xp.reshape(c, ()) for c in counts))


@checked(
    y_true=Labels(ndim=1),
    y_pred=Labels(ndim=1, like="y_true", kind_of="y_true"),
    n_classes=Optional(Count(minimum=1)),
    labels=Optional(Labels(ndim=1, kind_of="y_true")),
    normalize=Choice(*NORMALIZE),
    sample_weight=Weights(),
    extra=_labels_in_y_true,
)
def confusion_matrix(
    y_true, y_pred, *, n_classes=None, labels=None, normalize=None, sample_weight=None
):
    r"""Confusion matrix: rows are the true class, columns the predicted class.

    Slide formula: M1, M7.

    Entry $C_{ij}$ counts the samples of true class $i$ predicted as class
    $j$, the layout and the results of ``sklearn.metrics.confusion_matrix``.
    The diagonal holds the correct predictions.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth labels: integers of any value, booleans, or strings
        (NumPy input only).
    y_pred : array-like of shape (n_samples,)
        Predicted labels, of the same kind.
    n_classes : int, optional
        The classes are ``0 .. n_classes - 1``: row and column $i$ are class
        $i$, even for a class that never occurs.
    labels : sequence of labels, optional
        Keep only these classes, in this order (samples whose true or
        predicted class is not listed are left out, as in scikit-learn). At
        least one of them must occur in ``y_true``. Without ``labels`` and
        ``n_classes``: the labels that occur in ``y_true`` or ``y_pred``,
        sorted (scikit-learn's default), read from the data (one host-device
        sync, since the matrix's size depends on it).
    normalize : {"true", "pred", "all"} or None, default=None
        Divide each row (``"true"``: the recall of each class on the
        diagonal), each column (``"pred"``: the precision) or the whole
        matrix (``"all"``) by its sum; a row or column that sums to 0 stays
        0, as in scikit-learn.
    sample_weight : array-like of shape (n_samples,), optional
        Weight of each sample (finite, >= 0, not all 0): entries become sums
        of weights (floats). Default: each sample counts 1.

    Returns
    -------
    array
        Array of shape ``(k, k)`` for the ``k`` classes, in the input's
        namespace: integer counts, or floating with ``normalize`` or
        ``sample_weight``.

    Raises
    ------
    TypeError
        If the labels are neither numbers nor NumPy strings (a sparse matrix
        is refused: sparse input is not supported), or ``n_classes`` is not
        an integer.
    ValueError
        For bad labels (as in `confusion_counts`), a class index outside
        ``0 .. n_classes - 1``, ``labels`` none of which occurs in ``y_true``
        (a data check, skipped with ``dlnotes.checks(False)``), or an unknown
        ``normalize``.

    Notes
    -----
    $$C_{ij} = \#\{t_s = i,\ \hat y_s = j\}$$

    For a binary problem the matrix is $\begin{pmatrix} TN & FP \\ FN & TP
    \end{pmatrix}$. The standard has no ``bincount``: every sample gets one
    cell index from its labels' places among the classes (found by comparing
    with each class for up to 16 classes, else by ``searchsorted``), and
    sorting and ``searchsorted`` count the cells (whatever the labels'
    values; memory $O(n k)$ bytes for up to 16 classes, else $O(n + k^2)$).

    Examples
    --------
    >>> confusion_matrix([1, 0, 1, 1, 0, 1, 0], [1, 0, 0, 0, 1, 0, 1]).tolist()
    [[1, 2], [3, 1]]

    A class that never occurs, a choice of classes, and labels of any kind:

    >>> confusion_matrix([0, 2, 2], [0, 2, 1], n_classes=4).tolist()
    [[1, 0, 0, 0], [0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
    >>> confusion_matrix([0, 2, 2], [0, 2, 1], labels=[2, 0]).tolist()
    [[1, 0], [0, 1]]
    >>> confusion_matrix(["cat", "dog", "dog"], ["dog", "dog", "cat"]).tolist()
    [[0, 1], [1, 1]]
    >>> confusion_matrix([-1, 1, 1], [1, 1, -1], normalize="true").tolist()
    [[0.0, 1.0], [0.5, 0.5]]
    """
    xp = array_namespace(y_true, y_pred)
    y_true, y_pred = xp.asarray(y_true), xp.asarray(y_pred)
    device = array_api_compat.device(y_true)
    if labels is None and n_classes is not None:
        labels = xp.arange(n_classes, device=device)
    elif labels is None:  # the labels that occur: how many is read from the device (a sync)
        labels = _classes(xp, y_true, y_pred)
    labels = xp.asarray(labels, device=device)
    cm = _confusion(xp, y_true, y_pred, labels, sample_weight)[:-1, :-1]  # drop "other"
    if normalize is None:
        return cm
    axis = {"true": 1, "pred": 0, "all": None}[normalize]
    cm = xp.astype(cm, default_float(xp, device))
    total = xp.sum(cm, axis=axis, keepdims=True)
    return xp.where(total > 0, cm / xp.where(total > 0, total, 1.0), 0.0)  # 0/0 -> 0


@checked(
    y_true=Labels(ndim=1),
    y_pred=Labels(ndim=1, like="y_true", kind_of="y_true"),
    sample_weight=Weights(),
)
def accuracy(y_true, y_pred, *, sample_weight=None):
    r"""Fraction of correct predictions.

    Slide formula: M2.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth labels: integers of any value, booleans, or strings
        (NumPy input only).
    y_pred : array-like of shape (n_samples,)
        Predicted labels, of the same kind.
    sample_weight : array-like of shape (n_samples,), optional
        Weight of each sample (finite, >= 0, not all 0): the weighted fraction
        of correct predictions, as in scikit-learn.

    Returns
    -------
    array
        0-d array in $[0, 1]$ (float64 where the device has it).

    Raises
    ------
    TypeError
        If the labels are neither numbers nor NumPy strings (a sparse matrix
        is refused: sparse input is not supported).
    ValueError
        For bad labels (as in `confusion_counts`) or a bad ``sample_weight``.

    Notes
    -----
    $$\text{accuracy} = \frac{TP + TN}{TP + TN + FP + FN}
    = \frac{\#\{\hat y_i = y_i\}}{n}$$

    The second form also holds for many classes (it equals the micro-averaged
    precision and recall there).

    Examples
    --------
    The slide's four predictions for the ground truth 1 0 1 1 0 1 0:

    >>> gt = [1, 0, 1, 1, 0, 1, 0]
    >>> [round(float(accuracy(gt, p)), 4) for p in
    ...  ([0] * 7, [1] * 7, [1, 0, 0, 0, 1, 0, 1], [1, 0, 1, 1, 0, 0, 0])]
    [0.4286, 0.5714, 0.2857, 0.8571]
    """
    xp = array_namespace(y_true, y_pred)
    correct = xp.asarray(y_true) == xp.asarray(y_pred)
    correct = xp.astype(correct, default_float(xp, array_api_compat.device(correct)))
    if sample_weight is None:
        return xp.asarray(xp.mean(correct))  # NumPy would give a scalar
    return xp.asarray(xp.sum(correct * sample_weight) / xp.sum(sample_weight))


@checked(
    y_true=Labels(ndim=1),
    y_pred=Labels(ndim=1, like="y_true", kind_of="y_true"),
    average=Choice(*AVERAGES),
    pos_label=Label(),
    labels=Optional(Labels(ndim=1, kind_of="y_true")),
    zero_division=ZeroDivision(),
    sample_weight=Weights(),
    extra=_binary_rule,
)
def precision(
    y_true,
    y_pred,
    *,
    average="binary",
    pos_label=1,
    labels=None,
    zero_division="warn",
    sample_weight=None,
):
    r"""Precision: the fraction of positive predictions that are correct.

    Slide formula: M3, M7.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth labels: integers of any value, booleans, or strings
        (NumPy input only).
    y_pred : array-like of shape (n_samples,)
        Predicted labels, of the same kind.
    average : {"binary", "micro", "macro", "weighted"} or None, default="binary"
        ``"binary"``: the score of ``pos_label`` (the labels may hold at most
        two classes). ``"micro"``: pool the counts of all classes, then
        divide. ``"macro"``: unweighted mean of the per-class scores.
        ``"weighted"``: mean weighted by support (true samples per class).
        ``None``: the per-class scores.
    pos_label : int or str, default=1
        The positive class for ``average="binary"`` (ignored otherwise); a
        string for string labels.
    labels : sequence of labels, optional
        The classes to score when ``average`` is not ``"binary"``, and their
        order for ``average=None``. Default: every class that occurs in
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn);
        finding them reads the data (one host-device sync).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        `UndefinedMetricWarning`; deciding whether to warn reads the data
        (one host-device sync). The others are silent and need no sync. NaN
        scores are left out of the macro and weighted means.
    sample_weight : array-like of shape (n_samples,), optional
        Weight of each sample (finite, >= 0, not all 0): every count becomes
        a sum of weights, as in scikit-learn. Default: each sample counts 1.

    Returns
    -------
    array
        0-d array (float64 where the device has it), or 1-D (one score per
        class) for ``average=None``.

    Raises
    ------
    TypeError
        If the labels are neither numbers nor NumPy strings (a sparse matrix
        is refused: sparse input is not supported), ``pos_label`` is not an
        integer (or a string for string labels), or an option has the wrong
        type (a bool, a string for ``zero_division``).
    ValueError
        For bad labels (as in `confusion_counts`), an unknown ``average`` or
        ``zero_division``, or more than two classes with ``"binary"``.

    Warns
    -----
    UndefinedMetricWarning
        If $TP + FP = 0$ (nothing predicted positive) and ``zero_division="warn"``.

    Notes
    -----
    $$\text{precision} = \frac{TP}{TP + FP}$$

    "How many selected items are relevant?" With no positive prediction at all
    it is 0/0, undefined.

    Examples
    --------
    The slide's rows (ground truth 1 0 1 1 0 1 0):

    >>> gt = [1, 0, 1, 1, 0, 1, 0]
    >>> [round(float(precision(gt, p)), 4) for p in ([1] * 7, [1, 0, 0, 0, 1, 0, 1])]
    [0.5714, 0.3333]
    >>> float(precision(gt, [1, 0, 1, 1, 0, 0, 0]))
    1.0
    >>> float(precision(gt, [0] * 7, zero_division=0.0))  # 0/0: nothing predicted positive
    0.0

    Erratum X5: "all 0 with at least one 1" has precision 1.0 only if that one
    positive prediction is right, and 0.0 if it is wrong:

    >>> float(precision(gt, [1, 0, 0, 0, 0, 0, 0]))  # the 1 lands on a true 1: TP=1, FP=0
    1.0
    >>> float(precision(gt, [0, 1, 0, 0, 0, 0, 0]))  # the 1 lands on a true 0: TP=0, FP=1
    0.0

    Many classes:

    >>> [round(v, 4) for v in precision([0, 1, 2, 2], [0, 2, 2, 1], average=None).tolist()]
    [1.0, 0.0, 0.5]
    >>> round(float(precision([0, 1, 2, 2], [0, 2, 2, 1], average="macro")), 4)
    0.5
    """
    xp = array_namespace(y_true, y_pred)
    tp, fp, _, fn = _scored(xp, y_true, y_pred, average, pos_label, labels, sample_weight)
    value = _divide(xp, tp, tp + fp, zero_division, "precision is 0/0 (TP + FP = 0)")
    return _average(xp, value, tp + fn, average)


@checked(
    y_true=Labels(ndim=1),
    y_pred=Labels(ndim=1, like="y_true", kind_of="y_true"),
    average=Choice(*AVERAGES),
    pos_label=Label(),
    labels=Optional(Labels(ndim=1, kind_of="y_true")),
    zero_division=ZeroDivision(),
    sample_weight=Weights(),
    extra=_binary_rule,
)
def recall(
    y_true,
    y_pred,
    *,
    average="binary",
    pos_label=1,
    labels=None,
    zero_division="warn",
    sample_weight=None,
):
    r"""Recall: the fraction of the truly positive samples that are found.

    Slide formula: M4, M7.

    Sensitivity (`sensitivity`) is the same quantity under its medical name.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth labels: integers of any value, booleans, or strings
        (NumPy input only).
    y_pred : array-like of shape (n_samples,)
        Predicted labels, of the same kind.
    average : {"binary", "micro", "macro", "weighted"} or None, default="binary"
        ``"binary"``: the score of ``pos_label`` (the labels may hold at most
        two classes). ``"micro"``: pool the counts of all classes, then
        divide. ``"macro"``: unweighted mean of the per-class scores.
        ``"weighted"``: mean weighted by support (true samples per class).
        ``None``: the per-class scores.
    pos_label : int or str, default=1
        The positive class for ``average="binary"`` (ignored otherwise); a
        string for string labels.
    labels : sequence of labels, optional
        The classes to score when ``average`` is not ``"binary"``, and their
        order for ``average=None``. Default: every class that occurs in
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn);
        finding them reads the data (one host-device sync).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        `UndefinedMetricWarning`; deciding whether to warn reads the data
        (one host-device sync). The others are silent and need no sync. NaN
        scores are left out of the macro and weighted means.
    sample_weight : array-like of shape (n_samples,), optional
        Weight of each sample (finite, >= 0, not all 0): every count becomes
        a sum of weights, as in scikit-learn. Default: each sample counts 1.

    Returns
    -------
    array
        0-d array (float64 where the device has it), or 1-D (one score per
        class) for ``average=None``.

    Raises
    ------
    TypeError
        If the labels are neither numbers nor NumPy strings (a sparse matrix
        is refused: sparse input is not supported), ``pos_label`` is not an
        integer (or a string for string labels), or an option has the wrong
        type (a bool, a string for ``zero_division``).
    ValueError
        For bad labels (as in `confusion_counts`), an unknown ``average`` or
        ``zero_division``, or more than two classes with ``"binary"``.

    Warns
    -----
    UndefinedMetricWarning
        If $TP + FN = 0$ (the class never occurs in ``y_true``) and ``zero_division="warn"``.

    Notes
    -----
    $$\text{recall} = \frac{TP}{TP + FN}$$

    "How many relevant items are selected?" A model with no false negatives
    (for example one that predicts every sample positive) has recall 1.0.

    Examples
    --------
    The slide's rows (ground truth 1 0 1 1 0 1 0):

    >>> gt = [1, 0, 1, 1, 0, 1, 0]
    >>> [float(recall(gt, p)) for p in
    ...  ([0] * 7, [1] * 7, [1, 0, 0, 0, 1, 0, 1], [1, 0, 1, 1, 0, 0, 0])]
    [0.0, 1.0, 0.25, 0.75]

    Many classes:

    >>> recall([0, 1, 2, 2], [0, 2, 2, 1], average=None).tolist()
    [1.0, 0.0, 0.5]
    """
    xp = array_namespace(y_true, y_pred)
    tp, _, _, fn = _scored(xp, y_true, y_pred, average, pos_label, labels, sample_weight)
    value = _divide(xp, tp, tp + fn, zero_division, "recall is 0/0 (TP + FN = 0)")
    return _average(xp, value, tp + fn, average)


@checked(
    y_true=Labels(ndim=1),
    y_pred=Labels(ndim=1, like="y_true", kind_of="y_true"),
    average=Choice(*AVERAGES),
    pos_label=Label(),
    labels=Optional(Labels(ndim=1, kind_of="y_true")),
    zero_division=ZeroDivision(),
    sample_weight=Weights(),
    extra=_binary_rule,
)
def sensitivity(
    y_true,
    y_pred,
    *,
    average="binary",
    pos_label=1,
    labels=None,
    zero_division="warn",
    sample_weight=None,
):
    r"""Sensitivity, the true-positive rate: the same as recall.

    Slide formula: M4, M7.

    Same formula, same result as `recall`; the slides use both names.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth labels: integers of any value, booleans, or strings
        (NumPy input only).
    y_pred : array-like of shape (n_samples,)
        Predicted labels, of the same kind.
    average : {"binary", "micro", "macro", "weighted"} or None, default="binary"
        ``"binary"``: the score of ``pos_label`` (the labels may hold at most
        two classes). ``"micro"``: pool the counts of all classes, then
        divide. ``"macro"``: unweighted mean of the per-class scores.
        ``"weighted"``: mean weighted by support (true samples per class).
        ``None``: the per-class scores.
    pos_label : int or str, default=1
        The positive class for ``average="binary"`` (ignored otherwise); a
        string for string labels.
    labels : sequence of labels, optional
        The classes to score when ``average`` is not ``"binary"``, and their
        order for ``average=None``. Default: every class that occurs in
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn);
        finding them reads the data (one host-device sync).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        `UndefinedMetricWarning`; deciding whether to warn reads the data
        (one host-device sync). The others are silent and need no sync. NaN
        scores are left out of the macro and weighted means.
    sample_weight : array-like of shape (n_samples,), optional
        Weight of each sample (finite, >= 0, not all 0): every count becomes
        a sum of weights, as in scikit-learn. Default: each sample counts 1.

    Returns
    -------
    array
        0-d array (float64 where the device has it), or 1-D (one score per
        class) for ``average=None``.

    Raises
    ------
    TypeError
        If the labels are neither numbers nor NumPy strings (a sparse matrix
        is refused: sparse input is not supported), ``pos_label`` is not an
        integer (or a string for string labels), or an option has the wrong
        type (a bool, a string for ``zero_division``).
    ValueError
        For bad labels (as in `confusion_counts`), an unknown ``average`` or
        ``zero_division``, or more than two classes with ``"binary"``.

    Warns
    -----
    UndefinedMetricWarning
        If $TP + FN = 0$ (the class never occurs in ``y_true``) and ``zero_division="warn"``.

    Notes
    -----
    $$\text{sensitivity} = \frac{TP}{TP + FN}$$

    "How many relevant items are selected?" A model with no false negatives
    (for example one that predicts every sample positive) has sensitivity 1.0.

    Examples
    --------
    The slide's rows (ground truth 1 0 1 1 0 1 0):

    >>> gt = [1, 0, 1, 1, 0, 1, 0]
    >>> [float(sensitivity(gt, p)) for p in
    ...  ([0] * 7, [1] * 7, [1, 0, 0, 0, 1, 0, 1], [1, 0, 1, 1, 0, 0, 0])]
    [0.0, 1.0, 0.25, 0.75]

    Many classes:

    >>> sensitivity([0, 1, 2, 2], [0, 2, 2, 1], average=None).tolist()
    [1.0, 0.0, 0.5]
    """
    # Its own function rather than ``sensitivity = recall``, so that the API page
    # lists it under its name and the warning names it.
    xp = array_namespace(y_true, y_pred)
    tp, _, _, fn = _scored(xp, y_true, y_pred, average, pos_label, labels, sample_weight)
    value = _divide(xp, tp, tp + fn, zero_division, "sensitivity is 0/0 (TP + FN = 0)")
    return _average(xp, value, tp + fn, average)


@checked(
    y_true=Labels(ndim=1),
    y_pred=Labels(ndim=1, like="y_true", kind_of="y_true"),
    average=Choice(*AVERAGES),
    pos_label=Label(),
    labels=Optional(Labels(ndim=1, kind_of="y_true")),
    zero_division=ZeroDivision(),
    sample_weight=Weights(),
    extra=_binary_rule,
)
def specificity(
    y_true,
    y_pred,
    *,
    average="binary",
    pos_label=1,
    labels=None,
    zero_division="warn",
    sample_weight=None,
):
    r"""Specificity, the true-negative rate: the fraction of negatives found.

    Slide formula: M6, M7.

    It is the recall of the negative class: for a binary problem
    ``specificity(y, p) == recall(y, p, pos_label=0)``. For many classes, class
    $c$'s specificity is computed one-vs-rest (every other class is negative).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth labels: integers of any value, booleans, or strings
        (NumPy input only).
    y_pred : array-like of shape (n_samples,)
        Predicted labels, of the same kind.
    average : {"binary", "micro", "macro", "weighted"} or None, default="binary"
        ``"binary"``: the score of ``pos_label`` (the labels may hold at most
        two classes). ``"micro"``: pool the counts of all classes, then
        divide. ``"macro"``: unweighted mean of the per-class scores.
        ``"weighted"``: mean weighted by support (true samples per class).
        ``None``: the per-class scores.
    pos_label : int or str, default=1
        The positive class for ``average="binary"`` (ignored otherwise); a
        string for string labels.
    labels : sequence of labels, optional
        The classes to score when ``average`` is not ``"binary"``, and their
        order for ``average=None``. Default: every class that occurs in
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn);
        finding them reads the data (one host-device sync).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        `UndefinedMetricWarning`; deciding whether to warn reads the data
        (one host-device sync). The others are silent and need no sync. NaN
        scores are left out of the macro and weighted means.
    sample_weight : array-like of shape (n_samples,), optional
        Weight of each sample (finite, >= 0, not all 0): every count becomes
        a sum of weights, as in scikit-learn. Default: each sample counts 1.

    Returns
    -------
    array
        0-d array (float64 where the device has it), or 1-D (one score per
        class) for ``average=None``.

    Raises
    ------
    TypeError
        If the labels are neither numbers nor NumPy strings (a sparse matrix
        is refused: sparse input is not supported), ``pos_label`` is not an
        integer (or a string for string labels), or an option has the wrong
        type (a bool, a string for ``zero_division``).
    ValueError
        For bad labels (as in `confusion_counts`), an unknown ``average`` or
        ``zero_division``, or more than two classes with ``"binary"``.

    Warns
    -----
    UndefinedMetricWarning
        If $TN + FP = 0$ (every sample is truly of the class) and ``zero_division="warn"``.

    Notes
    -----
    $$\text{specificity} = \frac{TN}{TN + FP}$$

    The weighted average weights class $c$ by its support (true samples of
    $c$), as for the other metrics.

    Examples
    --------
    The slide's rows (ground truth 1 0 1 1 0 1 0):

    >>> gt = [1, 0, 1, 1, 0, 1, 0]
    >>> [round(float(specificity(gt, p)), 4) for p in
    ...  ([0] * 7, [1] * 7, [1, 0, 0, 0, 1, 0, 1], [1, 0, 1, 1, 0, 0, 0])]
    [1.0, 0.0, 0.3333, 1.0]
    """
    xp = array_namespace(y_true, y_pred)
    tp, fp, tn, fn = _scored(xp, y_true, y_pred, average, pos_label, labels, sample_weight)
    value = _divide(xp, tn, tn + fp, zero_division, "specificity is 0/0 (TN + FP = 0)")
    return _average(xp, value, tp + fn, average)


@checked(
    y_true=Labels(ndim=1),
    y_pred=Labels(ndim=1, like="y_true", kind_of="y_true"),
    average=Choice(*AVERAGES),
    pos_label=Label(),
    labels=Optional(Labels(ndim=1, kind_of="y_true")),
    zero_division=ZeroDivision(),
    sample_weight=Weights(),
    extra=_binary_rule,
)
def f1_score(
    y_true,
    y_pred,
    *,
    average="binary",
    pos_label=1,
    labels=None,
    zero_division="warn",
    sample_weight=None,
):
    r"""F1 score: the harmonic mean of precision and recall.

    Slide formula: M5, M7.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth labels: integers of any value, booleans, or strings
        (NumPy input only).
    y_pred : array-like of shape (n_samples,)
        Predicted labels, of the same kind.
    average : {"binary", "micro", "macro", "weighted"} or None, default="binary"
        ``"binary"``: the score of ``pos_label`` (the labels may hold at most
        two classes). ``"micro"``: pool the counts of all classes, then
        divide. ``"macro"``: unweighted mean of the per-class scores.
        ``"weighted"``: mean weighted by support (true samples per class).
        ``None``: the per-class scores.
    pos_label : int or str, default=1
        The positive class for ``average="binary"`` (ignored otherwise); a
        string for string labels.
    labels : sequence of labels, optional
        The classes to score when ``average`` is not ``"binary"``, and their
        order for ``average=None``. Default: every class that occurs in
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn);
        finding them reads the data (one host-device sync).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        `UndefinedMetricWarning`; deciding whether to warn reads the data
        (one host-device sync). The others are silent and need no sync. NaN
        scores are left out of the macro and weighted means.
    sample_weight : array-like of shape (n_samples,), optional
        Weight of each sample (finite, >= 0, not all 0): every count becomes
        a sum of weights, as in scikit-learn. Default: each sample counts 1.

    Returns
    -------
    array
        0-d array (float64 where the device has it), or 1-D (one score per
        class) for ``average=None``.

    Raises
    ------
    TypeError
        If the labels are neither numbers nor NumPy strings (a sparse matrix
        is refused: sparse input is not supported), ``pos_label`` is not an
        integer (or a string for string labels), or an option has the wrong
        type (a bool, a string for ``zero_division``).
    ValueError
        For bad labels (as in `confusion_counts`), an unknown ``average`` or
        ``zero_division``, or more than two classes with ``"binary"``.

    Warns
    -----
    UndefinedMetricWarning
        If $2TP + FP + FN = 0$ (the class is neither in ``y_true`` nor in
        ``y_pred``) and ``zero_division="warn"``.

    Notes
    -----
    $$F_1 = \frac{2PR}{P + R} = \frac{2TP}{2TP + FP + FN}$$

    The second form is computed: it is defined whenever the class occurs at
    all, even where precision alone is 0/0 (then $F_1 = 0$). The macro
    average is the mean of the per-class $F_1$, not the $F_1$ of the macro
    precision and recall (scikit-learn's convention).

    Examples
    --------
    The slide's rows (ground truth 1 0 1 1 0 1 0):

    >>> gt = [1, 0, 1, 1, 0, 1, 0]
    >>> [round(float(f1_score(gt, p)), 4) for p in
    ...  ([0] * 7, [1] * 7, [1, 0, 0, 0, 1, 0, 1], [1, 0, 1, 1, 0, 0, 0])]
    [0.0, 0.7273, 0.2857, 0.8571]
    """
    xp = array_namespace(y_true, y_pred)
    tp, fp, _, fn = _scored(xp, y_true, y_pred, average, pos_label, labels, sample_weight)
    value = _divide(xp, 2 * tp, 2 * tp + fp + fn, zero_division, "F1 is 0/0 (2TP + FP + FN = 0)")
    return _average(xp, value, tp + fn, average)


@checked(
    y_true=Labels(strings=False),
    y_pred=Labels(strings=False, like="y_true"),
    n_classes=Optional(Count(minimum=1)),
    labels=Optional(Labels(strings=False, ndim=1)),
    ignore_index=Optional(Count(minimum=-(2**63))),  # any int64 label, e.g. 255 or -100
    average=Choice("macro", "weighted", None),
    extra=_kept_pixels,
)
def mean_iou(y_true, y_pred, *, n_classes=None, labels=None, ignore_index=None, average="macro"):
    r"""Mean intersection over union of a semantic segmentation, over the classes.

    Slide formula: C7.

    Every pixel is one sample; class $c$'s IoU is the slides' "area of overlap
    / area of union" of its true and predicted masks, counted in pixels.

    Parameters
    ----------
    y_true : array-like of any shape
        Ground-truth class label of every pixel (e.g. ``(batch, H, W)``),
        integers of any value. A 2-D input of only 0 and 1 looks like
        scikit-learn's multilabel indicator matrix and is refused unless
        ``n_classes``, ``labels`` or ``ignore_index`` says it is a mask.
    y_pred : array-like of the same shape
        Predicted class label of every pixel (the ``argmax`` over the class
        axis of the logits).
    n_classes : int, optional
        The classes are ``0 .. n_classes - 1`` (no host-device sync).
    labels : sequence of int, optional
        The classes to score, in this order (``jaccard_score``'s ``labels``).
        Without ``labels`` and ``n_classes``: the labels of the kept pixels
        in ``y_true`` or ``y_pred``, sorted, read from the data (one
        host-device sync).
    ignore_index : int, optional
        Pixels whose *true* label is this value are left out (a "void" or
        border label such as 255). If it is one of the classes, that class is
        also left out of the mean.
    average : {"macro", "weighted"} or None, default="macro"
        ``"macro"``: mean over the classes present (in ``y_true`` or
        ``y_pred``). ``"weighted"``: frequency-weighted IoU (weights = true
        pixels per class). ``None``: the IoU of every class, NaN for a class
        absent from both masks.

    Returns
    -------
    array
        0-d array (float64 where the device has it), or 1-D (one IoU per
        class) for ``average=None``.

    Raises
    ------
    TypeError
        If the labels are not numbers (a sparse matrix is refused: sparse
        input is not supported), or ``n_classes`` or ``ignore_index`` is not
        an integer.
    ValueError
        If the shapes differ, an input is empty, a kept label is NaN,
        fractional or outside ``0 .. n_classes - 1`` when ``n_classes`` is
        given, every pixel is ignored, or the input looks like a multilabel
        indicator matrix.

    Notes
    -----
    From the confusion matrix over the pixels,

    $$\mathrm{IoU}_c = \frac{|T_c \cap P_c|}{|T_c \cup P_c|}
    = \frac{TP_c}{TP_c + FP_c + FN_c}, \qquad
    \mathrm{mIoU} = \frac{1}{|K|}\sum_{c \in K} \mathrm{IoU}_c$$

    with $K$ the classes whose union is not empty. A class absent from both
    masks is 0/0 and is skipped rather than counted as 0 or 1 (scikit-learn's
    ``jaccard_score`` would count it as ``zero_division``). With
    ``n_classes`` or ``labels`` given there is no host-device sync (checks
    off).

    Examples
    --------
    >>> truth = [[0, 0, 1], [0, 1, 1]]
    >>> pred = [[0, 1, 1], [0, 1, 1]]
    >>> [round(v, 4) for v in mean_iou(truth, pred, n_classes=2, average=None).tolist()]
    [0.6667, 0.75]
    >>> round(float(mean_iou(truth, pred, n_classes=2)), 4)
    0.7083

    A void pixel is skipped:

    >>> float(mean_iou([[0, 255], [1, 1]], [[0, 0], [1, 1]], ignore_index=255))
    1.0
    """
    xp = array_namespace(y_true, y_pred)
    y_true, y_pred = xp.reshape(xp.asarray(y_true), (-1,)), xp.reshape(xp.asarray(y_pred), (-1,))
    device = array_api_compat.device(y_true)
    void = xp.zeros_like(y_true, dtype=xp.bool) if ignore_index is None else y_true == ignore_index
    if labels is None and n_classes is not None:
        labels = xp.arange(n_classes, device=device)
    elif labels is None:  # the kept pixels' labels, void ones replaced by a kept one (a sync)
        kept = xp.take(y_true, xp.reshape(xp.argmax(xp.astype(~void, xp.int8)), (1,)))
        labels = _classes(xp, xp.where(void, kept, y_true), xp.where(void, kept, y_pred))
    labels = xp.asarray(labels, device=device)
    # A void pixel becomes "void predicted as void": in no class's TP, FP or FN
    # (when ignore_index is a class, that class is dropped below).
    tp, fp, _, fn = _one_vs_rest(xp, y_true, xp.where(void, y_true, y_pred), labels)
    iou = _divide(xp, tp, tp + fp + fn, math.nan, "IoU")
    if ignore_index is not None:  # an ignored class leaves the mean
        iou = xp.where(labels == ignore_index, xp.nan, iou)
    return _average(xp, iou, tp + fn, average)

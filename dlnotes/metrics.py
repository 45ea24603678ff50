r"""Classification and segmentation metrics (slides 002; 000 part 6).

Labels are **integer class indices** (``0 .. n_classes - 1``; booleans count as
0/1, and floats are accepted only when every value is a whole number). Every
metric is built from the confusion matrix, which is counted without a Python
loop over the samples.

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

Results are arrays of the input's namespace: 0-d for one number, 1-D per class,
float64 for ratios and int64 for counts.
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any, NamedTuple

import array_api_compat

from dlnotes._checks import check_choice, check_nonempty, check_same_shape
from dlnotes.backend import array_namespace

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


# --------------------------------------------------------------------------- #
# Label handling and counting


def _label_pair(y_true, y_pred, *, flat=False):
    """Namespace and the two label arrays as int64, validated (``flat``: any shape, raveled)."""
    xp = array_namespace(y_true, y_pred)
    real = [a for a in (y_true, y_pred) if array_api_compat.is_array_api_obj(a)]
    device = array_api_compat.device(real[0]) if real else None
    y_true, y_pred = (
        a if array_api_compat.is_array_api_obj(a) else xp.asarray(a, device=device) for a in (y_true, y_pred)
    )
    check_same_shape("y_true", y_true, "y_pred", y_pred)
    return xp, _as_labels(xp, "y_true", y_true, flat=flat), _as_labels(xp, "y_pred", y_pred, flat=flat)


def _as_labels(xp, name, a, *, flat=False):
    """One label array as int64 class indices (a new array; the input is untouched)."""
    if flat:  # segmentation masks: every pixel is a sample
        a = xp.reshape(a, (-1,))
    elif a.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one class index per sample), got shape {tuple(a.shape)}"
        )
    check_nonempty(name, a)
    if xp.isdtype(a.dtype, ("bool", "integral")):
        return xp.astype(a, xp.int64)
    if not xp.isdtype(a.dtype, "real floating"):
        raise TypeError(f"{name} must hold integer class indices, got dtype {a.dtype}")
    # Whole-valued floats (a tensor of 0.0/1.0) are accepted; anything else is a
    # probability or a score, which a threshold must turn into labels first.
    if bool(xp.any(xp.isnan(a))):
        raise ValueError(f"{name} must not contain NaN; labels are integer class indices")
    if not bool(xp.all(xp.isfinite(a) & (a == xp.round(a)))):
        raise ValueError(
            f"{name} must hold integer class indices, got non-integer floats "
            "(threshold scores or probabilities into labels first)"
        )
    return xp.astype(a, xp.int64)


def _as_class_list(xp, labels, device):
    """The ``labels=`` option as a 1-D int64 array of class indices."""
    if not array_api_compat.is_array_api_obj(labels):
        labels = xp.asarray(list(labels), device=device)
    if labels.ndim != 1 or labels.shape[0] == 0:
        raise ValueError(
            f"labels must be a non-empty 1-D sequence of class indices, got shape {tuple(labels.shape)}"
        )
    if not xp.isdtype(labels.dtype, "integral"):
        raise TypeError(f"labels must hold integer class indices, got dtype {labels.dtype}")
    if int(xp.min(labels)) < 0:
        raise ValueError("labels must hold class indices >= 0")
    return xp.astype(labels, xp.int64)


def _integer(name, value, what):
    """``value`` as a Python int (NumPy and other integer scalars accepted, bools not)."""
    if not isinstance(value, bool):
        try:
            return operator.index(value)
        except TypeError:
            pass
    raise ValueError(f"{name} must be {what}, got {value!r}")


def _check_class_index(name, value):
    """A class index (an integer >= 0) as a Python int."""
    value = _integer(name, value, "a class index (an int >= 0)")
    if value < 0:
        raise ValueError(f"{name} must be a class index (an int >= 0), got {value!r}")
    return value


def _n_classes(xp, n_classes, arrays, *, at_least=0):
    """Number of classes: ``n_classes`` checked against the data, or max index + 1."""
    if n_classes is not None:
        n_classes = _check_class_index("n_classes", n_classes)
    top = at_least - 1
    for name, a in arrays.items():
        low, high = int(xp.min(a)), int(xp.max(a))
        if low < 0:
            raise ValueError(f"{name} must hold class indices >= 0, got {low}")
        if n_classes is not None and high >= n_classes:
            raise ValueError(f"{name} holds class {high}, but n_classes={n_classes}")
        top = max(top, high)
    if n_classes is None:
        return top + 1
    if n_classes < 1 or top >= n_classes:
        raise ValueError(f"n_classes={n_classes} is too small for class index {top}")
    return n_classes


def _count_matrix(xp, y_true, y_pred, k, keep=None):
    """k x k int64 counts, rows = true class, columns = predicted class.

    The standard has no ``bincount``. Each sample gets one cell index
    ``true * k + pred``; after sorting, ``searchsorted`` finds where each cell's
    run starts, and the run lengths are the counts (O(n log n), O(n) memory,
    no one-hot matrix). Samples with ``keep`` False go to cell ``k * k``, past
    the last counted bin.
    """
    cell = y_true * k + y_pred
    if keep is not None:
        cell = xp.where(keep, cell, xp.full_like(cell, k * k))
    edges = xp.arange(k * k + 1, dtype=cell.dtype, device=array_api_compat.device(cell))
    starts = xp.searchsorted(xp.sort(cell), edges)
    return xp.reshape(starts[1:] - starts[:-1], (k, k))


def _per_class(xp, cm):
    """One-vs-rest TP, FP, TN, FN of every class from the confusion matrix."""
    k = cm.shape[0]
    tp = xp.sum(cm * xp.eye(k, dtype=cm.dtype, device=array_api_compat.device(cm)), axis=1)
    true, pred = xp.sum(cm, axis=1), xp.sum(cm, axis=0)
    fp, fn = pred - tp, true - tp
    return ConfusionCounts(tp, fp, xp.sum(true) - tp - fp - fn, fn)


def _selected_counts(y_true, y_pred, *, average, pos_label, labels):
    """Namespace and float64 one-vs-rest counts of the classes being scored."""
    check_choice("average", average, AVERAGES)
    xp, y_true, y_pred = _label_pair(y_true, y_pred)
    device = array_api_compat.device(y_true)
    at_least = 0
    if average == "binary":
        pos_label = _check_class_index("pos_label", pos_label)
        at_least = pos_label + 1
    elif labels is not None:
        labels = _as_class_list(xp, labels, device)
        at_least = int(xp.max(labels)) + 1
    k = _n_classes(xp, None, {"y_true": y_true, "y_pred": y_pred}, at_least=at_least)
    counts = _per_class(xp, _count_matrix(xp, y_true, y_pred, k))
    present = (counts.tp + counts.fp + counts.fn) > 0  # in y_true or in y_pred
    if average == "binary":
        _check_binary(xp, present, pos_label)
        labels = xp.asarray([pos_label], dtype=xp.int64, device=device)
    elif labels is None:  # like scikit-learn: the classes seen in y_true or y_pred
        labels = xp.nonzero(present)[0]
    counts = [xp.astype(xp.take(c, labels, axis=0), xp.float64) for c in counts]
    return xp, ConfusionCounts(*counts)


def _check_binary(xp, present, pos_label):
    n_present = int(xp.sum(xp.astype(present, xp.int64)))
    if n_present > 2:
        raise ValueError(
            f"average='binary' needs at most two classes, but y_true and y_pred hold "
            f"{n_present}; choose average='micro', 'macro', 'weighted' or None"
        )
    if n_present == 2 and not bool(present[pos_label]):
        raise ValueError(f"pos_label={pos_label} is not one of the two classes in y_true and y_pred")


# --------------------------------------------------------------------------- #
# Ratios, zero division and averages


def _check_zero_division(zero_division):
    ok = zero_division == "warn" or (
        isinstance(zero_division, (int, float))
        and not isinstance(zero_division, bool)
        and (zero_division in (0, 1) or math.isnan(zero_division))
    )
    if not ok:
        raise ValueError(f'zero_division must be "warn", 0.0, 1.0 or nan, got {zero_division!r}')


# Each rate as (numerator, denominator) of the one-vs-rest counts, and when the
# denominator is 0 (said by the UndefinedMetricWarning).
_RATES = {
    "precision": (lambda c: (c.tp, c.tp + c.fp), "TP + FP = 0: no sample predicted as the class"),
    "recall": (lambda c: (c.tp, c.tp + c.fn), "TP + FN = 0: no sample of the class in y_true"),
    "specificity": (lambda c: (c.tn, c.tn + c.fp), "TN + FP = 0: every sample is of the class in y_true"),
    "F1": (
        lambda c: (2 * c.tp, 2 * c.tp + c.fp + c.fn),
        "2TP + FP + FN = 0: the class is neither in y_true nor in y_pred",
    ),
}


def _rate(rate, y_true, y_pred, *, average, pos_label, labels, zero_division, what=None):
    """The rate named ``rate`` in ``_RATES`` per class, averaged; ``what`` names it in the warning."""
    _check_zero_division(zero_division)
    ratio, why = _RATES[rate]
    xp, counts = _selected_counts(y_true, y_pred, average=average, pos_label=pos_label, labels=labels)
    num, den = ratio(counts)
    if average == "micro":  # micro: pool the counts of every class, then divide once
        num, den = xp.sum(num), xp.sum(den)
    undefined = den == 0
    if zero_division == "warn" and bool(xp.any(undefined)):
        warnings.warn(
            f"{what or rate} is 0/0 ({why}) and set to 0.0; pass zero_division=0.0, 1.0 or "
            "nan to choose the value and silence this warning",
            UndefinedMetricWarning,
            stacklevel=3,
        )
    fill = 0.0 if zero_division == "warn" else float(zero_division)
    # Divide by 1 where den is 0 so that no RuntimeWarning is raised, then fill.
    safe = xp.where(undefined, xp.ones_like(den), den)
    values = xp.where(undefined, xp.full_like(den, fill), num / safe)
    return _average(xp, values, counts.tp + counts.fn, average)


def _average(xp, values, support, average):
    """Per-class values to the requested average; NaN entries are left out."""
    if average is None:
        return values
    if average in ("binary", "micro"):
        return xp.asarray(xp.reshape(values, ()))
    valid = ~xp.isnan(values)
    weights = support if average == "weighted" else xp.ones_like(values)
    weights = xp.where(valid, weights, xp.zeros_like(weights))
    if not bool(xp.any(weights > 0)):  # all weights zero: plain mean, like scikit-learn
        weights = xp.astype(valid, values.dtype)
    total = xp.sum(weights)
    if not bool(total > 0):  # every value is NaN
        return xp.asarray(xp.sum(values))
    return xp.asarray(xp.sum(xp.where(valid, values, xp.zeros_like(values)) * weights) / total)


# --------------------------------------------------------------------------- #
# Public metrics


def confusion_counts(y_true, y_pred, *, pos_label=1, n_classes=None):
    r"""True/false positives and negatives: TP, FP, TN, FN.

    Slide formula: M1.

    "True"/"False" says whether the prediction agrees with the ground truth,
    "Positive"/"Negative" what was predicted (slide 000 part 6).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth class indices (0/1 for a binary problem).
    y_pred : array-like of shape (n_samples,)
        Predicted class indices.
    pos_label : int or None, default=1
        The positive class; the other classes together are the negative one.
        ``None`` gives the counts of every class one-vs-rest.
    n_classes : int, optional
        Number of classes for ``pos_label=None``; default: the largest index
        in ``y_true``, ``y_pred`` (or ``pos_label``) plus one.

    Returns
    -------
    ConfusionCounts
        Named tuple ``(tp, fp, tn, fn)`` of int64 0-d arrays, or of 1-D arrays
        of length ``n_classes`` for ``pos_label=None``.

    Raises
    ------
    ValueError
        If the inputs are not 1-D, differ in length, are empty, or hold NaN,
        negative or fractional labels, or ``pos_label`` or ``n_classes`` is
        not a class index.
    TypeError
        If the labels are not numbers.

    Notes
    -----
    With $t_i$, $\hat y_i$ the true and predicted labels and $c$ the positive
    class: $TP = \#\{t_i = c, \hat y_i = c\}$, $FP = \#\{t_i \ne c,
    \hat y_i = c\}$, $TN = \#\{t_i \ne c, \hat y_i \ne c\}$ and
    $FN = \#\{t_i = c, \hat y_i \ne c\}$. They add up to $n$.

    Examples
    --------
    The slide's ground truth against the prediction 1 0 1 1 0 0 0:

    >>> tp, fp, tn, fn = confusion_counts([1, 0, 1, 1, 0, 1, 0], [1, 0, 1, 1, 0, 0, 0])
    >>> int(tp), int(fp), int(tn), int(fn)
    (3, 0, 3, 1)
    >>> confusion_counts([0, 1, 2, 2], [0, 2, 2, 1], pos_label=None).fp.tolist()
    [0, 1, 1]
    """
    xp, y_true, y_pred = _label_pair(y_true, y_pred)
    at_least = 0
    if pos_label is not None:
        pos_label = _check_class_index("pos_label", pos_label)
        at_least = pos_label + 1
    k = _n_classes(xp, n_classes, {"y_true": y_true, "y_pred": y_pred}, at_least=at_least)
    counts = _per_class(xp, _count_matrix(xp, y_true, y_pred, k))
    if pos_label is None:
        return counts
    return ConfusionCounts(*(xp.asarray(c[pos_label]) for c in counts))


def confusion_matrix(y_true, y_pred, *, n_classes=None, labels=None):
    r"""Confusion matrix: rows are the true class, columns the predicted class.

    Slide formula: M1, M7.

    Entry $C_{ij}$ counts the samples of true class $i$ predicted as class
    $j$, the layout of ``sklearn.metrics.confusion_matrix``. The diagonal
    holds the correct predictions.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth class indices.
    y_pred : array-like of shape (n_samples,)
        Predicted class indices.
    n_classes : int, optional
        Size of the matrix; default: the largest index in the data plus one.
        Row and column $i$ are class $i$, even for a class that never occurs
        (scikit-learn drops such classes unless you pass its ``labels``).
    labels : sequence of int, optional
        Keep only these classes, in this order (samples whose true or predicted
        class is not listed are left out, as in scikit-learn).

    Returns
    -------
    array
        int64 array of shape ``(n_classes, n_classes)`` or
        ``(len(labels), len(labels))``, in the input's namespace.

    Raises
    ------
    ValueError
        For bad labels (as in
        [`confusion_counts`][dlnotes.metrics.confusion_counts]) or a class
        index ``>= n_classes``.

    Notes
    -----
    For a binary problem the matrix is $\begin{pmatrix} TN & FP \\ FN & TP
    \end{pmatrix}$.

    Examples
    --------
    >>> confusion_matrix([1, 0, 1, 1, 0, 1, 0], [1, 0, 0, 0, 1, 0, 1]).tolist()
    [[1, 2], [3, 1]]
    >>> confusion_matrix([0, 2, 2], [0, 2, 1], n_classes=4).tolist()
    [[1, 0, 0, 0], [0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
    >>> confusion_matrix([0, 2, 2], [0, 2, 1], labels=[2, 0]).tolist()
    [[1, 0], [0, 1]]
    """
    xp, y_true, y_pred = _label_pair(y_true, y_pred)
    at_least = 0
    if labels is not None:
        labels = _as_class_list(xp, labels, array_api_compat.device(y_true))
        at_least = int(xp.max(labels)) + 1
        if n_classes is not None and at_least > n_classes:
            raise ValueError(f"labels holds class {at_least - 1}, but n_classes={n_classes}")
    k = _n_classes(xp, n_classes, {"y_true": y_true, "y_pred": y_pred}, at_least=at_least)
    cm = _count_matrix(xp, y_true, y_pred, k)
    if labels is not None:
        cm = xp.take(xp.take(cm, labels, axis=0), labels, axis=1)
    return cm


def accuracy(y_true, y_pred):
    r"""Fraction of correct predictions.

    Slide formula: M2.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth class indices.
    y_pred : array-like of shape (n_samples,)
        Predicted class indices.

    Returns
    -------
    array
        float64 0-d array in $[0, 1]$.

    Raises
    ------
    ValueError
        For bad labels (as in
        [`confusion_counts`][dlnotes.metrics.confusion_counts]).

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
    xp, y_true, y_pred = _label_pair(y_true, y_pred)
    _n_classes(xp, None, {"y_true": y_true, "y_pred": y_pred})  # rejects negative labels
    return xp.asarray(xp.mean(xp.astype(y_true == y_pred, xp.float64)))


def precision(y_true, y_pred, *, average="binary", pos_label=1, labels=None, zero_division="warn"):
    r"""Precision: the fraction of positive predictions that are correct.

    Slide formula: M3, M7.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth class indices.
    y_pred : array-like of shape (n_samples,)
        Predicted class indices.
    average : {"binary", "micro", "macro", "weighted"} or None, default="binary"
        ``"binary"``: the score of ``pos_label`` (the labels may hold at most
        two classes). ``"micro"``: pool the counts of all classes, then
        divide. ``"macro"``: unweighted mean of the per-class scores.
        ``"weighted"``: mean weighted by support (true samples per class).
        ``None``: the per-class scores.
    pos_label : int, default=1
        The positive class for ``average="binary"`` (ignored otherwise).
    labels : sequence of int, optional
        The classes to score when ``average`` is not ``"binary"``, and their
        order for ``average=None``. Default: every class that occurs in
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        [`UndefinedMetricWarning`][dlnotes.metrics.UndefinedMetricWarning];
        the others are silent. NaN scores are left out of the macro and
        weighted means.

    Returns
    -------
    array
        float64 0-d array, or 1-D (one score per class) for ``average=None``.

    Raises
    ------
    ValueError
        For bad labels (as in
        [`confusion_counts`][dlnotes.metrics.confusion_counts]), an unknown
        ``average`` or ``zero_division``, or more than two classes with
        ``"binary"``.

    Warns
    -----
    UndefinedMetricWarning
        If $TP + FP = 0$ (nothing predicted positive) and
        ``zero_division="warn"``.

    Notes
    -----
    $$\text{precision} = \frac{TP}{TP + FP}$$

    "How many selected items are relevant?" With no positive prediction at all
    it is 0/0, undefined.

    Examples
    --------
    The slide's rows (ground truth 1 0 1 1 0 1 0):

    >>> gt = [1, 0, 1, 1, 0, 1, 0]
    >>> round(float(precision(gt, [1] * 7)), 4), round(float(precision(gt, [1, 0, 0, 0, 1, 0, 1])), 4)
    (0.5714, 0.3333)
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
    return _rate(
        "precision", y_true, y_pred, average=average, pos_label=pos_label, labels=labels, zero_division=zero_division
    )


def recall(y_true, y_pred, *, average="binary", pos_label=1, labels=None, zero_division="warn"):
    r"""Recall: the fraction of the truly positive samples that are found.

    Slide formula: M4, M7.

    Sensitivity ([`sensitivity`][dlnotes.metrics.sensitivity]) is the same
    quantity under its medical name.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth class indices.
    y_pred : array-like of shape (n_samples,)
        Predicted class indices.
    average : {"binary", "micro", "macro", "weighted"} or None, default="binary"
        ``"binary"``: the score of ``pos_label`` (the labels may hold at most
        two classes). ``"micro"``: pool the counts of all classes, then
        divide. ``"macro"``: unweighted mean of the per-class scores.
        ``"weighted"``: mean weighted by support (true samples per class).
        ``None``: the per-class scores.
    pos_label : int, default=1
        The positive class for ``average="binary"`` (ignored otherwise).
    labels : sequence of int, optional
        The classes to score when ``average`` is not ``"binary"``, and their
        order for ``average=None``. Default: every class that occurs in
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        [`UndefinedMetricWarning`][dlnotes.metrics.UndefinedMetricWarning];
        the others are silent. NaN scores are left out of the macro and
        weighted means.

    Returns
    -------
    array
        float64 0-d array, or 1-D (one score per class) for ``average=None``.

    Raises
    ------
    ValueError
        For bad labels (as in
        [`confusion_counts`][dlnotes.metrics.confusion_counts]), an unknown
        ``average`` or ``zero_division``, or more than two classes with
        ``"binary"``.

    Warns
    -----
    UndefinedMetricWarning
        If $TP + FN = 0$ (the class never occurs in ``y_true``) and
        ``zero_division="warn"``.

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
    >>> recall([0, 1, 2, 2], [0, 2, 2, 1], average=None).tolist()
    [1.0, 0.0, 0.5]
    """
    return _rate(
        "recall", y_true, y_pred, average=average, pos_label=pos_label, labels=labels, zero_division=zero_division
    )


def sensitivity(y_true, y_pred, *, average="binary", pos_label=1, labels=None, zero_division="warn"):
    r"""Sensitivity, the true-positive rate: the same as recall.

    Slide formula: M4, M7.

    Same formula, same result as [`recall`][dlnotes.metrics.recall]; the slides use both names.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth class indices.
    y_pred : array-like of shape (n_samples,)
        Predicted class indices.
    average : {"binary", "micro", "macro", "weighted"} or None, default="binary"
        ``"binary"``: the score of ``pos_label`` (the labels may hold at most
        two classes). ``"micro"``: pool the counts of all classes, then
        divide. ``"macro"``: unweighted mean of the per-class scores.
        ``"weighted"``: mean weighted by support (true samples per class).
        ``None``: the per-class scores.
    pos_label : int, default=1
        The positive class for ``average="binary"`` (ignored otherwise).
    labels : sequence of int, optional
        The classes to score when ``average`` is not ``"binary"``, and their
        order for ``average=None``. Default: every class that occurs in
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        [`UndefinedMetricWarning`][dlnotes.metrics.UndefinedMetricWarning];
        the others are silent. NaN scores are left out of the macro and
        weighted means.

    Returns
    -------
    array
        float64 0-d array, or 1-D (one score per class) for ``average=None``.

    Raises
    ------
    ValueError
        For bad labels (as in
        [`confusion_counts`][dlnotes.metrics.confusion_counts]), an unknown
        ``average`` or ``zero_division``, or more than two classes with
        ``"binary"``.

    Warns
    -----
    UndefinedMetricWarning
        If $TP + FN = 0$ (the class never occurs in ``y_true``) and
        ``zero_division="warn"``.

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
    >>> sensitivity([0, 1, 2, 2], [0, 2, 2, 1], average=None).tolist()
    [1.0, 0.0, 0.5]
    """
    # Its own function rather than ``sensitivity = recall``, so that the API
    # page lists it under its name and the warning names it.
    return _rate(
        "recall", y_true, y_pred, what="sensitivity",
        average=average, pos_label=pos_label, labels=labels, zero_division=zero_division,
    )


def specificity(y_true, y_pred, *, average="binary", pos_label=1, labels=None, zero_division="warn"):
    r"""Specificity, the true-negative rate: the fraction of negatives found.

    Slide formula: M6, M7.

    It is the recall of the negative class: for a binary problem
    ``specificity(y, p) == recall(y, p, pos_label=0)``. For many classes, class
    $c$'s specificity is computed one-vs-rest (every other class is negative).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth class indices.
    y_pred : array-like of shape (n_samples,)
        Predicted class indices.
    average : {"binary", "micro", "macro", "weighted"} or None, default="binary"
        ``"binary"``: the score of ``pos_label`` (the labels may hold at most
        two classes). ``"micro"``: pool the counts of all classes, then
        divide. ``"macro"``: unweighted mean of the per-class scores.
        ``"weighted"``: mean weighted by support (true samples per class).
        ``None``: the per-class scores.
    pos_label : int, default=1
        The positive class for ``average="binary"`` (ignored otherwise).
    labels : sequence of int, optional
        The classes to score when ``average`` is not ``"binary"``, and their
        order for ``average=None``. Default: every class that occurs in
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        [`UndefinedMetricWarning`][dlnotes.metrics.UndefinedMetricWarning];
        the others are silent. NaN scores are left out of the macro and
        weighted means.

    Returns
    -------
    array
        float64 0-d array, or 1-D (one score per class) for ``average=None``.

    Raises
    ------
    ValueError
        For bad labels (as in
        [`confusion_counts`][dlnotes.metrics.confusion_counts]), an unknown
        ``average`` or ``zero_division``, or more than two classes with
        ``"binary"``.

    Warns
    -----
    UndefinedMetricWarning
        If $TN + FP = 0$ (every sample is truly of the class) and
        ``zero_division="warn"``.

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
    return _rate(
        "specificity", y_true, y_pred, average=average, pos_label=pos_label, labels=labels, zero_division=zero_division
    )


def f1_score(y_true, y_pred, *, average="binary", pos_label=1, labels=None, zero_division="warn"):
    r"""F1 score: the harmonic mean of precision and recall.

    Slide formula: M5, M7.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth class indices.
    y_pred : array-like of shape (n_samples,)
        Predicted class indices.
    average : {"binary", "micro", "macro", "weighted"} or None, default="binary"
        ``"binary"``: the score of ``pos_label`` (the labels may hold at most
        two classes). ``"micro"``: pool the counts of all classes, then
        divide. ``"macro"``: unweighted mean of the per-class scores.
        ``"weighted"``: mean weighted by support (true samples per class).
        ``None``: the per-class scores.
    pos_label : int, default=1
        The positive class for ``average="binary"`` (ignored otherwise).
    labels : sequence of int, optional
        The classes to score when ``average`` is not ``"binary"``, and their
        order for ``average=None``. Default: every class that occurs in
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        [`UndefinedMetricWarning`][dlnotes.metrics.UndefinedMetricWarning];
        the others are silent. NaN scores are left out of the macro and
        weighted means.

    Returns
    -------
    array
        float64 0-d array, or 1-D (one score per class) for ``average=None``.

    Raises
    ------
    ValueError
        For bad labels (as in
        [`confusion_counts`][dlnotes.metrics.confusion_counts]), an unknown
        ``average`` or ``zero_division``, or more than two classes with
        ``"binary"``.

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
    return _rate(
        "F1", y_true, y_pred, average=average, pos_label=pos_label, labels=labels, zero_division=zero_division
    )


def mean_iou(y_true, y_pred, *, n_classes=None, ignore_index=None, average="macro"):
    r"""Mean intersection over union of a semantic segmentation, over the classes.

    Slide formula: C7.

    Every pixel is one sample; class $c$'s IoU is the slides' "area of overlap
    / area of union" of its true and predicted masks, counted in pixels.

    Parameters
    ----------
    y_true : array-like of any shape
        Ground-truth class index of every pixel (e.g. ``(batch, H, W)``).
    y_pred : array-like of the same shape
        Predicted class index of every pixel (the ``argmax`` over the class
        axis of the logits).
    n_classes : int, optional
        Number of classes; default: the largest index in the (kept) data plus
        one.
    ignore_index : int, optional
        Pixels whose *true* label is this value are left out (a "void" or
        border label such as 255). If it is a class index below ``n_classes``,
        that class is also left out of the mean.
    average : {"macro", "weighted"} or None, default="macro"
        ``"macro"``: mean over the classes present (in ``y_true`` or
        ``y_pred``). ``"weighted"``: frequency-weighted IoU (weights = true
        pixels per class). ``None``: the IoU of every class
        ``0 .. n_classes - 1``, NaN for a class absent from both masks.

    Returns
    -------
    array
        float64 0-d array, or 1-D of length ``n_classes`` for ``average=None``.

    Raises
    ------
    ValueError
        If the shapes differ, an input is empty, a label is NaN, fractional,
        negative or ``>= n_classes``, every pixel is ignored, or
        ``ignore_index`` is not an integer.

    Notes
    -----
    From the confusion matrix over the pixels,

    $$\mathrm{IoU}_c = \frac{|T_c \cap P_c|}{|T_c \cup P_c|}
    = \frac{TP_c}{TP_c + FP_c + FN_c}, \qquad
    \mathrm{mIoU} = \frac{1}{|K|}\sum_{c \in K} \mathrm{IoU}_c$$

    with $K$ the classes whose union is not empty. A class absent from both
    masks is 0/0 and is skipped rather than counted as 0 or 1.

    Examples
    --------
    >>> truth = [[0, 0, 1], [0, 1, 1]]
    >>> pred = [[0, 1, 1], [0, 1, 1]]
    >>> [round(v, 4) for v in mean_iou(truth, pred, average=None).tolist()]
    [0.6667, 0.75]
    >>> round(float(mean_iou(truth, pred)), 4)
    0.7083
    >>> float(mean_iou([[0, 255], [1, 1]], [[0, 0], [1, 1]], ignore_index=255))  # void pixel skipped
    1.0
    """
    check_choice("average", average, ("macro", "weighted", None))
    xp, y_true, y_pred = _label_pair(y_true, y_pred, flat=True)
    keep = None
    if ignore_index is not None:
        ignore_index = _integer("ignore_index", ignore_index, "an int")
        keep = y_true != ignore_index
        if not bool(xp.any(keep)):
            raise ValueError(f"every pixel of y_true is ignore_index={ignore_index}")
        # Check and count only the kept pixels: a void label of 255 is no class.
        zero = xp.zeros_like(y_true)
        kept = {"y_true": xp.where(keep, y_true, zero), "y_pred": xp.where(keep, y_pred, zero)}
        k = _n_classes(xp, n_classes, kept)
    else:
        k = _n_classes(xp, n_classes, {"y_true": y_true, "y_pred": y_pred})
    cm = _count_matrix(xp, y_true, y_pred, k, keep)
    tp, fp, _, fn = (xp.astype(c, xp.float64) for c in _per_class(xp, cm))
    union = tp + fp + fn
    absent = union == 0
    if ignore_index is not None and 0 <= ignore_index < k:
        absent = absent | (xp.arange(k, device=array_api_compat.device(tp)) == ignore_index)
    nan = xp.full_like(tp, math.nan)
    iou = xp.where(absent, nan, tp / xp.where(union == 0, xp.ones_like(union), union))
    return _average(xp, iou, tp + fn, average)

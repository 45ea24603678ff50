r"""Classification and segmentation metrics (slides 002; 000 part 6).

Labels are **integer class indices** (``0 .. n_classes - 1``; booleans count as
0/1, and floats are accepted only when every value is a whole number). Every
metric is built from one counting kernel, the confusion matrix, which is
counted without a Python loop over the samples.

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

Results are arrays of the input's namespace: 0-d for one number, 1-D per class;
ratios in the device's default floating dtype (float64 where the device has
it), counts in its default integer dtype.

Host-device syncs (with ``dlnotes.checks(False)``; with the checks on, one
more): none when the classes are known, that is with ``average="binary"``,
``labels=`` or ``n_classes=``. Otherwise the number of classes is read from
the data (the result's size depends on it): one sync. ``zero_division="warn"``
reads whether a 0/0 occurred, to decide whether to warn: one sync; ``0.0``,
``1.0`` and ``nan`` need none.
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


def _binary_rule(call):
    """average="binary": at most two classes in y_true and y_pred, pos_label one of them."""
    args, xp = call.args, call.xp
    if args["average"] != "binary" or not checks_enabled():
        return
    both = xp.sort(xp.concat([args["y_true"], args["y_pred"]]))
    changes = xp.count_nonzero(both[1:] != both[:-1])  # number of classes - 1
    call.require(
        changes <= 1,
        "average='binary' needs at most two classes in y_true and y_pred; "
        "choose average='micro', 'macro', 'weighted' or None",
    )
    call.require(
        (changes == 0) | xp.any(both == args["pos_label"]),
        f"pos_label={args['pos_label']} is not one of the two classes in y_true and y_pred",
    )


def _below_n_classes(call):
    """With n_classes given, every class index (labels and pos_label too) is below it."""
    args, xp = call.args, call.xp
    n = args["n_classes"]
    if n is None:
        return
    if args.get("pos_label") is not None and args["pos_label"] >= n:
        raise ValueError(f"pos_label={args['pos_label']} is not below n_classes={n}")
    for name in ("y_true", "y_pred", "labels"):
        if args.get(name) is not None:
            call.require(xp.all(args[name] < n), f"{name} holds a class index >= n_classes={n}")


def _kept_pixels(call):
    """mean_iou: the pixels kept (true label not ignore_index) hold classes 0 .. n_classes - 1."""
    args, xp = call.args, call.xp
    if not checks_enabled():
        return
    y_true, ignore, n = args["y_true"], args["ignore_index"], args["n_classes"]
    if ignore is None:
        kept = xp.ones(y_true.shape, dtype=xp.bool, device=call.device)
    else:
        kept = y_true != ignore
        call.require(xp.any(kept), f"every pixel of y_true is ignore_index={ignore}")
    for name in ("y_true", "y_pred"):
        call.require(xp.all((args[name] >= 0) | ~kept), f"{name} must hold class indices >= 0")
        if n is not None:
            call.require(
                xp.all((args[name] < n) | ~kept), f"{name} holds a class index >= n_classes={n}"
            )


# --------------------------------------------------------------------------
# The shared math: the confusion matrix, its one-vs-rest counts, 0/0, averages
# --------------------------------------------------------------------------


def _confusion(xp, y_true, y_pred, classes):
    """Counts of (true, predicted) pairs of 1-D labels over ``classes``, plus a last row
    and column for any other label: a ``(k + 1, k + 1)`` integer array, rows the true class.

    The standard has no ``bincount``: each sample gets the cell ``true * (k + 1) +
    pred``; after sorting, ``searchsorted`` finds where each cell's run starts, and
    the run lengths are the counts (O(n log n), no one-hot matrix).
    """
    k, device = classes.shape[0], array_api_compat.device(classes)
    order = xp.argsort(classes)
    ranked = xp.take(classes, order)

    def position(y):  # the index of each label in classes, k for any other label
        at = xp.minimum(xp.searchsorted(ranked, xp.astype(y, ranked.dtype)), k - 1)
        return xp.where(xp.take(ranked, at) == y, xp.take(order, at), k)

    cells = xp.sort(position(y_true) * (k + 1) + position(y_pred))
    starts = xp.searchsorted(cells, xp.arange((k + 1) ** 2 + 1, device=device))
    return xp.reshape(starts[1:] - starts[:-1], (k + 1, k + 1))


def _one_vs_rest(xp, y_true, y_pred, classes):
    """TP, FP, TN, FN of each class in ``classes``: the diagonal, the rest of its
    column, what is left, the rest of its row."""
    cm = _confusion(xp, y_true, y_pred, classes)
    tp = xp.linalg.diagonal(cm)[:-1]  # [:-1]: not the "other" bin
    fp, fn = xp.sum(cm, axis=0)[:-1] - tp, xp.sum(cm, axis=1)[:-1] - tp
    return tp, fp, xp.sum(cm) - tp - fp - fn, fn


def _scored(xp, y_true, y_pred, average, pos_label, labels):
    """TP, FP, TN, FN of the classes scored (added up over them for average="micro")."""
    y_true, y_pred = xp.asarray(y_true), xp.asarray(y_pred)
    if average == "binary":
        labels = xp.asarray([pos_label], device=array_api_compat.device(y_true))
    elif labels is None:  # the classes seen: how many depends on the data (a sync)
        labels = xp.unique_values(xp.concat([y_true, y_pred]))
    counts = _one_vs_rest(xp, y_true, y_pred, xp.asarray(labels))
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
    y_true=Ints(low=0, ndim=1),
    y_pred=Ints(low=0, ndim=1, like="y_true"),
    pos_label=Optional(Count(minimum=0)),
    n_classes=Optional(Count(minimum=1)),
    extra=_below_n_classes,
)
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
        in ``y_true`` and ``y_pred`` plus one (read from the data: one
        host-device sync, since the result's length depends on it).

    Returns
    -------
    ConfusionCounts
        Named tuple ``(tp, fp, tn, fn)`` of integer 0-d arrays, or of 1-D
        arrays of length ``n_classes`` for ``pos_label=None``.

    Raises
    ------
    TypeError
        If the labels are not numbers, or ``pos_label`` or ``n_classes`` is
        not an integer.
    ValueError
        If the inputs are not 1-D, differ in length, are empty, or hold NaN,
        negative or fractional labels or labels ``>= n_classes``, or
        ``pos_label`` or ``n_classes`` is out of range.

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

    Every class one-vs-rest:

    >>> confusion_counts([0, 1, 2, 2], [0, 2, 2, 1], pos_label=None).fp.tolist()
    [0, 1, 1]
    """
    xp = array_namespace(y_true, y_pred)
    y_true, y_pred = xp.asarray(y_true), xp.asarray(y_pred)
    device = array_api_compat.device(y_true)
    if pos_label is not None:
        counts = _one_vs_rest(xp, y_true, y_pred, xp.asarray([pos_label], device=device))
        return ConfusionCounts(*(xp.reshape(c, ()) for c in counts))
    if n_classes is None:  # the largest label + 1: read from the device (a sync)
        n_classes = int(xp.max(xp.concat([y_true, y_pred]))) + 1
    return ConfusionCounts(*_one_vs_rest(xp, y_true, y_pred, xp.arange(n_classes, device=device)))


@checked(
    y_true=Ints(low=0, ndim=1),
    y_pred=Ints(low=0, ndim=1, like="y_true"),
    n_classes=Optional(Count(minimum=1)),
    labels=Optional(Ints(low=0, ndim=1)),
    extra=_below_n_classes,
)
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
        Size of the matrix; default: the largest index in the data plus one
        (read from the data: one host-device sync, since the matrix's size
        depends on it). Row and column $i$ are class $i$, even for a class
        that never occurs (scikit-learn drops such classes unless you pass its
        ``labels``).
    labels : sequence of int, optional
        Keep only these classes, in this order (samples whose true or predicted
        class is not listed are left out, as in scikit-learn).

    Returns
    -------
    array
        Integer array of shape ``(n_classes, n_classes)`` or
        ``(len(labels), len(labels))``, in the input's namespace.

    Raises
    ------
    TypeError
        If the labels are not numbers or ``n_classes`` is not an integer.
    ValueError
        For bad labels (as in `confusion_counts`) or a class index
        ``>= n_classes``.

    Notes
    -----
    $$C_{ij} = \#\{t_s = i,\ \hat y_s = j\}$$

    For a binary problem the matrix is $\begin{pmatrix} TN & FP \\ FN & TP
    \end{pmatrix}$. The standard has no ``bincount``: every sample gets one
    cell index, and sorting and ``searchsorted`` count the cells.

    Examples
    --------
    >>> confusion_matrix([1, 0, 1, 1, 0, 1, 0], [1, 0, 0, 0, 1, 0, 1]).tolist()
    [[1, 2], [3, 1]]

    A class that never occurs, and a choice of classes:

    >>> confusion_matrix([0, 2, 2], [0, 2, 1], n_classes=4).tolist()
    [[1, 0, 0, 0], [0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
    >>> confusion_matrix([0, 2, 2], [0, 2, 1], labels=[2, 0]).tolist()
    [[1, 0], [0, 1]]
    """
    xp = array_namespace(y_true, y_pred)
    y_true, y_pred = xp.asarray(y_true), xp.asarray(y_pred)
    if labels is None:
        if n_classes is None:  # the largest label + 1: read from the device (a sync)
            n_classes = int(xp.max(xp.concat([y_true, y_pred]))) + 1
        labels = xp.arange(n_classes, device=array_api_compat.device(y_true))
    return _confusion(xp, y_true, y_pred, xp.asarray(labels))[:-1, :-1]  # drop "other"


@checked(y_true=Ints(low=0, ndim=1), y_pred=Ints(low=0, ndim=1, like="y_true"))
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
        0-d array in $[0, 1]$ (float64 where the device has it).

    Raises
    ------
    TypeError
        If the labels are not numbers.
    ValueError
        For bad labels (as in `confusion_counts`).

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
    mean = xp.mean(xp.astype(correct, default_float(xp, array_api_compat.device(correct))))
    return xp.asarray(mean)  # NumPy would give a scalar


@checked(
    y_true=Ints(low=0, ndim=1),
    y_pred=Ints(low=0, ndim=1, like="y_true"),
    average=Choice(*AVERAGES),
    pos_label=Count(minimum=0),
    labels=Optional(Ints(low=0, ndim=1)),
    zero_division=ZeroDivision(),
    extra=_binary_rule,
)
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
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn);
        finding them reads the data (one host-device sync).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        `UndefinedMetricWarning`; deciding whether to warn reads the data
        (one host-device sync). The others are silent and need no sync. NaN
        scores are left out of the macro and weighted means.

    Returns
    -------
    array
        0-d array (float64 where the device has it), or 1-D (one score per
        class) for ``average=None``.

    Raises
    ------
    TypeError
        If the labels are not numbers, ``pos_label`` is not an integer, or an
        option has the wrong type (a bool, a string for ``zero_division``).
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
    tp, fp, _, fn = _scored(xp, y_true, y_pred, average, pos_label, labels)
    value = _divide(xp, tp, tp + fp, zero_division, "precision is 0/0 (TP + FP = 0)")
    return _average(xp, value, tp + fn, average)


@checked(
    y_true=Ints(low=0, ndim=1),
    y_pred=Ints(low=0, ndim=1, like="y_true"),
    average=Choice(*AVERAGES),
    pos_label=Count(minimum=0),
    labels=Optional(Ints(low=0, ndim=1)),
    zero_division=ZeroDivision(),
    extra=_binary_rule,
)
def recall(y_true, y_pred, *, average="binary", pos_label=1, labels=None, zero_division="warn"):
    r"""Recall: the fraction of the truly positive samples that are found.

    Slide formula: M4, M7.

    Sensitivity (`sensitivity`) is the same quantity under its medical name.

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
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn);
        finding them reads the data (one host-device sync).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        `UndefinedMetricWarning`; deciding whether to warn reads the data
        (one host-device sync). The others are silent and need no sync. NaN
        scores are left out of the macro and weighted means.

    Returns
    -------
    array
        0-d array (float64 where the device has it), or 1-D (one score per
        class) for ``average=None``.

    Raises
    ------
    TypeError
        If the labels are not numbers, ``pos_label`` is not an integer, or an
        option has the wrong type (a bool, a string for ``zero_division``).
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
    tp, _, _, fn = _scored(xp, y_true, y_pred, average, pos_label, labels)
    value = _divide(xp, tp, tp + fn, zero_division, "recall is 0/0 (TP + FN = 0)")
    return _average(xp, value, tp + fn, average)


@checked(
    y_true=Ints(low=0, ndim=1),
    y_pred=Ints(low=0, ndim=1, like="y_true"),
    average=Choice(*AVERAGES),
    pos_label=Count(minimum=0),
    labels=Optional(Ints(low=0, ndim=1)),
    zero_division=ZeroDivision(),
    extra=_binary_rule,
)
def sensitivity(
    y_true, y_pred, *, average="binary", pos_label=1, labels=None, zero_division="warn"
):
    r"""Sensitivity, the true-positive rate: the same as recall.

    Slide formula: M4, M7.

    Same formula, same result as `recall`; the slides use both names.

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
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn);
        finding them reads the data (one host-device sync).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        `UndefinedMetricWarning`; deciding whether to warn reads the data
        (one host-device sync). The others are silent and need no sync. NaN
        scores are left out of the macro and weighted means.

    Returns
    -------
    array
        0-d array (float64 where the device has it), or 1-D (one score per
        class) for ``average=None``.

    Raises
    ------
    TypeError
        If the labels are not numbers, ``pos_label`` is not an integer, or an
        option has the wrong type (a bool, a string for ``zero_division``).
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
    tp, _, _, fn = _scored(xp, y_true, y_pred, average, pos_label, labels)
    value = _divide(xp, tp, tp + fn, zero_division, "sensitivity is 0/0 (TP + FN = 0)")
    return _average(xp, value, tp + fn, average)


@checked(
    y_true=Ints(low=0, ndim=1),
    y_pred=Ints(low=0, ndim=1, like="y_true"),
    average=Choice(*AVERAGES),
    pos_label=Count(minimum=0),
    labels=Optional(Ints(low=0, ndim=1)),
    zero_division=ZeroDivision(),
    extra=_binary_rule,
)
def specificity(
    y_true, y_pred, *, average="binary", pos_label=1, labels=None, zero_division="warn"
):
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
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn);
        finding them reads the data (one host-device sync).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        `UndefinedMetricWarning`; deciding whether to warn reads the data
        (one host-device sync). The others are silent and need no sync. NaN
        scores are left out of the macro and weighted means.

    Returns
    -------
    array
        0-d array (float64 where the device has it), or 1-D (one score per
        class) for ``average=None``.

    Raises
    ------
    TypeError
        If the labels are not numbers, ``pos_label`` is not an integer, or an
        option has the wrong type (a bool, a string for ``zero_division``).
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
    tp, fp, tn, fn = _scored(xp, y_true, y_pred, average, pos_label, labels)
    value = _divide(xp, tn, tn + fp, zero_division, "specificity is 0/0 (TN + FP = 0)")
    return _average(xp, value, tp + fn, average)


@checked(
    y_true=Ints(low=0, ndim=1),
    y_pred=Ints(low=0, ndim=1, like="y_true"),
    average=Choice(*AVERAGES),
    pos_label=Count(minimum=0),
    labels=Optional(Ints(low=0, ndim=1)),
    zero_division=ZeroDivision(),
    extra=_binary_rule,
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
        ``y_true`` or ``y_pred``, in increasing order (as in scikit-learn);
        finding them reads the data (one host-device sync).
    zero_division : {"warn", 0.0, 1.0, nan}, default="warn"
        Value of a 0/0 score. ``"warn"`` gives 0.0 and an
        `UndefinedMetricWarning`; deciding whether to warn reads the data
        (one host-device sync). The others are silent and need no sync. NaN
        scores are left out of the macro and weighted means.

    Returns
    -------
    array
        0-d array (float64 where the device has it), or 1-D (one score per
        class) for ``average=None``.

    Raises
    ------
    TypeError
        If the labels are not numbers, ``pos_label`` is not an integer, or an
        option has the wrong type (a bool, a string for ``zero_division``).
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
    tp, fp, _, fn = _scored(xp, y_true, y_pred, average, pos_label, labels)
    value = _divide(xp, 2 * tp, 2 * tp + fp + fn, zero_division, "F1 is 0/0 (2TP + FP + FN = 0)")
    return _average(xp, value, tp + fn, average)


@checked(
    y_true=Ints(),
    y_pred=Ints(like="y_true"),
    n_classes=Optional(Count(minimum=1)),
    ignore_index=Optional(Count(minimum=-(2**63))),  # any int64 label, e.g. 255 or -100
    average=Choice("macro", "weighted", None),
    extra=_kept_pixels,
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
        one, read from the data (one host-device sync).
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
        0-d array (float64 where the device has it), or 1-D of length
        ``n_classes`` for ``average=None``.

    Raises
    ------
    TypeError
        If the labels are not numbers, or ``n_classes`` or ``ignore_index``
        is not an integer.
    ValueError
        If the shapes differ, an input is empty, a kept label is NaN,
        fractional, negative or ``>= n_classes``, or every pixel is ignored.

    Notes
    -----
    From the confusion matrix over the pixels,

    $$\mathrm{IoU}_c = \frac{|T_c \cap P_c|}{|T_c \cup P_c|}
    = \frac{TP_c}{TP_c + FP_c + FN_c}, \qquad
    \mathrm{mIoU} = \frac{1}{|K|}\sum_{c \in K} \mathrm{IoU}_c$$

    with $K$ the classes whose union is not empty. A class absent from both
    masks is 0/0 and is skipped rather than counted as 0 or 1. With
    ``n_classes`` given there is no host-device sync (checks off).

    Examples
    --------
    >>> truth = [[0, 0, 1], [0, 1, 1]]
    >>> pred = [[0, 1, 1], [0, 1, 1]]
    >>> [round(v, 4) for v in mean_iou(truth, pred, average=None).tolist()]
    [0.6667, 0.75]
    >>> round(float(mean_iou(truth, pred)), 4)
    0.7083

    A void pixel is skipped:

    >>> float(mean_iou([[0, 255], [1, 1]], [[0, 0], [1, 1]], ignore_index=255))
    1.0
    """
    xp = array_namespace(y_true, y_pred)
    y_true, y_pred = xp.reshape(xp.asarray(y_true), (-1,)), xp.reshape(xp.asarray(y_pred), (-1,))
    void = xp.zeros_like(y_true, dtype=xp.bool) if ignore_index is None else y_true == ignore_index
    if n_classes is None:  # the largest kept label + 1: read from the device (a sync)
        n_classes = int(xp.max(xp.where(void, 0, xp.maximum(y_true, y_pred)))) + 1
    classes = xp.arange(n_classes, device=array_api_compat.device(y_true))
    # A void pixel becomes "void predicted as void": in no class's TP, FP or FN
    # (when ignore_index is a class, that class is dropped below).
    tp, fp, _, fn = _one_vs_rest(xp, y_true, xp.where(void, y_true, y_pred), classes)
    iou = _divide(xp, tp, tp + fp + fn, math.nan, "IoU")
    if ignore_index is not None:  # an ignored class leaves the mean
        iou = xp.where(classes == ignore_index, xp.nan, iou)
    return _average(xp, iou, tp + fn, average)

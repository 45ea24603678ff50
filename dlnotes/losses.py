r"""Loss functions of the slides (000/001 part 2, 004) and their gradients.

Every loss takes ``y_true`` first, then ``y_pred`` (or ``logits``), and a
keyword-only ``reduction``: ``"mean"`` (the default), ``"sum"`` or ``"none"``.
Losses that are defined per sample over a vector (cross-entropy over classes,
distances over coordinates) first combine that vector along ``axis`` and then
apply ``reduction`` to the per-sample values, so ``"mean"`` averages over the
samples (and pixels), never over the classes. Each docstring says what is
summed and what is averaged.

A ``*_grad`` function returns the analytic gradient of its loss, with the same
reduction, with respect to ``y_pred`` (or ``logits``); for ``reduction="none"``
it is the gradient of the sum of the returned values, i.e. what
``loss.backward(ones)`` would give.
"""

from __future__ import annotations

import math

import numpy as np
from array_api_compat import device, is_cupy_array, is_numpy_array, is_torch_array

from dlnotes._checks import (
    REDUCTIONS,
    Axis,
    Choice,
    Flag,
    Floats,
    Optional,
    Real,
    checked,
    reduce,
)
from dlnotes.activations import log_sigmoid, sigmoid
from dlnotes.backend import float_arrays

__all__ = [
    "absolute_margin",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "categorical_cross_entropy",
    "chebyshev",
    "classification_error",
    "exponential",
    "focal_loss",
    "gan_discriminator_loss",
    "gan_generator_loss",
    "gan_generator_loss_grad",
    "hamming",
    "hinge",
    "kl_divergence",
    "mae",
    "mae_grad",
    "minkowski",
    "mse",
    "mse_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_and_grad",
    "softmax_cross_entropy_grad",
    "squared_hinge",
]

GAN_MODES = ("minimax", "non_saturating")

# Options shared by many losses (specs of `checked`).
_REDUCTION = Choice(*REDUCTIONS)
_EPS = Real(0, 0.5, open="both")


# --------------------------------------------------------------------------
# Rules that tie arguments together (`checked`'s ``extra``; no snippet carries them)
# --------------------------------------------------------------------------


def _class_targets(call):
    """``y_true``: distributions with the scores' shape, or class indices without ``axis``."""
    scores_name = "logits" if "logits" in call.args else "y_pred"
    y, scores, axis, xp = call.args["y_true"], call.args[scores_name], call.args["axis"], call.xp
    shape = tuple(scores.shape)
    if tuple(y.shape) == shape:
        call.require(xp.all((y >= 0) & (y <= 1)), "y_true must hold probabilities in [0, 1]")
        return
    axis %= len(shape)
    classes, without = shape[axis], shape[:axis] + shape[axis + 1 :]
    if tuple(y.shape) != without:
        raise ValueError(
            f"y_true must have the shape of {scores_name} {shape} (probabilities) or "
            f"that shape without axis {axis}, {without} (class indices); got {tuple(y.shape)}"
        )
    call.require(
        xp.all((y >= 0) & (y < classes) & (y == xp.floor(y))),
        f"y_true must hold integer class indices in [0, {classes}) (no NaN)",
    )


def _signs(call):
    """Margin losses: labels -1 or +1."""
    y = call.args["y_true"]
    call.require(
        call.xp.all((y == 1) | (y == -1)),
        "y_true must hold labels -1 or +1 (map 0/1 labels with 2*y - 1)",
    )


def _binary(call):
    """Hamming: both inputs hold 0 and 1 only."""
    for name in ("y_true", "y_pred"):
        v = call.args[name]
        call.require(call.xp.all((v == 0) | (v == 1)), f"{name} must be binary (0 or 1)")


def _discriminator_outputs(call):
    """GAN losses: probabilities in [0, 1] unless ``from_logits``; pairs for "none"."""
    args, xp = call.args, call.xp
    names = [n for n in ("d_real", "d_fake") if n in args]
    if len(names) == 2 and args["reduction"] == "none":
        real, fake = tuple(args["d_real"].shape), tuple(args["d_fake"].shape)
        if real != fake:
            raise ValueError(
                f"d_real and d_fake must have the same shape for reduction='none' "
                f"(per-pair losses), got {real} and {fake}"
            )
    if not args["from_logits"]:
        for name in names:
            d = args[name]
            call.require(
                xp.all((d >= 0) & (d <= 1)), f"{name} must hold probabilities in [0, 1] (no NaN)"
            )


def _fits(*names, power=1):
    r"""The loss sums ``power``-th powers of these inputs: bound them so that no sum overflows.

    Each value must be at most $(\max / 8n)^{1/\text{power}}$ in magnitude, $\max$ the
    dtype's largest number and $n$ the input's size: then differences, powers and their
    sums over every element stay finite (float64, two values: 1.1e307 for power 1,
    3.4e153 for squares). A larger input raises ``ValueError`` naming it, instead of
    an overflow warning or an ``inf`` loss.
    """

    def rule(call):
        if not call.enabled:  # the bound costs a pass over the data
            return
        for name in names:
            v, xp = call.args[name], call.xp
            n = max(math.prod(v.shape), 1)
            bound = (float(xp.finfo(v.dtype).max) / (8 * n)) ** (1 / power)
            call.require(  # max and min: two passes, no full-size temporary
                (xp.max(v) <= bound) & (xp.min(v) >= -bound),
                f"{name} must be at most {bound:.3g} in magnitude here ({n} values of "
                f"{xp.finfo(v.dtype).dtype}); larger values overflow the loss",
            )

    return rule


def _finite_and_fits(name):
    r"""``name`` is finite and within `_fits`' bound (power 1), tested by one dot product.

    Replaces ``Floats``' finite sum and `_fits`' max and min (three passes
    over the data) by $q = \sum v^2$, a dot product of the input with itself:
    one pass, no temporary. Each rounded square is at most $q$, so
    $q \le \ell^2$ bounds every $\lvert v\rvert$ by about $\ell$, taken a
    little below the bound and below $\sqrt{\max}$ (its square is finite).
    Only where that fails (a NaN or an infinity makes $q$ NaN or infinite;
    values too large to square overflow it) do the element-wise tests decide
    which message applies, the messages of ``Floats`` and `_fits`.
    """

    def rule(call):
        if not call.enabled:  # a pass over the data: not even computed with checks off
            return
        v, xp = call.args[name], call.xp
        largest, eps = float(xp.finfo(v.dtype).max), float(xp.finfo(v.dtype).eps)
        n = max(math.prod(v.shape), 1)
        bound = largest / (8 * n)
        limit = min(bound, math.sqrt(largest) / 2) * (1 - 4 * eps)
        with np.errstate(over="ignore", invalid="ignore"):  # squares past max: the exact tests
            quick = xp.tensordot(v, v, axes=v.ndim) <= limit * limit
        call.require(
            quick,
            f"{name} must be finite, got NaN or infinity",
            exact=lambda: xp.all(xp.isfinite(v)),
        )
        call.require(
            quick,
            f"{name} must be at most {bound:.3g} in magnitude here ({n} values of "
            f"{xp.finfo(v.dtype).dtype}); larger values overflow the loss",
            exact=lambda: (xp.max(v) <= bound) & (xp.min(v) >= -bound),
        )

    return rule


def _all(*rules):
    """Several ``extra`` rules, in order."""

    def rule(call):
        for r in rules:
            r(call)

    return rule


# --------------------------------------------------------------------------
# Shared pieces of math (a snippet inlines them)
# --------------------------------------------------------------------------


def _averaged(x, axis, reduction):
    """How many terms "mean" averages (every element, or every sample with ``axis``); else 1."""
    samples = math.prod(x.shape) // (1 if axis is None else x.shape[axis])
    return samples if reduction == "mean" else 1


def _clip(xp, p, eps):
    """``p`` clipped to [eps, 1 - eps], eps raised to the dtype's machine epsilon (1 - eps < 1)."""
    eps = max(eps, float(xp.finfo(p.dtype).eps))
    return xp.minimum(xp.maximum(p, eps), 1 - eps)


def _class_ids(xp, z, axis):
    """0, 1, ..., C-1 along ``axis`` (length 1 elsewhere) in ``z``'s dtype: one-hot by ``==``."""
    shape = [1] * z.ndim
    shape[axis] = z.shape[axis]
    return xp.reshape(xp.arange(z.shape[axis], dtype=z.dtype, device=device(z)), tuple(shape))


def _minus_at_targets(xp, p, t, axis, value):
    """``p`` minus ``value`` at each position's target class ``t``: ``p - value * one_hot(t)``.

    ``p`` is an array the caller made, so it is written in place where the
    backend assigns through integer-array indices (NumPy, PyTorch, CuPy): no
    one-hot mask, no second full-size array. Elsewhere (array-api-strict, JAX)
    the one-hot comparison and ``where`` give the same numbers.
    """
    if not (is_numpy_array(p) or is_torch_array(p) or is_cupy_array(p)):
        return xp.where(_class_ids(xp, p, axis) == xp.astype(t, p.dtype), p - value, p)
    index = []  # the target's position: aranges along the other axes, t along the class axis
    for d, size in enumerate(p.shape):
        shape = [1] * p.ndim
        shape[d] = size
        index.append(
            t if d == axis % p.ndim else xp.reshape(xp.arange(size, device=device(p)), tuple(shape))
        )
    p[tuple(index)] -= value
    return p


def _largest_exp_argument(xp, dtype):
    """The largest number $t$ of ``dtype`` whose $e^t$ is finite, found in Python (no device read).

    ``log(max)`` is rounded down to the dtype's spacing near it: float32 would
    round 88.7228391 up to 88.7228394, whose exp overflows.
    """
    info = xp.finfo(dtype)
    bound = math.log(float(info.max))
    step = 2.0 ** math.floor(math.log2(bound)) * float(info.eps)
    return math.floor(bound / step) * step


# --------------------------------------------------------------------------
# Regression losses (L1, L2, N3)
# --------------------------------------------------------------------------


@checked(
    y_true=Floats(),
    y_pred=Floats(like="y_true"),
    reduction=_REDUCTION,
    axis=Axis(of="y_pred", allow_none=True),
    extra=_fits("y_true", "y_pred"),
)
def mae(y_true, y_pred, *, reduction="mean", axis=None):
    r"""Mean absolute error (L1 loss).

    Slide formula: L1.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, ...)
        Targets.
    y_pred : array-like of the same shape
        Predictions.
    reduction : {"mean", "sum", "none"}, default="mean"
        With ``axis=None``: "mean" averages over every element, "sum" adds
        them, "none" returns the element-wise losses. With an ``axis``, these
        apply to the per-sample sums.
    axis : int or None, default=None
        If given, the absolute errors are first **summed** along this axis
        (e.g. the class axis), giving one loss per sample.

    Returns
    -------
    loss : array
        0-d array (or the per-element / per-sample losses for
        ``reduction="none"``) of the input's namespace and floating dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``axis`` is not an int or
        ``reduction`` is not a string.
    ValueError
        If the shapes differ, an input is empty or not finite, ``axis`` is out
        of range or ``reduction`` is unknown.

    Notes
    -----
    $$L = \frac{1}{n}\sum_{i=1}^n \lvert \tilde y_i - \hat y_i \rvert$$

    Examples
    --------
    >>> float(mae([10.0], [14.0]))
    4.0
    >>> float(mae([[1.0, 0.0]], [[0.5, 0.5]], axis=-1))
    1.0
    """
    xp, y_true, y_pred = float_arrays(y_true, y_pred)
    errors = xp.abs(y_true - y_pred)
    if axis is not None:  # one loss per sample: the sum over its coordinates
        errors = xp.sum(errors, axis=axis)
    return reduce(xp, errors, reduction)


@checked(
    y_true=Floats(),
    y_pred=Floats(like="y_true"),
    reduction=_REDUCTION,
    axis=Axis(of="y_pred", allow_none=True),
    extra=_fits("y_true", "y_pred"),
)
def mae_grad(y_true, y_pred, *, reduction="mean", axis=None):
    r"""Gradient of `mae` with respect to ``y_pred``.

    Slide formula: L1.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, ...)
        Targets.
    y_pred : array-like of the same shape
        Predictions.
    reduction : {"mean", "sum", "none"}, default="mean"
        The reduction of the loss being differentiated.
    axis : int or None, default=None
        The per-sample summation axis of the loss (see `mae`).

    Returns
    -------
    grad : array
        Same shape and dtype as ``y_pred``: $\operatorname{sign}(\hat y -
        \tilde y)$, divided by the number of averaged terms for "mean".

    Raises
    ------
    TypeError
        As `mae`.
    ValueError
        As `mae`.

    Notes
    -----
    $$\frac{\partial L}{\partial \hat y_i} = \frac{1}{n}\operatorname{sign}(\hat y_i - \tilde y_i)$$

    At $\hat y_i = \tilde y_i$ the loss has a kink; the subgradient 0 is
    returned there (as PyTorch does).

    Examples
    --------
    >>> mae_grad([10.0, 10.0], [14.0, 8.0]).tolist()
    [0.5, -0.5]
    """
    xp, y_true, y_pred = float_arrays(y_true, y_pred)
    d = y_pred - y_true
    sign = xp.astype(d > 0, d.dtype) - xp.astype(d < 0, d.dtype)  # xp.sign syncs on torch
    return sign / _averaged(y_pred, axis, reduction)


@checked(
    y_true=Floats(),
    y_pred=Floats(like="y_true"),
    reduction=_REDUCTION,
    axis=Axis(of="y_pred", allow_none=True),
    extra=_fits("y_true", "y_pred", power=2),
)
def mse(y_true, y_pred, *, reduction="mean", axis=None):
    r"""Mean squared error (L2 loss), the loss of the 14 → 10.16 example.

    Slide formula: L2, N3.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, ...)
        Targets $\tilde y$.
    y_pred : array-like of the same shape
        Predictions $\hat y$.
    reduction : {"mean", "sum", "none"}, default="mean"
        With ``axis=None``: "mean" averages over every element, "sum" adds
        them, "none" returns the element-wise squared errors. With an
        ``axis``, these apply to the per-sample sums.
    axis : int or None, default=None
        If given, the squared errors are first **summed** along this axis (the
        class axis), giving one loss per sample; "mean" then averages over the
        samples. This is how the NN1/NN2 table (001) gets 0.25 and 0.71.

    Returns
    -------
    loss : array
        0-d array (or the per-element / per-sample losses for
        ``reduction="none"``) of the input's namespace and floating dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``axis`` is not an int or
        ``reduction`` is not a string.
    ValueError
        If the shapes differ, an input is empty or not finite, ``axis`` is out
        of range or ``reduction`` is unknown.

    Notes
    -----
    $$L = \frac{1}{n}\sum_{i=1}^n (\tilde y_i - \hat y_i)^2,
    \qquad L_{\text{axis}} = \frac{1}{n}\sum_{i=1}^n\sum_c (\tilde y_{ic} - \hat y_{ic})^2$$

    Examples
    --------
    Target 10, prediction 14 (004):

    >>> float(mse([10.0], [14.0]))
    16.0

    NN1 of the table, squared errors summed over the two classes and averaged
    over the three rows:

    >>> y = [[1, 0], [0, 1], [1, 0]]
    >>> round(float(mse(y, [[0.9, 0.1], [0.1, 0.9], [0.4, 0.6]], axis=-1)), 2)
    0.25
    """
    xp, y_true, y_pred = float_arrays(y_true, y_pred)
    squared = (y_true - y_pred) ** 2
    if axis is not None:  # one loss per sample: the sum over its classes
        squared = xp.sum(squared, axis=axis)
    return reduce(xp, squared, reduction)


@checked(
    y_true=Floats(),
    y_pred=Floats(like="y_true"),
    reduction=_REDUCTION,
    axis=Axis(of="y_pred", allow_none=True),
    extra=_fits("y_true", "y_pred", power=2),
)
def mse_grad(y_true, y_pred, *, reduction="mean", axis=None):
    r"""Gradient of `mse` with respect to ``y_pred``.

    Slide formula: L2, N3.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, ...)
        Targets.
    y_pred : array-like of the same shape
        Predictions.
    reduction : {"mean", "sum", "none"}, default="mean"
        The reduction of the loss being differentiated.
    axis : int or None, default=None
        The per-sample summation axis of the loss (see `mse`).

    Returns
    -------
    grad : array
        Same shape and dtype as ``y_pred``.

    Raises
    ------
    TypeError
        As `mse`.
    ValueError
        As `mse`.

    Notes
    -----
    $$\frac{\partial L}{\partial \hat y_i} = -\frac{2}{n}(\tilde y_i - \hat y_i)$$

    with $n$ the number of averaged terms (1 for "sum" and "none").

    Examples
    --------
    The slide's $\partial L/\partial\hat y = -2(10 - 14) = 8$:

    >>> mse_grad([10.0], [14.0]).tolist()
    [8.0]
    """
    _, y_true, y_pred = float_arrays(y_true, y_pred)
    return 2 * (y_pred - y_true) / _averaged(y_pred, axis, reduction)


# --------------------------------------------------------------------------
# Cross-entropies (L3, L4, C7) and classification error (L5)
# --------------------------------------------------------------------------


@checked(
    y_true=Floats(low=0, high=1),
    y_pred=Floats(low=0, high=1, like="y_true"),
    reduction=_REDUCTION,
    eps=_EPS,
)
def binary_cross_entropy(y_true, y_pred, *, reduction="mean", eps=1e-7):
    r"""Binary cross-entropy on probabilities.

    Slide formula: L3.

    Parameters
    ----------
    y_true : array-like
        Targets in [0, 1] (0/1 labels or soft labels).
    y_pred : array-like of the same shape
        Predicted probabilities $p$ in [0, 1].
    reduction : {"mean", "sum", "none"}, default="mean"
        "mean" averages the element-wise losses over every element, "sum"
        adds them, "none" returns them.
    eps : float, default=1e-7
        In (0, 0.5). ``y_pred`` is clipped to $[\epsilon, 1-\epsilon]$ before
        the logarithms, so $p = 0$ and $p = 1$ give finite losses (at most
        $-\log\epsilon \approx 16.1$). $\epsilon$ is raised to the dtype's
        machine epsilon (1.19e-7 for float32) if smaller, so that
        $1-\epsilon < 1$.

    Returns
    -------
    loss : array
        0-d array (or element-wise losses) of the input's namespace and dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``eps`` is not a number or
        ``reduction`` is not a string.
    ValueError
        If the shapes differ, an input is empty, a value is outside [0, 1]
        (NaN included), ``eps`` is not in (0, 0.5) or ``reduction`` is
        unknown.

    Notes
    -----
    $$L = -\frac{1}{n}\sum_{i}\bigl(y_i\log p_i + (1-y_i)\log(1-p_i)\bigr)$$

    PyTorch's ``binary_cross_entropy`` bounds each logarithm at $-100$
    instead; the two agree wherever $\epsilon \le p \le 1-\epsilon$. To train,
    prefer `binary_cross_entropy_with_logits`, which needs no clipping.

    Examples
    --------
    >>> round(float(binary_cross_entropy([1.0, 0.0], [0.9, 0.2])), 4)
    0.1643
    >>> round(float(binary_cross_entropy([1.0], [0.0])), 2)
    16.12
    """
    xp, y, p = float_arrays(y_true, y_pred)
    p = _clip(xp, p, eps)
    return reduce(xp, -(y * xp.log(p) + (1 - y) * xp.log(1 - p)), reduction)


@checked(
    y_true=Floats(low=0, high=1),
    y_pred=Floats(low=0, high=1, like="y_true"),
    reduction=_REDUCTION,
    eps=_EPS,
)
def binary_cross_entropy_grad(y_true, y_pred, *, reduction="mean", eps=1e-7):
    r"""Gradient of `binary_cross_entropy` with respect to ``y_pred``.

    Slide formula: L3.

    Parameters
    ----------
    y_true : array-like
        Targets in [0, 1].
    y_pred : array-like of the same shape
        Predicted probabilities in [0, 1].
    reduction : {"mean", "sum", "none"}, default="mean"
        The reduction of the loss being differentiated.
    eps : float, default=1e-7
        The clipping bound of the loss (see `binary_cross_entropy`).

    Returns
    -------
    grad : array
        Same shape and dtype as ``y_pred``.

    Raises
    ------
    TypeError
        As `binary_cross_entropy`.
    ValueError
        As `binary_cross_entropy`.

    Notes
    -----
    $$\frac{\partial L}{\partial p_i} = \frac{1}{n}\,\frac{p_i - y_i}{p_i(1-p_i)}$$

    evaluated at the clipped $p_i$. Outside $[\epsilon, 1-\epsilon]$ the
    clipped loss is flat, but a zero gradient there would stop learning at
    the worst predictions, so the formula's value at the clip bound is
    returned (bounded by $1/\epsilon$; PyTorch likewise keeps a non-zero
    gradient by bounding the denominator).

    Examples
    --------
    >>> [round(g, 4) for g in binary_cross_entropy_grad([1.0, 0.0], [0.8, 0.2]).tolist()]
    [-0.625, 0.625]
    """
    xp, y, p = float_arrays(y_true, y_pred)
    p = _clip(xp, p, eps)
    return (p - y) / (p * (1 - p)) / _averaged(p, None, reduction)


@checked(
    y_true=Floats(low=0, high=1),
    logits=Floats(finite=False, like="y_true"),  # finite: tested with the bound, by one pass
    reduction=_REDUCTION,
    extra=_finite_and_fits("logits"),
)
def binary_cross_entropy_with_logits(y_true, logits, *, reduction="mean"):
    r"""Binary cross-entropy from logits, stable for any finite logit.

    Slide formula: L3.

    Parameters
    ----------
    y_true : array-like
        Targets in [0, 1].
    logits : array-like of the same shape
        Pre-sigmoid scores $x$, with $p = \sigma(x)$.
    reduction : {"mean", "sum", "none"}, default="mean"
        "mean" averages the element-wise losses over every element, "sum"
        adds them, "none" returns them.

    Returns
    -------
    loss : array
        0-d array (or element-wise losses) of the input's namespace and dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or ``reduction`` is not a
        string.
    ValueError
        If the shapes differ, an input is empty, ``logits`` is not finite,
        ``y_true`` is outside [0, 1] or ``reduction`` is unknown.

    Notes
    -----
    $$L = -\frac{1}{n}\sum_i\bigl(y_i\log\sigma(x_i) + (1-y_i)\log\sigma(-x_i)\bigr)$$

    using $1-\sigma(x) = \sigma(-x)$. With
    $-\log\sigma(x) = \max(-x, 0) + \log(1 + e^{-\lvert x\rvert})$ and
    $\log\sigma(-x) = \log\sigma(x) - x$ the two terms share one logarithm:

    $$-y\log\sigma(x) - (1-y)\log\sigma(-x)
    = \max(x, 0) - x\,y + \log\bigl(1 + e^{-\lvert x\rvert}\bigr)$$

    which is the form computed (one ``exp``, one ``log1p``, as PyTorch does):
    $e^{-\lvert x\rvert} \le 1$ never overflows, so logits of $\pm 1000$ give
    exact, finite losses without clipping. The body adds the log term into the
    array it made and negates $\lvert x\rvert$ in place: the same numbers with
    two full-size temporaries fewer.

    Examples
    --------
    >>> binary_cross_entropy_with_logits([1.0, 0.0], [1000.0, 1000.0], reduction="none").tolist()
    [0.0, 1000.0]
    """
    xp, y, x = float_arrays(y_true, logits)
    # -y log sigmoid(x) - (1 - y) log sigmoid(-x), with one log (Notes)
    loss = xp.maximum(x, 0.0) - x * y  # a new array, in the dtype of x and y together
    e = xp.abs(x)
    e *= -1.0  # -|x|: in place, like loss below, since both arrays are ours (Notes)
    loss += xp.log1p(xp.exp(e))
    return reduce(xp, loss, reduction)


@checked(
    y_true=Floats(low=0, high=1),
    logits=Floats(like="y_true"),
    reduction=_REDUCTION,
)
def binary_cross_entropy_with_logits_grad(y_true, logits, *, reduction="mean"):
    r"""Gradient of `binary_cross_entropy_with_logits` with respect to ``logits``.

    Slide formula: L3.

    Parameters
    ----------
    y_true : array-like
        Targets in [0, 1].
    logits : array-like of the same shape
        Pre-sigmoid scores.
    reduction : {"mean", "sum", "none"}, default="mean"
        The reduction of the loss being differentiated.

    Returns
    -------
    grad : array
        $(\sigma(x) - y)/n$ for "mean" ($\sigma(x) - y$ otherwise); same shape
        and dtype as ``logits``.

    Raises
    ------
    TypeError
        As `binary_cross_entropy_with_logits`.
    ValueError
        As `binary_cross_entropy_with_logits`.

    Notes
    -----
    $$\frac{\partial}{\partial x}\Bigl(-y\log\sigma(x) - (1-y)\log\sigma(-x)\Bigr)
    = -y\,\sigma(-x) + (1-y)\,\sigma(x) = \sigma(x) - y$$

    with $\sigma(x) = e^{\min(x, 0)} / (1 + e^{-\lvert x\rvert})$, both
    exponentials at most 1 (no overflow at $\pm 1000$): the same numbers as
    `sigmoid`'s ``where`` of its two forms, without the ``where`` (a slow,
    branching pass on CPU tensors) and updating its own arrays in place.

    Examples
    --------
    >>> binary_cross_entropy_with_logits_grad([1.0, 0.0], [0.0, 0.0]).tolist()
    [-0.25, 0.25]
    """
    xp, y, x = float_arrays(y_true, logits)
    e = xp.abs(x)
    e *= -1.0  # in place, as below: these arrays are ours (Notes)
    e = xp.exp(e)  # e^{-|x|} in (0, 1]: never overflows
    e += 1.0
    p = xp.exp(xp.minimum(x, 0.0))  # 1 where x >= 0, e^x (<= 1) elsewhere
    p /= e  # sigma(x) = e^{min(x, 0)} / (1 + e^{-|x|}) (Notes)
    grad = p - y  # a new array, in the dtype of x and y together
    grad /= _averaged(x, None, reduction)
    return grad


@checked(
    y_true=Floats(low=0, high=1),
    y_pred=Floats(low=0, high=1, like="y_true"),
    axis=Axis(of="y_pred"),
    reduction=_REDUCTION,
    eps=_EPS,
)
def categorical_cross_entropy(y_true, y_pred, *, axis=-1, reduction="mean", eps=1e-7):
    r"""Categorical cross-entropy on predicted probabilities.

    Slide formula: L4.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_classes) (or with the classes on ``axis``)
        Target distributions $\tilde y$ (one-hot rows or soft labels) in [0, 1].
    y_pred : array-like of the same shape
        Predicted distributions $\hat y$ in [0, 1].
    axis : int, default=-1
        The class axis; it is **summed** over.
    reduction : {"mean", "sum", "none"}, default="mean"
        Applied to the per-sample losses: "mean" averages over the samples
        (every position outside ``axis``), "sum" adds them, "none" returns
        them.
    eps : float, default=1e-7
        In (0, 0.5). $\hat y$ is clipped below at $\epsilon$ (in every
        dtype) so a zero probability on the true class gives a finite loss,
        $-\log\epsilon \approx 16.1$. Where $\tilde y = 0$ the term is 0
        whatever $\hat y$ is ($0\cdot\log 0 = 0$).

    Returns
    -------
    loss : array
        0-d array (or per-sample losses) of the input's namespace and dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``axis`` is not an int, or
        ``eps`` or ``reduction`` has the wrong type.
    ValueError
        If the shapes differ, an input is empty, a value is outside [0, 1],
        ``axis`` is out of range or an option is invalid.

    Notes
    -----
    $$L = -\frac{1}{n}\sum_{i=1}^n\sum_c \tilde y_{ic}\log \hat y_{ic}$$

    The rows of ``y_pred`` are not renormalised; pass a softmax output, or
    use `softmax_cross_entropy` on logits.

    Examples
    --------
    The NN1/NN2 table (001):

    >>> y = [[1, 0], [0, 1], [1, 0]]
    >>> round(float(categorical_cross_entropy(y, [[0.9, 0.1], [0.1, 0.9], [0.4, 0.6]])), 2)
    0.38
    >>> round(float(categorical_cross_entropy(y, [[0.6, 0.4], [0.3, 0.7], [0.1, 0.9]])), 2)
    1.06
    """
    xp, y, p = float_arrays(y_true, y_pred)
    log_p = xp.log(xp.maximum(p, eps))  # a zero probability costs -log(eps), not inf
    return reduce(xp, xp.sum(-y * log_p, axis=axis), reduction)


@checked(
    logits=Floats(finite=False),  # finite: tested with the bound, by one pass
    y_true=Floats(finite=False),
    axis=Axis(of="logits"),
    reduction=_REDUCTION,
    extra=_all(_finite_and_fits("logits"), _class_targets),
)
def softmax_cross_entropy(y_true, logits, *, axis=-1, reduction="mean"):
    r"""Softmax followed by cross-entropy, computed from logits in one stable step.

    Slide formula: L4, C7.

    Parameters
    ----------
    y_true : array-like
        Either target distributions with the shape of ``logits`` (one-hot or
        soft labels in [0, 1]), or integer class indices with the shape of
        ``logits`` without ``axis`` (e.g. (N,) for (N, C) logits, (N, H, W)
        for (N, C, H, W) segmentation logits). The shape decides which.
    logits : array-like of shape (n_samples, n_classes) or (N, C, H, W), ...
        Unnormalised scores.
    axis : int, default=-1
        The class axis; use ``axis=1`` for (N, C, H, W) per-pixel
        classification (C7).
    reduction : {"mean", "sum", "none"}, default="mean"
        The loss is **summed** over the classes; "mean" then averages over
        every other position (samples and pixels, as PyTorch's
        ``cross_entropy``), "sum" adds them, "none" returns them.

    Returns
    -------
    loss : array
        0-d array (or per-sample/per-pixel losses) of the logits' namespace
        and dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``axis`` is not an int or
        ``reduction`` is not a string.
    ValueError
        If ``y_true`` has neither accepted shape, a class index is not an
        integer in range, a probability is outside [0, 1], ``logits`` is
        empty or not finite, ``axis`` is out of range or ``reduction`` is
        unknown.

    Notes
    -----
    $$L = -\frac{1}{n}\sum_{i=1}^n\sum_c \tilde y_{ic}\log\operatorname{softmax}(z_i)_c,
    \qquad \log\operatorname{softmax}(z)_c = z_c - m - \log\sum_k e^{z_k - m}$$

    with $m = \max_k z_k$, so logits of $\pm1000$ give finite results. For
    class indices $t_i$ the sum over $c$ is the one term
    $-\log\operatorname{softmax}(z_i)_{t_i}$, picked rather than multiplied
    by a one-hot array.

    Examples
    --------
    >>> round(float(softmax_cross_entropy([0, 1], [[2.0, 0.0], [0.0, 2.0]])), 4)
    0.1269
    >>> float(softmax_cross_entropy([[1.0, 0.0]], [[0.0, 1000.0]]))
    1000.0
    """
    xp, y, z = float_arrays(y_true, logits)
    shifted = z - xp.max(z, axis=axis, keepdims=True)
    log_total = xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))  # exp(.) <= 1
    if y.ndim < z.ndim:  # class indices t: -log softmax(z)_t = log_total - shifted_t
        t = xp.expand_dims(xp.astype(y, xp.int64), axis=axis)
        loss = xp.squeeze(log_total - xp.take_along_axis(shifted, t, axis=axis), axis=axis)
    else:
        loss = xp.sum(y * (log_total - shifted), axis=axis)
    return reduce(xp, loss, reduction)


@checked(
    logits=Floats(finite=False),  # finite: tested with the bound, by one pass
    y_true=Floats(finite=False),
    axis=Axis(of="logits"),
    reduction=_REDUCTION,
    extra=_all(_finite_and_fits("logits"), _class_targets),
)
def softmax_cross_entropy_grad(y_true, logits, *, axis=-1, reduction="mean"):
    r"""Gradient of `softmax_cross_entropy` with respect to ``logits``.

    Slide formula: L4, C7.

    Parameters
    ----------
    y_true : array-like
        Target distributions or class indices (see `softmax_cross_entropy`).
    logits : array-like
        Unnormalised scores.
    axis : int, default=-1
        The class axis.
    reduction : {"mean", "sum", "none"}, default="mean"
        The reduction of the loss being differentiated.

    Returns
    -------
    grad : array
        Same shape and dtype as ``logits``.

    Raises
    ------
    TypeError
        As `softmax_cross_entropy`.
    ValueError
        As `softmax_cross_entropy`.

    Notes
    -----
    $$\frac{\partial L}{\partial z_{ic}} = \frac{1}{n}\Bigl(\operatorname{softmax}(z_i)_c
    \sum_k \tilde y_{ik} - \tilde y_{ic}\Bigr)$$

    which is the familiar $(\operatorname{softmax}(z) - \tilde y)/n$ whenever
    the targets sum to 1 (one-hot rows, class indices); $n$ counts the
    averaged positions (1 for "sum" and "none").

    For class indices the readable form is
    ``where(one_hot(t), softmax - 1, softmax) / n``; the body computes the
    same numbers with fewer full-size arrays: it scales its own array of
    exponentials in place to $\operatorname{softmax}/n$ and subtracts $1/n$
    at each target through integer-array indexing (NumPy, PyTorch, CuPy;
    other backends keep the one-hot ``where``).

    Examples
    --------
    >>> softmax_cross_entropy_grad([0], [[0.0, 0.0]]).tolist()
    [[-0.5, 0.5]]
    """
    xp, y, z = float_arrays(y_true, logits)
    e = xp.exp(z - xp.max(z, axis=axis, keepdims=True))
    n = _averaged(z, axis, reduction)
    if y.ndim < z.ndim:  # class indices t: (softmax - one_hot(t)) / n
        e *= 1 / (n * xp.sum(e, axis=axis, keepdims=True))  # softmax / n, in place: e is ours
        t = xp.expand_dims(xp.astype(y, xp.int64), axis=axis)
        return _minus_at_targets(xp, e, t, axis, 1 / n)
    softmax = e / xp.sum(e, axis=axis, keepdims=True)
    return (softmax * xp.sum(y, axis=axis, keepdims=True) - y) / n


@checked(
    logits=Floats(finite=False),  # finite: tested with the bound, by one pass
    y_true=Floats(finite=False),
    axis=Axis(of="logits"),
    reduction=_REDUCTION,
    extra=_all(_finite_and_fits("logits"), _class_targets),
)
def softmax_cross_entropy_and_grad(y_true, logits, *, axis=-1, reduction="mean"):
    r"""Loss and gradient of `softmax_cross_entropy` in one call.

    Slide formula: L4, C7.

    A training step needs both; computing them together shares the softmax's
    exponentials and writes the gradient into them, so it is faster than the
    two separate calls (see the Performance page for the measured ratios).

    Parameters
    ----------
    y_true : array-like
        Target distributions or class indices (see `softmax_cross_entropy`).
    logits : array-like
        Unnormalised scores.
    axis : int, default=-1
        The class axis.
    reduction : {"mean", "sum", "none"}, default="mean"
        As in `softmax_cross_entropy` (summed over classes, then averaged over
        the other positions for "mean").

    Returns
    -------
    loss : array
        As `softmax_cross_entropy` returns it.
    grad : array
        As `softmax_cross_entropy_grad` returns it.

    Raises
    ------
    TypeError
        As `softmax_cross_entropy`.
    ValueError
        As `softmax_cross_entropy`.

    Notes
    -----
    $$L = -\frac{1}{n}\sum_{i,c} \tilde y_{ic}\log\operatorname{softmax}(z_i)_c,\qquad
    \frac{\partial L}{\partial z_{ic}} = \frac{1}{n}\Bigl(\operatorname{softmax}(z_i)_c
    \sum_k \tilde y_{ik} - \tilde y_{ic}\Bigr)$$

    Both come from one array of exponentials $e^{z - m}$ and its row sums.
    For class indices the gradient is $\operatorname{softmax}(z)/n$ minus
    $1/n$ at each target, readably ``where(one_hot(t), p - 1/n, p)``; the body
    writes it into the array of exponentials it made (scaled in place, then
    $1/n$ subtracted at the targets by integer-array indexing on NumPy,
    PyTorch and CuPy), so a step makes two full-size arrays instead of five
    and no one-hot mask.

    Examples
    --------
    >>> loss, grad = softmax_cross_entropy_and_grad([0], [[0.0, 0.0]])
    >>> round(float(loss), 4), grad.tolist()
    (0.6931, [[-0.5, 0.5]])
    """
    xp, y, z = float_arrays(y_true, logits)
    m = xp.max(z, axis=axis, keepdims=True)
    e = xp.exp(z - m)  # in (0, 1]: never overflows
    total = xp.sum(e, axis=axis, keepdims=True)  # >= 1: its log is finite
    scale = 1 / _averaged(z, axis, reduction)
    if y.ndim < z.ndim:  # class indices t: pick -log softmax(z)_t; softmax minus one-hot
        t = xp.expand_dims(xp.astype(y, xp.int64), axis=axis)
        picked = xp.take_along_axis(z, t, axis=axis) - m  # z_t - m
        loss = xp.squeeze(xp.log(total) - picked, axis=axis)
        e *= scale / total  # softmax / n, in place: e is ours
        grad = _minus_at_targets(xp, e, t, axis, scale)  # e - scale * one_hot(t)
    else:
        loss = xp.sum(y * (xp.log(total) - (z - m)), axis=axis)
        grad = e * (xp.sum(y, axis=axis, keepdims=True) * scale / total) - y * scale
    return reduce(xp, loss, reduction), grad


@checked(
    y_pred=Floats(),
    y_true=Floats(finite=False),
    axis=Axis(of="y_pred"),
    reduction=_REDUCTION,
    extra=_class_targets,
)
def classification_error(y_true, y_pred, *, axis=-1, reduction="mean"):
    r"""Classification error: the fraction of samples whose argmax class is wrong.

    Slide formula: L5.

    Parameters
    ----------
    y_true : array-like
        One-hot (or probability) targets with the shape of ``y_pred``, or
        integer class indices with that shape without ``axis``.
    y_pred : array-like
        Scores: probabilities or logits (only their argmax matters).
    axis : int, default=-1
        The class axis.
    reduction : {"mean", "sum", "none"}, default="mean"
        "mean" is the error rate over the samples, "sum" the number of
        mistakes, "none" the 0/1 mistake of each sample.

    Returns
    -------
    error : array
        0-d array (or per-sample 0.0/1.0) of the input's namespace and dtype.

    Raises
    ------
    TypeError
        As `softmax_cross_entropy`.
    ValueError
        As `softmax_cross_entropy`, naming ``y_pred``.

    Notes
    -----
    $$E = \frac{1}{n}\sum_{i=1}^n
    \mathbb 1\bigl[\arg\max_c \hat y_{ic} \ne \arg\max_c \tilde y_{ic}\bigr]$$

    Ties go to the first class. The error ignores how confident a right or
    wrong answer is: NN1 and NN2 of the table both score 1/3 although
    NN1 is far better (its MSE and cross-entropy say so).

    Examples
    --------
    >>> y = [[1, 0], [0, 1], [1, 0]]
    >>> round(float(classification_error(y, [[0.9, 0.1], [0.1, 0.9], [0.4, 0.6]])), 4)
    0.3333
    >>> round(float(classification_error(y, [[0.6, 0.4], [0.3, 0.7], [0.1, 0.9]])), 4)
    0.3333
    """
    xp, y_true, y_pred = float_arrays(y_true, y_pred)
    predicted = xp.argmax(y_pred, axis=axis)
    if y_true.ndim == y_pred.ndim:  # one-hot rows: their argmax is the class
        y_true = xp.argmax(y_true, axis=axis)
    wrong = predicted != xp.astype(y_true, predicted.dtype)
    return reduce(xp, xp.astype(wrong, y_pred.dtype), reduction)


# --------------------------------------------------------------------------
# Margin losses (L6, L7, L11, L12): functions of z = y f(x), y in {-1, +1}
# --------------------------------------------------------------------------


@checked(
    y_true=Floats(),
    y_pred=Floats(like="y_true"),
    reduction=_REDUCTION,
    extra=_all(_signs, _fits("y_pred")),
)
def hinge(y_true, y_pred, *, reduction="mean"):
    r"""Hinge loss of a binary classifier with labels -1/+1.

    Slide formula: L6.

    Parameters
    ----------
    y_true : array-like
        Labels, each -1 or +1.
    y_pred : array-like of the same shape
        Decision values $f(x) = w^\top x + w_0$.
    reduction : {"mean", "sum", "none"}, default="mean"
        "mean" averages over the samples (scikit-learn's ``hinge_loss``),
        "sum" adds them (the slide's $\sum_i$), "none" returns them.

    Returns
    -------
    loss : array
        0-d array (or element-wise losses) of the input's namespace and dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or ``reduction`` is not a
        string.
    ValueError
        If a label is not -1 or +1, the shapes differ, an input is empty or
        not finite, or ``reduction`` is unknown.

    Notes
    -----
    $$L = \sum_{i=0}^{n-1}\max\bigl(0,\ 1 - y_i(w^\top x_i + w_0)\bigr)$$

    is the slide's form, ``reduction="sum"``; the default "mean" divides it
    by $n$. Binary only: for several classes use scikit-learn's Crammer–Singer
    ``hinge_loss`` or one binary hinge per class (one-vs-rest).

    Examples
    --------
    >>> hinge([1, -1, 1], [2.0, 0.5, -1.0], reduction="none").tolist()
    [0.0, 1.5, 2.0]
    >>> float(hinge([1, -1, 1], [2.0, 0.5, -1.0], reduction="sum"))
    3.5
    """
    xp, y, f = float_arrays(y_true, y_pred)
    return reduce(xp, xp.maximum(1 - y * f, 0.0), reduction)


@checked(
    y_true=Floats(),
    y_pred=Floats(like="y_true"),
    reduction=_REDUCTION,
    extra=_all(_signs, _fits("y_pred", power=2)),
)
def squared_hinge(y_true, y_pred, *, reduction="mean"):
    r"""Squared hinge loss $\max(0, 1 - z)^2$ with $z = y f(x)$.

    Slide formula: L7.

    Parameters
    ----------
    y_true : array-like
        Labels, each -1 or +1.
    y_pred : array-like of the same shape
        Decision values $f(x)$.
    reduction : {"mean", "sum", "none"}, default="mean"
        "mean" averages over every element, "sum" adds them, "none" returns
        them.

    Returns
    -------
    loss : array
        0-d array (or element-wise losses) of the input's namespace and dtype.

    Raises
    ------
    TypeError
        As `hinge`.
    ValueError
        As `hinge`.

    Notes
    -----
    $$L(z) = \max(0,\ 1 - z)^2$$

    **Erratum L7**: the slide (000) prints $\max(0, (1-x)^2)$. A square is
    never negative, so that maximum never clips: it is $(1-z)^2$ for every
    $z$ and punishes confident right answers ($z > 1$) too. The square goes
    outside the maximum.

    Examples
    --------
    >>> squared_hinge([1, 1, 1], [0.0, 1.0, 3.0], reduction="none").tolist()
    [1.0, 0.0, 0.0]
    """
    xp, y, f = float_arrays(y_true, y_pred)
    return reduce(xp, xp.maximum(1 - y * f, 0.0) ** 2, reduction)


@checked(
    y_true=Floats(),
    y_pred=Floats(like="y_true"),
    reduction=_REDUCTION,
    extra=_all(_signs, _fits("y_pred")),
)
def absolute_margin(y_true, y_pred, *, reduction="mean"):
    r"""The slides' "mean absolute deviation" margin loss $\lvert 1 - z\rvert$, $z = y f(x)$.

    Slide formula: L11.

    Parameters
    ----------
    y_true : array-like
        Labels, each -1 or +1.
    y_pred : array-like of the same shape
        Decision values $f(x)$.
    reduction : {"mean", "sum", "none"}, default="mean"
        "mean" averages over every element (hence "mean absolute
        deviation"), "sum" adds them, "none" returns them.

    Returns
    -------
    loss : array
        0-d array (or element-wise losses) of the input's namespace and dtype.

    Raises
    ------
    TypeError
        As `hinge`.
    ValueError
        As `hinge`.

    Notes
    -----
    $$L(z) = \lvert 1 - z\rvert$$

    Unlike the hinge it also punishes margins above 1. With $y = \pm1$ it
    equals $\lvert y - f(x)\rvert$, the L1 loss on the labels.

    Examples
    --------
    >>> absolute_margin([1, -1], [3.0, 0.5], reduction="none").tolist()
    [2.0, 1.5]
    """
    xp, y, f = float_arrays(y_true, y_pred)
    return reduce(xp, xp.abs(1 - y * f), reduction)


@checked(y_true=Floats(), y_pred=Floats(like="y_true"), reduction=_REDUCTION, extra=_signs)
def exponential(y_true, y_pred, *, reduction="mean"):
    r"""Exponential (AdaBoost) loss $e^{-z}$, $z = y f(x)$.

    Slide formula: L12.

    Parameters
    ----------
    y_true : array-like
        Labels, each -1 or +1.
    y_pred : array-like of the same shape
        Decision values $f(x)$.
    reduction : {"mean", "sum", "none"}, default="mean"
        "mean" averages over every element, "sum" adds them (AdaBoost's
        objective), "none" returns them.

    Returns
    -------
    loss : array
        0-d array (or element-wise losses) of the input's namespace and dtype.

    Raises
    ------
    TypeError
        As `hinge`.
    ValueError
        As `hinge`.

    Notes
    -----
    $$L(z) = e^{-z}$$

    (the slide writes $e^{-x}$ for $L(z)$). The loss is unbounded: where
    $e^{-z}$ exceeds the dtype's largest number ($-z > 709.78$ in float64,
    $88.72$ in float32) the result is ``inf``, returned without an overflow
    warning; every smaller value is the dtype's ``exp``.

    Examples
    --------
    >>> [round(v, 4) for v in exponential([1, -1], [0.0, 1.0], reduction="none").tolist()]
    [1.0, 2.7183]
    """
    xp, y, f = float_arrays(y_true, y_pred)
    minus_z = -(y * f)
    limit = _largest_exp_argument(xp, f.dtype)
    values = xp.exp(xp.minimum(minus_z, limit))  # capped, so exp never overflows
    return reduce(xp, xp.where(minus_z > limit, math.inf, values), reduction)


# --------------------------------------------------------------------------
# Distances (L8, L9, L10) and the KL divergence (L13)
# --------------------------------------------------------------------------


@checked(
    y_true=Floats(),
    y_pred=Floats(like="y_true"),
    q=Real(0, open="low", finite=False),
    axis=Axis(of="y_pred", allow_none=True),
    reduction=_REDUCTION,
    extra=_fits("y_true", "y_pred"),
)
def minkowski(y_true, y_pred, *, q=2.0, axis=-1, reduction="mean"):
    r"""Minkowski distance of order $q$ between the vectors along ``axis``.

    Slide formula: L8.

    Parameters
    ----------
    y_true : array-like
        Vectors $y$ (one per position outside ``axis``).
    y_pred : array-like of the same shape
        Vectors $x$.
    q : float, default=2.0
        The order, > 0 (a metric for $q \ge 1$). ``q=1`` is the Manhattan
        distance, ``q=2`` the Euclidean one, ``q=math.inf`` the Chebyshev
        distance (`chebyshev`), which large finite $q$ approach.
    axis : int or None, default=-1
        The axis of the vectors' coordinates (``None``: the whole array is
        one vector).
    reduction : {"mean", "sum", "none"}, default="mean"
        Applied to the per-vector distances: "mean" averages them, "sum"
        adds them, "none" returns them.

    Returns
    -------
    distance : array
        0-d array (or per-vector distances) of the input's namespace and dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``q`` is not a number,
        ``axis`` is not an int or ``reduction`` is not a string.
    ValueError
        If ``q`` is not > 0, the shapes differ, an input is empty or not
        finite, ``axis`` is out of range or ``reduction`` is unknown.

    Notes
    -----
    $$d_q(x, y) = \Bigl(\sum_{i=1}^k \lvert x_i - y_i\rvert^q\Bigr)^{1/q}
    = m\Bigl(\sum_{i=1}^k \bigl(\lvert x_i - y_i\rvert / m\bigr)^q\Bigr)^{1/q}$$

    with $m = \max_i \lvert x_i - y_i\rvert$: the second form is computed, so
    $q = 1000$ does not overflow. $d_q$ never increases with $q$ and tends to
    $m$.

    Examples
    --------
    >>> [round(float(minkowski([0, 0], [3.0, 4.0], q=q)), 4) for q in (1, 2, 1000)]
    [7.0, 5.0, 4.0]
    """
    xp, y_true, y_pred = float_arrays(y_true, y_pred)
    d = xp.abs(y_true - y_pred)
    m = xp.max(d, axis=axis)  # the Chebyshev distance, the limit q -> inf
    if q == math.inf:
        return reduce(xp, m, reduction)
    m_kept = xp.max(d, axis=axis, keepdims=True)
    ratio = d / xp.where(m_kept > 0, m_kept, 1.0)  # in [0, 1]: ratio**q never overflows
    return reduce(xp, m * xp.sum(ratio**q, axis=axis) ** (1 / q), reduction)


@checked(
    y_true=Floats(),
    y_pred=Floats(like="y_true"),
    axis=Axis(of="y_pred", allow_none=True),
    reduction=_REDUCTION,
    extra=_fits("y_true", "y_pred"),
)
def chebyshev(y_true, y_pred, *, axis=-1, reduction="mean"):
    r"""Chebyshev distance: the largest coordinate difference.

    Slide formula: L9.

    Parameters
    ----------
    y_true : array-like
        Vectors $y$.
    y_pred : array-like of the same shape
        Vectors $x$.
    axis : int or None, default=-1
        The axis of the coordinates (``None``: the whole array is one vector).
    reduction : {"mean", "sum", "none"}, default="mean"
        Applied to the per-vector distances (the maximum is taken along
        ``axis``): "mean" averages them, "sum" adds them, "none" returns them.

    Returns
    -------
    distance : array
        0-d array (or per-vector distances) of the input's namespace and dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``axis`` is not an int or
        ``reduction`` is not a string.
    ValueError
        If the shapes differ, an input is empty or not finite, ``axis`` is
        out of range or ``reduction`` is unknown.

    Notes
    -----
    $$d(x, y) = \max_{i=1}^k \lvert x_i - y_i\rvert = \lim_{q\to\infty} d_q(x, y)$$

    Examples
    --------
    >>> float(chebyshev([0, 0], [3.0, -4.0]))
    4.0
    """
    xp, y_true, y_pred = float_arrays(y_true, y_pred)
    return reduce(xp, xp.max(xp.abs(y_true - y_pred), axis=axis), reduction)


@checked(
    y_true=Floats(),
    y_pred=Floats(like="y_true"),
    normalize=Flag(),
    axis=Axis(of="y_pred", allow_none=True),
    reduction=_REDUCTION,
    extra=_binary,
)
def hamming(y_true, y_pred, *, normalize=False, axis=-1, reduction="mean"):
    r"""Hamming loss: the number of positions where two binary vectors differ.

    Slide formula: L10.

    Parameters
    ----------
    y_true : array-like
        Binary vectors (0/1 or booleans), coordinates along ``axis``.
    y_pred : array-like of the same shape
        Binary vectors.
    normalize : bool, default=False
        False counts the mismatches of each vector; True divides by the
        vector's length, giving the fraction of mismatched positions
        (scikit-learn's ``hamming_loss`` for multilabel rows, with "mean").
    axis : int or None, default=-1
        The axis of the coordinates (``None``: the whole array is one vector).
    reduction : {"mean", "sum", "none"}, default="mean"
        Applied to the per-vector counts (or fractions): "mean" averages them,
        "sum" adds them, "none" returns them.

    Returns
    -------
    loss : array
        0-d array (or per-vector values) of the input's namespace and
        floating dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``normalize`` is not a bool,
        ``axis`` is not an int or ``reduction`` is not a string.
    ValueError
        If a value is not 0 or 1, the shapes differ, an input is empty,
        ``axis`` is out of range or ``reduction`` is unknown.

    Notes
    -----
    $$L = \sum_{i=1}^k \lvert x_i - y_i\rvert = \#\{i : x_i \ne y_i\}\quad(x, y\in\{0,1\}^k)$$

    Examples
    --------
    >>> float(hamming([1, 0, 1, 1], [1, 1, 0, 1]))
    2.0
    >>> float(hamming([1, 0, 1, 1], [1, 1, 0, 1], normalize=True))
    0.5
    """
    xp, y_true, y_pred = float_arrays(y_true, y_pred)
    mismatches = xp.sum(xp.astype(y_true != y_pred, y_pred.dtype), axis=axis)
    if normalize:  # the fraction of the vector's positions
        mismatches = mismatches / (math.prod(y_pred.shape) if axis is None else y_pred.shape[axis])
    return reduce(xp, mismatches, reduction)


@checked(
    y_true=Floats(low=0, high=1),
    y_pred=Floats(low=0, high=1, like="y_true"),
    axis=Axis(of="y_pred", allow_none=True),
    reduction=_REDUCTION,
)
def kl_divergence(y_true, y_pred, *, axis=-1, reduction="mean"):
    r"""Kullback–Leibler divergence $\mathrm{KL}(p\,\Vert\,q)$ of the distributions along ``axis``.

    Slide formula: L13.

    Parameters
    ----------
    y_true : array-like
        The reference distributions $p$ (probabilities in [0, 1]).
    y_pred : array-like of the same shape
        The approximating distributions $q$.
    axis : int or None, default=-1
        The axis of the outcomes; it is **summed** over (``None``: the whole
        array is one distribution).
    reduction : {"mean", "sum", "none"}, default="mean"
        Applied to the per-distribution divergences: "mean" averages them
        (PyTorch's ``kl_div(..., reduction="batchmean")`` for 2-D input),
        "sum" adds them, "none" returns them.

    Returns
    -------
    divergence : array
        0-d array (or per-distribution values) of the input's namespace and
        dtype; ``inf`` where $q = 0$ but $p > 0$.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``axis`` is not an int or
        ``reduction`` is not a string.
    ValueError
        If the shapes differ, an input is empty, a value is outside [0, 1],
        ``axis`` is out of range or ``reduction`` is unknown.

    Notes
    -----
    $$\mathrm{KL}(p\,\Vert\,q) = \sum_i p_i \log\frac{p_i}{q_i}, \qquad 0\cdot\log\frac{0}{q} = 0$$

    It is $\ge 0$, $0$ exactly when $p = q$, and not symmetric. The
    distributions are not renormalised.

    Examples
    --------
    >>> float(kl_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    >>> round(float(kl_divergence([1.0, 0.0], [0.5, 0.5])), 4)
    0.6931
    >>> float(kl_divergence([0.5, 0.5], [1.0, 0.0]))
    inf
    """
    xp, p, q = float_arrays(y_true, y_pred)
    # log of 1 where an argument is 0: those terms are set below, and no log(0) warns
    ratio = xp.log(xp.where(p > 0, p, 1.0)) - xp.log(xp.where(q > 0, q, 1.0))
    terms = xp.where(p > 0, p * ratio, 0.0)  # 0 log(0/q) = 0
    terms = xp.where((p > 0) & (q == 0), math.inf, terms)  # p log(p/0) = inf
    return reduce(xp, xp.sum(terms, axis=axis), reduction)


# --------------------------------------------------------------------------
# Designed and learned losses: focal (L14), GAN (L15)
# --------------------------------------------------------------------------


@checked(
    y_true=Floats(low=0, high=1),
    logits=Floats(like="y_true"),
    alpha=Optional(Real(high=1)),
    gamma=Real(0),
    reduction=_REDUCTION,
    extra=_fits("logits"),
)
def focal_loss(y_true, logits, *, alpha=0.25, gamma=2.0, reduction="mean"):
    r"""Focal loss from logits (RetinaNet), the slides' "design a custom loss" example.

    Slide formula: L14.

    Parameters
    ----------
    y_true : array-like
        Binary targets in [0, 1] (soft labels accepted, as torchvision).
    logits : array-like of the same shape
        Pre-sigmoid scores $x$, $p = \sigma(x)$.
    alpha : float or None, default=0.25
        Weight of the positives, at most 1; negatives get $1-\alpha$.
        ``None`` or a negative value turns the weighting off ($\alpha_t = 1$),
        as in torchvision's ``sigmoid_focal_loss``.
    gamma : float, default=2.0
        Focusing exponent, >= 0; ``gamma=0`` (with ``alpha=None``) is
        `binary_cross_entropy_with_logits`.
    reduction : {"mean", "sum", "none"}, default="mean"
        "mean" averages over every element, "sum" adds them, "none" returns
        them (torchvision's default is "none").

    Returns
    -------
    loss : array
        0-d array (or element-wise losses) of the input's namespace and dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``alpha`` is neither None nor
        a number, ``gamma`` is not a number or ``reduction`` is not a string.
    ValueError
        If ``alpha`` > 1 or not finite, ``gamma`` < 0 or not finite, the
        shapes differ, an input is empty, ``logits`` is not finite,
        ``y_true`` is outside [0, 1] or ``reduction`` is unknown.

    Notes
    -----
    $$\mathrm{FL} = -\alpha_t (1 - p_t)^\gamma \log p_t,\qquad
    p_t = y p + (1-y)(1-p),\quad \alpha_t = y\alpha + (1-y)(1-\alpha)$$

    $-\log p_t$ is the binary cross-entropy from logits and
    $1 - p_t = y\,\sigma(-x) + (1-y)\,\sigma(x)$ is computed in that form,
    which is exact for confident predictions and never negative.

    Examples
    --------
    >>> round(float(focal_loss([1.0, 0.0], [2.0, -1.0])), 5)
    0.00872

    Without weighting and focusing it is the binary cross-entropy:

    >>> from dlnotes.losses import binary_cross_entropy_with_logits
    >>> float(focal_loss([1.0], [0.0], alpha=None, gamma=0.0)) == float(
    ...     binary_cross_entropy_with_logits([1.0], [0.0]))
    True
    """
    xp, y, x = float_arrays(y_true, logits)
    ce = -y * log_sigmoid(x) - (1 - y) * log_sigmoid(-x)  # -log p_t
    miss = y * sigmoid(-x) + (1 - y) * sigmoid(x)  # 1 - p_t
    loss = miss**gamma * ce
    if alpha is not None and alpha >= 0:  # alpha_t weighting (off for None or alpha < 0)
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return reduce(xp, loss, reduction)


@checked(
    d_real=Floats(),
    d_fake=Floats(),
    from_logits=Flag(),
    reduction=_REDUCTION,
    eps=_EPS,
    extra=_all(_discriminator_outputs, _fits("d_real", "d_fake")),
)
def gan_discriminator_loss(d_real, d_fake, *, from_logits=True, reduction="mean", eps=1e-7):
    r"""Discriminator loss of a GAN: $-[\log D(x) + \log(1 - D(G(z)))]$.

    Slide formula: L15.

    Parameters
    ----------
    d_real : array-like
        The discriminator's outputs on real samples $x$.
    d_fake : array-like
        Its outputs on generated samples $G(z)$ (any number of them).
    from_logits : bool, default=True
        True: the outputs are logits and $D = \sigma(\text{logit})$ (stable
        for any finite logit). False: they are probabilities in [0, 1],
        clipped to $[\epsilon, 1-\epsilon]$ as in `binary_cross_entropy`.
    reduction : {"mean", "sum", "none"}, default="mean"
        "mean": the mean over the real samples plus the mean over the fake
        ones (the two binary cross-entropies with labels 1 and 0); "sum":
        the two sums; "none": the per-pair losses, which needs ``d_real``
        and ``d_fake`` of one shape.
    eps : float, default=1e-7
        Clipping bound for probabilities, in (0, 0.5) (unused for logits).

    Returns
    -------
    loss : array
        0-d array (or per-pair losses) of the input's namespace and dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``from_logits`` is not a
        bool, ``eps`` is not a number or ``reduction`` is not a string.
    ValueError
        If an input is empty or not finite, outside [0, 1] (probabilities),
        the shapes differ for ``reduction="none"``, or an option is invalid.

    Notes
    -----
    $$L_D = -\mathbb E_x[\log D(x)] - \mathbb E_z[\log(1 - D(G(z)))]$$

    The discriminator minimises $L_D$: it learns to output 1 on real and 0
    on generated samples. This loss *is* the generator's learned loss.

    Examples
    --------
    A discriminator that cannot tell (D = 1/2 everywhere) pays $2\log 2$:

    >>> round(float(gan_discriminator_loss([0.0], [0.0])), 4)
    1.3863
    >>> round(float(gan_discriminator_loss([0.5], [0.5], from_logits=False)), 4)
    1.3863
    """
    xp, d_real, d_fake = float_arrays(d_real, d_fake)
    if from_logits:  # D = sigmoid(a), and 1 - sigmoid(a) = sigmoid(-a)
        log_real, log_not_fake = log_sigmoid(d_real), log_sigmoid(-d_fake)
    else:
        log_real, log_not_fake = xp.log(_clip(xp, d_real, eps)), xp.log(1 - _clip(xp, d_fake, eps))
    if reduction == "none":
        return -(log_real + log_not_fake)
    return xp.asarray(reduce(xp, -log_real, reduction) + reduce(xp, -log_not_fake, reduction))


@checked(
    d_fake=Floats(),
    mode=Choice(*GAN_MODES),
    from_logits=Flag(),
    reduction=_REDUCTION,
    eps=_EPS,
    extra=_all(_discriminator_outputs, _fits("d_fake")),
)
def gan_generator_loss(
    d_fake, *, mode="non_saturating", from_logits=True, reduction="mean", eps=1e-7
):
    r"""Generator loss of a GAN, minimax or non-saturating.

    Slide formula: L15.

    Parameters
    ----------
    d_fake : array-like
        The discriminator's outputs on generated samples $G(z)$.
    mode : {"non_saturating", "minimax"}, default="non_saturating"
        "minimax": $\log(1 - D(G(z)))$, the generator's side of the original
        two-player game; "non_saturating": $-\log D(G(z))$, the form used in
        practice (same fixed point, strong gradients early in training).
    from_logits : bool, default=True
        True: ``d_fake`` holds logits, $D = \sigma(\text{logit})$ (stable);
        False: probabilities in [0, 1], clipped to $[\epsilon, 1-\epsilon]$.
    reduction : {"mean", "sum", "none"}, default="mean"
        "mean" averages over the generated samples, "sum" adds them, "none"
        returns them.
    eps : float, default=1e-7
        Clipping bound for probabilities, in (0, 0.5) (unused for logits).

    Returns
    -------
    loss : array
        0-d array (or per-sample losses) of the input's namespace and dtype.
        The generator minimises it.

    Raises
    ------
    TypeError
        If ``d_fake`` does not hold real numbers, ``from_logits`` is not a
        bool, or ``mode``, ``reduction`` or ``eps`` has the wrong type.
    ValueError
        If ``mode`` is unknown, ``d_fake`` is empty, not finite (logits) or
        outside [0, 1] (probabilities), or an option is invalid.

    Notes
    -----
    $$L_G^{\text{minimax}} = \mathbb E_z[\log(1 - D(G(z)))],\qquad
    L_G^{\text{NS}} = -\mathbb E_z[\log D(G(z))]$$

    See `gan_generator_loss_grad` for why the two behave so differently when
    the discriminator wins.

    Examples
    --------
    >>> round(float(gan_generator_loss([0.0], mode="minimax")), 4)
    -0.6931
    >>> round(float(gan_generator_loss([0.0])), 4)
    0.6931
    >>> float(gan_generator_loss([-1000.0]))
    1000.0
    """
    xp, d_fake = float_arrays(d_fake)
    if mode == "minimax":  # log(1 - D(G(z))), with 1 - sigmoid(a) = sigmoid(-a)
        loss = log_sigmoid(-d_fake) if from_logits else xp.log(1 - _clip(xp, d_fake, eps))
    else:  # -log D(G(z))
        loss = -(log_sigmoid(d_fake) if from_logits else xp.log(_clip(xp, d_fake, eps)))
    return reduce(xp, loss, reduction)


@checked(d_fake=Floats(), mode=Choice(*GAN_MODES), reduction=_REDUCTION)
def gan_generator_loss_grad(d_fake, *, mode="non_saturating", reduction="mean"):
    r"""Gradient of `gan_generator_loss` with respect to D's **logits** $a$.

    Slide formula: L15.

    Parameters
    ----------
    d_fake : array-like
        The discriminator's logits $a$ on generated samples, $D = \sigma(a)$.
    mode : {"non_saturating", "minimax"}, default="non_saturating"
        Which generator loss (see `gan_generator_loss`).
    reduction : {"mean", "sum", "none"}, default="mean"
        The reduction of the loss being differentiated.

    Returns
    -------
    grad : array
        Same shape and dtype as ``d_fake``.

    Raises
    ------
    TypeError
        If ``d_fake`` does not hold real numbers, or ``mode`` or
        ``reduction`` is not a string.
    ValueError
        If ``mode`` or ``reduction`` is unknown, or ``d_fake`` is empty or
        not finite.

    Notes
    -----
    $$\frac{\partial}{\partial a}\log(1 - \sigma(a)) = -\sigma(a) = -D,\qquad
    \frac{\partial}{\partial a}\bigl(-\log \sigma(a)\bigr) = -(1 - \sigma(a)) = -(1 - D)$$

    (divided by $n$ for "mean"). Early in training the discriminator wins,
    $D(G(z)) \to 0$: the minimax gradient vanishes with $D$ while the
    non-saturating one tends to $-1$, its largest size. The logit is where
    the generator's gradient enters D's last layer, hence this variable;
    with respect to $D$ itself the sigmoid's slope $D(1-D)$ is what
    vanishes.

    Examples
    --------
    D rejects the sample (D = 0.0067):

    >>> [round(g, 4) for g in gan_generator_loss_grad([-5.0], mode="minimax").tolist()]
    [-0.0067]
    >>> [round(g, 4) for g in gan_generator_loss_grad([-5.0]).tolist()]
    [-0.9933]
    """
    _, a = float_arrays(d_fake)
    grad = -sigmoid(a) if mode == "minimax" else -sigmoid(-a)  # -D, or -(1 - D)
    return grad / _averaged(a, None, reduction)

r"""Parameter updates and initial weights (slides 000/001 part 5, 004).

Catalogue group O: the initializers (uniform, Gaussian, Xavier, He), gradient
descent on linear least squares in its batch and stochastic forms (the
slide's LMS rule), and the update rules of the optimizers the slides compare
(plain gradient descent, momentum, AdaGrad, RMSProp, Adam).

Every optimizer is one **pure step function**,
``name_step(param, grad, state=None, *, lr, ...) -> (new_param, new_state)``:
``state=None`` means "first step" (the zero state is created), and the
returned state is a small ``NamedTuple`` of arrays (plus a Python int step
count for Adam) that the caller passes back on the next step. Neither
``param`` nor ``state`` is modified; a state of another optimizer, or of a
parameter of another shape or dtype, is refused with an error naming
``state``. The step functions read no data: with ``dlnotes.checks(False)``
they make no host-device sync.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import array_api_compat

from dlnotes._checks import (
    Count,
    Floats,
    Optional,
    Real,
    Seed,
    Spec,
    backend_argument,
    checked,
    require_same_library,
)
from dlnotes.backend import (
    default_float,
    float_arrays,
    get_backend,
    random_generator,
    resolve_backend,
)

__all__ = [
    "AdagradState",
    "AdamState",
    "MomentumState",
    "RMSpropState",
    "adagrad_step",
    "adam_step",
    "batch_gd",
    "gd_step",
    "he_normal",
    "momentum_step",
    "normal_init",
    "rmsprop_step",
    "sgd",
    "uniform_init",
    "xavier_normal",
    "xavier_uniform",
]


# --------------------------------------------------------------------------
# Argument rules beside the functions (`checked` specs; no snippet carries them)
# --------------------------------------------------------------------------


class Shape(Spec):
    """An int or a tuple (list) of ints >= 0, as a tuple; with ``fans``, at least
    2 axes and no zero (fan-in and fan-out must be positive)."""

    def __init__(self, *, fans: bool = False) -> None:
        self.fans = fans

    def check(self, name, value, call):
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            value = (value,)
        if not isinstance(value, (tuple, list)) or any(
            isinstance(n, bool) or not isinstance(n, numbers.Integral) for n in value
        ):
            raise TypeError(f"{name} must be an int or a tuple of ints, got {value!r}")
        value = tuple(int(n) for n in value)
        if any(n < 0 for n in value):
            raise ValueError(f"{name} must hold sizes >= 0, got {value}")
        if self.fans and (len(value) < 2 or 0 in value):
            raise ValueError(
                f"{name} must be (out, in) or (out, in, *kernel) with no zero size, so that "
                f"fan-in and fan-out are positive; got {value}"
            )
        return value


def _backend_and_dtype(call):
    """``xp``: None, a backend name or a namespace; ``dtype``: None or its real floating dtype."""
    space, dtype = backend_argument(call.args["xp"]), call.args["dtype"]
    if dtype is None:
        return
    try:
        floating = bool(space.isdtype(dtype, "real floating"))
    except Exception:
        floating = False
    if not floating:
        raise TypeError(
            f"dtype must be None or a real floating dtype of {space.__name__}, got {dtype!r}"
        )


def _low_below_high(call):
    _backend_and_dtype(call)
    if not call.args["low"] < call.args["high"]:
        raise ValueError(
            f"low must be < high, got low={call.args['low']}, high={call.args['high']}"
        )


class State(Spec):
    """``None`` (the first step) or the optimizer's own state for ``param``.

    The state must be the NamedTuple the step function returned (checked by
    its field names, so that another optimizer's state is refused), its arrays
    of ``param``'s library, dtype and shape; ``step`` an int >= 0. Data
    checks: finite, and >= 0 for the running sums of squares.
    """

    def __init__(self, cls: type, *, nonnegative: tuple[str, ...] = ()) -> None:
        self.cls, self.nonnegative = cls, nonnegative

    def check(self, name, value, call):
        if value is None:
            return None
        cls, fields = self.cls, getattr(value, "_fields", None)
        if not isinstance(value, tuple) or fields != cls._fields:
            got = type(value).__name__ + (str(fields) if fields else "")
            raise TypeError(
                f"{name} must be None (first step) or the {cls.__name__}{cls._fields} that "
                f"this function returned, got {got}"
            )
        param, xp = call.args["param"], call.xp
        for field, v in zip(fields, value):
            where = f"{name}.{field}"
            if field == "step":
                Count(0).check(where, v, call)
                continue
            require_same_library(where, v, param, xp, "param")
            if v.dtype != param.dtype:
                raise TypeError(f"{where} must have param's dtype {param.dtype}, got {v.dtype}")
            if tuple(v.shape) != tuple(param.shape):
                raise ValueError(
                    f"{where} must have param's shape {tuple(param.shape)}, got "
                    f"{tuple(v.shape)} (the state of another parameter?)"
                )
            if not call.enabled or math.prod(v.shape) == 0:  # no data checks to compute
                continue
            # two reductions, no array-sized temporary: a NaN makes the minimum and the
            # maximum NaN, an infinity one of them infinite
            low, high = xp.min(v), xp.max(v)
            ok = xp.isfinite(low) & xp.isfinite(high)
            if field in self.nonnegative:
                ok = ok & (low >= 0)
            bound = " and >= 0" if field in self.nonnegative else ""
            call.require(ok, f"{where} must be finite{bound}")
        return value


class Betas(Spec):
    """Two decay rates, each in [0, 1), as a tuple of floats."""

    def check(self, name, value, call):
        if not isinstance(value, (tuple, list)):
            raise TypeError(f"{name} must be a pair of numbers (beta1, beta2), got {value!r}")
        if len(value) != 2:
            raise ValueError(f"{name} must be a pair of numbers (beta1, beta2), got {value!r}")
        rate = Real(0, 1, open="high")
        return tuple(rate.check(f"{name}[{i}]", b, call) for i, b in enumerate(value))


def _lms_shapes(call):
    """``x``: (m, d) or (m,); ``y``: (m,); ``theta``: (d + 1,), bias first."""
    x, y, theta = call.args["x"], call.args["y"], call.args["theta"]
    m, d = x.shape[0], (1 if x.ndim == 1 else x.shape[1])
    if tuple(y.shape) != (m,):
        raise ValueError(f"y must have shape ({m},), one target per row of x, got {tuple(y.shape)}")
    if theta is not None and tuple(theta.shape) != (d + 1,):
        raise ValueError(
            f"theta must have shape ({d + 1},): the bias, then one weight per feature; "
            f"got {tuple(theta.shape)}"
        )


_LMS = {
    "x": Floats(ndim=(1, 2)),
    "y": Floats(ndim=1),
    "theta": Optional(Floats(ndim=1)),
    "lr": Real(0, open="low"),
    "epochs": Count(),
}
_STEP = {"param": Floats(), "grad": Floats(like="param"), "lr": Real(0, open="low")}
_RATE = Real(0, 1, open="high")
_EPS = Real(0)


# --------------------------------------------------------------------------
# Initial weights (O1)
# --------------------------------------------------------------------------


def _fans(shape):
    """PyTorch's fan-in and fan-out of an (out, in, *kernel) weight: in and out times the kernel."""
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


@checked(shape=Shape(), low=Real(), high=Real(), seed=Seed(), extra=_low_below_high)
def uniform_init(shape, *, low=-0.05, high=0.05, seed=None, xp=None, dtype=None):
    r"""Weights drawn uniformly from $[\text{low}, \text{high})$.

    Slide formula: O1 ("uniform").

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the weight array, e.g. ``(out, in)``.
    low, high : float, default=-0.05, 0.05
        The interval, ``low < high``.
    seed : int or numpy.random.Generator, optional
        Seed of the draws: the same seed gives the same numbers on every backend.
    xp : str or namespace, optional
        Namespace of the result; the default backend if omitted.
    dtype : dtype, optional
        A real floating dtype of ``xp``; float64 where the device has it.

    Returns
    -------
    array
        A new array of ``shape``.

    Raises
    ------
    TypeError
        If ``shape`` is not an int or a tuple of ints, a bound is not a number,
        ``seed`` is not an int or Generator, or ``dtype`` is not floating.
    ValueError
        If a size is negative, ``low >= high`` or ``seed`` is negative.

    Notes
    -----
    $$w \sim \mathcal U(a, b),\qquad \operatorname{Var}(w) = \frac{(b - a)^2}{12}$$

    NumPy's ``Generator`` draws the numbers (in float64), which then move to
    the backend, as for every seeded function of dlnotes.

    Examples
    --------
    >>> w = uniform_init((3, 4), seed=0)
    >>> w.shape, bool((abs(w) <= 0.05).all())
    ((3, 4), True)
    """
    xp = get_backend() if xp is None else resolve_backend(xp)
    draws = random_generator(seed).uniform(low, high, size=shape)
    return xp.asarray(draws, dtype=default_float(xp) if dtype is None else dtype)


@checked(shape=Shape(), std=Real(0), seed=Seed(), extra=_backend_and_dtype)
def normal_init(shape, *, std=0.01, seed=None, xp=None, dtype=None):
    r"""Weights drawn from a Gaussian $\mathcal N(0, \sigma^2)$.

    Slide formula: O1 ("Gaussian").

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the weight array.
    std : float, default=0.01
        Standard deviation $\sigma \ge 0$.
    seed : int or numpy.random.Generator, optional
        Seed of the draws: the same seed gives the same numbers on every backend.
    xp : str or namespace, optional
        Namespace of the result; the default backend if omitted.
    dtype : dtype, optional
        A real floating dtype of ``xp``; float64 where the device has it.

    Returns
    -------
    array
        A new array of ``shape``.

    Raises
    ------
    TypeError
        If ``shape`` is not an int or a tuple of ints, ``std`` is not a number,
        ``seed`` is not an int or Generator, or ``dtype`` is not floating.
    ValueError
        If a size, ``std`` or ``seed`` is negative.

    Notes
    -----
    $$w \sim \mathcal N(0, \sigma^2)$$

    Examples
    --------
    >>> w = normal_init(100_000, std=0.5, seed=0)
    >>> round(float(w.std()), 2)
    0.5
    """
    xp = get_backend() if xp is None else resolve_backend(xp)
    draws = random_generator(seed).normal(0.0, std, size=shape)
    return xp.asarray(draws, dtype=default_float(xp) if dtype is None else dtype)


@checked(shape=Shape(fans=True), gain=Real(0, open="low"), seed=Seed(), extra=_backend_and_dtype)
def xavier_uniform(shape, *, gain=1.0, seed=None, xp=None, dtype=None):
    r"""Xavier (Glorot) uniform weights, as ``torch.nn.init.xavier_uniform_``.

    Slide formula: O1 ("Xavier").

    Parameters
    ----------
    shape : tuple of int
        ``(out, in)`` or ``(out, in, *kernel)``, as PyTorch lays out weights.
    gain : float, default=1.0
        Scale for the activation (PyTorch's ``calculate_gain``).
    seed : int or numpy.random.Generator, optional
        Seed of the draws: the same seed gives the same numbers on every backend.
    xp : str or namespace, optional
        Namespace of the result; the default backend if omitted.
    dtype : dtype, optional
        A real floating dtype of ``xp``; float64 where the device has it.

    Returns
    -------
    array
        A new array of ``shape``.

    Raises
    ------
    TypeError
        If ``shape`` is not a tuple of ints, ``gain`` is not a number, ``seed``
        is not an int or Generator, or ``dtype`` is not floating.
    ValueError
        If ``shape`` has fewer than 2 axes or a zero size, ``gain`` is not
        positive or ``seed`` is negative.

    Notes
    -----
    $$w \sim \mathcal U(-a, a),\qquad
    a = \text{gain}\sqrt{\frac{6}{n_\text{in} + n_\text{out}}},\qquad
    \operatorname{Var}(w) = \text{gain}^2\,\frac{2}{n_\text{in} + n_\text{out}}$$

    Fan-in $n_\text{in}$ and fan-out $n_\text{out}$ are PyTorch's: ``in`` and
    ``out`` times the kernel's size $\prod$ ``kernel``. The variance keeps the
    forward signal's and the backward gradient's scale alike from layer to
    layer (a compromise between $1/n_\text{in}$ and $1/n_\text{out}$).

    Examples
    --------
    >>> w = xavier_uniform((256, 128), seed=0)
    >>> bool((abs(w) <= (6 / (256 + 128)) ** 0.5).all())
    True
    """
    xp = get_backend() if xp is None else resolve_backend(xp)
    fan_in, fan_out = _fans(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # U(-a, a) has variance a^2 / 3
    draws = random_generator(seed).uniform(-bound, bound, size=shape)
    return xp.asarray(draws, dtype=default_float(xp) if dtype is None else dtype)


@checked(shape=Shape(fans=True), gain=Real(0, open="low"), seed=Seed(), extra=_backend_and_dtype)
def xavier_normal(shape, *, gain=1.0, seed=None, xp=None, dtype=None):
    r"""Xavier (Glorot) Gaussian weights, as ``torch.nn.init.xavier_normal_``.

    Slide formula: O1 ("Xavier").

    Parameters
    ----------
    shape : tuple of int
        ``(out, in)`` or ``(out, in, *kernel)``, as PyTorch lays out weights.
    gain : float, default=1.0
        Scale for the activation (PyTorch's ``calculate_gain``).
    seed : int or numpy.random.Generator, optional
        Seed of the draws: the same seed gives the same numbers on every backend.
    xp : str or namespace, optional
        Namespace of the result; the default backend if omitted.
    dtype : dtype, optional
        A real floating dtype of ``xp``; float64 where the device has it.

    Returns
    -------
    array
        A new array of ``shape``.

    Raises
    ------
    TypeError
        If ``shape`` is not a tuple of ints, ``gain`` is not a number, ``seed``
        is not an int or Generator, or ``dtype`` is not floating.
    ValueError
        If ``shape`` has fewer than 2 axes or a zero size, ``gain`` is not
        positive or ``seed`` is negative.

    Notes
    -----
    $$w \sim \mathcal N\!\left(0,\ \text{gain}^2\,\frac{2}{n_\text{in} + n_\text{out}}\right)$$

    Fan-in and fan-out as in `xavier_uniform`.

    Examples
    --------
    >>> w = xavier_normal((400, 600), seed=0)
    >>> round(float(w.var() * (400 + 600) / 2), 2)
    1.0
    """
    xp = get_backend() if xp is None else resolve_backend(xp)
    fan_in, fan_out = _fans(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    draws = random_generator(seed).normal(0.0, std, size=shape)
    return xp.asarray(draws, dtype=default_float(xp) if dtype is None else dtype)


@checked(shape=Shape(fans=True), seed=Seed(), extra=_backend_and_dtype)
def he_normal(shape, *, seed=None, xp=None, dtype=None):
    r"""He (Kaiming) Gaussian weights for ReLU layers, as ``torch.nn.init.kaiming_normal_``.

    Slide formula: O1 (He, beside the slide's Xavier).

    Parameters
    ----------
    shape : tuple of int
        ``(out, in)`` or ``(out, in, *kernel)``, as PyTorch lays out weights.
    seed : int or numpy.random.Generator, optional
        Seed of the draws: the same seed gives the same numbers on every backend.
    xp : str or namespace, optional
        Namespace of the result; the default backend if omitted.
    dtype : dtype, optional
        A real floating dtype of ``xp``; float64 where the device has it.

    Returns
    -------
    array
        A new array of ``shape``.

    Raises
    ------
    TypeError
        If ``shape`` is not a tuple of ints, ``seed`` is not an int or
        Generator, or ``dtype`` is not floating.
    ValueError
        If ``shape`` has fewer than 2 axes or a zero size, or ``seed`` is
        negative.

    Notes
    -----
    $$w \sim \mathcal N\!\left(0,\ \frac{2}{n_\text{in}}\right)$$

    PyTorch's defaults (``a=0``, ``mode="fan_in"``, gain $\sqrt2$): a ReLU
    zeroes half of its inputs on average, and the factor 2 makes up for it so
    that the activations keep their variance through the layers.

    Examples
    --------
    >>> w = he_normal((500, 800), seed=0)
    >>> round(float(w.var() * 800 / 2), 2)
    1.0
    """
    xp = get_backend() if xp is None else resolve_backend(xp)
    fan_in, _ = _fans(shape)
    draws = random_generator(seed).normal(0.0, math.sqrt(2.0 / fan_in), size=shape)
    return xp.asarray(draws, dtype=default_float(xp) if dtype is None else dtype)


# --------------------------------------------------------------------------
# Gradient descent (O2)
# --------------------------------------------------------------------------


@checked(param=Floats(), grad=Floats(like="param"), lr=Real(0, open="low"))
def gd_step(param, grad, *, lr):
    r"""One gradient-descent step, $\theta \leftarrow \theta - \eta\,\nabla_\theta L$.

    Slide formula: N5, O2.

    Parameters
    ----------
    param : array-like
        Current parameters $\theta$ (weights, or a scalar bias). Not modified.
    grad : array-like of the same shape
        $\partial L/\partial \theta$ at ``param``.
    lr : float
        Learning rate $\eta > 0$.

    Returns
    -------
    array
        The updated parameters, a new array of ``param``'s shape, namespace
        and floating dtype (a 0-d array for a scalar).

    Raises
    ------
    TypeError
        If an input does not hold real numbers or ``lr`` is not a number.
    ValueError
        If the shapes differ, an input holds NaN or infinity, or ``lr`` is
        not positive.

    Notes
    -----
    $$\theta_{\text{new}} = \theta - \eta\,\frac{\partial L}{\partial \theta}$$

    The minus sign is the point: the gradient points uphill, the step goes
    the other way (erratum X1: the update is not "the derivative of the
    error" but minus the learning rate times the derivative of the loss).

    Examples
    --------
    The slide's step with lr = 0.04: weights (2, 2, 2) and bias 4.

    >>> [round(v, 2) for v in gd_step([2.0, 2.0, 2.0], [8.0, 8.0, 24.0], lr=0.04).tolist()]
    [1.68, 1.68, 1.04]
    >>> round(float(gd_step(4.0, 8.0, lr=0.04)), 2)
    3.68
    """
    xp, param, grad = float_arrays(param, grad)
    return xp.asarray(param - lr * grad)  # NumPy would give a scalar for 0-d input


# --------------------------------------------------------------------------
# Gradient descent on linear least squares (O3, O4)
# --------------------------------------------------------------------------


def _design(xp, x):
    """The rows of ``x`` with a leading 1, so that ``theta[0]`` is the bias."""
    x = xp.reshape(x, (x.shape[0], -1))
    ones = xp.ones((x.shape[0], 1), dtype=x.dtype, device=array_api_compat.device(x))
    return xp.concat([ones, x], axis=1)


@checked(**_LMS, extra=_lms_shapes)
def batch_gd(x, y, theta=None, *, lr, epochs):
    r"""Batch gradient descent for linear least squares, the slide's LMS rule.

    Slide formula: O3.

    Parameters
    ----------
    x : array-like of shape (m, d) or (m,)
        The $m$ samples' features (one feature when 1-D).
    y : array-like of shape (m,)
        Targets.
    theta : array-like of shape (d + 1,), optional
        Start: the bias $\theta_0$ first, then one weight per feature;
        zeros if omitted. Not modified.
    lr : float
        Learning rate $\alpha > 0$ (per summed sample: see Notes).
    epochs : int
        Number of updates, each over all $m$ samples.

    Returns
    -------
    theta : array of shape (d + 1,)
        The parameters after ``epochs`` updates.
    losses : array of shape (epochs,)
        ``losses[i]`` is the mean squared error $\frac1m\sum_i(y^{(i)} -
        h_\theta(x^{(i)}))^2$ before update ``i``.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``lr`` is not a number or
        ``epochs`` not an integer.
    ValueError
        If the shapes do not fit, an input holds NaN or infinity, ``lr`` is
        not positive or ``epochs`` is less than 1.

    Notes
    -----
    $$\theta_j := \theta_j + \alpha \sum_{i=1}^m \big(y^{(i)} - h_\theta(x^{(i)})\big)\,
    x_j^{(i)}\quad\text{for every } j,\qquad h_\theta(x) = \theta_0 + \sum_j \theta_j x_j$$

    As printed, the update **sums** over the samples: it is gradient descent
    on $\frac12\sum_i(y^{(i)} - h_\theta(x^{(i)}))^2$, so the step grows with
    $m$ and a learning rate that works for 100 samples diverges for 10,000.
    `sgd` averages over its mini-batch instead.

    Examples
    --------
    Points on the line $y = 1 + 2x$:

    >>> theta, losses = batch_gd([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0], lr=0.05, epochs=500)
    >>> [round(t, 4) for t in theta.tolist()], float(losses[0])
    ([1.0, 2.0], 21.0)
    """
    xp, x, y = float_arrays(x, y)
    X, dev = _design(xp, x), array_api_compat.device(x)
    theta = xp.zeros(X.shape[1], dtype=X.dtype, device=dev) if theta is None else theta
    losses = []
    for _ in range(epochs):
        residual = y - X @ theta  # y - h_theta(x), every sample
        losses.append(xp.mean(residual**2))
        theta = theta + lr * (residual @ X)  # sum_i (y_i - h(x_i)) x_ij for every j
    return theta, xp.stack(losses)


@checked(**_LMS, batch_size=Count(), seed=Seed(), extra=_lms_shapes)
def sgd(x, y, theta=None, *, lr, epochs, batch_size=1, seed=None):
    r"""Stochastic (mini-batch) gradient descent for linear least squares.

    Slide formula: O4.

    Parameters
    ----------
    x : array-like of shape (m, d) or (m,)
        The $m$ samples' features (one feature when 1-D).
    y : array-like of shape (m,)
        Targets.
    theta : array-like of shape (d + 1,), optional
        Start: the bias first, then one weight per feature; zeros if omitted.
    lr : float
        Learning rate $\alpha > 0$.
    epochs : int
        Number of passes over the data, each in a new random order.
    batch_size : int, default=1
        Samples per update: 1 is the slide's SGD, more a mini-batch. The last
        batch of a pass holds the rest when ``batch_size`` does not divide $m$.
    seed : int or numpy.random.Generator, optional
        Seed of the shuffling: the same seed gives the same run on every backend.

    Returns
    -------
    theta : array of shape (d + 1,)
        The parameters after the last update.
    losses : array of shape (epochs * ceil(m / batch_size),)
        One per update: the mean squared error on all $m$ samples before it,
        as for `batch_gd`.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``lr`` is not a number,
        ``epochs`` or ``batch_size`` not an integer, or ``seed`` not an int.
    ValueError
        If the shapes do not fit, an input holds NaN or infinity, ``lr`` is
        not positive, ``epochs`` or ``batch_size`` is less than 1.

    Notes
    -----
    $$\theta_j := \theta_j + \frac{\alpha}{|B|} \sum_{i \in B} \big(y^{(i)} -
    h_\theta(x^{(i)})\big)\,x_j^{(i)}$$

    for each batch $B$ of a shuffled pass. With $|B| = 1$ this is the slide's
    rule for one random sample. The mini-batch update **averages** (where O3
    sums), so that ``lr`` keeps its meaning when ``batch_size`` changes: the
    step is an estimate of the same mean gradient, only less noisy.

    Examples
    --------
    >>> x, y = [0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0]
    >>> theta, losses = sgd(x, y, lr=0.05, epochs=300, seed=0)
    >>> [round(t, 3) for t in theta.tolist()], losses.shape
    ([1.0, 2.0], (1200,))
    """
    xp, x, y = float_arrays(x, y)
    X, dev = _design(xp, x), array_api_compat.device(x)
    theta = xp.zeros(X.shape[1], dtype=X.dtype, device=dev) if theta is None else theta
    rng, m, losses = random_generator(seed), X.shape[0], []
    for _ in range(epochs):
        order = xp.asarray(rng.permutation(m), device=dev)  # a new random order each pass
        X_pass, y_pass = xp.take(X, order, axis=0), xp.take(y, order, axis=0)
        for start in range(0, m, batch_size):
            stop = min(start + batch_size, m)  # the last batch may be short
            xb, yb = X_pass[start:stop, :], y_pass[start:stop]
            losses.append(xp.mean((y - X @ theta) ** 2))  # on every sample, before the update
            theta = theta + lr * ((yb - xb @ theta) @ xb) / xb.shape[0]  # the batch's mean
    return theta, xp.stack(losses)


# --------------------------------------------------------------------------
# Optimizers as pure step functions (O5-O8)
# --------------------------------------------------------------------------


class MomentumState(NamedTuple):
    r"""State of `momentum_step`.

    Attributes
    ----------
    velocity : array
        The slide's $v_t$ (the last update step, learning rate included).
    """

    velocity: object


class AdagradState(NamedTuple):
    r"""State of `adagrad_step`.

    Attributes
    ----------
    sum_sq : array
        $G_t = \sum_{k \le t} g_k^2$, the sum of the squared gradients so far.
    """

    sum_sq: object


class RMSpropState(NamedTuple):
    r"""State of `rmsprop_step`.

    Attributes
    ----------
    square_avg : array
        $E[g^2]_t$, the running average of the squared gradients.
    """

    square_avg: object


class AdamState(NamedTuple):
    r"""State of `adam_step`.

    Attributes
    ----------
    m : array
        First moment: running mean of the gradients (before bias correction).
    v : array
        Second moment: running mean of the squared gradients (before bias
        correction).
    step : int
        Number of steps taken, $t$.
    """

    m: object
    v: object
    step: int


@checked(**_STEP, state=State(MomentumState), momentum=_RATE)
def momentum_step(param, grad, state=None, *, lr, momentum=0.9):
    r"""One step of gradient descent with momentum, the slide's rule.

    Slide formula: O5.

    Parameters
    ----------
    param : array-like
        Parameters $\theta$. Not modified.
    grad : array-like of the same shape
        $\nabla_\theta J$ at ``param``.
    state : MomentumState, optional
        What the previous step returned; ``None`` on the first step ($v_0 = 0$).
    lr : float
        Learning rate $\eta > 0$.
    momentum : float, default=0.9
        $\gamma \in [0, 1)$; 0 is plain gradient descent.

    Returns
    -------
    new_param : array
        The updated parameters, of ``param``'s shape and floating dtype.
    new_state : MomentumState
        ``velocity`` $v_t$, for the next step.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``lr`` or ``momentum`` is not a
        number, or ``state`` is not this function's state for ``param``.
    ValueError
        If the shapes differ, an input holds NaN or infinity, ``lr`` is not
        positive or ``momentum`` outside [0, 1).

    Notes
    -----
    $$v_t = \gamma\,v_{t-1} + \eta\,\nabla_\theta J(\theta),\qquad \theta = \theta - v_t$$

    PyTorch's ``SGD(momentum=μ)`` keeps $b_t = \mu b_{t-1} + g_t$ and steps
    $\theta = \theta - \eta\,b_t$. With a constant $\eta$, $v_t = \eta\,b_t$ for
    every $t$ (induction: $\eta b_t = \mu\,\eta b_{t-1} + \eta g_t$), so the
    trajectories are the same. When $\eta$ changes, they part: here the old
    steps keep the rate they were taken with; there the whole velocity is
    rescaled by the new rate (the Optimization page shows it).

    Examples
    --------
    >>> p, s = momentum_step([1.0, 2.0], [0.5, -1.0], lr=0.1)
    >>> p.tolist(), s.velocity.tolist()
    ([0.95, 2.1], [0.05, -0.1])
    >>> p, s = momentum_step(p, [0.5, -1.0], s, lr=0.1)
    >>> [round(v, 3) for v in s.velocity.tolist()]
    [0.095, -0.19]
    """
    xp, param, grad = float_arrays(param, grad)
    velocity = xp.zeros_like(param) if state is None else state.velocity
    velocity = xp.asarray(momentum * velocity + lr * grad)
    return xp.asarray(param - velocity), MomentumState(velocity)


@checked(**_STEP, state=State(AdagradState, nonnegative=("sum_sq",)), eps=_EPS)
def adagrad_step(param, grad, state=None, *, lr=0.01, eps=1e-10):
    r"""One AdaGrad step: a learning rate per parameter that only shrinks.

    Slide formula: O6.

    Parameters
    ----------
    param : array-like
        Parameters $\theta$. Not modified.
    grad : array-like of the same shape
        $g_t = \nabla_\theta J$ at ``param``.
    state : AdagradState, optional
        What the previous step returned; ``None`` on the first step ($G_0 = 0$).
    lr : float, default=0.01
        Learning rate $\eta > 0$ (the slide: "most implementations use
        lr=0.01").
    eps : float, default=1e-10
        $\epsilon \ge 0$, added to the root, as PyTorch's ``Adagrad``.

    Returns
    -------
    new_param : array
        The updated parameters.
    new_state : AdagradState
        ``sum_sq`` $G_t$, for the next step.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, an option is not a number, or
        ``state`` is not this function's state for ``param``.
    ValueError
        If the shapes differ, an input holds NaN or infinity, ``lr`` is not
        positive or ``eps`` negative.

    Notes
    -----
    $$G_t = G_{t-1} + g_t^2,\qquad
    \theta = \theta - \frac{\eta}{\sqrt{G_t} + \epsilon}\,g_t$$

    (element-wise). The effective rate $\eta/(\sqrt{G_t}+\epsilon)$ of a
    parameter falls with every gradient it sees: large for rarely updated
    (sparse) features, and, as the slide warns, shrinking toward "no
    learning": with gradients of a steady size $g$ it is $\eta/(g\sqrt t)$.

    Examples
    --------
    >>> p, s = adagrad_step([1.0, 1.0], [0.5, -2.0], lr=0.1)
    >>> [round(v, 6) for v in p.tolist()], s.sum_sq.tolist()
    ([0.9, 1.1], [0.25, 4.0])
    """
    xp, param, grad = float_arrays(param, grad)
    sum_sq = xp.zeros_like(param) if state is None else state.sum_sq
    sum_sq = xp.asarray(sum_sq + grad**2)
    return xp.asarray(param - lr * grad / (xp.sqrt(sum_sq) + eps)), AdagradState(sum_sq)


@checked(**_STEP, state=State(RMSpropState, nonnegative=("square_avg",)), alpha=_RATE, eps=_EPS)
def rmsprop_step(param, grad, state=None, *, lr=0.01, alpha=0.99, eps=1e-8):
    r"""One RMSProp step: the gradient divided by a running root mean square.

    Slide formula: O7.

    Parameters
    ----------
    param : array-like
        Parameters $\theta$. Not modified.
    grad : array-like of the same shape
        $g_t = \nabla_\theta J$ at ``param``.
    state : RMSpropState, optional
        What the previous step returned; ``None`` on the first step.
    lr : float, default=0.01
        Learning rate $\eta > 0$.
    alpha : float, default=0.99
        Decay $\alpha \in [0, 1)$ of the running average.
    eps : float, default=1e-8
        $\epsilon \ge 0$, added to the root, as PyTorch's ``RMSprop``.

    Returns
    -------
    new_param : array
        The updated parameters.
    new_state : RMSpropState
        ``square_avg`` $E[g^2]_t$, for the next step.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, an option is not a number, or
        ``state`` is not this function's state for ``param``.
    ValueError
        If the shapes differ, an input holds NaN or infinity, ``lr`` is not
        positive, ``alpha`` outside [0, 1) or ``eps`` negative.

    Notes
    -----
    $$E[g^2]_t = \alpha\,E[g^2]_{t-1} + (1 - \alpha)\,g_t^2,\qquad
    \theta = \theta - \frac{\eta}{\sqrt{E[g^2]_t} + \epsilon}\,g_t$$

    "Divide the learning rate for a weight by a running average of the
    magnitudes of recent gradients": unlike AdaGrad's sum, the average
    forgets old gradients, so the rate does not decay to zero. PyTorch's
    default (``centered=False``, no momentum); the running average starts at
    0, without bias correction.

    Examples
    --------
    >>> p, s = rmsprop_step([1.0, 1.0], [0.5, -2.0], lr=0.01)
    >>> [round(v, 4) for v in p.tolist()], [round(v, 4) for v in s.square_avg.tolist()]
    ([0.9, 1.1], [0.0025, 0.04])
    """
    xp, param, grad = float_arrays(param, grad)
    square_avg = xp.zeros_like(param) if state is None else state.square_avg
    square_avg = xp.asarray(alpha * square_avg + (1 - alpha) * grad * grad)
    return xp.asarray(param - lr * grad / (xp.sqrt(square_avg) + eps)), RMSpropState(square_avg)


@checked(**_STEP, state=State(AdamState, nonnegative=("v",)), betas=Betas(), eps=_EPS)
def adam_step(param, grad, state=None, *, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    r"""One Adam step: momentum on the gradients, scaled by their root mean square.

    Slide formula: O8, erratum X8.

    Parameters
    ----------
    param : array-like
        Parameters $\theta$. Not modified.
    grad : array-like of the same shape
        $g_t = \nabla_\theta J$ at ``param``.
    state : AdamState, optional
        What the previous step returned; ``None`` on the first step.
    lr : float, default=0.001
        Learning rate $\eta > 0$.
    betas : (float, float), default=(0.9, 0.999)
        Decay rates $\beta_1, \beta_2 \in [0, 1)$ of the two moments.
    eps : float, default=1e-8
        $\epsilon \ge 0$, added to the root, as PyTorch's ``Adam``.

    Returns
    -------
    new_param : array
        The updated parameters.
    new_state : AdamState
        ``m``, ``v`` and ``step`` $t$, for the next step.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, an option is not a number (or
        ``betas`` not a pair), or ``state`` is not this function's state for
        ``param``.
    ValueError
        If the shapes differ, an input holds NaN or infinity, ``lr`` is not
        positive, a beta outside [0, 1) or ``eps`` negative.

    Notes
    -----
    $$m_t = \beta_1 m_{t-1} + (1-\beta_1)\,g_t,\quad
    v_t = \beta_2 v_{t-1} + (1-\beta_2)\,g_t^2,\quad
    \theta = \theta - \eta\,\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}$$

    $m$ and $v$ start at 0, so for small $t$ they underestimate the mean
    gradient and the mean squared gradient; dividing by $1-\beta^t$ corrects
    that bias (the first step moves every parameter by about $\eta$).
    The corrections are numbers, not arrays: the step is computed as
    $\theta - \alpha_t\, m_t / (\sqrt{v_t} + \hat\epsilon_t)$ with
    $\alpha_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)$ and
    $\hat\epsilon_t = \epsilon\sqrt{1-\beta_2^t}$, the same update (to
    rounding) with fewer passes over the arrays. Each new array is made once
    and then updated in place, so the step allocates only what it returns.
    Erratum X8: the slide says Adam "uses second order momentums"; $v$ is the
    second *moment* of the gradients (the mean of their squares), not
    second-order (curvature, Hessian) information.

    Examples
    --------
    >>> p, s = adam_step([1.0, 1.0], [0.5, -2.0], lr=0.1)
    >>> [round(v, 6) for v in p.tolist()], s.step
    ([0.9, 1.1], 1)
    """
    xp, param, grad = float_arrays(param, grad)
    beta1, beta2 = betas
    m, v, step = (xp.zeros_like(param), xp.zeros_like(param), 0) if state is None else state
    step += 1
    # beta m + (1 - beta) g written as m + (1 - beta)(g - m): one new array, updated in place
    new_m = grad - m
    new_m *= 1 - beta1
    new_m += m  # first moment: mean gradient
    new_v = grad * grad
    new_v -= v
    new_v *= 1 - beta2
    new_v += v  # second moment: mean squared gradient
    # the bias corrections m / (1 - beta1^t) and v / (1 - beta2^t), folded into two scalars
    root = math.sqrt(1 - beta2**step)
    step_size = lr * root / (1 - beta1**step)
    new = xp.sqrt(new_v)
    new += eps * root
    new **= -1
    new *= new_m  # m / (sqrt(v) + eps sqrt(1 - beta2^t))
    new *= -step_size
    new += param  # param - step_size * m / (sqrt(v) + eps sqrt(1 - beta2^t))
    return xp.asarray(new), AdamState(xp.asarray(new_m), xp.asarray(new_v), step)

r"""Regularization (000 part 4): normalization layers, dropout, penalties, weight decay.

The slides list "Batchnorm (instance norm, ...)", "Dropout", "l1/l2" and
"Weight decay", and answer overfitting with "use regularization, use BN, use
dropout". Each is one pure function here:

* `batch_norm` and its backward pass `batch_norm_backward` (training mode:
  batch statistics, and the running averages' update; eval mode: the running
  statistics); `layer_norm`, `instance_norm` and `group_norm`, which differ
  only in the axes they average over;
* `dropout`, with inverted scaling and its seeded mask returned;
* `l1_penalty`, `l2_penalty` and their gradients;
* `weight_decay`, coupled (L2 in the gradient) or decoupled (AdamW).

Layouts follow PyTorch: channels first, ``(N, C)`` or ``(N, C, *spatial)``.
Nothing is modified in place: `batch_norm` returns the new running averages
instead of updating buffers.
"""

from __future__ import annotations

import math

from array_api_compat import device

from dlnotes._checks import Choice, Count, Flag, Floats, Optional, Real, Seed, checked
from dlnotes.backend import float_arrays, random_generator

__all__ = [
    "batch_norm",
    "batch_norm_backward",
    "dropout",
    "group_norm",
    "instance_norm",
    "l1_penalty",
    "l1_penalty_grad",
    "l2_penalty",
    "l2_penalty_grad",
    "layer_norm",
    "weight_decay",
]

WEIGHT_DECAY_MODES = ("coupled", "decoupled")

_EPS = Real(0, open="low")  # the variance's guard: finite and > 0
_LAM = Real(0)  # a penalty's strength: finite and >= 0
_AFFINE = Optional(Floats())  # gamma, beta: optional, shape checked by the rules below


# --------------------------------------------------------------------------
# Rules that tie arguments together (`checked`'s ``extra``; no snippet carries them)
# --------------------------------------------------------------------------


def _require_shape(call, name, shape, what):
    a = call.args.get(name)
    if a is not None and tuple(a.shape) != shape:
        raise ValueError(f"{name} must have shape {shape} ({what}), got shape {tuple(a.shape)}")


def _channels_first(call, least=2):
    x = call.args["x"]
    if x.ndim < least:
        layout = "(N, C)" if least == 2 else "(N, C, *spatial)"
        raise ValueError(
            f"x must be {layout} with at least {least} dimensions, got shape {tuple(x.shape)}"
        )
    return x.shape[1]


def _batch_norm_rule(call):
    args = call.args
    channels = _channels_first(call)
    for name in ("gamma", "beta", "running_mean", "running_var"):
        _require_shape(call, name, (channels,), "one value per channel of x, axis 1")
    given = [args["running_mean"] is not None, args["running_var"] is not None]
    if not args["training"] and not all(given):
        missing = " and ".join(n for n, g in zip(("running_mean", "running_var"), given) if not g)
        raise ValueError(
            f"{missing} must be given with training=False: eval mode normalises with "
            "the running statistics"
        )
    if any(given) and not all(given):
        raise ValueError("running_mean and running_var must be given together or both omitted")
    x = args["x"]
    if args["training"] and math.prod(x.shape) // channels < 2:
        raise ValueError(
            f"x must hold more than one value per channel in training mode (the batch "
            f"variance needs two), got shape {tuple(x.shape)}"
        )


def _batch_norm_backward_rule(call):
    channels = _channels_first(call)
    _require_shape(call, "gamma", (channels,), "one value per channel of x, axis 1")


def _layer_norm_rule(call):
    x, k = call.args["x"], call.args["normalized_ndim"]
    if k > x.ndim:
        raise ValueError(
            f"normalized_ndim must be at most x's number of dimensions {x.ndim}, got {k}"
        )
    shape = tuple(x.shape[x.ndim - k :])
    for name in ("gamma", "beta"):
        _require_shape(call, name, shape, f"the last normalized_ndim={k} axes of x")


def _instance_norm_rule(call):
    channels = _channels_first(call, least=3)
    for name in ("gamma", "beta"):
        _require_shape(call, name, (channels,), "one value per channel of x, axis 1")


def _group_norm_rule(call):
    channels, groups = _channels_first(call), call.args["num_groups"]
    if channels % groups:
        raise ValueError(
            f"num_groups must divide the number of channels C = {channels} (x's axis 1), "
            f"got {groups}"
        )
    for name in ("gamma", "beta"):
        _require_shape(call, name, (channels,), "one value per channel of x, axis 1")


# --------------------------------------------------------------------------
# Shared pieces of math (a snippet inlines them)
# --------------------------------------------------------------------------


def _per_channel(xp, v, ndim):
    """A per-channel vector ``(C,)`` reshaped to ``(1, C, 1, ...)`` to broadcast against x."""
    return xp.reshape(v, (1, v.shape[0]) + (1,) * (ndim - 2))


def _deviations(xp, x):
    """Per channel (axis 1): the mean, ``x - mean`` (a new array) and the biased variance."""
    n, c = x.shape[0], x.shape[1]
    mean = xp.mean(x, axis=(0, *range(2, x.ndim)))
    d = x - _per_channel(xp, mean, x.ndim)
    # sum of squares as squared norms: a reduction, no squared full-size temporary
    norms = xp.linalg.vector_norm(xp.reshape(d, (n, c, -1)), axis=2)
    return mean, d, xp.sum(norms**2, axis=0) / (math.prod(x.shape) // c)


def _normalize(xp, x, axes, eps):
    """$(x - \\mu) / \\sqrt{\\sigma^2 + \\epsilon}$, mean and biased variance over ``axes``."""
    mean = xp.mean(x, axis=axes, keepdims=True)
    var = xp.var(x, axis=axes, keepdims=True)  # biased: divided by the count, not count - 1
    return (x - mean) / xp.sqrt(var + eps)


def _affine(y, gamma, beta):
    """$\\gamma y + \\beta$, each part only where given."""
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return y


# --------------------------------------------------------------------------
# Weight decay (R5)
# --------------------------------------------------------------------------


@checked(
    param=Floats(),
    grad=Floats(like="param"),
    lr=Real(0, open="low"),
    decay=Real(0),
    mode=Choice(*WEIGHT_DECAY_MODES),
)
def weight_decay(param, grad, *, lr, decay, mode="coupled"):
    r"""Weight decay, coupled (L2 in the gradient) or decoupled (as AdamW).

    Slide formula: R5.

    Parameters
    ----------
    param : array-like
        Current parameters $\theta$. Not modified.
    grad : array-like of the same shape
        $\partial L/\partial\theta$ of the loss without the penalty.
    lr : float
        Learning rate $\eta > 0$ of the step that follows (used by
        ``"decoupled"``; ``"coupled"`` leaves it to the optimizer).
    decay : float
        Decay strength $\lambda \ge 0$ (PyTorch's ``weight_decay``).
    mode : {"coupled", "decoupled"}, default="coupled"
        ``"coupled"`` returns the decayed **gradient** $g + \lambda\theta$, to
        pass to any optimizer step (``torch.optim.SGD``/``Adam``'s
        ``weight_decay``). ``"decoupled"`` returns the decayed **parameter**
        $\theta - \eta\lambda\theta$, to pass with the plain ``grad`` to the
        optimizer step (``torch.optim.AdamW``).

    Returns
    -------
    array
        The decayed gradient (coupled) or parameter (decoupled), a new array
        of ``param``'s shape, namespace and floating dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``lr`` or ``decay`` is not a
        number, or ``mode`` is not a string.
    ValueError
        If the shapes differ, an input is not finite, ``lr`` is not positive,
        ``decay`` is negative or ``mode`` is unknown.

    Notes
    -----
    $$\text{coupled: } g \leftarrow g + \lambda\theta,\qquad
    \text{decoupled: } \theta \leftarrow \theta - \eta\lambda\theta$$

    Coupled decay is the gradient of the L2 penalty $\frac{\lambda}{2}\lVert
    \theta\rVert^2$ (`l2_penalty_grad`) added to the loss's gradient. For
    plain gradient descent both modes give the same step,
    $\theta - \eta g - \eta\lambda\theta$. An adaptive optimizer (AdaGrad,
    RMSProp, Adam) divides the coupled term by its running scale of the
    gradients, so weights with large gradients are barely decayed; decoupled
    decay shrinks every weight by the same factor $1 - \eta\lambda$, outside
    that scaling (Loshchilov & Hutter, *Decoupled Weight Decay
    Regularization*, 2019).

    Examples
    --------
    >>> weight_decay([1.0, -2.0], [0.5, 0.5], lr=0.1, decay=0.01).tolist()
    [0.51, 0.48]
    >>> [round(v, 6) for v in weight_decay([1.0, -2.0], [0.5, 0.5], lr=0.1, decay=0.01,
    ...                                    mode="decoupled").tolist()]
    [0.999, -1.998]
    """
    xp, param, grad = float_arrays(param, grad)
    if mode == "coupled":  # the L2 penalty's gradient joins the loss's gradient
        return xp.asarray(grad + decay * param)
    return xp.asarray((1.0 - lr * decay) * param)  # shrink, outside the optimizer's scaling


# --------------------------------------------------------------------------
# L1 and L2 penalties (R4)
# --------------------------------------------------------------------------


@checked(weights=Floats(), lam=_LAM)
def l1_penalty(weights, *, lam):
    r"""L1 penalty $\lambda\sum_i \lvert w_i\rvert$ (lasso): pushes weights to exactly 0.

    Slide formula: R4.

    Parameters
    ----------
    weights : array-like
        The weights $w$ to penalise (usually not the biases).
    lam : float
        Strength $\lambda \ge 0$.

    Returns
    -------
    array
        0-d array of the input's namespace and floating dtype.

    Raises
    ------
    TypeError
        If ``weights`` does not hold real numbers or ``lam`` is not a number.
    ValueError
        If ``weights`` is empty or not finite, or ``lam`` is negative.

    Notes
    -----
    $$\Omega_1(w) = \lambda\sum_i \lvert w_i\rvert$$

    Added to the loss. Its gradient `l1_penalty_grad` has the same size for
    every nonzero weight, so small weights are driven all the way to 0.

    Examples
    --------
    >>> round(float(l1_penalty([1.0, -2.0, 0.5], lam=0.1)), 6)
    0.35
    """
    xp, weights = float_arrays(weights)
    return xp.asarray(lam * xp.sum(xp.abs(weights)))


@checked(weights=Floats(), lam=_LAM)
def l1_penalty_grad(weights, *, lam):
    r"""Gradient of `l1_penalty`: $\lambda\,\operatorname{sign}(w)$ (0 where $w = 0$).

    Slide formula: R4.

    Parameters
    ----------
    weights : array-like
        The weights $w$.
    lam : float
        Strength $\lambda \ge 0$.

    Returns
    -------
    array
        Of ``weights``' shape, namespace and floating dtype.

    Raises
    ------
    TypeError
        If ``weights`` does not hold real numbers or ``lam`` is not a number.
    ValueError
        If ``weights`` is empty or not finite, or ``lam`` is negative.

    Notes
    -----
    $$\frac{\partial\Omega_1}{\partial w_i} = \lambda\,\operatorname{sign}(w_i)$$

    $\lvert w\rvert$ has no derivative at 0; the subgradient 0 is used there,
    as PyTorch's autograd does.

    Examples
    --------
    >>> l1_penalty_grad([1.0, -2.0, 0.0], lam=0.1).tolist()
    [0.1, -0.1, 0.0]
    """
    xp, weights = float_arrays(weights)
    # sign(w) as [w > 0] - [w < 0]: xp.sign on torch writes NaNs back through a mask (a sync)
    sign = xp.astype(weights > 0, weights.dtype) - xp.astype(weights < 0, weights.dtype)
    return lam * sign


@checked(weights=Floats(), lam=_LAM)
def l2_penalty(weights, *, lam):
    r"""L2 penalty $\frac{\lambda}{2}\sum_i w_i^2$ (ridge): shrinks large weights most.

    Slide formula: R4.

    Parameters
    ----------
    weights : array-like
        The weights $w$ to penalise (usually not the biases).
    lam : float
        Strength $\lambda \ge 0$.

    Returns
    -------
    array
        0-d array of the input's namespace and floating dtype.

    Raises
    ------
    TypeError
        If ``weights`` does not hold real numbers or ``lam`` is not a number.
    ValueError
        If ``weights`` is empty or not finite, or ``lam`` is negative.

    Notes
    -----
    $$\Omega_2(w) = \frac{\lambda}{2}\sum_i w_i^2$$

    The $\frac12$ makes the gradient $\lambda w$: coupled `weight_decay`
    with ``decay=lam``.

    Examples
    --------
    >>> float(l2_penalty([1.0, -2.0, 0.5], lam=0.1))
    0.2625
    """
    xp, weights = float_arrays(weights)
    return xp.asarray(lam / 2 * xp.sum(weights**2))


@checked(weights=Floats(), lam=_LAM)
def l2_penalty_grad(weights, *, lam):
    r"""Gradient of `l2_penalty`: $\lambda w$.

    Slide formula: R4.

    Parameters
    ----------
    weights : array-like
        The weights $w$.
    lam : float
        Strength $\lambda \ge 0$.

    Returns
    -------
    array
        Of ``weights``' shape, namespace and floating dtype.

    Raises
    ------
    TypeError
        If ``weights`` does not hold real numbers or ``lam`` is not a number.
    ValueError
        If ``weights`` is empty or not finite, or ``lam`` is negative.

    Notes
    -----
    $$\frac{\partial\Omega_2}{\partial w_i} = \lambda w_i$$

    Examples
    --------
    >>> l2_penalty_grad([1.0, -2.0, 0.5], lam=0.1).tolist()
    [0.1, -0.2, 0.05]
    """
    xp, weights = float_arrays(weights)
    return xp.asarray(lam * weights)


# --------------------------------------------------------------------------
# Dropout (R3)
# --------------------------------------------------------------------------


@checked(x=Floats(), p=Real(0, 1, open="high"), training=Flag(), seed=Seed())
def dropout(x, p=0.5, *, training=True, seed=None):
    r"""Dropout with inverted scaling: zero each unit with probability ``p``, scale the rest.

    Slide formula: R3.

    Parameters
    ----------
    x : array-like
        Activations. Not modified.
    p : float, default=0.5
        Probability of dropping a unit, in $[0, 1)$.
    training : bool, default=True
        ``False`` (evaluation): ``y`` equals ``x`` and nothing is dropped.
    seed : int or numpy.random.Generator, optional
        Seed of the mask: the same seed gives the same mask on every backend
        (NumPy draws it, then it moves to ``x``'s namespace and device).

    Returns
    -------
    y : array
        ``x`` with the dropped units set to 0 and the kept ones divided by
        $1 - p$; ``x``'s shape, namespace and floating dtype.
    mask : array of bool
        True where a unit is kept (all True in evaluation); backward, the
        gradient is ``grad_y * mask / (1 - p)``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers, ``p`` is not a number,
        ``training`` is not a bool or ``seed`` is not an integer or Generator.
    ValueError
        If ``p`` is outside $[0, 1)$, ``x`` is empty or not finite, or
        ``seed`` is negative.

    Notes
    -----
    $$m_i \sim \text{Bernoulli}(1 - p),\qquad y_i = \frac{m_i\,x_i}{1 - p}$$

    Dividing by $1 - p$ during training keeps the expectation,
    $\mathbb{E}[y_i] = x_i$, so the network needs no change at test time:
    evaluation is the identity (inverted dropout, as PyTorch does it). The
    original paper instead multiplied the weights by $1 - p$ at test time.

    Examples
    --------
    >>> y, mask = dropout([1.0, 2.0, 3.0, 4.0], p=0.5, seed=3)
    >>> y.tolist(), mask.tolist()
    ([0.0, 0.0, 6.0, 8.0], [False, False, True, True])
    >>> dropout([1.0, 2.0], training=False)[0].tolist()
    [1.0, 2.0]
    """
    xp, x = float_arrays(x)
    if not training:
        return xp.asarray(x, copy=True), xp.ones(x.shape, dtype=xp.bool, device=device(x))
    keep = random_generator(seed).random(tuple(x.shape)) >= p  # True with probability 1 - p
    mask = xp.asarray(keep, device=device(x))
    return xp.where(mask, x / (1.0 - p), xp.zeros_like(x)), mask


# --------------------------------------------------------------------------
# Batch normalization (R1)
# --------------------------------------------------------------------------


@checked(
    x=Floats(),
    gamma=Floats(),
    beta=Floats(),
    running_mean=Optional(Floats()),
    running_var=Optional(Floats(low=0.0)),
    training=Flag(),
    momentum=Real(0, 1),
    eps=_EPS,
    extra=_batch_norm_rule,
)
def batch_norm(
    x, gamma, beta, running_mean=None, running_var=None, *, training=True, momentum=0.1, eps=1e-5
):
    r"""Batch normalization: per channel, normalise over batch (and space), then scale and shift.

    Slide formula: R1.

    Parameters
    ----------
    x : array-like of shape (N, C) or (N, C, *spatial)
        Activations, channels on axis 1 (PyTorch's layout). Not modified.
    gamma : array-like of shape (C,)
        Scale $\gamma$ (PyTorch's ``weight``).
    beta : array-like of shape (C,)
        Shift $\beta$ (PyTorch's ``bias``).
    running_mean : array-like of shape (C,), optional
        Running average of the batch means. In training, ``None`` starts
        from PyTorch's initial value, zeros.
    running_var : array-like of shape (C,), optional
        Running average of the (unbiased) batch variances, >= 0. In training,
        ``None`` starts from PyTorch's initial value, ones. Give both running
        arrays or neither.
    training : bool, default=True
        ``True``: normalise with the batch statistics and update the running
        ones. ``False`` (evaluation): normalise with the running statistics,
        which are then required and returned unchanged.
    momentum : float, default=0.1
        Weight of the new batch in the running averages, in [0, 1].
    eps : float, default=1e-5
        Added to the variance before the square root, > 0.

    Returns
    -------
    y : array of x's shape
        The normalised, scaled and shifted activations.
    new_running_mean, new_running_var : arrays of shape (C,)
        The updated running statistics (the given ones in evaluation).

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``training`` is not a bool or
        ``momentum``/``eps`` is not a number.
    ValueError
        If ``x`` has fewer than 2 dimensions, a per-channel array is not of
        shape ``(C,)``, a running array is missing in evaluation (or only one
        is given), ``x`` holds one value per channel in training, an input
        is not finite, ``running_var`` is negative, ``momentum`` is outside
        [0, 1] or ``eps`` is not positive.

    Notes
    -----
    $$\mu_c = \frac1m\sum_{i} x_{ic},\quad
    \sigma_c^2 = \frac1m\sum_{i} (x_{ic} - \mu_c)^2,\quad
    y_{ic} = \gamma_c\,\frac{x_{ic} - \mu_c}{\sqrt{\sigma_c^2 + \epsilon}} + \beta_c$$

    The sums run over the $m = N\cdot H\cdot W\cdots$ values of channel $c$.
    In training the running averages move toward the batch's statistics,

    $$\hat\mu \leftarrow (1 - \alpha)\hat\mu + \alpha\mu_c,\qquad
    \hat\sigma^2 \leftarrow (1 - \alpha)\hat\sigma^2 + \alpha\,\frac{m}{m - 1}\sigma_c^2,$$

    with $\alpha$ the ``momentum``. Note the two variances: the batch is
    normalised with the **biased** variance $\sigma_c^2$ (divided by $m$:
    the batch's own spread), while the running variance, an estimate of the
    population's, takes the **unbiased** one (divided by $m - 1$), as
    PyTorch does. In evaluation $y = \gamma(x - \hat\mu)/\sqrt{\hat\sigma^2 +
    \epsilon} + \beta$: each sample's output no longer depends on the rest of
    its batch. The backward pass of training mode is `batch_norm_backward`.

    Examples
    --------
    >>> y, mean, var = batch_norm([[1.0], [3.0]], [1.0], [0.0])
    >>> [round(v, 4) for v in y[:, 0].tolist()], mean.tolist(), var.tolist()
    ([-1.0, 1.0], [0.2], [1.1])
    """
    xp, x, gamma, beta = float_arrays(x, gamma, beta)
    if training:  # the batch's mean and biased variance (divided by m)
        mean, y, var = _deviations(xp, x)  # y = x - mean, a new array that becomes the output
        m = math.prod(x.shape) // x.shape[1]  # values per channel
        if running_mean is None:  # PyTorch's initial buffers
            running_mean, running_var = xp.zeros_like(mean), xp.ones_like(var)
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * (var * (m / (m - 1)))  # unbiased
    else:  # evaluation: the running statistics, returned unchanged
        var = running_var
        y = x - _per_channel(xp, running_mean, x.ndim)
    # y = gamma (x - mean) / sqrt(var + eps) + beta, in place on our own new array
    y *= _per_channel(xp, gamma / xp.sqrt(var + eps), x.ndim)
    y += _per_channel(xp, beta, x.ndim)
    return y, running_mean, running_var


@checked(
    grad_out=Floats(),
    x=Floats(like="grad_out"),
    gamma=Floats(),
    eps=_EPS,
    extra=_batch_norm_backward_rule,
)
def batch_norm_backward(grad_out, x, gamma, *, eps=1e-5):
    r"""Gradients of training-mode `batch_norm` with respect to x, gamma and beta.

    Slide formula: R1.

    Parameters
    ----------
    grad_out : array-like of x's shape
        $\partial L/\partial y$, the gradient arriving from the next layer.
    x : array-like of shape (N, C) or (N, C, *spatial)
        The input of the forward pass (its batch statistics are recomputed).
    gamma : array-like of shape (C,)
        The scale $\gamma$ of the forward pass.
    eps : float, default=1e-5
        The forward pass's ``eps``.

    Returns
    -------
    grad_x : array of x's shape
        $\partial L/\partial x$, through the batch statistics too.
    grad_gamma, grad_beta : arrays of shape (C,)
        $\partial L/\partial\gamma$ and $\partial L/\partial\beta$.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or ``eps`` is not a number.
    ValueError
        If the shapes of ``grad_out`` and ``x`` differ, ``x`` has fewer than 2
        dimensions, ``gamma`` is not of shape ``(C,)``, an input is not
        finite or ``eps`` is not positive.

    Notes
    -----
    $$\frac{\partial L}{\partial x_{ic}} = \frac{\gamma_c}{\sqrt{\sigma_c^2 + \epsilon}}
    \Bigl(g_{ic} - \frac1m\sum_j g_{jc}
    - \hat x_{ic}\,\frac1m\sum_j g_{jc}\,\hat x_{jc}\Bigr)$$

    with $g = \partial L/\partial y$ and $\hat x = (x - \mu)/\sqrt{\sigma^2 +
    \epsilon}$; $\partial L/\partial\gamma_c = \sum_j g_{jc}\hat x_{jc}$ and
    $\partial L/\partial\beta_c = \sum_j g_{jc}$. The two subtracted means are
    the paths through $\mu$ and $\sigma^2$: every sample of the batch moves
    the statistics that normalise the others. They make the gradient of x
    sum to zero over each channel.

    Examples
    --------
    >>> gx, gg, gb = batch_norm_backward([[1.0], [0.0], [0.0]], [[1.0], [2.0], [3.0]], [1.0])
    >>> [round(v, 4) for v in gx[:, 0].tolist()], round(float(gg[0]), 4), gb.tolist()
    ([0.2041, -0.4082, 0.2041], -1.2247, [1.0])
    """
    xp, grad_out, x, gamma = float_arrays(grad_out, x, gamma)
    axes = (0, *range(2, x.ndim))
    m = math.prod(x.shape) // x.shape[1]  # values per channel
    _, centred, var = _deviations(xp, x)  # x - mean, a new array: it becomes grad_x
    inv_std = 1 / xp.sqrt(var + eps)  # x_hat = centred * inv_std
    grad_beta = xp.sum(grad_out, axis=axes)
    rows = (x.shape[0], x.shape[1], -1)  # sum of grad_out * x_hat as dot products of rows
    dots = xp.vecdot(xp.reshape(grad_out, rows), xp.reshape(centred, rows), axis=-1)
    grad_gamma = inv_std * xp.sum(dots, axis=0)
    # grad_x = gamma inv_std (grad_out - mean(grad_out) - x_hat mean(grad_out x_hat)),
    # in place in centred's memory: one full-size array for the whole backward pass
    grad_x = centred
    grad_x *= _per_channel(xp, inv_std * grad_gamma / m, x.ndim)
    grad_x += _per_channel(xp, grad_beta / m, x.ndim)
    grad_x -= grad_out
    grad_x *= _per_channel(xp, -gamma * inv_std, x.ndim)
    return grad_x, grad_gamma, grad_beta


# --------------------------------------------------------------------------
# Layer, instance and group normalization (R2)
# --------------------------------------------------------------------------


@checked(
    x=Floats(),
    gamma=_AFFINE,
    beta=_AFFINE,
    normalized_ndim=Count(1),
    eps=_EPS,
    extra=_layer_norm_rule,
)
def layer_norm(x, gamma=None, beta=None, *, normalized_ndim=1, eps=1e-5):
    r"""Layer normalization: each sample normalised over its last ``normalized_ndim`` axes.

    Slide formula: R2.

    Parameters
    ----------
    x : array-like of shape (..., *normalized_shape)
        Activations. Not modified.
    gamma : array-like of shape normalized_shape, optional
        Element-wise scale (PyTorch's ``weight``); none if omitted.
    beta : array-like of shape normalized_shape, optional
        Element-wise shift (PyTorch's ``bias``); none if omitted.
    normalized_ndim : int, default=1
        How many trailing axes to normalise over (``len(normalized_shape)``
        in PyTorch), from 1 to ``x.ndim``.
    eps : float, default=1e-5
        Added to the variance, > 0.

    Returns
    -------
    array
        Of ``x``'s shape, namespace and floating dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or an option has the wrong type.
    ValueError
        If ``normalized_ndim`` is less than 1 or more than ``x.ndim``,
        ``gamma``/``beta`` do not have the shape of those axes, or an input is
        empty or not finite.

    Notes
    -----
    $$y = \gamma\odot\frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta$$

    with $\mu$ and the biased $\sigma^2$ of each sample over the normalised
    axes (for ``(N, C, H, W)`` and ``normalized_ndim=3``: over C, H and W).
    Nothing depends on the other samples of the batch, so training and
    evaluation compute the same thing.

    Examples
    --------
    >>> [round(v, 4) for v in layer_norm([[1.0, 2.0, 3.0]])[0].tolist()]
    [-1.2247, 0.0, 1.2247]
    """
    xp, x = float_arrays(x)
    y = _normalize(xp, x, tuple(range(x.ndim - normalized_ndim, x.ndim)), eps)
    return _affine(y, gamma, beta)


@checked(x=Floats(), gamma=_AFFINE, beta=_AFFINE, eps=_EPS, extra=_instance_norm_rule)
def instance_norm(x, gamma=None, beta=None, *, eps=1e-5):
    r"""Instance normalization: each sample's each channel normalised over its spatial axes.

    Slide formula: R2.

    Parameters
    ----------
    x : array-like of shape (N, C, *spatial)
        Activations with at least one spatial axis. Not modified.
    gamma : array-like of shape (C,), optional
        Per-channel scale; none if omitted.
    beta : array-like of shape (C,), optional
        Per-channel shift; none if omitted.
    eps : float, default=1e-5
        Added to the variance, > 0.

    Returns
    -------
    array
        Of ``x``'s shape, namespace and floating dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or ``eps`` is not a number.
    ValueError
        If ``x`` has fewer than 3 dimensions, ``gamma``/``beta`` are not of
        shape ``(C,)``, an input is empty or not finite, or ``eps`` is not
        positive.

    Notes
    -----
    $$y_{nc} = \gamma_c\,\frac{x_{nc} - \mu_{nc}}{\sqrt{\sigma_{nc}^2 + \epsilon}} + \beta_c$$

    with $\mu_{nc}$, $\sigma^2_{nc}$ (biased) over the $H\cdot W\cdots$ values
    of channel $c$ of sample $n$: each image's contrast per channel is
    removed (style transfer's normalization). This is
    ``torch.nn.functional.instance_norm`` without running statistics.

    Examples
    --------
    >>> y = instance_norm([[[1.0, 3.0], [10.0, 20.0]]])
    >>> [[round(v, 4) for v in row] for row in y[0].tolist()]
    [[-1.0, 1.0], [-1.0, 1.0]]
    """
    xp, x = float_arrays(x)
    y = _normalize(xp, x, tuple(range(2, x.ndim)), eps)
    gamma = None if gamma is None else _per_channel(xp, gamma, x.ndim)
    beta = None if beta is None else _per_channel(xp, beta, x.ndim)
    return _affine(y, gamma, beta)


@checked(
    x=Floats(),
    num_groups=Count(1),
    gamma=_AFFINE,
    beta=_AFFINE,
    eps=_EPS,
    extra=_group_norm_rule,
)
def group_norm(x, num_groups, gamma=None, beta=None, *, eps=1e-5):
    r"""Group normalization: each sample's channels split into groups, each group normalised.

    Slide formula: R2.

    Parameters
    ----------
    x : array-like of shape (N, C) or (N, C, *spatial)
        Activations. Not modified.
    num_groups : int
        Number of groups $G$; it must divide $C$. ``1`` is layer norm over
        ``(C, *spatial)``; ``C`` is instance norm.
    gamma : array-like of shape (C,), optional
        Per-channel scale; none if omitted.
    beta : array-like of shape (C,), optional
        Per-channel shift; none if omitted.
    eps : float, default=1e-5
        Added to the variance, > 0.

    Returns
    -------
    array
        Of ``x``'s shape, namespace and floating dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or an option has the wrong type.
    ValueError
        If ``num_groups`` does not divide the channels, ``x`` has fewer than
        2 dimensions, ``gamma``/``beta`` are not of shape ``(C,)``, or an
        input is empty or not finite.

    Notes
    -----
    $$y_{nc} = \gamma_c\,\frac{x_{nc} - \mu_{ng}}{\sqrt{\sigma_{ng}^2 + \epsilon}} + \beta_c,
    \qquad g = \lfloor c\,G / C\rfloor$$

    with $\mu_{ng}$, $\sigma^2_{ng}$ (biased) over the $C/G$ channels of group
    $g$ and all their spatial positions, for sample $n$. Independent of the
    batch size, it suits small batches where batch norm's statistics are noisy.

    Examples
    --------
    >>> y = group_norm([[1.0, 3.0, 10.0, 20.0]], 2)
    >>> [round(v, 4) for v in y[0].tolist()]
    [-1.0, 1.0, -1.0, 1.0]
    """
    xp, x = float_arrays(x)
    n = x.shape[0]
    grouped = xp.reshape(x, (n, num_groups, math.prod(x.shape) // (n * num_groups)))
    y = xp.reshape(_normalize(xp, grouped, (2,), eps), x.shape)
    gamma = None if gamma is None else _per_channel(xp, gamma, x.ndim)
    beta = None if beta is None else _per_channel(xp, beta, x.ndim)
    return _affine(y, gamma, beta)

r"""The neuron, the layer, and how a neuron learns (slides 004; 000 parts 1 and 5).

One neuron computes $\hat y = a(w^\top x + b)$; a layer does the same for many
units at once. Learning means nudging $w$ and $b$ against the gradient of a
loss: `gradients` gives the chain rule of the 14 → 10.16 example,
`delta_rule` the OR-gate weight updates of the workshop deck and
`perceptron_train` the perceptron rule with bias and step activation.

The two training loops are sequential by definition (one sample, one update),
so they loop over samples in Python; everything else is vectorised.
"""

from __future__ import annotations

from typing import NamedTuple

from dlnotes import activations as _act
from dlnotes._checks import Count, Flag, Floats, Function, Optional, Real, Spec, checked
from dlnotes.activations import identity, identity_grad, step
from dlnotes.backend import float_arrays

__all__ = [
    "DeltaRuleResult",
    "DeltaRuleStep",
    "NeuronGradients",
    "PerceptronResult",
    "delta_rule",
    "dense",
    "forward",
    "gradients",
    "perceptron_train",
]


# Shape rules that tie the arguments together (no data read; see `checked`'s ``extra``).


def _n_in(call):
    """``x``'s last axis holds one value per weight of ``w``."""
    x, w = call.args["x"], call.args["w"]
    if x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"x must have n_in = {w.shape[0]} features (the length of w) in its last axis, "
            f"got shape {tuple(x.shape)}"
        )


def _one_target_per_sample(call):
    _n_in(call)
    x, y_true = call.args["x"], call.args["y_true"]
    expected = () if x.ndim == 1 else (x.shape[0],)
    if tuple(y_true.shape) != expected:
        raise ValueError(
            f"y_true must have shape {expected} (one target per sample of x), "
            f"got shape {tuple(y_true.shape)}"
        )


def _layer(call):
    x, W, b = call.args["x"], call.args["W"], call.args["b"]
    n_out, n_in = W.shape
    if x.shape[-1] != n_in:
        raise ValueError(
            f"x must have n_in = {n_in} features (W's second axis) in its last axis, "
            f"got shape {tuple(x.shape)}"
        )
    if b is not None and b.ndim != 0 and tuple(b.shape) != (n_out,):
        raise ValueError(f"b must have shape (n_out,) = ({n_out},), got shape {tuple(b.shape)}")


def _samples(call):
    """``t`` has one target per row of ``x``, ``w`` (if given) one weight per column."""
    x, t, w = call.args["x"], call.args["t"], call.args["w"]
    if t.shape[0] != x.shape[0]:
        raise ValueError(f"t must have one target per row of x ({x.shape[0]}), got {t.shape[0]}")
    if w is not None and w.shape[0] != x.shape[1]:
        raise ValueError(f"w must have length n_in = {x.shape[1]}, got {w.shape[0]}")


def _binary_samples(call):
    _samples(call)
    t, xp = call.args["t"], call.xp
    call.require(xp.all((t == 0) | (t == 1)), "t must hold the class labels 0 and 1 only")


# --------------------------------------------------------------------------- forward


@checked(
    x=Floats(ndim=(1, 2)),
    w=Floats(ndim=1),
    b=Floats(ndim=0),
    activation=Function(),
    return_preactivation=Flag(),
    extra=_n_in,
)
def forward(x, w, b=0.0, *, activation=identity, return_preactivation=False):
    r"""Output of one neuron, $\hat y = a(w^\top x + b)$.

    Slide formula: N1.

    Parameters
    ----------
    x : array-like of shape (n_in,) or (n_samples, n_in)
        One input vector, or several as rows.
    w : array-like of shape (n_in,)
        The weights $w_i$, one per input.
    b : float or 0-d array, default=0.0
        The bias.
    activation : callable, default=dlnotes.activations.identity
        $a(\cdot)$, applied element-wise to the pre-activation $s$.
    return_preactivation : bool, default=False
        Also return $s = w^\top x + b$ (what the slides call $s(\mathbf{x})$).

    Returns
    -------
    y_pred : array
        $\hat y$: a 0-d array for one input, shape (n_samples,) for rows.
    s : array
        The pre-activation, same shape as ``y_pred``; only with
        ``return_preactivation=True``, as ``(y_pred, s)``.

    Raises
    ------
    ValueError
        If the shapes do not fit (``x``'s last axis must have the length of
        ``w``), an input is empty, or holds NaN or infinity.
    TypeError
        If an input does not hold real numbers, ``activation`` is not
        callable or ``return_preactivation`` is not a bool.

    Notes
    -----
    $$\hat y = a\Big(\sum_i w_i x_i + b\Big) = a(w^\top x + b)$$

    Examples
    --------
    The neuron of slide 004: $2\cdot1 + 2\cdot1 + 2\cdot3 + 4 = 14$.

    >>> y_pred, s = forward([1.0, 1.0, 3.0], [2.0, 2.0, 2.0], 4.0, return_preactivation=True)
    >>> float(s), float(y_pred)
    (14.0, 14.0)
    """
    xp, x, w, b = float_arrays(x, w, b)
    s = xp.asarray(x @ w + b)  # 0-d for one input (not a NumPy scalar), else (n,)
    y_pred = xp.asarray(activation(s))
    return (y_pred, s) if return_preactivation else y_pred


@checked(
    x=Floats(ndim=(1, 2)),
    W=Floats(ndim=2),
    b=Optional(Floats(ndim=(0, 1))),
    activation=Function(),
    return_preactivation=Flag(),
    extra=_layer,
)
def dense(x, W, b=None, *, activation=identity, return_preactivation=False):
    r"""A fully connected layer on a batch: $\hat Y = a(X W^\top + b)$.

    Slide formula: N2.

    Row $k$ of the result is what `forward` gives for ``x[k]`` with
    unit $j$'s weights ``W[j]`` and bias ``b[j]``.

    Parameters
    ----------
    x : array-like of shape (n_samples, n_in) or (n_in,)
        Inputs, one sample per row (a single vector is one sample).
    W : array-like of shape (n_out, n_in)
        Weight matrix in the slides' order: ``W[j, i]`` $= w_{ji}$ is the
        weight *to* unit $j$ *from* unit $i$, so each row holds one unit.
    b : array-like of shape (n_out,), optional
        One bias per unit (a scalar is shared by every unit); no bias when
        omitted.
    activation : callable, default=dlnotes.activations.identity
        Applied element-wise.
    return_preactivation : bool, default=False
        Also return $S = X W^\top + b$.

    Returns
    -------
    y_pred : array of shape (n_samples, n_out), or (n_out,) for one sample
        The layer's outputs.
    s : array of the same shape
        The pre-activations; only with ``return_preactivation=True``, as
        ``(y_pred, s)``.

    Raises
    ------
    ValueError
        If the shapes do not fit, an input is empty, or holds NaN or infinity.
    TypeError
        If an input does not hold real numbers, ``activation`` is not
        callable or ``return_preactivation`` is not a bool.

    Notes
    -----
    $$\hat y_{kj} = a\Big(\sum_i w_{ji}\, x_{ki} + b_j\Big)$$

    Stacking layers repeats this: a network is repeated matrix multiplication
    inside activation functions.

    Examples
    --------
    Two units: the slide's neuron and one with the weights reversed.

    >>> dense([[1.0, 1.0, 3.0]], [[2.0, 2.0, 2.0], [3.0, 1.0, 1.0]], [4.0, 0.0]).tolist()
    [[14.0, 7.0]]
    """
    _, x, W, b = float_arrays(x, W, 0.0 if b is None else b)
    s = x @ W.T + b  # row k, column j: sum_i x[k, i] * W[j, i] + b[j]
    y_pred = activation(s)
    return (y_pred, s) if return_preactivation else y_pred


# --------------------------------------------------------------------------- gradients


#: The derivative that goes with each activation of dlnotes.activations.
_DERIVATIVES = tuple(
    (getattr(_act, name), getattr(_act, name + "_grad"))
    for name in ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "swish", "step")
)


class Derivative(Spec):
    """$a'$ of the argument ``of``: a callable, or ``None`` for an activation of
    dlnotes.activations, which is replaced by its ``*_grad``."""

    def __init__(self, of: str) -> None:
        self.of = of

    def check(self, name, value, call):
        if value is not None:
            return Function().check(name, value, call)
        activation = call.args[self.of]
        for f, f_grad in _DERIVATIVES:
            if f is activation:
                return f_grad
        raise ValueError(
            f"{name} is required for an {self.of} that is not one of dlnotes.activations "
            f"(give its derivative, evaluated at s)"
        )


class NeuronGradients(NamedTuple):
    r"""What `gradients` returns: the forward result and every chain-rule factor.

    Attributes
    ----------
    y_pred : array
        $\hat y$ (0-d for one sample, (n_samples,) for rows).
    d_y_pred : array
        $\partial L/\partial \hat y$, same shape as ``y_pred``.
    d_s : array
        $\partial L/\partial s = a'(s)\,\partial L/\partial \hat y$.
    d_w : array of shape (n_in,)
        $\partial L/\partial w$.
    d_b : array
        $\partial L/\partial b$ (0-d).
    """

    y_pred: object
    d_y_pred: object
    d_s: object
    d_w: object
    d_b: object


@checked(
    x=Floats(ndim=(1, 2)),
    w=Floats(ndim=1),
    b=Floats(ndim=0),
    y_true=Floats(ndim=(0, 1)),
    activation=Function(),
    activation_grad=Derivative(of="activation"),
    extra=_one_target_per_sample,
)
def gradients(x, w, b, y_true, *, activation=identity, activation_grad=None):
    r"""Gradients of the squared-error loss of one neuron, by the chain rule.

    Slide formula: N4.

    Parameters
    ----------
    x : array-like of shape (n_in,) or (n_samples, n_in)
        One input, or a batch as rows.
    w : array-like of shape (n_in,)
        Weights.
    b : float or 0-d array
        Bias.
    y_true : float or array-like of shape (n_samples,)
        Targets $\tilde y$ (a scalar for one input).
    activation : callable, default=dlnotes.activations.identity
        $a(\cdot)$.
    activation_grad : callable, optional
        $a'(\cdot)$, evaluated at the pre-activation $s$. May be omitted for
        the activations of `dlnotes.activations` (``identity``,
        ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``, ``swish``, ``step``)
        with their default options: their ``*_grad`` is used. A copied
        snippet has no such table and knows only the identity's derivative:
        give ``activation_grad`` there for any other activation.

    Returns
    -------
    NeuronGradients
        Named tuple ``(y_pred, d_y_pred, d_s, d_w, d_b)``.

    Raises
    ------
    ValueError
        If the shapes do not fit, an input is empty or not finite, or
        ``activation_grad`` is missing for an activation that is not one of
        those listed above.
    TypeError
        If an input does not hold real numbers, or ``activation`` or
        ``activation_grad`` is not callable.

    Notes
    -----
    With $s = w^\top x + b$, $\hat y = a(s)$ and
    $L = \frac1n\sum_k(\tilde y_k - \hat y_k)^2$ (mean over the $n$ samples):

    $$\frac{\partial L}{\partial \hat y_k} = -\frac{2}{n}(\tilde y_k - \hat y_k),\qquad
    \frac{\partial L}{\partial w_i} = \sum_k \underbrace{x_{ki}}_{\partial s/\partial w_i}
    \cdot \underbrace{a'(s_k)}_{\partial \hat y/\partial s}
    \cdot \frac{\partial L}{\partial \hat y_k},\qquad
    \frac{\partial L}{\partial b} = \sum_k a'(s_k)\,\frac{\partial L}{\partial \hat y_k}$$

    Erratum N4: one slide of 004 writes the last factor as
    $2\sum(\tilde y - \hat y)^2$ (squared, sign lost; it would give 32). The
    derivative of $(\tilde y - \hat y)^2$ is $-2(\tilde y - \hat y) = 8$.

    Examples
    --------
    The slide's example: x = (1, 1, 3), w = (2, 2, 2), b = 4, target 10.

    >>> g = gradients([1.0, 1.0, 3.0], [2.0, 2.0, 2.0], 4.0, 10.0)
    >>> float(g.y_pred), float(g.d_y_pred), g.d_w.tolist(), float(g.d_b)
    (14.0, 8.0, [8.0, 8.0, 24.0], 8.0)
    """
    xp, x, w, b, y_true = float_arrays(x, w, b, y_true)
    a_prime = identity_grad if activation_grad is None else activation_grad  # None: snippet only
    n = 1 if x.ndim == 1 else x.shape[0]
    s = xp.asarray(x @ w + b)
    y_pred = activation(s)
    d_y_pred = -2 * (y_true - y_pred) / n  # derivative of the mean of squares
    d_s = a_prime(s) * d_y_pred
    d_w = d_s * x if x.ndim == 1 else d_s @ x  # summed over the samples
    d_b = xp.sum(d_s)
    # xp.asarray: NumPy turns 0-d results into scalars; the convention is 0-d arrays
    return NeuronGradients(*(xp.asarray(a) for a in (y_pred, d_y_pred, d_s, d_w, d_b)))


# --------------------------------------------------------------------------- delta rule


class DeltaRuleStep(NamedTuple):
    r"""One row of the delta-rule table: one sample, one update (plain Python numbers).

    Attributes
    ----------
    epoch : int
        Epoch number, counted from 1.
    sample : int
        Row index of the sample in ``x`` (from 0).
    x : tuple of float
        The input.
    target : float
        Its target $t$.
    prediction_before : float
        $p = w^\top x$ with the weights before the update.
    loss_before : float
        $\tfrac12 (t - p)^2$ before the update.
    weights_before : tuple of float
        The weights before the update.
    weights_after : tuple of float
        The weights after the update.
    prediction_after : float
        The prediction for the same sample with the new weights.
    loss_after : float
        Its loss.
    """

    epoch: int
    sample: int
    x: tuple
    target: float
    prediction_before: float
    loss_before: float
    weights_before: tuple
    weights_after: tuple
    prediction_after: float
    loss_after: float


class DeltaRuleResult(NamedTuple):
    """What `delta_rule` returns.

    Attributes
    ----------
    weights : array of shape (n_in,)
        The final weights, in the input's namespace.
    history : tuple of DeltaRuleStep
        One row per update, in order.
    """

    weights: object
    history: tuple


def _as_tuple(a):
    """A 1-d array as a tuple of Python floats (one read from the device per value)."""
    return tuple(float(a[i]) for i in range(a.shape[0]))  # array_api_strict has no tolist()


def _check_step(weights, xk, target, lr, largest, where):
    """Replay one delta-rule update in Python floats; ValueError if it would overflow.

    Python's float products give ``inf`` silently, so the replay shows an
    overflow before the device's arithmetic would warn about it.
    """
    p = sum(wj * xj for wj, xj in zip(weights, xk))
    new = [wj + lr * (target - p) * xj for wj, xj in zip(weights, xk)]
    p_new = sum(wj * xj for wj, xj in zip(new, xk))
    if not all(abs(v) <= largest for v in (p, lr * (target - p), *new, p_new)):
        raise ValueError(
            f"x, t and lr make the delta rule overflow {where}: the prediction or the "
            f"weights exceed {largest:.3g}; scale x and t down or lower lr"
        )


@checked(
    x=Floats(ndim=2),
    t=Floats(ndim=1),
    w=Floats(ndim=1),
    lr=Real(0, open="low"),
    epochs=Count(),
    extra=_samples,
)
def delta_rule(x, t, w, *, lr=1.0, epochs=1):
    r"""The delta rule of the OR-gate slides: no bias, no activation, one sample per update.

    Slide formula: N6.

    Parameters
    ----------
    x : array-like of shape (n_samples, n_in)
        Samples, visited in row order in every epoch (batch size 1).
    t : array-like of shape (n_samples,)
        Targets.
    w : array-like of shape (n_in,)
        Initial weights (not modified).
    lr : float, default=1.0
        Learning rate $\eta$ (the slides use 1).
    epochs : int, default=1
        Passes over the samples.

    Returns
    -------
    DeltaRuleResult
        ``(weights, history)``: the final weights and one
        `DeltaRuleStep` per update, for printing the table.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``lr`` is not a number or
        ``epochs`` is not an integer.
    ValueError
        If the shapes do not fit, an input is empty or not finite, ``lr`` is
        not positive or ``epochs`` is less than 1; or if an update would
        overflow the dtype (the prediction or the new weights beyond its
        largest number: huge ``x`` or ``t``, or an ``lr`` that diverges),
        naming the epoch and sample. Each update is replayed in Python floats
        first, so this comes before any overflow warning; a loss in the table
        may still be ``inf`` (its value), never an ``OverflowError``.

    Notes
    -----
    The prediction is $p = w^\top x$ and the loss $\tfrac12(t - p)^2$, whose
    gradient step is

    $$\Delta w_j = \eta\,(t - p)\,x_j,\qquad w_j \leftarrow w_j + \Delta w_j .$$

    On the OR gate from $w = (0.1, -0.2)$ the losses before → after are
    0 → 0, 0.72 → 0, 0.405 → 0, 0.5 → 0.5, and from then on the weights cycle
    $(1, 1) \to (0, 0)$ without converging: a line through the origin cannot
    fit OR. (Erratum N6: the slide prints 0.405 before the fourth update; with
    $w = (1, 1)$ the prediction is 2 and the loss 0.5.)

    The table is made of plain Python numbers, so it reads from the device by
    design: the start weights once ($n_{in}$ values), then for every update
    the sample, its target, the two predictions and the new weights
    ($2 n_{in} + 3$ values; each a host-device sync on a GPU). The losses are
    computed from those numbers on the host. Without the table the rule would
    need no read at all.

    Examples
    --------
    >>> x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    >>> result = delta_rule(x, [0.0, 1.0, 1.0, 1.0], [0.1, -0.2])
    >>> [(round(r.loss_before, 3), round(r.loss_after, 3)) for r in result.history]
    [(0.0, 0.0), (0.72, 0.0), (0.405, 0.0), (0.5, 0.5)]
    >>> [round(v, 6) for v in result.weights.tolist()]
    [0.0, 0.0]
    """
    xp, x, t, w = float_arrays(x, t, w)
    weights, history, largest = _as_tuple(w), [], float(xp.finfo(w.dtype).max)
    for epoch in range(1, epochs + 1):
        for k in range(x.shape[0]):
            xk = x[k, :]
            sample, target = _as_tuple(xk), float(t[k])  # the table's reads
            _check_step(weights, sample, target, lr, largest, f"at epoch {epoch}, sample {k}")
            p = xk @ w
            w = w + lr * (t[k] - p) * xk  # a new array: the input w is never written
            p_before, p_after = float(p), float(xk @ w)
            row = DeltaRuleStep(
                epoch=epoch,
                sample=k,
                x=sample,
                target=target,
                prediction_before=p_before,
                loss_before=0.5 * (target - p_before) * (target - p_before),  # inf, not an error
                weights_before=weights,
                weights_after=_as_tuple(w),
                prediction_after=p_after,
                loss_after=0.5 * (target - p_after) * (target - p_after),
            )
            history.append(row)
            weights = row.weights_after
    return DeltaRuleResult(w, tuple(history))


# --------------------------------------------------------------------------- perceptron


class PerceptronResult(NamedTuple):
    """What `perceptron_train` returns.

    Attributes
    ----------
    weights : array of shape (n_in,)
        Final weights, in the input's namespace.
    bias : array
        Final bias (0-d).
    converged : bool
        True if the last epoch classified every sample correctly.
    epochs : int
        Epochs run; when converged, the last one made no mistake.
    errors : tuple of int
        Misclassified samples in each epoch (counted before each update).
    """

    weights: object
    bias: object
    converged: bool
    epochs: int
    errors: tuple


@checked(
    x=Floats(ndim=2),
    t=Floats(ndim=1),
    w=Optional(Floats(ndim=1)),
    b=Floats(ndim=0),
    lr=Real(0, open="low"),
    max_epochs=Count(),
    extra=_binary_samples,
)
def perceptron_train(x, t, *, w=None, b=0.0, lr=1.0, max_epochs=100):
    r"""Train a perceptron (bias and step activation) with the perceptron rule.

    Slide formula: N7.

    Parameters
    ----------
    x : array-like of shape (n_samples, n_in)
        Samples, visited in row order in every epoch.
    t : array-like of shape (n_samples,)
        Targets, 0 or 1.
    w : array-like of shape (n_in,), optional
        Initial weights (not modified); zeros when omitted.
    b : float or 0-d array, default=0.0
        Initial bias.
    lr : float, default=1.0
        Learning rate.
    max_epochs : int, default=100
        Give up after this many epochs.

    Returns
    -------
    PerceptronResult
        ``(weights, bias, converged, epochs, errors)``.

    Raises
    ------
    TypeError
        If an input does not hold real numbers, ``lr`` is not a number or
        ``max_epochs`` is not an integer.
    ValueError
        If the shapes do not fit, an input is empty or not finite, ``t`` holds
        values other than 0 and 1, ``lr`` is not positive or ``max_epochs`` is
        less than 1.

    Notes
    -----
    $$p = \operatorname{step}(w^\top x + b),\qquad
    w \leftarrow w + \eta\,(t - p)\,x,\qquad b \leftarrow b + \eta\,(t - p)$$

    The rule stops changing the weights once every sample is classified
    correctly; for linearly separable data that happens after finitely many
    epochs (the perceptron convergence theorem). OR is linearly separable, so
    it converges (Erratum N7: the slide calls OR nonlinear and unsolvable by a
    single layer); XOR is not, so the errors never reach 0.

    The convergence test reads the epoch's number of mistakes from the device
    (one host-device sync per epoch, by design): how many epochs run, and so
    the length of ``errors``, depends on the data.

    Examples
    --------
    >>> gates = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    >>> result = perceptron_train(gates, [0.0, 1.0, 1.0, 1.0])
    >>> result.converged, result.epochs, result.errors
    (True, 4, (2, 2, 1, 0))
    >>> perceptron_train(gates, [0.0, 1.0, 1.0, 0.0], max_epochs=50).converged
    False
    """
    xp, x, t, w, b = float_arrays(x, t, 0.0 if w is None else w, b)
    w = xp.broadcast_to(w, (x.shape[1],))  # zeros when omitted; never written to
    errors = []
    for _ in range(max_epochs):
        mistakes = 0
        for k in range(x.shape[0]):
            error = t[k] - step(x[k, :] @ w + b)  # -1, 0 or +1
            w, b = w + lr * error * x[k, :], b + lr * error
            mistakes = mistakes + xp.abs(error)
        errors.append(int(mistakes))  # the convergence test: one read per epoch
        if errors[-1] == 0:
            break
    return PerceptronResult(w, xp.asarray(b), errors[-1] == 0, len(errors), tuple(errors))

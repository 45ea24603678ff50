r"""The neuron, the layer, and how a neuron learns (slides 004; 000 parts 1 and 5).

One neuron computes $\hat y = a(w^\top x + b)$; a layer does the same for many
units at once. Learning means nudging $w$ and $b$ against the gradient of a
loss: [`gradients`][dlnotes.neuron.gradients] gives the chain rule of the 14 → 10.16 example,
[`delta_rule`][dlnotes.neuron.delta_rule] the OR-gate weight updates of the workshop deck and
[`perceptron_train`][dlnotes.neuron.perceptron_train] the perceptron rule with bias and step activation.

The two training loops are sequential by definition (one sample, one update),
so they loop over samples in Python; everything else is vectorised.
"""

from __future__ import annotations

from typing import NamedTuple

from array_api_compat import device

from dlnotes import activations as _act
from dlnotes._checks import check_finite, check_ndim, check_nonempty, check_positive
from dlnotes.activations import identity, step
from dlnotes.backend import as_float_arrays

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


# --------------------------------------------------------------------------- checks


def _check_callable(name, f):
    if not callable(f):
        raise TypeError(f"{name} must be a callable such as dlnotes.activations.identity, got {f!r}")


def _check_neuron(xp, x, w, b):
    """Shapes of one neuron: x (n_in,) or (n_samples, n_in), w (n_in,), b scalar."""
    check_ndim("w", w, (1,), "a 1-d weight vector of shape (n_in,)")
    check_nonempty("w", w)
    check_ndim("x", x, (1, 2), "of shape (n_in,) or (n_samples, n_in)")
    check_nonempty("x", x)
    if x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"x must have n_in = {w.shape[0]} features (the length of w) in its last axis, "
            f"got shape {tuple(x.shape)}"
        )
    check_ndim("b", b, (0,), "a scalar (one bias for one neuron)")
    for name, a in (("x", x), ("w", w), ("b", b)):
        check_finite(xp, name, a)


def _check_count(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


# --------------------------------------------------------------------------- forward


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
        If ``activation`` is not callable.

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
    _check_callable("activation", activation)
    xp, x, w, b = as_float_arrays(x, w, b, names=("x", "w", "b"))
    _check_neuron(xp, x, w, b)
    s = xp.asarray(x @ w + b)  # 0-d for one input (not a NumPy scalar), else (n,)
    y_pred = xp.asarray(activation(s))
    return (y_pred, s) if return_preactivation else y_pred


def dense(x, W, b=None, *, activation=identity, return_preactivation=False):
    r"""A fully connected layer on a batch: $\hat Y = a(X W^\top + b)$.

    Slide formula: N2.

    Row $k$ of the result is what [`forward`][dlnotes.neuron.forward] gives for ``x[k]`` with
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
        If ``activation`` is not callable.

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
    _check_callable("activation", activation)
    if b is None:
        b = 0.0
    xp, x, W, b = as_float_arrays(x, W, b, names=("x", "W", "b"))
    check_ndim("W", W, (2,), "a weight matrix of shape (n_out, n_in)")
    check_nonempty("W", W)
    check_ndim("x", x, (1, 2), "of shape (n_samples, n_in) or (n_in,)")
    check_nonempty("x", x)
    n_out, n_in = W.shape
    if x.shape[-1] != n_in:
        raise ValueError(
            f"x must have n_in = {n_in} features (W's second axis) in its last axis, "
            f"got shape {tuple(x.shape)}"
        )
    if b.ndim != 0 and tuple(b.shape) != (n_out,):
        raise ValueError(f"b must have shape (n_out,) = ({n_out},), got shape {tuple(b.shape)}")
    for name, a in (("x", x), ("W", W), ("b", b)):
        check_finite(xp, name, a)
    s = x @ W.T + b  # row k, column j: sum_i x[k, i] * W[j, i] + b[j]
    y_pred = activation(s)
    return (y_pred, s) if return_preactivation else y_pred


# --------------------------------------------------------------------------- gradients


#: The derivative that goes with each activation of dlnotes.activations.
_DERIVATIVES = {
    getattr(_act, name): getattr(_act, name + "_grad")
    for name in ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "swish", "step")
}


class NeuronGradients(NamedTuple):
    r"""What [`gradients`][dlnotes.neuron.gradients] returns: the forward result and every chain-rule factor.

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
        with their default options: their ``*_grad`` is used.

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
        If ``activation`` or ``activation_grad`` is not callable.

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
    _check_callable("activation", activation)
    if activation_grad is None:
        if activation not in _DERIVATIVES:
            raise ValueError(
                "activation_grad is required for an activation that is not one of "
                "dlnotes.activations (give its derivative, evaluated at s)"
            )
        activation_grad = _DERIVATIVES[activation]
    _check_callable("activation_grad", activation_grad)
    xp, x, w, b, y_true = as_float_arrays(x, w, b, y_true, names=("x", "w", "b", "y_true"))
    _check_neuron(xp, x, w, b)
    expected = () if x.ndim == 1 else (x.shape[0],)
    if tuple(y_true.shape) != expected:
        raise ValueError(
            f"y_true must have shape {expected} (one target per sample of x), "
            f"got shape {tuple(y_true.shape)}"
        )
    check_finite(xp, "y_true", y_true)

    n = 1 if x.ndim == 1 else x.shape[0]
    s = xp.asarray(x @ w + b)
    y_pred = activation(s)
    d_y_pred = -2 * (y_true - y_pred) / n  # derivative of the mean of squares
    d_s = activation_grad(s) * d_y_pred
    if x.ndim == 1:
        d_w, d_b = d_s * x, d_s
    else:
        d_w, d_b = d_s @ x, xp.sum(d_s)  # sum the per-sample contributions
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
    """What [`delta_rule`][dlnotes.neuron.delta_rule] returns.

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
    # array_api_strict has no tolist(); indexing element by element works everywhere
    return tuple(float(a[i]) for i in range(a.shape[0]))


def _check_samples(xp, x, t, w):
    check_ndim("x", x, (2,), "of shape (n_samples, n_in), one sample per row")
    check_nonempty("x", x)
    check_ndim("t", t, (1,), "of shape (n_samples,)")
    if t.shape[0] != x.shape[0]:
        raise ValueError(
            f"t must have one target per row of x ({x.shape[0]}), got {t.shape[0]}"
        )
    check_ndim("w", w, (1,), "a 1-d weight vector of shape (n_in,)")
    if w.shape[0] != x.shape[1]:
        raise ValueError(f"w must have length n_in = {x.shape[1]}, got {w.shape[0]}")
    for name, a in (("x", x), ("t", t), ("w", w)):
        check_finite(xp, name, a)


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
        [`DeltaRuleStep`][dlnotes.neuron.DeltaRuleStep] per update, for printing the table.

    Raises
    ------
    ValueError
        If the shapes do not fit, an input is empty or not finite, ``lr`` is
        not positive or ``epochs`` is not a positive integer.

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

    Examples
    --------
    >>> x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    >>> result = delta_rule(x, [0.0, 1.0, 1.0, 1.0], [0.1, -0.2])
    >>> [(round(r.loss_before, 3), round(r.loss_after, 3)) for r in result.history]
    [(0.0, 0.0), (0.72, 0.0), (0.405, 0.0), (0.5, 0.5)]
    >>> [round(v, 6) for v in result.weights.tolist()]
    [0.0, 0.0]
    """
    check_positive("lr", lr)
    _check_count("epochs", epochs, 1)
    xp, x, t, w = as_float_arrays(x, t, w, names=("x", "t", "w"))
    _check_samples(xp, x, t, w)

    history = []
    for epoch in range(1, epochs + 1):
        for k in range(x.shape[0]):
            xk, tk = x[k, :], t[k]
            p_before = xk @ w
            w_new = w + lr * (tk - p_before) * xk  # a new array: w is never written
            p_after = xk @ w_new
            history.append(
                DeltaRuleStep(
                    epoch=epoch,
                    sample=k,
                    x=_as_tuple(xk),
                    target=float(tk),
                    prediction_before=float(p_before),
                    loss_before=0.5 * float(tk - p_before) ** 2,
                    weights_before=_as_tuple(w),
                    weights_after=_as_tuple(w_new),
                    prediction_after=float(p_after),
                    loss_after=0.5 * float(tk - p_after) ** 2,
                )
            )
            w = w_new
    return DeltaRuleResult(w, tuple(history))


# --------------------------------------------------------------------------- perceptron


class PerceptronResult(NamedTuple):
    """What [`perceptron_train`][dlnotes.neuron.perceptron_train] returns.

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
    ValueError
        If the shapes do not fit, an input is empty or not finite, ``t`` holds
        values other than 0 and 1, ``lr`` is not positive or ``max_epochs`` is
        not a positive integer.

    Notes
    -----
    $$p = \operatorname{step}(w^\top x + b),\qquad
    w \leftarrow w + \eta\,(t - p)\,x,\qquad b \leftarrow b + \eta\,(t - p)$$

    The rule stops changing the weights once every sample is classified
    correctly; for linearly separable data that happens after finitely many
    epochs (the perceptron convergence theorem). OR is linearly separable, so
    it converges (Erratum N7: the slide calls OR nonlinear and unsolvable by a
    single layer); XOR is not, so the errors never reach 0.

    Examples
    --------
    >>> gates = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    >>> result = perceptron_train(gates, [0.0, 1.0, 1.0, 1.0])
    >>> result.converged, result.epochs, result.errors
    (True, 4, (2, 2, 1, 0))
    >>> perceptron_train(gates, [0.0, 1.0, 1.0, 0.0], max_epochs=50).converged
    False
    """
    check_positive("lr", lr)
    _check_count("max_epochs", max_epochs, 1)
    if w is None:
        xp, x, t, b = as_float_arrays(x, t, b, names=("x", "t", "b"))
        n_in = x.shape[1] if x.ndim == 2 else 0  # a wrong x is reported by _check_samples
        w = xp.zeros(n_in, dtype=x.dtype, device=device(x))
    else:
        xp, x, t, b, w = as_float_arrays(x, t, b, w, names=("x", "t", "b", "w"))
    _check_samples(xp, x, t, w)
    check_ndim("b", b, (0,), "a scalar (one bias for one neuron)")
    check_finite(xp, "b", b)
    if not bool(xp.all((t == 0) | (t == 1))):
        raise ValueError("t must hold the class labels 0 and 1 only")

    errors = []
    for _ in range(max_epochs):
        mistakes = 0
        for k in range(x.shape[0]):
            xk = x[k, :]
            error = t[k] - step(xk @ w + b)  # -1, 0 or +1
            w = w + lr * error * xk
            b = b + lr * error
            mistakes += bool(error != 0)
        errors.append(mistakes)
        if mistakes == 0:
            break
    return PerceptronResult(w, xp.asarray(b), errors[-1] == 0, len(errors), tuple(errors))

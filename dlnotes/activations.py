r"""Activation functions and their derivatives (slides 000 part 3, 004).

Each activation ``f`` sits next to its derivative ``f_grad``: the analytic
derivative $f'(x)$ evaluated at the same input ``x`` (not at the activation's
output, and not a numerical approximation). Softmax maps a vector to a vector,
so it has a Jacobian, `softmax_grad`, and a vector-Jacobian product,
`softmax_vjp`.

Inputs may be arrays of any array-API library or plain Python numbers; the
result has the input's namespace and floating dtype (integers and booleans
become float64 where the device has it). Input that does not hold real
numbers (strings, complex numbers, ``None``) raises ``TypeError`` naming the
argument. NaN and infinity are allowed (NaN propagates, infinity gives the
limit: ``softmax([inf, 0])`` is ``[1, 0]``, ``swish(-inf)`` is 0), so no
activation reads its input's values: none makes a host-device sync, with the
data checks on or off.
"""

from __future__ import annotations

import math

from array_api_compat import device

from dlnotes._checks import Axis, Floats, Real, checked
from dlnotes.backend import float_arrays

__all__ = [
    "identity",
    "identity_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "log_sigmoid",
    "log_softmax",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_grad",
    "softmax_vjp",
    "step",
    "step_grad",
    "swish",
    "swish_grad",
    "tanh",
    "tanh_grad",
]

# Activations take any real input: NaN and infinity propagate, empty arrays give empty
# results, so these specs read no data (no sync, even with the checks on).
_REAL = Floats(finite=False, nonempty=False)
_SLOPE = Real(0)  # negative_slope and beta: finite and >= 0


def _one_class(call):
    """Softmax needs a class axis with at least one class (a shape rule: no data read)."""
    x, axis = call.args["x"], call.args.get("axis", -1)
    if x.ndim == 0:
        raise ValueError(
            "x must have at least one dimension: the class axis -1 is out of range for 0-d x"
        )
    if x.shape[axis] == 0:
        raise ValueError(
            f"x must have at least one class along axis={axis}, got shape {tuple(x.shape)}"
        )


def _minus_max(xp, x, axis):
    """``x - max(x)`` along ``axis`` for a softmax: the limits at infinity, no overflow.

    A slice whose maximum is infinite is replaced by its limit first: 0 at the
    maxima, -inf elsewhere (so softmax([inf, 0]) = [1, 0], and a slice of
    -inf only is uniform, the limit of equal logits). Where $x - m$ is below
    the dtype's most negative number (float32 logits of -3e38 and 3e38 in one
    slice) it is clamped there instead of overflowing; -inf stays -inf.
    """
    m = xp.max(x, axis=axis, keepdims=True)
    infinite = xp.isinf(m)
    x = xp.where(infinite, xp.where(x == m, xp.zeros_like(x), -math.inf), x)
    m = xp.where(infinite, 0.0, m)
    floor = xp.maximum(m, 0.0) - float(xp.finfo(x.dtype).max)  # m - max, clamped: no overflow
    return xp.where(x == -math.inf, -math.inf, xp.maximum(x, floor) - m)


# --- sigmoid (A1) ------------------------------------------------------------


@checked(x=_REAL)
def sigmoid(x):
    r"""Logistic sigmoid, computed without overflow for any input.

    Slide formula: A1 (the slide prints the mirror image $\sigma(-x)$, see the
    erratum on the Activations page).

    Parameters
    ----------
    x : array-like
        Pre-activations.

    Returns
    -------
    array
        $\sigma(x)$ in $[0, 1]$, same shape and floating dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers.

    Notes
    -----
    $$\sigma(x) = \frac{1}{1 + e^{-x}} = \frac{e^{x}}{1 + e^{x}}$$

    The first form is used where $x \ge 0$ and the second where $x < 0$, so
    the exponential never overflows (no warning at $x = \pm 1000$).

    Examples
    --------
    >>> sigmoid([-1000.0, 0.0, 1000.0]).tolist()
    [0.0, 0.5, 1.0]
    """
    xp, x = float_arrays(x)
    e = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


@checked(x=_REAL)
def sigmoid_grad(x):
    r"""Derivative of the sigmoid, $\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$.

    Slide formula: A1.

    Parameters
    ----------
    x : array-like
        Pre-activations: the derivative is evaluated at ``x``, not at the
        sigmoid's output.

    Returns
    -------
    array
        $\sigma'(x)$ in $[0, \tfrac14]$, same shape and floating dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers.

    Notes
    -----
    $$\sigma'(x) = \sigma(x)\,(1 - \sigma(x)) = \sigma(x)\,\sigma(-x)$$

    The second form is the one computed: for large $x$, $1 - \sigma(x)$
    rounds to 0 while $\sigma(-x)$ keeps its digits. The slide's
    $a' = (1 - a)\,a$ is right for this $\sigma$, not for the printed
    $1 - \frac{1}{1 + e^{-x}}$ (erratum A1), whose derivative is $-a(1 - a)$.

    Examples
    --------
    >>> sigmoid_grad([-1000.0, 0.0, 1000.0]).tolist()
    [0.0, 0.25, 0.0]
    """
    xp, x = float_arrays(x)
    return xp.asarray(sigmoid(x) * sigmoid(-x))  # NumPy gives a scalar for 0-d x


@checked(x=_REAL)
def log_sigmoid(x):
    r"""$\log\sigma(x)$ without overflow or ``log(0)``.

    Slide formula: A1.

    Parameters
    ----------
    x : array-like
        Pre-activations (logits).

    Returns
    -------
    array
        $\log\sigma(x) = -\log(1 + e^{-x})$, same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers.

    Notes
    -----
    $$\log\sigma(x) = \min(x, 0) - \log\left(1 + e^{-\lvert x\rvert}\right)$$

    Examples
    --------
    >>> [round(v, 4) for v in log_sigmoid([-1000.0, 0.0, 1000.0]).tolist()]
    [-1000.0, -0.6931, 0.0]
    """
    xp, x = float_arrays(x)
    return xp.asarray(xp.minimum(x, xp.zeros_like(x)) - xp.log1p(xp.exp(-xp.abs(x))))


# --- tanh (A2) ---------------------------------------------------------------


@checked(x=_REAL)
def tanh(x):
    r"""Hyperbolic tangent, the zero-centred sigmoid with range $(-1, 1)$.

    Slide formula: A2 (the slide prints $\sigma(2x)$ instead, see the erratum on
    the Activations page).

    Parameters
    ----------
    x : array-like
        Pre-activations.

    Returns
    -------
    array
        $\tanh(x)$, same shape and floating dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers.

    Notes
    -----
    $$\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}
    = 1 - \frac{2}{e^{2x} + 1} = 2\sigma(2x) - 1$$

    Computed by the backend's ``tanh``, which is exact to rounding and finite
    for every input.

    Examples
    --------
    >>> [round(v, 4) for v in tanh([-1000.0, 0.0, 1.0, 1000.0]).tolist()]
    [-1.0, 0.0, 0.7616, 1.0]
    """
    xp, x = float_arrays(x)
    return xp.asarray(xp.tanh(x))  # NumPy gives a scalar for 0-d x


@checked(x=_REAL)
def tanh_grad(x):
    r"""Derivative of tanh, $\tanh'(x) = 1 - \tanh^2(x)$.

    Slide formula: A2.

    Parameters
    ----------
    x : array-like
        Pre-activations: the derivative is evaluated at ``x``, not at the
        tanh's output.

    Returns
    -------
    array
        $\tanh'(x)$ in $[0, 1]$, same shape and floating dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers.

    Notes
    -----
    $$\tanh'(x) = 1 - \tanh^2(x) = 4\,\sigma(2x)\,\sigma(-2x)$$

    The second form is the one computed: once $\tanh(x)$ rounds to $\pm 1$
    ($\lvert x\rvert \gtrsim 9$ in float32), $1 - \tanh^2$ is 0 or has few
    correct digits, while the product keeps full relative precision. $x$ is
    clipped to $\pm 1000$ first, where $\tanh'$ is already 0 in every dtype, so
    that $2x$ cannot overflow (float32's largest number, infinity).

    Examples
    --------
    >>> [round(v, 4) for v in tanh_grad([-1000.0, 0.0, 1.0]).tolist()]
    [0.0, 1.0, 0.42]
    """
    xp, x = float_arrays(x)
    x = xp.clip(x, -1000.0, 1000.0)  # tanh' is 0 beyond |x| = 400 in every dtype; 2x stays finite
    return xp.asarray(4 * sigmoid(2 * x) * sigmoid(-2 * x))


# --- ReLU and leaky ReLU (A3, A4) --------------------------------------------


@checked(x=_REAL)
def relu(x):
    r"""Rectified linear unit, $\max\{0, x\}$.

    Slide formula: A3.

    Parameters
    ----------
    x : array-like
        Pre-activations.

    Returns
    -------
    array
        $\max\{0, x\}$, same shape and floating dtype as ``x`` (NaN stays NaN).

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers.

    Notes
    -----
    $$a(x) = \max\{0, x\}$$

    Written with ``where`` so that NaN stays NaN.

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0]).tolist()
    [0.0, 0.0, 3.0]
    """
    xp, x = float_arrays(x)
    return xp.where(x < 0, xp.zeros_like(x), x)


@checked(x=_REAL)
def relu_grad(x):
    r"""Derivative of ReLU: 1 for $x > 0$, 0 for $x \le 0$ (0 at $x = 0$).

    Slide formula: A3.

    Parameters
    ----------
    x : array-like
        Pre-activations: the derivative is evaluated at ``x``.

    Returns
    -------
    array
        0.0 or 1.0, same shape and floating dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers.

    Notes
    -----
    $$a'(x) = \begin{cases} 0 & x \le 0 \\ 1 & x > 0 \end{cases}$$

    The slide leaves $x = 0$ open, where ReLU has a kink and no derivative.
    dlnotes returns **0** there, the value PyTorch's autograd uses (any value
    in $[0, 1]$ is a valid subgradient).

    Examples
    --------
    >>> relu_grad([-2.0, 0.0, 3.0]).tolist()
    [0.0, 0.0, 1.0]
    """
    xp, x = float_arrays(x)
    return xp.asarray(xp.astype(x > 0, x.dtype))  # NumPy gives a scalar for 0-d x


@checked(x=_REAL, negative_slope=_SLOPE)
def leaky_relu(x, *, negative_slope=0.01):
    r"""Leaky ReLU: $x$ for $x \ge 0$, $\alpha x$ for $x < 0$.

    Slide formula: A4.

    Parameters
    ----------
    x : array-like
        Pre-activations.
    negative_slope : float, default=0.01
        The slope $\alpha \ge 0$ for negative inputs; 0.01 is PyTorch's
        default. 0 gives ReLU. Negative slopes are rejected.

    Returns
    -------
    array
        Same shape and floating dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers, or ``negative_slope`` is not a real
        number (a bool, a string or ``None`` included).
    ValueError
        If ``negative_slope`` is negative, NaN or infinite.

    Notes
    -----
    $$a(x) = \begin{cases} x & x \ge 0 \\ \alpha x & x < 0 \end{cases}$$

    The small slope keeps a gradient for negative inputs, so a unit cannot
    "die" as a ReLU can (slide 004).

    Examples
    --------
    >>> leaky_relu([-100.0, 0.0, 3.0]).tolist()
    [-1.0, 0.0, 3.0]
    >>> leaky_relu([-2.0], negative_slope=0.5).tolist()
    [-1.0]
    """
    xp, x = float_arrays(x)
    return xp.where(x < 0, negative_slope * x, x)


@checked(x=_REAL, negative_slope=_SLOPE)
def leaky_relu_grad(x, *, negative_slope=0.01):
    r"""Derivative of leaky ReLU: 1 for $x > 0$, $\alpha$ for $x \le 0$.

    Slide formula: A4.

    Parameters
    ----------
    x : array-like
        Pre-activations: the derivative is evaluated at ``x``.
    negative_slope : float, default=0.01
        The slope $\alpha \ge 0$ for negative inputs, as in `leaky_relu`.

    Returns
    -------
    array
        1.0 or ``negative_slope``, same shape and floating dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers, or ``negative_slope`` is not a real
        number (a bool, a string or ``None`` included).
    ValueError
        If ``negative_slope`` is negative, NaN or infinite.

    Notes
    -----
    $$a'(x) = \begin{cases} \alpha & x \le 0 \\ 1 & x > 0 \end{cases}$$

    At the kink $x = 0$ the value is $\alpha$, as in PyTorch's autograd and
    consistent with `relu_grad` (which is the case $\alpha = 0$).

    Examples
    --------
    >>> leaky_relu_grad([-2.0, 0.0, 3.0]).tolist()
    [0.01, 0.01, 1.0]
    """
    xp, x = float_arrays(x)
    return xp.where(x > 0, xp.ones_like(x), xp.full_like(x, negative_slope))


# --- softmax (A5, X7) --------------------------------------------------------


@checked(x=_REAL, axis=Axis(of="x"), extra=_one_class)
def log_softmax(x, *, axis=-1):
    r"""Logarithm of the softmax along ``axis``, computed stably.

    Slide formula: A5.

    Parameters
    ----------
    x : array-like
        Logits.
    axis : int, default=-1
        The class axis.

    Returns
    -------
    array
        $\log \mathrm{softmax}(x)$, same shape and dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers or ``axis`` is not an int.
    ValueError
        If ``axis`` is out of range or the class axis is empty.

    Notes
    -----
    $$\log\frac{e^{x_i}}{\sum_j e^{x_j}} = (x_i - m) - \log\sum_j e^{x_j - m},
    \qquad m = \max_j x_j$$

    Infinite logits give the limits of `softmax`'s logarithm
    (``log_softmax([inf, 0])`` is ``[0, -inf]``; PyTorch: NaN). Where $x_i - m$
    would leave the dtype's range it is clamped at its most negative number
    (``log_softmax`` of float32 ``[3e38, -3e38]`` is ``[0, -3.4e38]``, where
    PyTorch overflows to $-\infty$).

    Examples
    --------
    >>> [round(v, 4) for v in log_softmax([1000.0, 0.0]).tolist()]
    [0.0, -1000.0]
    """
    xp, x = float_arrays(x)
    shifted = _minus_max(xp, x, axis)  # x - m, with the limits for infinite m
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


@checked(x=_REAL, axis=Axis(of="x"), extra=_one_class)
def softmax(x, *, axis=-1):
    r"""Softmax along ``axis``, stable for logits of any size.

    Slide formula: A5, X7.

    Parameters
    ----------
    x : array-like
        Logits; each slice along ``axis`` is one distribution (rows are
        samples, classes along the last axis by default).
    axis : int, default=-1
        The class axis.

    Returns
    -------
    array
        Probabilities in $[0, 1]$ that sum to 1 along ``axis``; same shape and
        dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers or ``axis`` is not an int.
    ValueError
        If ``axis`` is out of range or the class axis is empty.

    Notes
    -----
    $$\hat y_i = \frac{e^{y_i}}{\sum_j e^{y_j}}$$

    (the slide reuses $i$ as the summation index, erratum X7). Subtracting the
    maximum first leaves the result unchanged and keeps $e^{x}$ finite.

    Infinite logits give the limit: the slices' infinite maxima share the
    probability (``softmax([inf, 0])`` is ``[1, 0]``, ``[inf, inf]`` is
    ``[0.5, 0.5]``), a slice of $-\infty$ only is uniform (the limit of equal
    logits), and $-\infty$ beside finite logits gets 0. PyTorch returns NaN
    for the first two. Logits so far apart that $x - m$ leaves the dtype's
    range (float32's $\pm 3.4\cdot10^{38}$ in one slice) are clamped at its
    most negative number, with no overflow warning.

    Examples
    --------
    >>> softmax([1000.0, 1000.0]).tolist()
    [0.5, 0.5]
    >>> [round(v, 4) for v in softmax([[2.0, 1.0, 0.0]]).tolist()[0]]
    [0.6652, 0.2447, 0.09]
    """
    xp, x = float_arrays(x)
    e = xp.exp(_minus_max(xp, x, axis))  # e^(x - m) in [0, 1]
    return e / xp.sum(e, axis=axis, keepdims=True)


@checked(x=_REAL, extra=_one_class)
def softmax_grad(x):
    r"""Full Jacobian of the softmax, $J = \mathrm{diag}(s) - s s^\top$.

    Slide formula: A5.

    Parameters
    ----------
    x : array-like of shape (..., n)
        Logits with the class axis **last**: a vector of ``n`` logits, or a
        batch whose rows are samples. (For another class axis, move it last
        first, e.g. with ``xp.moveaxis``.)

    Returns
    -------
    array of shape (..., n, n)
        One $n \times n$ Jacobian per sample, ``J[..., i, j]`` $=
        \partial s_i / \partial x_j$; the input's namespace and floating dtype.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers.
    ValueError
        If ``x`` is 0-d or has no class.

    See Also
    --------
    softmax_vjp : the product $v^\top J$ without building $J$ (what
        backpropagation needs; $O(n)$ instead of $O(n^2)$ memory per sample).

    Notes
    -----
    With $s = \mathrm{softmax}(x)$,

    $$\frac{\partial s_i}{\partial x_j} = s_i\,(\delta_{ij} - s_j),
    \qquad J = \mathrm{diag}(s) - s s^\top .$$

    $J$ is symmetric, each row and column sums to 0 (the outputs always sum
    to 1), and it is evaluated at the logits ``x``, not at $s$.

    Examples
    --------
    >>> softmax_grad([0.0, 0.0]).tolist()
    [[0.25, -0.25], [-0.25, 0.25]]
    >>> softmax_grad([[0.0, 0.0], [1000.0, 0.0]]).shape
    (2, 2, 2)
    """
    xp, x = float_arrays(x)
    s = softmax(x)
    eye = xp.eye(s.shape[-1], dtype=s.dtype, device=device(s))
    # s_i (delta_ij - s_j): column of s times (identity minus row of s)
    return xp.expand_dims(s, axis=-1) * (eye - xp.expand_dims(s, axis=-2))


@checked(
    x=_REAL,
    grad_output=Floats(finite=False, nonempty=False, like="x"),
    axis=Axis(of="x"),
    extra=_one_class,
)
def softmax_vjp(x, grad_output, *, axis=-1):
    r"""Vector-Jacobian product of the softmax: $v^\top J$ for each sample.

    Slide formula: A5.

    Parameters
    ----------
    x : array-like
        Logits; each slice along ``axis`` is one sample's distribution.
    grad_output : array-like of the same shape
        The upstream gradient $v = \partial L / \partial s$.
    axis : int, default=-1
        The class axis.

    Returns
    -------
    array
        $\partial L / \partial x$, same shape as ``x``; the floating dtype of
        the inputs.

    Raises
    ------
    TypeError
        If ``x`` or ``grad_output`` does not hold real numbers, or ``axis`` is
        not an int.
    ValueError
        If the shapes differ, ``axis`` is out of range or the class axis is
        empty.

    See Also
    --------
    softmax_grad : the full Jacobian $J$.

    Notes
    -----
    $$v^\top J = s \odot \left(v - \textstyle\sum_j v_j s_j\right)$$

    which equals $J v$ as well, since $J$ is symmetric. This is what
    backpropagation through a softmax computes, without the $n \times n$
    matrix.

    Examples
    --------
    >>> softmax_vjp([0.0, 0.0], [1.0, 0.0]).tolist()
    [0.25, -0.25]
    """
    xp, x, v = float_arrays(x, grad_output)
    s = softmax(x, axis=axis)
    return s * (v - xp.sum(v * s, axis=axis, keepdims=True))


# --- swish, an activation of our own design (A7) -----------------------------


@checked(x=_REAL, beta=_SLOPE)
def swish(x, *, beta=1.0):
    r"""Swish, $x\,\sigma(\beta x)$: the "design your own activation" answer.

    Slide formula: A7.

    Parameters
    ----------
    x : array-like
        Pre-activations.
    beta : float, default=1.0
        The sharpness $\beta \ge 0$. $\beta = 1$ is SiLU (PyTorch's
        ``torch.nn.functional.silu``); $\beta = 0$ gives the line $x/2$ and a
        large $\beta$ approaches ReLU.

    Returns
    -------
    array
        Same shape and floating dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers, or ``beta`` is not a real
        number (a bool, a string or ``None`` included).
    ValueError
        If ``beta`` is negative, NaN or infinite.

    Notes
    -----
    $$\operatorname{swish}(x) = x\,\sigma(\beta x) = \frac{x}{1 + e^{-\beta x}}$$

    Smooth, non-monotonic just below 0 (minimum about $-0.278$ at
    $x \approx -1.278$ for $\beta = 1$), unbounded above like ReLU and with a
    non-zero gradient for negative inputs like leaky ReLU (Ramachandran,
    Zoph and Le, *Searching for Activation Functions*, 2017).

    At $x = -\infty$ the result is the limit 0 (not $-\infty \cdot 0$ = NaN,
    which PyTorch's ``silu`` returns), and where $\sigma(\beta x)$ is 0 the
    product is 0, not $-0$. $\beta x$ is computed on $x$ clipped to
    $\pm\max/\max(\beta, 1)$, so it never overflows; $\sigma$ is saturated
    there anyway.

    Examples
    --------
    >>> [round(v, 4) for v in swish([-1000.0, -1.0, 0.0, 1.0, 1000.0]).tolist()]
    [0.0, -0.2689, 0.0, 0.7311, 1000.0]
    """
    xp, x = float_arrays(x)
    big = float(xp.finfo(x.dtype).max) / max(beta, 1.0)  # beta * x stays finite for |x| <= big
    s = sigmoid(beta * xp.clip(x, -big, big))
    return xp.asarray(xp.where(s > 0, x, 0.0) * s)  # x = -inf: the limit 0, not -inf * 0


@checked(x=_REAL, beta=_SLOPE)
def swish_grad(x, *, beta=1.0):
    r"""Derivative of swish, $\sigma(\beta x) + \beta x\,\sigma(\beta x)\,\sigma(-\beta x)$.

    Slide formula: A7.

    Parameters
    ----------
    x : array-like
        Pre-activations: the derivative is evaluated at ``x``.
    beta : float, default=1.0
        The sharpness $\beta \ge 0$, as in `swish`.

    Returns
    -------
    array
        Same shape and floating dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers, or ``beta`` is not a real
        number (a bool, a string or ``None`` included).
    ValueError
        If ``beta`` is negative, NaN or infinite.

    Notes
    -----
    By the product rule and $\sigma' = \sigma(1 - \sigma)$ (A1):

    $$\frac{d}{dx}\,x\,\sigma(\beta x) = \sigma(\beta x)
    + \beta x\,\sigma(\beta x)\,\bigl(1 - \sigma(\beta x)\bigr)$$

    Written with $\sigma(-\beta x)$ for $1 - \sigma(\beta x)$, every factor is
    finite, so $x = \pm 1000$ gives 1 and 0 without NaN. With $x$ clipped to
    $\pm\max/\max(\beta, 1)$ as in `swish`, $x = \pm\infty$ gives the limits 1
    and 0 (PyTorch: NaN).

    Examples
    --------
    >>> [round(v, 4) for v in swish_grad([-1000.0, 0.0, 1.0, 1000.0]).tolist()]
    [0.0, 0.5, 0.9277, 1.0]
    """
    xp, x = float_arrays(x)
    big = float(xp.finfo(x.dtype).max) / max(beta, 1.0)  # beta * x stays finite for |x| <= big
    bx = beta * xp.clip(x, -big, big)
    s = sigmoid(bx)
    return xp.asarray(s + bx * s * sigmoid(-bx))


# --- identity and step (A6) --------------------------------------------------


@checked(x=_REAL)
def identity(x):
    r"""The identity activation $a(s) = s$ (the neuron of the 14 → 10.16 example).

    Slide formula: A6.

    Parameters
    ----------
    x : array-like
        Pre-activations.

    Returns
    -------
    array
        ``x`` as a floating array of its namespace (a new array for plain input;
        array input is returned as is, never modified).

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers.

    Notes
    -----
    $$a(s) = s$$

    Examples
    --------
    >>> identity([14]).tolist()
    [14.0]
    """
    xp, x = float_arrays(x)
    return xp.asarray(x)  # a 0-d array, also for a NumPy scalar


@checked(x=_REAL)
def identity_grad(x):
    r"""Derivative of the identity: 1 everywhere.

    Slide formula: A6.

    Parameters
    ----------
    x : array-like
        Pre-activations.

    Returns
    -------
    array
        Ones, same shape and floating dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers.

    Notes
    -----
    $$a'(s) = 1$$

    Examples
    --------
    >>> identity_grad([-3.0, 14.0]).tolist()
    [1.0, 1.0]
    """
    xp, x = float_arrays(x)
    return xp.ones_like(x)


@checked(x=_REAL)
def step(x):
    r"""Heaviside step: 1 where $x \ge 0$, else 0 (the perceptron's activation).

    Slide formula: A6.

    Parameters
    ----------
    x : array-like
        Pre-activations.

    Returns
    -------
    array
        0.0 or 1.0, same shape and floating dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers.

    Notes
    -----
    $$\operatorname{step}(x) = \begin{cases}1 & x \ge 0\\ 0 & x < 0\end{cases}$$

    The value at 0 is 1, the convention of the perceptron rule (N7).

    Examples
    --------
    >>> step([-0.5, 0.0, 2.0]).tolist()
    [0.0, 1.0, 1.0]
    """
    xp, x = float_arrays(x)
    return xp.asarray(xp.astype(x >= 0, x.dtype))  # NumPy gives a scalar for 0-d x


@checked(x=_REAL)
def step_grad(x):
    r"""Derivative of the step: 0 everywhere (0 also at the jump $x = 0$).

    Slide formula: A6.

    Parameters
    ----------
    x : array-like
        Pre-activations.

    Returns
    -------
    array
        Zeros, same shape and floating dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers.

    Notes
    -----
    $$\operatorname{step}'(x) = 0$$

    The step is flat on both sides and jumps at 0, where it has no
    derivative; 0 is returned there too, as autograd does. A zero gradient
    carries no signal back, which is why the perceptron (N7) is trained by
    its own update rule and not by gradient descent through the step.

    Examples
    --------
    >>> step_grad([-0.5, 0.0, 2.0]).tolist()
    [0.0, 0.0, 0.0]
    """
    xp, x = float_arrays(x)
    return xp.zeros_like(x)

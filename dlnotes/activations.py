r"""Activation functions and their derivatives (slides 000 part 3, 004).

Each activation ``f`` sits next to its derivative ``f_grad``, which is the
analytic derivative evaluated at the same input (not a numerical one).
"""

from __future__ import annotations

from dlnotes.backend import as_float_arrays


def sigmoid(x):
    r"""Logistic sigmoid, computed without overflow for any input.

    Slide formula: A1.

    Parameters
    ----------
    x : array-like
        Pre-activations.

    Returns
    -------
    array
        $\sigma(x)$, same shape and floating dtype as ``x``.

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
    xp, x = as_float_arrays(x)
    e = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


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

    Notes
    -----
    $$\log\sigma(x) = \min(x, 0) - \log\left(1 + e^{-\lvert x\rvert}\right)$$

    Examples
    --------
    >>> [round(v, 4) for v in log_sigmoid([-1000.0, 0.0, 1000.0]).tolist()]
    [-1000.0, -0.6931, 0.0]
    """
    xp, x = as_float_arrays(x)
    return xp.minimum(x, xp.zeros_like(x)) - xp.log1p(xp.exp(-xp.abs(x)))


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

    Notes
    -----
    $$\log\frac{e^{x_i}}{\sum_j e^{x_j}} = (x_i - m) - \log\sum_j e^{x_j - m},
    \qquad m = \max_j x_j$$

    Examples
    --------
    >>> [round(v, 4) for v in log_softmax([1000.0, 0.0]).tolist()]
    [0.0, -1000.0]
    """
    xp, x = as_float_arrays(x)
    shifted = x - xp.max(x, axis=axis, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


def softmax(x, *, axis=-1):
    r"""Softmax along ``axis``, stable for logits of any size.

    Slide formula: A5, X7.

    Parameters
    ----------
    x : array-like
        Logits; each slice along ``axis`` is one distribution.
    axis : int, default=-1
        The class axis.

    Returns
    -------
    array
        Probabilities that sum to 1 along ``axis``; same shape and dtype.

    Notes
    -----
    $$\hat y_i = \frac{e^{y_i}}{\sum_j e^{y_j}}$$

    (the slide reuses $i$ as the summation index, erratum X7). Subtracting the
    maximum first leaves the result unchanged and keeps $e^{x}$ finite.

    Examples
    --------
    >>> softmax([1000.0, 1000.0]).tolist()
    [0.5, 0.5]
    """
    xp, x = as_float_arrays(x)
    e = xp.exp(x - xp.max(x, axis=axis, keepdims=True))
    return e / xp.sum(e, axis=axis, keepdims=True)


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

    Examples
    --------
    >>> identity([14]).tolist()
    [14.0]
    """
    _, x = as_float_arrays(x)
    return x


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

    Notes
    -----
    $$\operatorname{step}(x) = \begin{cases}1 & x \ge 0\\ 0 & x < 0\end{cases}$$

    The value at 0 is 1, the convention of the perceptron rule (N7).

    Examples
    --------
    >>> step([-0.5, 0.0, 2.0]).tolist()
    [0.0, 1.0, 1.0]
    """
    xp, x = as_float_arrays(x)
    return xp.astype(x >= 0, x.dtype)

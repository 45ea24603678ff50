r"""Pooling and unpooling (003): max pooling that remembers where the max was, and back.

The slides pool with a 2×2 window and stride 2, "remember which element was
max", and undo it with max unpooling, which puts each value back at the
remembered position and fills the rest with zeros. Each step is one pure
function here:

* `max_pool2d`, returning the maxima and their positions (``indices``, as
  PyTorch's ``return_indices=True``), and its backward pass
  `max_pool2d_backward`, which sends each gradient to its window's argmax;
* `avg_pool2d` and its backward pass `avg_pool2d_backward`;
* `max_unpool2d`, the slide's unpooling with the remembered positions.

Layouts follow PyTorch: ``(N, C, H, W)``, or ``(C, H, W)``, returned with as
many axes. ``kernel_size``, ``stride`` and ``padding`` are an int or a pair
``(height, width)``; ``stride=None`` means ``kernel_size``. Indices are flat
positions within each ``(H, W)`` plane of the input: ``row * W + col``.

Where windows overlap (stride smaller than the kernel), one input element can
be the maximum of several windows, and its gradient is the **sum** of theirs.
That is a scatter-add with repeated indices, which ``x[idx] += y`` (and
array-api-extra's ``at(x, idx).add(y)`` on NumPy) gets wrong: it keeps one of
the repeated updates. `max_pool2d_backward` sorts each plane's indices and
sums each run of equal indices instead, with standard array operations only;
given the forward pass's window, it adds into one strided view per window
element instead, with no sort.
"""

from __future__ import annotations

import math
import operator

from array_api_compat import device

from dlnotes._checks import Floats, Ints, Optional, Spec, checked
from dlnotes.backend import default_float, float_arrays

__all__ = [
    "avg_pool2d",
    "avg_pool2d_backward",
    "max_pool2d",
    "max_pool2d_backward",
    "max_unpool2d",
]


# --------------------------------------------------------------------------
# Argument specs and the rules that tie arguments together (no snippet carries them)
# --------------------------------------------------------------------------


def _ints(name, value, minimum, lengths, what, shown=None):
    """``value`` as a tuple of ints >= ``minimum``, of one of the ``lengths``."""
    shown = value if shown is None else shown
    if isinstance(value, bool) or not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be {what}, got {value!r}")
    if len(value) not in lengths:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    out = []
    for v in value:
        if isinstance(v, bool):
            raise TypeError(f"{name} must be {what}, got {value!r}")
        try:
            v = operator.index(v)
        except TypeError:
            raise TypeError(f"{name} must be {what}, got {value!r}") from None
        if v < minimum:
            raise ValueError(f"{name} must hold integers >= {minimum}, got {shown!r}")
        out.append(v)
    return tuple(out)


class Pair(Spec):
    """An int or a pair of ints ``(height, width)``, each >= ``minimum``; returned as a pair."""

    def __init__(self, minimum: int = 1) -> None:
        self.minimum = minimum

    def check(self, name, value, call):
        what = f"an integer >= {self.minimum} or a pair of them"
        if not isinstance(value, (tuple, list)):
            value = _ints(name, [value], self.minimum, (1,), what, shown=value) * 2
        return _ints(name, value, self.minimum, (2,), what)


class Shape(Spec):
    """A shape: a tuple (or list, or ``torch.Size``) of ``lengths`` ints >= 1."""

    def __init__(self, *lengths: int) -> None:
        self.lengths = lengths

    def check(self, name, value, call):
        counts = " or ".join(str(n) for n in self.lengths)
        return _ints(name, value, 1, self.lengths, f"a shape of {counts} positive integers")


def _window(call, h, w):
    """Check the window against an ``(h, w)`` plane; return the output plane ``(ho, wo)``."""
    args = call.args
    kernel, padding = args["kernel_size"], args["padding"]
    stride = kernel if args["stride"] is None else args["stride"]
    for k, p in zip(kernel, padding):
        if p > k // 2:
            raise ValueError(
                f"padding must be at most half of kernel_size (as PyTorch), "
                f"got padding={padding} and kernel_size={kernel}"
            )
    for k, p, n in zip(kernel, padding, (h, w)):
        if k > n + 2 * p:
            raise ValueError(
                f"kernel_size {kernel} is larger than the padded input "
                f"({h} + 2*{padding[0]}, {w} + 2*{padding[1]})"
            )
    return tuple((n + 2 * p - k) // s + 1 for n, p, k, s in zip((h, w), padding, kernel, stride))


def _pool_rule(call):
    x = call.args["x"]
    _window(call, x.shape[-2], x.shape[-1])


def _plane_shape(call, name, shape, of):
    """``shape`` (the input's) must have ``of``'s leading axes (batch, channels)."""
    a = call.args[of]
    if len(shape) != a.ndim or tuple(shape[:-2]) != tuple(a.shape[:-2]):
        raise ValueError(
            f"{name} {tuple(shape)} must have {of}'s dimensions and leading axes "
            f"{tuple(a.shape[:-2])}, with (H, W) last"
        )


def _indices_fit(call, h, w, of):
    """A data check: every index is a position of the ``(h, w)`` plane."""
    if call.enabled and math.prod(call.args["indices"].shape) > 0:
        call.require(
            call.xp.max(call.args["indices"]) < h * w,
            f"indices must hold positions in [0, H*W) = [0, {h * w}) of the {of} "
            f"(H, W) = ({h}, {w}); an index out of range",
        )


def _max_pool_backward_rule(call):
    shape = call.args["input_shape"]
    _plane_shape(call, "input_shape", shape, "grad_out")
    _indices_fit(call, shape[-2], shape[-1], "input_shape")
    if call.args["kernel_size"] is None:
        if call.args["stride"] is not None or call.args["padding"] != (0, 0):
            raise ValueError("stride and padding need kernel_size (the forward pass's window)")
        return
    h, w = shape[-2], shape[-1]
    out = _window(call, h, w)
    got = tuple(call.args["grad_out"].shape[-2:])
    if got != out:
        raise ValueError(
            f"grad_out must have the pooled plane {out} of input_shape {tuple(shape)} "
            f"with these kernel_size, stride and padding, got {got}"
        )
    if call.enabled and math.prod(call.args["indices"].shape) > 0:  # each index in its window
        xp, idx = call.xp, call.args["indices"]
        (kh, kw), (ph, pw) = call.args["kernel_size"], call.args["padding"]
        sh, sw = call.args["stride"] or (kh, kw)
        top = xp.arange(out[0], device=call.device)[:, None] * sh - ph
        left = xp.arange(out[1], device=call.device)[None, :] * sw - pw
        # The window's columns that are in the plane, counted from its left edge: [lo, hi).
        # A position of the plane is in its window iff its offset from the window's
        # corner is i*W + j for a row i < kh of the window and such a column j: one
        # pair of comparisons per row, no division (which is slow on integers)
        lo, hi = xp.maximum(left, 0) - left, xp.minimum(left + kw, w) - left
        offset = idx - (top * w + left)
        inside = None
        for i in range(kh):
            row = (offset >= lo + i * w) & (offset < hi + i * w)
            inside = row if inside is None else inside | row
        call.require(
            xp.all(inside),
            "indices must lie in their windows of kernel_size, stride and padding "
            "(the forward pass's); an index outside its window",
        )


def _avg_pool_backward_rule(call):
    shape = call.args["input_shape"]
    _plane_shape(call, "input_shape", shape, "grad_out")
    out = _window(call, shape[-2], shape[-1])
    got = tuple(call.args["grad_out"].shape[-2:])
    if got != out:
        raise ValueError(
            f"grad_out must have the pooled plane {out} of input_shape {tuple(shape)} "
            f"with these kernel_size, stride and padding, got {got}"
        )


def _unpool_rule(call):
    size = call.args["output_size"]
    if len(size) != 2:
        _plane_shape(call, "output_size", size, "x")
    _indices_fit(call, size[-2], size[-1], "output_size")


_WINDOW = {"kernel_size": Pair(1), "stride": Optional(Pair(1)), "padding": Pair(0)}


# --------------------------------------------------------------------------
# Shared pieces (a snippet inlines them)
# --------------------------------------------------------------------------


def _pair(v):
    """An int or a pair as a pair ``(height, width)``."""
    return (v, v) if isinstance(v, int) else tuple(v)


def _pad(xp, x, ph, pw, value):
    """``x`` with ``ph`` rows and ``pw`` columns of ``value`` added on both sides."""
    if ph:
        rows = xp.full((*x.shape[:-2], ph, x.shape[-1]), value, dtype=x.dtype, device=device(x))
        x = xp.concat([rows, x, rows], axis=-2)
    if pw:
        cols = xp.full((*x.shape[:-1], pw), value, dtype=x.dtype, device=device(x))
        x = xp.concat([cols, x, cols], axis=-1)
    return x


def _runs(xp, values, indices, size):
    """Each row of ``values`` sorted by its ``indices`` in ``[0, size)``, and the runs.

    Returns the sorted values ``(rows, n)``, and for every position ``q`` of every
    row, where its run of equal indices starts and ends in them: ``(rows,
    size)`` arrays ``lo`` and ``hi`` (``hi == lo``: the index does not occur).
    A stable sort, so a run keeps the row-major order of the updates.
    """
    rows = values.shape[0]
    order = xp.argsort(indices, axis=1, stable=True)
    keys = xp.take_along_axis(indices, order, axis=1)
    keys = xp.where((keys >= 0) & (keys < size), keys, size)  # invalid: after the row's own
    row = xp.arange(rows, dtype=keys.dtype, device=device(keys))[:, None]
    flat = xp.reshape(keys + (size + 1) * row, (-1,))  # sorted over all rows at once
    starts = xp.searchsorted(
        flat, xp.arange(rows * (size + 1), dtype=keys.dtype, device=device(keys))
    )
    starts = xp.reshape(starts, (rows, size + 1))  # a run ends where the next index's starts
    return xp.take_along_axis(values, order, axis=1), starts[:, :-1], starts[:, 1:]


def _scatter_add(xp, values, indices, size):
    """Per row, ``out[q] = sum of values[k] where indices[k] == q``: repeats are summed."""
    rows, n = values.shape
    ordered, lo, hi = _runs(xp, values, indices, size)
    # the sum of a run is a difference of running sums, kept in float64 where the
    # device has it (float32 running sums over a plane lose digits); an index
    # that occurs once takes its value itself, exactly
    wide = xp.astype(ordered, default_float(xp, device(values)))
    sums = xp.reshape(xp.cumulative_sum(wide, axis=1, include_initial=True), (-1,))
    flat = xp.reshape(ordered, (-1,))
    row = xp.arange(rows, dtype=lo.dtype, device=device(lo))[:, None]  # row p's sums start p later
    run = xp.take(sums, xp.reshape(hi + row, (-1,))) - xp.take(sums, xp.reshape(lo + row, (-1,)))
    run = xp.astype(run, values.dtype)
    once = xp.take(flat, xp.reshape(xp.minimum(lo, rows * n - 1), (-1,)))
    return xp.reshape(xp.where(xp.reshape(hi - lo, (-1,)) == 1, once, run), (rows, size))


# --------------------------------------------------------------------------
# Max pooling (C1, O9) and unpooling (C2)
# --------------------------------------------------------------------------


@checked(x=Floats(ndim=(3, 4)), extra=_pool_rule, **_WINDOW)
def max_pool2d(x, kernel_size, *, stride=None, padding=0):
    r"""Max pooling that remembers where each maximum was: ``(out, indices)``.

    Slide formula: C1, O9.

    Parameters
    ----------
    x : array-like of shape (N, C, H, W) or (C, H, W)
        Feature maps. Not modified.
    kernel_size : int or (int, int)
        Window height and width.
    stride : int or (int, int), optional
        Step between windows; ``None`` (the default) means ``kernel_size``.
    padding : int or (int, int), default=0
        Rows and columns of $-\infty$ added on each side; at most half of
        ``kernel_size``, so that every window holds an element of ``x``.

    Returns
    -------
    out : array of shape (..., H_out, W_out)
        The maximum of each window, with
        $H_{out} = \lfloor (H + 2p - k)/s \rfloor + 1$ (and so for $W$).
    indices : integer array of out's shape
        Where each maximum is, as the flat position ``row * W + col`` in its
        ``(H, W)`` plane of ``x`` (PyTorch's ``return_indices=True``). Ties go
        to the first maximum in row-major order.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers or a window option is not an
        int or a pair of ints.
    ValueError
        If ``x`` is not 3-D or 4-D or not finite, ``kernel_size`` or
        ``stride`` is below 1, ``padding`` is negative or more than half
        the kernel, or the kernel is larger than the padded input.

    Notes
    -----
    $$y_{ho,wo} = \max_{0 \le i < k_h,\ 0 \le j < k_w} x_{s_h ho + i - p_h,\ s_w wo + j - p_w},
    \qquad \mathrm{idx}_{ho,wo} = W\,r^* + c^*$$

    with $(r^*, c^*)$ the position in ``x`` of the first maximum (row-major
    order within the window). The positions are the slide's "remember which
    element was max": `max_pool2d_backward` sends each gradient there, and
    `max_unpool2d` puts values back there.

    Examples
    --------
    The slide's 4×4 input, 2×2 windows with stride 2:

    >>> x = [[[1.0, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]]]
    >>> out, indices = max_pool2d(x, 2)
    >>> out.tolist(), indices.tolist()
    ([[[5.0, 6.0], [7.0, 8.0]]], [[[5, 2], [12, 15]]])
    """
    xp, x = float_arrays(x)
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(padding)
    sh, sw = _pair(kernel_size if stride is None else stride)
    h, w = x.shape[-2], x.shape[-1]
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    padded = _pad(xp, x, ph, pw, -math.inf)
    rows = xp.arange(ho, device=device(x)) * sh - ph
    cols = xp.arange(wo, device=device(x)) * sw - pw
    corner = rows[:, None] * w + cols[None, :]  # flat position of each window's top-left element
    # a window's offsets i * W + j, all below kh * (W + kw), fit a small dtype: less to move
    small = xp.int16 if kh * (w + kw) <= 2**15 else xp.int64
    out = offset = None
    for i in range(kh):  # one shifted, strided view per window element, in row-major order
        for j in range(kw):
            v = padded[..., i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw]
            if out is None:
                out, offset = v, xp.zeros(v.shape, dtype=small, device=device(x))
                continue
            # where v beats the maximum so far (strictly: a tie keeps the first), its offset
            # replaces the old one, which is smaller (row-major order): so a maximum, and no
            # `where`, which branches on every element and is slow on random data
            bigger = xp.astype(v > out, small)
            out = xp.maximum(v, out)
            offset = xp.maximum(offset, bigger * (i * w + j))
    return out, corner + offset  # the flat positions, in corner's integer dtype


@checked(
    grad_out=Floats(ndim=(3, 4)),
    indices=Ints(low=0, like="grad_out"),
    input_shape=Shape(3, 4),
    kernel_size=Optional(Pair(1)),
    stride=Optional(Pair(1)),
    padding=Pair(0),
    extra=_max_pool_backward_rule,
)
def max_pool2d_backward(
    grad_out, indices, input_shape, *, kernel_size=None, stride=None, padding=0
):
    r"""Gradient of `max_pool2d` with respect to x: each window's gradient goes to its argmax.

    Slide formula: O9.

    Parameters
    ----------
    grad_out : array-like of shape (N, C, H_out, W_out) or (C, H_out, W_out)
        $\partial L/\partial y$ for the pooled output.
    indices : integer array-like of grad_out's shape
        The ``indices`` returned by `max_pool2d`: flat positions in
        ``[0, H*W)`` of each ``(H, W)`` plane.
    input_shape : tuple of int
        The shape of the pooled input x, ``(N, C, H, W)`` or ``(C, H, W)``.
    kernel_size : int or (int, int), optional
        The forward pass's window, if known (PyTorch's own backward kernel
        takes it too). ``None`` (the default): the positions alone are used.
    stride : int or (int, int), optional
        The forward pass's stride, with ``kernel_size``; ``None`` means
        ``kernel_size``.
    padding : int or (int, int), default=0
        The forward pass's padding, with ``kernel_size``.

    Returns
    -------
    array of shape input_shape
        $\partial L/\partial x$: zero except at the argmax positions, where
        the gradients of every window whose maximum sits there add up.

    Raises
    ------
    TypeError
        If ``grad_out`` does not hold real numbers, ``indices`` integers, or
        ``input_shape`` is not a tuple of ints.
    ValueError
        If ``grad_out`` is not finite or not 3-D or 4-D, ``indices`` has
        another shape or holds a position outside ``[0, H*W)`` (or, with
        ``kernel_size``, outside its window), ``input_shape`` does not match
        grad_out's leading axes, or grad_out's plane is not the pooled plane
        of ``input_shape`` with the window given.

    Notes
    -----
    $$\frac{\partial L}{\partial x_q} = \sum_{(ho, wo):\ \mathrm{idx}_{ho,wo} = q}
    \frac{\partial L}{\partial y_{ho,wo}}$$

    The maximum is locally the identity of its argmax and ignores the other
    elements, so only the argmax gets a gradient, and of tied maxima only the
    first in row-major order (the one ``indices`` names, as in PyTorch).
    Where windows overlap, one element can be the argmax of several windows:
    the sum above has several terms. Knowing only the positions, this is a
    scatter-add with repeated indices, written here without ``x[idx] += y``
    (which keeps only one of the repeats on NumPy): each plane's indices are
    sorted, and each run of equal indices is summed. Knowing the window, it
    is the transpose of the forward pass's views instead: for each window
    element $(i, j)$, the gradients whose argmax sits there are added into
    the strided view of x that the element saw, one view at a time, so the
    repeats add up without a sort (and many times faster).

    Examples
    --------
    Two overlapping windows (stride 1) share their maximum, 5:

    >>> max_pool2d_backward([[[1.0, 2.0]]], [[[1, 1]]], (1, 1, 3)).tolist()
    [[[0.0, 3.0, 0.0]]]

    The same with the forward pass's window, ``(1, 2)`` with stride 1:

    >>> g = max_pool2d_backward([[[1.0, 2.0]]], [[[1, 1]]], (1, 1, 3), kernel_size=(1, 2), stride=1)
    >>> g.tolist()
    [[[0.0, 3.0, 0.0]]]
    """
    xp, grad_out = float_arrays(grad_out)
    indices = xp.asarray(indices)
    *lead, h, w = input_shape
    ho, wo = grad_out.shape[-2], grad_out.shape[-1]
    if kernel_size is None:  # positions only: a scatter-add that sums repeated indices
        grads = xp.reshape(grad_out, (-1, ho * wo))
        grad_x = _scatter_add(xp, grads, xp.reshape(indices, grads.shape), h * w)
        return xp.reshape(grad_x, tuple(input_shape))
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(padding)
    sh, sw = _pair(kernel_size if stride is None else stride)
    rows = xp.arange(ho, device=device(grad_out)) * sh - ph
    cols = xp.arange(wo, device=device(grad_out)) * sw - pw
    offset = indices - (rows[:, None] * w + cols[None, :])  # i * W + j: the argmax in its window
    grad = xp.zeros((*lead, h + 2 * ph, w + 2 * pw), dtype=grad_out.dtype, device=device(grad_out))
    for i in range(kh):  # each window element's gradients go to one strided view of x
        for j in range(kw):
            # the gradients whose argmax is this element: a product with a 0/1 mask (exact
            # for finite gradients; + 0.0 makes the -0.0 of a negative one times 0 a 0.0),
            # and no `where`, which branches on every element
            hit = grad_out * xp.astype(offset == i * w + j, grad_out.dtype) + 0.0
            at = (..., slice(i, i + sh * (ho - 1) + 1, sh), slice(j, j + sw * (wo - 1) + 1, sw))
            # windows apart (stride >= kernel): a position is in one view at most, so the
            # gradient is set; overlapping windows add up where one argmax serves several
            grad[at] = hit if sh >= kh and sw >= kw else grad[at] + hit
    return grad[..., ph : ph + h, pw : pw + w]


@checked(
    x=Floats(ndim=(3, 4)),
    indices=Ints(low=0, like="x"),
    output_size=Shape(2, 3, 4),
    extra=_unpool_rule,
)
def max_unpool2d(x, indices, output_size):
    r"""Max unpooling: a zero-filled plane with each value of x put back at its index.

    Slide formula: C2.

    Parameters
    ----------
    x : array-like of shape (N, C, h, w) or (C, h, w)
        The values to put back (the pooled maps, or what a decoder made of them).
    indices : integer array-like of x's shape
        Flat positions ``row * W + col`` in the ``(H, W)`` output plane, as
        returned by `max_pool2d`.
    output_size : tuple of int
        ``(H, W)``, or a full shape ending in ``(H, W)`` with x's leading axes.

    Returns
    -------
    array of shape (..., H, W)
        Zeros, except ``x`` at ``indices``. Where an index repeats
        (overlapping windows), the last value in row-major order is kept
        (PyTorch writes in parallel and keeps any one of them).

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers, ``indices`` integers, or
        ``output_size`` is not a tuple of ints.
    ValueError
        If ``x`` is not finite or not 3-D or 4-D, ``indices`` has another
        shape or holds a position outside ``[0, H*W)``, or ``output_size``
        has neither 2 entries nor x's leading axes.

    Notes
    -----
    $$z_q = \begin{cases} x_{ho,wo} & \text{if } \mathrm{idx}_{ho,wo} = q\\
    0 & \text{if no index is } q\end{cases}$$

    It is the transpose of taking the values at ``indices``: with
    the indices of `max_pool2d`, unpooling the gradient of the output is
    `max_pool2d_backward` when no windows overlap.

    Examples
    --------
    The slide's unpooling of [[1, 2], [3, 4]] with the positions remembered
    by max pooling:

    >>> z = max_unpool2d([[[1.0, 2.0], [3.0, 4.0]]], [[[5, 2], [12, 15]]], (4, 4))
    >>> z.tolist()
    [[[0.0, 0.0, 2.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [3.0, 0.0, 0.0, 4.0]]]
    """
    xp, x = float_arrays(x)
    h, w = output_size[-2], output_size[-1]
    values = xp.reshape(x, (-1, x.shape[-2] * x.shape[-1]))
    ordered, lo, hi = _runs(xp, values, xp.reshape(xp.asarray(indices), values.shape), h * w)
    last = xp.take(xp.reshape(ordered, (-1,)), xp.reshape(xp.maximum(hi - 1, 0), (-1,)))
    z = xp.where(xp.reshape(hi > lo, (-1,)), last, xp.zeros_like(last))  # a run's last value
    return xp.reshape(z, (*x.shape[:-2], h, w))


# --------------------------------------------------------------------------
# Average pooling (O9)
# --------------------------------------------------------------------------


@checked(x=Floats(ndim=(3, 4)), extra=_pool_rule, **_WINDOW)
def avg_pool2d(x, kernel_size, *, stride=None, padding=0):
    r"""Average pooling: the mean of each window, padding counted as zeros.

    Slide formula: O9.

    Parameters
    ----------
    x : array-like of shape (N, C, H, W) or (C, H, W)
        Feature maps. Not modified.
    kernel_size : int or (int, int)
        Window height and width.
    stride : int or (int, int), optional
        Step between windows; ``None`` (the default) means ``kernel_size``.
    padding : int or (int, int), default=0
        Rows and columns of zeros added on each side; at most half of
        ``kernel_size``.

    Returns
    -------
    array of shape (..., H_out, W_out)
        The window means, $H_{out} = \lfloor (H + 2p - k)/s \rfloor + 1$.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers or a window option is not an
        int or a pair of ints.
    ValueError
        If ``x`` is not 3-D or 4-D or not finite, ``kernel_size`` or
        ``stride`` is below 1, ``padding`` is negative or more than half
        the kernel, or the kernel is larger than the padded input.

    Notes
    -----
    $$y_{ho,wo} = \frac{1}{k_h k_w}\sum_{i=0}^{k_h-1}\sum_{j=0}^{k_w-1}
    x_{s_h ho + i - p_h,\ s_w wo + j - p_w}$$

    with $x = 0$ in the padding, which counts in the divisor $k_h k_w$:
    PyTorch's default (``count_include_pad=True``).

    Examples
    --------
    >>> x = [[[1.0, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]]]
    >>> avg_pool2d(x, 2).tolist()
    [[[2.75, 3.0], [3.25, 3.75]]]
    """
    xp, x = float_arrays(x)
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(padding)
    sh, sw = _pair(kernel_size if stride is None else stride)
    ho = (x.shape[-2] + 2 * ph - kh) // sh + 1
    wo = (x.shape[-1] + 2 * pw - kw) // sw + 1
    padded = _pad(xp, x, ph, pw, 0.0)
    total = None
    for i in range(kh):  # the sum of one shifted, strided view per window element
        for j in range(kw):
            v = padded[..., i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw]
            total = v if total is None else total + v
    return total / (kh * kw)


@checked(
    grad_out=Floats(ndim=(3, 4)),
    input_shape=Shape(3, 4),
    extra=_avg_pool_backward_rule,
    **_WINDOW,
)
def avg_pool2d_backward(grad_out, input_shape, kernel_size, *, stride=None, padding=0):
    r"""Gradient of `avg_pool2d` with respect to x: each window's gradient shared evenly.

    Slide formula: O9.

    Parameters
    ----------
    grad_out : array-like of shape (N, C, H_out, W_out) or (C, H_out, W_out)
        $\partial L/\partial y$ for the pooled output.
    input_shape : tuple of int
        The shape of the pooled input x, ``(N, C, H, W)`` or ``(C, H, W)``.
    kernel_size : int or (int, int)
        The forward pass's window.
    stride : int or (int, int), optional
        The forward pass's stride; ``None`` means ``kernel_size``.
    padding : int or (int, int), default=0
        The forward pass's padding.

    Returns
    -------
    array of shape input_shape
        $\partial L/\partial x$.

    Raises
    ------
    TypeError
        If ``grad_out`` does not hold real numbers, ``input_shape`` is not a
        tuple of ints or a window option is not an int or a pair of ints.
    ValueError
        If ``grad_out`` is not finite or not 3-D or 4-D, ``input_shape``
        does not match its leading axes, the window does not fit (as in
        `avg_pool2d`), or grad_out's plane is not the pooled plane of
        ``input_shape``.

    Notes
    -----
    $$\frac{\partial L}{\partial x_{r,c}} = \frac{1}{k_h k_w}
    \sum_{(ho, wo):\ (r, c) \in \text{window}(ho, wo)} \frac{\partial L}{\partial y_{ho,wo}}$$

    Every element of a window gets the same share of its gradient; where
    windows overlap, the shares add up. The shares sent to the padding are
    dropped.

    Examples
    --------
    >>> avg_pool2d_backward([[[4.0, 8.0]]], (1, 2, 4), 2).tolist()
    [[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]]]
    """
    xp, grad_out = float_arrays(grad_out)
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(padding)
    sh, sw = _pair(kernel_size if stride is None else stride)
    *lead, h, w = input_shape
    ho, wo = grad_out.shape[-2], grad_out.shape[-1]
    shape = (*lead, h + 2 * ph, w + 2 * pw)
    grad = xp.zeros(shape, dtype=grad_out.dtype, device=device(grad_out))
    share = grad_out / (kh * kw)
    for i in range(kh):  # the transpose of the forward's views: add each share where it came from
        for j in range(kw):
            grad[..., i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw] += share
    return grad[..., ph : ph + h, pw : pw + w]

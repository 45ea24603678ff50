r"""Convolution and upsampling (003, segmentation): C3-C6.

The segmentation slides build a fully convolutional network from three pieces,
one pure function each here:

* `conv2d` (stride, padding, dilation, groups), as an im2col gather
  followed by one matrix product, and its backward pass `conv2d_backward`,
  a convolution too: the same gather of the output gradient (spread out by
  the stride and padded), times the rotated kernels and times the input;
* `conv_transpose2d`, written as the adjoint of `conv2d` (its input gradient),
  which is what "transposed convolution" means; `conv_matrix` shows it in 1-D
  as a matrix and its transpose;
* the upsampling layers: `zero_insert`, `upsample_nearest`,
  `upsample_bilinear` (zero insertion and the slide's 3x3 kernel) and
  `upsample_bicubic`.

Layouts and conventions follow PyTorch: inputs ``(N, C, H, W)`` (a 3-D
``(C, H, W)`` input is accepted and returns 3-D), weights
``(C_out, C_in / groups, kh, kw)``, and "convolution" is a cross-correlation.
"""

from __future__ import annotations

from array_api_compat import device

from dlnotes._checks import Count, Floats, Optional, Spec, checked
from dlnotes.backend import array_namespace, as_float_arrays, float_arrays

__all__ = [
    "conv2d",
    "conv2d_backward",
    "conv_matrix",
    "conv_transpose2d",
    "upsample_bicubic",
    "upsample_bilinear",
    "upsample_nearest",
    "zero_insert",
]


# --------------------------------------------------------------------------
# Specs and rules (`checked`; no snippet carries them)
# --------------------------------------------------------------------------


class Pair(Spec):
    """An int or a pair of ints, each >= ``minimum``, as a tuple ``(h, w)``."""

    def __init__(self, minimum: int) -> None:
        self.count = Count(minimum)

    def check(self, name, value, call):
        items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
        if len(items) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        return tuple(self.count.check(name, v, call) for v in items)


class Kernel(Spec):
    """A 1-D kernel of real numbers, or of SymPy expressions (a NumPy object array)."""

    is_array = True

    def check(self, name, value, call):
        import numpy as np  # SymPy entries can only live in a NumPy object array

        items = list(value) if isinstance(value, (list, tuple, np.ndarray)) else []
        if isinstance(value, np.ndarray) and value.dtype != object:
            items = []  # a numeric NumPy array
        symbolic = any(type(v).__module__.startswith("sympy") for v in items)
        if not symbolic:
            _, value = as_float_arrays(value, names=(name,))
            return Floats(ndim=1).check(name, value, call)  # shape, and finite values
        value = np.asarray(value, dtype=object)
        if value.ndim != 1 or value.shape[0] == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array, got shape {value.shape}")
        return value


def _batched(call, name):
    a = call.args[name]
    if a.ndim not in (3, 4):
        raise ValueError(f"{name} must be (N, C, H, W) or (C, H, W), got shape {tuple(a.shape)}")
    return (1, *a.shape) if a.ndim == 3 else tuple(a.shape)


def _conv_rule(call, transposed=False):
    args = call.args
    _, c, h, w = _batched(call, "x")
    weight, groups = args["weight"], args["groups"]
    if weight.ndim != 4:
        raise ValueError(f"weight must be 4-D, got shape {tuple(weight.shape)}")
    if c % groups:
        raise ValueError(f"groups={groups} must divide the input channels C = {c} (x's axis 1)")
    layout = "(C_in, C_out / groups, kh, kw)" if transposed else "(C_out, C_in / groups, kh, kw)"
    if transposed and weight.shape[0] != c:
        raise ValueError(f"weight must be {layout}: axis 0 must be C_in = {c}, got {weight.shape}")
    if not transposed and weight.shape[1] * groups != c:
        raise ValueError(
            f"weight must be {layout}: axis 1 must be C_in / groups = {c // groups}, "
            f"got shape {tuple(weight.shape)}"
        )
    if not transposed and weight.shape[0] % groups:
        raise ValueError(f"groups={groups} must divide the output channels {weight.shape[0]}")
    c_out = weight.shape[1] * groups if transposed else weight.shape[0]
    bias = args.get("bias")
    if bias is not None and tuple(bias.shape) != (c_out,):
        raise ValueError(f"bias must have shape ({c_out},), got shape {tuple(bias.shape)}")
    (sh, sw), (ph, pw), (dh, dw) = args["stride"], args["padding"], args["dilation"]
    kh, kw = weight.shape[2], weight.shape[3]
    if transposed:
        oph, opw = args["output_padding"]
        if oph >= max(sh, dh) or opw >= max(sw, dw):
            raise ValueError(
                f"output_padding must be smaller than stride or dilation, got "
                f"{args['output_padding']} with stride {args['stride']}, "
                f"dilation {args['dilation']}"
            )
        out = [(h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1]
        out.append((w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1)
        if min(out) < 1:
            raise ValueError(f"padding={args['padding']} leaves an empty output {tuple(out)}")
        return
    if h + 2 * ph < dh * (kh - 1) + 1 or w + 2 * pw < dw * (kw - 1) + 1:
        raise ValueError(
            f"weight's kernel ({kh}, {kw}) with dilation {args['dilation']} is larger than "
            f"the padded input ({h + 2 * ph}, {w + 2 * pw}) (x with padding={args['padding']})"
        )


def _conv_backward_rule(call):
    _conv_rule(call)
    args = call.args
    n, _, h, w = _batched(call, "x")
    weight = args["weight"]
    (sh, sw), (ph, pw), (dh, dw) = args["stride"], args["padding"], args["dilation"]
    ho = (h + 2 * ph - dh * (weight.shape[2] - 1) - 1) // sh + 1
    wo = (w + 2 * pw - dw * (weight.shape[3] - 1) - 1) // sw + 1
    want = (n, weight.shape[0], ho, wo)[4 - args["x"].ndim :]
    if tuple(args["grad_out"].shape) != want:
        raise ValueError(
            f"grad_out must have conv2d's output shape {want}, got {tuple(args['grad_out'].shape)}"
        )


def _planes_rule(call):
    if call.args["x"].ndim < 2:
        raise ValueError(
            f"x must have at least 2 dimensions (H, W), got shape {call.args['x'].shape}"
        )


def _conv_matrix_rule(call):
    kernel, n, padding = call.args["kernel"], call.args["n"], call.args["padding"]
    if n + 2 * padding < kernel.shape[0]:
        raise ValueError(
            f"kernel of length {kernel.shape[0]} is longer than the padded signal "
            f"n + 2 * padding = {n + 2 * padding}"
        )


_PAIR1, _PAIR0 = Pair(1), Pair(0)
_CONV = {
    "stride": _PAIR1,
    "padding": _PAIR0,
    "dilation": _PAIR1,
    "groups": Count(1),
}


# --------------------------------------------------------------------------
# Shared pieces of math (a snippet inlines them)
# --------------------------------------------------------------------------


def _pair(v):
    """``(v, v)`` for an int, the pair itself otherwise."""
    return (v, v) if isinstance(v, int) else tuple(v)


def _taps(kh, kw, stride, dilation, wp, ho, wo):
    """Per kernel offset ``(i, j)``, the index of the padded input's pixels that it meets.

    Offset ``(i, j)`` meets ``xpad[..., i*dh + sh*r, j*dw + sw*c]`` at output ``(r, c)``:
    a strided 2-D slice. With stride 1 it is one contiguous run of the plane
    flattened (rows of the padded width ``Wp``, of which the last ``Wp - Wo``
    are never used), the same values in far fewer, longer copies.
    """
    (sh, sw), (dh, dw) = stride, dilation
    if (sh, sw) == (1, 1):
        runs = [i * dh * wp + j * dw for i in range(kh) for j in range(kw)]
        return [(..., slice(o, o + ho * wp)) for o in runs]
    rows = [slice(i * dh, i * dh + sh * (ho - 1) + 1, sh) for i in range(kh)]
    cols = [slice(j * dw, j * dw + sw * (wo - 1) + 1, sw) for j in range(kw)]
    return [(..., r, c) for r in rows for c in cols]


def _geometry(shape, kh, kw, stride, padding, dilation):
    """``(Ho, Wo, Wq)``: the output's size for an input of ``shape`` (..., H, W), and the
    width of `_im2col`'s rows: ``Wo``, or the padded width for stride 1 (`_taps`' runs).
    """
    axes = zip(shape[-2:], (kh, kw), stride, padding, dilation)
    ho, wo = ((n + 2 * p - d * (k - 1) - 1) // s + 1 for n, k, s, p, d in axes)
    return ho, wo, (shape[-1] + 2 * padding[1] if tuple(stride) == (1, 1) else wo)


def _batches(n, per_image):
    """Slices of a batch of ``n``: as many images as fit in about 2**20 column values.

    The columns are large (9x the input for a 3x3 kernel). Taken an image or
    a few at a time (4 MiB of float32), in buffers that every block reuses
    (`_buffers`), they stay close to the caches, and no block pays the page
    faults of a fresh large array.
    """
    step = max(1, 2**20 // per_image)
    return [slice(b, min(b + step, n)) for b in range(0, n, step)]


def _buffers(xp, a, m, plane_hw, cols_shape):
    """For blocks of up to ``m`` images of ``a``'s channels: a zero plane and empty columns.

    The plane ``(m, C, *plane_hw)`` holds a block padded with zeros (only its
    inside is written, so the border stays zero); the columns ``(m, C,
    *cols_shape)``, which `_im2col` fills, are ``(kh*kw, Ho * Wp)`` per
    channel for stride 1 (rows as wide as the plane), ``(kh*kw, Ho, Wo)``
    otherwise.
    """
    c, where = a.shape[1], device(a)
    plane = xp.zeros((m, c, *plane_hw), dtype=a.dtype, device=where)
    return plane, xp.empty((m, c, *cols_shape), dtype=a.dtype, device=where)


def _im2col(xp, plane, cols, m, kh, kw, stride, dilation, out_hw, groups):
    """The windows of the first ``m`` padded images in ``plane``, as ``(m, groups, K, Ho * Wq)``.

    One slice of the plane per kernel offset (`_taps`), written into the
    buffer ``cols`` (`_buffers`); ``K`` is ``C/groups * kh * kw``. ``Wq`` is
    ``Wo``, or the plane's width for stride 1, whose runs need one zero row
    below the plane: the last ones end less than a row past it.
    """
    flat, (c, wp), (ho, wo) = cols.ndim == 4, (plane.shape[1], plane.shape[3]), out_hw
    src = xp.reshape(plane[:m, ...], (m, c, -1)) if flat else plane[:m, ...]
    for k, t in enumerate(_taps(kh, kw, stride, dilation, wp, ho, wo)):
        cols[:m, :, k, ...] = src[t]
    return xp.reshape(cols[:m, ...], (m, groups, -1, ho * (wp if flat else wo)))


def _inside(offset, step, n, size):
    """Values ``0..n-1`` of an axis placed at ``offset + step * i``: the ones in ``[0, size)``.

    Returns the slice of them and the slice of the positions they take.
    """
    first = max(0, -(offset // step))
    last = max(first, min(n, (size - 1 - offset) // step + 1))
    start = offset + step * first
    return slice(first, last), slice(start, start + step * (last - first - 1) + 1, step)


def _conv_grads(xp, g, weight, shape, stride, padding, dilation, groups, x=None):
    r"""$\partial L/\partial x$ of a convolution with output gradient ``g`` and an input of
    ``shape``; with ``x``, also $\partial L/\partial w$, from the same columns.

    ``g`` spread out by the stride (zeros between its values, the zero
    insertion of C5) and padded by $d(k - 1) - p$ is a plane whose stride-1
    convolution with the kernels flipped, their channel axes swapped, is
    $\partial L/\partial x$. The columns of that plane times ``x`` (at the
    columns' row width, zeros past W) are $\partial L/\partial w$ flipped.
    """
    (n, c, h, w), (c_out, _, kh, kw) = shape, weight.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    hq, wq = h + dh * (kh - 1), w + dw * (kw - 1)  # x's size, padded for the kernel
    g_rows, rows = _inside(dh * (kh - 1) - ph, sh, g.shape[2], hq)  # row r at d(k-1) - p + s*r
    g_cols, cols = _inside(dw * (kw - 1) - pw, sw, g.shape[3], wq)
    wt = xp.reshape(xp.flip(weight, axis=(2, 3)), (groups, c_out // groups, c // groups, -1))
    wt = xp.reshape(xp.permute_dims(wt, (0, 2, 1, 3)), (groups, c // groups, -1))
    blocks = _batches(n, c_out * kh * kw * h * w)  # a few images at a time
    most = blocks[0].stop  # images in the largest block: the buffers' size
    plane, buffer = _buffers(xp, g, most, (hq + 1, wq), (kh * kw, h * wq))
    grad_x = xp.empty(shape, dtype=xp.result_type(g, weight), device=device(g))
    if x is not None:  # x at the columns' row width: zeros past W add nothing
        xq = xp.zeros((most, c, h, wq), dtype=x.dtype, device=device(x))
    grad_wt = 0.0  # (G, C_out/G * kh*kw, C_in/G), flipped, summed over the blocks
    for part in blocks:
        m = part.stop - part.start
        plane[:m, :, rows, cols] = g[part, :, g_rows, g_cols]  # the zeros stay zero
        gcols = _im2col(xp, plane, buffer, m, kh, kw, (1, 1), dilation, (h, w), groups)
        grad_x[part, ...] = xp.reshape(xp.matmul(wt, gcols), (m, c, h, wq))[..., :w]
        if x is not None:
            xq[:m, :, :, :w] = x[part, ...]
            xt = xp.matrix_transpose(xp.reshape(xq[:m, ...], (m, groups, c // groups, -1)))
            grad_wt = grad_wt + xp.sum(xp.matmul(gcols, xt), axis=0)
    if x is None:
        return grad_x, None
    grad_w = xp.reshape(grad_wt, (groups, c_out // groups, kh, kw, c // groups))
    grad_w = xp.flip(xp.permute_dims(grad_w, (0, 1, 4, 2, 3)), axis=(3, 4))
    return grad_x, xp.reshape(grad_w, weight.shape)


# --------------------------------------------------------------------------
# Convolution (C5, C6)
# --------------------------------------------------------------------------


@checked(
    x=Floats(),
    weight=Floats(),
    bias=Optional(Floats()),
    **_CONV,
    extra=_conv_rule,
)
def conv2d(x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1):
    r"""2-D convolution (a cross-correlation, as PyTorch's ``conv2d``).

    Slide formula: C5, C6.

    Parameters
    ----------
    x : array-like of shape (N, C_in, H, W) or (C_in, H, W)
        The input feature maps.
    weight : array-like of shape (C_out, C_in / groups, kh, kw)
        The kernels.
    bias : array-like of shape (C_out,), optional
        Added to each output channel.
    stride : int or (int, int), default=1
        Step between windows (``sh, sw``).
    padding : int or (int, int), default=0
        Zeros added on each side of H and W.
    dilation : int or (int, int), default=1
        Spacing between kernel taps (atrous convolution, C6): a 3x3 kernel
        with dilation ``d`` covers ``2d + 1`` pixels without pooling.
    groups : int, default=1
        Channels split into ``groups`` independent convolutions.

    Returns
    -------
    array of shape (N, C_out, Ho, Wo)
        With $H_o = \lfloor (H + 2p_h - d_h(k_h - 1) - 1)/s_h \rfloor + 1$ (same
        for W); 3-D for a 3-D ``x``.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or an option is not an int.
    ValueError
        If the shapes do not fit (``weight``'s kernel larger than the padded
        ``x``, channels not divisible by ``groups``), an input is not finite,
        or ``stride``/``dilation`` < 1 or ``padding`` < 0.

    Notes
    -----
    $$y_{n,o,r,c} = b_o + \sum_{k}\sum_{i,j} w_{o,k,i,j}\,
    x^{\text{pad}}_{n,\,g(o)\,C_g + k,\; s_h r + d_h i,\; s_w c + d_w j}$$

    Computed as im2col: every window of the padded input becomes a column (one
    strided slice per kernel offset $(i, j)$), and one matrix product with the
    kernels flattened to rows gives all outputs at once (batched over the
    groups). With stride 1 each offset's slice is one contiguous run of the
    flattened padded input: the columns then hold rows as wide as the padded
    input, and the outputs past $W_o$ in each row are computed and dropped
    (2 of 58 for a 56-wide input with a 3x3 kernel), for copies a few
    times faster. The batch goes through an image or a few at a time, each
    block padded into one zero plane and sliced into one column buffer
    that all blocks reuse: the columns (9x the input for a 3x3 kernel) stay
    small and close to the caches.

    Examples
    --------
    >>> x = [[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]]
    >>> conv2d(x, [[[[1.0, 0.0], [0.0, -1.0]]]]).tolist()
    [[[[-4.0, -4.0], [-4.0, -4.0]]]]
    """
    xp, x, weight = float_arrays(x, weight)
    single = x.ndim == 3
    x = x[None, ...] if single else x
    (n, c, h, w), (c_out, _, kh, kw) = x.shape, weight.shape
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    w_rows = xp.reshape(weight, (groups, c_out // groups, -1))  # kernels as rows, per group
    dtype = xp.result_type(x, weight)
    bias = None if bias is None else xp.reshape(xp.asarray(bias, dtype=dtype), (-1, 1, 1))
    (ph, pw), (ho, wo, wq) = padding, _geometry(x.shape, kh, kw, stride, padding, dilation)
    out = xp.empty((n, c_out, ho, wo), dtype=dtype, device=device(x))
    blocks = _batches(n, c * kh * kw * ho * wq)  # a few images at a time
    per_channel = (kh * kw, ho * wq) if stride == (1, 1) else (kh * kw, ho, wo)  # columns
    plane, cols = _buffers(xp, x, blocks[0].stop, (h + 2 * ph + 1, w + 2 * pw), per_channel)
    for part in blocks:
        m = part.stop - part.start
        plane[:m, :, ph : ph + h, pw : pw + w] = x[part, ...]  # the border stays zero
        x_cols = _im2col(xp, plane, cols, m, kh, kw, stride, dilation, (ho, wo), groups)
        y = xp.reshape(xp.matmul(w_rows, x_cols), (m, c_out, ho, wq))
        if bias is not None:
            y += bias  # in place: the product is this call's own array
        out[part, ...] = y[..., :wo]
    return out[0, ...] if single else out


@checked(
    grad_out=Floats(),
    x=Floats(),
    weight=Floats(),
    **_CONV,
    extra=_conv_backward_rule,
)
def conv2d_backward(grad_out, x, weight, *, stride=1, padding=0, dilation=1, groups=1):
    r"""Gradients of `conv2d` with respect to its input, weight and bias.

    Slide formula: C5.

    Parameters
    ----------
    grad_out : array-like of conv2d's output shape
        $\partial L/\partial y$.
    x : array-like of shape (N, C_in, H, W) or (C_in, H, W)
        The input of the forward pass.
    weight : array-like of shape (C_out, C_in / groups, kh, kw)
        The kernels of the forward pass.
    stride, padding, dilation : int or (int, int)
        As in `conv2d`.
    groups : int, default=1
        As in `conv2d`.

    Returns
    -------
    grad_x : array of x's shape
        $\partial L/\partial x$: the transposed convolution of ``grad_out``.
    grad_weight : array of weight's shape
        $\partial L/\partial w$: the correlation of ``grad_out`` with x.
    grad_bias : array of shape (C_out,)
        $\partial L/\partial b$: ``grad_out`` summed over all but the channels.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or an option is not an int.
    ValueError
        If the shapes do not fit (as for `conv2d`; ``grad_out`` not of the
        output's shape) or an input is not finite.

    Notes
    -----
    $$\frac{\partial L}{\partial x} = \tilde W^\top \tilde G_{\text{col}}, \qquad
    \frac{\partial L}{\partial \tilde W} = \tilde G_{\text{col}}\, X^\top$$

    The backward pass of a convolution is a convolution (C5): $\tilde G$ is
    ``grad_out`` with ``stride - 1`` zeros inserted between its values, set
    $d(k - 1) - p$ from the top left of a zero plane of x's size plus
    $d(k - 1)$ (values that fall outside met only padding),
    $\tilde G_{\text{col}}$ its im2col columns (stride 1, dilation $d$),
    and $\tilde W$ the kernels flipped (rotated by 180 degrees) with their
    input and output channels swapped. Each window of $\tilde G$ collects
    every output that one input pixel reached, so overlapping windows add up
    with no col2im; and the same columns times the input (rows as wide as
    the columns', zeros past W) give the weight gradient, flipped back: one
    im2col serves both. As in `conv2d`, a few images at a time; the weight
    gradient is the sum of the blocks' products.

    Examples
    --------
    >>> x, w = [[[[1.0, 2.0], [3.0, 4.0]]]], [[[[1.0, 0.0], [0.0, -1.0]]]]
    >>> gx, gw, gb = conv2d_backward([[[[1.0]]]], x, w)
    >>> gx.tolist(), gw.tolist(), gb.tolist()
    ([[[[1.0, 0.0], [0.0, -1.0]]]], [[[[1.0, 2.0], [3.0, 4.0]]]], [1.0])
    """
    xp, grad_out, x, weight = float_arrays(grad_out, x, weight)
    single = x.ndim == 3
    x, grad_out = (x[None, ...], grad_out[None, ...]) if single else (x, grad_out)
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    grad_x, grad_w = _conv_grads(
        xp, grad_out, weight, x.shape, stride, padding, dilation, groups, x=x
    )
    return (grad_x[0, ...] if single else grad_x), grad_w, xp.sum(grad_out, axis=(0, 2, 3))


@checked(
    x=Floats(),
    weight=Floats(),
    bias=Optional(Floats()),
    output_padding=_PAIR0,
    **_CONV,
    extra=lambda call: _conv_rule(call, transposed=True),
)
def conv_transpose2d(
    x, weight, bias=None, *, stride=1, padding=0, output_padding=0, dilation=1, groups=1
):
    r"""Transposed convolution: the adjoint of `conv2d` (as PyTorch's ``conv_transpose2d``).

    Slide formula: C5.

    Parameters
    ----------
    x : array-like of shape (N, C_in, H, W) or (C_in, H, W)
        The input feature maps (a coarse map to upsample).
    weight : array-like of shape (C_in, C_out / groups, kh, kw)
        The kernels, in PyTorch's transposed layout: the weight of the
        `conv2d` whose adjoint this is.
    bias : array-like of shape (C_out,), optional
        Added to each output channel.
    stride : int or (int, int), default=1
        The stride of that `conv2d`: the upsampling factor.
    padding : int or (int, int), default=0
        The padding of that `conv2d`: rows and columns cut from the output.
    output_padding : int or (int, int), default=0
        Extra rows and columns at the bottom and right (smaller than the
        stride or the dilation), to pick one of the input sizes that `conv2d`
        maps to the same output size.
    dilation : int or (int, int), default=1
        As in `conv2d`.
    groups : int, default=1
        As in `conv2d`.

    Returns
    -------
    array of shape (N, C_out, Ho, Wo)
        $H_o = (H - 1)s_h - 2p_h + d_h(k_h - 1) + \text{output\_padding}_h + 1$;
        3-D for a 3-D ``x``.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or an option is not an int.
    ValueError
        If the shapes do not fit, ``output_padding`` is not smaller than the
        stride or dilation, or an input is not finite.

    Notes
    -----
    $$\langle \operatorname{conv2d}(u, W), v\rangle =
    \langle u, \operatorname{conv\_transpose2d}(v, W)\rangle$$

    Written as exactly that: the input gradient of `conv2d`, computed as
    `conv2d_backward` computes it (each input value spreads over its window,
    scaled by the kernel; overlapping windows add up). That is the slide's
    zero insertion followed by a convolution with the kernel flipped (C5).

    Examples
    --------
    >>> conv_transpose2d([[[[1.0, 2.0]]]], [[[[1.0, 1.0]]]], stride=2).tolist()
    [[[[1.0, 1.0, 2.0, 2.0]]]]
    """
    xp, x, weight = float_arrays(x, weight)
    single = x.ndim == 3
    x = x[None, ...] if single else x
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    (dh, dw), (oph, opw) = _pair(dilation), _pair(output_padding)
    (n, _, h, w), (per_group, kh, kw) = x.shape, weight.shape[1:]
    ho = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1  # the input size of its conv2d
    wo = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    shape = (n, per_group * groups, ho, wo)
    out, _ = _conv_grads(xp, x, weight, shape, (sh, sw), (ph, pw), (dh, dw), groups)
    if bias is not None:
        out += xp.reshape(xp.asarray(bias, dtype=out.dtype), (1, -1, 1, 1))  # this call's array
    return out[0, ...] if single else out


# --------------------------------------------------------------------------
# Convolution as a matrix (C4)
# --------------------------------------------------------------------------


@checked(kernel=Kernel(), n=Count(1), stride=Count(1), padding=Count(0), extra=_conv_matrix_rule)
def conv_matrix(kernel, n, *, stride=1, padding=0):
    r"""The matrix $C$ of the 1-D cross-correlation of a length-``n`` signal.

    Slide formula: C4.

    Parameters
    ----------
    kernel : array-like of shape (k,)
        The kernel: real numbers, or SymPy symbols (a NumPy object array then
        comes back, for the slide's symbolic tables).
    n : int
        The length of the signal.
    stride : int, default=1
        Step between windows: keeps every ``stride``-th row.
    padding : int, default=0
        Zeros added on each side of the signal.

    Returns
    -------
    array of shape (n_out, n)
        $n_{out} = \lfloor (n + 2p - k)/s \rfloor + 1$; ``C @ x`` is the
        cross-correlation of ``x`` (as PyTorch's ``conv1d``), and ``C.T @ y``
        its transposed convolution (``conv_transpose1d``).

    Raises
    ------
    TypeError
        If ``kernel`` holds neither numbers nor SymPy expressions, or an
        option is not an int.
    ValueError
        If the kernel is longer than the padded signal, ``kernel`` is not
        1-D or not finite, ``n`` or ``stride`` < 1 or ``padding`` < 0.

    Notes
    -----
    $$C_{i,j} = w_{j + p - s\,i} \quad (0 \le j + p - s\,i < k), \text{ else } 0$$

    Row $i$ is the kernel placed at the $i$-th window; the columns of the
    padding are dropped, since they multiply zeros. The slide's rows in C4 are
    a true convolution (kernel flipped): ``conv_matrix`` of the reversed
    kernel $(z, y, x)$.

    Examples
    --------
    >>> conv_matrix([1.0, 2.0, 3.0], 4).tolist()
    [[1.0, 2.0, 3.0, 0.0], [0.0, 1.0, 2.0, 3.0]]
    """
    xp = array_namespace(kernel)
    kernel = xp.asarray(kernel)
    k = kernel.shape[0]
    n_out = (n + 2 * padding - k) // stride + 1
    rows = xp.reshape(xp.arange(n_out, device=device(kernel)), (-1, 1))
    tap = (
        xp.reshape(xp.arange(n, device=device(kernel)), (1, -1)) + padding - stride * rows
    )  # kernel index per entry
    inside = (tap >= 0) & (tap < k)
    values = xp.take(kernel, xp.reshape(xp.clip(tap, 0, k - 1), (-1,)))
    return xp.where(inside, xp.reshape(values, (n_out, n)), xp.zeros_like(kernel[:1]))


# --------------------------------------------------------------------------
# Upsampling (C3)
# --------------------------------------------------------------------------


def _zero_insert(xp, x, factor):
    """``x`` at every ``factor``-th position of the last two axes, zeros between."""
    h, w = x.shape[-2], x.shape[-1]
    shape = (*x.shape[:-2], factor * (h - 1) + 1, factor * (w - 1) + 1)
    out = xp.zeros(shape, dtype=x.dtype, device=device(x))
    out[..., ::factor, ::factor] = x
    return out


@checked(x=Floats(), factor=Count(1), extra=_planes_rule)
def zero_insert(x, factor=2):
    r"""Zeros inserted between the samples of the last two axes (the first step of C3).

    Slide formula: C3.

    Parameters
    ----------
    x : array-like of shape (..., H, W)
        The image or feature maps.
    factor : int, default=2
        The upsampling factor: ``factor - 1`` zeros between neighbours.

    Returns
    -------
    array of shape (..., factor*(H-1)+1, factor*(W-1)+1)
        ``x`` at the positions ``(factor*i, factor*j)``, zeros elsewhere.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers or ``factor`` is not an int.
    ValueError
        If ``x`` has fewer than 2 dimensions, is not finite, or ``factor`` < 1.

    Notes
    -----
    $$z_{f i, f j} = x_{i,j}, \qquad z = 0 \text{ elsewhere}$$

    The same as a transposed convolution with stride ``factor`` and a 1x1
    kernel of 1.

    Examples
    --------
    >>> zero_insert([[1.0, 2.0], [3.0, 4.0]]).tolist()
    [[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [3.0, 0.0, 4.0]]
    """
    xp, x = float_arrays(x)
    return _zero_insert(xp, x, factor)


@checked(x=Floats(), factor=Count(1), extra=_planes_rule)
def upsample_nearest(x, factor=2):
    r"""Nearest-neighbour upsampling: each pixel repeated as a ``factor`` x ``factor`` block.

    Slide formula: C3.

    Parameters
    ----------
    x : array-like of shape (..., H, W)
        The image or feature maps.
    factor : int, default=2
        The upsampling factor.

    Returns
    -------
    array of shape (..., factor*H, factor*W)
        Equal to ``torch.nn.functional.interpolate(x, scale_factor=factor,
        mode="nearest")`` (and ``"nearest-exact"``: for an integer factor they
        agree).

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers or ``factor`` is not an int.
    ValueError
        If ``x`` has fewer than 2 dimensions, is not finite, or ``factor`` < 1.

    Notes
    -----
    $$y_{i,j} = x_{\lfloor i/f \rfloor,\,\lfloor j/f \rfloor}$$

    Examples
    --------
    >>> upsample_nearest([[1.0, 2.0]]).tolist()
    [[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]]
    """
    xp, x = float_arrays(x)
    *lead, h, w = x.shape
    blocks = xp.broadcast_to(xp.reshape(x, (*lead, h, 1, w, 1)), (*lead, h, factor, w, factor))
    return xp.reshape(blocks, (*lead, factor * h, factor * w))


@checked(x=Floats(), factor=Count(1), extra=_planes_rule)
def upsample_bilinear(x, factor=2):
    r"""Bilinear upsampling as on the slide: zero insertion, then the bilinear kernel.

    Slide formula: C3.

    Parameters
    ----------
    x : array-like of shape (..., H, W)
        The image or feature maps.
    factor : int, default=2
        The upsampling factor.

    Returns
    -------
    array of shape (..., factor*(H-1)+1, factor*(W-1)+1)
        The original pixels kept at ``(factor*i, factor*j)`` (corners
        aligned), the points between interpolated linearly in each axis.
        Equal to ``torch.nn.functional.interpolate(x, size=(factor*(H-1)+1,
        factor*(W-1)+1), mode="bilinear", align_corners=True)``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers or ``factor`` is not an int.
    ValueError
        If ``x`` has fewer than 2 dimensions, is not finite, or ``factor`` < 1.

    Notes
    -----
    $$y = \operatorname{zero\_insert}(x) \star K, \quad
    K_{a,b} = t_a t_b, \quad t_a = 1 - \frac{\lvert a\rvert}{f}\ (\lvert a\rvert < f)$$

    For $f = 2$, $t = (\tfrac12, 1, \tfrac12)$ and $K$ is the slide's kernel
    [[.25, .5, .25], [.5, 1, .5], [.25, .5, .25]]: a kept pixel meets the
    centre weight 1 and zeros; a midpoint averages its two (or four)
    neighbours. The zero padding at the border only ever meets zero weights.

    Examples
    --------
    >>> upsample_bilinear([[1.0, 3.0], [5.0, 7.0]]).tolist()
    [[1.0, 2.0, 3.0], [3.0, 4.0, 5.0], [5.0, 6.0, 7.0]]
    """
    xp, x = float_arrays(x)
    z = _zero_insert(xp, x, factor)
    p = factor - 1  # the tent's half-width: zeros padded on each side
    zp = xp.zeros(
        (*z.shape[:-2], z.shape[-2] + 2 * p, z.shape[-1] + 2 * p), dtype=x.dtype, device=device(x)
    )
    zp[..., p : p + z.shape[-2], p : p + z.shape[-1]] = z
    tent = [1 - abs(a - p) / factor for a in range(2 * factor - 1)]
    out = xp.zeros_like(z)
    for a in range(2 * factor - 1):
        for b in range(2 * factor - 1):
            out += (tent[a] * tent[b]) * zp[..., a : a + z.shape[-2], b : b + z.shape[-1]]
    return out


def _cubic_matrix(xp, n, factor, dtype, device):
    """The ``(factor*n, n)`` matrix of PyTorch's bicubic interpolation along one axis."""
    a = -0.75  # Keys' parameter, as PyTorch
    src = (xp.astype(xp.arange(factor * n, device=device), dtype) + 0.5) / factor - 0.5
    left = xp.floor(src)
    t = src - left
    columns = xp.reshape(xp.arange(n, device=device), (1, -1))
    matrix = xp.zeros((factor * n, n), dtype=dtype, device=device)
    for k in (-1, 0, 1, 2):
        d = xp.abs(t - k)  # distance from the tap at left + k
        near = ((a + 2) * d - (a + 3)) * d * d + 1
        far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
        weight = xp.where(d <= 1, near, far)
        tap = xp.clip(xp.astype(left, xp.int64) + k, 0, n - 1)  # the border pixel repeats
        hit = xp.astype(xp.reshape(tap, (-1, 1)) == columns, dtype)
        matrix = matrix + xp.reshape(weight, (-1, 1)) * hit
    return matrix


@checked(x=Floats(), factor=Count(1), extra=_planes_rule)
def upsample_bicubic(x, factor=2):
    r"""Bicubic upsampling (Keys' cubic, $a = -0.75$), as PyTorch's ``"bicubic"``.

    Slide formula: C3.

    Parameters
    ----------
    x : array-like of shape (..., H, W)
        The image or feature maps.
    factor : int, default=2
        The upsampling factor.

    Returns
    -------
    array of shape (..., factor*H, factor*W)
        Equal to ``torch.nn.functional.interpolate(x, scale_factor=factor,
        mode="bicubic", align_corners=False)``: pixel centres aligned, so no
        output lands exactly on an input pixel, and the border pixels are
        repeated where the 4-tap window leaves the image.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers or ``factor`` is not an int.
    ValueError
        If ``x`` has fewer than 2 dimensions, is not finite, or ``factor`` < 1.

    Notes
    -----
    $$y = A_H\,x\,A_W^\top, \quad
    (A)_{i,\,\lfloor u_i\rfloor + k} \mathrel{+}= W(u_i - \lfloor u_i\rfloor - k),
    \quad u_i = \frac{i + 1/2}{f} - \frac12$$

    for $k = -1, 0, 1, 2$, with Keys' kernel $W(d) = (a+2)\lvert d\rvert^3 -
    (a+3)\lvert d\rvert^2 + 1$ for $\lvert d\rvert \le 1$ and $a\lvert d\rvert^3
    - 5a\lvert d\rvert^2 + 8a\lvert d\rvert - 4a$ for $1 < \lvert d\rvert < 2$;
    indices outside the image are clamped to its border.

    Examples
    --------
    >>> [round(v, 4) for v in upsample_bicubic([[0.0, 1.0, 2.0, 3.0]])[0].tolist()]
    [-0.1055, 0.1914, 0.668, 1.2969, 1.7031, 2.332, 2.8086, 3.1055]
    """
    xp, x = float_arrays(x)
    h, w = x.shape[-2], x.shape[-1]
    rows = _cubic_matrix(xp, h, factor, x.dtype, device(x))
    cols = _cubic_matrix(xp, w, factor, x.dtype, device(x))
    return xp.matmul(xp.matmul(rows, x), xp.matrix_transpose(cols))

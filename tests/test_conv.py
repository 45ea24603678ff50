"""Tests for dlnotes.conv: conv2d, its backward pass and transpose against torch 2.13.0 in
float64 (1e-10), the slide's convolution-as-matrix tables (SymPy) and upsampling (C3-C6)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlnotes
from dlnotes import conv as C
from dlnotes.backend import to_numpy
from tests._helpers import assert_close, numerical_grad

TOL = {"rtol": 1e-10, "atol": 1e-10}

# (kernel, stride, padding, dilation, groups): a grid over every option and its pair form
GRID = [
    (k, s, p, d, g)
    for k, s, p, d, g in itertools.product(
        [(1, 1), (3, 3), (2, 3)], [1, 2, (2, 1)], [0, 1, (2, 1)], [1, 2, (1, 2)], [1, 2]
    )
    if (k, d) != ((1, 1), 2)  # dilation changes nothing for a 1x1 kernel: keep the grid small
]


def _inputs(kernel, groups, seed=0, c_in=4, c_out=6, shape=(2, 9, 8)):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(shape[0], c_in, *shape[1:]))
    w = rng.normal(size=(c_out, c_in // groups, *kernel))
    return x, w, rng.normal(size=c_out)


def _t(torch, a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def _options(stride, padding, dilation, groups):
    return {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


# --------------------------------------------------------------------------- conv2d (C5, C6)


@pytest.mark.parametrize(("kernel", "stride", "padding", "dilation", "groups"), GRID)
def test_c5_conv2d_and_backward_match_torch_over_the_grid(
    torch, kernel, stride, padding, dilation, groups
):
    x, w, b = _inputs(kernel, groups)
    opts = _options(stride, padding, dilation, groups)
    tx, tw, tb = _t(torch, x, True), _t(torch, w, True), _t(torch, b, True)
    expected = torch.nn.functional.conv2d(tx, tw, tb, **opts)
    out = C.conv2d(x, w, b, **opts)
    assert_close(out, expected.detach().numpy(), **TOL)
    grad_out = np.random.default_rng(1).normal(size=tuple(expected.shape))
    expected.backward(_t(torch, grad_out))
    gx, gw, gb = C.conv2d_backward(grad_out, x, w, **opts)
    assert_close(gx, tx.grad.numpy(), **TOL)
    assert_close(gw, tw.grad.numpy(), **TOL)
    assert_close(gb, tb.grad.numpy(), **TOL)


@pytest.mark.parametrize(("kernel", "stride", "padding", "dilation", "groups"), GRID)
@pytest.mark.parametrize("output_padding", [0, 1])
def test_c5_conv_transpose2d_matches_torch_over_the_grid(
    torch, kernel, stride, padding, dilation, groups, output_padding
):
    if output_padding >= min(max(s, d) for s, d in zip(C._pair(stride), C._pair(dilation))):
        pytest.skip("output_padding must be smaller than stride or dilation (torch's rule too)")
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 4, 5, 4))
    w = rng.normal(size=(4, 6 // groups, *kernel))
    b = rng.normal(size=6)
    opts = _options(stride, padding, dilation, groups) | {"output_padding": output_padding}
    expected = torch.nn.functional.conv_transpose2d(
        _t(torch, x), _t(torch, w), _t(torch, b), **opts
    )
    if min(expected.shape) == 0:
        pytest.skip("padding leaves an empty output")
    assert_close(C.conv_transpose2d(x, w, b, **opts), expected.numpy(), **TOL)


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "dilation", "groups"),
    [((3, 3), 1, 1, 1, 1), ((2, 3), (2, 1), (1, 2), (1, 2), 2)],
)
def test_c5_conv2d_backward_and_transpose_match_torch_on_every_backend(
    xp, torch, kernel, stride, padding, dilation, groups
):
    x, w, b = _inputs(kernel, groups, seed=3)
    opts = _options(stride, padding, dilation, groups)
    tx, tw = _t(torch, x, True), _t(torch, w, True)
    expected = torch.nn.functional.conv2d(tx, tw, _t(torch, b), **opts)
    grad_out = np.random.default_rng(4).normal(size=tuple(expected.shape))
    expected.backward(_t(torch, grad_out))
    ax, aw, ab, ag = (xp.asarray(a) for a in (x, w, b, grad_out))
    out = C.conv2d(ax, aw, ab, **opts)
    assert type(out) is type(ax)
    assert_close(out, expected.detach().numpy(), **TOL)
    gx, gw, _ = C.conv2d_backward(ag, ax, aw, **opts)
    assert_close(gx, tx.grad.numpy(), **TOL)
    assert_close(gw, tw.grad.numpy(), **TOL)
    # the transposed convolution of grad_out with the same weight is the input gradient
    k, s, p, d = (C._pair(v) for v in (kernel, stride, padding, dilation))
    extra = tuple((x.shape[2 + i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) % s[i] for i in (0, 1))
    back = C.conv_transpose2d(ag, aw, output_padding=extra, **opts)
    assert_close(back, tx.grad.numpy(), **TOL)


def test_c5_backward_matches_finite_differences():
    x, w, _ = _inputs((2, 2), 1, seed=5, c_in=2, c_out=2, shape=(1, 4, 3))
    opts = {"stride": (2, 1), "padding": 1, "dilation": (1, 2)}
    g = np.random.default_rng(6).normal(size=to_numpy(C.conv2d(x, w, **opts)).shape)
    gx, gw, _ = C.conv2d_backward(g, x, w, **opts)

    def loss_x(v):
        return np.sum(to_numpy(C.conv2d(v, w, **opts)) * g)

    def loss_w(v):
        return np.sum(to_numpy(C.conv2d(x, v, **opts)) * g)

    assert_close(gx, numerical_grad(loss_x, x), rtol=1e-7, atol=1e-8)
    assert_close(gw, numerical_grad(loss_w, w), rtol=1e-7, atol=1e-8)


@settings(max_examples=40)
@given(
    seed=st.integers(0, 2**31),
    k=st.integers(1, 3),
    s=st.integers(1, 3),
    p=st.integers(0, 2),
    d=st.integers(1, 2),
    groups=st.sampled_from([1, 2]),
)
def test_c5_conv_transpose2d_is_the_adjoint_of_conv2d(seed, k, s, p, d, groups):
    """<conv2d(u, W), v> = <u, conv_transpose2d(v, W)> for every u and v."""
    rng = np.random.default_rng(seed)
    h = max(d * (k - 1) + 1 - 2 * p, 1) + int(rng.integers(0, 5))
    u = rng.normal(size=(2, 4, h, h + 1))
    w = rng.normal(size=(6, 4 // groups, k, k))
    opts = {"stride": s, "padding": p, "dilation": d, "groups": groups}
    y = to_numpy(C.conv2d(u, w, **opts))
    v = rng.normal(size=y.shape)
    # the output_padding that gives back u's size (conv2d floors (H + 2p - ...) / s)
    extra = [(n + 2 * p - d * (k - 1) - 1) % s for n in u.shape[2:]]
    back = to_numpy(C.conv_transpose2d(v, w, output_padding=tuple(extra), **opts))
    assert back.shape == u.shape
    np.testing.assert_allclose(np.sum(y * v), np.sum(u * back), rtol=1e-10, atol=1e-10)


def test_c5_a_3d_input_returns_3d():
    x, w, b = _inputs((3, 3), 1, seed=7)
    out = to_numpy(C.conv2d(x[0], w, b, padding=1))
    assert out.shape == (6, 9, 8)
    assert_close(out, to_numpy(C.conv2d(x, w, b, padding=1))[0], rtol=1e-15)
    gx, gw, _ = C.conv2d_backward(np.ones_like(out), x[0], w, padding=1)
    assert to_numpy(gx).shape == x[0].shape and to_numpy(gw).shape == w.shape
    assert to_numpy(C.conv_transpose2d(out, np.ones((6, 2, 3, 3)), padding=1)).shape == (2, 9, 8)


def test_c5_float32_stays_float32_and_inputs_are_unchanged():
    x, w, b = (a.astype(np.float32) for a in _inputs((3, 3), 2, seed=8))
    copies = [a.copy() for a in (x, w, b)]
    out = C.conv2d(x, w, b, stride=2, padding=1, groups=2)
    assert out.dtype == np.float32
    grads = C.conv2d_backward(np.ones_like(out), x, w, stride=2, padding=1, groups=2)
    assert all(g.dtype == np.float32 for g in grads)
    assert C.conv_transpose2d(x, np.ones((4, 1, 3, 3), np.float32)).dtype == np.float32
    for a, c in zip((x, w, b), copies):
        np.testing.assert_array_equal(a, c)


def test_c5_mixed_precision_keeps_the_float64_bias(torch):
    # a float32 weight with float64 x and bias: the output is float64, the bias unrounded
    x, w, b = _inputs((3, 3), 1, seed=9)
    w32 = w.astype(np.float32)
    out = C.conv2d(x, w32, b, padding=1)
    expected = torch.nn.functional.conv2d(
        _t(torch, x), _t(torch, w32), _t(torch, b), padding=1
    ).numpy()
    assert out.dtype == np.float64
    assert_close(out, expected, **TOL)


def test_c5_checks_off_give_the_same_result():
    x, w, b = _inputs((3, 3), 1, seed=9)
    with dlnotes.checks(False):
        off = to_numpy(C.conv2d(x, w, b, padding=1))
    assert_close(off, C.conv2d(x, w, b, padding=1), rtol=0, atol=0)


def test_c6_dilation_grows_the_receptive_field_without_pooling():
    """A one-pixel input's footprint: 3x3 kernels, dilation 1 then 2 then 4 (as DeepLabV3)."""
    impulse = np.zeros((1, 1, 31, 31))
    impulse[0, 0, 15, 15] = 1.0
    ones = np.ones((1, 1, 3, 3))
    single = to_numpy(C.conv2d(impulse, ones, padding=2, dilation=2))[0, 0]
    assert single.shape == (31, 31)  # padding = dilation keeps the size: no resolution lost
    rows, cols = np.nonzero(single)
    assert sorted(set(rows)) == [13, 15, 17] and sorted(set(cols)) == [13, 15, 17]
    out, extents = impulse, []
    for d in (1, 2, 4):
        out = C.conv2d(out, ones, padding=d, dilation=d)
        rows = np.nonzero(to_numpy(out)[0, 0].any(axis=1))[0]
        extents.append(int(rows.max() - rows.min() + 1))
    assert extents == [3, 7, 15]  # 1 + 2 (1 + 2 + 4): the field doubles, the map keeps 31x31
    assert to_numpy(out).shape == (1, 1, 31, 31)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"weight": np.ones((2, 3, 5, 5))}, ValueError, "weight"),
        ({"weight": np.ones((2, 3, 3, 9)), "padding": 1}, ValueError, "padding"),
        ({"groups": 2}, ValueError, "groups"),
        ({"weight": np.ones((4, 1, 3, 3)), "groups": 3}, ValueError, "groups"),
        ({"weight": np.ones((2, 2, 3, 3))}, ValueError, "weight"),
        ({"stride": 0}, ValueError, "stride"),
        ({"stride": (1, 0)}, ValueError, "stride"),
        ({"stride": (1, 2, 3)}, ValueError, "stride"),
        ({"stride": 1.5}, TypeError, "stride"),
        ({"padding": -1}, ValueError, "padding"),
        ({"dilation": 0}, ValueError, "dilation"),
        ({"dilation": True}, TypeError, "dilation"),
        ({"groups": 0}, ValueError, "groups"),
        ({"bias": np.ones(3)}, ValueError, "bias"),
        ({"x": np.ones((3, 4))}, ValueError, "x"),
        ({"x": "image"}, TypeError, "x"),
        ({"weight": np.ones((2, 3, 3))}, ValueError, "weight"),
        ({"x": np.full((1, 3, 4, 4), np.nan)}, ValueError, "x"),
    ],
)
def test_c5_conv2d_rejects_bad_input_naming_the_argument(kwargs, error, name):
    args = {"x": np.ones((1, 3, 4, 4)), "weight": np.ones((2, 3, 3, 3))} | kwargs
    with pytest.raises(error, match=name):
        C.conv2d(**args)


def test_c5_backward_and_transpose_reject_bad_input():
    x, w = np.ones((1, 3, 4, 4)), np.ones((2, 3, 3, 3))
    with pytest.raises(ValueError, match="grad_out"):
        C.conv2d_backward(np.ones((1, 2, 3, 3)), x, w)
    with pytest.raises(ValueError, match="stride"):
        C.conv2d_backward(np.ones((1, 2, 2, 2)), x, w, stride=0)
    with pytest.raises(ValueError, match="output_padding"):
        C.conv_transpose2d(x, np.ones((3, 2, 3, 3)), stride=2, output_padding=2)
    with pytest.raises(ValueError, match="weight"):
        C.conv_transpose2d(x, np.ones((2, 2, 3, 3)))
    with pytest.raises(ValueError, match="groups"):
        C.conv_transpose2d(x, np.ones((3, 2, 3, 3)), groups=2)
    with pytest.raises(ValueError, match="padding"):
        C.conv_transpose2d(np.ones((1, 3, 1, 1)), np.ones((3, 2, 1, 1)), padding=1)


# --------------------------------------------------------------------------- conv_matrix (C4)


def test_c4_the_slides_tables_symbolically():
    """The slide's rows are a true convolution: conv_matrix of the reversed kernel (z, y, x)."""
    sp = pytest.importorskip("sympy", reason="the symbolic tables need SymPy")
    x, y, z, a, b, c = sp.symbols("x y z a b c")
    signal = sp.Matrix([0, a, b, c, 0])
    m = sp.Matrix(C.conv_matrix([z, y, x], 5, padding=1))
    assert m.shape == (5, 5)
    rows = [a * x, a * y + b * x, a * z + b * y + c * x, b * z + c * y, c * z]
    assert list(sp.expand(m * signal)) == rows
    transposed = [a * z, a * y + b * z, a * x + b * y + c * z, b * x + c * y, c * x]
    assert list(sp.expand(m.T * signal)) == transposed
    strided = sp.Matrix(C.conv_matrix([z, y, x], 5, stride=2, padding=1))
    assert strided.shape == (3, 5)
    assert list(sp.expand(strided * signal)) == [a * x, a * z + b * y + c * x, c * z]
    transposed = [a * y, a * x + b * z, b * y, b * x + c * z, c * y]
    assert list(sp.expand(strided.T * sp.Matrix([a, b, c]))) == transposed


@pytest.mark.parametrize(
    ("n", "k", "stride", "padding"), [(5, 3, 1, 0), (7, 3, 2, 1), (6, 4, 3, 2)]
)
def test_c4_conv_matrix_is_torchs_conv1d_and_its_transpose_conv_transpose1d(
    torch, n, k, stride, padding
):
    rng = np.random.default_rng(n + k)
    kernel, signal = rng.normal(size=k), rng.normal(size=n)
    m = to_numpy(C.conv_matrix(kernel, n, stride=stride, padding=padding))
    assert m.shape == ((n + 2 * padding - k) // stride + 1, n)
    tk = _t(torch, kernel).reshape(1, 1, -1)
    expected = torch.nn.functional.conv1d(
        _t(torch, signal).reshape(1, 1, -1), tk, stride=stride, padding=padding
    )
    np.testing.assert_allclose(m @ signal, expected.flatten().numpy(), **TOL)
    v = rng.normal(size=m.shape[0])
    back = torch.nn.functional.conv_transpose1d(
        _t(torch, v).reshape(1, 1, -1),
        tk,
        stride=stride,
        padding=padding,
        output_padding=(n + 2 * padding - k) % stride,
    )
    np.testing.assert_allclose(m.T @ v, back.flatten().numpy(), **TOL)
    np.testing.assert_allclose(np.dot(m @ signal, v), np.dot(signal, m.T @ v), **TOL)


def test_c4_conv_matrix_on_every_backend(xp):
    m = C.conv_matrix(xp.asarray([1.0, 2.0, 3.0]), 5, stride=2, padding=1)
    assert type(m) is type(xp.asarray(1.0))
    assert_close(m, [[2, 3, 0, 0, 0], [0, 1, 2, 3, 0], [0, 0, 0, 1, 2]], rtol=0)


def test_c4_conv_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match="kernel"):
        C.conv_matrix([1.0, 2.0, 3.0], 2)
    with pytest.raises(ValueError, match="kernel"):
        C.conv_matrix([[1.0, 2.0]], 4)
    with pytest.raises(TypeError, match="kernel"):
        C.conv_matrix(["a", "b"], 4)
    with pytest.raises(ValueError, match="stride"):
        C.conv_matrix([1.0], 4, stride=0)
    with pytest.raises(TypeError, match="n"):
        C.conv_matrix([1.0], 4.0)


# --------------------------------------------------------------------------- upsampling (C3)

GRID16 = np.arange(1.0, 17.0).reshape(4, 4)
SLIDE_KERNEL = np.array([[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])


def test_c3_zero_insertion_then_the_slides_kernel_is_bilinear_interpolation():
    zeros = to_numpy(C.zero_insert(GRID16))
    assert zeros.shape == (7, 7)
    np.testing.assert_array_equal(zeros[::2, ::2], GRID16)
    assert zeros[1::2].sum() == 0 and zeros[:, 1::2].sum() == 0
    by_kernel = to_numpy(C.conv2d(zeros[None, None], SLIDE_KERNEL[None, None], padding=1))[0, 0]
    up = to_numpy(C.upsample_bilinear(GRID16))
    np.testing.assert_allclose(up, by_kernel, rtol=1e-15)
    np.testing.assert_array_equal(up[::2, ::2], GRID16)  # the original values are kept
    np.testing.assert_allclose(up[::2, 1::2], (GRID16[:, :-1] + GRID16[:, 1:]) / 2)  # midpoints
    np.testing.assert_allclose(up[1::2, ::2], (GRID16[:-1] + GRID16[1:]) / 2)
    centre = (GRID16[:-1, :-1] + GRID16[:-1, 1:] + GRID16[1:, :-1] + GRID16[1:, 1:]) / 4
    np.testing.assert_allclose(up[1::2, 1::2], centre)
    assert up[0].tolist() == [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]


@pytest.mark.parametrize("factor", [1, 2, 3, 4])
def test_c3_each_upsampling_equals_the_torch_interpolate_call_it_names(torch, factor):
    x = np.random.default_rng(factor).normal(size=(2, 3, 5, 4))
    tx, f = _t(torch, x), torch.nn.functional.interpolate
    size = (factor * 4 + 1, factor * 3 + 1)
    nearest = to_numpy(C.upsample_nearest(x, factor))
    np.testing.assert_array_equal(nearest, f(tx, scale_factor=factor, mode="nearest").numpy())
    np.testing.assert_array_equal(nearest, f(tx, scale_factor=factor, mode="nearest-exact").numpy())
    bilinear = f(tx, size=size, mode="bilinear", align_corners=True)
    assert_close(C.upsample_bilinear(x, factor), bilinear.numpy(), **TOL)
    bicubic = f(tx, scale_factor=factor, mode="bicubic", align_corners=False)
    assert_close(C.upsample_bicubic(x, factor), bicubic.numpy(), **TOL)
    z = np.zeros((2, 3, *size))
    z[..., ::factor, ::factor] = x
    assert_close(C.zero_insert(x, factor), z, rtol=0, atol=0)


def test_c3_where_the_borders_differ_from_torchs_scale_factor_bilinear(torch):
    """torch's ``scale_factor=2, align_corners=False`` aligns pixel centres: 8 outputs from 4,
    none on an input pixel and the border ones clamped; the slide's kernel keeps the 4
    pixels and puts 3 midpoints between (7 outputs, corners aligned)."""
    ours = to_numpy(C.upsample_bilinear(GRID16))[0]
    theirs = torch.nn.functional.interpolate(
        _t(torch, GRID16)[None, None], scale_factor=2, mode="bilinear", align_corners=False
    )[0, 0, 0].numpy()
    assert ours.tolist() == [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]
    assert theirs.tolist() == [1.0, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4.0]
    # inside, torch's outputs are the quarter points: halfway between the slide's neighbours
    np.testing.assert_allclose(theirs[1:-1], (ours[:-1] + ours[1:]) / 2, atol=1e-15)


def test_c3_upsampling_on_every_backend(xp):
    x = xp.asarray(GRID16)
    for fn, shape in [
        (C.zero_insert, (7, 7)),
        (C.upsample_nearest, (8, 8)),
        (C.upsample_bilinear, (7, 7)),
        (C.upsample_bicubic, (8, 8)),
    ]:
        out = fn(x)
        assert type(out) is type(x) and tuple(out.shape) == shape
        assert_close(out, fn(GRID16), rtol=1e-14)
    assert_close(C.upsample_nearest(x)[::2, ::2], GRID16, rtol=0)


def test_c3_bicubic_keeps_a_constant_but_overshoots_a_ramp():
    """Keys' a = -0.75 (torch's choice) sums to 1 but is not exact on a ramp (a = -0.5 is)."""
    x = np.full((3, 4), 2.5)
    assert_close(C.upsample_bicubic(x, 3), np.full((9, 12), 2.5), rtol=1e-14)
    ramp = np.tile(np.arange(6.0), (2, 1))
    row = to_numpy(C.upsample_bicubic(ramp))[0]
    error = row[3:-3] - ((np.arange(12.0)[3:-3] + 0.5) / 2 - 0.5)
    np.testing.assert_allclose(np.abs(error), 3 / 64, rtol=1e-14)  # sharpened: |error| 3/64


UPSAMPLERS = [C.zero_insert, C.upsample_nearest, C.upsample_bilinear, C.upsample_bicubic]


@pytest.mark.parametrize("fn", UPSAMPLERS)
def test_c3_upsampling_rejects_bad_input(fn):
    with pytest.raises(ValueError, match="x"):
        fn(np.ones(4))
    with pytest.raises(ValueError, match="factor"):
        fn(GRID16, 0)
    with pytest.raises(TypeError, match="factor"):
        fn(GRID16, 2.0)
    assert fn(GRID16.astype(np.float32)).dtype == np.float32


def test_conv2d_in_blocks_of_images_matches_torch(torch):
    """A batch whose columns exceed one block (2**22 values) is computed a few images
    at a time (here one): the blocks' outputs, input gradients and summed weight
    gradients equal torch's."""
    rng = np.random.default_rng(5)
    x, w = rng.normal(size=(3, 16, 128, 130)), rng.normal(size=(8, 4, 3, 3))
    assert 16 * 9 * 128 * 130 > 2**22 // 2  # so each block holds a single image
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    y = torch.nn.functional.conv2d(tx, tw, padding=1, stride=2, groups=4)
    g = rng.normal(size=tuple(y.shape))
    y.backward(torch.tensor(g))
    assert_close(C.conv2d(x, w, padding=1, stride=2, groups=4), y.detach().numpy(), **TOL)
    gx, gw, gb = C.conv2d_backward(g, x, w, padding=1, stride=2, groups=4)
    assert_close(gx, tx.grad.numpy(), **TOL)
    assert_close(gw, tw.grad.numpy(), **TOL)
    assert_close(gb, g.sum(axis=(0, 2, 3)), **TOL)

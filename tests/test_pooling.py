"""Tests for dlnotes.pooling: max/average pooling, their backward passes and max unpooling,
against torch 2.13.0 in float64 (1e-10), the slide's arrays, and the scatter-add's repeats."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlnotes
from dlnotes import pooling as P
from dlnotes.backend import to_numpy
from tests._helpers import assert_close, numerical_grad

TOL = {"rtol": 1e-10, "atol": 1e-10}
SLIDE = [[1.0, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]]


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _grid():
    """(kernel_size, stride, padding) with padding at most half the kernel, as torch wants."""
    out = []
    for k, s, p in itertools.product(
        [1, 2, 3, (2, 3), (3, 1)], [None, 1, 2, (1, 2)], [0, 1, (1, 0)]
    ):
        if all(pi <= ki // 2 for pi, ki in zip(_pair(p), _pair(k))):
            out.append((k, s, p))
    return out


GRID = _grid()
GRID_IDS = [f"k{k}-s{s}-p{p}".replace(" ", "") for k, s, p in GRID]


def _x(shape=(2, 3, 7, 6), seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def _torch_max(torch, x, k, s, p, grad_seed=1):
    """torch's max pooling: values, indices, the gradient of x for a random grad_out."""
    tx = torch.tensor(x, requires_grad=True)
    out, idx = torch.nn.functional.max_pool2d(tx, k, stride=s, padding=p, return_indices=True)
    g = np.random.default_rng(grad_seed).normal(size=tuple(out.shape))
    out.backward(torch.tensor(g))
    return out.detach().numpy(), idx.numpy(), g, tx.grad.numpy()


def _torch_avg(torch, x, k, s, p, grad_seed=1):
    tx = torch.tensor(x, requires_grad=True)
    out = torch.nn.functional.avg_pool2d(tx, k, stride=s, padding=p)
    g = np.random.default_rng(grad_seed).normal(size=tuple(out.shape))
    out.backward(torch.tensor(g))
    return out.detach().numpy(), g, tx.grad.numpy()


# --------------------------------------------------------------------------- the slide's arrays


def test_c1_slide_max_pooling_remembers_the_positions():
    out, indices = P.max_pool2d([[SLIDE]], 2)
    assert to_numpy(out).tolist() == [[[[5.0, 6.0], [7.0, 8.0]]]]
    assert to_numpy(indices).tolist() == [[[[5, 2], [12, 15]]]]  # row * 4 + col


def test_c2_slide_unpooling_puts_the_values_back_at_the_remembered_positions():
    _, indices = P.max_pool2d([[SLIDE]], 2)
    z = P.max_unpool2d([[[[1.0, 2.0], [3.0, 4.0]]]], indices, (4, 4))
    expected = [[0, 0, 2, 0], [0, 1, 0, 0], [0, 0, 0, 0], [3, 0, 0, 4]]
    assert to_numpy(z).tolist() == [[np.array(expected, dtype=float).tolist()]]


def test_o9_slide_gradient_goes_to_the_argmax_only():
    _, indices = P.max_pool2d([[SLIDE]], 2)
    grad = P.max_pool2d_backward(np.ones((1, 1, 2, 2)), indices, (1, 1, 4, 4))
    mask = np.zeros((4, 4))
    mask[[1, 0, 3, 3], [1, 2, 0, 3]] = 1
    assert np.array_equal(to_numpy(grad)[0, 0], mask)


# --------------------------------------------------------------------------- against torch


@pytest.mark.parametrize(("k", "s", "p"), GRID, ids=GRID_IDS)
def test_max_pool2d_values_indices_and_backward_match_torch(torch, k, s, p):
    x = _x()
    out, idx, g, grad = _torch_max(torch, x, k, s, p)
    got_out, got_idx = P.max_pool2d(x, k, stride=s, padding=p)
    assert_close(got_out, out, **TOL)
    assert np.array_equal(to_numpy(got_idx), idx)
    assert_close(P.max_pool2d_backward(g, got_idx, x.shape), grad, **TOL)
    windowed = P.max_pool2d_backward(g, got_idx, x.shape, kernel_size=k, stride=s, padding=p)
    assert_close(windowed, grad, **TOL)


def test_max_pool2d_backward_with_the_window_is_torch_bit_for_bit_without_overlap(torch):
    x = _x(shape=(3, 4, 8, 6), seed=7).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    out, idx = torch.nn.functional.max_pool2d(tx, 2, return_indices=True)
    g = torch.tensor(_x(shape=tuple(out.shape), seed=8).astype(np.float32))
    out.backward(g)
    want = tx.grad.numpy().view(np.int32)  # bit for bit: a -0.0 would differ from torch's 0.0
    got = P.max_pool2d_backward(g, idx, tuple(x.shape), kernel_size=2)
    assert type(got) is torch.Tensor
    assert np.array_equal(to_numpy(got).view(np.int32), want)
    got = P.max_pool2d_backward(g.numpy(), idx.numpy(), x.shape, kernel_size=(2, 2), stride=2)
    assert got.dtype == np.float32 and np.array_equal(got.view(np.int32), want)


@pytest.mark.parametrize(("k", "s", "p"), GRID, ids=GRID_IDS)
def test_avg_pool2d_and_backward_match_torch(torch, k, s, p):
    x = _x(seed=2)
    out, g, grad = _torch_avg(torch, x, k, s, p)
    assert_close(P.avg_pool2d(x, k, stride=s, padding=p), out, **TOL)
    assert_close(P.avg_pool2d_backward(g, x.shape, k, stride=s, padding=p), grad, **TOL)


@pytest.mark.parametrize(("k", "s", "p"), GRID, ids=GRID_IDS)
def test_max_unpool2d_matches_torch(torch, k, s, p):
    x = _x(seed=3)
    out, idx = torch.nn.functional.max_pool2d(
        torch.tensor(x), k, stride=s, padding=p, return_indices=True
    )
    expected = torch.nn.functional.max_unpool2d(
        out, idx, k, stride=s, padding=p, output_size=x.shape[-2:]
    )
    got = P.max_unpool2d(out.numpy(), idx.numpy(), x.shape[-2:])
    assert_close(got, expected.numpy(), **TOL)
    assert_close(P.max_unpool2d(out.numpy(), idx.numpy(), x.shape), expected.numpy(), **TOL)


@pytest.mark.parametrize(("k", "s", "p"), [(2, None, 0), (3, 1, 1), ((2, 3), (1, 2), (1, 0))])
def test_every_function_matches_torch_on_every_backend(xp, torch, k, s, p):
    x = _x(shape=(2, 2, 6, 7), seed=4)
    out, idx, g, grad = _torch_max(torch, x, k, s, p)
    xa, ga, ia = xp.asarray(x), xp.asarray(g), xp.asarray(idx)
    got_out, got_idx = P.max_pool2d(xa, k, stride=s, padding=p)
    assert type(got_out) is type(xa) and type(got_idx) is type(xa)
    assert_close(got_out, out, **TOL)
    assert np.array_equal(to_numpy(got_idx), idx)
    assert_close(P.max_pool2d_backward(ga, got_idx, x.shape), grad, **TOL)
    windowed = P.max_pool2d_backward(ga, got_idx, x.shape, kernel_size=k, stride=s, padding=p)
    assert type(windowed) is type(xa)
    assert_close(windowed, grad, **TOL)
    unpooled = torch.nn.functional.max_unpool2d(
        torch.tensor(out), torch.tensor(idx), k, stride=s, padding=p, output_size=x.shape[-2:]
    )
    assert_close(P.max_unpool2d(xp.asarray(out), ia, x.shape[-2:]), unpooled.numpy(), **TOL)
    a_out, a_g, a_grad = _torch_avg(torch, x, k, s, p)
    assert_close(P.avg_pool2d(xa, k, stride=s, padding=p), a_out, **TOL)
    got = P.avg_pool2d_backward(xp.asarray(a_g), x.shape, k, stride=s, padding=p)
    assert type(got) is type(xa)
    assert_close(got, a_grad, **TOL)


def test_torch_tensors_in_torch_tensors_out_with_checks_off(torch):
    x = torch.tensor(_x())
    with dlnotes.checks(False):
        out, idx = P.max_pool2d(x, 3, stride=2, padding=1)
        grad = P.max_pool2d_backward(torch.ones_like(out), idx, tuple(x.shape))
    assert isinstance(out, torch.Tensor) and idx.dtype == torch.int64
    assert isinstance(grad, torch.Tensor) and grad.shape == x.shape


# --------------------------------------------------------------------------- ties and repeats


def test_ties_go_to_the_first_maximum_in_row_major_order(torch):
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 0] = x[0, 0, 1, 1] = 2.0  # a tie in the first window's second row
    _, idx = P.max_pool2d(x, 2)
    assert to_numpy(idx).tolist() == [[[[4, 2], [8, 10]]]]  # all-zero windows: their first
    _, t_idx = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
    assert np.array_equal(to_numpy(idx), t_idx.numpy())
    grad = to_numpy(P.max_pool2d_backward(np.ones((1, 1, 2, 2)), idx, x.shape))
    assert grad[0, 0, 1, 0] == 1.0 and grad[0, 0, 1, 1] == 0.0  # only the first gets it


def test_constant_input_ties_everywhere_like_torch(torch):
    x = np.ones((2, 1, 5, 5))
    for k, s, p in [(2, 1, 0), (3, 2, 1), (3, 1, 1)]:
        out, idx, g, grad = _torch_max(torch, x, k, s, p)
        got_out, got_idx = P.max_pool2d(x, k, stride=s, padding=p)
        assert_close(got_out, out, **TOL)
        assert np.array_equal(to_numpy(got_idx), idx)
        assert_close(P.max_pool2d_backward(g, got_idx, x.shape), grad, **TOL)


def test_the_scatter_add_sums_repeated_indices_where_fancy_assignment_does_not(xp):
    g = np.arange(1.0, 7.0).reshape(1, 2, 3)
    idx = np.array([[[0, 3, 3], [3, 8, 0]]])  # 3 three times, 0 twice, in a 3x3 plane
    expected = np.zeros(9)
    np.add.at(expected, idx.ravel(), g.ravel())  # the reference (the tests may use it)
    got = P.max_pool2d_backward(xp.asarray(g), xp.asarray(idx), (1, 3, 3))
    assert_close(got, expected.reshape(1, 3, 3), **TOL)
    naive = np.zeros(9)
    naive[idx.ravel()] += g.ravel()  # what the scatter-add must not be: repeats lost
    assert not np.allclose(naive, expected)


def test_scatter_add_of_many_repeats_per_plane_matches_np_add_at():
    rng = np.random.default_rng(7)
    g = rng.normal(size=(3, 4, 10, 10))
    idx = rng.integers(0, 12, size=g.shape)  # ~8 repeats each, in a 3x4 plane
    expected = np.zeros((12, 12))
    for plane in range(12):
        np.add.at(expected[plane], idx.reshape(12, -1)[plane], g.reshape(12, -1)[plane])
    got = P.max_pool2d_backward(g, idx, (3, 4, 3, 4))
    assert_close(got, expected.reshape(3, 4, 3, 4), **TOL)


def test_unique_positions_get_their_gradient_exactly_in_float32():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(2, 3, 8, 8)).astype(np.float32)
    g = rng.normal(size=(2, 3, 4, 4)).astype(np.float32)
    _, idx = P.max_pool2d(x, 2)
    grad = to_numpy(P.max_pool2d_backward(g, idx, x.shape))
    assert grad.dtype == np.float32
    assert np.array_equal(np.sort(grad[grad != 0]), np.sort(g.ravel()))  # bit for bit


def test_overlapping_windows_in_float32_sum_to_torch_within_a_rounding(torch):
    x = _x(shape=(2, 4, 40, 40), seed=13).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    out, idx = torch.nn.functional.max_pool2d(tx, 3, 1, 1, return_indices=True)
    g = np.random.default_rng(14).normal(size=tuple(out.shape)).astype(np.float32)
    out.backward(torch.tensor(g))
    grad = P.max_pool2d_backward(g, idx.numpy(), x.shape)  # running sums in float64
    assert grad.dtype == np.float32
    assert_close(grad, tx.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_unpooling_a_repeated_index_keeps_the_last_value_deterministically(torch):
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    idx = np.array([[[[5, 5], [5, 0]]]])
    got = to_numpy(P.max_unpool2d(x, idx, (4, 4)))
    assert got[0, 0, 1, 1] == 3.0 and got[0, 0, 0, 0] == 4.0  # the last of 1, 2, 3 at index 5
    assert np.count_nonzero(got) == 2
    # torch writes in parallel: which repeated value it keeps is not defined
    expected = torch.nn.functional.max_unpool2d(
        torch.tensor(x), torch.tensor(idx), 2, output_size=(4, 4)
    ).numpy()
    assert expected[0, 0, 1, 1] in (1.0, 2.0, 3.0) and expected[0, 0, 0, 0] == 4.0
    assert np.array_equal(got != 0, expected != 0)


# --------------------------------------------------------------------------- laws and shapes


def test_three_d_input_gives_three_d_output(torch):
    x = _x(shape=(3, 6, 5), seed=5)
    out, idx = P.max_pool2d(x, 2, stride=1)
    t_out, t_idx = torch.nn.functional.max_pool2d(torch.tensor(x), 2, 1, return_indices=True)
    assert out.shape == idx.shape == tuple(t_out.shape) == (3, 5, 4)
    assert np.array_equal(to_numpy(idx), t_idx.numpy())
    assert P.max_pool2d_backward(out, idx, x.shape).shape == x.shape
    assert P.max_unpool2d(out, idx, (6, 5)).shape == x.shape
    assert P.avg_pool2d(x, 3, padding=1).shape == (3, 2, 2)
    assert P.avg_pool2d_backward(np.ones((3, 2, 2)), x.shape, 3, padding=1).shape == x.shape


@settings(max_examples=40)
@given(
    k=st.integers(1, 3),
    s=st.integers(1, 3),
    p=st.integers(0, 1),
    h=st.integers(3, 7),
    w=st.integers(3, 7),
    seed=st.integers(0, 2**16),
)
def test_the_backward_passes_are_the_adjoints_of_the_forward_passes(k, s, p, h, w, seed):
    p = min(p, k // 2)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, h, w))
    out, idx = P.max_pool2d(x, k, stride=s, padding=p)
    g = rng.normal(size=out.shape)
    # <d out, g> = <dx, backward(g)> for the linear maps x -> out (max: x at fixed argmax)
    gathered = np.take_along_axis(x.reshape(2, -1), to_numpy(idx).reshape(2, -1), axis=1)
    assert_close(gathered.reshape(out.shape), out, **TOL)
    back = to_numpy(P.max_pool2d_backward(g, idx, x.shape))
    assert np.isclose(np.sum(gathered.reshape(out.shape) * g), np.sum(x * back), rtol=1e-10)
    assert np.isclose(back.sum(), g.sum(), rtol=1e-10, atol=1e-10)  # nothing lost or doubled
    avg = to_numpy(P.avg_pool2d(x, k, stride=s, padding=p))
    back = to_numpy(P.avg_pool2d_backward(g, x.shape, k, stride=s, padding=p))
    assert np.isclose(np.sum(avg * g), np.sum(x * back), rtol=1e-10, atol=1e-12)


def test_avg_pool2d_backward_matches_finite_differences():
    x = _x(shape=(1, 5, 4), seed=6)
    g = np.random.default_rng(9).normal(size=(1, 3, 2))

    def loss(v):
        return np.sum(to_numpy(P.avg_pool2d(v, (3, 2), stride=(2, 2), padding=(1, 0))) * g)

    back = P.avg_pool2d_backward(g, x.shape, (3, 2), stride=(2, 2), padding=(1, 0))
    assert_close(back, numerical_grad(loss, x), rtol=1e-6, atol=1e-8)


def test_unpooling_the_pooled_maps_keeps_the_maxima_and_zeros_the_rest():
    x = _x(shape=(2, 2, 6, 6), seed=11)
    out, idx = P.max_pool2d(x, 2)
    z = to_numpy(P.max_unpool2d(out, idx, (6, 6)))
    assert np.count_nonzero(z) == out.size
    assert_close(P.max_pool2d(z + (z == 0) * -100.0, 2)[0], out, **TOL)


def test_float32_stays_float32_and_inputs_are_unchanged():
    x = _x(seed=12).astype(np.float32)
    before = x.copy()
    out, idx = P.max_pool2d(x, 3, stride=2, padding=1)
    assert out.dtype == np.float32 and P.avg_pool2d(x, 2).dtype == np.float32
    assert P.max_pool2d_backward(out, idx, x.shape).dtype == np.float32
    assert P.max_unpool2d(out, idx, x.shape[-2:]).dtype == np.float32
    assert P.avg_pool2d_backward(out, x.shape, 3, stride=2, padding=1).dtype == np.float32
    assert np.array_equal(x, before)


def test_integer_and_list_input_become_float64():
    out, idx = P.max_pool2d([[[1, 2], [3, 4]]], 2)
    assert out.dtype == np.float64 and to_numpy(idx).tolist() == [[[3]]]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: P.max_pool2d(np.ones((1, 1, 2, 2)), 3), ValueError, "kernel_size"),
        (lambda: P.max_pool2d(np.ones((1, 1, 1, 1)), 4, padding=1), ValueError, "kernel_size"),
        (lambda: P.avg_pool2d(np.ones((1, 1, 4, 2)), (2, 3)), ValueError, "kernel_size"),
        (lambda: P.max_pool2d(np.ones((1, 1, 4, 4)), 2, stride=0), ValueError, "stride"),
        (lambda: P.avg_pool2d(np.ones((1, 1, 4, 4)), 2, stride=(1, 0)), ValueError, "stride"),
        (lambda: P.max_pool2d(np.ones((1, 1, 4, 4)), 0), ValueError, "kernel_size"),
        (lambda: P.max_pool2d(np.ones((1, 1, 4, 4)), 2, padding=2), ValueError, "padding"),
        (lambda: P.max_pool2d(np.ones((1, 1, 4, 4)), 2, padding=-1), ValueError, "padding"),
        (lambda: P.max_pool2d(np.ones((1, 1, 4, 4)), (2, 2, 2)), ValueError, "kernel_size"),
        (lambda: P.max_pool2d(np.ones((1, 1, 4, 4)), True), TypeError, "kernel_size"),
        (lambda: P.max_pool2d(np.ones((1, 1, 4, 4)), 2.0), TypeError, "kernel_size"),
        (lambda: P.max_pool2d(np.ones((1, 1, 4, 4)), 2, stride="2"), TypeError, "stride"),
        (lambda: P.max_pool2d(np.ones((4, 4)), 2), ValueError, "x"),
        (lambda: P.max_pool2d(np.full((1, 1, 4, 4), np.nan), 2), ValueError, "x"),
        (lambda: P.max_pool2d("abc", 2), TypeError, "x"),
        (
            lambda: P.max_pool2d_backward(
                np.ones((1, 1, 2, 2)), [[[[0, 1], [2, 16]]]], (1, 1, 4, 4)
            ),
            ValueError,
            "indices",
        ),
        (
            lambda: P.max_pool2d_backward(
                np.ones((1, 1, 2, 2)), [[[[0, 1], [2, -1]]]], (1, 1, 4, 4)
            ),
            ValueError,
            "indices",
        ),
        (
            lambda: P.max_pool2d_backward(
                np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 3)), (1, 1, 4, 4)
            ),
            ValueError,
            "indices",
        ),
        (
            lambda: P.max_pool2d_backward(
                np.ones((1, 1, 2, 2)), [[[[0.5, 1], [2, 3]]]], (1, 1, 4, 4)
            ),
            ValueError,
            "indices",
        ),
        (
            lambda: P.max_pool2d_backward(
                np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 2), int), (1, 2, 4, 4)
            ),
            ValueError,
            "input_shape",
        ),
        (
            lambda: P.max_pool2d_backward(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 2), int), 16),
            TypeError,
            "input_shape",
        ),
        (  # 8 = (row 2, col 0) is not in the 2x2 window of output (0, 1)
            lambda: P.max_pool2d_backward(
                np.ones((1, 1, 2, 2)), [[[[0, 8], [8, 10]]]], (1, 1, 4, 4), kernel_size=2
            ),
            ValueError,
            "indices",
        ),
        (
            lambda: P.max_pool2d_backward(
                np.ones((1, 1, 2, 2)), [[[[5, 2], [12, 15]]]], (1, 1, 4, 4), kernel_size=3
            ),
            ValueError,
            "grad_out",
        ),
        (
            lambda: P.max_pool2d_backward(
                np.ones((1, 1, 2, 2)), [[[[5, 2], [12, 15]]]], (1, 1, 4, 4), stride=2
            ),
            ValueError,
            "stride",
        ),
        (
            lambda: P.max_pool2d_backward(
                np.ones((1, 1, 2, 2)), [[[[5, 2], [12, 15]]]], (1, 1, 4, 4), kernel_size=0
            ),
            ValueError,
            "kernel_size",
        ),
        (
            lambda: P.max_pool2d_backward(
                np.ones((1, 1, 2, 2)), [[[[5, 2], [12, 15]]]], (1, 1, 4, 4), kernel_size="2"
            ),
            TypeError,
            "kernel_size",
        ),
        (
            lambda: P.max_unpool2d(np.ones((1, 1, 2, 2)), [[[[5, 2], [12, 15]]]], (3, 4)),
            ValueError,
            "output_size",
        ),
        (
            lambda: P.max_unpool2d(np.ones((1, 1, 2, 2)), [[[[5, 2], [12, 15]]]], (1, 2, 4, 4)),
            ValueError,
            "output_size",
        ),
        (
            lambda: P.max_unpool2d(np.ones((1, 1, 2, 2)), [[[[5, 2], [12, 15]]]], (4,)),
            ValueError,
            "output_size",
        ),
        (
            lambda: P.max_unpool2d(np.ones((1, 1, 2, 2)), [[[[5, 2], [12, 15]]]], (4, 0)),
            ValueError,
            "output_size",
        ),
        (
            lambda: P.max_unpool2d(np.ones((1, 1, 2, 2)), [[[[5, 2], [12, 15]]]], (4.0, 4)),
            TypeError,
            "output_size",
        ),
        (
            lambda: P.avg_pool2d_backward(np.ones((1, 1, 3, 2)), (1, 1, 4, 4), 2),
            ValueError,
            "grad_out",
        ),
        (
            lambda: P.avg_pool2d_backward(np.ones((1, 1, 2, 2)), (1, 1, 1, 4), 2),
            ValueError,
            "kernel_size",
        ),
    ],
)
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_out_of_range_indices_are_dropped_with_checks_off_not_wrapped():
    with dlnotes.checks(False):
        grad = P.max_pool2d_backward(np.ones((1, 2, 2)), np.array([[[0, 4], [4, 7]]]), (1, 2, 2))
        z = P.max_unpool2d(np.ones((1, 2, 2)), np.array([[[0, 4], [4, 7]]]), (2, 2))
    assert to_numpy(grad).tolist() == [[[1.0, 0.0], [0.0, 0.0]]]
    assert to_numpy(z).tolist() == [[[1.0, 0.0], [0.0, 0.0]]]


@pytest.mark.parametrize(
    "h, w, k, s, p",
    [(4, 4, 2, 2, 0), (5, 4, 3, 2, 1), (3, 5, (2, 3), 1, (1, 1)), (4, 3, (3, 2), (1, 2), (1, 0))],
)
def test_the_window_check_accepts_exactly_the_positions_of_each_window(h, w, k, s, p):
    # Every position of the plane for every window, judged against the definition:
    # row = q // W and column = q % W inside the window (padding rows and columns are
    # not positions, and a position past a row's end is the next row's start)
    (kh, kw), (sh, sw), (ph, pw) = _pair(k), _pair(s or k), _pair(p)
    x = np.random.default_rng(0).normal(size=(1, 1, h, w))
    _, idx = P.max_pool2d(x, k, stride=s, padding=p)
    ho, wo = idx.shape[-2:]
    window = {"kernel_size": k, "stride": s, "padding": p}
    for a, b, q in itertools.product(range(ho), range(wo), range(h * w)):
        r, c = divmod(q, w)
        inside = 0 <= r - (a * sh - ph) < kh and 0 <= c - (b * sw - pw) < kw
        moved = idx.copy()
        moved[0, 0, a, b] = q
        if inside:
            P.max_pool2d_backward(np.ones(idx.shape), moved, x.shape, **window)
        else:
            with pytest.raises(ValueError, match="outside its window"):
                P.max_pool2d_backward(np.ones(idx.shape), moved, x.shape, **window)


@pytest.mark.parametrize("k, w", [((3, 2), 10_000), (3, 12_000)])  # int16 offsets, and int64
def test_wide_planes_keep_offsets_in_a_window_exact(torch, k, w):
    x = np.random.default_rng(1).normal(size=(1, 2, 3, w))
    out, idx = P.max_pool2d(x, k, stride=1)
    want, want_idx = torch.nn.functional.max_pool2d(
        torch.from_numpy(x), k, stride=1, return_indices=True
    )
    assert idx.dtype == np.int64
    assert np.array_equal(out, want.numpy()) and np.array_equal(idx, want_idx.numpy())
    assert np.any(idx // w == 2)  # maxima in the windows' last row: offsets i * W + j >= 2 W

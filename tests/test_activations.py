"""Tests for dlnotes.activations: slide values, torch agreement, gradients, errata."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from dlnotes import activations as act
from dlnotes.backend import array_namespace, to_numpy
from tests._helpers import assert_close, numerical_grad

# Points away from the kinks of ReLU and leaky ReLU, so finite differences work.
POINTS = np.array([-7.5, -2.0, -0.3, 0.2, 1.0, 4.0, 9.0])

ELEMENTWISE = {  # name: (activation, derivative, keyword options)
    "sigmoid": (act.sigmoid, act.sigmoid_grad, {}),
    "tanh": (act.tanh, act.tanh_grad, {}),
    "relu": (act.relu, act.relu_grad, {}),
    "leaky_relu": (act.leaky_relu, act.leaky_relu_grad, {}),
    "leaky_relu_0.2": (act.leaky_relu, act.leaky_relu_grad, {"negative_slope": 0.2}),
    "swish": (act.swish, act.swish_grad, {}),
    "swish_beta_2.5": (act.swish, act.swish_grad, {"beta": 2.5}),
    "identity": (act.identity, act.identity_grad, {}),
    "step": (act.step, act.step_grad, {}),
}

EVERY_FUNCTION = [
    act.sigmoid, act.sigmoid_grad, act.log_sigmoid, act.tanh, act.tanh_grad,
    act.relu, act.relu_grad, act.leaky_relu, act.leaky_relu_grad,
    act.softmax, act.log_softmax, act.softmax_grad,
    act.swish, act.swish_grad, act.identity, act.identity_grad, act.step, act.step_grad,
]  # fmt: skip


def _torch_fn(torch, name):
    """The PyTorch reference for each activation of ELEMENTWISE."""
    f = torch.nn.functional
    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": f.leaky_relu,  # PyTorch's default slope is 0.01 too
        "leaky_relu_0.2": lambda t: f.leaky_relu(t, 0.2),
        "swish": f.silu,
        "swish_beta_2.5": lambda t: t * torch.sigmoid(2.5 * t),
        "identity": lambda t: t * 1,
        "step": lambda t: (t >= 0).to(t.dtype) + 0 * t,  # 0 * t: a graph with zero gradient
    }[name]


# --- the slides' values ------------------------------------------------------


def test_sigmoid_slide_values():
    assert_close(act.sigmoid([0.0]), [0.5])
    assert_close(act.sigmoid_grad([0.0]), [0.25])  # the largest slope: sigmoid saturates
    assert float(np.max(to_numpy(act.sigmoid_grad(np.linspace(-10, 10, 2001))))) == 0.25


def test_tanh_is_zero_centred_in_minus_one_one():
    y = to_numpy(act.tanh(np.linspace(-20, 20, 401)))
    assert y.min() >= -1 and y.max() <= 1 and act.tanh([0.0]).tolist() == [0.0]
    assert_close(act.tanh_grad([0.0]), [1.0])


def test_relu_and_its_derivative_at_zero_is_zero_like_pytorch(torch):
    assert act.relu([-2.0, 0.0, 3.0]).tolist() == [0.0, 0.0, 3.0]
    assert act.relu_grad([-2.0, 0.0, 3.0]).tolist() == [0.0, 0.0, 1.0]
    t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    torch.relu(t).sum().backward()
    assert float(t.grad[0]) == float(act.relu_grad([0.0])[0]) == 0.0


def test_leaky_relu_default_slope_is_pytorchs_and_derivative_at_zero(torch):
    assert act.leaky_relu([-100.0]).tolist() == [-1.0]  # slope 0.01
    assert act.leaky_relu_grad([-5.0, 0.0, 5.0]).tolist() == [0.01, 0.01, 1.0]
    t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.leaky_relu(t).sum().backward()
    assert float(t.grad[0]) == float(act.leaky_relu_grad([0.0])[0])
    assert act.leaky_relu([-3.0], negative_slope=0.0).tolist() == act.relu([-3.0]).tolist()


def test_softmax_slide_formula_and_log_softmax():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert_close(act.softmax(logits), expected)
    assert_close(act.log_softmax(logits), np.log(expected))
    assert_close(act.softmax(logits.T, axis=0), expected.T)


def test_swish_minimum_and_limits():
    x = np.linspace(-3, 0, 300001)
    y = to_numpy(act.swish(x))
    assert round(float(x[y.argmin()]), 3) == -1.278 and round(float(y.min()), 3) == -0.278
    assert_close(act.swish([5.0], beta=0.0), [2.5])  # beta = 0: the line x / 2
    assert_close(act.swish([-3.0, 3.0], beta=200.0), act.relu([-3.0, 3.0]), atol=1e-200)


# --- agreement with PyTorch --------------------------------------------------


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_values_and_derivatives_match_torch_autograd(torch, name):
    f, grad, kw = ELEMENTWISE[name]
    x = np.concatenate([POINTS, [0.0, -40.0, 40.0]])
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = _torch_fn(torch, name)(t)
    y.sum().backward()  # elementwise f: d sum(f) / dx_k = f'(x_k)
    assert_close(f(x, **kw), y.detach(), rtol=1e-12, atol=1e-15)
    assert_close(grad(x, **kw), t.grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_derivatives_match_finite_differences(name):
    f, grad, kw = ELEMENTWISE[name]
    expected = numerical_grad(lambda z: np.sum(to_numpy(f(z, **kw))), POINTS)
    assert_close(grad(POINTS, **kw), expected, rtol=1e-6, atol=1e-8)


def test_log_sigmoid_matches_torch(torch):
    x = np.array([-1000.0, -30.0, -1.0, 0.0, 2.0, 1000.0])
    expected = torch.nn.functional.logsigmoid(torch.tensor(x))
    assert_close(act.log_sigmoid(x), expected, rtol=1e-12)


def test_softmax_matches_torch_on_any_axis(torch):
    x = np.random.default_rng(0).normal(scale=5, size=(3, 4, 5))
    for axis in (0, 1, -1):
        expected = torch.softmax(torch.tensor(x), dim=axis)
        assert_close(act.softmax(x, axis=axis), expected, rtol=1e-12)
        expected = torch.log_softmax(torch.tensor(x), dim=axis)
        assert_close(act.log_softmax(x, axis=axis), expected, rtol=1e-12)


# --- softmax Jacobian and vector-Jacobian product ----------------------------


def test_softmax_jacobian_of_a_vector_matches_torch(torch):
    x = np.array([1.5, -0.5, 3.0, 0.0])
    expected = torch.autograd.functional.jacobian(
        lambda t: torch.softmax(t, dim=-1), torch.tensor(x)
    )
    assert act.softmax_grad(x).shape == (4, 4)
    assert_close(act.softmax_grad(x), expected, rtol=1e-12, atol=1e-15)


def test_softmax_jacobian_of_a_batch_is_one_jacobian_per_row(torch):
    x = np.random.default_rng(1).normal(scale=3, size=(5, 3))
    full = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, dim=-1), torch.tensor(x))
    per_row = np.stack([to_numpy(full[i, :, i, :]) for i in range(5)])  # rows are independent
    jac = to_numpy(act.softmax_grad(x))
    assert jac.shape == (5, 3, 3)
    assert_close(jac, per_row, rtol=1e-12, atol=1e-15)
    assert_close(jac, np.swapaxes(jac, -1, -2))  # symmetric
    assert_close(jac.sum(axis=-1), np.zeros((5, 3)), atol=1e-15)  # outputs always sum to 1
    s = to_numpy(act.softmax(x))
    assert_close(jac, [np.diag(r) - np.outer(r, r) for r in s])  # diag(s) - s s^T


def test_softmax_jacobian_matches_finite_differences():
    x = np.array([0.3, -1.2, 2.0])
    for i in range(3):  # row i of J is the gradient of s_i
        expected = numerical_grad(lambda z, i=i: to_numpy(act.softmax(z))[i], x)
        assert_close(act.softmax_grad(x)[i, :], expected, rtol=1e-6, atol=1e-9)


def test_softmax_vjp_agrees_with_the_full_jacobian_and_torch_backward(torch):
    rng = np.random.default_rng(2)
    x, v = rng.normal(scale=4, size=(6, 5)), rng.normal(size=(6, 5))
    jac = to_numpy(act.softmax_grad(x))
    assert_close(act.softmax_vjp(x, v), np.einsum("bi,bij->bj", v, jac), atol=1e-15)
    t = torch.tensor(x, requires_grad=True)
    torch.softmax(t, dim=-1).backward(torch.tensor(v))
    assert_close(act.softmax_vjp(x, v), t.grad, rtol=1e-12, atol=1e-15)
    # another class axis: same numbers, transposed
    assert_close(act.softmax_vjp(x.T, v.T, axis=0), to_numpy(act.softmax_vjp(x, v)).T)


def test_softmax_vjp_keeps_float32_with_a_plain_list():
    out = act.softmax_vjp(np.zeros(2, dtype=np.float32), [1.0, 0.0])
    assert out.dtype == np.float32 and out.tolist() == [0.25, -0.25]


# --- laws (hypothesis) -------------------------------------------------------

finite = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False)


@settings(deadline=None, max_examples=200)
@given(arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=6), elements=finite))
def test_softmax_rows_are_distributions_even_for_huge_logits(x):
    s = to_numpy(act.softmax(x))
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-12)
    assert np.all(np.isfinite(to_numpy(act.log_softmax(x))))


@settings(deadline=None)
@given(arrays(np.float64, array_shapes(max_dims=2, max_side=5), elements=finite))
def test_sigmoid_is_point_symmetric(x):
    np.testing.assert_allclose(to_numpy(act.sigmoid(-x)), 1 - to_numpy(act.sigmoid(x)), atol=1e-15)


@settings(deadline=None)
@given(arrays(np.float64, array_shapes(max_dims=2, max_side=5), elements=finite))
def test_tanh_is_a_rescaled_sigmoid(x):
    rescaled = 2 * to_numpy(act.sigmoid(2 * x)) - 1
    np.testing.assert_allclose(to_numpy(act.tanh(x)), rescaled, atol=1e-15)
    got, expected = to_numpy(act.tanh_grad(x)), 1 - np.tanh(x) ** 2
    np.testing.assert_allclose(got, expected, atol=1e-15)


@settings(deadline=None)
@given(arrays(np.float64, array_shapes(max_dims=2, max_side=5), elements=finite))
def test_derivatives_are_bounded(x):
    assert np.all((0 <= to_numpy(act.sigmoid_grad(x))) & (to_numpy(act.sigmoid_grad(x)) <= 0.25))
    assert np.all((0 <= to_numpy(act.tanh_grad(x))) & (to_numpy(act.tanh_grad(x)) <= 1))
    assert set(np.unique(to_numpy(act.relu_grad(x)))) <= {0.0, 1.0}


# --- errata ------------------------------------------------------------------


def _printed_sigmoid(x):
    """Slide 004's sigmoid as printed: a(x) = 1 - 1 / (1 + e^{-x})."""
    return 1 - 1 / (1 + np.exp(-x))


def _printed_tanh(x):
    """Slide 004's tanh as printed: a(x) = 1 - 1 / (e^{2x} + 1)."""
    return 1 - 1 / (np.exp(2 * x) + 1)


def test_erratum_a1_printed_sigmoid_is_the_mirror_image():
    x = np.linspace(-8, 8, 33)
    a = _printed_sigmoid(x)
    assert_close(a, act.sigmoid(-x))  # sigma(-x), not sigma(x)
    assert np.all(np.diff(a) < 0)  # falls: a neuron that fires for negative input
    slope = numerical_grad(lambda z: np.sum(_printed_sigmoid(z)), x)
    assert_close(slope, -a * (1 - a), rtol=1e-5, atol=1e-9)  # its derivative is -a(1-a) ...
    assert not np.allclose(slope, (1 - a) * a)  # ... not the printed (1-a)a
    true = to_numpy(act.sigmoid(x))  # the printed derivative holds for the true sigmoid
    assert_close(act.sigmoid_grad(x), (1 - true) * true)


def test_erratum_a2_printed_tanh_is_sigmoid_of_2x():
    x = np.linspace(-5, 5, 41)
    a = _printed_tanh(x)
    assert_close(a, act.sigmoid(2 * x))  # sigma(2x) ...
    assert a.min() > 0 and a.max() < 1 and a[20] == 0.5  # ... range (0, 1), 0.5 at 0
    assert_close(1 - 2 / (np.exp(2 * x) + 1), act.tanh(x))  # the corrected formula
    slope = numerical_grad(lambda z: np.sum(_printed_tanh(z)), x)
    assert not np.allclose(slope, 1 - a**2)  # the printed a' = 1 - a^2 fits only the true tanh
    assert_close(act.tanh_grad(x), 1 - np.tanh(x) ** 2)


def test_erratum_x7_softmax_sums_over_its_own_index():
    y = np.array([2.0, 1.0, 0.0])
    correct = [np.exp(y[i]) / sum(np.exp(y[j]) for j in range(3)) for i in range(3)]
    assert_close(act.softmax(y), correct)
    # read literally, the reused i is bound by the sum in the numerator too:
    # every output becomes sum_i e^{y_i} / sum_i e^{y_i} = 1, not a distribution
    literal = [sum(np.exp(y[i]) for i in range(3)) / sum(np.exp(y[i]) for i in range(3))] * 3
    assert sum(literal) == 3.0 and float(np.sum(to_numpy(act.softmax(y)))) == pytest.approx(1.0)


# --- backends, dtypes, extreme and bad input ---------------------------------


@pytest.mark.parametrize("fn", EVERY_FUNCTION, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_backend_namespace_and_dtype_are_kept(xp, fn, dtype):
    x = xp.asarray([[-3.0, 0.0, 0.5], [2.0, -0.25, 1.0]], dtype=getattr(xp, dtype))
    out = fn(x)
    assert array_namespace(out) is xp and out.dtype == x.dtype
    reference = fn(to_numpy(x).astype(np.float64))
    assert_close(out, reference, rtol=1e-6 if dtype == "float32" else 1e-12, atol=1e-7)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_backend_softmax_vjp(xp, dtype):
    x = xp.asarray([[1.0, 2.0, 3.0]], dtype=getattr(xp, dtype))
    v = xp.asarray([[0.5, -1.0, 2.0]], dtype=getattr(xp, dtype))
    out = act.softmax_vjp(x, v)
    assert array_namespace(out) is xp and out.dtype == x.dtype
    assert_close(out, act.softmax_vjp(to_numpy(x), to_numpy(v)), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_are_finite_without_warnings(xp, dtype):
    x = xp.asarray([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=getattr(xp, np.dtype(dtype).name))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outs = {fn.__name__: to_numpy(fn(x)) for fn in EVERY_FUNCTION}
        outs["softmax_vjp"] = to_numpy(act.softmax_vjp(x, xp.ones_like(x)))
    for name, out in outs.items():
        assert np.all(np.isfinite(out)), name
        assert out.dtype == dtype, name
    assert outs["sigmoid"][[0, -1]].tolist() == [0.0, 1.0]
    assert outs["sigmoid_grad"][[0, -1]].tolist() == [0.0, 0.0]
    assert outs["tanh_grad"][[0, -1]].tolist() == [0.0, 0.0]
    assert outs["swish_grad"][[0, -1]].tolist() == [0.0, 1.0]
    assert outs["softmax"][-1] == 1.0


def test_tanh_grad_keeps_precision_in_the_tails():
    # 1 - tanh^2 rounds to 0 in float32 at x = 10; sech^2(10) = 8.2e-9 is kept
    got = act.tanh_grad(np.array([10.0], dtype=np.float32))
    assert float(got[0]) == pytest.approx(1 / np.cosh(10.0) ** 2, rel=1e-5)


def test_softmax_of_huge_equal_logits():
    assert act.softmax([[1000.0, 1000.0], [-1000.0, 1000.0]]).tolist() == [[0.5, 0.5], [0.0, 1.0]]


@pytest.mark.parametrize("fn", EVERY_FUNCTION, ids=lambda f: f.__name__)
def test_inputs_are_not_modified(fn):
    x = np.array([[-1000.0, -1.0, 0.0], [1.0, 2.0, 1000.0]])
    kept = x.copy()
    fn(x)
    act.softmax_vjp(x, x)
    np.testing.assert_array_equal(x, kept)


def test_integer_and_plain_input_become_float64():
    assert act.relu(np.array([-1, 2])).dtype == np.float64
    assert act.sigmoid_grad([0, 1]).dtype == np.float64
    assert act.step(np.array([True, False])).tolist() == [1.0, 1.0]  # 1 and 0 are both >= 0


@pytest.mark.parametrize("bad", [["a", "b"], np.array(["1.5"]), np.array([1 + 2j]), [None]])
@pytest.mark.parametrize("fn", [act.sigmoid, act.relu_grad, act.softmax, act.swish_grad])
def test_non_numeric_input_is_rejected(fn, bad):
    with pytest.raises(TypeError, match="x must"):
        fn(bad)


def test_non_numeric_grad_output_is_rejected():
    with pytest.raises(TypeError, match="grad_output"):
        act.softmax_vjp([1.0, 2.0], ["a", "b"])


@pytest.mark.parametrize("fn", [act.softmax, act.log_softmax])
def test_softmax_axis_must_exist(fn):
    with pytest.raises(ValueError, match="axis=2 is out of range"):
        fn([[1.0, 2.0]], axis=2)
    with pytest.raises(ValueError, match="out of range"):
        fn(3.0)  # a 0-d array has no class axis
    with pytest.raises(ValueError, match="at least one class"):
        fn(np.zeros((2, 0)))
    with pytest.raises(TypeError, match="axis must be an int"):
        fn([1.0], axis=0.5)


def test_softmax_grad_and_vjp_check_their_input():
    with pytest.raises(ValueError, match="out of range"):
        act.softmax_grad(1.0)
    with pytest.raises(ValueError, match="x and grad_output must have the same shape"):
        act.softmax_vjp([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="axis=1"):
        act.softmax_vjp([1.0, 2.0], [1.0, 2.0], axis=1)


@pytest.mark.parametrize(
    ("fn", "name"),
    [(act.leaky_relu, "negative_slope"), (act.leaky_relu_grad, "negative_slope"),
     (act.swish, "beta"), (act.swish_grad, "beta")],
)  # fmt: skip
def test_bad_slope_and_beta_are_rejected(fn, name):
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=name):
            fn([1.0], **{name: bad})
    for bad in ("0.1", None, True, np.ones(2)):
        with pytest.raises(TypeError, match=name):
            fn([1.0], **{name: bad})


def test_numpy_scalar_options_do_not_promote_float32():
    x = np.ones(2, dtype=np.float32)
    assert act.leaky_relu(-x, negative_slope=np.float64(0.1)).dtype == np.float32
    assert act.swish_grad(x, beta=np.float64(2.0)).dtype == np.float32


# --- the copy-ready rules: types, 0-d results, no data read ---------------------

SOFTMAX_AXIS = [
    act.softmax,
    act.log_softmax,
    lambda x, axis: act.softmax_vjp(x, x, axis=axis),
]


@pytest.mark.parametrize("fn", SOFTMAX_AXIS, ids=["softmax", "log_softmax", "softmax_vjp"])
def test_softmax_axis_is_an_int(fn):
    x = np.array([[1.0, 2.0, 0.5]])
    for bad in (True, False, "0", "-1", None, 0.5, 1.0, np.array(0), [0]):
        with pytest.raises(TypeError, match="axis must be an int"):
            fn(x, axis=bad)
    for good in (0, -2, np.int64(1)):  # NumPy integers are ints
        assert fn(x, axis=good).shape == x.shape
    with pytest.raises(ValueError, match="axis=-3 is out of range for x with 2 dimensions"):
        fn(x, axis=-3)


@pytest.mark.parametrize("fn", EVERY_FUNCTION + [act.softmax_vjp], ids=lambda f: f.__name__)
def test_input_that_is_not_numbers_is_a_type_error_naming_x(fn):
    args = (lambda v: (v, [1.0])) if fn is act.softmax_vjp else (lambda v: (v,))
    for bad in (None, "1.5", "False", 1 + 2j, [1.0, "a"]):
        with pytest.raises(TypeError, match=r"^x must"):
            fn(*args(bad))


def test_grad_output_is_named_in_its_errors():
    for bad in (None, "1.0", [1j, 0.0]):
        with pytest.raises(TypeError, match=r"^grad_output must"):
            act.softmax_vjp([1.0, 2.0], bad)


@pytest.mark.parametrize("fn", EVERY_FUNCTION, ids=lambda f: f.__name__)
def test_scalar_input_gives_a_0d_array_never_a_numpy_scalar(fn):
    if fn in (act.softmax, act.log_softmax, act.softmax_grad):
        pytest.skip("softmax needs a class axis")
    for x in (0.5, -2, np.float64(0.5), np.array(-3.0), np.array(1.5, dtype=np.float32)):
        out = fn(x)
        assert type(out) is np.ndarray and out.ndim == 0, (x, type(out))
        expected = np.float32 if getattr(x, "dtype", None) == np.float32 else np.float64
        assert out.dtype == expected
    for fn_opt, option in ((act.leaky_relu, "negative_slope"), (act.swish_grad, "beta")):
        assert type(fn_opt(np.float64(-1.0), **{option: 0.5})) is np.ndarray


def test_nan_infinity_and_empty_input_pass_through():
    assert np.isnan(to_numpy(act.relu([float("nan")]))).all()
    assert act.sigmoid([float("inf"), -float("inf")]).tolist() == [1.0, 0.0]
    assert act.relu_grad([float("inf")]).tolist() == [1.0]
    for fn in EVERY_FUNCTION:
        if fn not in (act.softmax, act.log_softmax, act.softmax_grad):
            assert fn(np.zeros((0, 2))).shape == (0, 2), fn.__name__
    assert act.softmax(np.zeros((0, 3))).shape == (0, 3)  # no sample, three classes
    assert act.softmax_grad(np.zeros((0, 3))).shape == (0, 3, 3)


def test_softmax_grad_and_vjp_need_a_class():
    with pytest.raises(ValueError, match="at least one class along axis=-1"):
        act.softmax_grad(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="at least one class along axis=0"):
        act.softmax_vjp(np.zeros((0, 2)), np.zeros((0, 2)), axis=0)
    with pytest.raises(ValueError, match="at least one dimension"):
        act.softmax_grad(np.float64(1.0))


def test_options_and_shapes_are_checked_with_the_data_checks_off():
    import dlnotes

    with dlnotes.checks(False):
        with pytest.raises(ValueError, match="negative_slope"):
            act.leaky_relu([1.0], negative_slope=-0.5)
        with pytest.raises(TypeError, match="beta"):
            act.swish([1.0], beta="1")
        with pytest.raises(ValueError, match="axis=1"):
            act.softmax([1.0, 2.0], axis=1)
        with pytest.raises(ValueError, match="x and grad_output"):
            act.softmax_vjp([1.0, 2.0], [1.0])


@pytest.mark.parametrize("fn", EVERY_FUNCTION + [act.softmax_vjp], ids=lambda f: f.__name__)
def test_no_host_sync_even_with_the_checks_on(torch, fn):
    from tests.test_syncs import SyncCounter  # counts .item(), bool(t), mask indexing, ...

    x = torch.tensor([[-1000.0, 0.0, 2.5], [1.0, float("nan"), 1000.0]], dtype=torch.float64)
    args = (x, torch.ones_like(x)) if fn is act.softmax_vjp else (x,)
    with SyncCounter() as counter:
        fn(*args)
    assert counter.count == 0, counter.seen


# --- extreme input: 1e300, 1e-300, float32's largest number, infinity --------

F32_MAX = float(np.finfo(np.float32).max)
EXTREMES = [  # (value, dtype): the first element of x = [value, 0.5, -2]
    (1e300, np.float64),
    (-1e300, np.float64),
    (1e-300, np.float64),
    (F32_MAX, np.float32),
    (-F32_MAX, np.float32),
    (F32_MAX, np.float64),
    (float("inf"), np.float64),
    (-float("inf"), np.float64),
    (float("inf"), np.float32),
    (-float("inf"), np.float32),
]
EXTREME_IDS = [f"{v:g}-{np.dtype(d).name}" for v, d in EXTREMES]
EXTREME_FUNCTIONS = {  # name: (dlnotes, the torch reference of x, a float tensor)
    "sigmoid": (act.sigmoid, lambda t, x: t.sigmoid(x)),
    "sigmoid_grad": (act.sigmoid_grad, lambda t, x: _autograd(t, t.sigmoid, x)),
    "log_sigmoid": (act.log_sigmoid, lambda t, x: t.nn.functional.logsigmoid(x)),
    "tanh": (act.tanh, lambda t, x: t.tanh(x)),
    "tanh_grad": (act.tanh_grad, lambda t, x: _autograd(t, t.tanh, x)),
    "relu": (act.relu, lambda t, x: t.relu(x)),
    "relu_grad": (act.relu_grad, lambda t, x: _autograd(t, t.relu, x)),
    "leaky_relu": (act.leaky_relu, lambda t, x: t.nn.functional.leaky_relu(x)),
    "leaky_relu_grad": (
        act.leaky_relu_grad,
        lambda t, x: _autograd(t, t.nn.functional.leaky_relu, x),
    ),
    "softmax": (act.softmax, lambda t, x: t.softmax(x, dim=-1)),
    "log_softmax": (act.log_softmax, lambda t, x: t.log_softmax(x, dim=-1)),
    "softmax_grad": (
        act.softmax_grad,
        lambda t, x: t.autograd.functional.jacobian(lambda v: t.softmax(v, dim=-1), x),
    ),
    "softmax_vjp": (
        lambda x: act.softmax_vjp(x, np.array([1.0, -1.0, 0.5], dtype=x.dtype)),
        lambda t, x: _autograd(
            t, lambda v: t.softmax(v, dim=-1) * t.tensor([1.0, -1.0, 0.5], dtype=x.dtype), x
        ),
    ),
    "swish": (act.swish, lambda t, x: t.nn.functional.silu(x)),
    "swish_grad": (act.swish_grad, lambda t, x: _autograd(t, t.nn.functional.silu, x)),
    "swish_beta_2.5": (
        lambda x: act.swish(x, beta=2.5),
        lambda t, x: x * t.sigmoid(2.5 * x),
    ),
    "swish_grad_beta_2.5": (
        lambda x: act.swish_grad(x, beta=2.5),
        lambda t, x: _autograd(t, lambda v: v * t.sigmoid(2.5 * v), x),
    ),
    "identity": (act.identity, lambda t, x: x * 1),
    "identity_grad": (act.identity_grad, lambda t, x: t.ones_like(x)),
    "step": (act.step, lambda t, x: (x >= 0).to(x.dtype)),
    "step_grad": (act.step_grad, lambda t, x: t.zeros_like(x)),
}
# Where torch gives NaN (inf - inf, -inf * 0), dlnotes gives the limit (docs/activations.md).
LIMITS = {
    ("softmax", 1): [1.0, 0.0, 0.0],
    ("log_softmax", 1): [0.0, -np.inf, -np.inf],
    ("softmax_grad", 1): np.zeros((3, 3)),
    ("softmax_vjp", 1): [0.0, 0.0, 0.0],
    ("swish", -1): [0.0],
    ("swish_beta_2.5", -1): [0.0],
    ("swish_grad", 1): [1.0],
    ("swish_grad", -1): [0.0],
    ("swish_grad_beta_2.5", 1): [1.0],
    ("swish_grad_beta_2.5", -1): [0.0],
}


def _autograd(torch, f, x):
    """The gradient of sum(f(x)) at x (the derivative, element by element)."""
    x = x.clone().requires_grad_(True)
    f(x).sum().backward()
    return x.grad


@pytest.mark.parametrize("value, dtype", EXTREMES, ids=EXTREME_IDS)
@pytest.mark.parametrize("name", EXTREME_FUNCTIONS)
def test_extreme_input_gives_torchs_value_or_the_limit_without_warnings(torch, name, value, dtype):
    ours, theirs = EXTREME_FUNCTIONS[name]
    x = np.array([value, 0.5, -2.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = to_numpy(ours(x))
    assert got.dtype == dtype
    want = theirs(torch, torch.from_numpy(x)).detach().numpy()
    if np.isinf(value) and (name, int(np.sign(value))) in LIMITS:
        assert np.isnan(want).any()  # torch has no answer here; the limit is ours
        limit = np.asarray(LIMITS[name, int(np.sign(value))], dtype=dtype)
        want = np.where(np.isnan(want), np.broadcast_to(limit, want.shape), want)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=0)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-30 if dtype == np.float32 else 0)


@pytest.mark.parametrize("fn", [act.softmax, act.log_softmax])
def test_softmax_limits_at_infinity(fn):
    inf = float("inf")
    rows = np.array([[inf, 0.0, inf], [-inf, -inf, -inf], [-inf, 1.0, 1.0], [inf, -inf, 0.0]])
    got = _no_warnings(fn, rows)
    probabilities = np.exp(got) if fn is act.log_softmax else got
    assert probabilities.tolist() == [
        [0.5, 0.0, 0.5],
        [1 / 3] * 3,
        [0.0, 0.5, 0.5],
        [1.0, 0.0, 0.0],
    ]


def test_softmax_of_the_whole_float32_range_has_no_overflow():
    x = np.array([F32_MAX, -F32_MAX], dtype=np.float32)  # x - max(x) = -2 max: below the range
    assert _no_warnings(act.softmax, x).tolist() == [1.0, 0.0]
    # -6.8e38 is below float32's range: clamped at its most negative number (torch: -inf)
    assert _no_warnings(act.log_softmax, x).tolist() == [0.0, -F32_MAX]


def _no_warnings(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return to_numpy(fn(*args, **kwargs))

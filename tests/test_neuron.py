"""Tests for dlnotes.neuron: the slides' numbers, torch autograd, errata N4, N6, N7."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlnotes import activations as act
from dlnotes import neuron as N
from dlnotes.backend import array_namespace, to_numpy
from tests._helpers import assert_close, numerical_grad

# The slide 004 example: x = (1, 1, 3), w = (2, 2, 2), b = 4, target 10.
X, W, B, TARGET = [1.0, 1.0, 3.0], [2.0, 2.0, 2.0], 4.0, 10.0
# The OR gate of 000 part 5, samples in the slides' order, and XOR.
GATES = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
OR, XOR, AND = [0.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]
W_START = [0.1, -0.2]  # reconstructed start of the delta-rule example

finite = st.floats(-10, 10, allow_nan=False, width=64)


# --- N1, N2: forward and dense ----------------------------------------------------


def test_n1_forward_slide_value():
    y_pred, s = N.forward(X, W, B, return_preactivation=True)
    assert float(s) == 14.0 and float(y_pred) == 14.0
    assert y_pred.ndim == 0 and s.ndim == 0  # 0-d arrays, not NumPy scalars
    assert float(N.forward(X, W, B)) == 14.0


def test_forward_applies_the_activation_to_s():
    assert_close(N.forward(X, W, B, activation=act.sigmoid), act.sigmoid(14.0))
    assert float(N.forward(X, W, -20.0, activation=act.step)) == 0.0  # s = -6


def test_forward_on_rows_is_one_value_per_row():
    rows = [X, [0.0, 0.0, 0.0], [-1.0, 2.0, 0.5]]
    assert N.forward(rows, W, B).tolist() == [14.0, 4.0, 7.0]


def test_n2_dense_slide_neuron_and_shapes():
    out = N.dense([X, X], [W, [1.0, 0.0, 0.0]], [B, 0.0])
    assert out.tolist() == [[14.0, 1.0], [14.0, 1.0]]
    assert tuple(N.dense(X, [W, W, W]).shape) == (3,)  # one sample in, (n_out,) out


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n_in: st.tuples(
            arrays(np.float64, (4, n_in), elements=finite),
            arrays(np.float64, (3, n_in), elements=finite),
            arrays(np.float64, (3,), elements=finite),
        )
    )
)
def test_n2_dense_agrees_with_forward_row_by_row(case):
    x, w_matrix, b = case
    y, s = N.dense(x, w_matrix, b, activation=act.tanh, return_preactivation=True)
    assert tuple(y.shape) == (4, 3)
    for k, j in itertools.product(range(4), range(3)):  # sample k, unit j (w_ji = W[j, i])
        y_kj, s_kj = N.forward(
            x[k], w_matrix[j], b[j], activation=act.tanh, return_preactivation=True
        )
        assert_close(s[k, j], s_kj, rtol=1e-12, atol=1e-12)
        assert_close(y[k, j], y_kj, rtol=1e-12, atol=1e-12)


def test_dense_matches_torch_linear(torch):
    rng = np.random.default_rng(0)
    x, w_matrix, b = rng.normal(size=(5, 4)), rng.normal(size=(3, 4)), rng.normal(size=3)
    ref = torch.nn.functional.linear(torch.tensor(x), torch.tensor(w_matrix), torch.tensor(b))
    assert_close(N.dense(x, w_matrix, b), ref.numpy(), rtol=1e-12)


# --- N4: gradients ----------------------------------------------------------------


def test_n4_gradients_slide_values():
    g = N.gradients(X, W, B, TARGET)
    assert float(g.y_pred) == 14.0
    assert float(g.d_y_pred) == 8.0  # -2 (10 - 14)
    assert float(g.d_s) == 8.0  # identity: da/ds = 1
    assert g.d_w.tolist() == [8.0, 8.0, 24.0]
    assert float(g.d_b) == 8.0


def test_erratum_n4_slide_expression_is_squared_and_loses_the_sign(torch):
    """004 prints dL/dw0 = x0 * 1 * 2 * sum (y~ - y^)^2; autograd and the later slide give 8."""
    x0, error = X[0], TARGET - 14.0
    slide = x0 * 1 * 2 * error**2
    assert slide == 32.0  # what the printed expression evaluates to
    w = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    loss = (TARGET - (torch.tensor(X, dtype=torch.float64) @ w + B)) ** 2
    loss.backward()
    assert float(w.grad[0]) == 8.0 == float(N.gradients(X, W, B, TARGET).d_w[0]) != slide
    assert x0 * 1 * (-2 * error) == 8.0  # the correct factor -2 (y~ - y^)


ACTIVATIONS = {  # name: (ours, torch's)
    "identity": (act.identity, lambda t: t),
    "sigmoid": (act.sigmoid, lambda t: t.sigmoid()),
    "tanh": (act.tanh, lambda t: t.tanh()),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("batch", [False, True], ids=["one", "rows"])
def test_gradients_match_torch_autograd(torch, name, batch):
    ours, theirs = ACTIVATIONS[name]
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 3)) if batch else rng.normal(size=3)
    w, b = rng.normal(size=3), 0.3
    y_true = rng.normal(size=6) if batch else 0.7
    g = N.gradients(x, w, b, y_true, activation=ours)

    tw = torch.tensor(w, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    ty = theirs(torch.tensor(x) @ tw + tb)
    ty.retain_grad()
    torch.mean((torch.tensor(y_true, dtype=torch.float64) - ty) ** 2).backward()
    assert_close(g.d_w, tw.grad.numpy(), rtol=1e-10)
    assert_close(g.d_b, tb.grad.numpy(), rtol=1e-10)
    assert_close(g.d_y_pred, ty.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_gradients_match_finite_differences(name):
    ours, _ = ACTIVATIONS[name]
    rng = np.random.default_rng(2)
    x, w, b, y_true = rng.normal(size=(5, 3)), rng.normal(size=3), -0.4, rng.normal(size=5)

    def loss(params):
        y = N.forward(x, params[:3], params[3], activation=ours)
        return np.mean((y_true - np.asarray(y)) ** 2)

    numeric = numerical_grad(loss, np.append(w, b))
    g = N.gradients(x, w, b, y_true, activation=ours)
    assert_close(g.d_w, numeric[:3], rtol=1e-7, atol=1e-9)
    assert_close(g.d_b, numeric[3], rtol=1e-7, atol=1e-9)


def test_gradients_with_an_own_activation_need_its_derivative():
    def cube(s):
        return s**3

    with pytest.raises(ValueError, match="activation_grad"):
        N.gradients(X, W, B, TARGET, activation=cube)
    g = N.gradients([1.0], [1.0], 0.0, 0.0, activation=cube, activation_grad=lambda s: 3 * s**2)
    assert float(g.d_w[0]) == 6.0  # L = s^6, dL/dw = 6 s^5 x at s = 1


# --- N6: the delta rule -----------------------------------------------------------


def test_n6_delta_rule_slide_losses_and_cycle():
    result = N.delta_rule(GATES, OR, W_START, epochs=3)
    first = result.history[:4]
    assert [round(r.loss_before, 12) for r in first] == [0.0, 0.72, 0.405, 0.5]
    assert [round(r.loss_after, 12) for r in first] == [0.0, 0.0, 0.0, 0.5]
    assert [round(r.prediction_before, 12) for r in first] == [0.0, -0.2, 0.1, 2.0]
    assert len(result.history) == 12
    assert [(r.epoch, r.sample) for r in result.history[4:6]] == [(2, 0), (2, 1)]
    # From the third update on, the weights go (1, 1) -> (0, 0) every epoch, forever.
    for r in result.history:
        if r.sample == 2:
            assert np.allclose(r.weights_after, (1.0, 1.0))
        if r.sample == 3:
            assert np.allclose(r.weights_before, (1.0, 1.0)) and np.allclose(
                r.weights_after, (0.0, 0.0)
            )
    assert_close(result.weights, [0.0, 0.0], atol=1e-12)


def test_erratum_n6_fourth_update_loss_before_is_0_5_not_0_405():
    """000 part 5 prints "Loss before update: 0.405" for (1, 1); w = (1, 1) predicts 2."""
    fourth = N.delta_rule(GATES, OR, W_START).history[3]
    assert fourth.x == (1.0, 1.0) and np.allclose(fourth.weights_before, (1.0, 1.0))
    assert fourth.prediction_before == pytest.approx(2.0)
    assert fourth.loss_before == pytest.approx(0.5) and fourth.loss_before != pytest.approx(0.405)


@pytest.mark.parametrize("w1, w2", list(itertools.product([0.1, 1.9], [-0.2, 2.2])))
def test_n6_every_reconstructed_start_reproduces_the_printed_losses(w1, w2):
    """The figure with the start weights is lost: these four starts all fit the slide."""
    history = N.delta_rule(GATES, OR, [w1, w2]).history
    assert [round(r.loss_before, 12) for r in history] == [0.0, 0.72, 0.405, 0.5]
    assert [round(r.loss_after, 12) for r in history] == [0.0, 0.0, 0.0, 0.5]


def test_delta_rule_is_the_gradient_step_of_half_squared_error(torch):
    w = torch.tensor([0.3, -0.7], dtype=torch.float64, requires_grad=True)
    x, t, lr = torch.tensor([0.5, 2.0], dtype=torch.float64), 1.0, 0.1
    (0.5 * (t - x @ w) ** 2).backward()
    expected = (w - lr * w.grad).detach().numpy()
    result = N.delta_rule([[0.5, 2.0]], [t], [0.3, -0.7], lr=lr)
    assert_close(result.weights, expected, rtol=1e-12)


# --- N7: the perceptron -----------------------------------------------------------


def test_erratum_n7_or_is_linearly_separable_and_the_perceptron_learns_it():
    """000 part 5 calls OR "nonlinear" and impossible for a single layer; it converges."""
    result = N.perceptron_train(GATES, OR)
    assert result.converged and result.epochs == 4 and result.errors == (2, 2, 1, 0)
    predictions = N.forward(GATES, result.weights, result.bias, activation=act.step)
    assert predictions.tolist() == OR


def test_n7_xor_never_converges():
    result = N.perceptron_train(GATES, XOR, max_epochs=200)
    assert not result.converged and result.epochs == 200
    assert min(result.errors) >= 1  # every epoch misclassifies at least one sample


@pytest.mark.parametrize("targets", [OR, AND, [1.0, 1.0, 1.0, 0.0]], ids=["or", "and", "nand"])
def test_perceptron_fits_every_separable_gate(targets):
    result = N.perceptron_train(GATES, targets, w=[0.5, -0.5], b=0.2, lr=0.5)
    assert result.converged
    assert N.forward(GATES, result.weights, result.bias, activation=act.step).tolist() == targets


# --- backends, dtypes, inputs unchanged -------------------------------------------


def test_backends_keep_namespace_and_float32(xp):
    f32 = xp.float32
    x = xp.asarray(X, dtype=f32)
    w = xp.asarray(W, dtype=f32)
    gates, ort = xp.asarray(GATES, dtype=f32), xp.asarray(OR, dtype=f32)
    outputs = [
        N.forward(x, w, B),
        N.dense(gates, xp.asarray([[1.0, 2.0], [3.0, 4.0]], dtype=f32), [0.5, 0.5]),
        *N.gradients(x, w, B, TARGET),
        N.delta_rule(gates, ort, [0.1, -0.2], epochs=2).weights,
        *N.perceptron_train(gates, ort)[:2],
    ]
    for out in outputs:
        assert array_namespace(out) is array_namespace(x)
        assert out.dtype == f32
    g = N.gradients(x, w, B, TARGET)
    assert_close(g.d_w, [8.0, 8.0, 24.0])
    assert N.perceptron_train(gates, ort).errors == (2, 2, 1, 0)


def test_inputs_are_never_modified():
    x, w, gates, t = np.array(X), np.array(W), np.array(GATES), np.array(OR)
    copies = [a.copy() for a in (x, w, gates, t)]
    N.forward(x, w, B)
    N.dense(gates, np.ones((2, 2)), np.ones(2))
    N.gradients(x, w, B, TARGET)
    start = np.array(W_START)
    N.delta_rule(gates, t, start, epochs=3)
    w0 = np.zeros(2)
    N.perceptron_train(gates, t, w=w0)
    for a, c in zip((x, w, gates, t), copies):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(start, W_START)
    np.testing.assert_array_equal(w0, [0.0, 0.0])


def test_history_holds_plain_python_numbers():
    row = N.delta_rule(GATES, OR, W_START).history[1]
    assert isinstance(row.loss_before, float) and isinstance(row.weights_after, tuple)
    assert all(isinstance(v, float) for v in row.x + row.weights_before)


# --- bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: N.forward([1.0, 2.0], W, B), "x must have n_in = 3"),
        (lambda: N.forward(X, [[2.0, 2.0, 2.0]], B), "w must be"),
        (lambda: N.forward(X, W, [4.0, 4.0]), "b must be 0-D"),
        (lambda: N.forward([], [], B), "must not be empty"),
        (lambda: N.forward(np.zeros((0, 3)), W, B), "x must not be empty"),
        (lambda: N.forward([1.0, np.nan, 3.0], W, B), "x must be finite"),
        (lambda: N.forward(X, W, np.inf), "b must be finite"),
        (lambda: N.dense([X], [1.0, 2.0, 3.0]), "W must be 2-D"),
        (lambda: N.dense([X], [[1.0, 2.0]]), "x must have n_in = 2"),
        (lambda: N.dense([X], [W, W], [1.0, 2.0, 3.0]), r"b must have shape \(n_out,\) = \(2,\)"),
        (lambda: N.dense([[np.nan, 1.0, 1.0]], [W]), "x must be finite"),
        (lambda: N.gradients(X, W, B, [10.0, 10.0]), "y_true must have shape"),
        (lambda: N.gradients([X, X], W, B, 10.0), r"y_true must have shape \(2,\)"),
        (lambda: N.gradients(X, W, B, np.nan), "y_true must be finite"),
        (lambda: N.delta_rule(GATES, OR[:3], W_START), "t must have one target per row"),
        (lambda: N.delta_rule(GATES, OR, [0.1, 0.2, 0.3]), "w must have length n_in = 2"),
        (lambda: N.delta_rule([0.0, 1.0], OR, W_START), "x must be 2-D"),
        (lambda: N.delta_rule(np.zeros((0, 2)), [], W_START), "x must not be empty"),
        (lambda: N.delta_rule(GATES, [0.0, 1.0, np.nan, 1.0], W_START), "t must be finite"),
        (lambda: N.delta_rule(GATES, OR, W_START, lr=0.0), "lr must be a finite number > 0"),
        (lambda: N.delta_rule(GATES, OR, W_START, epochs=0), "epochs must be an integer >= 1"),
        (
            lambda: N.perceptron_train(GATES, [0.0, 1.0, 2.0, 1.0]),
            "t must hold the class labels 0 and 1",
        ),
        (lambda: N.perceptron_train(GATES, OR, max_epochs=0), "max_epochs must be"),
        (lambda: N.perceptron_train(GATES, OR, b=[0.0, 1.0]), "b must be 0-D"),
        (lambda: N.perceptron_train(GATES, OR, lr=-1.0), "lr must be a finite number > 0"),
        (lambda: N.perceptron_train(GATES, OR, w=[0.0, 1.0, 2.0]), "w must have length n_in = 2"),
        (lambda: N.delta_rule(GATES, OR, W_START, lr=np.inf), "lr must be"),
        (
            lambda: N.perceptron_train(GATES, OR, max_epochs=-3),
            "max_epochs must be an integer >= 1",
        ),
        (
            lambda: N.gradients(X, W, B, TARGET, activation=lambda s: s),
            "activation_grad is required",
        ),
    ],
)
def test_bad_input_is_a_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_kinds_are_type_errors():
    with pytest.raises(TypeError, match="activation must be callable"):
        N.forward(X, W, B, activation="relu")
    with pytest.raises(TypeError, match="activation_grad must be callable"):
        N.gradients(X, W, B, TARGET, activation_grad=1.0)
    with pytest.raises(TypeError, match="x must"):
        N.forward(["a", "b", "c"], W, B)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: N.delta_rule(GATES, OR, W_START, epochs=1.5), "epochs must be an integer"),
        (lambda: N.delta_rule(GATES, OR, W_START, epochs=True), "epochs must be an integer"),
        (lambda: N.delta_rule(GATES, OR, W_START, epochs="2"), "epochs must be an integer"),
        (lambda: N.delta_rule(GATES, OR, W_START, lr=True), "lr must be a real number"),
        (lambda: N.delta_rule(GATES, OR, W_START, lr="0.5"), "lr must be a real number"),
        (lambda: N.delta_rule(GATES, OR, W_START, lr=None), "lr must be a real number"),
        (lambda: N.perceptron_train(GATES, OR, lr=True), "lr must be a real number"),
        (lambda: N.perceptron_train(GATES, OR, max_epochs=10.0), "max_epochs must be an integer"),
        (lambda: N.perceptron_train(GATES, OR, max_epochs=None), "max_epochs must be an integer"),
        (lambda: N.perceptron_train(GATES, OR, w="ab"), "w must"),
        (lambda: N.forward(X, W, B, return_preactivation="False"), "return_preactivation must be"),
        (lambda: N.forward(X, W, B, return_preactivation=1), "return_preactivation must be"),
        (lambda: N.dense([X], [W], return_preactivation=None), "return_preactivation must be"),
        (lambda: N.dense([X], [W], activation=None), "activation must be callable"),
        (lambda: N.forward(X, W, "4"), "b must"),
        (lambda: N.gradients(X, W, B, "10"), "y_true must"),
        (lambda: N.delta_rule(GATES, [None] * 4, W_START), "t must"),
    ],
)
def test_wrong_types_are_type_errors_naming_the_argument(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_numpy_integers_are_counts():
    assert len(N.delta_rule(GATES, OR, W_START, epochs=np.int64(2)).history) == 8
    assert N.perceptron_train(GATES, OR, max_epochs=np.int32(3)).epochs == 3


def test_scalar_results_are_0d_arrays_not_numpy_scalars():
    for out in (
        N.forward(X, W, B),
        *N.gradients(X, W, B, TARGET)[:3],
        N.gradients(X, W, B, TARGET).d_b,
    ):
        assert isinstance(out, np.ndarray) and out.ndim == 0
    assert isinstance(N.perceptron_train(GATES, OR).bias, np.ndarray)


def test_checks_off_skips_the_data_checks_only():
    import dlnotes

    with dlnotes.checks(False):
        assert np.isnan(float(N.forward([1.0, np.nan, 3.0], W, B)))  # not checked: NaN goes through
        with pytest.raises(ValueError, match="x must have n_in = 3"):  # shapes are still checked
            N.forward([1.0, 2.0], W, B)
        with pytest.raises(TypeError, match="lr"):  # and options
            N.delta_rule(GATES, OR, W_START, lr="1")


def test_mixing_libraries_is_a_type_error(torch):
    with pytest.raises(TypeError, match="one array library"):
        N.forward(np.asarray(X), torch.tensor(W, dtype=torch.float64), B)


def test_extreme_inputs_give_finite_results_without_warnings():
    y = N.forward([1000.0, -1000.0], [1.0, 1.0], 1000.0, activation=act.sigmoid)
    assert float(y) == 1.0
    g = N.gradients([1000.0], [1.0], 0.0, 1.0, activation=act.sigmoid)
    assert np.isfinite(to_numpy(g.d_w)).all()


# --- extreme input: the delta rule never overflows silently or with OverflowError ----

F32_MAX = float(np.finfo(np.float32).max)


def _quietly(fn, *args, **kwargs):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would fail here
        return fn(*args, **kwargs)


@pytest.mark.parametrize(
    "x, t, dtype",
    [
        ([[1e300, 1.0], [0.0, 1.0]], [1.0, 0.0], np.float64),
        ([[-1e300, 1.0], [0.0, 1.0]], [1.0, 0.0], np.float64),
        ([[F32_MAX, 1.0], [0.0, 1.0]], [1.0, 0.0], np.float32),
        ([[1.0, 1.0]], [F32_MAX], np.float32),
        ([[1e200, 1.0]], [1e200], np.float64),  # the prediction 1e199 is fine, the update is not
    ],
    ids=["1e300", "-1e300", "float32-max", "float32-max-target", "1e200-update"],
)
def test_delta_rule_overflow_is_a_value_error(x, t, dtype):
    x, t, w = (np.asarray(a, dtype=dtype) for a in (x, t, [0.1, 0.2]))
    with pytest.raises(ValueError, match=r"^x, t and lr make the delta rule overflow at epoch 1"):
        _quietly(N.delta_rule, x, t, w)


def test_delta_rule_huge_target_gives_inf_losses_not_overflow_error():
    # 0.5 (1e300 - 0.3)^2 is inf in float64: the table says so, without an OverflowError
    result = _quietly(N.delta_rule, [[1.0, 1.0]], [1e300], [0.1, 0.2])
    (row,) = result.history
    assert row.loss_before == np.inf and row.loss_after == np.inf
    assert row.weights_after == pytest.approx((1e300, 1e300))
    assert row.prediction_after == pytest.approx(2e300)


def test_delta_rule_tiny_input_is_exact():
    result = _quietly(N.delta_rule, [[1e-300, 1.0]], [1.0], [0.1, 0.2])
    (row,) = result.history
    assert row.prediction_before == pytest.approx(0.2)
    assert row.weights_after == pytest.approx((0.1 + 0.8e-300, 1.0))

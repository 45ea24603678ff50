"""Tests for dlnotes.optim.gd_step: the 14 -> 10.16 step, torch.optim.SGD, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlnotes import neuron as N
from dlnotes import optim as O
from dlnotes.backend import array_namespace
from tests._helpers import assert_close

X, W, B, TARGET, LR = [1.0, 1.0, 3.0], [2.0, 2.0, 2.0], 4.0, 10.0, 0.04


def test_n5_o2_slide_step_and_the_next_forward_pass():
    g = N.gradients(X, W, B, TARGET)
    w_new, b_new = O.gd_step(W, g.d_w, lr=LR), O.gd_step(B, g.d_b, lr=LR)
    assert_close(w_new, [1.68, 1.68, 1.04], rtol=1e-12)
    assert_close(b_new, 3.68, rtol=1e-12)
    assert b_new.ndim == 0
    y_next = N.forward(X, w_new, b_new)
    assert float(y_next) == pytest.approx(10.16, abs=1e-12)
    assert (TARGET - float(y_next)) ** 2 == pytest.approx(0.0256, abs=1e-12)


def test_gd_step_matches_torch_sgd(torch):
    rng = np.random.default_rng(0)
    p, grad = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    tp = torch.tensor(p, requires_grad=True)
    tp.grad = torch.tensor(grad)
    torch.optim.SGD([tp], lr=0.3).step()
    assert_close(O.gd_step(p, grad, lr=0.3), tp.detach().numpy(), rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    arrays(np.float64, 5, elements=st.floats(-100, 100)),
    arrays(np.float64, 5, elements=st.floats(-100, 100)),
    st.floats(1e-4, 1.0),
)
def test_a_small_step_against_the_gradient_lowers_a_quadratic(center, start, lr):
    # L(p) = |p - c|^2 has gradient 2 (p - c); any lr < 1 moves p closer to c
    new = np.asarray(O.gd_step(start, 2 * (start - center), lr=lr))
    assert np.sum((new - center) ** 2) <= np.sum((start - center) ** 2) + 1e-9


def test_backends_keep_namespace_and_float32(xp):
    p = xp.asarray(W, dtype=xp.float32)
    out = O.gd_step(p, [8.0, 8.0, 24.0], lr=LR)
    assert array_namespace(out) is array_namespace(p)
    assert out.dtype == xp.float32
    assert_close(out, [1.68, 1.68, 1.04], rtol=1e-6)


def test_inputs_are_never_modified():
    p, g = np.array(W), np.array([8.0, 8.0, 24.0])
    out = O.gd_step(p, g, lr=LR)
    assert p.tolist() == W and g.tolist() == [8.0, 8.0, 24.0]
    assert not np.shares_memory(np.asarray(out), p)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: O.gd_step(W, [8.0, 8.0], lr=LR), "param and grad must have the same shape"),
        (lambda: O.gd_step(W, [8.0, np.nan, 24.0], lr=LR), "grad must be finite"),
        (lambda: O.gd_step([np.inf, 2.0, 2.0], [8.0, 8.0, 24.0], lr=LR), "param must be finite"),
        (lambda: O.gd_step(W, [8.0, 8.0, 24.0], lr=0.0), "lr must be a finite number > 0"),
        (lambda: O.gd_step(W, [8.0, 8.0, 24.0], lr=float("nan")), "lr must be a finite number"),
        (lambda: O.gd_step(W, [8.0, 8.0, 24.0], lr=float("inf")), "lr must be a finite number"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: O.gd_step(W, [8.0, 8.0, 24.0], lr=True), "lr must be a real number"),
        (lambda: O.gd_step(W, [8.0, 8.0, 24.0], lr="0.04"), "lr must be a real number"),
        (lambda: O.gd_step(W, [8.0, 8.0, 24.0], lr=None), "lr must be a real number"),
        (lambda: O.gd_step(W, [8.0, 8.0, 24.0], lr=np.array([0.04])), "lr must be a real number"),
        (lambda: O.gd_step(W, ["a", "b", "c"], lr=LR), "grad must"),
        (lambda: O.gd_step(None, [8.0, 8.0, 24.0], lr=LR), "param must"),
    ],
)
def test_wrong_types_are_type_errors(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_scalar_result_is_a_0d_array():
    out = O.gd_step(4.0, 8.0, lr=0.04)
    assert isinstance(out, np.ndarray) and out.shape == ()


def test_lr_is_keyword_only():
    with pytest.raises(TypeError):
        O.gd_step(W, [8.0, 8.0, 24.0], 0.04)  # the positional lr must fail


def test_erratum_x1_update_is_minus_lr_times_the_loss_gradient():
    """000 part 1 writes the update as d(y_i - y^_i)/dw, the derivative of the raw error."""
    raw_error_derivative = -np.array(X)  # d(10 - (w.x + b))/dw: the same for any w
    assert raw_error_derivative.tolist() == [-1.0, -1.0, -3.0]
    g = N.gradients(X, W, B, TARGET)
    delta_w = np.asarray(O.gd_step(W, g.d_w, lr=LR)) - np.array(W)
    assert_close(delta_w, [-0.32, -0.32, -0.96], rtol=1e-12)
    assert_close(delta_w, -LR * np.asarray(g.d_w))
    # at the target the loss gradient, and so the update, is zero; the raw error's is not
    at_target = N.gradients(X, W, 0.0, 10.0)  # s = 10
    assert_close(O.gd_step(W, at_target.d_w, lr=LR), W)

"""Tests for dlnotes.visualize: the gradient-ascent updates (V1-V3), Grad-CAM (V4, V5) and CAM.

The references: the formulas written out in NumPy, torch autograd for the
gradients that feed them (a GAP + linear head, where CAM must equal Grad-CAM),
and the slide's rules (ReLU, then the division by the maximum; an all-zero map
stays zero)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlnotes import visualize as V
from dlnotes.backend import to_numpy
from tests._helpers import assert_close

RNG = np.random.default_rng(3)
A = np.abs(RNG.normal(size=(2, 5, 4, 4)))  # (N, K, H, W) after a ReLU
G = RNG.normal(size=(2, 5, 4, 4))

finite = st.floats(-1e6, 1e6, allow_nan=False)


# --- V1-V3: the updates ------------------------------------------------------------


def test_gradient_ascent_step_climbs_the_gradient():
    image, grad = RNG.normal(size=(1, 6, 6)), RNG.normal(size=(1, 6, 6))
    assert_close(V.gradient_ascent_step(image, grad, lr=0.3), image + 0.3 * grad)


def test_filter_step_divides_by_the_rms_of_the_whole_gradient_plus_eps():
    image, grad = RNG.normal(size=(2, 1, 5, 5)), RNG.normal(size=(2, 1, 5, 5)) * 1e-3
    rms = np.sqrt(np.mean(grad**2))  # over every axis, as signatures.md says
    out = V.filter_ascent_step(image, grad, lr=0.1)
    assert_close(out, image + 0.1 * grad / (rms + 1e-8), rtol=1e-12)
    out = V.filter_ascent_step(image, grad, lr=0.1, eps=1e-2)  # the epsilon is the stated one
    assert_close(out, image + 0.1 * grad / (rms + 1e-2), rtol=1e-12)
    step = to_numpy(V.filter_ascent_step(np.zeros(grad.shape), grad, lr=1.0))
    assert np.sqrt(np.mean(step**2)) == pytest.approx(1.0, rel=1e-4)  # an RMS step of lr


def test_deep_dream_step_divides_by_the_mean_absolute_gradient_plus_eps():
    image, grad = RNG.normal(size=(3, 4, 4)), RNG.normal(size=(3, 4, 4)) * 50
    l1 = np.mean(np.abs(grad))  # the inverse-L1 scaling, per element
    assert_close(V.deep_dream_step(image, grad, lr=0.2), image + 0.2 * grad / (l1 + 1e-8))
    assert_close(V.deep_dream_step(image, grad, lr=0.2, eps=3.0), image + 0.2 * grad / (l1 + 3.0))


@pytest.mark.parametrize("step", [V.filter_ascent_step, V.deep_dream_step])
def test_normalised_steps_do_not_depend_on_the_gradients_scale(step):
    image, grad = RNG.normal(size=(4, 4)), RNG.normal(size=(4, 4))
    assert_close(step(image, grad * 1e-3, lr=0.5), step(image, grad * 1e3, lr=0.5), rtol=1e-4)


@pytest.mark.parametrize("step", [V.filter_ascent_step, V.deep_dream_step])
def test_zero_and_huge_gradients_give_finite_steps_without_warnings(step):
    image = np.ones(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_close(step(image, np.zeros(3), lr=1.0), image)  # zero gradient, zero step
        out = to_numpy(step(image, np.array([1e200, -1e200, 1e200]), lr=1.0))
        assert np.all(np.isfinite(out))
        out32 = V.filter_ascent_step(
            np.ones(3, np.float32), np.array([1e30, -1e30, 1], np.float32), lr=1.0
        )
        assert out32.dtype == np.float32 and np.all(np.isfinite(out32))


def test_updates_keep_float32_and_leave_inputs_unchanged():
    image, grad = np.ones((2, 2), np.float32), np.full((2, 2), 2.0, np.float32)
    for step in (V.gradient_ascent_step, V.filter_ascent_step, V.deep_dream_step):
        assert step(image, grad, lr=0.1).dtype == np.float32
    assert np.all(image == 1) and np.all(grad == 2)


@pytest.mark.parametrize("step", [V.gradient_ascent_step, V.filter_ascent_step, V.deep_dream_step])
def test_updates_reject_bad_input(step):
    with pytest.raises(ValueError, match="lr"):
        step([1.0], [1.0], lr=0.0)
    with pytest.raises(TypeError, match="lr"):
        step([1.0], [1.0], lr="0.1")
    with pytest.raises(ValueError, match="grad"):
        step([1.0, 2.0], [1.0], lr=0.1)
    with pytest.raises(ValueError, match="grad"):
        step([1.0], [np.nan], lr=0.1)


def test_eps_must_be_positive():
    for step in (V.filter_ascent_step, V.deep_dream_step):
        with pytest.raises(ValueError, match="eps"):
            step([1.0], [0.0], lr=0.1, eps=0.0)


# --- V4, V5: Grad-CAM and CAM ---------------------------------------------------------


def test_grad_cam_weights_are_the_spatial_means_of_the_gradients():
    assert_close(V.grad_cam_weights(G), G.mean(axis=(2, 3)))
    assert_close(V.grad_cam_weights(G[0]), G[0].sum(axis=(1, 2)) / 16)  # 1/|I x J| sum_ij


def test_grad_cam_is_relu_of_the_weighted_sum_divided_by_its_maximum():
    alpha = G.mean(axis=(2, 3))
    s = np.einsum("nk,nkhw->nhw", alpha, A)
    relu = np.maximum(s, 0)
    expected = relu / relu.max(axis=(1, 2), keepdims=True)  # the ReLU first, then 1/S_max
    assert_close(V.grad_cam(A, G), expected)
    assert_close(V.grad_cam(A[1], G[1]), expected[1])
    assert_close(V.grad_cam(A, G, normalize=False), relu)
    assert_close(V.grad_cam(A, G, relu=False, normalize=False), s)
    out = to_numpy(V.grad_cam(A, G))
    assert out.min() >= 0 and np.allclose(out.max(axis=(1, 2)), 1)


def test_an_all_zero_map_stays_zero():
    for a in (np.zeros((3, 4, 4)), np.zeros((2, 3, 4, 4))):
        g = RNG.normal(size=a.shape)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no 0/0
            assert np.all(to_numpy(V.grad_cam(a, g)) == 0)
            assert np.all(to_numpy(V.cam(a, np.ones(a.shape[:-2]))) == 0)
    # all evidence against the class: the ReLU leaves zeros, and they stay zero
    assert np.all(to_numpy(V.grad_cam(A, -np.abs(G))) == 0)


def test_cam_is_the_class_weighted_sum_over_its_maximum():
    w = RNG.normal(size=(2, 5))
    s = np.einsum("nk,nkhw->nhw", w, A)
    assert_close(V.cam(A, w, normalize=False), s)
    assert_close(V.cam(A, w), s / s.max(axis=(1, 2), keepdims=True))
    negative = -np.abs(w)  # no positive maximum: the map is returned as it is
    assert_close(V.cam(A, negative), np.einsum("nk,nkhw->nhw", negative, A))


def test_cam_equals_grad_cam_for_a_global_average_pooling_and_linear_head(torch):
    """f = W mean_ij(A) + b: df_c/dA_ijk = W_ck / |I x J|, so alpha = W_c / |I x J|."""
    a = torch.tensor(A, dtype=torch.float64, requires_grad=True)
    w = torch.tensor(RNG.normal(size=(3, 5)), dtype=torch.float64)
    b = torch.tensor(RNG.normal(size=3), dtype=torch.float64)
    logits = a.mean(dim=(2, 3)) @ w.T + b
    c = 1
    (grad,) = torch.autograd.grad(logits[:, c].sum(), a)
    activations, gradients = A, grad.numpy()
    weights = np.stack([w[c].numpy()] * 2)
    assert_close(V.grad_cam_weights(gradients), weights / 16, rtol=1e-12)
    assert_close(V.grad_cam(activations, gradients, relu=False), V.cam(activations, weights))
    assert_close(
        V.grad_cam(activations, gradients, relu=False, normalize=False),
        to_numpy(V.cam(activations, weights, normalize=False)) / 16,
        rtol=1e-12,
    )
    relu_cam = np.maximum(to_numpy(V.cam(activations, weights, normalize=False)), 0)
    assert_close(
        V.grad_cam(activations, gradients), relu_cam / relu_cam.max(axis=(1, 2), keepdims=True)
    )


@settings(max_examples=40)
@given(arrays(np.float64, (3, 4, 4), elements=finite), arrays(np.float64, (3,), elements=finite))
def test_grad_cam_of_constant_gradients_is_cam(activations, weights):
    """A gradient that is w_k at every position has alpha_k = w_k."""
    gradients = np.broadcast_to(weights[:, None, None], activations.shape).copy()
    assert_close(
        V.grad_cam(activations, gradients, relu=False, normalize=False),
        V.cam(activations, weights, normalize=False),
        rtol=1e-9,
        atol=1e-6,
    )
    out = to_numpy(V.grad_cam(activations, gradients))
    assert np.all((out >= 0) & (out <= 1 + 1e-12))


def test_maps_work_on_every_backend(xp):
    a, g, w = xp.asarray(A), xp.asarray(G), xp.asarray(G[:, :, 0, 0])
    assert_close(V.grad_cam(a, g), V.grad_cam(A, G))
    assert_close(V.cam(a, w), V.cam(A, G[:, :, 0, 0]))
    assert_close(V.grad_cam_weights(g), G.mean(axis=(2, 3)))


def test_maps_reject_bad_input():
    with pytest.raises(ValueError, match="gradients"):
        V.grad_cam(A, G[:, :, :2])
    with pytest.raises(ValueError, match="activations"):
        V.grad_cam(A[0, 0], G[0, 0])
    with pytest.raises(TypeError, match="relu"):
        V.grad_cam(A, G, relu=1)
    with pytest.raises(ValueError, match="class_weights"):
        V.cam(A, np.ones(5))  # a batch needs one row per image
    with pytest.raises(TypeError, match="normalize"):
        V.cam(A[0], np.ones(5), normalize="yes")
    with pytest.raises(ValueError, match="gradients"):
        V.grad_cam_weights(np.ones((4, 4)))
    with pytest.raises(ValueError, match="activations"):
        V.cam(np.full((2, 3, 3), np.inf), np.ones(2))

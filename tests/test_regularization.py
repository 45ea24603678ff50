"""Tests for dlnotes.regularization: batch/layer/instance/group norm, dropout, penalties,
weight decay, against torch 2.13.0 in float64 (1e-10), finite differences and their laws."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlnotes import optim as O
from dlnotes import regularization as R
from dlnotes.backend import array_namespace, to_numpy
from tests._helpers import assert_close, numerical_grad

TOL = {"rtol": 1e-10, "atol": 1e-10}
RNG = np.random.default_rng(2024)
SHAPES = [(8, 3), (4, 5, 3, 2)]  # (N, C) and (N, C, H, W)


def _inputs(shape, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = rng.normal(loc=1.5, scale=2.0, size=shape)
    gamma, beta = rng.uniform(0.5, 2.0, c), rng.normal(size=c)
    running_mean, running_var = rng.normal(size=c), rng.uniform(0.5, 2.0, c)
    return x, gamma, beta, running_mean, running_var


def _t(torch, a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


# --------------------------------------------------------------------------- batch norm (R1)


@pytest.mark.parametrize("shape", SHAPES, ids=["NC", "NCHW"])
@pytest.mark.parametrize("momentum", [0.1, 0.3])
def test_r1_training_mode_matches_torch_with_running_statistics(torch, shape, momentum):
    x, gamma, beta, rm, rv = _inputs(shape)
    t_rm, t_rv = _t(torch, rm), _t(torch, rv)  # torch updates these buffers in place
    expected = torch.nn.functional.batch_norm(
        _t(torch, x), t_rm, t_rv, _t(torch, gamma), _t(torch, beta),
        training=True, momentum=momentum, eps=1e-5,
    )  # fmt: skip
    y, new_rm, new_rv = R.batch_norm(x, gamma, beta, rm, rv, momentum=momentum)
    assert_close(y, expected.numpy(), **TOL)
    assert_close(new_rm, t_rm.numpy(), **TOL)
    assert_close(new_rv, t_rv.numpy(), **TOL)


@pytest.mark.parametrize("shape", SHAPES, ids=["NC", "NCHW"])
def test_r1_eval_mode_matches_torch_and_returns_the_running_statistics(torch, shape):
    x, gamma, beta, rm, rv = _inputs(shape, seed=1)
    expected = torch.nn.functional.batch_norm(
        _t(torch, x), _t(torch, rm), _t(torch, rv), _t(torch, gamma), _t(torch, beta),
        training=False, eps=1e-3,
    )  # fmt: skip
    y, same_rm, same_rv = R.batch_norm(x, gamma, beta, rm, rv, training=False, eps=1e-3)
    assert_close(y, expected.numpy(), **TOL)
    assert np.array_equal(to_numpy(same_rm), rm) and np.array_equal(to_numpy(same_rv), rv)


def test_r1_running_statistics_over_batches_match_a_torch_batchnorm2d_module(torch):
    module = torch.nn.BatchNorm2d(4, momentum=0.1, dtype=torch.float64)
    rng = np.random.default_rng(5)
    gamma, beta = rng.uniform(0.5, 2.0, 4), rng.normal(size=4)
    with torch.no_grad():
        module.weight.copy_(_t(torch, gamma))
        module.bias.copy_(_t(torch, beta))
    rm = rv = None  # first step: PyTorch's initial buffers, zeros and ones
    for _ in range(5):
        x = rng.normal(loc=3.0, scale=2.0, size=(6, 4, 3, 3))
        expected = module.train()(_t(torch, x))
        y, rm, rv = R.batch_norm(x, gamma, beta, rm, rv)
        assert_close(y, expected.detach().numpy(), **TOL)
    assert_close(rm, module.running_mean.numpy(), **TOL)
    assert_close(rv, module.running_var.numpy(), **TOL)
    x = rng.normal(size=(2, 4, 3, 3))
    y, _, _ = R.batch_norm(x, gamma, beta, rm, rv, training=False)
    assert_close(y, module.eval()(_t(torch, x)).detach().numpy(), **TOL)


def test_r1_biased_variance_normalises_the_unbiased_one_updates():
    """The teaching point: x = (1, 3) has biased variance 1 and unbiased variance 2."""
    y, rm, rv = R.batch_norm([[1.0], [3.0]], [1.0], [0.0], [0.0], [1.0], momentum=1.0, eps=1e-12)
    assert_close(y, [[-1.0], [1.0]], rtol=1e-12)  # divided by sqrt(1), the biased variance
    assert_close(rm, [2.0], rtol=1e-15)
    assert_close(rv, [2.0], rtol=1e-15)  # the unbiased variance, m / (m - 1) = 2 times larger
    _, _, rv = R.batch_norm([[1.0], [3.0]], [1.0], [0.0])
    assert_close(rv, [0.9 * 1.0 + 0.1 * 2.0], rtol=1e-15)


def test_r1_training_output_has_the_shift_as_mean_and_the_scale_as_spread():
    x, gamma, beta, _, _ = _inputs((64, 3, 4, 4))
    y = to_numpy(R.batch_norm(x, gamma, beta, eps=1e-12)[0])
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), beta, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=(0, 2, 3)), gamma, rtol=1e-10)


def test_r1_one_sample_in_eval_does_not_depend_on_the_batch():
    x, gamma, beta, rm, rv = _inputs((5, 3, 2, 2))
    whole = to_numpy(R.batch_norm(x, gamma, beta, rm, rv, training=False)[0])
    alone = to_numpy(R.batch_norm(x[2:3], gamma, beta, rm, rv, training=False)[0])
    np.testing.assert_allclose(alone[0], whole[2], rtol=1e-15)
    trained = to_numpy(R.batch_norm(x, gamma, beta)[0])
    assert not np.allclose(to_numpy(R.batch_norm(x[:2], gamma, beta)[0]), trained[:2])


@pytest.mark.parametrize("shape", SHAPES, ids=["NC", "NCHW"])
def test_r1_backward_matches_torch_autograd(torch, shape):
    x, gamma, beta, _, _ = _inputs(shape, seed=3)
    grad_out = np.random.default_rng(4).normal(size=shape)
    tx, tg, tb = _t(torch, x, True), _t(torch, gamma, True), _t(torch, beta, True)
    y = torch.nn.functional.batch_norm(tx, None, None, tg, tb, training=True, eps=1e-5)
    y.backward(_t(torch, grad_out))
    gx, gg, gb = R.batch_norm_backward(grad_out, x, gamma)
    assert_close(gx, tx.grad.numpy(), **TOL)
    assert_close(gg, tg.grad.numpy(), **TOL)
    assert_close(gb, tb.grad.numpy(), **TOL)


@pytest.mark.parametrize("shape", [(4, 2), (3, 2, 2, 2)], ids=["NC", "NCHW"])
def test_r1_backward_matches_finite_differences(shape):
    x, gamma, beta, _, _ = _inputs(shape, seed=6)
    weights = np.random.default_rng(7).normal(size=shape)  # L = sum(weights * y)

    def loss(x_, gamma_, beta_):
        return np.sum(weights * to_numpy(R.batch_norm(x_, gamma_, beta_, eps=1e-3)[0]))

    gx, gg, gb = R.batch_norm_backward(weights, x, gamma, eps=1e-3)
    assert_close(gx, numerical_grad(lambda v: loss(v, gamma, beta), x), rtol=1e-6, atol=1e-8)
    assert_close(gg, numerical_grad(lambda v: loss(x, v, beta), gamma), rtol=1e-6, atol=1e-8)
    assert_close(gb, numerical_grad(lambda v: loss(x, gamma, v), beta), rtol=1e-6, atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(np.float64, (6, 2, 3), elements=st.floats(-50, 50)),
    hnp.arrays(np.float64, (6, 2, 3), elements=st.floats(-5, 5)),
)
def test_r1_backward_follows_the_batch_statistics(x, grad_out):
    # shifting every value of a channel leaves y unchanged: grad_x sums to 0 per channel;
    # stretching a channel about its mean by (1 + t) changes y only through eps:
    # d/dt = gamma (x - mean) eps / (var + eps)^(3/2), so grad_x . (x - mean) is
    # gamma eps / (var + eps) times grad_gamma
    gamma, eps = np.array([1.0, 2.0]), 1e-5
    gx, gg, _ = (to_numpy(a) for a in R.batch_norm_backward(grad_out, x, gamma, eps=eps))
    centred = x - x.mean(axis=(0, 2), keepdims=True)
    var = x.var(axis=(0, 2))
    scale = (np.abs(grad_out).sum() + 1.0) * (np.abs(centred).max() + 1.0)
    np.testing.assert_allclose(gx.sum(axis=(0, 2)) * (np.abs(centred).max() + 1.0) / scale, 0,
                               atol=1e-9)  # fmt: skip
    stretch = (gx * centred).sum(axis=(0, 2))
    np.testing.assert_allclose(stretch / scale, gamma * eps / (var + eps) * gg / scale, atol=1e-9)


# ---------------------------------------------------------------- layer, instance, group norm (R2)


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("affine", [False, True])
def test_r2_layer_norm_matches_torch(torch, k, affine):
    x = RNG.normal(loc=-1.0, scale=3.0, size=(4, 3, 5, 2))
    shape = x.shape[4 - k :]
    gamma = RNG.uniform(0.5, 2.0, shape) if affine else None
    beta = RNG.normal(size=shape) if affine else None
    expected = torch.nn.functional.layer_norm(
        _t(torch, x), shape, None if gamma is None else _t(torch, gamma),
        None if beta is None else _t(torch, beta), eps=1e-5,
    )  # fmt: skip
    assert_close(R.layer_norm(x, gamma, beta, normalized_ndim=k), expected.numpy(), **TOL)


@pytest.mark.parametrize("shape", [(3, 4, 7), (2, 4, 3, 5), (2, 4, 2, 3, 2)])
@pytest.mark.parametrize("affine", [False, True])
def test_r2_instance_norm_matches_torch(torch, shape, affine):
    x = RNG.normal(loc=2.0, scale=0.5, size=shape)
    gamma = RNG.uniform(0.5, 2.0, shape[1]) if affine else None
    beta = RNG.normal(size=shape[1]) if affine else None
    expected = torch.nn.functional.instance_norm(
        _t(torch, x), weight=None if gamma is None else _t(torch, gamma),
        bias=None if beta is None else _t(torch, beta), eps=1e-5,
    )  # fmt: skip
    assert_close(R.instance_norm(x, gamma, beta), expected.numpy(), **TOL)


@pytest.mark.parametrize("groups", [1, 2, 3, 6])
@pytest.mark.parametrize("shape", [(3, 6), (2, 6, 4, 3)])
def test_r2_group_norm_matches_torch(torch, groups, shape):
    x = RNG.normal(loc=1.0, scale=2.0, size=shape)
    gamma, beta = RNG.uniform(0.5, 2.0, 6), RNG.normal(size=6)
    expected = torch.nn.functional.group_norm(
        _t(torch, x), groups, _t(torch, gamma), _t(torch, beta), eps=1e-5
    )
    assert_close(R.group_norm(x, groups, gamma, beta), expected.numpy(), **TOL)
    plain = torch.nn.functional.group_norm(_t(torch, x), groups, eps=1e-5)
    assert_close(R.group_norm(x, groups), plain.numpy(), **TOL)


def test_r2_which_axes_each_norm_averages_over():
    """The page's table: group norm with 1 group is layer norm over (C, H, W); with C groups
    it is instance norm; batch norm is the same statistics taken over (N, H, W) instead."""
    x = RNG.normal(size=(4, 6, 3, 2))
    one = np.ones(6)
    assert_close(R.group_norm(x, 1), R.layer_norm(x, normalized_ndim=3), **TOL)
    assert_close(R.group_norm(x, 6), R.instance_norm(x), **TOL)
    for name, y, axes in [
        ("batch", R.batch_norm(x, one, 0 * one, eps=1e-12)[0], (0, 2, 3)),
        ("layer", R.layer_norm(x, normalized_ndim=3, eps=1e-12), (1, 2, 3)),
        ("instance", R.instance_norm(x, eps=1e-12), (2, 3)),
    ]:
        y = to_numpy(y)
        np.testing.assert_allclose(y.mean(axis=axes), 0, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(y.var(axis=axes), 1, rtol=1e-9, err_msg=name)
    grouped = to_numpy(R.group_norm(x, 2)).reshape(4, 2, 3, 3, 2)
    np.testing.assert_allclose(grouped.mean(axis=(2, 3, 4)), 0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(np.float64, (3, 4, 5), elements=st.floats(-100, 100)),
    st.floats(-1e3, 1e3),
)
def test_r2_normalising_forgets_a_shift_of_the_averaged_values(x, shift):
    for fn in (
        lambda v: R.layer_norm(v, normalized_ndim=2),
        R.instance_norm,
        lambda v: R.group_norm(v, 2),
        lambda v: R.batch_norm(v, np.ones(4), np.zeros(4))[0],
    ):
        np.testing.assert_allclose(to_numpy(fn(x + shift)), to_numpy(fn(x)), atol=1e-6)


# --------------------------------------------------------------------------- dropout (R3)


def test_r3_dropout_applies_its_mask_with_inverted_scaling():
    x = RNG.normal(size=(50, 40))
    y, mask = R.dropout(x, 0.3, seed=11)
    mask = to_numpy(mask)
    assert mask.dtype == np.bool_ and mask.shape == x.shape
    np.testing.assert_allclose(to_numpy(y), np.where(mask, x / 0.7, 0.0), rtol=1e-15)
    keep = np.random.default_rng(11).random(x.shape) >= 0.3  # the documented draw
    assert np.array_equal(mask, keep)


def test_r3_same_seed_same_mask_on_every_backend(xp):
    x = xp.asarray(RNG.normal(size=(6, 7)))
    y, mask = R.dropout(x, 0.5, seed=3)
    reference_y, reference_mask = R.dropout(to_numpy(x), 0.5, seed=3)
    assert array_namespace(mask) is array_namespace(x) and mask.dtype == xp.bool
    assert np.array_equal(to_numpy(mask), to_numpy(reference_mask))
    assert_close(y, reference_y, rtol=1e-15)
    _, other = R.dropout(x, 0.5, seed=4)
    assert not np.array_equal(to_numpy(other), to_numpy(mask))
    g = np.random.default_rng(3)
    assert np.array_equal(to_numpy(R.dropout(x, 0.5, seed=g)[1]), to_numpy(mask))


def test_r3_mask_stays_on_the_inputs_device():
    strict = pytest.importorskip("array_api_strict")
    device = strict.Device("device1")
    x = strict.asarray(RNG.normal(size=(3, 4)), device=device)
    for training in (True, False):
        y, mask = R.dropout(x, 0.2, training=training, seed=0)
        assert y.device == device and mask.device == device


def test_r3_eval_mode_is_the_identity_with_every_unit_kept():
    x = RNG.normal(size=(4, 5))
    y, mask = R.dropout(x, 0.9, training=False, seed=0)
    assert np.array_equal(to_numpy(y), x) and to_numpy(mask).all()
    assert not np.shares_memory(to_numpy(y), x)
    y, mask = R.dropout(x, 0.0, seed=0)  # p = 0 keeps every unit and scales by 1
    assert np.array_equal(to_numpy(y), x) and to_numpy(mask).all()


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_r3_keep_rate_and_expectation_within_derived_tolerances(p):
    """n = 10^6 units: the kept fraction is Binomial(n, 1 - p) / n with standard deviation
    sqrt(p (1 - p) / n); the mean of y = m x / (1 - p) for x = 1 has standard deviation
    sqrt(p / ((1 - p) n)). 6 standard deviations: a seeded test that a correct dropout
    fails with probability below 2e-9 for any seed."""
    n = 10**6
    y, mask = R.dropout(np.ones(n), p, seed=123)
    kept = float(np.mean(to_numpy(mask)))
    assert abs(kept - (1 - p)) <= 6 * math.sqrt(p * (1 - p) / n)
    assert abs(float(np.mean(to_numpy(y))) - 1.0) <= 6 * math.sqrt(p / ((1 - p) * n))


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, float("nan"), float("inf")])
def test_r3_p_outside_zero_one_is_a_value_error(p):
    with pytest.raises(ValueError, match=r"p must be a number in \[0, 1\)"):
        R.dropout([1.0, 2.0], p)


@pytest.mark.parametrize("bad", [True, "0.5", None, np.array([0.5])])
def test_r3_p_of_the_wrong_type_is_a_type_error(bad):
    with pytest.raises(TypeError, match="p must be a real number"):
        R.dropout([1.0, 2.0], bad)


def test_r3_other_wrong_types():
    with pytest.raises(TypeError, match="training"):
        R.dropout([1.0], 0.5, training=1)
    with pytest.raises(TypeError, match="seed"):
        R.dropout([1.0], 0.5, seed=1.5)
    with pytest.raises(ValueError, match="seed"):
        R.dropout([1.0], 0.5, seed=-1)


# --------------------------------------------------------------------------- penalties (R4)


@pytest.mark.parametrize("lam", [0.0, 0.01, 1.5])
def test_r4_penalties_and_gradients_match_torch_autograd(torch, lam):
    w = np.array([[0.5, -1.5, 0.0], [2.0, 0.25, -0.75]])
    for penalty, penalty_grad, reference in [
        (R.l1_penalty, R.l1_penalty_grad, lambda t: lam * t.abs().sum()),
        (R.l2_penalty, R.l2_penalty_grad, lambda t: lam / 2 * (t**2).sum()),
    ]:
        tw = _t(torch, w, True)
        value = reference(tw)
        value.backward()
        out = penalty(w, lam=lam)
        assert out.shape == () and isinstance(out, np.ndarray)
        assert_close(out, value.detach().numpy(), **TOL)
        assert_close(penalty_grad(w, lam=lam), tw.grad.numpy(), **TOL)


def test_r4_gradients_match_finite_differences_away_from_zero():
    w = np.array([0.3, -1.2, 2.5])
    for penalty, grad in [(R.l1_penalty, R.l1_penalty_grad), (R.l2_penalty, R.l2_penalty_grad)]:
        numeric = numerical_grad(lambda v, f=penalty: f(v, lam=0.7), w)
        assert_close(grad(w, lam=0.7), numeric, rtol=1e-7)


def test_r4_l1_subgradient_at_zero_is_zero_not_minus_zero():
    g = to_numpy(R.l1_penalty_grad([0.0, -0.0], lam=1.0))
    assert g.tolist() == [0.0, 0.0] and not np.signbit(g).any()


def test_r4_l2_gradient_is_coupled_weight_decay():
    w, g = RNG.normal(size=5), RNG.normal(size=5)
    coupled = R.weight_decay(w, g, lr=0.1, decay=0.3)
    assert_close(coupled, g + to_numpy(R.l2_penalty_grad(w, lam=0.3)), rtol=1e-15)


# --------------------------------------------------------------------------- weight decay (R5)


def test_r5_coupled_and_decoupled_formulas():
    w, g = np.array([1.0, -2.0, 0.5]), np.array([0.5, 0.5, -1.0])
    assert_close(R.weight_decay(w, g, lr=0.1, decay=0.01), g + 0.01 * w, rtol=1e-15)
    assert_close(
        R.weight_decay(w, g, lr=0.1, decay=0.01, mode="decoupled"), w - 0.1 * 0.01 * w, rtol=1e-15
    )
    assert_close(R.weight_decay(w, g, lr=0.1, decay=0.0, mode="decoupled"), w, rtol=0)


def test_r5_both_modes_give_the_same_plain_gradient_descent_step():
    w, g = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    lr, decay = 0.05, 0.2
    coupled = O.gd_step(w, R.weight_decay(w, g, lr=lr, decay=decay), lr=lr)
    decoupled = O.gd_step(R.weight_decay(w, g, lr=lr, decay=decay, mode="decoupled"), g, lr=lr)
    assert_close(coupled, decoupled, rtol=1e-14)


def test_r5_coupled_is_torch_sgd_weight_decay(torch):
    w, g = RNG.normal(size=6), RNG.normal(size=6)
    tw = _t(torch, w, True)
    tw.grad = _t(torch, g)
    torch.optim.SGD([tw], lr=0.1, weight_decay=0.3).step()
    assert_close(O.gd_step(w, R.weight_decay(w, g, lr=0.1, decay=0.3), lr=0.1), tw.detach(), **TOL)


def _torch_adam_run(torch, w0, grads, *, decay, mode):
    """Adam for len(grads) steps with dlnotes' weight decay around torch's plain Adam."""
    tw = _t(torch, w0, True)
    adam = torch.optim.Adam([tw], lr=0.01)  # no decay of its own
    for g in grads:
        with torch.no_grad():
            w = tw.detach().numpy().copy()
            decayed = R.weight_decay(w, g, lr=0.01, decay=decay, mode=mode)
            if mode == "decoupled":
                tw.copy_(_t(torch, decayed))
                tw.grad = _t(torch, g)
            else:
                tw.grad = _t(torch, decayed)
        adam.step()
    return tw.detach().numpy()


def test_r5_under_adam_coupled_is_adam_decay_and_decoupled_is_adamw(torch):
    rng = np.random.default_rng(8)
    w0, grads = rng.normal(size=5), rng.normal(size=(20, 5))
    runs = {}
    for mode, reference in [("coupled", torch.optim.Adam), ("decoupled", torch.optim.AdamW)]:
        tw = _t(torch, w0, True)
        opt = reference([tw], lr=0.01, weight_decay=0.5)
        for g in grads:
            tw.grad = _t(torch, g)
            opt.step()
        runs[mode] = _torch_adam_run(torch, w0, grads, decay=0.5, mode=mode)
        assert_close(runs[mode], tw.detach().numpy(), **TOL)
    assert not np.allclose(runs["coupled"], runs["decoupled"], atol=1e-4)  # R5: they differ


def test_r5_with_dlnotes_adam_step_the_modes_differ():
    adam_step = getattr(O, "adam_step", None)
    if adam_step is None:
        pytest.skip("optim.adam_step is not written yet")
    w, g = np.array([1.0, -2.0]), np.array([0.1, 10.0])
    coupled, _ = adam_step(w, R.weight_decay(w, g, lr=0.1, decay=0.5), lr=0.1)
    decoupled, _ = adam_step(R.weight_decay(w, g, lr=0.1, decay=0.5, mode="decoupled"), g, lr=0.1)
    # the first Adam step is lr * sign(g): coupled decay only moves the sign's argument
    assert_close(coupled, w - 0.1 * np.sign(g + 0.5 * w), rtol=1e-6)
    assert_close(decoupled, w * (1 - 0.05) - 0.1 * np.sign(g), rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"lr": 0.0, "decay": 0.1}, ValueError, "lr must be a finite number > 0"),
        ({"lr": -0.1, "decay": 0.1}, ValueError, "lr must be"),
        ({"lr": 0.1, "decay": -0.1}, ValueError, "decay must be a finite number >= 0"),
        ({"lr": 0.1, "decay": 0.1, "mode": "adamw"}, ValueError, "mode must be one of"),
        ({"lr": 0.1, "decay": 0.1, "mode": None}, TypeError, "mode must be one of"),
        ({"lr": "0.1", "decay": 0.1}, TypeError, "lr must be a real number"),
        ({"lr": 0.1, "decay": None}, TypeError, "decay must be a real number"),
    ],
)
def test_r5_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        R.weight_decay([1.0, 2.0], [0.1, 0.2], **kwargs)


# --------------------------------------------------------------------------- all functions


def test_shapes_that_differ_name_the_argument():
    x, gamma, beta, rm, rv = _inputs((4, 3))
    cases = [
        (lambda: R.batch_norm(x, gamma[:2], beta), "gamma must have shape \\(3,\\)"),
        (lambda: R.batch_norm(x, gamma, np.ones(4)), "beta must have shape \\(3,\\)"),
        (lambda: R.batch_norm(x, gamma, beta, rm[:1], rv), "running_mean must have shape"),
        (lambda: R.batch_norm(x, gamma, beta, rm, np.ones((3, 1))), "running_var must have"),
        (lambda: R.batch_norm_backward(x[:2], x, gamma), "grad_out and x must have the same"),
        (lambda: R.batch_norm_backward(x, x, gamma[:1]), "gamma must have shape"),
        (lambda: R.layer_norm(x, np.ones(4)), "gamma must have shape \\(3,\\)"),
        (lambda: R.layer_norm(x, None, np.ones((4, 3)), normalized_ndim=1), "beta must have"),
        (lambda: R.instance_norm(x[..., None], None, np.ones(2)), "beta must have shape"),
        (lambda: R.group_norm(x, 3, np.ones(2)), "gamma must have shape"),
        (lambda: R.weight_decay([1.0, 2.0], [1.0], lr=0.1, decay=0.1), "param and grad"),
    ]
    for call, match in cases:
        with pytest.raises(ValueError, match=match):
            call()


def test_group_counts_that_do_not_divide_the_channels():
    x = RNG.normal(size=(2, 6, 3))
    with pytest.raises(ValueError, match="num_groups must divide the number of channels C = 6"):
        R.group_norm(x, 4)
    with pytest.raises(ValueError, match="num_groups must be an integer >= 1"):
        R.group_norm(x, 0)
    with pytest.raises(TypeError, match="num_groups must be an integer"):
        R.group_norm(x, 2.0)


def test_eval_mode_without_running_statistics():
    x, gamma, beta, rm, _ = _inputs((4, 3))
    with pytest.raises(ValueError, match="running_mean and running_var must be given with"):
        R.batch_norm(x, gamma, beta, training=False)
    with pytest.raises(ValueError, match=r"^running_var must be given with training=False"):
        R.batch_norm(x, gamma, beta, rm, training=False)
    with pytest.raises(ValueError, match="running_mean and running_var must be given together"):
        R.batch_norm(x, gamma, beta, rm)


def test_other_bad_values_name_the_argument():
    x, gamma, beta, rm, rv = _inputs((4, 3))
    cases = [
        (lambda: R.batch_norm(x[0], gamma, beta), ValueError, "x must be \\(N, C\\)"),
        (lambda: R.batch_norm(x[:1], gamma, beta), ValueError, "x must hold more than one"),
        (lambda: R.batch_norm(x, gamma, beta, rm, -rv), ValueError, "running_var must hold"),
        (lambda: R.batch_norm(x, gamma, beta, momentum=1.5), ValueError, "momentum must be"),
        (lambda: R.batch_norm(x, gamma, beta, eps=0.0), ValueError, "eps must be"),
        (lambda: R.batch_norm(x, gamma, beta, training="no"), TypeError, "training must be"),
        (lambda: R.batch_norm(x, None, beta), TypeError, "gamma must be"),
        (lambda: R.batch_norm(np.full((4, 3), np.nan), gamma, beta), ValueError, "x must be fin"),
        (lambda: R.instance_norm(x), ValueError, "x must be \\(N, C, \\*spatial\\)"),
        (lambda: R.layer_norm(x, normalized_ndim=3), ValueError, "normalized_ndim must be at"),
        (lambda: R.layer_norm(x, normalized_ndim=0), ValueError, "normalized_ndim must be an"),
        (lambda: R.group_norm(x[0], 1), ValueError, "x must be \\(N, C\\)"),
        (lambda: R.l1_penalty(x, lam=-1.0), ValueError, "lam must be a finite number >= 0"),
        (lambda: R.l2_penalty_grad(x, lam=None), TypeError, "lam must be a real number"),
        (lambda: R.l2_penalty(["a"], lam=1.0), TypeError, "weights must"),
    ]
    for call, error, match in cases:
        with pytest.raises(error, match=match):
            call()
    # eval mode reads one value per channel fine: the batch variance is not needed
    y, _, _ = R.batch_norm(x[:1], gamma, beta, rm, rv, training=False)
    assert y.shape == (1, 3)


def _every_call(x4, gamma, beta, rm, rv):
    return {
        "batch_norm": lambda: R.batch_norm(x4, gamma, beta, rm, rv)[0],
        "batch_norm_eval": lambda: R.batch_norm(x4, gamma, beta, rm, rv, training=False)[0],
        "batch_norm_backward": lambda: R.batch_norm_backward(x4, x4, gamma)[0],
        "layer_norm": lambda: R.layer_norm(x4, normalized_ndim=2),
        "instance_norm": lambda: R.instance_norm(x4, gamma, beta),
        "group_norm": lambda: R.group_norm(x4, 3, gamma, beta),
        "dropout": lambda: R.dropout(x4, 0.5, seed=0)[0],
        "l1_penalty": lambda: R.l1_penalty(x4, lam=0.1),
        "l2_penalty_grad": lambda: R.l2_penalty_grad(x4, lam=0.1),
        "weight_decay": lambda: R.weight_decay(x4, x4, lr=0.1, decay=0.1, mode="decoupled"),
    }


def test_backends_keep_namespace_and_float32(xp):
    x, gamma, beta, rm, rv = (
        xp.asarray(a, dtype=xp.float32) for a in _inputs((4, 6, 3, 2), seed=9)
    )
    reference = _every_call(*(to_numpy(a).astype(np.float64) for a in (x, gamma, beta, rm, rv)))
    for name, call in _every_call(x, gamma, beta, rm, rv).items():
        out = call()
        assert array_namespace(out) is array_namespace(x), name
        assert out.dtype == xp.float32, name
        assert_close(out, reference[name](), rtol=1e-4, atol=1e-4)


def test_inputs_are_never_modified():
    x, gamma, beta, rm, rv = _inputs((4, 6, 3, 2), seed=10)
    copies = [a.copy() for a in (x, gamma, beta, rm, rv)]
    for call in _every_call(x, gamma, beta, rm, rv).values():
        call()
    for a, b in zip((x, gamma, beta, rm, rv), copies):
        assert np.array_equal(a, b)


def test_extreme_but_finite_input_gives_no_warning():
    # a constant channel (zero variance) and values far from 0
    x = np.stack([np.full((4, 3), 5.0), 1e6 + RNG.normal(size=(4, 3))], axis=1)
    y, _, rv = R.batch_norm(x, np.ones(2), np.full(2, 0.5))
    y = to_numpy(y)
    assert np.all(y[:, 0] == 0.5) and np.isfinite(y).all() and np.isfinite(to_numpy(rv)).all()
    assert np.isfinite(to_numpy(R.batch_norm_backward(x, x, np.ones(2))[0])).all()
    assert np.isfinite(to_numpy(R.layer_norm(np.full((2, 3), 1e150)))).all()

"""Tests for dlnotes.cnn: the small CNN's forward pass against torch.nn.functional, and
every gradient of its backward pass (parameters, features, input) against torch autograd
on the same weights, in float64."""

from __future__ import annotations

import numpy as np
import pytest

import dlnotes
from dlnotes import cnn
from dlnotes.backend import to_numpy
from dlnotes.losses import softmax_cross_entropy, softmax_cross_entropy_grad
from dlnotes.optim import adam_step
from tests._helpers import assert_close, numerical_grad

TOL = {"rtol": 1e-10, "atol": 1e-12}
RNG = np.random.default_rng(5)


def _params(n_classes=3, in_channels=2, channels=(3, 4), kernel_size=3, seed=0):
    params = cnn.init_small_cnn(
        n_classes=n_classes,
        in_channels=in_channels,
        channels=channels,
        kernel_size=kernel_size,
        seed=seed,
    )
    rng = np.random.default_rng(seed + 100)  # non-zero biases: every gradient is exercised
    for key in ("conv1_bias", "conv2_bias", "linear_bias"):
        params[key] = rng.normal(size=params[key].shape) * 0.1
    return params


def _torch_net(torch, params, x):
    """The same network in torch.nn.functional; returns (logits, features, leaves)."""
    F = torch.nn.functional
    leaves = {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()
    }
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    pad = params["conv1_weight"].shape[-1] // 2
    a1 = F.relu(F.conv2d(xt, leaves["conv1_weight"], leaves["conv1_bias"], padding=pad))
    p1 = F.max_pool2d(a1, 2)
    features = F.relu(F.conv2d(p1, leaves["conv2_weight"], leaves["conv2_bias"], padding=pad))
    features.retain_grad()
    logits = features.mean(dim=(2, 3)) @ leaves["linear_weight"].T + leaves["linear_bias"]
    return logits, features, {**leaves, "input": xt}


@pytest.mark.parametrize(
    "shape, kernel_size, channels",
    [((2, 2, 6, 6), 3, (3, 4)), ((3, 2, 4, 8), 5, (2, 3)), ((1, 2, 2, 2), 1, (4, 2))],
)
def test_forward_and_every_gradient_equal_torch_autograd(torch, shape, kernel_size, channels):
    params = _params(channels=channels, kernel_size=kernel_size)
    x = RNG.normal(size=shape)
    logits, cache = cnn.small_cnn_forward(params, x)
    t_logits, t_features, leaves = _torch_net(torch, params, x)
    assert_close(logits, t_logits.detach().numpy(), **TOL)
    assert_close(cache["features"], t_features.detach().numpy(), **TOL)

    grad_logits = RNG.normal(size=tuple(logits.shape))
    grad_features = RNG.normal(size=tuple(cache["features"].shape))
    objective = (t_logits * torch.tensor(grad_logits)).sum()
    objective = objective + (t_features * torch.tensor(grad_features)).sum()
    objective.backward()
    grads = cnn.small_cnn_backward(params, cache, grad_logits, grad_features=grad_features)
    assert set(grads) == set(params) | {"input", "features"}
    for key, leaf in leaves.items():
        assert_close(grads[key], leaf.grad.numpy(), **TOL)
    assert_close(grads["features"], t_features.grad.numpy(), **TOL)


def test_input_gradient_of_one_class_score_equals_torch_autograd(torch):
    """What V1 and Grad-CAM need: the gradient of f_c before the softmax, weights frozen."""
    params, x = _params(), RNG.normal(size=(2, 2, 8, 8))
    logits, cache = cnn.small_cnn_forward(params, x)
    one_hot = np.zeros(tuple(logits.shape))
    one_hot[:, 2] = 1.0
    grads = cnn.small_cnn_backward(params, cache, one_hot)
    t_logits, t_features, leaves = _torch_net(torch, params, x)
    g_input, g_features = torch.autograd.grad(t_logits[:, 2].sum(), [leaves["input"], t_features])
    assert_close(grads["input"], g_input.numpy(), **TOL)
    assert_close(grads["features"], g_features.numpy(), **TOL)


def test_input_gradient_equals_finite_differences():
    params, x = _params(channels=(2, 2)), RNG.normal(size=(1, 2, 4, 4))
    logits, cache = cnn.small_cnn_forward(params, x)
    weights = RNG.normal(size=tuple(logits.shape))
    grads = cnn.small_cnn_backward(params, cache, weights)

    def f(v):
        return float(np.sum(to_numpy(cnn.small_cnn_forward(params, v)[0]) * weights))

    assert_close(grads["input"], numerical_grad(f, x), rtol=1e-5, atol=1e-7)


def test_training_step_with_the_softmax_cross_entropy_lowers_the_loss():
    params, x = _params(n_classes=2, in_channels=1), RNG.normal(size=(8, 1, 6, 6))
    y = np.array([0, 1] * 4)
    x[y == 1, :, :3] += 2.0  # class 1: a bright top half
    losses, states = [], {}
    for _ in range(30):
        logits, cache = cnn.small_cnn_forward(params, x)
        losses.append(float(softmax_cross_entropy(y, logits)))
        grads = cnn.small_cnn_backward(params, cache, softmax_cross_entropy_grad(y, logits))
        for key in params:
            params[key], states[key] = adam_step(params[key], grads[key], states.get(key), lr=0.05)
    assert losses[-1] < 0.5 * losses[0]


def test_init_shapes_seed_and_variance():
    params = cnn.init_small_cnn(n_classes=4, in_channels=3, channels=(5, 7), kernel_size=5, seed=1)
    shapes = {k: tuple(v.shape) for k, v in params.items()}
    assert shapes == {
        "conv1_weight": (5, 3, 5, 5),
        "conv1_bias": (5,),
        "conv2_weight": (7, 5, 5, 5),
        "conv2_bias": (7,),
        "linear_weight": (4, 7),
        "linear_bias": (4,),
    }
    again = cnn.init_small_cnn(n_classes=4, in_channels=3, channels=(5, 7), kernel_size=5, seed=1)
    for key in params:
        assert np.array_equal(params[key], again[key])
    assert not np.array_equal(params["conv1_weight"][:1], params["conv2_weight"][:1, :3])
    big = cnn.init_small_cnn(n_classes=2, channels=(64, 256), seed=0)["conv2_weight"]
    assert np.var(big) * 64 * 9 / 2 == pytest.approx(1.0, rel=0.05)  # He: 2 / fan_in
    assert np.all(params["conv1_bias"] == 0)


def test_backends_agree(xp):
    params, x = _params(), RNG.normal(size=(2, 2, 4, 4))
    logits, cache = cnn.small_cnn_forward(params, x)
    grads = cnn.small_cnn_backward(params, cache, np.ones(tuple(logits.shape)))
    on = {k: xp.asarray(v) for k, v in params.items()}
    logits_xp, cache_xp = cnn.small_cnn_forward(on, xp.asarray(x))
    grads_xp = cnn.small_cnn_backward(on, cache_xp, xp.asarray(np.ones(tuple(logits.shape))))
    assert_close(logits_xp, logits, **TOL)
    for key in grads:
        assert_close(grads_xp[key], grads[key], **TOL)
    made = cnn.init_small_cnn(n_classes=3, seed=4, xp=xp)
    assert_close(made["conv1_weight"], cnn.init_small_cnn(n_classes=3, seed=4)["conv1_weight"])


def test_float32_stays_float32():
    params = {k: v.astype(np.float32) for k, v in _params().items()}
    x = RNG.normal(size=(1, 2, 4, 4)).astype(np.float32)
    logits, cache = cnn.small_cnn_forward(params, x)
    grads = cnn.small_cnn_backward(params, cache, np.ones((1, 3), np.float32))
    assert logits.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())


def test_checks_off_give_the_same_numbers():
    params, x = _params(), RNG.normal(size=(1, 2, 4, 4))
    logits, _ = cnn.small_cnn_forward(params, x)
    with dlnotes.checks(False):
        unchecked, _ = cnn.small_cnn_forward(params, x)
    assert_close(unchecked, logits, **TOL)


def test_bad_input_is_refused():
    params, x = _params(), RNG.normal(size=(1, 2, 4, 4))
    _, cache = cnn.small_cnn_forward(params, x)
    with pytest.raises(TypeError, match="params"):
        cnn.small_cnn_forward([1.0], x)
    with pytest.raises(ValueError, match="linear_bias"):
        cnn.small_cnn_forward({k: v for k, v in params.items() if k != "linear_bias"}, x)
    with pytest.raises(TypeError, match="conv1_weight"):
        cnn.small_cnn_forward({**params, "conv1_weight": params["conv1_weight"].tolist()}, x)
    with pytest.raises(TypeError, match="dtype"):
        cnn.small_cnn_forward({**params, "conv1_bias": np.zeros(3, np.float32)}, x)
    with pytest.raises(ValueError, match="channels"):
        cnn.small_cnn_forward(params, RNG.normal(size=(1, 3, 4, 4)))
    with pytest.raises(ValueError, match="even"):
        cnn.small_cnn_forward(params, RNG.normal(size=(1, 2, 5, 4)))
    with pytest.raises(ValueError, match="x"):
        cnn.small_cnn_forward(params, x[0])
    with pytest.raises(ValueError, match="params"):
        cnn.small_cnn_forward({**params, "conv2_bias": np.full(4, np.nan)}, x)
    with pytest.raises(ValueError, match="grad_logits"):
        cnn.small_cnn_backward(params, cache, np.ones((1, 4)))
    with pytest.raises(ValueError, match="grad_features"):
        cnn.small_cnn_backward(params, cache, np.ones((1, 3)), grad_features=np.ones((1, 4, 4, 4)))
    with pytest.raises(ValueError, match="cache"):
        cnn.small_cnn_backward(params, {**cache, "conv1": cache["conv1"][:, :2]}, np.ones((1, 3)))
    with pytest.raises(TypeError, match="pool1_indices"):
        cnn.small_cnn_backward(params, {**cache, "pool1_indices": cache["pool1"]}, np.ones((1, 3)))
    with pytest.raises(ValueError, match="kernel_size"):
        cnn.init_small_cnn(n_classes=3, kernel_size=4)
    with pytest.raises(TypeError, match="channels"):
        cnn.init_small_cnn(n_classes=3, channels=8)
    with pytest.raises(ValueError, match="n_classes"):
        cnn.init_small_cnn(n_classes=1)
    with pytest.raises(TypeError, match="xp"):
        cnn.init_small_cnn(n_classes=3, xp=3)

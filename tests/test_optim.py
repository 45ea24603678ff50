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


# --------------------------------------------------------------------------
# O1: initializers
# --------------------------------------------------------------------------

N_DRAWS = 10**6
SIGMAS = 5.0  # a seeded test; the chance that a correct sampler misses by 5 sigma is < 1e-6

# name, call, mean and variance of the formula, kurtosis E[(w - mean)^4] / Var^2
INITIALIZERS = [
    ("uniform", lambda s: O.uniform_init(s, seed=0), 0.0, 0.1**2 / 12, 9 / 5),
    (
        "uniform, shifted",
        lambda s: O.uniform_init(s, low=-1.0, high=3.0, seed=1),
        1.0,
        16 / 12,
        9 / 5,
    ),
    ("normal", lambda s: O.normal_init(s, std=0.2, seed=2), 0.0, 0.04, 3.0),
    ("xavier_uniform", lambda s: O.xavier_uniform(s, seed=3), 0.0, 2 / (500 + 2000), 9 / 5),
    ("xavier_uniform, gain", lambda s: O.xavier_uniform(s, gain=2.0, seed=4), 0.0, 8 / 2500, 9 / 5),
    ("xavier_normal", lambda s: O.xavier_normal(s, seed=5), 0.0, 2 / 2500, 3.0),
    ("he_normal", lambda s: O.he_normal(s, seed=6), 0.0, 2 / 2000, 3.0),
]


@pytest.mark.parametrize(
    "call, mean, variance, kurtosis",
    [i[1:] for i in INITIALIZERS],
    ids=[i[0] for i in INITIALIZERS],
)
def test_o1_sample_variance_matches_the_formula_on_a_million_draws(call, mean, variance, kurtosis):
    """Weights of shape (out, in) = (500, 2000): n = 10^6 draws, fan-in 2000, fan-out 500.

    The tolerance comes from the sampling distribution. The sample variance s^2 of n
    independent draws has mean sigma^2 and variance (mu_4 - sigma^4) / n + O(1/n^2), i.e.
    standard deviation sigma^2 sqrt((kappa - 1) / n) with kappa = mu_4 / sigma^4 the
    kurtosis (3 for a Gaussian, 9/5 for a uniform); by the central limit theorem it is
    Gaussian at this n. The sample mean has standard deviation sigma / sqrt(n). Both must
    lie within 5 standard deviations (a false alarm has probability 6e-7; the seed fixes it).
    """
    w = np.asarray(call((500, 2000)))
    assert w.shape == (500, 2000) and w.size == N_DRAWS
    assert abs(w.mean() - mean) <= SIGMAS * np.sqrt(variance / N_DRAWS)
    sd_of_variance = variance * np.sqrt((kurtosis - 1) / N_DRAWS)
    assert abs(w.var(ddof=1) - variance) <= SIGMAS * sd_of_variance, (w.var(), variance)


def test_o1_tolerance_is_tight_enough_to_catch_a_wrong_fan():
    """The 5-sigma band (0.7 % of the variance for a Gaussian) rejects fan_in + fan_out
    swapped for 2 fan_in, a 1.6x error, and even a 2 % error."""
    w = np.asarray(O.xavier_normal((500, 2000), seed=5))
    band = SIGMAS * (2 / 2500) * np.sqrt(2 / N_DRAWS)
    assert band / (2 / 2500) < 0.01
    assert abs(w.var() - 2 / 2500 * 1.02) > band


def test_o1_uniform_bounds_hold():
    assert np.all(np.abs(np.asarray(O.uniform_init((100, 100), seed=0))) <= 0.05)
    a = np.sqrt(6 / (30 + 20))
    w = np.asarray(O.xavier_uniform((20, 30), seed=0))
    assert np.all(np.abs(w) <= a) and np.abs(w).max() > 0.95 * a


@pytest.mark.parametrize("shape", [(5, 3), (7, 2, 3, 3), (4, 6, 5), (2, 3, 1, 2, 2)])
def test_o1_fans_are_pytorchs(torch, shape):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert O._fans(shape) == expected


def test_o1_xavier_and_he_match_pytorchs_variance_formulas(torch):
    """torch.nn.init on one large tensor: the same variance (PyTorch's own draws, 5 sigma)."""
    torch.manual_seed(0)
    t = torch.empty(500, 2000, dtype=torch.float64)
    for ours, theirs, kurtosis in [
        (O.xavier_uniform((500, 2000), seed=0), torch.nn.init.xavier_uniform_(t).clone(), 9 / 5),
        (O.xavier_normal((500, 2000), seed=0), torch.nn.init.xavier_normal_(t).clone(), 3.0),
        (O.he_normal((500, 2000), seed=0), torch.nn.init.kaiming_normal_(t).clone(), 3.0),
    ]:
        theirs_var = float(theirs.var())
        band = 2 * SIGMAS * theirs_var * np.sqrt((kurtosis - 1) / N_DRAWS)  # two estimates
        assert abs(float(np.var(ours)) - theirs_var) <= band


def test_o1_same_seed_same_numbers_on_every_backend(xp):
    for init in (O.uniform_init, O.normal_init, O.xavier_uniform, O.xavier_normal, O.he_normal):
        ref = np.asarray(init((3, 4), seed=7))
        out = init((3, 4), seed=7, xp=xp)
        assert array_namespace(out) is xp
        assert_close(out, ref, rtol=0, atol=0)
        out32 = init((3, 4), seed=7, xp=xp, dtype=xp.float32)
        assert out32.dtype == xp.float32
        assert_close(out32, ref.astype(np.float32), rtol=0, atol=0)
    assert not np.array_equal(O.normal_init(5, seed=1), O.normal_init(5, seed=2))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: O.uniform_init((2, -1)), ValueError, "shape"),
        (lambda: O.uniform_init("3"), TypeError, "shape"),
        (lambda: O.uniform_init((2.0, 3)), TypeError, "shape"),
        (lambda: O.uniform_init(3, low=1.0, high=1.0), ValueError, "low must be < high"),
        (lambda: O.normal_init(3, std=-1.0), ValueError, "std"),
        (lambda: O.normal_init(3, std="1"), TypeError, "std"),
        (lambda: O.xavier_uniform((5,)), ValueError, "fan-in"),
        (lambda: O.xavier_normal((5, 0)), ValueError, "shape"),
        (lambda: O.xavier_uniform((5, 3), gain=0.0), ValueError, "gain"),
        (lambda: O.he_normal((5, 3), seed=-1), ValueError, "seed"),
        (lambda: O.he_normal((5, 3), seed=1.5), TypeError, "seed"),
        (lambda: O.he_normal((5, 3), xp="nope"), ValueError, "xp"),
        (lambda: O.he_normal((5, 3), xp=3), TypeError, "xp"),
        (lambda: O.he_normal((5, 3), dtype=np.int64), TypeError, "dtype"),
        (lambda: O.he_normal((5, 3), dtype="float32"), TypeError, "dtype"),
    ],
)
def test_o1_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------
# O3, O4: batch and stochastic gradient descent on least squares
# --------------------------------------------------------------------------


def _regression(m=200, d=3, noise=0.5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(m, d))
    y = 1.5 + x @ np.array([2.0, -1.0, 0.5]) + noise * rng.normal(size=m)
    return x, y


def test_o3_batch_gd_fits_the_least_squares_solution_and_its_loss_falls():
    x, y = _regression()
    theta, losses = O.batch_gd(x, y, lr=0.002, epochs=300)
    design = np.column_stack([np.ones(len(y)), x])
    exact = np.linalg.lstsq(design, y, rcond=None)[0]
    assert_close(theta, exact, rtol=1e-8, atol=1e-10)
    losses = np.asarray(losses)
    assert losses.shape == (300,)
    assert losses[0] == pytest.approx(np.mean(y**2))  # theta = 0 before the first update
    assert np.all(np.diff(losses) <= 1e-15)  # a small enough rate: the loss never rises


def test_o3_update_is_the_printed_sum_over_samples():
    x, y = _regression(m=10)
    theta0 = np.array([0.1, -0.2, 0.3, 0.0])
    theta, _ = O.batch_gd(x, y, theta0, lr=0.01, epochs=1)
    by_hand = theta0.copy()
    for j in range(4):  # the slide's rule, for every j, summed over i
        xj = np.ones(10) if j == 0 else x[:, j - 1]
        by_hand[j] += 0.01 * sum(
            (y[i] - (theta0[0] + x[i] @ theta0[1:])) * xj[i] for i in range(10)
        )
    assert_close(theta, by_hand, rtol=1e-13)
    # summed, the step grows with m: the rate that converges on 200 samples diverges on 2000
    big_x, big_y = _regression(m=2000)
    assert np.asarray(O.batch_gd(big_x, big_y, lr=0.002, epochs=30)[1])[-1] > 1e6


def test_o4_sgd_is_reproducible_from_its_seed_and_noisier_than_batch_gd():
    x, y = _regression(m=100, noise=1.0)
    theta_a, loss_a = O.sgd(x, y, lr=0.02, epochs=5, seed=3)
    theta_b, loss_b = O.sgd(x, y, lr=0.02, epochs=5, seed=3)
    assert np.array_equal(theta_a, theta_b) and np.array_equal(loss_a, loss_b)
    assert not np.array_equal(O.sgd(x, y, lr=0.02, epochs=5, seed=4)[0], theta_a)
    assert np.asarray(loss_a).shape == (500,)
    _, batch_losses = O.batch_gd(x, y, lr=0.02 / 100, epochs=500)
    rises = lambda v: int(np.sum(np.diff(np.asarray(v)) > 0))  # noqa: E731
    assert rises(batch_losses) == 0 and rises(loss_a) > 50
    # and it still finds the neighbourhood of the least-squares fit
    exact = np.linalg.lstsq(np.column_stack([np.ones(100), x]), y, rcond=None)[0]
    assert np.max(np.abs(np.asarray(theta_a) - exact)) < 0.3


def test_o4_one_full_batch_is_batch_gd_with_the_rate_divided_by_m():
    """The mini-batch update averages; batch_gd's sums. With batch_size = m they differ by m."""
    x, y = _regression(m=50)
    theta_sgd, loss_sgd = O.sgd(x, y, lr=0.1, epochs=20, batch_size=50, seed=0)
    theta_gd, loss_gd = O.batch_gd(x, y, lr=0.1 / 50, epochs=20)
    assert_close(theta_sgd, theta_gd, rtol=1e-12)
    assert_close(loss_sgd, loss_gd, rtol=1e-12)


def test_o4_mini_batches_and_the_short_last_batch():
    x, y = _regression(m=10)
    _, losses = O.sgd(x, y, lr=0.05, epochs=3, batch_size=4, seed=0)
    assert np.asarray(losses).shape == (9,)  # 4 + 4 + 2 per pass
    order = np.random.default_rng(0).permutation(10)  # the first pass, by hand
    t = np.zeros(4)
    design = np.column_stack([np.ones(10), x])
    for batch in (order[:4], order[4:8], order[8:]):
        t = t + 0.05 * ((y[batch] - design[batch] @ t) @ design[batch]) / len(batch)
    assert_close(O.sgd(x, y, lr=0.05, epochs=1, batch_size=4, seed=0)[0], t, rtol=1e-12)


def test_o3_o4_on_every_backend(xp):
    x, y = _regression(m=12)
    ref_gd = O.batch_gd(x, y, lr=0.01, epochs=4)
    ref_sgd = O.sgd(x, y, lr=0.01, epochs=2, batch_size=5, seed=1)
    for ref, out in [
        (ref_gd, O.batch_gd(xp.asarray(x), xp.asarray(y), lr=0.01, epochs=4)),
        (ref_sgd, O.sgd(xp.asarray(x), xp.asarray(y), lr=0.01, epochs=2, batch_size=5, seed=1)),
    ]:
        assert array_namespace(out[0]) is xp and array_namespace(out[1]) is xp
        assert_close(out[0], ref[0], rtol=1e-12)
        assert_close(out[1], ref[1], rtol=1e-12)
    out32 = O.batch_gd(
        xp.asarray(x, dtype=xp.float32), xp.asarray(y, dtype=xp.float32), lr=0.01, epochs=2
    )
    assert out32[0].dtype == xp.float32 and out32[1].dtype == xp.float32


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: O.batch_gd(np.ones((4, 2)), np.ones(3), lr=0.1, epochs=1), ValueError, "y must"),
        (
            lambda: O.batch_gd(np.ones((4, 2)), np.ones(4), np.ones(2), lr=0.1, epochs=1),
            ValueError,
            "theta must have shape \\(3,\\)",
        ),
        (lambda: O.batch_gd(np.ones((4, 2)), np.ones(4), lr=-0.1, epochs=1), ValueError, "lr"),
        (lambda: O.batch_gd(np.ones((4, 2)), np.ones(4), lr=0.1, epochs=0), ValueError, "epochs"),
        (lambda: O.batch_gd(np.ones((4, 2)), np.ones(4), lr=0.1, epochs=1.0), TypeError, "epochs"),
        (
            lambda: O.sgd(np.ones((4, 2)), np.ones(4), lr=0.1, epochs=1, batch_size=0),
            ValueError,
            "batch_size",
        ),
        (lambda: O.sgd(np.ones((4, 2)), np.ones(4), lr=0.1, epochs=1, seed="a"), TypeError, "seed"),
        (lambda: O.sgd(np.ones((4, 2, 1)), np.ones(4), lr=0.1, epochs=1), ValueError, "x must"),
        (lambda: O.sgd([[1.0, np.nan]], [1.0], lr=0.1, epochs=1), ValueError, "x must be finite"),
    ],
)
def test_o3_o4_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------
# O5-O8: the optimizers against torch.optim, 100 steps in float64
# --------------------------------------------------------------------------

STEPS = 100
TOL = 1e-10

# name: (dlnotes step, its options, torch optimizer, its options). The rates keep the
# 100 steps stable: where an adaptive method settles into an oscillation (RMSProp with
# alpha = 0.9 and lr = 0.01 on the quadratic, AdaGrad with lr = 0.1 on the network),
# rounding differences of 1e-16 between two correct implementations double every step or
# so (1e-2 apart after 80 steps, measured), and the comparison would test the chaos, not
# the formula.
OPTIMIZERS = {
    "momentum": (O.momentum_step, {"lr": 0.01}, "SGD", {"lr": 0.01, "momentum": 0.9}),
    "momentum 0.5": (
        O.momentum_step,
        {"lr": 0.05, "momentum": 0.5},
        "SGD",
        {"lr": 0.05, "momentum": 0.5},
    ),
    "adagrad": (O.adagrad_step, {"lr": 0.05}, "Adagrad", {"lr": 0.05}),
    "adagrad, eps": (
        O.adagrad_step,
        {"lr": 0.01, "eps": 1e-6},
        "Adagrad",
        {"lr": 0.01, "eps": 1e-6},
    ),
    "rmsprop": (O.rmsprop_step, {"lr": 0.003}, "RMSprop", {"lr": 0.003}),
    "rmsprop, alpha": (
        O.rmsprop_step,
        {"lr": 0.001, "alpha": 0.9},
        "RMSprop",
        {"lr": 0.001, "alpha": 0.9},
    ),
    "adam": (O.adam_step, {"lr": 0.01}, "Adam", {"lr": 0.01}),
    "adam, betas and eps": (
        O.adam_step,
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
        "Adam",
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
    ),
}


def _run_dlnotes(step, options, params, grad_fn):
    params, states, path = list(params), [None] * len(params), []
    for _ in range(STEPS):
        grads = grad_fn(*params)
        for i, (p, g) in enumerate(zip(params, grads)):
            params[i], states[i] = step(p, g, states[i], **options)
        path.append([np.asarray(p).copy() for p in params])
    return path


def _run_torch(torch, name, options, params, loss_fn):
    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    opt = getattr(torch.optim, name)(tensors, **options)
    path = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(*tensors).backward()
        opt.step()
        path.append([t.detach().numpy().copy() for t in tensors])
    return path


def _assert_same_path(ours, theirs):
    for k, (a, b) in enumerate(zip(ours, theirs)):
        for p, q in zip(a, b):
            np.testing.assert_allclose(p, q, rtol=TOL, atol=TOL, err_msg=f"step {k + 1}")


def _quadratic():
    rng = np.random.default_rng(0)
    m = rng.normal(size=(5, 5))
    A, b = m @ m.T + np.eye(5), rng.normal(size=5)  # symmetric positive definite
    return A, b, rng.normal(size=5)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_trajectory_equals_torch_on_a_quadratic(torch, name):
    step, options, torch_name, torch_options = OPTIMIZERS[name]
    A, b, start = _quadratic()
    ours = _run_dlnotes(step, options, [start], lambda p: [A @ p - b])
    tA, tb = torch.tensor(A), torch.tensor(b)
    theirs = _run_torch(
        torch, torch_name, torch_options, [start], lambda p: 0.5 * p @ tA @ p - tb @ p
    )
    _assert_same_path(ours, theirs)
    assert np.linalg.norm(ours[-1][0] - start) > 0.1  # it went somewhere


def _network():
    """A 3-4-1 network with tanh, its data, and its gradients from dlnotes' functions."""
    from dlnotes import activations as A
    from dlnotes import losses as L

    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(16, 3)), rng.normal(size=(16, 1))
    params = [
        rng.normal(size=(4, 3)) * 0.5,
        np.zeros(4),
        rng.normal(size=(1, 4)) * 0.5,
        np.zeros(1),
    ]

    def grads(W1, b1, W2, b2):
        h, s1 = N.dense(x, W1, b1, activation=A.tanh, return_preactivation=True)
        y_pred = N.dense(h, W2, b2)
        d_out = np.asarray(L.mse_grad(y, y_pred))  # (16, 1), mean over all elements
        d_s1 = (d_out @ W2) * np.asarray(A.tanh_grad(s1))
        return [d_s1.T @ x, d_s1.sum(axis=0), d_out.T @ np.asarray(h), d_out.sum(axis=0)]

    def torch_loss(W1, b1, W2, b2):
        import torch

        tx, ty = torch.tensor(x), torch.tensor(y)
        y_pred = torch.tanh(tx @ W1.T + b1) @ W2.T + b2
        return torch.nn.functional.mse_loss(y_pred, ty)

    return params, grads, torch_loss


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_trajectory_equals_torch_on_a_two_layer_network(torch, name):
    """Gradients from neuron.dense, activations.tanh_grad and losses.mse_grad; torch uses
    its autograd: equal paths check the backward pass and the optimizer together."""
    step, options, torch_name, torch_options = OPTIMIZERS[name]
    params, grads, torch_loss = _network()
    ours = _run_dlnotes(step, options, params, grads)
    theirs = _run_torch(torch, torch_name, torch_options, params, torch_loss)
    _assert_same_path(ours, theirs)


def test_o5_slide_momentum_is_torchs_for_a_constant_rate_and_parts_when_it_changes(torch):
    """Slide: v = g v + lr grad, p -= v. PyTorch: b = mu b + grad, p -= lr b. v_t = lr b_t
    while lr is constant; after lr drops, PyTorch rescales the whole past velocity at once,
    the slide's rule keeps the old steps at the old rate."""
    A, b, start = _quadratic()
    schedule = [0.02] * 50 + [0.002] * 50
    p, state, ours = start, None, []
    for lr in schedule:
        p, state = O.momentum_step(p, A @ p - b, state, lr=lr)
        ours.append(np.asarray(p))
    t = torch.tensor(start, requires_grad=True)
    opt = torch.optim.SGD([t], lr=schedule[0], momentum=0.9)
    theirs, buffers = [], []
    for lr in schedule:
        opt.param_groups[0]["lr"] = lr
        opt.zero_grad()
        (0.5 * t @ torch.tensor(A) @ t - torch.tensor(b) @ t).backward()
        opt.step()
        theirs.append(t.detach().numpy().copy())
        buffers.append(opt.state[t]["momentum_buffer"].numpy().copy())
    ours, theirs = np.array(ours), np.array(theirs)
    np.testing.assert_allclose(ours[:50], theirs[:50], rtol=TOL, atol=TOL)  # same while constant
    gap = np.abs(ours[50:] - theirs[50:]).max()
    assert gap > 1e-3  # they part as soon as the rate changes
    # the velocity the slide's rule keeps is lr * PyTorch's buffer up to the change
    np.testing.assert_allclose(
        np.asarray(
            O.momentum_step(
                ours[48], A @ ours[48] - b, O.MomentumState(0.02 * buffers[48]), lr=0.02
            )[0]
        ),
        ours[49],
        rtol=1e-9,
        atol=1e-12,
    )
    # rescaling the slide's velocity by new_lr / old_lr at the change gives PyTorch's path
    p, state = ours[49], O.MomentumState(0.002 * buffers[49])
    for k in range(50, 100):
        p, state = O.momentum_step(p, A @ p - b, state, lr=0.002)
        np.testing.assert_allclose(p, theirs[k], rtol=1e-9, atol=1e-12)


def test_o6_adagrad_effective_rate_shrinks_toward_no_learning():
    """Steady gradients of size g: the rate is lr / (g sqrt t), so step t moves lr / sqrt t."""
    p, state, moves = np.array([5.0]), None, []
    for _ in range(10_000):
        new, state = O.adagrad_step(p, np.array([2.0]), state, lr=0.01)
        moves.append(float(p[0] - new[0]))
        p = np.asarray(new)
    t = np.arange(1, 10_001)
    np.testing.assert_allclose(moves, 0.01 / np.sqrt(t), rtol=1e-8)
    assert moves[-1] < moves[0] / 99  # after 10^4 steps, a hundredth of the first step


@pytest.mark.parametrize("step", [O.momentum_step, O.adagrad_step, O.rmsprop_step, O.adam_step])
def test_steps_keep_namespace_dtype_and_scalars(xp, step):
    p = xp.asarray([[1.0, -2.0], [0.5, 3.0]], dtype=xp.float32)
    g = xp.asarray([[0.1, 0.2], [-0.3, 0.0]], dtype=xp.float32)
    new, state = step(p, g, lr=0.1)
    new, state = step(new, g, state, lr=0.1)
    assert array_namespace(new) is xp and new.dtype == xp.float32
    ref, ref_state = step(
        np.asarray([[1.0, -2.0], [0.5, 3.0]]), np.asarray([[0.1, 0.2], [-0.3, 0.0]]), lr=0.1
    )
    ref, _ = step(ref, np.asarray([[0.1, 0.2], [-0.3, 0.0]]), ref_state, lr=0.1)
    assert_close(new, ref, rtol=1e-5, atol=1e-6)
    for field in state:
        if not isinstance(field, int):
            assert field.dtype == xp.float32 and array_namespace(field) is xp
    scalar, scalar_state = step(4.0, 8.0, lr=0.1)
    assert isinstance(scalar, np.ndarray) and scalar.shape == ()
    assert all(isinstance(f, (int, np.ndarray)) for f in scalar_state)


@pytest.mark.parametrize("step", [O.momentum_step, O.adagrad_step, O.rmsprop_step, O.adam_step])
def test_steps_never_modify_param_grad_or_state(step):
    p, g = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.1, -0.2])
    _, state = step(p, g, lr=0.1)
    kept = [np.array(f, copy=True) for f in state]
    p_copy, g_copy = p.copy(), g.copy()
    new, new_state = step(p, g, state, lr=0.1)
    assert np.array_equal(p, p_copy) and np.array_equal(g, g_copy)
    assert all(np.array_equal(np.asarray(a), b) for a, b in zip(state, kept))
    assert not np.shares_memory(np.asarray(new), p)
    assert all(
        not np.shares_memory(np.asarray(a), np.asarray(b))
        for a, b in zip(new_state, state)
        if not isinstance(a, int)
    )


P2, G2 = np.array([1.0, 2.0]), np.array([0.5, -0.5])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: O.adam_step(P2, G2, O.momentum_step(P2, G2, lr=0.1)[1]),
            TypeError,
            "state must be None \\(first step\\) or the AdamState",
        ),
        (lambda: O.rmsprop_step(P2, G2, O.adagrad_step(P2, G2)[1]), TypeError, "RMSpropState"),
        (lambda: O.momentum_step(P2, G2, (np.zeros(2),), lr=0.1), TypeError, "MomentumState"),
        (
            lambda: O.adam_step(P2, G2, O.adam_step(np.ones(3), np.ones(3))[1]),
            ValueError,
            "state.m must have param's shape \\(2,\\)",
        ),
        (
            lambda: O.adagrad_step(P2, G2, O.AdagradState(np.array([-1.0, 0.0]))),
            ValueError,
            "state.sum_sq must be finite and >= 0",
        ),
        (
            lambda: O.adam_step(P2, G2, O.AdamState(np.zeros(2), np.zeros(2), -1)),
            ValueError,
            "state.step",
        ),
        (
            lambda: O.adam_step(P2, G2, O.AdamState(np.array([0.0, np.nan]), np.zeros(2), 1)),
            ValueError,
            "state.m must be finite",
        ),
        (
            lambda: O.adam_step(P2, G2, O.AdamState(np.zeros(2), np.array([np.inf, 0.0]), 1)),
            ValueError,
            "state.v must be finite and >= 0",
        ),
        (
            lambda: O.adam_step(P2, G2, O.AdamState(np.zeros(2), np.zeros(2), 1.5)),
            TypeError,
            "state.step",
        ),
        (
            lambda: O.adam_step(P2, G2, O.AdamState([0.0, 0.0], np.zeros(2), 1)),
            TypeError,
            "state.m must be an array",
        ),
        (
            lambda: O.adam_step(P2, G2, O.AdamState(np.zeros(2, np.float32), np.zeros(2), 1)),
            TypeError,
            "state.m must have param's dtype",
        ),
        (lambda: O.momentum_step(P2, G2, lr=-0.1), ValueError, "lr must be a finite number > 0"),
        (lambda: O.adam_step(P2, G2, lr=0.0), ValueError, "lr"),
        (lambda: O.momentum_step(P2, G2, lr=0.1, momentum=1.0), ValueError, "momentum"),
        (lambda: O.rmsprop_step(P2, G2, alpha=-0.1), ValueError, "alpha"),
        (lambda: O.adam_step(P2, G2, betas=(0.9, 1.0)), ValueError, "betas\\[1\\]"),
        (lambda: O.adam_step(P2, G2, betas=(0.9,)), ValueError, "betas"),
        (lambda: O.adam_step(P2, G2, betas=0.9), TypeError, "betas"),
        (lambda: O.adagrad_step(P2, G2, eps=-1e-10), ValueError, "eps"),
        (lambda: O.adagrad_step(P2, np.ones(3)), ValueError, "param and grad must have the same"),
        (lambda: O.adam_step(P2, [np.nan, 0.0]), ValueError, "grad must be finite"),
        (lambda: O.adam_step(P2, G2, lr="0.1"), TypeError, "lr"),
        (lambda: O.adam_step(P2, None), TypeError, "grad"),
    ],
)
def test_o5_o8_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_state_from_another_library_is_refused(torch):
    p, g = torch.tensor(P2), torch.tensor(G2)
    _, state = O.adam_step(P2, G2)
    with pytest.raises(TypeError, match=r"state\.m must be an array of param's library"):
        O.adam_step(p, g, state)


def test_o8_bias_correction_makes_the_first_step_lr_sized():
    """m_1 = (1 - b1) g and v_1 = (1 - b2) g^2 are far too small; corrected, the first step
    is lr * g / (|g| + eps): lr per parameter whatever the gradient's scale."""
    g = np.array([1e-3, -5.0, 200.0])
    new, state = O.adam_step(np.zeros(3), g, lr=0.01)
    assert_close(new, -0.01 * np.sign(g), rtol=1e-5)
    assert_close(state.m, 0.1 * g, rtol=1e-12) and state.step == 1


# --------------------------------------------------------------------------
# Erratum X8 and weight decay (R5)
# --------------------------------------------------------------------------


def test_erratum_x8_adam_keeps_the_second_moment_not_second_order_information():
    """000 part 5 says Adam "uses second order momentums". Its v is the (exponentially
    weighted) mean of the squared gradients, the second *moment* of the gradient: with
    b2 -> the plain mean, v_hat_t is exactly mean(g_1^2 ... g_t^2). Curvature never enters:
    two losses with the same gradients at the visited points but Hessians 1 and 100 get the
    same Adam steps, where Newton's second-order step -g / H differs by 100x."""
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(20, 3))
    state = None
    for t, g in enumerate(grads, start=1):
        _, state = O.adam_step(np.zeros(3), g, state, betas=(0.0, 1 - 1e-12))
        v_hat = np.asarray(state.v) / (1 - (1 - 1e-12) ** t)
        assert_close(v_hat, np.mean(grads[:t] ** 2, axis=0), rtol=1e-6)
    # f1 = x^2 / 2 at x = 3 and f2 = 50 (x - 2.97)^2 at x = 3: both have gradient 3
    g1, g2 = 1.0 * (3.0 - 0.0), 100.0 * (3.0 - 2.97)
    assert g1 == pytest.approx(g2)
    step1 = np.asarray(O.adam_step(3.0, g1, lr=0.1)[0]) - 3.0
    step2 = np.asarray(O.adam_step(3.0, g2, lr=0.1)[0]) - 3.0
    assert step1 == pytest.approx(step2, rel=1e-12)
    newton1, newton2 = -g1 / 1.0, -g2 / 100.0
    assert newton1 / newton2 == pytest.approx(100.0)


def test_r5_coupled_and_decoupled_weight_decay_equal_for_sgd_differ_for_adam(torch):
    """Coupled: grad + decay * param into the optimizer (torch's SGD/Adam weight_decay).
    Decoupled: param shrunk by (1 - lr decay) outside it (torch's AdamW). Plain gradient
    descent: the same step. Adam divides the coupled term by sqrt(v): different."""
    from dlnotes.regularization import weight_decay

    A, b, start = _quadratic()
    lr, decay = 0.01, 0.1
    runs = {}
    for optimizer in ("gd", "adam"):
        for mode in ("coupled", "decoupled"):
            p, state = start, None
            for _ in range(STEPS):
                g = A @ p - b
                if mode == "coupled":
                    g = weight_decay(p, g, lr=lr, decay=decay)
                else:
                    p = weight_decay(p, g, lr=lr, decay=decay, mode="decoupled")
                if optimizer == "gd":
                    p = O.gd_step(p, g, lr=lr)
                else:
                    p, state = O.adam_step(p, g, state, lr=lr)
            runs[optimizer, mode] = np.asarray(p)
    np.testing.assert_allclose(runs["gd", "coupled"], runs["gd", "decoupled"], rtol=1e-12)
    assert np.abs(runs["adam", "coupled"] - runs["adam", "decoupled"]).max() > 1e-3

    tA, tb = torch.tensor(A), torch.tensor(b)
    loss = lambda p: 0.5 * p @ tA @ p - tb @ p  # noqa: E731
    for (optimizer, mode), torch_name, options in [
        (("gd", "coupled"), "SGD", {"lr": lr, "weight_decay": decay}),
        (("adam", "coupled"), "Adam", {"lr": lr, "weight_decay": decay}),
        (("adam", "decoupled"), "AdamW", {"lr": lr, "weight_decay": decay}),
    ]:
        path = _run_torch(torch, torch_name, options, [start], loss)
        np.testing.assert_allclose(runs[optimizer, mode], path[-1][0], rtol=TOL, atol=TOL)


def test_state_check_is_exact_where_its_quick_sum_overflows():
    """Finite float32 moments whose sum overflows pass (the element-wise test decides)."""
    big = np.full(4, 3e38, dtype=np.float32)
    p, g = np.zeros(4, dtype=np.float32), np.ones(4, dtype=np.float32)
    new, state = O.adam_step(p, g, O.AdamState(big, big, 3), lr=0.1)
    assert np.all(np.isfinite(new)) and state.step == 4
    with pytest.raises(ValueError, match=r"state\.v must be finite and >= 0"):
        O.adam_step(p, g, O.AdamState(big, -big, 3), lr=0.1)

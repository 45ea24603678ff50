"""dlnotes.losses: the slides' numbers, reference libraries, analytic gradients,
properties, backends and bad input."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlnotes import losses as L
from dlnotes.backend import array_namespace, to_numpy
from tests._helpers import assert_close, numerical_grad

# The NN1/NN2 table of 001: columns (Dog^, Cat^ | Dog, Cat).
TABLE_TRUE = [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
NN1 = [[0.9, 0.1], [0.1, 0.9], [0.4, 0.6]]
NN2 = [[0.6, 0.4], [0.3, 0.7], [0.1, 0.9]]

RNG = np.random.default_rng(0)


def _torch_f():
    return pytest.importorskip("torch.nn.functional", reason="torch is the reference")


def _no_warnings(fn, *args, **kwargs):
    """Call fn with every warning an error (not only RuntimeWarning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


# --------------------------------------------------------------------------
# The slides' numbers
# --------------------------------------------------------------------------


def test_n3_l1_l2_target_10_prediction_14():
    assert float(L.mse([10.0], [14.0])) == 16.0  # N3, L2 (004)
    assert float(L.mae([10.0], [14.0])) == 4.0  # L1
    assert L.mse_grad([10.0], [14.0]).tolist() == [8.0]  # -2(10 - 14)


@pytest.mark.parametrize(
    "pred, error, mse, ce",
    [(NN1, 1 / 3, 0.25, 0.38), (NN2, 1 / 3, 0.71, 1.06)],
    ids=["NN1", "NN2"],
)
def test_nn1_nn2_table(pred, error, mse, ce):
    assert float(L.classification_error(TABLE_TRUE, pred)) == pytest.approx(error)
    assert round(float(L.mse(TABLE_TRUE, pred, axis=-1)), 2) == mse
    assert round(float(L.categorical_cross_entropy(TABLE_TRUE, pred)), 2) == ce


def test_table_classification_error_cannot_tell_nn1_from_nn2_but_mse_and_ce_can():
    assert float(L.classification_error(TABLE_TRUE, NN1)) == float(
        L.classification_error(TABLE_TRUE, NN2)
    )
    assert float(L.mse(TABLE_TRUE, NN1, axis=-1)) < float(L.mse(TABLE_TRUE, NN2, axis=-1))
    assert float(L.categorical_cross_entropy(TABLE_TRUE, NN1)) < float(
        L.categorical_cross_entropy(TABLE_TRUE, NN2)
    )


def test_table_mse_is_per_row_sum_averaged_over_rows():
    # averaging over all six cells instead halves the table's numbers
    assert round(float(L.mse(TABLE_TRUE, NN1)), 3) == round(0.76 / 6, 3)
    assert float(L.mse(TABLE_TRUE, NN1, axis=-1)) == pytest.approx(0.76 / 3)
    assert float(L.mse(TABLE_TRUE, NN2, axis=-1)) == pytest.approx(2.12 / 3)


def test_erratum_l7_slide_squared_hinge_never_clips():
    z = np.linspace(-3, 3, 61)
    printed = np.maximum(0, (1 - z) ** 2)  # 000: max(0, (1 - x)^2)
    assert np.array_equal(printed, (1 - z) ** 2)  # the max never acts
    right = L.squared_hinge(np.ones_like(z), z, reduction="none")
    assert_close(right, np.maximum(0, 1 - z) ** 2)
    assert np.all(to_numpy(right)[z >= 1] == 0)  # confident right answers cost nothing
    assert np.all(printed[z > 1] > 0)  # the printed formula punishes them


def test_classification_error_reductions_and_index_targets():
    assert float(L.classification_error([0, 1, 0], NN1, reduction="sum")) == 1.0
    assert L.classification_error([0, 1, 0], NN2, reduction="none").tolist() == [0.0, 0.0, 1.0]


def test_margin_losses_values():
    y = np.array([1.0, 1.0, -1.0, -1.0])
    f = np.array([2.0, 0.5, 0.5, -3.0])  # z = 2, 0.5, -0.5, 3
    z = y * f
    assert_close(L.hinge(y, f, reduction="none"), np.maximum(0, 1 - z))
    assert_close(L.absolute_margin(y, f, reduction="none"), np.abs(1 - z))
    assert_close(L.exponential(y, f, reduction="none"), np.exp(-z))
    assert float(L.hinge(y, f, reduction="sum")) == pytest.approx(0.5 + 1.5)


def test_distances_values():
    a, b = np.array([0.0, 0.0, 0.0]), np.array([1.0, -2.0, 2.0])
    assert float(L.minkowski(a, b, q=1)) == pytest.approx(5.0)  # Manhattan
    assert float(L.minkowski(a, b, q=2)) == pytest.approx(3.0)  # Euclidean
    assert float(L.minkowski(a, b, q=math.inf)) == 2.0
    assert float(L.chebyshev(a, b)) == 2.0
    assert float(L.minkowski(a, b, q=2000)) == pytest.approx(2.0, rel=1e-3)


def test_hamming_counts_mismatches():
    x = [[1, 0, 1, 1], [0, 0, 0, 0]]
    y = [[1, 1, 0, 1], [0, 0, 0, 1]]
    assert L.hamming(x, y, reduction="none").tolist() == [2.0, 1.0]
    assert L.hamming(x, y, normalize=True, reduction="none").tolist() == [0.5, 0.25]
    assert float(L.hamming(x, y, axis=None)) == 3.0
    assert (
        float(L.hamming(np.array(x, dtype=bool), np.array(y, dtype=bool), reduction="sum")) == 3.0
    )


def test_kl_divergence_zero_at_equal_and_asymmetric():
    p, q = np.array([0.8, 0.2]), np.array([0.5, 0.5])
    assert float(L.kl_divergence(p, p)) == 0.0
    forward = 0.8 * math.log(0.8 / 0.5) + 0.2 * math.log(0.2 / 0.5)
    backward = 0.5 * math.log(0.5 / 0.8) + 0.5 * math.log(0.5 / 0.2)
    assert float(L.kl_divergence(p, q)) == pytest.approx(forward)
    assert float(L.kl_divergence(q, p)) == pytest.approx(backward)
    assert forward != pytest.approx(backward)


def test_kl_divergence_zero_log_zero_and_infinite_support_mismatch():
    assert float(_no_warnings(L.kl_divergence, [1.0, 0.0], [0.5, 0.5])) == pytest.approx(
        math.log(2)
    )
    assert float(_no_warnings(L.kl_divergence, [0.0, 1.0], [0.0, 1.0])) == 0.0
    assert float(_no_warnings(L.kl_divergence, [0.5, 0.5], [1.0, 0.0])) == math.inf


def test_categorical_cross_entropy_zero_log_zero():
    assert float(_no_warnings(L.categorical_cross_entropy, [[1.0, 0.0]], [[1.0, 0.0]])) == 0.0
    assert math.isfinite(
        float(_no_warnings(L.categorical_cross_entropy, [[1.0, 0.0]], [[0.0, 1.0]]))
    )


def test_bce_clipping_rule_is_documented_eps():
    assert float(L.binary_cross_entropy([1.0], [0.0])) == pytest.approx(-math.log(1e-7))
    assert float(L.binary_cross_entropy([0.0], [1.0], eps=1e-3)) == pytest.approx(-math.log(1e-3))
    f32 = L.binary_cross_entropy(np.array([1.0], np.float32), np.array([0.0], np.float32))
    assert f32.dtype == np.float32 and np.isfinite(f32)
    # float32: eps is raised to the machine epsilon so that 1 - eps < 1
    assert float(f32) == pytest.approx(-math.log(np.finfo(np.float32).eps), rel=1e-6)


def test_bce_grad_outside_the_clip_range_is_the_value_at_the_bound():
    eps = 1e-3
    grad = L.binary_cross_entropy_grad([1.0, 0.0], [0.0, 1.0], eps=eps, reduction="sum")
    # (p - y) / (p (1 - p)) at p = eps (y = 1) and p = 1 - eps (y = 0): -1/eps and +1/eps
    assert_close(grad, [-1 / eps, 1 / eps], rtol=1e-12)


def test_categorical_cross_entropy_clips_at_eps_in_every_dtype():
    y, p = [[1.0, 0.0]], [[0.0, 1.0]]  # zero probability on the true class: -log(eps)
    assert float(L.categorical_cross_entropy(y, p)) == pytest.approx(-math.log(1e-7))
    f32 = L.categorical_cross_entropy(np.array(y, np.float32), np.array(p, np.float32))
    assert f32.dtype == np.float32 and float(f32) == pytest.approx(-math.log(1e-7), rel=1e-6)


def test_focal_loss_reduces_to_bce_at_gamma_zero_without_alpha():
    y = RNG.integers(0, 2, size=(5, 3)).astype(float)
    x = RNG.normal(scale=3, size=(5, 3))
    for alpha in (None, -1):
        assert_close(
            L.focal_loss(y, x, alpha=alpha, gamma=0.0), L.binary_cross_entropy_with_logits(y, x)
        )


def test_focal_loss_down_weights_easy_examples():
    easy, hard = 4.0, -1.0  # logits of two positives
    bce = L.binary_cross_entropy_with_logits([1.0, 1.0], [easy, hard], reduction="none")
    fl = L.focal_loss([1.0, 1.0], [easy, hard], alpha=None, reduction="none")
    ratio = to_numpy(fl) / to_numpy(bce)
    assert ratio[0] < 1e-3 < 0.5 < ratio[1]


@pytest.mark.parametrize("targets", [[0, 1, 0], TABLE_TRUE], ids=["indices", "one-hot"])
def test_l4_softmax_cross_entropy_gradient_is_softmax_minus_y(xp, targets):
    from dlnotes.activations import softmax

    z = xp.asarray(LOGITS, dtype=xp.float64)
    y = xp.asarray(targets, dtype=xp.int64 if isinstance(targets[0], int) else xp.float64)
    one_hot = np.eye(2)[targets] if isinstance(targets[0], int) else np.asarray(targets)
    expected = to_numpy(softmax(z)) - one_hot
    assert_close(
        L.softmax_cross_entropy_grad(y, z, reduction="sum"), expected, rtol=1e-12, atol=1e-15
    )
    assert_close(
        L.softmax_cross_entropy_grad(y, z), expected / 3, rtol=1e-12, atol=1e-15
    )  # mean over 3 rows


def test_gan_generator_gradients_where_discriminator_wins():
    logits = np.array([-10.0, -5.0])  # D(G(z)) ~ 0: D wins
    minimax = to_numpy(L.gan_generator_loss_grad(logits, mode="minimax", reduction="none"))
    saturating = np.abs(minimax)
    strong = np.abs(
        to_numpy(L.gan_generator_loss_grad(logits, mode="non_saturating", reduction="none"))
    )
    assert np.all(saturating < 0.01) and np.all(strong > 0.99)


# --------------------------------------------------------------------------
# Agreement with the reference libraries
# --------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mae_mse_match_torch(torch, reduction):
    F = _torch_f()
    y, p = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    ty, tp = torch.tensor(y), torch.tensor(p)
    assert_close(L.mae(y, p, reduction=reduction), F.l1_loss(tp, ty, reduction=reduction))
    assert_close(L.mse(y, p, reduction=reduction), F.mse_loss(tp, ty, reduction=reduction))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropies_match_torch(torch, reduction):
    F = _torch_f()
    y = RNG.uniform(size=(4, 3))  # soft labels
    p = RNG.uniform(0.01, 0.99, size=(4, 3))
    x = RNG.normal(scale=5, size=(4, 3))
    ty = torch.tensor(y)
    expected = F.binary_cross_entropy(torch.tensor(p), ty, reduction=reduction)
    assert_close(L.binary_cross_entropy(y, p, reduction=reduction), expected)
    expected = F.binary_cross_entropy_with_logits(torch.tensor(x), ty, reduction=reduction)
    assert_close(L.binary_cross_entropy_with_logits(y, x, reduction=reduction), expected)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "shape, axis", [((6, 4), -1), ((6, 4), 1), ((2, 3, 4, 5), 1), ((3, 4, 5), 0)]
)
def test_softmax_cross_entropy_matches_torch(torch, shape, axis, reduction):
    """Class indices and probability targets, rows and (N, C, H, W) pixels (C7)."""
    F = _torch_f()
    z = RNG.normal(scale=3, size=shape)
    classes = shape[axis]
    idx = RNG.integers(0, classes, size=np.delete(np.array(shape), axis % len(shape)))
    probs = np.moveaxis(RNG.dirichlet(np.ones(classes), size=idx.shape), -1, axis)
    # torch's class axis is 1; moving ours there keeps the other axes in order,
    # so the index targets and the per-sample losses line up unchanged
    tz = torch.tensor(np.moveaxis(z, axis, 1))
    expected = F.cross_entropy(tz, torch.tensor(idx), reduction=reduction)
    assert_close(
        L.softmax_cross_entropy(idx, z, axis=axis, reduction=reduction), expected, rtol=1e-10
    )
    expected = F.cross_entropy(tz, torch.tensor(np.moveaxis(probs, axis, 1)), reduction=reduction)
    assert_close(
        L.softmax_cross_entropy(probs, z, axis=axis, reduction=reduction), expected, rtol=1e-10
    )


def test_kl_divergence_matches_torch_batchmean(torch):
    F = _torch_f()
    p = RNG.dirichlet(np.ones(5), size=4)
    p[0, 2] = 0.0  # a zero of p: 0 log 0 = 0 in both
    p[0] /= p[0].sum()
    q = RNG.dirichlet(np.ones(5), size=4)
    log_q, tp = torch.tensor(np.log(q)), torch.tensor(p)
    assert_close(L.kl_divergence(p, q), F.kl_div(log_q, tp, reduction="batchmean"))
    assert_close(L.kl_divergence(p, q, reduction="sum"), F.kl_div(log_q, tp, reduction="sum"))


def _torch_sigmoid_focal_loss(torch, logits, targets, alpha, gamma, reduction):
    """torchvision.ops.sigmoid_focal_loss's formula in plain torch ops (torchvision
    cannot be installed beside this torch)."""
    F = _torch_f()
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@pytest.mark.parametrize(
    "alpha, gamma", [(0.25, 2.0), (0.5, 1.0), (-1, 2.0), (0.25, 0.0), (0.9, 3.5)]
)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_focal_loss_matches_torchvision_formula(torch, alpha, gamma, reduction):
    y = RNG.integers(0, 2, size=(6, 4)).astype(float)
    x = RNG.normal(scale=3, size=(6, 4))
    expected = _torch_sigmoid_focal_loss(
        torch, torch.tensor(x), torch.tensor(y), alpha, gamma, reduction
    )
    assert_close(
        L.focal_loss(y, x, alpha=alpha, gamma=gamma, reduction=reduction), expected, rtol=1e-6
    )


@pytest.mark.parametrize("alpha, gamma", [(0.25, 2.0), (-1, 0.5)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_focal_loss_matches_torchvision(alpha, gamma, reduction):
    ops = pytest.importorskip("torchvision.ops", reason="torchvision is the L14 reference")
    import torch

    y = RNG.integers(0, 2, size=(6, 4)).astype(float)
    x = RNG.normal(scale=3, size=(6, 4))
    expected = ops.sigmoid_focal_loss(
        torch.tensor(x), torch.tensor(y), alpha=alpha, gamma=gamma, reduction=reduction
    )
    assert_close(
        L.focal_loss(y, x, alpha=alpha, gamma=gamma, reduction=reduction), expected, rtol=1e-10
    )


def test_gan_losses_match_torch_bce_with_logits(torch):
    F = _torch_f()
    real, fake = RNG.normal(size=7), RNG.normal(size=5)
    tr, tf = torch.tensor(real), torch.tensor(fake)
    expected = F.binary_cross_entropy_with_logits(
        tr, torch.ones_like(tr)
    ) + F.binary_cross_entropy_with_logits(tf, torch.zeros_like(tf))
    assert_close(L.gan_discriminator_loss(real, fake), expected)
    ns = F.binary_cross_entropy_with_logits(tf, torch.ones_like(tf))
    assert_close(L.gan_generator_loss(fake, mode="non_saturating"), ns)
    minimax = -F.binary_cross_entropy_with_logits(tf, torch.zeros_like(tf))
    assert_close(L.gan_generator_loss(fake, mode="minimax"), minimax)


def test_gan_probabilities_agree_with_logits():
    real, fake = RNG.normal(size=4), RNG.normal(size=4)
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    for reduction in ("mean", "sum", "none"):
        assert_close(
            L.gan_discriminator_loss(sig(real), sig(fake), from_logits=False, reduction=reduction),
            L.gan_discriminator_loss(real, fake, reduction=reduction),
        )
    for mode in ("minimax", "non_saturating"):
        from_probabilities = L.gan_generator_loss(sig(fake), mode=mode, from_logits=False)
        assert_close(from_probabilities, L.gan_generator_loss(fake, mode=mode))


def test_hinge_matches_sklearn():
    metrics = pytest.importorskip(
        "sklearn.metrics", reason="scikit-learn is the reference for the hinge"
    )
    y = RNG.choice([-1.0, 1.0], size=20)
    f = RNG.normal(scale=2, size=20)
    assert float(L.hinge(y, f)) == pytest.approx(metrics.hinge_loss(y, f))
    assert float(L.hinge(y, f, reduction="sum")) == pytest.approx(20 * metrics.hinge_loss(y, f))


def test_hamming_normalized_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn is the reference")
    a, b = RNG.integers(0, 2, size=(8, 5)), RNG.integers(0, 2, size=(8, 5))
    assert float(L.hamming(a, b, normalize=True)) == pytest.approx(metrics.hamming_loss(a, b))


@pytest.mark.parametrize("q", [0.5, 1, 1.5, 2, 3, 7, math.inf])
def test_minkowski_matches_numpy_norm(q):
    a, b = RNG.normal(size=(4, 6)), RNG.normal(size=(4, 6))
    expected = (
        np.linalg.norm(a - b, ord=q, axis=-1)
        if q >= 1
        else np.sum(np.abs(a - b) ** q, -1) ** (1 / q)
    )
    assert_close(L.minkowski(a, b, q=q, reduction="none"), expected, rtol=1e-12)
    assert_close(
        L.minkowski(a, b, q=q, axis=None),
        np.linalg.norm((a - b).ravel(), ord=q) if q >= 1 else np.sum(np.abs(a - b) ** q) ** (1 / q),
        rtol=1e-12,
    )


# --------------------------------------------------------------------------
# Analytic gradients: torch autograd on torch's own losses, and finite
# differences of ours, in float64
# --------------------------------------------------------------------------


def _grad_cases():
    y, p = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    y01, p01 = RNG.uniform(size=(4, 3)), RNG.uniform(0.05, 0.95, size=(4, 3))
    logits = RNG.normal(scale=2, size=(5, 4))
    soft = RNG.dirichlet(np.ones(4), size=5)
    unnormalised = RNG.uniform(size=(5, 4))  # targets that do not sum to 1
    idx = RNG.integers(0, 4, size=5)
    pixels, pixel_idx = RNG.normal(size=(2, 3, 2, 2)), RNG.integers(0, 3, size=(2, 2, 2))
    pixel_probs = np.moveaxis(RNG.dirichlet(np.ones(3), size=(2, 2, 2)), -1, 1)  # (N, C, H, W)

    def rows_mse(F, t, x):
        return ((t - x) ** 2).sum(-1).mean()

    def soft_ce(F, t, x):
        return -(t * F.log_softmax(x, dim=-1)).sum(-1).mean()

    return [
        ("mae", L.mae_grad, L.mae, y, p, {}, lambda F, t, x: F.l1_loss(x, t)),
        (
            "mae-sum",
            L.mae_grad,
            L.mae,
            y,
            p,
            {"reduction": "sum"},
            lambda F, t, x: F.l1_loss(x, t, reduction="sum"),
        ),
        (
            "mae-rows",
            L.mae_grad,
            L.mae,
            y,
            p,
            {"axis": -1},
            lambda F, t, x: (x - t).abs().sum(-1).mean(),
        ),
        ("mse", L.mse_grad, L.mse, y, p, {}, lambda F, t, x: F.mse_loss(x, t)),
        ("mse-rows", L.mse_grad, L.mse, y, p, {"axis": -1}, rows_mse),
        (
            "mse-none",
            L.mse_grad,
            L.mse,
            y,
            p,
            {"reduction": "none"},
            lambda F, t, x: F.mse_loss(x, t, reduction="none"),
        ),
        (
            "bce",
            L.binary_cross_entropy_grad,
            L.binary_cross_entropy,
            y01,
            p01,
            {},
            lambda F, t, x: F.binary_cross_entropy(x, t),
        ),
        (
            "bce-sum",
            L.binary_cross_entropy_grad,
            L.binary_cross_entropy,
            y01,
            p01,
            {"reduction": "sum"},
            lambda F, t, x: F.binary_cross_entropy(x, t, reduction="sum"),
        ),
        (
            "bce-logits",
            L.binary_cross_entropy_with_logits_grad,
            L.binary_cross_entropy_with_logits,
            y01,
            logits[:4, :3],
            {},
            lambda F, t, x: F.binary_cross_entropy_with_logits(x, t),
        ),
        (
            "bce-logits-sum",
            L.binary_cross_entropy_with_logits_grad,
            L.binary_cross_entropy_with_logits,
            y01,
            logits[:4, :3],
            {"reduction": "sum"},
            lambda F, t, x: F.binary_cross_entropy_with_logits(x, t, reduction="sum"),
        ),
        (
            "bce-none",
            L.binary_cross_entropy_grad,
            L.binary_cross_entropy,
            y01,
            p01,
            {"reduction": "none"},
            lambda F, t, x: F.binary_cross_entropy(x, t, reduction="none"),
        ),
        (
            "softmax-ce-probs",
            L.softmax_cross_entropy_grad,
            L.softmax_cross_entropy,
            soft,
            logits,
            {},
            lambda F, t, x: F.cross_entropy(x, t),
        ),
        (
            "softmax-ce-index",
            L.softmax_cross_entropy_grad,
            L.softmax_cross_entropy,
            idx,
            logits,
            {},
            lambda F, t, x: F.cross_entropy(x, t.long()),
        ),
        (
            "softmax-ce-sum",
            L.softmax_cross_entropy_grad,
            L.softmax_cross_entropy,
            idx,
            logits,
            {"reduction": "sum"},
            lambda F, t, x: F.cross_entropy(x, t.long(), reduction="sum"),
        ),
        (
            "softmax-ce-nchw",
            L.softmax_cross_entropy_grad,
            L.softmax_cross_entropy,
            pixel_idx,
            pixels,
            {"axis": 1},
            lambda F, t, x: F.cross_entropy(x, t.long()),
        ),
        (
            "softmax-ce-nchw-probs",
            L.softmax_cross_entropy_grad,
            L.softmax_cross_entropy,
            pixel_probs,
            pixels,
            {"axis": 1},
            lambda F, t, x: F.cross_entropy(x, t),
        ),
        (
            "softmax-ce-none",
            L.softmax_cross_entropy_grad,
            L.softmax_cross_entropy,
            idx,
            logits,
            {"reduction": "none"},
            lambda F, t, x: F.cross_entropy(x, t.long(), reduction="none"),
        ),
        (
            "softmax-ce-unnormalised",
            L.softmax_cross_entropy_grad,
            L.softmax_cross_entropy,
            unnormalised,
            logits,
            {},
            soft_ce,
        ),
    ]


GRAD_CASES = _grad_cases()


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_grad_matches_torch_autograd(torch, case):
    _, grad_fn, _, y, pred, kwargs, reference = case
    F = _torch_f()
    x = torch.tensor(pred, requires_grad=True)
    reference(F, torch.tensor(y), x).sum().backward()
    assert_close(grad_fn(y, pred, **kwargs), x.grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_grad_matches_finite_differences(case):
    _, grad_fn, loss_fn, y, pred, kwargs, _ = case
    numeric = numerical_grad(lambda x: np.sum(to_numpy(loss_fn(y, x, **kwargs))), pred)
    assert_close(grad_fn(y, pred, **kwargs), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("mode", ["minimax", "non_saturating"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gan_generator_grad_matches_autograd_and_finite_differences(torch, mode, reduction):
    a = RNG.normal(scale=3, size=6)
    grad = L.gan_generator_loss_grad(a, mode=mode, reduction=reduction)
    numeric = numerical_grad(
        lambda x: np.sum(to_numpy(L.gan_generator_loss(x, mode=mode, reduction=reduction))), a
    )
    assert_close(grad, numeric, rtol=1e-6, atol=1e-9)
    x = torch.tensor(a, requires_grad=True)
    d = torch.sigmoid(x)
    loss = torch.log(1 - d) if mode == "minimax" else -torch.log(d)
    (loss.mean() if reduction == "mean" else loss.sum()).backward()
    assert_close(grad, x.grad, rtol=1e-9)


# --------------------------------------------------------------------------
# Extreme input: finite, no warning of any kind
# --------------------------------------------------------------------------

EXTREME = np.array([[-1000.0, 1000.0], [1000.0, -1000.0], [0.0, 1000.0]])
EXTREME_TRUE = [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]  # plain: follows the logits dtype
EXTREME_LABELS = [[1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "call",
    [
        lambda x: L.binary_cross_entropy_with_logits(EXTREME_TRUE, x, reduction="none"),
        lambda x: L.binary_cross_entropy_with_logits_grad(EXTREME_TRUE, x),
        lambda x: L.softmax_cross_entropy(EXTREME_TRUE, x, reduction="none"),
        lambda x: L.softmax_cross_entropy([0, 0, 1], x, reduction="none"),
        lambda x: L.softmax_cross_entropy_grad(EXTREME_TRUE, x),
        lambda x: L.focal_loss(EXTREME_TRUE, x, reduction="none"),
        lambda x: L.focal_loss(EXTREME_TRUE, x, gamma=0.5, alpha=None, reduction="none"),
        lambda x: L.gan_discriminator_loss(x, -x, reduction="none"),
        lambda x: L.gan_generator_loss(x, mode="minimax", reduction="none"),
        lambda x: L.gan_generator_loss(x, reduction="none"),
        lambda x: L.gan_generator_loss_grad(x, mode="minimax"),
        lambda x: L.gan_generator_loss_grad(x),
        lambda x: L.hinge(EXTREME_LABELS, x),
        lambda x: L.squared_hinge(EXTREME_LABELS, x),
        lambda x: L.minkowski(0 * x, x, q=1000),
    ],
)
def test_extreme_logits_are_finite_without_warnings(call, dtype):
    out = _no_warnings(call, EXTREME.astype(dtype))
    assert np.all(np.isfinite(to_numpy(out)))
    assert out.dtype == dtype


def test_extreme_values_are_exact():
    bce = L.binary_cross_entropy_with_logits([1.0, 0.0], [-1000.0, -1000.0], reduction="none")
    assert bce.tolist() == [1000.0, 0.0]
    assert L.softmax_cross_entropy([1], [[1000.0, -1000.0]], reduction="none").tolist() == [2000.0]
    assert L.gan_generator_loss([-1000.0], mode="non_saturating").tolist() == 1000.0
    assert L.gan_generator_loss([1000.0], mode="minimax").tolist() == -1000.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: L.binary_cross_entropy([1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0]),
        lambda: L.binary_cross_entropy_grad([1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0]),
        lambda: L.categorical_cross_entropy([[1.0, 0.0]], [[0.0, 1.0]]),
        lambda: L.gan_discriminator_loss([0.0, 1.0], [1.0, 0.0], from_logits=False),
        lambda: L.gan_generator_loss([0.0, 1.0], from_logits=False),
        lambda: L.gan_generator_loss([0.0, 1.0], mode="minimax", from_logits=False),
        lambda: L.minkowski([0.0, 0.0], [1e200, 3e200], q=3),
        lambda: L.exponential([1.0, -1.0], [1000.0, -700.0]),
    ],
)
def test_probabilities_at_zero_and_one_are_finite_without_warnings(call):
    assert np.all(np.isfinite(to_numpy(_no_warnings(call))))


def test_exponential_overflows_to_inf_without_warning():
    out = _no_warnings(L.exponential, [1.0, 1.0], [-1000.0, 1000.0], reduction="none")
    assert to_numpy(out).tolist() == [math.inf, 0.0]
    f32 = _no_warnings(L.exponential, np.array([-1.0], np.float32), np.array([100.0], np.float32))
    assert float(f32) == math.inf and f32.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_exponential_is_finite_up_to_the_largest_float(xp, dtype):
    """e^{-z} is inf only where it exceeds the dtype's largest number, not from 709 (or 88) on."""
    top = dtype(np.log(np.finfo(dtype).max))  # 709.78 in float64, 88.72 in float32
    with np.errstate(over="ignore"):  # NumPy's own exp is the reference, overflow included
        if np.isinf(np.exp(top)):  # float32 rounds log(max) up
            top = np.nextafter(top, dtype(0))
        minus_z = np.array([top - 0.5, top, np.nextafter(top, dtype(np.inf)), 2 * top], dtype=dtype)
        expected = np.exp(minus_z)
    dt = getattr(xp, np.dtype(dtype).name)
    out = _no_warnings(
        L.exponential, xp.ones(4, dtype=dt), xp.asarray(-minus_z, dtype=dt), reduction="none"
    )
    got = to_numpy(out)
    assert got.dtype == dtype
    assert np.all(np.isfinite(got[:2])) and np.all(np.isinf(got[2:]))
    assert_close(got, expected, rtol=4 * float(np.finfo(dtype).eps))


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------


ROWS, CLASSES = st.integers(1, 5), st.integers(2, 6)


@st.composite
def distributions(draw, rows=ROWS, classes=CLASSES):
    """Two arrays of probability rows with the same shape."""
    shape = (draw(rows), draw(classes))
    weights = st.floats(0, 1, allow_nan=False)
    a, b = (draw(hnp.arrays(np.float64, shape, elements=weights)) + 1e-3 for _ in range(2))
    return a / a.sum(-1, keepdims=True), b / b.sum(-1, keepdims=True)


@settings(max_examples=60, deadline=None)
@given(
    distributions(),
    hnp.arrays(np.float64, (3, 4), elements=st.floats(-50, 50)),
    hnp.arrays(np.float64, (3, 4), elements=st.floats(0, 1)),
)
def test_cross_entropies_are_non_negative(pq, logits, targets):
    p, q = pq
    assert float(L.categorical_cross_entropy(p, q)) >= 0
    assert float(L.softmax_cross_entropy(targets, logits)) >= 0
    assert float(L.binary_cross_entropy_with_logits(targets, logits)) >= 0
    assert float(L.focal_loss(targets, logits)) >= 0


@settings(max_examples=60, deadline=None)
@given(distributions())
def test_kl_is_non_negative_and_zero_at_equal(pq):
    p, q = pq
    assert float(L.kl_divergence(p, q)) >= -1e-12
    assert float(L.kl_divergence(p, p)) == 0.0


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(-1e6, 1e6)))
def test_minkowski_decreases_in_q_toward_chebyshev(d):
    zeros = np.zeros_like(d)
    qs = [1, 1.5, 2, 3, 5, 10, 100, 1000]
    values = [float(L.minkowski(zeros, d, q=q)) for q in qs]
    cheb = float(L.chebyshev(zeros, d))
    assert all(b <= a * (1 + 1e-12) + 1e-300 for a, b in itertools.pairwise(values))
    assert all(v >= cheb * (1 - 1e-12) for v in values)
    assert values[-1] <= cheb * d.size ** (1 / 1000) * (1 + 1e-12) + 1e-300


# --------------------------------------------------------------------------
# Backends, dtypes, inputs never modified
# --------------------------------------------------------------------------

LABELS, SCORES = [1.0, -1.0, 1.0, -1.0], [2.0, 0.5, -1.0, -3.0]
LOGITS = [[2.0, -1.0], [0.5, 1.5], [0.0, 3.0]]
P_DIST, Q_DIST = [[0.8, 0.2, 0.0], [0.1, 0.6, 0.3]], [[0.5, 0.25, 0.25], [0.2, 0.5, 0.3]]
CALLS = [
    (L.mae, (TABLE_TRUE, NN1), {}),
    (L.mae_grad, (TABLE_TRUE, NN1), {"axis": -1}),
    (L.mse, (TABLE_TRUE, NN1), {"axis": -1}),
    (L.mse_grad, (TABLE_TRUE, NN1), {}),
    (L.binary_cross_entropy, (TABLE_TRUE, NN2), {}),
    (L.binary_cross_entropy_grad, (TABLE_TRUE, NN2), {}),
    (L.binary_cross_entropy_with_logits, (TABLE_TRUE, LOGITS), {}),
    (L.binary_cross_entropy_with_logits_grad, (TABLE_TRUE, LOGITS), {}),
    (L.categorical_cross_entropy, (TABLE_TRUE, NN2), {}),
    (L.softmax_cross_entropy, (TABLE_TRUE, LOGITS), {}),
    (L.softmax_cross_entropy_grad, (TABLE_TRUE, LOGITS), {}),
    (L.classification_error, (TABLE_TRUE, NN1), {}),
    (L.hinge, (LABELS, SCORES), {}),
    (L.squared_hinge, (LABELS, SCORES), {}),
    (L.absolute_margin, (LABELS, SCORES), {}),
    (L.exponential, (LABELS, SCORES), {}),
    (L.minkowski, (NN1, NN2), {"q": 3}),
    (L.chebyshev, (NN1, NN2), {}),
    (L.hamming, (TABLE_TRUE, [[1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]), {}),
    (L.kl_divergence, (P_DIST, Q_DIST), {}),
    (L.focal_loss, (TABLE_TRUE, LOGITS), {}),
    (L.gan_discriminator_loss, (SCORES, LOGITS[0]), {}),
    (L.gan_generator_loss, (SCORES,), {}),
    (L.gan_generator_loss_grad, (SCORES,), {}),
]


def test_every_public_function_is_in_the_backend_table():
    tested_apart = {
        "softmax_cross_entropy_and_grad"
    }  # returns a pair: test_fused_softmax_cross_entropy
    assert {fn.__name__ for fn, _, _ in CALLS} == set(L.__all__) - tested_apart


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "targets", [[0, 1, 0], TABLE_TRUE, NN2], ids=["indices", "one-hot", "soft"]
)
def test_fused_softmax_cross_entropy_is_the_two_calls(xp, targets, reduction):
    y = xp.asarray(targets, dtype=xp.int64 if isinstance(targets[0], int) else xp.float32)
    z = xp.asarray(LOGITS, dtype=xp.float32)
    loss, grad = L.softmax_cross_entropy_and_grad(y, z, reduction=reduction)
    assert loss.dtype == grad.dtype == xp.float32
    assert_close(loss, L.softmax_cross_entropy(y, z, reduction=reduction), rtol=1e-6)
    assert_close(
        grad, L.softmax_cross_entropy_grad(y, z, reduction=reduction), rtol=1e-6, atol=1e-7
    )


@pytest.mark.parametrize("fn, args, kwargs", CALLS, ids=[c[0].__name__ for c in CALLS])
def test_backends_keep_namespace_and_float32(xp, fn, args, kwargs):
    arrays = [xp.asarray(a, dtype=xp.float32) for a in args]
    out = fn(*arrays, **kwargs)
    assert array_namespace(out) is array_namespace(arrays[0])
    assert out.dtype == xp.float32
    assert_close(
        out, fn(*[np.asarray(a, dtype=np.float64) for a in args], **kwargs), rtol=2e-6, atol=1e-6
    )


@pytest.mark.parametrize(
    "fn", [L.softmax_cross_entropy, L.softmax_cross_entropy_grad, L.classification_error]
)
def test_backends_accept_integer_class_indices(xp, fn):
    idx = xp.asarray([0, 1, 0], dtype=xp.int64)
    logits = xp.asarray(LOGITS, dtype=xp.float32)
    out = fn(idx, logits)
    assert out.dtype == xp.float32
    assert_close(out, fn(TABLE_TRUE, np.asarray(LOGITS)), rtol=2e-6, atol=1e-7)


def test_plain_lists_give_numpy_float64():
    out = L.mse([10], [14])
    assert isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == ()


@pytest.mark.parametrize("fn, args, kwargs", CALLS, ids=[c[0].__name__ for c in CALLS])
def test_inputs_are_never_modified(fn, args, kwargs):
    arrays = [np.array(a, dtype=np.float64) for a in args]
    copies = [a.copy() for a in arrays]
    fn(*arrays, **kwargs)
    for a, c in zip(arrays, copies):
        np.testing.assert_array_equal(a, c)


# --------------------------------------------------------------------------
# Bad input: ValueError naming the argument
# --------------------------------------------------------------------------

NAN = float("nan")


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: L.mae([1.0, 2.0], [1.0]), "y_true and y_pred must have the same shape"),
        (lambda: L.mse([], []), "y_true must not be empty"),
        (lambda: L.mse([1.0], [NAN]), "y_pred must be finite"),
        (lambda: L.mae([NAN], [1.0]), "y_true must be finite"),
        (lambda: L.mae([1.0], [1.0], reduction="avg"), "reduction must be one of"),
        (lambda: L.mse_grad([1.0], [1.0], reduction="avg"), "reduction must be one of"),
        (lambda: L.mse(TABLE_TRUE, NN1, axis=2), "axis=2 is out of range for y_pred"),
        (lambda: L.binary_cross_entropy([1.0], [1.5]), r"y_pred must hold values in \[0, 1\]"),
        (lambda: L.binary_cross_entropy([2.0], [0.5]), r"y_true must hold values in \[0, 1\]"),
        (
            lambda: L.binary_cross_entropy([1.0], [0.5], eps=0.0),
            r"eps must be a number in \(0, 0.5\)",
        ),
        (lambda: L.binary_cross_entropy_with_logits([1.0], [NAN]), "logits must be finite"),
        (
            lambda: L.binary_cross_entropy_with_logits([3.0], [1.0]),
            r"y_true must hold values in \[0, 1\]",
        ),
        (
            lambda: L.categorical_cross_entropy(TABLE_TRUE, [[1.2, -0.2]] * 3),
            "y_pred must hold values in",
        ),
        (lambda: L.softmax_cross_entropy([0, 1], LOGITS), "y_true must have the shape of logits"),
        (lambda: L.softmax_cross_entropy([0, 2, 0], LOGITS), "class indices"),
        (lambda: L.softmax_cross_entropy([0, 0.5, 0], LOGITS), "class indices"),
        (lambda: L.softmax_cross_entropy([0, 1, 0], [[NAN, 0.0]] * 3), "logits must be finite"),
        (lambda: L.softmax_cross_entropy([[]], [[]]), "logits must not be empty"),
        (
            lambda: L.softmax_cross_entropy([0, 1, 0], LOGITS, axis=3),
            "axis=3 is out of range for logits",
        ),
        (lambda: L.classification_error([0, 1], NN1), "y_true must have the shape of y_pred"),
        (lambda: L.hinge([1.0, 0.0], [0.5, 0.5]), r"y_true must hold labels -1 or \+1"),
        (lambda: L.exponential([1.0], [NAN]), "y_pred must be finite"),
        (lambda: L.minkowski([0.0], [1.0], q=0), "q must be a number > 0"),
        (lambda: L.hamming([1, 0], [1, 2]), "y_pred must be binary"),
        (lambda: L.hamming([0.5, 0], [1, 0]), "y_true must be binary"),
        (lambda: L.kl_divergence([0.5, 0.5], [-0.5, 1.5]), "y_pred must hold values in"),
        (lambda: L.focal_loss([1.0], [0.0], alpha=2.0), "alpha must be a number <= 1"),
        (lambda: L.focal_loss([1.0], [0.0], alpha=NAN), "alpha must be a number <= 1"),
        (lambda: L.focal_loss([1.0], [0.0], gamma=-1.0), "gamma must be a finite number >= 0"),
        (lambda: L.gan_generator_loss([0.0], mode="wasserstein"), "mode must be one of"),
        (lambda: L.gan_generator_loss_grad([0.0], mode="wasserstein"), "mode must be one of"),
        (lambda: L.gan_generator_loss([1.5], from_logits=False), "d_fake must hold probabilities"),
        (lambda: L.gan_generator_loss_grad([NAN]), "d_fake must be finite"),
        (lambda: L.gan_discriminator_loss([], [0.0]), "d_real must not be empty"),
        (lambda: L.gan_discriminator_loss([0.0], [NAN]), "d_fake must be finite"),
        (
            lambda: L.gan_discriminator_loss([0.0], [0.0, 1.0], reduction="none"),
            "d_real and d_fake",
        ),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_mixed_libraries_are_a_type_error(torch):
    with pytest.raises(TypeError, match="one array library"):
        L.mse(np.ones(2), torch.ones(2))


# --------------------------------------------------------------------------
# Bad types: TypeError naming the argument (bools are not numbers, strings
# are not flags or arrays); the data checks can be switched off
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: L.mse([1.0], None), "y_pred"),
        (lambda: L.mse("abc", [1.0]), "y_true"),
        (lambda: L.softmax_cross_entropy(None, LOGITS), "y_true"),
        (lambda: L.softmax_cross_entropy([0, 1, 0], "logits"), "logits"),
        (lambda: L.mse([1.0], [1.0], reduction=True), "reduction"),
        (lambda: L.mse([1.0], [1.0], reduction=1), "reduction"),
        (lambda: L.mae(TABLE_TRUE, NN1, axis="1"), "axis"),
        (lambda: L.mae(TABLE_TRUE, NN1, axis=1.0), "axis"),
        (lambda: L.mse(TABLE_TRUE, NN1, axis=True), "axis"),
        (lambda: L.softmax_cross_entropy([0, 1, 0], LOGITS, axis=None), "axis"),
        (lambda: L.categorical_cross_entropy(TABLE_TRUE, NN1, axis=np.ones(1)), "axis"),
        (lambda: L.binary_cross_entropy([1.0], [0.5], eps="0.1"), "eps"),
        (lambda: L.binary_cross_entropy([1.0], [0.5], eps=True), "eps"),
        (lambda: L.minkowski([0.0], [1.0], q="2"), "q"),
        (lambda: L.minkowski([0.0], [1.0], q=True), "q"),
        (lambda: L.minkowski([0.0], [1.0], q=None), "q"),
        (lambda: L.hamming([1, 0], [1, 1], normalize="True"), "normalize"),
        (lambda: L.hamming([1, 0], [1, 1], normalize=1), "normalize"),
        (lambda: L.focal_loss([1.0], [0.0], alpha="0.25"), "alpha"),
        (lambda: L.focal_loss([1.0], [0.0], alpha=True), "alpha"),
        (lambda: L.focal_loss([1.0], [0.0], gamma=None), "gamma"),
        (lambda: L.gan_discriminator_loss([0.0], [0.0], from_logits="False"), "from_logits"),
        (lambda: L.gan_discriminator_loss([0.0], [0.0], from_logits=0), "from_logits"),
        (lambda: L.gan_generator_loss([0.0], from_logits="False"), "from_logits"),
        (lambda: L.gan_generator_loss([0.0], from_logits=None), "from_logits"),
        (lambda: L.gan_generator_loss([0.0], mode=1), "mode"),
        (lambda: L.gan_generator_loss_grad([0.0], mode=True), "mode"),
    ],
)
def test_wrong_types_are_type_errors_naming_the_argument(call, match):
    with pytest.raises(TypeError, match=match):
        call()


@pytest.mark.parametrize("axis", [2, -3])
def test_axis_out_of_range_is_a_value_error(axis):
    with pytest.raises(ValueError, match=f"axis={axis} is out of range"):
        L.mse(TABLE_TRUE, NN1, axis=axis)
    with pytest.raises(ValueError, match=f"axis={axis} is out of range for logits"):
        L.softmax_cross_entropy_and_grad([0, 1, 0], LOGITS, axis=axis)


def test_negative_and_numpy_integer_axes_are_accepted():
    expected = L.softmax_cross_entropy([0, 1, 0], LOGITS)
    assert_close(L.softmax_cross_entropy([0, 1, 0], LOGITS, axis=np.int64(1)), expected)
    assert_close(L.softmax_cross_entropy([0, 1, 0], LOGITS, axis=-1), expected)
    assert_close(L.mse(TABLE_TRUE, NN1, axis=-1), L.mse(TABLE_TRUE, NN1, axis=1))


def test_string_flags_are_not_flags():
    """from_logits="False" used to be accepted as true: probabilities read as logits."""
    with pytest.raises(TypeError, match="from_logits must be True or False"):
        L.gan_discriminator_loss([0.5], [0.5], from_logits="False")


@pytest.mark.parametrize(
    "call",
    [
        lambda: L.gan_discriminator_loss(np.array([0.0]), np.array([0.0])),
        lambda: L.gan_discriminator_loss([0.9], [0.1], from_logits=False, reduction="sum"),
        lambda: L.mse(np.array(1.0), np.array(2.0)),
        lambda: L.hamming([1, 0], [1, 1], normalize=True),
        lambda: L.softmax_cross_entropy_and_grad([0], [[0.0, 1.0]])[0],
    ],
)
def test_scalars_are_zero_d_arrays_not_numpy_scalars(call):
    out = call()
    assert isinstance(out, np.ndarray) and out.shape == () and out.dtype == np.float64


def test_zero_losses_print_as_zero_not_minus_zero():
    assert L.binary_cross_entropy_with_logits(
        [1.0, 0.0], [1000.0, -1000.0], reduction="none"
    ).tolist() == [
        0.0,
        0.0,
    ]
    assert math.copysign(1, float(L.binary_cross_entropy_with_logits([1.0], [1000.0]))) == 1
    assert math.copysign(1, float(L.categorical_cross_entropy([[1.0, 0.0]], [[1.0, 0.0]]))) == 1
    assert math.copysign(1, float(L.focal_loss([1.0], [1000.0]))) == 1


def test_checks_off_skips_the_data_checks_only():
    from dlnotes import checks

    with checks(False):
        L.binary_cross_entropy([2.0], [0.5])  # a value check: not read
        L.softmax_cross_entropy([0, 0.5, 0], [[0.0, 1.0]] * 3)  # not an index: not read
        with pytest.raises(TypeError, match="from_logits"):  # options are still checked
            L.gan_generator_loss([0.0], from_logits="yes")
        with pytest.raises(ValueError, match="y_true and y_pred must have the same shape"):
            L.mse([1.0, 2.0], [1.0])  # so are shapes


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_largest_exp_argument_is_found_in_python(dtype):
    """The bound of `exponential` is a Python float: no device read, exact for the dtype."""
    import array_api_compat.numpy as xp

    limit = L._largest_exp_argument(xp, xp.float64 if dtype == np.float64 else xp.float32)
    assert type(limit) is float and float(dtype(limit)) == limit
    with np.errstate(over="ignore"):
        assert np.isfinite(np.exp(dtype(limit)))
        assert np.isinf(np.exp(np.nextafter(dtype(limit), dtype(np.inf))))


def test_hamming_and_margin_labels_are_data_checks():
    with pytest.raises(ValueError, match="y_pred must be binary"):
        L.hamming([1.0, 0.0], [1.0, 0.5])
    with pytest.raises(ValueError, match=r"y_true must hold labels -1 or \+1"):
        L.exponential([1.0, 0.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="d_real must hold probabilities"):
        L.gan_discriminator_loss([1.5], [0.5], from_logits=False)


# --------------------------------------------------------------------------
# Extreme input: 1e300, 1e-300, float32's largest number (docs/losses.md)
# --------------------------------------------------------------------------

F32_MAX = float(np.finfo(np.float32).max)
EXTREMES = [  # (v, dtype): each loss gets the input x = [v, 0.5]
    (1e300, np.float64),
    (-1e300, np.float64),
    (1e-300, np.float64),
    (F32_MAX, np.float32),
    (-F32_MAX, np.float32),
    (F32_MAX, np.float64),
]
EXTREME_IDS = [f"{v:g}-{np.dtype(d).name}" for v, d in EXTREMES]
ZEROS, SIGNS, BITS, CLASSES = [0.0, 0.0], [1.0, -1.0], [1.0, 0.0], [0, 1]


def _rows(x):
    """(2, 2) logits, x in the first row (once: the finite check's sum must not overflow)."""
    return np.stack([x, np.asarray([0.5, -0.5], dtype=x.dtype)])


def _extreme_calls(torch):
    """name: (call of x, argument holding x, power of its bound or None, other input, torch).

    The bound is documented on docs/losses.md: each value at most (max / 8n)^(1/power).
    The torch reference takes (other input, x) as tensors; None where there is none.
    """
    f = torch.nn.functional

    def grad_of(loss):
        def reference(other, x):
            x = x.clone().requires_grad_(True)
            loss(other, x).backward()
            return x.grad

        return reference

    def bce(y, x):
        return f.binary_cross_entropy_with_logits(x, y)

    def ce(t, x):
        return f.cross_entropy(torch.stack([x, torch.tensor([0.5, -0.5], dtype=x.dtype)]), t)

    def margin(y, x):
        return 1 - y * x

    return {
        "mae": (lambda y, x: L.mae(y, x), "y_pred", 1, ZEROS, lambda y, x: f.l1_loss(x, y)),
        "mae_y_true": (lambda y, x: L.mae(x, y), "y_true", 1, ZEROS, f.l1_loss),
        "mae_grad": (L.mae_grad, "y_pred", 1, ZEROS, grad_of(lambda y, x: f.l1_loss(x, y))),
        "mse": (L.mse, "y_pred", 2, ZEROS, lambda y, x: f.mse_loss(x, y)),
        "mse_y_true": (lambda y, x: L.mse(x, y), "y_true", 2, ZEROS, f.mse_loss),
        "mse_grad": (L.mse_grad, "y_pred", 2, ZEROS, grad_of(lambda y, x: f.mse_loss(x, y))),
        "minkowski": (
            lambda y, x: L.minkowski(y, x, q=1.0),
            "y_pred",
            1,
            ZEROS,
            lambda y, x: torch.linalg.vector_norm(x - y, ord=1),
        ),
        "chebyshev": (L.chebyshev, "y_pred", 1, ZEROS, lambda y, x: torch.max(torch.abs(x - y))),
        "hinge": (
            L.hinge,
            "y_pred",
            1,
            SIGNS,
            lambda y, x: torch.clamp(margin(y, x), min=0).mean(),
        ),
        "squared_hinge": (
            L.squared_hinge,
            "y_pred",
            2,
            SIGNS,
            lambda y, x: (torch.clamp(margin(y, x), min=0) ** 2).mean(),
        ),
        "absolute_margin": (
            L.absolute_margin,
            "y_pred",
            1,
            SIGNS,
            lambda y, x: torch.abs(margin(y, x)).mean(),
        ),
        "exponential": (
            L.exponential,
            "y_pred",
            None,
            SIGNS,
            lambda y, x: torch.exp(-y * x).mean(),
        ),
        "binary_cross_entropy_with_logits": (
            L.binary_cross_entropy_with_logits,
            "logits",
            1,
            BITS,
            bce,
        ),
        "binary_cross_entropy_with_logits_grad": (
            L.binary_cross_entropy_with_logits_grad,
            "logits",
            None,
            BITS,
            grad_of(bce),
        ),
        "focal_loss": (
            lambda y, x: L.focal_loss(y, x, alpha=None, gamma=0.0),  # = BCE with logits
            "logits",
            1,
            BITS,
            bce,
        ),
        "softmax_cross_entropy": (
            lambda t, x: L.softmax_cross_entropy(t, _rows(x)),
            "logits",
            1,
            CLASSES,
            ce,
        ),
        "softmax_cross_entropy_grad": (
            lambda t, x: L.softmax_cross_entropy_grad(t, _rows(x)),
            "logits",
            1,
            CLASSES,
            lambda t, x: grad_of(lambda t, z: f.cross_entropy(z, t))(
                t, torch.stack([x, torch.tensor([0.5, -0.5], dtype=x.dtype)])
            ),
        ),
        "softmax_cross_entropy_and_grad": (
            lambda t, x: L.softmax_cross_entropy_and_grad(t, _rows(x))[0],
            "logits",
            1,
            CLASSES,
            ce,
        ),
        "classification_error": (
            lambda t, x: L.classification_error(t, _rows(x)),
            "y_pred",
            None,
            CLASSES,
            None,
        ),
        "gan_discriminator_loss": (
            lambda _, x: L.gan_discriminator_loss(x, x[::-1].copy()),
            "d_real",
            1,
            ZEROS,
            lambda _, x: (f.softplus(-x) + f.softplus(x.flip(0))).mean(),
        ),
        "gan_generator_loss": (
            lambda _, x: L.gan_generator_loss(x),
            "d_fake",
            1,
            ZEROS,
            lambda _, x: f.softplus(-x).mean(),
        ),
        "gan_generator_loss_grad": (
            lambda _, x: L.gan_generator_loss_grad(x),
            "d_fake",
            None,
            ZEROS,
            lambda _, x: -torch.sigmoid(-x) / 2,
        ),
    }


EXTREME_LOSSES = [
    "mae", "mae_y_true", "mae_grad", "mse", "mse_y_true", "mse_grad", "minkowski", "chebyshev",
    "hinge", "squared_hinge", "absolute_margin", "exponential",
    "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad", "focal_loss",
    "softmax_cross_entropy", "softmax_cross_entropy_grad", "softmax_cross_entropy_and_grad",
    "classification_error", "gan_discriminator_loss", "gan_generator_loss",
    "gan_generator_loss_grad",
]  # fmt: skip


@pytest.mark.parametrize("value, dtype", EXTREMES, ids=EXTREME_IDS)
@pytest.mark.parametrize("name", EXTREME_LOSSES)
def test_extreme_input_is_right_or_a_value_error_naming_it(torch, name, value, dtype):
    call, argument, power, other, reference = _extreme_calls(torch)[name]
    x = np.array([value, 0.5], dtype=dtype)
    other = np.asarray(other, dtype=dtype)
    if "softmax" in name or name == "classification_error":
        other = np.asarray(CLASSES)
    n = 4 if "softmax" in name else 2  # the values of the input holding v
    refused = power is not None and abs(value) > (np.finfo(dtype).max / (8 * n)) ** (1 / power)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # never an overflow warning
        if refused:
            with pytest.raises(ValueError, match=rf"^{argument} must be at most .* in magnitude"):
                call(other, x)
            return
        got = to_numpy(call(other, x))
    assert got.dtype == dtype
    if name == "exponential" and value < 0:  # e^{1e300} is inf: returned without a warning
        assert np.isinf(got).all()
        return
    assert np.isfinite(got).all(), got
    if reference is not None:
        want = reference(torch.from_numpy(other), torch.from_numpy(x)).detach().numpy()
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_the_overflow_bound_is_where_a_sum_could_overflow():
    # float64, 2 values: squares up to (max / 16)^(1/2) = 3.35e153 each, never an overflow
    limit = float(np.finfo(np.float64).max / 16) ** 0.5
    total = _no_warnings(L.mse, [-limit, limit], [limit, -limit], reduction="sum")
    assert np.isfinite(float(total))
    with pytest.raises(
        ValueError, match=r"y_pred must be at most 3.35e\+153 in magnitude here \(2 values"
    ):
        L.mse([0.0, 0.0], [limit * 1.01, 0.0])
    with pytest.raises(ValueError, match=r"y_true must be at most 3.35e\+153"):
        L.mse([1e300, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"logits must be at most 2.13e\+37 .* of float32"):
        L.binary_cross_entropy_with_logits([1.0, 0.0], np.array([F32_MAX, 0.0], np.float32))


def test_overflow_bounds_are_data_checks_that_checks_false_skips():
    from dlnotes import checks

    with checks(False), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the caller's responsibility with the checks off
        assert float(L.mse([1e300], [0.0])) == np.inf


# --------------------------------------------------------------------------
# The fast forms of the cross-entropies (issue 13): same numbers, one check pass
# --------------------------------------------------------------------------


def _bce_readable(y, x):
    """The loss and gradient as the Notes write them, with `sigmoid`'s two forms."""
    e = np.exp(-np.abs(x))
    sigmoid = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return np.maximum(x, 0.0) - x * y + np.log1p(e), sigmoid - y


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_with_logits_fast_form_is_the_readable_formula(dtype):
    x = np.concatenate([RNG.normal(scale=8, size=50), [-1000.0, -90.0, -20.0, 0.0, 20.0, 1000.0]])
    x = x.astype(dtype)
    y = np.concatenate([RNG.uniform(size=50), [0.0, 0.0, 1.0, 0.5, 1.0, 1.0]]).astype(dtype)
    x_before, y_before = x.copy(), y.copy()
    loss, grad = _bce_readable(y, x)
    got_loss = _no_warnings(L.binary_cross_entropy_with_logits, y, x, reduction="none")
    got_grad = _no_warnings(L.binary_cross_entropy_with_logits_grad, y, x, reduction="sum")
    assert got_loss.dtype == got_grad.dtype == dtype
    np.testing.assert_array_equal(got_loss, loss)
    np.testing.assert_array_equal(got_grad, grad)
    np.testing.assert_array_equal(x, x_before)  # inputs untouched
    np.testing.assert_array_equal(y, y_before)
    assert not np.signbit(got_loss).any()  # no -0.0


def test_bce_with_logits_keeps_the_promoted_dtype_of_mixed_inputs(xp):
    y = xp.asarray([1.0, 0.0, 0.25], dtype=xp.float64)
    x = xp.asarray([3.0, -2.0, 0.5], dtype=xp.float32)
    loss = L.binary_cross_entropy_with_logits(y, x, reduction="none")
    grad = L.binary_cross_entropy_with_logits_grad(y, x)
    assert loss.dtype == grad.dtype == xp.float64


@pytest.mark.parametrize(
    "call",
    [
        lambda t, x: L.softmax_cross_entropy_and_grad(t, x),
        lambda t, x: L.softmax_cross_entropy(t, x),
        lambda t, x: L.softmax_cross_entropy_grad(t, x),
        lambda t, x: L.binary_cross_entropy_with_logits(np.zeros_like(x), x),
    ],
    ids=["fused", "loss", "grad", "bce"],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_pass_logits_check_keeps_its_messages(call, dtype):
    t = np.array([0, 1])
    big = float(np.finfo(dtype).max) ** 0.75  # finite, within the bound, its square overflows
    ok = np.array([[big, 0.0], [-big, 1.0]], dtype=dtype)
    _no_warnings(call, t, ok)
    for bad in (np.nan, np.inf, -np.inf):
        x = np.array([[0.0, bad], [1.0, 2.0]], dtype=dtype)
        with pytest.raises(ValueError, match=r"^logits must be finite, got NaN or infinity"):
            _no_warnings(call, t, x)
    too_big = float(np.finfo(dtype).max) / 16  # the bound is max / (8 * 4)
    x = np.array([[0.0, too_big], [1.0, 2.0]], dtype=dtype)
    with pytest.raises(ValueError, match=r"^logits must be at most .* in magnitude"):
        _no_warnings(call, t, x)


def test_checks_read_the_logits_in_one_pass(torch):
    from torch.overrides import TorchFunctionMode

    import dlnotes

    class Reads(TorchFunctionMode):
        """Counts the operations that read the logits tensor itself (not its shape or dtype)."""

        def __init__(self, logits):
            super().__init__()
            self.logits, self.count = logits, 0

        def __torch_function__(self, func, types, args=(), kwargs=None):
            # .shape, .dtype (__get__) and a .to() of the same dtype read no data
            if getattr(func, "__name__", "") not in ("__get__", "to"):
                self.count += any(a is self.logits for a in args)
            return func(*args, **(kwargs or {}))

    z = torch.randn(64, 10)
    t, y = torch.randint(0, 10, (64,)), (torch.rand(64, 10) < 0.5).float()
    for fn, target in (
        (L.softmax_cross_entropy_and_grad, t),
        (L.binary_cross_entropy_with_logits, y),
    ):
        counts = {}
        for on in (True, False):
            with dlnotes.checks(on), Reads(z) as reads:
                fn(target, z)
            counts[on] = reads.count
        assert counts[True] - counts[False] == 1, (fn.__name__, counts)  # one dot product

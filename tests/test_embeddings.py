"""Tests for dlnotes.embeddings: the bias subspace (E1, E2), neutralize (E3), equalize (E4)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import dlnotes
from dlnotes import embeddings as E
from dlnotes.backend import to_numpy
from tests._helpers import assert_close


def _orthonormal(rng, k, d):
    """``(k, d)`` random orthonormal rows."""
    return np.linalg.qr(rng.normal(size=(d, k)))[0].T


def _projector_distance(a, b):
    """Spectral norm of the difference of the orthogonal projectors on two row spaces
    (the sine of the largest principal angle): 0 for the same subspace, signs ignored."""
    a, b = to_numpy(a), to_numpy(b)
    return float(np.linalg.norm(a.T @ a - b.T @ b, 2))


def _planted_embedding(rng, directions, *, n_pairs=10, noise=0.005, d=50):
    """Pairs ``c +- s g + noise``: they differ along the planted rows ``directions``."""
    pairs = []
    for _ in range(n_pairs):
        centre = rng.normal(size=d)
        centre -= (centre @ directions.T) @ directions  # so that both words have one norm
        weights = [rng.uniform(0.5, 1.5), rng.uniform(-0.8, 0.8)][: len(directions)]
        offset = np.asarray(weights) @ directions  # the first direction the strongest
        pair = np.stack([centre + offset, centre - offset]) + noise * rng.normal(size=(2, d))
        pairs.append(pair / np.linalg.norm(pair, axis=1, keepdims=True))
    return pairs


def _xp_array(xp, a, dtype=None):
    a = np.asarray(a, dtype=dtype)
    return xp.asarray(a.copy())


# --- E1, E2: the bias subspace -------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bias_subspace_recovers_a_planted_direction(xp, dtype):
    rng = np.random.default_rng(0)
    g = _orthonormal(rng, 1, 50)
    pairs = _planted_embedding(rng, g)
    basis = E.bias_subspace([_xp_array(xp, p, dtype) for p in pairs])
    assert tuple(basis.shape) == (1, 50)
    assert basis.dtype == xp.asarray(np.zeros(1, dtype=dtype)).dtype
    assert _projector_distance(basis, g) < 0.05  # the planted direction, up to noise
    # a random direction is far from it (the test can fail)
    assert _projector_distance(_orthonormal(rng, 1, 50), g) > 0.9


def test_bias_subspace_recovers_a_planted_plane_by_principal_angles(xp):
    rng = np.random.default_rng(1)
    planted = _orthonormal(rng, 2, 40)
    pairs = _planted_embedding(rng, planted, n_pairs=12, noise=0.002, d=40)
    basis = to_numpy(E.bias_subspace([_xp_array(xp, p) for p in pairs], k=2))
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-10)
    cosines = np.linalg.svd(basis @ planted.T, compute_uv=False)  # of the principal angles
    assert cosines.min() > 0.99
    assert _projector_distance(basis, planted) < 0.05


def test_bias_subspace_without_noise_is_exact():
    """Pairs that differ only along g: B is g exactly (C has rank 1)."""
    rng = np.random.default_rng(2)
    g = _orthonormal(rng, 1, 8)
    pairs = [
        np.stack([c + s * g[0], c - s * g[0]])
        for c, s in zip(rng.normal(size=(5, 8)), [1, 2, 3, 4, 5])
    ]
    assert _projector_distance(E.bias_subspace(pairs), g) < 1e-12


def test_bias_subspace_is_the_formula_of_the_slide():
    """C built literally as the slide's double sum of outer products, eigenvectors by eigh."""
    rng = np.random.default_rng(3)
    sets = [rng.normal(size=(n, 7)) for n in (2, 3, 5, 2)]
    c = np.zeros((7, 7))
    for s in sets:
        mu = s.sum(axis=0) / len(s)
        for w in s:
            c += np.outer(w - mu, w - mu) / len(s)
    vectors = np.linalg.eigh(c)[1][:, ::-1].T  # strongest first
    for k in (1, 2, 4):
        assert _projector_distance(E.bias_subspace(sets, k=k), vectors[:k]) < 1e-10


def test_each_set_weighs_one_over_its_size():
    """Four words spread by +-1 along e1 against a pair spread by +-1.2 along e2: with
    the 1/|D_i| weights e2 wins (1.44 > 1); an unweighted sum would pick e1 (4 > 2.88)."""
    e1, e2 = np.eye(3)[:2]
    four = np.stack([e1, -e1, e1, -e1]) + [0, 0, 1]
    pair = np.stack([1.2 * e2, -1.2 * e2]) + [0, 0, 1]
    assert _projector_distance(E.bias_subspace([four, pair]), e2[None]) < 1e-12


def test_bias_subspace_agrees_with_scikit_learn_pca():
    """E2 is the PCA of the centred words, each scaled by 1/sqrt(|D_i|)."""
    decomposition = pytest.importorskip(
        "sklearn.decomposition", reason="scikit-learn is the PCA reference"
    )
    rng = np.random.default_rng(4)
    sets = [rng.normal(size=(n, 6)) for n in (2, 4, 3, 2, 2)]
    rows = np.concatenate([(s - s.mean(axis=0)) / np.sqrt(len(s)) for s in sets])
    for k in (1, 3):
        pca = decomposition.PCA(n_components=k, svd_solver="full").fit(rows)
        assert _projector_distance(E.bias_subspace(sets, k=k), pca.components_) < 1e-10


def test_bias_direction_points_towards_the_first_word_of_the_first_set(xp):
    he, she = np.array([0.6, 0.8, 0.0]), np.array([-0.6, 0.8, 0.0])
    man, woman = np.array([0.5, 0.0, 0.8]), np.array([-0.7, 0.0, 0.7])
    forward = to_numpy(E.bias_subspace([_xp_array(xp, [he, she]), _xp_array(xp, [man, woman])]))
    backward = to_numpy(E.bias_subspace([_xp_array(xp, [she, he]), _xp_array(xp, [man, woman])]))
    assert forward[0] @ (he - she) > 0
    assert_close(backward, -forward, atol=1e-12)


def test_bias_subspace_takes_nested_lists_and_keeps_inputs():
    sets = [np.array([[1.0, 2.0], [3.0, 1.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])]
    before = [s.copy() for s in sets]
    out = E.bias_subspace([s.tolist() for s in sets])
    assert_close(out, E.bias_subspace(sets))
    assert all(np.array_equal(s, b) for s, b in zip(sets, before))
    assert isinstance(out, np.ndarray) and out.dtype == np.float64


# --- E3: neutralize ------------------------------------------------------------------


def test_neutralize_removes_the_projection_and_normalises(xp):
    rng = np.random.default_rng(5)
    basis = _orthonormal(rng, 2, 10)
    w = rng.normal(size=(6, 10)) * 3
    out = to_numpy(E.neutralize(_xp_array(xp, w), _xp_array(xp, basis)))
    np.testing.assert_allclose(out @ basis.T, 0.0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-12)
    # the reference: the orthogonal projector I - B^T B, then unit length
    rest = w @ (np.eye(10) - basis.T @ basis)
    np.testing.assert_allclose(out, rest / np.linalg.norm(rest, axis=1, keepdims=True), atol=1e-12)


def test_neutralize_one_word_is_one_row(xp):
    rng = np.random.default_rng(6)
    basis, w = _orthonormal(rng, 1, 5), rng.normal(size=5)
    one = E.neutralize(_xp_array(xp, w), _xp_array(xp, basis))
    rows = E.neutralize(_xp_array(xp, w[None]), _xp_array(xp, basis))
    assert tuple(one.shape) == (5,)
    assert_close(one, to_numpy(rows)[0], atol=1e-15)


def test_neutralize_keeps_float32_and_the_inputs(xp):
    rng = np.random.default_rng(7)
    basis = _orthonormal(rng, 2, 6).astype(np.float32)
    w = rng.normal(size=(3, 6)).astype(np.float32)
    w_before = w.copy()
    out = E.neutralize(_xp_array(xp, w), _xp_array(xp, basis))
    assert out.dtype == xp.float32
    np.testing.assert_allclose(to_numpy(out) @ basis.T, 0.0, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(to_numpy(out), axis=1), 1.0, rtol=1e-6)
    assert np.array_equal(w, w_before)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 9),
    st.integers(1, 8),
    st.integers(1, 5),
    st.floats(1e-6, 1e6),
    st.integers(0, 2**32 - 1),
)
def test_law_neutralized_words_have_zero_projection_and_unit_norm(d, k, n, scale, seed):
    assume(k < d)
    rng = np.random.default_rng(seed)
    basis = _orthonormal(rng, k, d)
    w = rng.normal(size=(n, d)) * scale
    rest = np.linalg.norm(w @ (np.eye(d) - basis.T @ basis), axis=1)
    assume(np.all(rest > 1e-3 * np.linalg.norm(w, axis=1)))
    out = E.neutralize(w, basis)
    assert np.all(np.abs(out @ basis.T) < 1e-9)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-12)
    # idempotent: a neutral word stays where it is
    np.testing.assert_allclose(E.neutralize(out, basis), out, atol=1e-12)


# --- E4: equalize --------------------------------------------------------------------


def test_equalize_the_docstring_pair_by_hand():
    """mu = (0.1, 0.7, 0), nu = (0, 0.7, 0), sqrt(1 - 0.49) = 0.71414, w_B - mu_B = +-0.7."""
    out = E.equalize([[0.8, 0.6, 0.0], [-0.6, 0.8, 0.0]], [[1.0, 0.0, 0.0]])
    z = np.sqrt(1 - 0.49)
    np.testing.assert_allclose(out, [[z, 0.7, 0.0], [-z, 0.7, 0.0]], atol=1e-15)


def test_equalize_matches_the_pair_rule_of_bolukbasis_code():
    """For k = 1 the released code writes y = drop(mean, g), z = sqrt(1 - |y|^2), and
    a = y + z g, b = y - z g with the sign of (a - b) . g: the slide's formula."""
    rng = np.random.default_rng(8)
    g = _orthonormal(rng, 1, 12)
    pair = rng.normal(size=(2, 12))
    unit = pair / np.linalg.norm(pair, axis=1, keepdims=True)
    mean = unit.mean(axis=0)
    y = mean - (mean @ g[0]) * g[0]
    z = np.sqrt(1 - y @ y) * np.sign((unit[0] - unit[1]) @ g[0])
    np.testing.assert_allclose(E.equalize(pair, g), [y + z * g[0], y - z * g[0]], atol=1e-14)


def test_equalize_gives_unit_norm_and_equal_distances(xp):
    rng = np.random.default_rng(9)
    basis = _orthonormal(rng, 2, 20)
    pair = rng.normal(size=(2, 20))
    out = to_numpy(E.equalize(_xp_array(xp, pair), _xp_array(xp, basis)))
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-12)
    neutral = to_numpy(E.neutralize(_xp_array(xp, rng.normal(size=(15, 20))), _xp_array(xp, basis)))
    distances = np.linalg.norm(out[:, None, :] - neutral[None], axis=-1)  # (2, 15)
    np.testing.assert_allclose(distances[0], distances[1], atol=1e-12)
    # before equalizing the distances differed (the test can fail)
    unit = pair / np.linalg.norm(pair, axis=1, keepdims=True)
    before = np.linalg.norm(unit[:, None, :] - neutral[None], axis=-1)
    assert np.abs(before[0] - before[1]).max() > 1e-2


def test_equalize_keeps_float32(xp):
    rng = np.random.default_rng(10)
    basis = _orthonormal(rng, 1, 8).astype(np.float32)
    pair = rng.normal(size=(2, 8)).astype(np.float32)
    out = E.equalize(_xp_array(xp, pair), _xp_array(xp, basis))
    assert out.dtype == xp.float32
    np.testing.assert_allclose(np.linalg.norm(to_numpy(out), axis=1), 1.0, rtol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 9),
    st.integers(1, 8),
    st.integers(2, 4),
    st.floats(1e-6, 1e6),
    st.integers(0, 2**32 - 1),
)
def test_law_equalized_sets_are_unit_and_equidistant_from_neutral_words(d, k, m, scale, seed):
    assume(k < d)
    rng = np.random.default_rng(seed)
    basis = _orthonormal(rng, k, d)
    pair = rng.normal(size=(m, d)) * scale
    unit = pair / np.linalg.norm(pair, axis=1, keepdims=True)
    inside = unit @ basis.T
    assume(np.all(np.linalg.norm(inside - inside.mean(axis=0), axis=1) > 1e-3))
    out = E.equalize(pair, basis)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-12)
    # the words differ only inside B: the same component outside it
    outside = out - (out @ basis.T) @ basis
    np.testing.assert_allclose(outside, np.broadcast_to(outside[0], outside.shape), atol=1e-12)
    neutral = E.neutralize(rng.normal(size=(4, d)) + 0.1, basis)
    distances = np.linalg.norm(out[:, None, :] - neutral[None], axis=-1)
    np.testing.assert_allclose(
        distances, np.broadcast_to(distances[0], distances.shape), atol=1e-12
    )


# --- bad input -----------------------------------------------------------------------


def test_bias_subspace_rejects_bad_input():
    pairs = [np.eye(3)[:2], np.eye(3)[1:]]
    with pytest.raises(TypeError, match="defining_sets"):
        E.bias_subspace(np.stack(pairs))
    with pytest.raises(TypeError, match="defining_sets"):
        E.bias_subspace(None)
    with pytest.raises(TypeError, match=r"defining_sets\[1\]"):
        E.bias_subspace([pairs[0], [["a", "b", "c"], ["d", "e", "f"]]])
    with pytest.raises(ValueError, match="defining_sets"):
        E.bias_subspace([])
    with pytest.raises(ValueError, match=r"defining_sets\[1\].*at least 2 words"):
        E.bias_subspace([pairs[0], np.ones((1, 3))])
    with pytest.raises(ValueError, match="defining_sets"):
        E.bias_subspace([pairs[0], np.ones((2, 4))])
    with pytest.raises(ValueError, match=r"defining_sets\[0\].*finite"):
        E.bias_subspace([np.array([[np.nan, 0, 0], [1, 0, 0]]), pairs[1]])
    with pytest.raises(TypeError, match="k"):
        E.bias_subspace(pairs, k=1.5)
    with pytest.raises(TypeError, match="k"):
        E.bias_subspace(pairs, k=True)
    with pytest.raises(ValueError, match="k"):
        E.bias_subspace(pairs, k=0)
    with pytest.raises(ValueError, match="k"):
        E.bias_subspace(pairs, k=4)


def test_neutralize_rejects_bad_input():
    basis = np.array([[1.0, 0.0, 0.0]])
    with pytest.raises(TypeError, match="w"):
        E.neutralize("doctor", basis)
    with pytest.raises(ValueError, match=r"basis.*orthonormal"):
        E.neutralize([1.0, 2.0, 3.0], [[2.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match=r"basis.*orthonormal"):
        E.neutralize([1.0, 2.0, 3.0], [[1.0, 0.0, 0.0], [0.6, 0.8, 0.0]])
    with pytest.raises(ValueError, match="basis"):
        E.neutralize([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])  # one direction must be a row
    with pytest.raises(ValueError, match="w and basis"):
        E.neutralize([1.0, 2.0], basis)
    with pytest.raises(ValueError, match="w must not"):
        E.neutralize([[0.0, 1.0, 0.0], [3.0, 0.0, 0.0]], basis)  # the second lies in B
    with pytest.raises(ValueError, match="w must not"):
        E.neutralize([0.0, 0.0, 0.0], basis)
    with pytest.raises(ValueError, match="w"):
        E.neutralize([np.inf, 0.0, 1.0], basis)


def test_equalize_rejects_bad_input():
    basis = np.array([[1.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="pair"):
        E.equalize([[1.0, 0.0, 0.0]], basis)
    with pytest.raises(ValueError, match="pair"):
        E.equalize([1.0, 0.0, 0.0], basis)
    with pytest.raises(ValueError, match="pair must not hold a zero"):
        E.equalize([[0.0, 0.0, 0.0], [1.0, 1.0, 0.0]], basis)
    with pytest.raises(ValueError, match="pair must differ inside the bias subspace"):
        E.equalize([[0.5, 1.0, 0.0], [0.5, 0.0, 1.0]], basis)
    with pytest.raises(ValueError, match=r"basis.*orthonormal"):
        E.equalize([[0.8, 0.6, 0.0], [-0.6, 0.8, 0.0]], [[0.5, 0.0, 0.0]])
    with pytest.raises(ValueError, match="pair and basis"):
        E.equalize([[0.8, 0.6], [-0.6, 0.8]], basis)


# --- extreme input -------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1e-100, 1e100])
def test_extreme_scales_give_finite_results_without_warnings(scale):
    rng = np.random.default_rng(12)
    g = _orthonormal(rng, 1, 6)
    pairs = [p * scale for p in _planted_embedding(rng, g, n_pairs=4, d=6)]
    basis = E.bias_subspace(pairs)
    assert np.all(np.isfinite(basis))
    assert _projector_distance(basis, g) < 0.1
    out = E.neutralize(rng.normal(size=(3, 6)) * scale, basis)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-12)
    eq = E.equalize(pairs[0], basis)
    np.testing.assert_allclose(np.linalg.norm(eq, axis=1), 1.0, rtol=1e-12)


def test_checks_off_skips_the_data_checks_only():
    basis = np.array([[1.0, 0.0, 0.0]])
    with dlnotes.checks(False):
        out = E.neutralize([0.5, 0.3, 0.4], basis)  # the same result
        with pytest.raises(ValueError, match="w and basis"):  # shapes are still checked
            E.neutralize([1.0, 2.0], basis)
    assert_close(out, [0.0, 0.6, 0.8], atol=1e-15)

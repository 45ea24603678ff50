"""Tests for dlnotes.data: splits (erratum S1), k-fold, standardization, scikit-learn agreement."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlnotes import data as D
from dlnotes.backend import array_namespace, to_numpy, use_backend
from tests._helpers import assert_close


def _sizes(parts):
    return tuple(int(p.shape[0]) for p in parts)


# --- S1: train / validation / test split --------------------------------------------


def test_erratum_s1_slide_fractions_sum_to_1_2_and_are_rejected():
    """004 prints 80 % training, 20 % validation, 20 % test: 120 %."""
    with pytest.raises(ValueError, match=r"fractions must sum to 1, got 0.8 \+ 0.2 \+ 0.2 = 1.2"):
        D.train_val_test_split(100, fractions=(0.8, 0.2, 0.2))
    assert _sizes(D.train_val_test_split(100, fractions=(0.6, 0.2, 0.2), seed=0)) == (60, 20, 20)


def test_split_is_random_but_reproducible_from_the_seed():
    a = [to_numpy(p) for p in D.train_val_test_split(50, seed=3)]
    b = [to_numpy(p) for p in D.train_val_test_split(50, seed=3)]
    c = [to_numpy(p) for p in D.train_val_test_split(50, seed=4)]
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not all(np.array_equal(u, v) for u, v in zip(a, c))
    assert not np.array_equal(a[0], np.sort(a[0]))  # not the collection order


@settings(max_examples=80, deadline=None)
@given(
    st.integers(3, 500),
    st.floats(0.05, 0.9),
    st.floats(0.0, 1.0),
    st.integers(0, 2**32 - 1),
)
def test_split_is_a_partition(n, f_train, share, seed):
    f_val = (1 - f_train) * share
    fractions = (f_train, f_val, 1 - f_train - f_val)
    assume(n * f_train >= 3)  # leaves room for the rounding up of the held-out sets
    parts = [to_numpy(p) for p in D.train_val_test_split(n, fractions=fractions, seed=seed)]
    every = np.concatenate(parts)
    assert np.array_equal(np.sort(every), np.arange(n))  # disjoint and covering
    assert all(p.dtype == np.int64 for p in parts)
    assert abs(len(parts[0]) - f_train * n) < 2 + 1e-9


@pytest.mark.parametrize("n", [7, 10, 33, 100, 101])
@pytest.mark.parametrize("test_size", [0.1, 0.2, 0.25, 0.3, 0.5])
def test_two_way_sizes_match_sklearn_train_test_split(n, test_size):
    model_selection = pytest.importorskip(
        "sklearn.model_selection", reason="scikit-learn is the reference"
    )
    sk_train, sk_test = model_selection.train_test_split(
        np.arange(n), test_size=test_size, random_state=0
    )
    train, val, test = D.train_val_test_split(n, fractions=(1 - test_size, 0.0, test_size), seed=0)
    assert _sizes((train, val, test)) == (len(sk_train), 0, len(sk_test))


def test_rounding_error_does_not_add_a_sample():
    # 0.07 * 100 = 7.000000000000001 in floating point; scikit-learn's ceil makes that 8
    assert _sizes(D.train_val_test_split(100, fractions=(0.86, 0.07, 0.07), seed=0)) == (86, 7, 7)


def test_split_indices_select_aligned_rows(xp):
    x = xp.reshape(xp.arange(20, dtype=xp.float32), (10, 2))
    y = xp.arange(10, dtype=xp.float32)
    train, val, test = D.train_val_test_split(10, fractions=(0.6, 0.2, 0.2), seed=1, xp=xp)
    for idx in (train, val, test):
        assert array_namespace(idx) is array_namespace(x)
        assert idx.dtype == xp.int64
        assert_close(xp.take(x, idx, axis=0)[:, 0], 2 * xp.take(y, idx))


def test_same_seed_same_split_on_every_backend(xp):
    ours = [to_numpy(p) for p in D.train_val_test_split(30, seed=7, xp=xp)]
    ref = [to_numpy(p) for p in D.train_val_test_split(30, seed=7)]
    assert all(np.array_equal(a, b) for a, b in zip(ours, ref))


def test_default_backend_is_used_without_xp():
    with use_backend("array_api_strict") as strict:
        train, _, _ = D.train_val_test_split(10, seed=0)
        folds = D.kfold_indices(10, seed=0)
    assert array_namespace(train) is strict and array_namespace(folds[0][1]) is strict


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"fractions": (0.8, 0.2, 0.2)}, ValueError, "fractions must sum to 1"),
        ({"fractions": (0.5, 0.2, 0.2)}, ValueError, r"= 0.9"),
        ({"fractions": (0.8, 0.2)}, ValueError, "fractions must be 3 numbers"),
        ({"fractions": (1.2, -0.1, -0.1)}, ValueError, r"fractions must each lie in \[0, 1\]"),
        ({"fractions": (0.0, 0.5, 0.5)}, ValueError, "training set a positive fraction"),
        ({"fractions": (0.5, float("nan"), 0.5)}, ValueError, "fractions must"),
    ],
)
def test_split_bad_fractions(kwargs, error, match):
    with pytest.raises(error, match=match):
        D.train_val_test_split(100, **kwargs)


def test_split_bad_n_samples():
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1"):
        D.train_val_test_split(0)
    with pytest.raises(TypeError, match="n_samples must be an int"):
        D.train_val_test_split(np.zeros(10))
    with pytest.raises(TypeError, match="n_samples must be an int"):
        D.train_val_test_split(True)
    with pytest.raises(ValueError, match="n_samples = 2 is too small"):
        D.train_val_test_split(2, fractions=(0.8, 0.1, 0.1))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 10.0}, "n_samples must be an integer"),
        ({"n_samples": "10"}, "n_samples must be an integer"),
        ({"n_samples": None}, "n_samples must be an integer"),
        ({"n_samples": 10, "fractions": "0.8"}, "fractions must be a tuple"),
        ({"n_samples": 10, "fractions": 0.8}, "fractions must be a tuple"),
        ({"n_samples": 10, "fractions": ("0.8", "0.1", "0.1")}, "fractions must be 3 real numbers"),
        ({"n_samples": 10, "fractions": (True, False, False)}, "fractions must be 3 real numbers"),
        ({"n_samples": 10, "fractions": (0.8, 0.1, None)}, "fractions must be 3 real numbers"),
        ({"n_samples": 10, "seed": True}, "seed must be None, an integer"),
        ({"n_samples": 10, "seed": "1"}, "seed must be None, an integer"),
        ({"n_samples": 10, "seed": 1.5}, "seed must be None, an integer"),
    ],
)
def test_split_wrong_types_are_type_errors(kwargs, match):
    with pytest.raises(TypeError, match=match):
        D.train_val_test_split(**kwargs)


def test_split_accepts_numpy_integer_counts():
    assert _sizes(D.train_val_test_split(np.int64(10), fractions=(0.6, 0.2, 0.2), seed=0)) == (
        6,
        2,
        2,
    )
    assert len(D.kfold_indices(np.int64(10), np.int32(5))) == 5


def test_split_accepts_lists_numpy_seeds_and_generators():
    parts = D.train_val_test_split(10, fractions=[0.6, 0.2, 0.2], seed=np.int32(0))
    assert _sizes(parts) == (6, 2, 2)
    a = D.train_val_test_split(10, seed=np.random.default_rng(5))
    b = D.train_val_test_split(10, seed=5)
    assert all(np.array_equal(to_numpy(u), to_numpy(v)) for u, v in zip(a, b))
    with pytest.raises(ValueError, match="seed must be >= 0"):
        D.train_val_test_split(10, seed=-1)


# --- S2: k-fold -----------------------------------------------------------------------


@pytest.mark.parametrize("n, k", [(5, 2), (10, 3), (10, 10), (17, 5)])
def test_kfold_without_shuffle_is_sklearn_kfold(n, k):
    model_selection = pytest.importorskip(
        "sklearn.model_selection", reason="scikit-learn is the reference"
    )
    ours = D.kfold_indices(n, k, shuffle=False)
    theirs = list(model_selection.KFold(n_splits=k).split(np.arange(n)))
    assert len(ours) == len(theirs) == k
    for (train, val), (sk_train, sk_val) in zip(ours, theirs):
        assert to_numpy(train).tolist() == sk_train.tolist()
        assert to_numpy(val).tolist() == sk_val.tolist()


@settings(max_examples=80, deadline=None)
@given(
    st.integers(2, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(2, n))),
    st.integers(0, 2**32 - 1),
)
def test_kfold_folds_are_disjoint_and_cover_every_sample_once(nk, seed):
    n, k = nk
    folds = [(to_numpy(tr), to_numpy(va)) for tr, va in D.kfold_indices(n, k, seed=seed)]
    vals = np.concatenate([va for _, va in folds])
    assert np.array_equal(np.sort(vals), np.arange(n))  # each sample in exactly one fold
    sizes = [len(va) for _, va in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        assert np.array_equal(np.union1d(train, val), np.arange(n))
        assert len(np.intersect1d(train, val)) == 0


def test_kfold_shuffle_follows_the_seed(xp):
    a = D.kfold_indices(20, 4, seed=1, xp=xp)
    b = D.kfold_indices(20, 4, seed=1)
    c = D.kfold_indices(20, 4, seed=2)
    assert all(np.array_equal(to_numpy(x[1]), to_numpy(y[1])) for x, y in zip(a, b))
    assert not all(np.array_equal(to_numpy(x[1]), to_numpy(y[1])) for x, y in zip(b, c))
    assert array_namespace(a[0][0]) is array_namespace(xp.asarray([0]))
    assert a[0][0].dtype == xp.int64


@pytest.mark.parametrize("k", [1, 0, -2, 11])
def test_kfold_bad_n_splits(k):
    with pytest.raises(ValueError, match=r"n_splits must be an integer (>= 2|in)"):
        D.kfold_indices(10, k)


@pytest.mark.parametrize("k", [2.5, 3.0, True, "3", None])
def test_kfold_n_splits_of_the_wrong_type(k):
    with pytest.raises(TypeError, match="n_splits must be an integer"):
        D.kfold_indices(10, k)


@pytest.mark.parametrize("shuffle", ["False", 0, 1, None])
def test_kfold_shuffle_must_be_a_bool(shuffle):
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        D.kfold_indices(10, 2, shuffle=shuffle)


# --- R6: standardize ------------------------------------------------------------------


def test_r6_fit_on_train_apply_to_val_and_test():
    train = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 50.0]])
    test = np.array([[3.0, 70.0]])
    _, mean, std = D.standardize(train)
    assert_close(mean, [3.0, 30.0])
    assert_close(std, np.std(train, axis=0))
    z_test, mean2, std2 = D.standardize(test, mean=mean, std=std)
    assert_close(z_test, (test - [3.0, 30.0]) / np.std(train, axis=0))
    assert mean2 is mean and std2 is std


def test_standardize_matches_sklearn_standard_scaler():
    preprocessing = pytest.importorskip(
        "sklearn.preprocessing", reason="scikit-learn is the reference"
    )
    rng = np.random.default_rng(0)
    train, test = rng.normal(3.0, 2.0, size=(40, 5)), rng.normal(3.0, 2.0, size=(9, 5))
    train[:, 2] = 7.5  # a constant feature
    scaler = preprocessing.StandardScaler().fit(train)
    z, mean, std = D.standardize(train)
    assert_close(z, scaler.transform(train), atol=1e-12)
    assert_close(std, scaler.scale_)
    assert_close(D.standardize(test, mean=mean, std=std)[0], scaler.transform(test), atol=1e-12)


@pytest.mark.parametrize("value", [0.0, 0.1, 1e6, -3.3])
def test_constant_feature_becomes_zero_not_nan(value):
    z, _, std = D.standardize(np.full((7, 1), value))
    assert to_numpy(z).tolist() == [[0.0]] * 7
    assert to_numpy(std).tolist() == [1.0]


@settings(max_examples=80, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(2, 40), st.integers(1, 5)), elements=st.floats(-1e3, 1e3)
    )
)
def test_standardize_gives_mean_0_and_std_1_on_train(x):
    spread = x.std(axis=0)
    assume(np.all(spread > 1e-3 * (np.abs(x.mean(axis=0)) + 1)))  # no (nearly) constant column
    z = to_numpy(D.standardize(x)[0])
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-9)


def test_extreme_scales_neither_overflow_nor_vanish(xp):
    """float32 squares overflow above about 1.8e19 and flush to 0 below about 1e-23."""
    x = xp.asarray(
        [[3e30, 1e-30], [-3e30, -1e-30], [3e30, 1e-30], [-3e30, -1e-30]], dtype=xp.float32
    )
    z, _, std = D.standardize(x)  # a RuntimeWarning would fail the test
    assert z.dtype == xp.float32
    assert_close(std, [3e30, 1e-30], rtol=1e-6, atol=0)
    assert_close(z, [[1.0, 1.0], [-1.0, -1.0], [1.0, 1.0], [-1.0, -1.0]], rtol=1e-6)


def test_one_dimensional_input_is_one_feature():
    z, mean, std = D.standardize([1.0, 2.0, 3.0])
    assert mean.ndim == 0 and std.ndim == 0
    assert_close(z, [-np.sqrt(1.5), 0.0, np.sqrt(1.5)])


def test_backends_keep_namespace_and_float32(xp):
    x = xp.asarray([[1.0, 4.0], [3.0, 4.0], [5.0, 10.0]], dtype=xp.float32)
    z, mean, std = D.standardize(x)
    z2, _, _ = D.standardize(x, mean=[0.0, 0.0], std=[1.0, 2.0])
    for out in (z, mean, std, z2):
        assert array_namespace(out) is array_namespace(x)
        assert out.dtype == xp.float32
    assert_close(mean, [3.0, 6.0], rtol=1e-6)
    assert_close(z2, [[1.0, 2.0], [3.0, 2.0], [5.0, 5.0]])


def test_standardize_wrong_types_are_type_errors():
    with pytest.raises(TypeError, match="x must"):
        D.standardize("abc")
    with pytest.raises(TypeError, match="mean must"):
        D.standardize([[1.0, 2.0]], mean=["a", "b"], std=[1.0, 1.0])
    with pytest.raises(TypeError, match="std must"):
        D.standardize([[1.0, 2.0]], mean=[0.0, 0.0], std=1j)


def test_checks_off_skips_only_the_data_checks():
    import dlnotes

    with dlnotes.checks(False):
        z, _, _ = D.standardize([[1.0, 2.0]], mean=[0.0, 0.0], std=[1.0, -1.0])  # not read
        assert to_numpy(z).tolist() == [[1.0, -2.0]]
        with pytest.raises(ValueError, match=r"mean must have shape \(2,\)"):
            D.standardize([[1.0, 2.0]], mean=[0.0], std=[1.0])


def test_inputs_are_never_modified():
    x = np.array([[1.0, 2.0], [3.0, 5.0]])
    mean, std = np.array([1.0, 1.0]), np.array([2.0, 2.0])
    copies = [a.copy() for a in (x, mean, std)]
    D.standardize(x)
    D.standardize(x, mean=mean, std=std)
    for a, c in zip((x, mean, std), copies):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: D.standardize(np.zeros((0, 3))), "x must not be empty"),
        (lambda: D.standardize(np.zeros((2, 2, 2))), "x must be 1-D or 2-D"),
        (
            lambda: D.standardize([[1.0, 2.0]], mean=[0.0, 0.0], std=[1.0, np.inf]),
            "std must be finite",
        ),
        (lambda: D.standardize([[1.0, np.nan], [2.0, 3.0]]), "x must be finite"),
        (
            lambda: D.standardize([[1.0, 2.0]], mean=[0.0, 0.0]),
            "mean and std must be given together",
        ),
        (
            lambda: D.standardize([[1.0, 2.0]], std=[1.0, 1.0]),
            "mean and std must be given together",
        ),
        (
            lambda: D.standardize([[1.0, 2.0]], mean=[0.0], std=[1.0, 1.0]),
            r"mean must have shape \(2,\)",
        ),
        (
            lambda: D.standardize([[1.0, 2.0]], mean=[0.0, 0.0], std=[1.0]),
            r"std must have shape \(2,\)",
        ),
        (
            lambda: D.standardize([[1.0, 2.0]], mean=[0.0, 0.0], std=[1.0, 0.0]),
            "std must be positive",
        ),
        (
            lambda: D.standardize([[1.0, 2.0]], mean=[0.0, np.nan], std=[1.0, 1.0]),
            "mean must be finite",
        ),
    ],
)
def test_standardize_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()

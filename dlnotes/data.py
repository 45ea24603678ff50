r"""Preparing data: random splits, k-fold cross-validation, standardization.

Slides 004 ("Dataset split", "Random sampling") and 000 part 5 ("Data
pre-processing: Normalization: mean & variance").

The split functions return *index arrays*, not copies of the data: index your
inputs and targets with the same indices (``xp.take(X, train, axis=0)``, or
``X[train]`` in NumPy and PyTorch) so that they stay aligned, whatever they are.
"""

from __future__ import annotations

import math

from dlnotes._checks import check_finite, check_ndim, check_nonempty
from dlnotes.backend import array_namespace, as_float_arrays, random_generator

__all__ = ["kfold_indices", "standardize", "train_val_test_split"]


def _check_n_samples(n_samples, minimum=1):
    if isinstance(n_samples, bool) or not isinstance(n_samples, int):
        raise TypeError(
            f"n_samples must be an int (the number of samples, e.g. len(X)), got {n_samples!r}"
        )
    if n_samples < minimum:
        raise ValueError(f"n_samples must be >= {minimum}, got {n_samples}")


def _to_index_array(space, indices):
    """Move a NumPy int64 index array to ``space`` (the same indices on every backend)."""
    return space.asarray(indices, dtype=space.int64)


# --------------------------------------------------------------------------- splits


def _held_out_size(fraction, n_samples):
    # round first: 0.07 * 100 is 7.000000000000001 in floating point, and its
    # ceiling would put 8 samples in a set meant to hold 7
    return math.ceil(round(fraction * n_samples, 9))


def train_val_test_split(n_samples, *, fractions=(0.8, 0.1, 0.1), seed=None, xp=None):
    r"""Split ``range(n_samples)`` at random into train, validation and test indices.

    Slide formula: S1.

    Parameters
    ----------
    n_samples : int
        Number of samples (``len(X)``).
    fractions : tuple of 3 floats, default=(0.8, 0.1, 0.1)
        Fractions for train, validation and test, each in [0, 1], train > 0,
        summing to 1. Use 0 for a set you do not want (``(0.8, 0.0, 0.2)``).
    seed : int or numpy.random.Generator, optional
        Seed of the random permutation: the same seed gives the same split on
        every backend.
    xp : str or namespace, optional
        Namespace of the returned index arrays; the default backend if omitted.

    Returns
    -------
    train, val, test : arrays of int64
        Disjoint index arrays that together hold every index once, each in the
        random order of the permutation.

    Raises
    ------
    ValueError
        If the fractions do not sum to 1 (the message gives their sum), one is
        outside [0, 1], the train fraction is 0, or ``n_samples`` is too small
        to leave a training sample.
    TypeError
        If ``n_samples`` is not an int.

    Notes
    -----
    The validation and test sets get $\lceil f\,n \rceil$ samples each and the
    training set the rest, so a held-out set with a positive fraction is never
    empty. With ``fractions=(1 - f, 0, f)`` the sizes are those of
    scikit-learn's ``train_test_split(test_size=f)`` (except where a product
    such as $0.07 \cdot 100$ lands a rounding error above an integer: here 7,
    there 8).

    Random sampling breaks the order in which the data was collected (time,
    sensor, place), which would otherwise end up as a difference between the
    sets. Erratum S1: slide 004 suggests 80 % / 20 % / 20 %, which sums to
    120 %; such fractions are rejected.

    Examples
    --------
    >>> train, val, test = train_val_test_split(10, fractions=(0.6, 0.2, 0.2), seed=0)
    >>> len(train), len(val), len(test)
    (6, 2, 2)
    >>> sorted(train.tolist() + val.tolist() + test.tolist()) == list(range(10))
    True
    >>> train_val_test_split(10, fractions=(0.8, 0.2, 0.2))
    Traceback (most recent call last):
    ...
    ValueError: fractions must sum to 1, got 0.8 + 0.2 + 0.2 = 1.2
    """
    _check_n_samples(n_samples)
    if len(fractions) != 3:
        raise ValueError(
            f"fractions must be 3 numbers (train, validation, test), got {fractions!r}"
        )
    f_train, f_val, f_test = (float(f) for f in fractions)
    if not all(0.0 <= f <= 1.0 for f in (f_train, f_val, f_test)):
        raise ValueError(f"fractions must each lie in [0, 1], got {fractions!r}")
    total = f_train + f_val + f_test
    if not math.isclose(total, 1.0, rel_tol=0.0, abs_tol=1e-9):
        raise ValueError(
            f"fractions must sum to 1, got {f_train:g} + {f_val:g} + {f_test:g} = {total:g}"
        )
    if f_train == 0:
        raise ValueError("fractions must give the training set a positive fraction, got 0")
    n_val, n_test = _held_out_size(f_val, n_samples), _held_out_size(f_test, n_samples)
    n_train = n_samples - n_val - n_test
    if n_train < 1:
        raise ValueError(
            f"n_samples = {n_samples} is too small for fractions {fractions!r}: "
            f"{n_val} validation and {n_test} test samples leave no training sample"
        )
    space = array_namespace(xp=xp)
    order = random_generator(seed).permutation(n_samples)
    parts = (order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :])
    return tuple(_to_index_array(space, p) for p in parts)


def kfold_indices(n_samples, n_splits=5, *, shuffle=True, seed=None, xp=None):
    r"""Train/validation index pairs for k-fold cross-validation.

    Slide formula: S2.

    Parameters
    ----------
    n_samples : int
        Number of samples (``len(X)``).
    n_splits : int, default=5
        Number of folds $k \ge 2$, at most ``n_samples``.
    shuffle : bool, default=True
        Permute the samples (from ``seed``) before cutting them into folds.
        With ``False`` the folds are consecutive blocks, as in scikit-learn's
        ``KFold()``, whose default is not to shuffle.
    seed : int or numpy.random.Generator, optional
        Seed of the permutation (ignored when ``shuffle=False``).
    xp : str or namespace, optional
        Namespace of the returned index arrays; the default backend if omitted.

    Returns
    -------
    list of (train, val) tuples
        ``n_splits`` pairs of sorted int64 index arrays. Every sample is in
        exactly one validation fold, and in the training set of all the others.

    Raises
    ------
    ValueError
        If ``n_splits`` is not an integer in [2, n_samples].
    TypeError
        If ``n_samples`` is not an int.

    Notes
    -----
    The first ``n_samples % n_splits`` folds have one sample more than the
    others, as in scikit-learn's ``KFold``: fold sizes differ by at most one.
    Each sample is used for validation once, so the $k$ validation scores
    together use all the data.

    Examples
    --------
    >>> [(tr.tolist(), va.tolist()) for tr, va in kfold_indices(5, 2, shuffle=False)]
    [([3, 4], [0, 1, 2]), ([0, 1, 2], [3, 4])]
    """
    _check_n_samples(n_samples)
    if isinstance(n_splits, bool) or not isinstance(n_splits, int) or not 2 <= n_splits <= n_samples:
        raise ValueError(
            f"n_splits must be an integer in [2, n_samples = {n_samples}], got {n_splits!r}"
        )
    import numpy as np  # index bookkeeping on the host; the results move to xp

    space = array_namespace(xp=xp)
    order = random_generator(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    sizes = np.full(n_splits, n_samples // n_splits)
    sizes[: n_samples % n_splits] += 1
    fold = np.empty(n_samples, dtype=np.int64)
    fold[order] = np.repeat(np.arange(n_splits), sizes)  # the validation fold of each sample
    return [
        (_to_index_array(space, np.flatnonzero(fold != j)), _to_index_array(space, np.flatnonzero(fold == j)))
        for j in range(n_splits)
    ]


# --------------------------------------------------------------------------- standardize


def standardize(x, *, mean=None, std=None):
    r"""Standardize features to mean 0 and standard deviation 1.

    Slide formula: R6.

    Fit on the training set, then apply the *same* statistics to validation
    and test data::

        z_train, mean, std = standardize(x_train)
        z_val, _, _ = standardize(x_val, mean=mean, std=std)

    Parameters
    ----------
    x : array-like of shape (n_samples, n_features) or (n_samples,)
        Data with samples in rows and features in columns (a 1-d array is one
        feature). Not modified.
    mean : array-like of shape (n_features,) (0-d for 1-d ``x``), optional
        Statistics from the training set. Give both ``mean`` and ``std`` to
        apply them, or neither to fit them on ``x``.
    std : array-like of shape (n_features,), optional
        See ``mean``; every entry must be positive.

    Returns
    -------
    z : array of the shape of ``x``
        $(x - \mu) / \sigma$, column by column.
    mean : array of shape (n_features,) (0-d for 1-d ``x``)
        $\mu$, the mean of each column (fitted or as given).
    std : array of the same shape
        $\sigma$, the divisor used: the population standard deviation of
        each column (``ddof=0``), with 1 for a constant column.

    Raises
    ------
    ValueError
        If ``x`` is empty, not 1-d or 2-d, or not finite; if only one of
        ``mean`` and ``std`` is given, their shapes do not match the features,
        or ``std`` has an entry that is not positive.

    Notes
    -----
    $$z_{ij} = \frac{x_{ij} - \mu_j}{\sigma_j},\qquad
    \mu_j = \frac1n\sum_i x_{ij},\qquad
    \sigma_j = \sqrt{\frac1n\sum_i (x_{ij} - \mu_j)^2}$$

    A column that is constant on the training set (zero variance, up to
    rounding error) gets $\sigma_j = 1$: on the training set it becomes 0
    instead of 0/0, as in scikit-learn's ``StandardScaler``.

    Examples
    --------
    >>> z, mean, std = standardize([[1.0, 5.0], [3.0, 5.0]])
    >>> z.tolist(), mean.tolist(), std.tolist()
    ([[-1.0, 0.0], [1.0, 0.0]], [2.0, 5.0], [1.0, 1.0])
    >>> standardize([[4.0, 6.0]], mean=mean, std=std)[0].tolist()
    [[2.0, 1.0]]
    """
    if (mean is None) != (std is None):
        raise ValueError("mean and std must be given together (to apply) or both omitted (to fit)")
    if mean is None:
        xp, x = as_float_arrays(x, names=("x",))
    else:  # plain mean/std take x's dtype: float32 data stays float32
        xp, x, mean, std = as_float_arrays(x, mean, std, names=("x", "mean", "std"))
    check_ndim("x", x, (1, 2), "of shape (n_samples, n_features) or (n_samples,)")
    check_nonempty("x", x)
    check_finite(xp, "x", x)
    if mean is None:
        # shifting by the first row first makes a constant column's mean exact
        # (its z is then exactly 0) and loses fewer digits on data far from 0
        shift = x[0, ...]
        mean = xp.asarray(shift + xp.mean(x - shift, axis=0))  # 0-d array for 1-d x
        # deviations divided by the largest one before squaring: the square of
        # a float32 feature of size 1e20 would overflow, of size 1e-23 vanish
        dev = x - mean
        peak = xp.max(xp.abs(dev), axis=0)
        peak = xp.where(peak > 0, peak, xp.ones_like(peak))
        std = peak * xp.sqrt(xp.mean((dev / peak) ** 2, axis=0))
        # constant column: its std is 0, or a rounding error of the mean's size
        constant = std <= 10 * xp.finfo(x.dtype).eps * xp.abs(mean)
        std = xp.asarray(xp.where(constant, xp.ones_like(std), std))
    else:
        for name, a in (("mean", mean), ("std", std)):
            if tuple(a.shape) != tuple(x.shape[1:]):
                raise ValueError(
                    f"{name} must have shape {tuple(x.shape[1:])} (one value per feature "
                    f"of x), got shape {tuple(a.shape)}"
                )
            check_finite(xp, name, a)
        if not bool(xp.all(std > 0)):
            raise ValueError("std must be positive in every feature")
    return (x - mean) / std, mean, std

r"""Preparing data: random splits, k-fold cross-validation, standardization.

Slides 004 ("Dataset split", "Random sampling") and 000 part 5 ("Data
pre-processing: Normalization: mean & variance").

The split functions return *index arrays*, not copies of the data: index your
inputs and targets with the same indices (``xp.take(X, train, axis=0)``, or
``X[train]`` in NumPy and PyTorch) so that they stay aligned, whatever they are.
"""

from __future__ import annotations

import itertools
import math
import numbers

from dlnotes._checks import Count, Flag, Floats, Optional, Seed, Spec, checked
from dlnotes.backend import float_arrays, get_backend, random_generator, resolve_backend

__all__ = ["kfold_indices", "standardize", "train_val_test_split"]


class Fractions(Spec):
    """Three fractions (train, validation, test) in [0, 1] summing to 1, train > 0,
    as a tuple of Python floats."""

    def check(self, name, value, call):
        if not isinstance(value, (tuple, list)):
            raise TypeError(f"{name} must be a tuple of 3 numbers, got {value!r}")
        if len(value) != 3:
            raise ValueError(f"{name} must be 3 numbers (train, validation, test), got {value!r}")
        if any(isinstance(f, bool) or not isinstance(f, numbers.Real) for f in value):
            raise TypeError(f"{name} must be 3 real numbers, got {value!r}")
        f_train, f_val, f_test = (float(f) for f in value)
        if not all(0.0 <= f <= 1.0 for f in (f_train, f_val, f_test)):  # NaN fails too
            raise ValueError(f"{name} must each lie in [0, 1], got {value!r}")
        total = f_train + f_val + f_test
        if not math.isclose(total, 1.0, rel_tol=0.0, abs_tol=1e-9):
            raise ValueError(
                f"{name} must sum to 1, got {f_train:g} + {f_val:g} + {f_test:g} = {total:g}"
            )
        if f_train == 0:
            raise ValueError(f"{name} must give the training set a positive fraction, got 0")
        return (f_train, f_val, f_test)


def _held_out_size(fraction, n_samples):
    # round first: 0.07 * 100 is 7.000000000000001 in floating point, and its
    # ceiling would put 8 samples in a set meant to hold 7
    return math.ceil(round(fraction * n_samples, 9))


def _leaves_a_training_sample(call):
    n_samples, fractions = call.args["n_samples"], call.args["fractions"]
    n_val, n_test = (_held_out_size(f, n_samples) for f in fractions[1:])
    if n_samples - n_val - n_test < 1:
        raise ValueError(
            f"n_samples = {n_samples} is too small for fractions {fractions!r}: "
            f"{n_val} validation and {n_test} test samples leave no training sample"
        )


def _splits_fit(call):
    n_samples, n_splits = call.args["n_samples"], call.args["n_splits"]
    if n_splits > n_samples:
        raise ValueError(
            f"n_splits must be an integer in [2, n_samples = {n_samples}], got {n_splits}"
        )


# --------------------------------------------------------------------------- splits


@checked(n_samples=Count(), fractions=Fractions(), seed=Seed(), extra=_leaves_a_training_sample)
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
        outside [0, 1], the train fraction is 0, ``n_samples`` is less than 1
        or too small to leave a training sample, or ``seed`` is negative.
    TypeError
        If ``n_samples`` is not an integer, ``fractions`` is not a tuple (or
        list) of real numbers, or ``seed`` is not an integer or a Generator.

    Notes
    -----
    $$n_{\text{val}} = \lceil f_{\text{val}}\,n \rceil,\qquad
    n_{\text{test}} = \lceil f_{\text{test}}\,n \rceil,\qquad
    n_{\text{train}} = n - n_{\text{val}} - n_{\text{test}}$$

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

    Erratum S1's fractions sum to 1.2:

    >>> train_val_test_split(10, fractions=(0.8, 0.2, 0.2))
    Traceback (most recent call last):
    ...
    ValueError: fractions must sum to 1, got 0.8 + 0.2 + 0.2 = 1.2
    """
    xp = get_backend() if xp is None else resolve_backend(xp)
    n_val, n_test = (_held_out_size(f, n_samples) for f in fractions[1:])
    n_train = n_samples - n_val - n_test
    order = xp.asarray(random_generator(seed).permutation(n_samples), dtype=xp.int64)
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]


@checked(n_samples=Count(), n_splits=Count(2), shuffle=Flag(), seed=Seed(), extra=_splits_fit)
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
        If ``n_splits`` is not in [2, n_samples], ``n_samples`` is less than
        1 or ``seed`` is negative.
    TypeError
        If ``n_samples`` or ``n_splits`` is not an integer, ``shuffle`` is not
        a bool, or ``seed`` is not an integer or a Generator.

    Notes
    -----
    $$|V_j| = \Big\lfloor \frac{n}{k} \Big\rfloor + [\,j < n \bmod k\,],\qquad
    T_j = \{0, \dots, n - 1\} \setminus V_j$$

    The first ``n_samples % n_splits`` folds have one sample more than the
    others, as in scikit-learn's ``KFold``: fold sizes differ by at most one.
    Each sample is used for validation once, so the $k$ validation scores
    together use all the data.

    Examples
    --------
    >>> [(tr.tolist(), va.tolist()) for tr, va in kfold_indices(5, 2, shuffle=False)]
    [([3, 4], [0, 1, 2]), ([0, 1, 2], [3, 4])]
    """
    xp = get_backend() if xp is None else resolve_backend(xp)
    if shuffle:  # drawn by NumPy from the seed, then moved: the same folds on every backend
        order = xp.asarray(random_generator(seed).permutation(n_samples), dtype=xp.int64)
    else:
        order = xp.arange(n_samples, dtype=xp.int64)
    size, larger = divmod(n_samples, n_splits)  # the first `larger` folds get one more
    ends = [j * size + min(j, larger) for j in range(n_splits + 1)]
    folds = []
    for start, end in itertools.pairwise(ends):
        train = xp.concat([order[:start], order[end:]])
        folds.append((xp.sort(train), xp.sort(order[start:end])))
    return folds


# --------------------------------------------------------------------------- standardize


def _statistics_fit(call):
    x, mean, std = call.args["x"], call.args["mean"], call.args["std"]
    if (mean is None) != (std is None):
        raise ValueError("mean and std must be given together (to apply) or both omitted (to fit)")
    if mean is None:
        return
    for name, a in (("mean", mean), ("std", std)):
        if tuple(a.shape) != tuple(x.shape[1:]):
            raise ValueError(
                f"{name} must have shape {tuple(x.shape[1:])} (one value per feature "
                f"of x), got shape {tuple(a.shape)}"
            )
    call.require(call.xp.all(std > 0), "std must be positive in every feature")


@checked(
    x=Floats(ndim=(1, 2)),
    mean=Optional(Floats()),
    std=Optional(Floats()),
    extra=_statistics_fit,
)
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
        they are not finite, or ``std`` has an entry that is not positive.
    TypeError
        If an input does not hold real numbers.

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
    if mean is not None:  # apply the training set's statistics
        xp, x, mean, std = float_arrays(x, mean, std)  # plain mean/std take x's dtype
        return (x - mean) / std, mean, std
    xp, x = float_arrays(x)
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
    return (x - mean) / std, mean, std

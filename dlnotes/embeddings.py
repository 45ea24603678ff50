r"""Debiasing word embeddings (003): the bias subspace, neutralize and equalize.

The slides follow Bolukbasi et al. (2016), *Man is to Computer Programmer as
Woman is to Homemaker? Debiasing Word Embeddings*. Words are rows
$\vec w \in \mathbb{R}^d$ of an embedding; the method has three steps, one
function each:

* `bias_subspace` (E1, E2): from *defining sets* such as ``(he, she)``,
  ``(man, woman)``, the $k$ directions along which the words of each set
  differ most: the bias subspace $B$, as ``(k, d)`` orthonormal rows;
* `neutralize` (E3): a word that should carry no bias (``doctor``) loses its
  component in $B$ and is scaled back to unit length;
* `equalize` (E4): a pair that should differ *only* in $B$
  (``grandmother``, ``grandfather``) is moved so that both words are unit
  vectors with the same component outside $B$, hence at the same distance
  from every neutralized word.

The projection of $\vec w$ on $B$ is $\vec w_B = \sum_j (\vec w\cdot
\vec b_j)\,\vec b_j$, ``(w @ basis.T) @ basis`` for orthonormal rows
$\vec b_j$. As in the paper, the embedding is meant to hold unit vectors;
`equalize` scales its pair to unit length first (a no-op for unit input).
"""

from __future__ import annotations

import math

from dlnotes._checks import Count, Floats, Spec, checked
from dlnotes.backend import as_float_arrays, float_arrays

__all__ = ["bias_subspace", "equalize", "neutralize"]

#: How far from orthonormal a ``basis`` may be: ``|basis @ basis.T - I| <= 1e-4``.
BASIS_TOLERANCE = 1e-4


# --------------------------------------------------------------------------
# Argument specs and rules (no snippet carries them)
# --------------------------------------------------------------------------


class DefiningSets(Spec):
    """A list (or tuple) of ``(n_i, d)`` arrays (or nested lists) with ``n_i >= 2``.

    Returned as a list of floating arrays of one namespace and dtype.
    """

    def check(self, name, value, call):
        if not isinstance(value, (list, tuple)):
            raise TypeError(
                f"{name} must be a list of (n_i, d) arrays, got {type(value).__name__} "
                "(for one (sets, words, d) array, pass list(array))"
            )
        if len(value) == 0:
            raise ValueError(f"{name} must hold at least one defining set, got none")
        names = tuple(f"{name}[{i}]" for i in range(len(value)))
        xp, *sets = as_float_arrays(*value, names=names)
        d = None
        for where, s in zip(names, sets):
            if s.ndim != 2 or s.shape[0] < 2 or s.shape[1] < 1:
                raise ValueError(
                    f"{where} must be a 2-D array of at least 2 words (rows), got shape "
                    f"{tuple(s.shape)}"
                )
            if d is not None and s.shape[1] != d:
                raise ValueError(
                    f"{name} must share one dimension d, got {d} and {s.shape[1]} ({where})"
                )
            d = s.shape[1]
        call.xp = xp
        if call.enabled:
            for where, s in zip(names, sets):
                call.require(xp.all(xp.isfinite(s)), f"{where} must be finite, got NaN or infinity")
        return sets


def _k_fits(call):
    d, k = call.args["defining_sets"][0].shape[1], call.args["k"]
    if k > d:
        raise ValueError(f"k must be an integer in [1, d = {d}], got {k}")


def _finite(xp, a):
    """``a`` with NaN and infinity as 0: the data checks compute on it without warnings
    (the finite check of `Floats` reports those values)."""
    return xp.where(xp.isfinite(a), a, xp.zeros_like(a))


def _basis_rule(call, name):
    """``basis`` is (k, d) with k <= d, orthonormal rows; ``name``'s last axis is d."""
    basis, x = call.args["basis"], call.args[name]
    k, d = basis.shape
    if k > d:
        raise ValueError(f"basis must have at most d rows (k <= d), got shape {(k, d)}")
    if x.shape[-1] != d:
        raise ValueError(
            f"{name} and basis must share the dimension d (last axis), got shapes "
            f"{tuple(x.shape)} and {(k, d)}"
        )
    if call.enabled:
        xp = call.xp
        basis = _finite(xp, basis)
        eye = xp.eye(k, dtype=basis.dtype, device=call.device)
        call.require(
            xp.all(xp.abs(basis @ basis.T - eye) <= BASIS_TOLERANCE),
            f"basis must have orthonormal rows (|basis @ basis.T - I| <= {BASIS_TOLERANCE}); "
            "use bias_subspace, or normalise a single direction",
        )


def _tolerance(xp, dtype):
    return math.sqrt(float(xp.finfo(dtype).eps))


def _neutralize_rule(call):
    _basis_rule(call, "w")
    if call.enabled:
        xp = call.xp
        w, basis = _finite(xp, call.args["w"]), _finite(xp, call.args["basis"])
        rest = xp.linalg.vector_norm(w - (w @ basis.T) @ basis, axis=-1)
        call.require(
            xp.all(
                (rest > 0) & (rest > _tolerance(xp, w.dtype) * xp.linalg.vector_norm(w, axis=-1))
            ),
            "w must not be zero or lie in the bias subspace (nothing is left to normalise)",
        )


def _equalize_rule(call):
    pair = call.args["pair"]
    if pair.ndim != 2 or pair.shape[0] < 2:
        raise ValueError(
            f"pair must be (2, d) (or (m, d), m >= 2, for a larger equality set), got shape "
            f"{tuple(pair.shape)}"
        )
    _basis_rule(call, "pair")
    if call.enabled:
        xp, basis = call.xp, _finite(call.xp, call.args["basis"])
        pair = _finite(xp, pair)
        norms = xp.linalg.vector_norm(pair, axis=-1, keepdims=True)
        call.require(xp.all(norms > 0), "pair must not hold a zero vector")
        unit = pair / xp.where(norms > 0, norms, xp.ones_like(norms))
        w_b = (unit @ basis.T) @ basis
        spread = xp.linalg.vector_norm(w_b - xp.mean(w_b, axis=0), axis=-1)
        call.require(
            xp.all(spread > _tolerance(xp, pair.dtype)),
            "pair must differ inside the bias subspace: a word's projection on it equals "
            "the pair's mean, so there is no direction to equalize along",
        )


# --------------------------------------------------------------------------
# E1, E2: the bias subspace
# --------------------------------------------------------------------------


@checked(defining_sets=DefiningSets(), k=Count(1), extra=_k_fits)
def bias_subspace(defining_sets, *, k=1):
    r"""The bias subspace $B$: the top-``k`` singular directions of the defining sets' $C$.

    Slide formula: E1, E2.

    Parameters
    ----------
    defining_sets : list of array-like
        The defining sets $D_1, \dots, D_n$, each an ``(n_i, d)`` array of
        word vectors (rows) with $n_i \ge 2$, such as the vectors of
        ``(he, she)`` and ``(man, woman)``. A list, not one 3-D array: pass
        ``list(pairs)`` for a ``(sets, words, d)`` array.
    k : int, default=1
        The dimension of the subspace, $1 \le k \le d$.

    Returns
    -------
    array
        ``(k, d)`` orthonormal rows $\vec b_1, \dots, \vec b_k$ spanning $B$,
        strongest direction first, in the sets' namespace and floating dtype.
        A singular vector's sign is arbitrary; here each row is turned to
        point towards the first word of the first set (``he`` rather than
        ``she``), or left as it is where it is orthogonal to that word's offset.

    Raises
    ------
    TypeError
        If ``defining_sets`` is not a list of arrays of real numbers, or
        ``k`` is not an integer.
    ValueError
        If a set is not 2-D with at least 2 words, the sets differ in
        dimension, a value is NaN or infinite, or ``k`` is not in $[1, d]$.

    Notes
    -----
    $$\mu_i = \frac{1}{|D_i|}\sum_{w\in D_i}\vec w, \qquad
    C = \sum_{i=1}^{n}\sum_{w\in D_i}\frac{(\vec w-\mu_i)^\top(\vec w-\mu_i)}{|D_i|}$$

    and $B$ is the first ``k`` rows of $\mathrm{SVD}(C)$. $C$ is symmetric
    positive semi-definite, so its right singular vectors are its
    eigenvectors: $B$ is the principal subspace of the centred words, each set
    weighing $1/|D_i|$ per word. For pairs, the centred words are
    $\pm(\vec w_1 - \vec w_2)/2$: $B$ is the principal subspace of the pair
    differences, the PCA of Bolukbasi et al. Directions beyond the rank of
    $C$ (more than the sets can tell apart) are arbitrary.

    Examples
    --------
    Two pairs that differ only along the first axis:

    >>> sets = [[[0.6, 0.8, 0.0], [-0.6, 0.8, 0.0]], [[0.6, 0.0, 0.8], [-0.6, 0.0, 0.8]]]
    >>> basis = bias_subspace(sets)
    >>> tuple(basis.shape), round(float(basis[0, 0]), 6)
    ((1, 3), 1.0)
    """
    xp, *sets = float_arrays(*defining_sets)
    C = 0
    for D in sets:
        centred = D - xp.mean(D, axis=0)  # w - mu_i (E1)
        C = C + centred.T @ centred / D.shape[0]  # E2
    basis = xp.linalg.svd(C)[2][:k, :]  # first k rows of SVD(C)
    first = sets[0][:1, :] - xp.mean(sets[0], axis=0)  # the first word's offset
    return xp.where(basis @ first.T < 0, -basis, basis)  # rows point towards it


# --------------------------------------------------------------------------
# E3: neutralize
# --------------------------------------------------------------------------


@checked(w=Floats(ndim=(1, 2)), basis=Floats(ndim=2), extra=_neutralize_rule)
def neutralize(w, basis):
    r"""Remove a word's component in the bias subspace, then scale it to unit length.

    Slide formula: E3.

    Parameters
    ----------
    w : array-like
        One word vector ``(d,)`` or words as rows ``(n, d)``: the words that
        should be neutral (``doctor``, ``nurse``). Not modified.
    basis : array-like
        ``(k, d)`` orthonormal rows spanning $B$, as `bias_subspace` returns
        them (orthonormal to 1e-4).

    Returns
    -------
    array
        The neutralized words, ``w``'s shape: unit vectors orthogonal to
        every row of ``basis``.

    Raises
    ------
    TypeError
        If an input does not hold real numbers.
    ValueError
        If the dimensions differ, ``basis`` is not orthonormal, an input holds
        NaN or infinity, or a word is zero or lies in $B$ (nothing is left).

    Notes
    -----
    $$\vec w := \frac{\vec w - \vec w_B}{\lVert \vec w - \vec w_B\rVert}, \qquad
    \vec w_B = \sum_{j=1}^{k}(\vec w\cdot\vec b_j)\,\vec b_j$$

    Examples
    --------
    >>> w = neutralize([0.5, 0.3, 0.4], [[1.0, 0.0, 0.0]])
    >>> [round(v, 6) for v in w.tolist()]
    [0.0, 0.6, 0.8]
    """
    xp, w, basis = float_arrays(w, basis)
    w_B = (w @ basis.T) @ basis  # the projection on B
    return (w - w_B) / xp.linalg.vector_norm(w - w_B, axis=-1, keepdims=True)


# --------------------------------------------------------------------------
# E4: equalize
# --------------------------------------------------------------------------


@checked(pair=Floats(ndim=2), basis=Floats(ndim=2), extra=_equalize_rule)
def equalize(pair, basis):
    r"""Equalize a pair: unit vectors that differ only inside the bias subspace.

    Slide formula: E4.

    Parameters
    ----------
    pair : array-like
        ``(2, d)``: the two words of an equality set as rows (``grandmother``,
        ``grandfather``); any ``(m, d)`` equality set with $m \ge 2$ works
        too. Scaled to unit length first (the paper's embeddings are unit
        vectors). Not modified.
    basis : array-like
        ``(k, d)`` orthonormal rows spanning $B$, as `bias_subspace` returns
        them.

    Returns
    -------
    array
        The equalized words, ``pair``'s shape: unit vectors with the same
        component $\nu$ outside $B$, so that every vector orthogonal to $B$
        (a neutralized word) is at the same distance from each of them.

    Raises
    ------
    TypeError
        If an input does not hold real numbers.
    ValueError
        If ``pair`` is not ``(m, d)`` with $m \ge 2$, the dimensions differ,
        ``basis`` is not orthonormal, an input holds NaN or infinity, a word
        is zero, or a word's projection on $B$ equals the pair's mean (its
        direction in $B$ is undefined).

    Notes
    -----
    $$\mu = \frac{1}{|E|}\sum_{w\in E}\vec w, \qquad \nu = \mu - \mu_B, \qquad
    \vec w := \nu + \sqrt{1-\lVert\nu\rVert^2}\,
    \frac{\vec w_B-\mu_B}{\lVert\vec w_B-\mu_B\rVert}$$

    The slide's formula is the paper's, and right: $\nu$ is orthogonal to
    $B$ and the last term is a unit vector inside it, so
    $\lVert\vec w\rVert^2 = \lVert\nu\rVert^2 + (1-\lVert\nu\rVert^2) = 1$,
    and $\vec w\cdot\vec n = \nu\cdot\vec n$ is the same for every word of
    the set when $\vec n \perp B$. It needs $\lVert\nu\rVert \le 1$, which
    holds for unit vectors (hence the scaling first); the root is clipped at
    0 against rounding.

    Examples
    --------
    >>> e = equalize([[0.8, 0.6, 0.0], [-0.6, 0.8, 0.0]], [[1.0, 0.0, 0.0]])
    >>> [[round(v, 3) for v in row] for row in e.tolist()]
    [[0.714, 0.7, 0.0], [-0.714, 0.7, 0.0]]
    """
    xp, pair, basis = float_arrays(pair, basis)
    pair = pair / xp.linalg.vector_norm(pair, axis=-1, keepdims=True)  # unit vectors
    mu = xp.mean(pair, axis=0)
    mu_B = (mu @ basis.T) @ basis
    nu = mu - mu_B
    w_B = (pair @ basis.T) @ basis
    inside = (w_B - mu_B) / xp.linalg.vector_norm(w_B - mu_B, axis=-1, keepdims=True)
    return nu + xp.sqrt(xp.clip(1 - xp.sum(nu * nu), min=0.0)) * inside

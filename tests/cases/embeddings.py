"""Valid calls of dlnotes.embeddings (see tests/cases/__init__.py)."""

import numpy as np

from tests.cases import case

_RNG = np.random.default_rng(11)
_D = 6
_PLANTED = np.linalg.qr(_RNG.normal(size=(_D, 2)))[0].T  # two orthonormal rows
# four pairs that differ mostly along _PLANTED[0], a little along _PLANTED[1]
_PAIRS = [
    np.stack([c + s * _PLANTED[0] + t * _PLANTED[1], c - s * _PLANTED[0] - t * _PLANTED[1]])
    for c, s, t in zip(_RNG.normal(size=(4, _D)), (1.0, 0.8, 1.2, 0.9), (0.3, -0.1, 0.2, 0.05))
]
_TRIPLE = _RNG.normal(size=(3, _D))  # a defining set of three words
BASIS1 = _PLANTED[:1]
BASIS2 = _PLANTED.copy()

CASES = {
    "bias_subspace": [
        case(_PAIRS),
        case(_PAIRS + [_TRIPLE], k=2),
        case(tuple(_PAIRS), k=3),
        case([[[0.6, 0.8, 0.0], [-0.6, 0.8, 0.0]], [[0.6, 0.0, 0.8], [-0.6, 0.0, 0.8]]]),
    ],
    "neutralize": [
        case(_RNG.normal(size=_D), BASIS1),
        case(_RNG.normal(size=(5, _D)), BASIS2),
        case([0.5, 0.3, 0.4], [[1.0, 0.0, 0.0]]),
    ],
    "equalize": [
        case(_PAIRS[0], BASIS1),
        case(_PAIRS[1] * 3.0, BASIS2),  # not unit vectors: scaled first
        case(_TRIPLE, BASIS2),  # an equality set of three words
        case([[0.8, 0.6, 0.0], [-0.6, 0.8, 0.0]], [[1.0, 0.0, 0.0]]),
    ],
}

"""Valid calls of dlnotes.regularization (see tests/cases/__init__.py)."""

import numpy as np

from tests.cases import case

_RNG = np.random.default_rng(9)
X2 = _RNG.normal(size=(5, 3))  # (N, C)
X4 = _RNG.normal(loc=2.0, scale=3.0, size=(4, 6, 3, 2))  # (N, C, H, W)
X3 = _RNG.normal(size=(2, 3, 5))  # (N, C, L)
G3, B3 = np.array([1.0, 0.5, 2.0]), np.array([0.0, -1.0, 0.25])
G6, B6 = np.linspace(0.5, 1.5, 6), np.linspace(-0.5, 0.5, 6)
GRAD4 = _RNG.normal(size=X4.shape)
W = np.array([[0.5, -1.5, 0.0], [2.0, 0.25, -0.75]])

CASES = {
    "weight_decay": [
        case(np.array([1.0, -2.0]), np.array([0.5, 0.5]), lr=0.1, decay=0.01),
        case(W, W[::-1].copy(), lr=0.01, decay=0.1, mode="decoupled"),
    ],
    "l1_penalty": [case(W, lam=0.1), case(np.array(3.0), lam=0.0)],
    "l1_penalty_grad": [case(W, lam=0.1)],
    "l2_penalty": [case(W, lam=0.1), case(np.array([1.0, -2.0]), lam=2.0)],
    "l2_penalty_grad": [case(W, lam=0.1)],
    "dropout": [
        case(X4, 0.3, seed=0),
        case(W, p=0.0, seed=1),
        case(X2, 0.5, training=False),
    ],
    "batch_norm": [
        case(X2, G3, B3),
        case(X4, G6, B6, np.zeros(6), np.ones(6), momentum=0.2),
        case(X4, G6, B6, B6 + 1.0, G6, training=False, eps=1e-3),
    ],
    "batch_norm_backward": [
        case(X2[::-1].copy(), X2, G3),
        case(GRAD4, X4, G6, eps=1e-3),
    ],
    "layer_norm": [
        case(X2),
        case(X4, np.ones((3, 2)), np.zeros((3, 2)), normalized_ndim=2),
    ],
    "instance_norm": [case(X3), case(X4, G6, B6)],
    "group_norm": [case(X4, 3, G6, B6), case(X2, 1), case(X3, 3, beta=B3)],
}

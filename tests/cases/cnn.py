"""Valid calls of dlnotes.cnn (see tests/cases/__init__.py).

The backward pass needs a cache of the forward pass: `_forward` computes one
with NumPy alone (these files cannot import dlnotes).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tests.cases import XP, case

_RNG = np.random.default_rng(12)


def _conv_same(x, w, b):
    """A stride-1 "same" convolution (cross-correlation) of (N, C, H, W) with (O, C, k, k)."""
    p = w.shape[-1] // 2
    windows = sliding_window_view(np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))), w.shape[-2:], (2, 3))
    return np.einsum("nchwij,ocij->nohw", windows, w) + b[:, None, None]


def _forward(params, x):
    z1 = _conv_same(x, params["conv1_weight"], params["conv1_bias"])
    n, c, h, w = z1.shape
    blocks = np.maximum(z1, 0).reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5)
    flat = blocks.reshape(n, c, h // 2, w // 2, 4)
    k = np.argmax(flat, axis=-1)  # the first maximum of each 2x2 window
    rows = np.arange(h // 2)[:, None] * 2 + k // 2
    cols = np.arange(w // 2)[None, :] * 2 + k % 2
    p1 = np.take_along_axis(flat, k[..., None], axis=-1)[..., 0]
    z2 = _conv_same(p1, params["conv2_weight"], params["conv2_bias"])
    cache = {"input": x, "conv1": z1, "pool1": p1, "pool1_indices": rows * w + cols}
    cache.update(conv2=z2, features=np.maximum(z2, 0))
    return cache


def _params(c_in, c1, c2, k, n_classes):
    return {
        "conv1_weight": _RNG.normal(size=(c1, c_in, k, k)) * 0.5,
        "conv1_bias": _RNG.normal(size=c1) * 0.1,
        "conv2_weight": _RNG.normal(size=(c2, c1, k, k)) * 0.3,
        "conv2_bias": _RNG.normal(size=c2) * 0.1,
        "linear_weight": _RNG.normal(size=(n_classes, c2)),
        "linear_bias": _RNG.normal(size=n_classes),
    }


P1 = _params(1, 3, 4, 3, 3)
X1 = _RNG.normal(size=(2, 1, 6, 6))
C1 = _forward(P1, X1)
P2 = _params(2, 2, 3, 5, 2)
X2 = _RNG.normal(size=(1, 2, 4, 8))
C2 = _forward(P2, X2)

CASES = {
    "init_small_cnn": [
        case(n_classes=3, seed=0, xp=XP),
        case(n_classes=4, in_channels=3, channels=(4, 6), kernel_size=5, seed=1, xp=XP),
    ],
    "small_cnn_forward": [case(P1, X1), case(P2, X2)],
    "small_cnn_backward": [
        case(P1, C1, _RNG.normal(size=(2, 3))),
        case(P1, C1, np.zeros((2, 3)), grad_features=_RNG.normal(size=(2, 4, 3, 3))),
        case(P2, C2, np.array([[0.0, 1.0]])),
    ],
}
FLOAT64 = set()

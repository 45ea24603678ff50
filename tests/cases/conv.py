"""Valid calls of dlnotes.conv (see tests/cases/__init__.py)."""

import numpy as np

from tests.cases import case

_RNG = np.random.default_rng(10)
X = _RNG.normal(size=(2, 4, 6, 5))  # (N, C, H, W)
X3 = _RNG.normal(size=(2, 5, 5))  # (C, H, W)
W = _RNG.normal(size=(6, 2, 3, 2))  # (C_out, C_in / groups, kh, kw), groups=2
W1 = _RNG.normal(size=(3, 4, 3, 3))
W3 = _RNG.normal(size=(3, 2, 2, 2))
WT = _RNG.normal(size=(4, 3, 3, 3))  # transposed: (C_in, C_out / groups, kh, kw)
B6, B3 = _RNG.normal(size=6), _RNG.normal(size=3)
G1 = _RNG.normal(size=(2, 3, 6, 5))  # grad of conv2d(X, W1, padding=1)
GW = _RNG.normal(size=(2, 6, 3, 5))  # grad of conv2d(X, W, stride=(2, 1), dilation=(1, 2))
IMG = np.arange(1.0, 17.0).reshape(4, 4)

CASES = {
    "conv2d": [
        case(X, W1, B3, padding=1),
        case(X, W, B6, stride=(2, 1), padding=(1, 1), dilation=(1, 2), groups=2),
        case(X3, W3, stride=2),
    ],
    "conv2d_backward": [
        case(G1, X, W1, padding=1),
        case(GW, X, W, stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
    ],
    "conv_transpose2d": [
        case(X, WT, B3, stride=2, padding=1, output_padding=1),
        case(X, WT[:, :2], np.zeros(4), stride=(1, 2), dilation=2, groups=2),
    ],
    "conv_matrix": [
        case(np.array([1.0, 2.0, 3.0]), 5, padding=1),
        case(np.array([0.5, -1.0, 2.0]), 6, stride=2),
    ],
    "zero_insert": [case(IMG), case(X, 3)],
    "upsample_nearest": [case(IMG), case(X, 3)],
    "upsample_bilinear": [case(IMG), case(X, 3)],
    "upsample_bicubic": [case(IMG), case(X, 3)],
}

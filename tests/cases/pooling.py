"""Valid calls of dlnotes.pooling (see tests/cases/__init__.py)."""

import numpy as np

from tests.cases import case

_RNG = np.random.default_rng(10)
SLIDE = np.array([[[[1.0, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]]]])
X4 = _RNG.normal(size=(2, 3, 5, 6))  # (N, C, H, W)
X3 = _RNG.normal(size=(3, 4, 4))  # (C, H, W)
IDX_SLIDE = np.array([[[[5, 2], [12, 15]]]])
# max_pool2d(X4, 3, stride=2, padding=1): a (2, 3, 3, 3) output, windows overlapping
IDX_OVERLAP = np.array(
    [[[[0, 2, 4], [12, 14, 16], [24, 26, 28]]] * 3] * 2
)  # positions in the 5x6 plane, one per window (not the argmax: any valid index)
GRAD_OVERLAP = _RNG.normal(size=(2, 3, 3, 3))
IDX_REPEAT = np.array([[[1, 1], [5, 5]]] * 3)  # (3, 2, 2), repeated positions of a 4x4 plane

CASES = {
    "max_pool2d": [
        case(SLIDE, 2),
        case(X4, 3, stride=2, padding=1),
        case(X3, (2, 3), stride=(1, 1)),
    ],
    "max_pool2d_backward": [
        case(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), IDX_SLIDE, (1, 1, 4, 4)),
        case(GRAD_OVERLAP, IDX_OVERLAP, (2, 3, 5, 6)),
        case(_RNG.normal(size=(3, 2, 2)), IDX_REPEAT, (3, 4, 4)),
        case(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), IDX_SLIDE, (1, 1, 4, 4), kernel_size=2),
        case(GRAD_OVERLAP, IDX_OVERLAP, (2, 3, 5, 6), kernel_size=3, stride=2, padding=1),
    ],
    "max_unpool2d": [
        case(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), IDX_SLIDE, (4, 4)),
        case(GRAD_OVERLAP, IDX_OVERLAP, (2, 3, 5, 6)),
        case(_RNG.normal(size=(3, 2, 2)), IDX_REPEAT, (4, 4)),
    ],
    "avg_pool2d": [
        case(SLIDE, 2),
        case(X4, 3, stride=2, padding=1),
        case(X3, (2, 3), stride=1),
    ],
    "avg_pool2d_backward": [
        case(np.ones((1, 1, 2, 2)), (1, 1, 4, 4), 2),
        case(GRAD_OVERLAP, (2, 3, 5, 6), 3, stride=2, padding=1),
        case(_RNG.normal(size=(3, 3, 2)), (3, 4, 4), (2, 3), stride=1),
    ],
}

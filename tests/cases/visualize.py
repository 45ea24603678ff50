"""Valid calls of dlnotes.visualize (see tests/cases/__init__.py)."""

import numpy as np

from tests.cases import case

_RNG = np.random.default_rng(11)
IMAGE = _RNG.normal(size=(1, 6, 6))  # (C, H, W)
GRAD = _RNG.normal(size=(1, 6, 6))
A3 = np.abs(_RNG.normal(size=(4, 3, 3)))  # (K, H, W) feature maps after a ReLU
G3 = _RNG.normal(size=(4, 3, 3))
A4 = np.abs(_RNG.normal(size=(2, 4, 3, 3)))  # (N, K, H, W)
G4 = _RNG.normal(size=(2, 4, 3, 3))

CASES = {
    "gradient_ascent_step": [
        case(IMAGE, GRAD, lr=0.1),
        case(np.zeros(5), np.arange(5.0), lr=2.0),
    ],
    "filter_ascent_step": [
        case(IMAGE, GRAD, lr=0.1),
        case(np.zeros(4), np.zeros(4), lr=1.0),  # a zero gradient: a zero step
        case(np.zeros(3), np.array([1e30, -1e30, 3.0]), lr=1.0, eps=1e-6),
    ],
    "deep_dream_step": [
        case(IMAGE, GRAD, lr=0.1),
        case(np.zeros(4), np.zeros(4), lr=1.0),
        case(np.ones(3), np.array([3e37, -3e37, 3e37]), lr=0.5, eps=1e-4),
    ],
    "grad_cam_weights": [case(G3), case(G4)],
    "grad_cam": [
        case(A3, G3),
        case(A4, G4, relu=False),
        case(A4, G4, normalize=False),
        case(np.zeros((2, 3, 3)), G3[:2]),  # an all-zero map stays zero
    ],
    "cam": [
        case(A3, G3[:, 0, 0]),
        case(A4, G4[:, :, 0, 0], normalize=False),
        case(A3, -np.abs(G3[:, 0, 0])),  # no positive maximum: not divided
    ],
}

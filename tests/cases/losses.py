"""Valid calls of dlnotes.losses (see tests/cases/__init__.py)."""

import numpy as np

from tests.cases import case

# The NN1/NN2 table of 001 (one-hot targets, two networks' probabilities).
TABLE = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
NN1 = np.array([[0.9, 0.1], [0.1, 0.9], [0.4, 0.6]])
NN2 = np.array([[0.6, 0.4], [0.3, 0.7], [0.1, 0.9]])
LOGITS = np.array([[2.0, -1.0], [0.5, 1.5], [0.0, 3.0]])
INDICES = np.array([0, 1, 0])
PIXELS = np.linspace(-3.0, 3.0, 2 * 3 * 2 * 2).reshape(2, 3, 2, 2)  # (N, C, H, W)
PIXEL_CLASSES = np.array([[[0, 1], [2, 0]], [[1, 1], [2, 2]]])
LABELS = np.array([1.0, -1.0, 1.0, -1.0])
SCORES = np.array([2.0, 0.5, -1.0, -3.0])
BITS_A = np.array([[1.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
BITS_B = np.array([[1.0, 1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0]])
P_DIST = np.array([[0.8, 0.2, 0.0], [0.1, 0.6, 0.3]])
Q_DIST = np.array([[0.5, 0.25, 0.25], [0.2, 0.5, 0.3]])

CASES = {
    "mae": [
        case(np.array([10.0]), np.array([14.0])),
        case(TABLE, NN1, axis=-1, reduction="none"),
    ],
    "mae_grad": [
        case(TABLE, NN1),
        case(TABLE, NN2, axis=1, reduction="sum"),
    ],
    "mse": [
        case(np.array([10.0]), np.array([14.0])),
        case(TABLE, NN1, axis=-1),
        case(TABLE, NN2, reduction="none"),
    ],
    "mse_grad": [
        case(np.array([10.0]), np.array([14.0])),
        case(TABLE, NN1, axis=-1, reduction="mean"),
    ],
    "binary_cross_entropy": [
        case(TABLE, NN2),
        case(np.array([1.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.7]), reduction="none", eps=1e-3),
    ],
    "binary_cross_entropy_grad": [
        case(TABLE, NN2),
        case(np.array([1.0, 0.0]), np.array([0.0, 1.0]), reduction="sum"),
    ],
    "binary_cross_entropy_with_logits": [
        case(TABLE, LOGITS),
        case(np.array([1.0, 0.0]), np.array([1000.0, -1000.0]), reduction="none"),
    ],
    "binary_cross_entropy_with_logits_grad": [
        case(TABLE, LOGITS),
        case(np.array([1.0, 0.0]), np.array([0.0, 0.0]), reduction="sum"),
    ],
    "categorical_cross_entropy": [
        case(TABLE, NN1),
        case(TABLE, np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]), reduction="none"),
    ],
    "softmax_cross_entropy": [
        case(INDICES, LOGITS),
        case(TABLE, LOGITS, reduction="sum"),
        case(PIXEL_CLASSES, PIXELS, axis=1, reduction="none"),
    ],
    "softmax_cross_entropy_grad": [
        case(INDICES, LOGITS),
        case(NN2, LOGITS, reduction="sum"),
        case(PIXEL_CLASSES, PIXELS, axis=1),
    ],
    "softmax_cross_entropy_and_grad": [
        case(INDICES, LOGITS),
        case(NN2, LOGITS, reduction="none"),
        case(PIXEL_CLASSES, PIXELS, axis=1, reduction="sum"),
    ],
    "classification_error": [
        case(TABLE, NN1),
        case(INDICES, NN2, reduction="none"),
    ],
    "hinge": [
        case(LABELS, SCORES),
        case(LABELS, SCORES, reduction="none"),
    ],
    "squared_hinge": [
        case(LABELS, SCORES, reduction="sum"),
    ],
    "absolute_margin": [
        case(LABELS, SCORES),
    ],
    "exponential": [
        case(LABELS, SCORES),
        case(np.array([1.0, 1.0]), np.array([-1000.0, 1000.0]), reduction="none"),
    ],
    "minkowski": [
        case(NN1, NN2, q=3),
        case(np.zeros(2), np.array([3.0, 4.0]), q=1000.0, axis=None),
        case(NN1, NN2, q=float("inf"), reduction="none"),
    ],
    "chebyshev": [
        case(NN1, NN2),
        case(NN1, NN2, axis=None, reduction="sum"),
    ],
    "hamming": [
        case(BITS_A, BITS_B),
        case(BITS_A, BITS_B, normalize=True, reduction="none"),
        case(BITS_A, BITS_B, axis=None),
    ],
    "kl_divergence": [
        case(P_DIST, Q_DIST),
        case(Q_DIST, P_DIST, reduction="none"),
    ],
    "focal_loss": [
        case(TABLE, LOGITS),
        case(TABLE, LOGITS, alpha=None, gamma=0.5, reduction="none"),
    ],
    "gan_discriminator_loss": [
        case(SCORES, LOGITS[0]),
        case(np.array([0.9, 0.6]), np.array([0.2, 0.5]), from_logits=False, reduction="none"),
    ],
    "gan_generator_loss": [
        case(SCORES),
        case(np.array([0.1, 0.7]), mode="minimax", from_logits=False, reduction="sum"),
    ],
    "gan_generator_loss_grad": [
        case(SCORES),
        case(SCORES, mode="minimax", reduction="none"),
    ],
}

SYNCS = {}

FLOAT64 = set()

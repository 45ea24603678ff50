"""Valid calls of dlnotes.optim (see tests/cases/__init__.py)."""

from collections import namedtuple

import numpy as np

from tests.cases import XP, case

# The states as the step functions return them: NamedTuples with these field names
# (the package checks the fields, so these stand in for dlnotes' own classes here).
MomentumState = namedtuple("MomentumState", ["velocity"])
AdagradState = namedtuple("AdagradState", ["sum_sq"])
RMSpropState = namedtuple("RMSpropState", ["square_avg"])
AdamState = namedtuple("AdamState", ["m", "v", "step"])

P = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
G = np.array([[0.25, -0.5, 1.0], [2.0, -0.125, 0.0]])
S = np.array([[0.5, 0.25, 0.125], [1.0, 2.0, 0.0625]])  # >= 0: a valid sum of squares
X = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, -1.0], [3.0, 2.0], [4.0, 0.0]])
Y = np.array([1.0, 2.5, 2.0, 8.0, 5.0])

CASES = {
    "gd_step": [
        case(np.array([2.0, 2.0, 2.0]), np.array([8.0, 8.0, 24.0]), lr=0.04),
        case(4.0, np.array(8.0), lr=0.5),
    ],
    "uniform_init": [
        case((3, 4), seed=0, xp=XP),
        case(5, low=-1.0, high=2.0, seed=1, xp=XP),
    ],
    "normal_init": [case((2, 3), seed=0, xp=XP), case((4,), std=0.5, seed=2, xp=XP)],
    "xavier_uniform": [case((3, 4), seed=0, xp=XP), case((2, 3, 3, 3), gain=2.0, seed=1, xp=XP)],
    "xavier_normal": [case((3, 4), seed=0, xp=XP), case((2, 3, 3, 3), gain=0.5, seed=1, xp=XP)],
    "he_normal": [case((3, 4), seed=0, xp=XP), case((2, 3, 5), seed=3, xp=XP)],
    "batch_gd": [
        case(X, Y, lr=0.01, epochs=5),
        case(X[:, 0], Y, np.array([0.5, 1.0]), lr=0.02, epochs=3),
    ],
    "sgd": [
        case(X, Y, lr=0.01, epochs=2, seed=0),
        case(X, Y, np.array([0.0, 1.0, -1.0]), lr=0.01, epochs=2, batch_size=2, seed=1),
    ],
    "momentum_step": [
        case(P, G, lr=0.1),
        case(P, G, MomentumState(0.5 * G), lr=0.05, momentum=0.5),
    ],
    "adagrad_step": [case(P, G), case(P, G, AdagradState(S), lr=0.1)],
    "rmsprop_step": [case(P, G), case(P, G, RMSpropState(S), lr=0.001, alpha=0.9)],
    "adam_step": [
        case(P, G),
        case(P, G, AdamState(0.1 * G, S, 3), lr=0.01, betas=(0.8, 0.99), eps=1e-6),
    ],
}

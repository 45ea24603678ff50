"""Valid calls of dlnotes.data (see tests/cases/__init__.py)."""

import numpy as np

from tests.cases import XP, case

CASES = {
    "train_val_test_split": [
        case(10, fractions=(0.6, 0.2, 0.2), seed=0, xp=XP),
        case(101, fractions=(0.8, 0.0, 0.2), seed=7, xp=XP),
    ],
    "kfold_indices": [
        case(5, 2, shuffle=False, xp=XP),
        case(17, 5, seed=3, xp=XP),
    ],
    "standardize": [
        case(np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])),
        case(np.array([1.0, 2.0, 4.0])),
        case(
            np.array([[3.0, 12.0], [1.0, 9.0]]),
            mean=np.array([3.0, 10.0]),
            std=np.array([1.5, 2.0]),
        ),
    ],
}

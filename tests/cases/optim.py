"""Valid calls of dlnotes.optim (see tests/cases/__init__.py)."""

import numpy as np

from tests.cases import case

CASES = {
    "gd_step": [
        case(np.array([2.0, 2.0, 2.0]), np.array([8.0, 8.0, 24.0]), lr=0.04),
        case(4.0, np.array(8.0), lr=0.5),
    ],
}

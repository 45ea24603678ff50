"""Valid calls of dlnotes.activations (see tests/cases/__init__.py).

No activation reads its input's values (NaN and infinity are allowed), so
none makes a host-device sync: ``SYNCS`` is empty. None needs float64.
"""

import numpy as np

from tests.cases import case

X = np.array([-1000.0, -2.0, -0.3, 0.0, 0.2, 1.0, 4.0, 1000.0])  # both tails, the kink
BATCH = np.array([[2.0, 1.0, 0.0], [-1.0, 3.5, 0.25], [1000.0, 0.0, -1000.0]])
SCALAR = np.array(-0.75)  # 0-d: the result must be a 0-d array too
V = np.array([[1.0, 0.0, -0.5], [0.25, 2.0, 1.0], [-1.0, 1.0, 0.5]])

ELEMENTWISE = [case(X), case(BATCH), case(SCALAR)]

CASES = {
    "sigmoid": ELEMENTWISE,
    "sigmoid_grad": ELEMENTWISE,
    "log_sigmoid": ELEMENTWISE,
    "tanh": ELEMENTWISE,
    "tanh_grad": ELEMENTWISE,
    "relu": ELEMENTWISE,
    "relu_grad": ELEMENTWISE,
    "leaky_relu": [case(X), case(BATCH, negative_slope=0.25), case(SCALAR, negative_slope=0.0)],
    "leaky_relu_grad": [
        case(X),
        case(BATCH, negative_slope=0.25),
        case(SCALAR, negative_slope=0.0),
    ],
    "softmax": [case(X), case(BATCH), case(BATCH, axis=0)],
    "log_softmax": [case(X), case(BATCH), case(BATCH, axis=-2)],
    "softmax_grad": [case(X), case(BATCH)],
    "softmax_vjp": [
        case(X[:3], np.array([1.0, 0.0, -2.0])),
        case(BATCH, V),
        case(BATCH, V, axis=0),
    ],
    "swish": [case(X), case(BATCH, beta=2.5), case(SCALAR, beta=0.0)],
    "swish_grad": [case(X), case(BATCH, beta=2.5), case(SCALAR, beta=0.0)],
    "identity": ELEMENTWISE,
    "identity_grad": ELEMENTWISE,
    "step": ELEMENTWISE,
    "step_grad": ELEMENTWISE,
}

SYNCS: dict[str, int | None] = {}

FLOAT64: set[str] = set()

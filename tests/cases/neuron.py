"""Valid calls of dlnotes.neuron (see tests/cases/__init__.py)."""

import numpy as np

from tests.cases import Ref, case

X = np.array([1.0, 1.0, 3.0])  # the slide 004 neuron: x, w, b = 4, target 10
W = np.array([2.0, 2.0, 2.0])
ROWS = np.array([[1.0, 1.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 2.0, 0.5]])
GATES = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
OR = np.array([0.0, 1.0, 1.0, 1.0])
XOR = np.array([0.0, 1.0, 1.0, 0.0])

# Plain Python scalars here are exact in float32: the package's as_float_arrays converts
# them through torch's default float32 first (0.2 -> 0.20000000298), the snippet does not.
CASES = {
    "forward": [
        case(X, W, 4.0),
        case(ROWS, W, np.array(-0.5), activation=Ref("activations.sigmoid")),
        case(ROWS, W, return_preactivation=True, activation=Ref("activations.tanh")),
    ],
    "dense": [
        case(np.array([X]), np.array([W, [3.0, 1.0, 1.0]]), np.array([4.0, 0.0])),
        case(X, np.array([W, -W]), activation=Ref("activations.relu")),
        case(ROWS, np.array([W]), 0.5, return_preactivation=True),
    ],
    "gradients": [
        case(X, W, 4.0, 10.0),
        case(
            ROWS,
            W,
            0.375,
            np.array([1.0, 0.0, 0.5]),
            activation=Ref("activations.sigmoid"),
            activation_grad=Ref("activations.sigmoid_grad"),
        ),
        case(
            X,
            W,
            np.array(-1.0),
            np.array(0.2),
            activation=Ref("activations.tanh"),
            activation_grad=Ref("activations.tanh_grad"),
        ),
    ],
    "delta_rule": [  # every case: 4 samples of 2 inputs, 1 epoch (the pinned sync count)
        case(GATES, OR, np.array([0.1, -0.2])),
        case(GATES, XOR, np.array([0.5, 0.5]), lr=0.1),
    ],
    "perceptron_train": [
        case(GATES, OR),
        case(GATES, np.array([0.0, 0.0, 0.0, 1.0]), w=np.array([0.5, -0.5]), b=0.25, lr=0.5),
        case(GATES, XOR, max_epochs=5),
    ],
}

SYNCS = {
    # The table of plain Python numbers: the start weights (2 values), then per update
    # the sample (2), its target, the two predictions and the new weights (2): 2 + 4 * 7.
    "delta_rule": 30,
    # The convergence test reads each epoch's mistakes; the number of epochs run (and so
    # the length of `errors`) depends on the data.
    "perceptron_train": None,
}

"""Small assertions shared by the test modules."""

from __future__ import annotations

import numpy as np

from dlnotes.backend import to_numpy


def assert_close(actual, expected, *, rtol=1e-7, atol=1e-12):
    """Compare any backend's array with a NumPy or array-like expectation."""
    np.testing.assert_allclose(to_numpy(actual), to_numpy(expected), rtol=rtol, atol=atol)


def numerical_grad(f, x, eps=1e-6):
    """Central finite-difference gradient of a scalar function of a float64 NumPy array."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (float(f(x + step)) - float(f(x - step))) / (2 * eps)
    return grad

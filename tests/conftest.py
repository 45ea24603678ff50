"""Shared fixtures: the backends every backend test runs on.

``xp`` is parametrised over NumPy, array-api-strict, PyTorch and CuPy. A
backend whose library is missing, or CuPy without a GPU, is skipped with the
reason, so CI (which installs every reference library) skips only CuPy.
"""

from __future__ import annotations

import pytest

from dlnotes import backend

BACKEND_NAMES = ["numpy", "array_api_strict", "torch", "cupy"]


def namespace_or_skip(name: str):
    """The namespace called ``name``, or a skip saying why it cannot run here."""
    try:
        return backend.resolve_backend(name)
    except ImportError:
        pytest.skip(f"{name} is not installed")
    except RuntimeError as err:  # CuPy without a GPU
        pytest.skip(str(err))


@pytest.fixture(params=BACKEND_NAMES)
def xp(request):
    """An array-API namespace: numpy, array_api_strict, torch or cupy."""
    return namespace_or_skip(request.param)


@pytest.fixture
def torch():
    """PyTorch, the reference implementation for most formulas (skip if absent)."""
    return pytest.importorskip("torch", reason="torch is the reference; pip install torch==2.13.0")


@pytest.fixture(autouse=True)
def _default_backend_restored():
    """A test that changes the default backend must not leak it to the next."""
    previous = backend.get_backend()
    yield
    backend.set_backend(previous)

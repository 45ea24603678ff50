"""The backend policy of dlnotes.backend: namespace from the inputs, default for creation."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from dlnotes import backend
from dlnotes.activations import sigmoid, softmax
from tests.conftest import namespace_or_skip


def test_default_is_numpy():
    assert backend.get_backend().__name__ == "array_api_compat.numpy"


def test_plain_input_uses_default_backend():
    out = sigmoid([0.0, 1.0])
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float64


def test_arrays_keep_their_namespace(xp):
    x = xp.asarray([[1.0, 2.0], [3.0, 4.0]], dtype=xp.float32)
    out = softmax(x)
    assert backend.array_namespace(out) is backend.array_namespace(x)
    assert out.dtype == xp.float32


def test_plain_arguments_follow_the_array_argument(xp):
    space, a, b = backend.as_float_arrays(xp.asarray([1.0], dtype=xp.float32), [2])
    assert space is backend.array_namespace(a)
    assert a.dtype == b.dtype == xp.float32


def test_mixed_libraries_are_a_type_error():
    torch = pytest.importorskip("torch", reason="needs a second array library")
    with pytest.raises(TypeError, match="one array library"):
        backend.array_namespace(np.ones(2), torch.ones(2))


@pytest.mark.parametrize("name", ["numpy", "array_api_strict", "torch"])
def test_set_backend_and_context_manager(name):
    namespace_or_skip(name)
    with backend.use_backend(name) as xp:
        assert backend.get_backend() is xp
        assert backend.array_namespace([1.0]) is xp
    assert backend.get_backend().__name__ == "array_api_compat.numpy"
    previous = backend.set_backend(name)
    try:
        assert backend.get_backend() is backend.resolve_backend(name)
    finally:
        backend.set_backend(previous)


def test_context_manager_restores_after_error():
    with pytest.raises(KeyError):
        with backend.use_backend("array_api_strict"):
            raise KeyError("boom")
    assert backend.get_backend().__name__ == "array_api_compat.numpy"


def test_xp_override_wins_over_inputs():
    strict = namespace_or_skip("array_api_strict")
    assert backend.array_namespace(np.ones(2), xp="array_api_strict") is strict


def test_library_modules_are_accepted():
    assert backend.resolve_backend(np) is backend.resolve_backend("numpy")


def test_unknown_backend_name():
    with pytest.raises(ValueError, match="backend must be one of"):
        backend.set_backend("tensorflow")


def test_missing_library_says_how_to_install(monkeypatch):
    monkeypatch.setitem(backend.BACKENDS, "cupy", "dlnotes_no_such_module")
    with pytest.raises(ImportError, match="pip install"):
        backend.resolve_backend("cupy")


def test_cupy_without_gpu_fails_clearly(monkeypatch):
    """No CUDA trace: a RuntimeError that says a GPU is needed."""
    fake_cupy = types.ModuleType("cupy")
    fake_cupy.cuda = types.SimpleNamespace(is_available=lambda: False)
    fake_namespace = types.ModuleType("array_api_compat.cupy")
    monkeypatch.setitem(sys.modules, "cupy", fake_cupy)
    monkeypatch.setattr(backend.array_api_compat, "is_cupy_namespace", lambda m: m is fake_namespace)
    with pytest.raises(RuntimeError, match="needs a CUDA GPU"):
        backend._check_usable(fake_namespace)


def test_real_cupy_without_gpu_fails_clearly():
    cupy = pytest.importorskip("cupy", reason="cupy is an optional extra")
    if cupy.cuda.is_available():
        pytest.skip("a GPU is present: the CuPy backend works here")
    with pytest.raises(RuntimeError, match="needs a CUDA GPU"):
        backend.set_backend("cupy")


def test_to_numpy_from_every_backend(xp):
    x = xp.asarray([1.0, 2.0])
    out = backend.to_numpy(x)
    assert isinstance(out, np.ndarray)
    assert out.tolist() == [1.0, 2.0]


def test_random_generator_is_reproducible():
    a = backend.random_generator(3).random(4)
    b = backend.random_generator(3).random(4)
    np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(0)
    assert backend.random_generator(rng) is rng


def test_unknown_namespace_modules_are_used_as_they_are():
    """A standard namespace dlnotes does not know by name (say jax.numpy) is not
    mistaken for NumPy because its last name part is "numpy"."""
    other = types.ModuleType("otherlib.numpy")
    assert backend.resolve_backend(other) is other

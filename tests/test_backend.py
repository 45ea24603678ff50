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
    monkeypatch.setattr(
        backend.array_api_compat, "is_cupy_namespace", lambda m: m is fake_namespace
    )
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


# --------------------------------------------------------------------------
# The default backend and the checks switch are safe across threads and tasks
# --------------------------------------------------------------------------


def _in_threads(work, n=8):
    """Run ``work(i)`` in n threads that start together; return their results by i."""
    import threading

    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_use_backend_in_one_thread_does_not_leak_into_others():
    namespace_or_skip("array_api_strict")
    import time

    def work(i):
        name = "array_api_strict" if i % 2 else "numpy"
        seen = []
        with backend.use_backend(name):
            for _ in range(20):
                seen.append(type(sigmoid([0.0])).__module__.split(".")[0])
                time.sleep(0.001)
        return set(seen), name

    for seen, name in _in_threads(work):
        assert seen == {"array_api_strict" if name == "array_api_strict" else "numpy"}
    assert backend.get_backend().__name__ == "array_api_compat.numpy"


def test_set_backend_is_seen_by_every_thread_but_use_backend_wins():
    namespace_or_skip("array_api_strict")
    previous = backend.set_backend("array_api_strict")
    try:
        results = _in_threads(lambda i: backend.get_backend().__name__, n=4)
        assert set(results) == {"array_api_strict"}
        with backend.use_backend("numpy"):
            assert backend.get_backend().__name__ == "array_api_compat.numpy"
    finally:
        backend.set_backend(previous)


def test_use_backend_is_per_async_task():
    import asyncio

    namespace_or_skip("array_api_strict")

    async def task(name, delay):
        with backend.use_backend(name):
            await asyncio.sleep(delay)
            return backend.get_backend().__name__

    async def main():
        return await asyncio.gather(task("array_api_strict", 0.02), task("numpy", 0.01))

    assert asyncio.run(main()) == ["array_api_strict", "array_api_compat.numpy"]


def test_checks_switch_is_per_thread_and_nests():
    import dlnotes
    from dlnotes._checks import checks_enabled

    def work(i):
        with dlnotes.checks(i % 2 == 0):
            import time

            time.sleep(0.01)
            return checks_enabled()

    assert _in_threads(work) == [i % 2 == 0 for i in range(8)]
    with dlnotes.checks(False):
        assert not checks_enabled()
        with dlnotes.checks(True):
            assert checks_enabled()
        assert not checks_enabled()
    assert checks_enabled()


def test_checks_off_skips_data_checks_but_not_options():
    import dlnotes
    from dlnotes.optim import gd_step

    with pytest.raises(ValueError, match="param must be finite"):
        gd_step([float("nan")], [1.0], lr=0.1)
    with dlnotes.checks(False):
        assert np.isnan(gd_step([float("nan")], [1.0], lr=0.1)[0])  # the data is not read
        with pytest.raises(ValueError, match="lr"):
            gd_step([1.0], [1.0], lr=-1.0)  # an option: still checked
        with pytest.raises(TypeError, match="lr"):
            gd_step([1.0], [1.0], lr=True)
        with pytest.raises(ValueError, match="same shape"):
            gd_step([1.0], [1.0, 2.0], lr=0.1)  # shapes: still checked


def test_checks_takes_only_a_bool():
    import dlnotes

    with pytest.raises(TypeError, match="enabled"):
        dlnotes.checks("False")


def test_float_arrays_keeps_floats_and_converts_the_rest(xp):
    x = xp.asarray([1.0, 2.0], dtype=xp.float32)
    space, a, b, c = backend.float_arrays(x, [1, 2], 3)
    assert a is x
    assert b.dtype == c.dtype == xp.float32
    space, d = backend.float_arrays([1, 2])
    assert d.dtype == backend.default_float(space)


def test_default_float_without_float64():
    strict = namespace_or_skip("array_api_strict")
    device = strict.Device("no_float64")
    assert backend.default_float(strict, device) == strict.float32
    _, a = backend.as_float_arrays(strict.asarray([1, 2], device=device))
    assert a.dtype == strict.float32 and a.device == device


def test_as_float_arrays_names_the_argument():
    with pytest.raises(TypeError, match="y_pred"):
        backend.as_float_arrays([1.0], ["a"], names=("y_true", "y_pred"))
    with pytest.raises(TypeError, match="y_true"):
        backend.as_float_arrays(None, [1.0], names=("y_true", "y_pred"))


def test_backend_tabs_run_on_cupy(capsys):
    """The CuPy tabs of docs/backends.md: run each block and compare what it prints with its
    ``# expected`` comments (the CPU tabs are doctests; these need a GPU)."""
    import re
    import textwrap
    from pathlib import Path

    page = (Path(__file__).parents[1] / "docs" / "backends.md").read_text(encoding="utf-8")
    blocks = re.findall(r'=== "CuPy \(GPU\)"\n\n    ```python\n(.*?)\n    ```', page, re.S)
    assert len(blocks) == 2  # the gradient step and the detection example
    cupy = pytest.importorskip("cupy", reason="cupy is an optional extra")
    if not cupy.cuda.is_available():
        pytest.skip("no CUDA GPU: the CuPy tabs run in the GPU session")
    for block in blocks:
        code = textwrap.dedent(block)
        expected = [
            line.rsplit("# ", 1)[1].strip()
            for line in code.splitlines()
            if line.startswith("print(")
        ]
        exec(compile(code, "backends.md", "exec"), {})
        assert capsys.readouterr().out.splitlines() == expected

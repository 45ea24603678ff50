"""Every public function on array-api-strict's simulated devices: results stay on
the inputs' device, and nothing assumes float64 exists."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from tests.cases import call_on, registry

strict = pytest.importorskip("array_api_strict", reason="the devices are array-api-strict's")

CASES = registry()
NAMES = sorted(CASES)


def _package_function(name):
    module, function = name.split(".")
    return getattr(importlib.import_module(f"dlnotes.{module}"), function)


def _leaves(value):
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    else:
        yield value


def _has_arrays(one_case):
    return any(isinstance(v, np.ndarray) for v in _leaves((one_case.args, one_case.kwargs)))


def _check_device(name, result, device, *, float32):
    for leaf in _leaves(result):
        if isinstance(leaf, strict._array_object.Array):
            assert leaf.device == device, f"{name}: a result is on {leaf.device}, not {device}"
            if float32:
                assert leaf.dtype != strict.float64, f"{name}: a float64 result on no_float64"
        else:
            assert not isinstance(leaf, np.ndarray | np.generic), f"{name}: a NumPy result"


@pytest.mark.parametrize("name", NAMES)
def test_results_stay_on_the_inputs_device(name):
    device = strict.Device("device1")
    for one in CASES[name]["cases"]:
        result = call_on(
            _package_function(name), one, "array_api_strict", _package_function, device=device
        )
        if _has_arrays(one):
            _check_device(name, result, device, float32=False)


@pytest.mark.parametrize("name", NAMES)
def test_runs_on_a_device_without_float64(name):
    if CASES[name]["float64"]:
        pytest.skip(f"{name} needs float64 (declared in tests/cases)")
    device = strict.Device("no_float64")
    for one in CASES[name]["cases"]:
        if not _has_arrays(one):
            continue
        result = call_on(
            _package_function(name),
            one,
            "array_api_strict",
            _package_function,
            device=device,
            float32=True,
        )
        _check_device(name, result, device, float32=True)


@pytest.mark.parametrize("name", NAMES)
def test_numpy_results_are_arrays_never_numpy_scalars(name):
    """A scalar result is a 0-d array (``np.float64`` would not be an array-API object)."""
    for one in CASES[name]["cases"]:
        result = call_on(_package_function(name), one, "numpy", _package_function)
        scalars = [leaf for leaf in _leaves(result) if isinstance(leaf, np.generic)]
        assert not scalars, f"{name} returned NumPy scalars: {scalars[:3]}"

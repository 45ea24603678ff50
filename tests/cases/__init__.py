"""Valid calls of every public function, the inputs of the cross-cutting tests.

Each ``tests/cases/<module>.py`` holds, for the public functions of
``dlnotes.<module>``:

``CASES``
    ``{function name: [case(...), ...]}``: valid calls, arguments as NumPy
    arrays (moved to each backend by `on_backend`) or plain Python values.
    `Ref` names another public function (an activation passed as an argument).
``SYNCS``
    ``{function name: n}``: host-device syncs the formula itself makes on
    torch with the checks off, where that is not 0 (a convergence test, a
    warning decision). ``None``: the output's shape depends on the data, so
    reading the data is the algorithm (not counted).
``FLOAT64``
    Functions that need float64 (skipped on array-api-strict's no_float64
    device).

These files import NumPy only, never dlnotes: the snippet test reads them in
an interpreter where ``import dlnotes`` fails.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MODULES = (
    "neuron",
    "activations",
    "losses",
    "optim",
    "regularization",
    "pooling",
    "conv",
    "data",
    "metrics",
    "detection",
    "coco",
    "datasets",
    "embeddings",
    "visualize",
    "cnn",
)


@dataclass(frozen=True)
class Ref:
    """Another public function given as an argument, e.g. ``Ref("activations.relu")``."""

    name: str


class _XP:
    """Stands for the backend's namespace in a call: ``case(10, xp=XP)``."""

    def __repr__(self) -> str:
        return "XP"


XP = _XP()


@dataclass
class Case:
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


def case(*args: Any, **kwargs: Any) -> Case:
    """A valid call: ``case(y_true, y_pred, reduction="sum")``."""
    return Case(args, kwargs)


def registry() -> dict[str, dict[str, Any]]:
    """``{"module.function": {"cases": [...], "syncs": n or None, "float64": bool}}``."""
    out: dict[str, dict[str, Any]] = {}
    for module in MODULES:
        try:
            cases = importlib.import_module(f"tests.cases.{module}")
        except ModuleNotFoundError as err:
            if err.name != f"tests.cases.{module}":
                raise
            continue
        syncs = getattr(cases, "SYNCS", {})
        float64 = getattr(cases, "FLOAT64", set())
        for name, calls in cases.CASES.items():
            out[f"{module}.{name}"] = {
                "cases": calls,
                "syncs": syncs.get(name, 0),
                "float64": name in float64,
            }
    return out


def on_backend(value: Any, convert, resolve, namespace=None) -> Any:
    """``value`` with every NumPy array passed through ``convert``, every `Ref` through
    ``resolve`` and `XP` replaced by ``namespace``, inside lists, tuples and dicts too."""
    if isinstance(value, np.ndarray):
        return convert(value)
    if isinstance(value, Ref):
        return resolve(value.name)
    if value is XP:
        return namespace
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(on_backend(v, convert, resolve, namespace) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(on_backend(v, convert, resolve, namespace) for v in value)
    if isinstance(value, dict):
        return {k: on_backend(v, convert, resolve, namespace) for k, v in value.items()}
    return value


def namespace_of(backend: str):
    """The array-API namespace a backend's arrays have (what `XP` becomes)."""
    if backend == "array_api_strict":
        return importlib.import_module("array_api_strict")
    return importlib.import_module(f"array_api_compat.{backend}")


def call_on(fn, one_case: Case, backend: str, resolve, **convert_options: Any) -> Any:
    """Call ``fn`` with ``one_case``'s arguments moved to ``backend``."""
    convert = converter(backend, **convert_options)
    ns = namespace_of(backend)
    args = on_backend(one_case.args, convert, resolve, ns)
    kwargs = on_backend(one_case.kwargs, convert, resolve, ns)
    return fn(*args, **kwargs)


def converter(backend: str, *, device: Any = None, float32: bool = False):
    """A function moving one NumPy array to ``backend`` ("numpy", "torch", "array_api_strict")."""

    def convert(a: np.ndarray):
        if float32 and a.dtype == np.float64:
            a = a.astype(np.float32)
        if backend == "numpy":
            return a.copy()
        if backend == "torch":
            import torch

            return torch.asarray(a.copy())
        import array_api_strict

        kwargs = {} if device is None else {"device": device}
        return array_api_strict.asarray(a.copy(), **kwargs)

    return convert


def to_plain(value: Any) -> Any:
    """Results as NumPy arrays and Python values, for comparing across backends."""
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return tuple(to_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return type(value)(to_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    module = type(value).__module__.split(".")[0]
    if module == "torch":
        return value.detach().cpu().numpy()
    if module == "array_api_strict":
        import array_api_strict

        return np.asarray(value.to_device(array_api_strict.Device("CPU_DEVICE")))
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        return np.asarray(value)
    return value

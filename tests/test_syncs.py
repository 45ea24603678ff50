"""No hidden host-device syncs: with ``dlnotes.checks(False)`` a function whose
output shape does not depend on the data reads nothing back from the device.

Counted on torch tensors (CPU tensors go through the same calls a CUDA tensor
would) with a ``TorchFunctionMode`` that sees every tensor method and function.
"""

from __future__ import annotations

import importlib

import pytest

import dlnotes
from tests.cases import call_on, registry

torch = pytest.importorskip("torch", reason="syncs are counted on torch tensors")
from torch.overrides import TorchFunctionMode  # noqa: E402

CASES = registry()
COUNTED = sorted(n for n, entry in CASES.items() if entry["syncs"] is not None)

# Calls that copy tensor data to the host, or whose output size depends on the data.
_READS = {
    "__bool__",
    "item",
    "tolist",
    "__float__",
    "__int__",
    "__index__",
    "__complex__",
    "numpy",
    "__array__",
    "nonzero",
    "unique",
    "unique_consecutive",
    "masked_select",
    "argwhere",
    "__len__",
    "__iter__",
    "__format__",
    "__repr__",
    "cpu",
}
_INDEXING = {"__getitem__", "__setitem__", "index_put_", "index_put"}


def _is_bool_tensor(x):
    if isinstance(x, torch.Tensor):
        return x.dtype == torch.bool
    if isinstance(x, (tuple, list)):
        return any(_is_bool_tensor(v) for v in x)
    return False


class SyncCounter(TorchFunctionMode):
    """Counts host reads: ``.item()``, ``bool(t)``, boolean-mask indexing, ..."""

    def __init__(self):
        super().__init__()
        self.count, self.seen = 0, []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in _READS or (name in _INDEXING and len(args) > 1 and _is_bool_tensor(args[1])):
            if name != "__len__" or (args and args[0].ndim == 0):
                self.count += 1
                self.seen.append(name)
        return func(*args, **(kwargs or {}))


def _package_function(name):
    module, function = name.split(".")
    return getattr(importlib.import_module(f"dlnotes.{module}"), function)


def count_syncs(name, one_case):
    fn = _package_function(name)
    with SyncCounter() as counter:
        call_on(fn, one_case, "torch", _package_function)
    return counter.count, counter.seen


def test_the_counter_sees_syncs():
    t = torch.ones(3)
    with SyncCounter() as counter:
        bool(t.sum() > 0)
        t.tolist()
        t[t > 0]
    assert counter.count == 3


@pytest.mark.parametrize("name", COUNTED)
def test_no_hidden_sync_with_checks_off(name):
    expected = CASES[name]["syncs"]
    for one in CASES[name]["cases"]:
        with dlnotes.checks(False):
            n, seen = count_syncs(name, one)
        assert n == expected, f"{name}: {n} syncs ({seen}), expected {expected}"


@pytest.mark.parametrize("name", COUNTED)
def test_checks_on_cost_at_most_one_sync(name):
    expected = CASES[name]["syncs"]
    for one in CASES[name]["cases"]:
        n, seen = count_syncs(name, one)
        assert n <= expected + 1, f"{name}: {n} syncs with checks on ({seen})"

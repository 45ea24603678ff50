"""Argument checks shared by every module, so that bad input fails the same way.

Each check raises ``ValueError`` (or ``TypeError`` for a wrong kind of object)
with a message that names the argument and says what was expected.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

REDUCTIONS = ("mean", "sum", "none")


def check_nonempty(name: str, a: Any) -> None:
    """Reject arrays with no elements."""
    if _size(a) == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(a.shape)}")


def check_same_shape(name_a: str, a: Any, name_b: str, b: Any) -> None:
    """Reject two arrays whose shapes differ."""
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, "
            f"got {tuple(a.shape)} and {tuple(b.shape)}"
        )


def check_ndim(name: str, a: Any, ndims: tuple[int, ...], what: str) -> None:
    """Reject arrays whose number of dimensions is not in ``ndims``."""
    if a.ndim not in ndims:
        raise ValueError(f"{name} must be {what}, got shape {tuple(a.shape)}")


def check_finite(xp: Any, name: str, a: Any) -> None:
    """Reject NaN and infinity."""
    if not bool(xp.all(xp.isfinite(a))):
        raise ValueError(f"{name} must be finite, got NaN or infinity")


def check_unit_interval(xp: Any, name: str, a: Any) -> None:
    """Reject values outside [0, 1] (NaN included): probabilities, targets."""
    if not bool(xp.all((a >= 0) & (a <= 1))):
        raise ValueError(f"{name} must hold probabilities in [0, 1] (no NaN)")


def check_positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    """Reject a non-positive scalar option (a rate, an order, a slope...)."""
    if not (value > 0 or (allow_zero and value == 0)):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")


def check_count(name: str, value: Any, minimum: int = 1) -> int:
    """An integer >= ``minimum`` as a Python int (NumPy integers accepted, bools refused)."""
    if not isinstance(value, bool):  # True is not a count
        try:
            value = operator.index(value)
        except TypeError:
            pass
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_nonnegative_real(name: str, value: Any) -> float:
    """A finite real option >= 0 (a slope, a weight) as a Python float.

    A Python float, not a NumPy float64 scalar, so that it does not promote
    float32 arrays.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):  # inf * 0 would give NaN and a RuntimeWarning
        raise ValueError(f"{name} must be finite, got {value!r}")
    check_positive(name, value, allow_zero=True)
    return value


def check_choice(name: str, value: Any, choices: tuple[Any, ...]) -> None:
    """Reject an option outside its documented set."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")


def reduce(xp: Any, values: Any, reduction: str) -> Any:
    """Apply ``reduction`` ("mean", "sum" or "none") to per-element values.

    Scalar results are 0-d arrays of the input's namespace (not NumPy scalars).
    """
    check_choice("reduction", reduction, REDUCTIONS)
    if reduction == "none":
        return values
    total = xp.mean(values) if reduction == "mean" else xp.sum(values)
    return xp.asarray(total)


def _size(a: Any) -> int:
    n = 1
    for d in a.shape:
        n *= int(d)
    return n

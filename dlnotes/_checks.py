"""Input validation, declared once above each public function.

A public function states what it accepts with the `checked` decorator::

    @checked(y_true=Floats(finite=True), y_pred=Floats(finite=True, like="y_true"),
             reduction=Choice(*REDUCTIONS))
    def mse(y_true, y_pred, *, reduction="mean"):
        xp, y_true, y_pred = float_arrays(y_true, y_pred)
        return reduce(xp, (y_true - y_pred) ** 2, reduction)

so that its body holds only the formula (and that body, with its small
helpers, is the copy snippet of `dlnotes.snippets`). The rules are the same
everywhere:

* a value of the wrong **type** (a bool, string, ``None``, complex number or
  array where a number is expected; anything but a bool for a flag; strings
  or objects where an array is expected) raises ``TypeError``;
* a value out of **range** (negative, zero, infinite, NaN where finite is
  needed, a wrong shape) raises ``ValueError``;
* every message names the argument as the signature spells it.

Checks on options, dtypes and shapes read no array data and always run. The
checks on array *values* (finite, in [0, 1], integer-valued, ...) need the
data: they are gathered into one boolean array and read from the device in a
single sync per call. ``with dlnotes.checks(False):`` turns those off, so a
function makes no host-device sync at all (see the Backends page).
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import math
import numbers
import operator
from collections.abc import Callable
from typing import Any

import array_api_compat
import numpy as np

from dlnotes.backend import (
    array_namespace,
    as_float_arrays,
    get_backend,
    plain_to_array,
    resolve_backend,
)

__all__ = [
    "REDUCTIONS",
    "Axis",
    "Choice",
    "Count",
    "Flag",
    "Floats",
    "Function",
    "Ints",
    "Optional",
    "Real",
    "Seed",
    "Spec",
    "checked",
    "checks",
    "checks_enabled",
    "reduce",
]

REDUCTIONS = ("mean", "sum", "none")

_ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("dlnotes_checks", default=True)


class checks:  # noqa: N801 - used like a function: ``with dlnotes.checks(False):``
    """Turn the data checks on or off inside a ``with`` block.

    ``with dlnotes.checks(False):`` skips the checks that read array values
    (NaN, ranges, integer labels...), so that a function makes no host-device
    sync on a GPU; options, dtypes and shapes are still checked, since that
    costs nothing. ``dlnotes.checks(True)`` turns them back on inside. The
    setting lives in a context variable: it holds for this thread or async
    task only, and the previous setting comes back when the block ends.

    Parameters
    ----------
    enabled : bool, default=True
        Whether the data checks run inside the block.

    Examples
    --------
    >>> from dlnotes import checks
    >>> from dlnotes._checks import checks_enabled
    >>> with checks(False):
    ...     checks_enabled()
    False
    >>> checks_enabled()
    True
    """

    def __init__(self, enabled: bool = True) -> None:
        if not isinstance(enabled, bool):
            raise TypeError(f"enabled must be True or False, got {enabled!r}")
        self.enabled = enabled
        self._tokens: list[contextvars.Token[bool]] = []

    def __enter__(self) -> checks:
        self._tokens.append(_ENABLED.set(self.enabled))
        return self

    def __exit__(self, *exc: object) -> None:
        _ENABLED.reset(self._tokens.pop())


def checks_enabled() -> bool:
    """Whether the data checks run here (see `checks`)."""
    return _ENABLED.get()


def reduce(xp, values, reduction):
    """Apply ``reduction`` ("mean", "sum" or "none") to per-element values.

    Scalar results are 0-d arrays of the input's namespace (not NumPy scalars).
    """
    if reduction == "none":
        return values
    return xp.asarray(xp.mean(values) if reduction == "mean" else xp.sum(values))


# --------------------------------------------------------------------------
# Specs: one object per argument, saying what it may be
# --------------------------------------------------------------------------


class Spec:
    """What one argument may be.

    ``check(name, value, call)`` returns the value to pass on (converted where
    the spec converts) or raises. ``call`` is the `_Call` being checked: its
    ``args`` dict holds the arguments (converted arrays for the array specs,
    which run first), and ``call.require(condition, message)`` adds a data
    check (a 0-d boolean array) to the single sync at the end.
    """

    is_array = False

    def check(self, name: str, value: Any, call: _Call) -> Any:
        raise NotImplementedError


class Choice(Spec):
    """One of a fixed set of values (a reduction name, a method...)."""

    def __init__(self, *choices: Any) -> None:
        self.choices = choices

    def check(self, name, value, call):
        if isinstance(value, bool) and not any(isinstance(c, bool) for c in self.choices):
            raise TypeError(f"{name} must be one of {self.choices}, got {value!r}")
        try:
            ok = value in self.choices
        except Exception:
            ok = False
        if not ok:
            kinds = tuple({type(c) for c in self.choices if c is not None})
            if not isinstance(value, kinds):  # None too, when it is not a choice
                raise TypeError(f"{name} must be one of {self.choices}, got {value!r}")
            raise ValueError(f"{name} must be one of {self.choices}, got {value!r}")
        return value


class Flag(Spec):
    """True or False, nothing else ("False" and 0 are not flags)."""

    def check(self, name, value, call):
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False, got {value!r}")
        return value


class Count(Spec):
    """A Python or NumPy integer >= ``minimum`` (and <= ``maximum``), as an int."""

    def __init__(self, minimum: int = 1, maximum: int | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum

    def check(self, name, value, call):
        if isinstance(value, bool) or _is_array(value):
            raise TypeError(f"{name} must be an integer, got {value!r}")
        try:
            value = operator.index(value)
        except TypeError:
            raise TypeError(f"{name} must be an integer, got {value!r}") from None
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            bound = (
                f"in [{self.minimum}, {self.maximum}]"
                if self.maximum is not None
                else (f">= {self.minimum}")
            )
            raise ValueError(f"{name} must be an integer {bound}, got {value}")
        return value


class Real(Spec):
    """A finite real number in a range, returned as a Python float.

    ``low``/``high`` bound it (``None``: unbounded); ``open`` names the bounds
    that are excluded: ``"low"``, ``"high"`` or ``"both"``. A Python float,
    not a NumPy scalar, so that it never promotes float32 arrays.
    """

    def __init__(
        self,
        low: float | None = None,
        high: float | None = None,
        *,
        open: str | None = None,
        finite: bool = True,
    ) -> None:
        self.low, self.high, self.open, self.finite = low, high, open or "", finite

    def check(self, name, value, call):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {value!r}")
        value = float(value)
        low_open = self.open in ("low", "both")
        high_open = self.open in ("high", "both")
        bad = math.isnan(value) or (self.finite and math.isinf(value))
        if self.low is not None:
            bad = bad or value < self.low or (low_open and value == self.low)
        if self.high is not None:
            bad = bad or value > self.high or (high_open and value == self.high)
        if bad:
            raise ValueError(f"{name} must be {self.describe()}, got {value!r}")
        return value

    def describe(self) -> str:
        if self.low is not None and self.high is not None:
            left = "(" if self.open in ("low", "both") else "["
            right = ")" if self.open in ("high", "both") else "]"
            return f"a number in {left}{self.low}, {self.high}{right}"
        if self.low is not None:
            return f"a {'finite ' if self.finite else ''}number " + (
                f"> {self.low}" if self.open in ("low", "both") else f">= {self.low}"
            )
        if self.high is not None:
            return "a number " + (f"< {self.high}" if self.open else f"<= {self.high}")
        return "a finite number" if self.finite else "a number (not NaN)"


class Seed(Spec):
    """``None``, an integer >= 0 (not a bool) or a ``numpy.random.Generator``."""

    def check(self, name, value, call):
        import numpy as np  # NumPy draws every random number (see backend.random_generator)

        if value is None or isinstance(value, np.random.Generator):
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(
                f"{name} must be None, an integer or a numpy.random.Generator, got {value!r}"
            )
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value!r}")
        return int(value)


class Optional(Spec):
    """``None``, or what ``spec`` accepts."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.is_array = spec.is_array

    def check(self, name, value, call):
        return None if value is None else self.spec.check(name, value, call)


class Function(Spec):
    """A callable (an activation, its derivative)."""

    def check(self, name, value, call):
        if not callable(value):
            raise TypeError(f"{name} must be callable, got {value!r}")
        return value


class Axis(Spec):
    """An int axis of the array argument ``of`` (negative counts from the end)."""

    def __init__(self, of: str, *, allow_none: bool = False) -> None:
        self.of, self.allow_none = of, allow_none

    def check(self, name, value, call):
        if value is None and self.allow_none:
            return None
        if isinstance(value, bool) or _is_array(value):
            raise TypeError(f"{name} must be an int, got {value!r}")
        try:
            value = operator.index(value)
        except TypeError:
            raise TypeError(f"{name} must be an int, got {value!r}") from None
        ndim = call.args[self.of].ndim
        if not -ndim <= value < ndim:
            raise ValueError(f"{name}={value} is out of range for {self.of} with {ndim} dimensions")
        return value


class _ArraySpec(Spec):
    """Shape rules shared by `Floats` and `Ints` (no data read)."""

    is_array = True

    def __init__(
        self,
        *,
        ndim: int | tuple[int, ...] | None = None,
        like: str | None = None,
        last: int | None = None,
        nonempty: bool = True,
    ) -> None:
        self.ndim = (ndim,) if isinstance(ndim, int) else ndim
        self.like, self.last, self.nonempty = like, last, nonempty

    def check_shape(self, name, a, call):
        shape = tuple(a.shape)
        if self.ndim is not None and a.ndim not in self.ndim:
            want = " or ".join(f"{d}-D" for d in self.ndim)
            raise ValueError(f"{name} must be {want}, got shape {shape}")
        if self.last is not None and (a.ndim == 0 or shape[-1] != self.last):
            raise ValueError(
                f"{name} must have {self.last} values in its last axis, got shape {shape}"
            )
        if self.nonempty and math.prod(shape) == 0:
            raise ValueError(f"{name} must not be empty, got shape {shape}")
        if self.like is not None:
            other = call.args[self.like]
            if other is not None and tuple(other.shape) != shape:
                raise ValueError(
                    f"{self.like} and {name} must have the same shape, "
                    f"got {tuple(other.shape)} and {shape}"
                )


class Floats(_ArraySpec):
    """An array (or nested list) of real numbers, computed in a floating dtype.

    All `Floats` arguments of a call are converted together (one namespace,
    one device, the floating dtype of the floating inputs). Data checks:
    ``finite`` (no NaN or infinity), ``low``/``high`` (bounds, NaN rejected),
    ``integer`` (whole numbers, such as 0/1 labels given as floats).
    """

    def __init__(
        self,
        *,
        finite: bool = True,
        low: float | None = None,
        high: float | None = None,
        integer: bool = False,
        **shape: Any,
    ) -> None:
        super().__init__(**shape)
        self.finite, self.low, self.high, self.integer = finite, low, high, integer

    def check(self, name, a, call):
        if a is None:
            raise TypeError(f"{name} must be an array of real numbers, got None")
        self.check_shape(name, a, call)
        xp = call.xp
        if not call.enabled or math.prod(a.shape) == 0:  # nothing to compute
            return a
        # Quick tests that read no more than a reduction: exact where they pass (a NaN
        # or infinity makes the sum, minimum or maximum NaN or infinite); where they
        # fail, the element-wise test decides (a finite sum can overflow).
        if self.low is not None or self.high is not None:
            low = -math.inf if self.low is None else self.low
            high = math.inf if self.high is None else self.high
            call.require(
                (xp.min(a) >= low) & (xp.max(a) <= high),
                f"{name} must hold values in [{low}, {high}] (no NaN)",
                exact=lambda: xp.all(~xp.isnan(a) & (a >= low) & (a <= high)),
            )
        elif self.finite:
            with np.errstate(over="ignore", invalid="ignore"):  # inf - inf, or a sum past max
                quick = xp.isfinite(xp.sum(a))
            call.require(
                quick,
                f"{name} must be finite, got NaN or infinity",
                exact=lambda: xp.all(xp.isfinite(a)),
            )
        if self.integer:
            call.require(xp.all(a == xp.round(a)), f"{name} must hold whole numbers")
        return a


class Ints(_ArraySpec):
    """An array (or nested list) of integers: labels, class indices, counts.

    Integer arrays are kept; bool arrays and floats that hold whole numbers are
    converted to the namespace's default integer dtype; other floats are a
    ``ValueError`` (a data check). ``low``/``high`` bound the values.
    """

    def __init__(self, *, low: int | None = None, high: int | None = None, **shape: Any) -> None:
        super().__init__(**shape)
        self.low, self.high = low, high

    def check(self, name, a, call):
        xp = call.xp
        if not array_api_compat.is_array_api_obj(a):
            a = plain_to_array(xp, name, a, call.device)
        if not _dtype_is(xp, a.dtype, ("bool", "integral", "real floating")):
            raise TypeError(f"{name} must hold integers, got dtype {a.dtype}")
        self.check_shape(name, a, call)
        if xp.isdtype(a.dtype, "real floating"):
            if call.enabled:
                call.require(
                    xp.all(xp.isfinite(a) & (a == xp.round(a))),
                    f"{name} must hold integers, got non-integer values",
                )
            a = xp.astype(xp.where(xp.isfinite(a), a, 0), _default_int(xp, call.device))
        elif xp.isdtype(a.dtype, "bool"):
            a = xp.astype(a, _default_int(xp, call.device))
        if not call.enabled or math.prod(a.shape) == 0:
            return a
        # a reduction reads the data once and makes no boolean array (integers have no NaN)
        if self.low is not None:
            call.require(xp.min(a) >= self.low, f"{name} must hold integers >= {self.low}")
        if self.high is not None:
            call.require(xp.max(a) <= self.high, f"{name} must hold integers <= {self.high}")
        return a


def _is_array(value: Any) -> bool:
    """An array, not a NumPy scalar (``np.int64(2)`` is a number)."""
    return array_api_compat.is_array_api_obj(value) and not isinstance(value, numbers.Number)


def backend_argument(xp: Any):
    """The namespace an ``xp=`` argument names (None: the default backend), or a
    TypeError or ValueError that names ``xp``."""
    try:
        return get_backend() if xp is None else resolve_backend(xp)
    except TypeError:
        raise TypeError(
            f"xp must be None, a backend name or an array namespace, got {xp!r}"
        ) from None
    except ValueError as err:
        raise ValueError(f"xp: {err}") from None


def require_same_library(where: str, value: Any, like: Any, xp, like_name: str) -> None:
    """TypeError unless ``value`` is an array of the namespace ``xp`` of ``like``
    (an argument named ``like_name``): a state or a dict of weights that belongs with it."""
    if not _is_array(value):
        raise TypeError(f"{where} must be an array, got {type(value).__name__}")
    try:
        same = array_api_compat.array_namespace(value, like) is xp
    except TypeError:
        same = False
    if not same:
        raise TypeError(f"{where} must be an array of {like_name}'s library, got {type(value)}")


def _dtype_is(xp, dtype, kinds) -> bool:
    try:
        return bool(xp.isdtype(dtype, kinds))
    except (TypeError, ValueError):  # NumPy string and object dtypes
        return False


def _default_int(xp, device):
    return xp.__array_namespace_info__().default_dtypes(device=device)["integral"]


# --------------------------------------------------------------------------
# The decorator
# --------------------------------------------------------------------------


class _Call:
    """One call being checked: its arguments, namespace and pending data checks."""

    __slots__ = ("args", "device", "enabled", "pending", "xp")

    def __init__(self, args: dict[str, Any]) -> None:
        self.args, self.xp, self.device, self.pending = args, None, None, []
        self.enabled = _ENABLED.get()  # False: data checks are neither computed nor read

    def require(self, condition: Any, message: str, *, exact: Callable | None = None) -> None:
        """Add a data check: ``condition`` is a 0-d boolean array of ``self.xp``.

        ``exact``, if given, makes ``condition`` a quick test that is enough
        when true (``isfinite(sum(a))`` for "every element is finite");
        ``exact()`` then decides only where the quick test fails. A spec whose
        check costs a pass over the data tests ``self.enabled`` first, so that
        with checks off it is not even computed.
        """
        self.pending.append((condition, message, exact))

    def settle(self) -> None:
        """Read every pending data check from the device in one sync; raise the first failure."""
        if not self.pending or not self.enabled:
            return
        everything = self.pending[0][0]
        for condition, _, _ in self.pending[1:]:  # 0-d booleans: one array, read once
            everything = everything & condition
        if bool(everything):
            return
        for condition, message, exact in self.pending:  # only when something failed
            if not bool(condition) and (exact is None or not bool(exact())):
                raise ValueError(message)


def checked(*, extra: Callable[[_Call], None] | None = None, **specs: Spec) -> Callable:
    """Declare how a public function's arguments are validated.

    Parameters
    ----------
    extra : callable, optional
        ``extra(call)`` runs after the specs, for a rule that ties several
        arguments together; it may raise or ``call.require(...)``.
    **specs : Spec
        One spec per argument name. Arguments without a spec pass unchecked.

    The decorated function keeps its signature, docstring and source
    (``__wrapped__``); `Floats` arguments arrive as floating arrays of one
    namespace, `Ints` arguments as integer arrays of it.
    """

    def decorate(fn: Callable) -> Callable:
        signature = inspect.signature(fn)
        unknown = set(specs) - set(signature.parameters)
        if unknown:
            raise TypeError(f"{fn.__name__} has no parameter {sorted(unknown)}")
        floats = [n for n, s in specs.items() if isinstance(_unwrap(s), Floats)]
        arrays = [n for n, s in specs.items() if s.is_array]

        bind = _binder(signature)
        options = [(n, s) for n, s in specs.items() if not s.is_array]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = bind(args, kwargs)
            call = _Call(values)
            present = [n for n in floats if values[n] is not None]
            if present or arrays:
                real = [values[n] for n in arrays if array_api_compat.is_array_api_obj(values[n])]
                if present:
                    converted = as_float_arrays(*(values[n] for n in present), names=tuple(present))
                    call.xp = converted[0]
                    values.update(zip(present, converted[1:]))
                    real = real or list(converted[1:])
                else:
                    call.xp = array_namespace(*real)
                call.device = array_api_compat.device(real[0]) if real else None
            for name in arrays:  # arrays first: option specs (Axis) look at them
                values[name] = specs[name].check(name, values[name], call)
            for name, spec in options:
                values[name] = spec.check(name, values[name], call)
            if extra is not None:
                extra(call)
            call.settle()
            # The body's own calls of public functions are checked already: their
            # data checks would only add syncs.
            token = _ENABLED.set(False)
            try:
                return fn(**values)
            finally:
                _ENABLED.reset(token)

        wrapper.__dlnotes_specs__ = specs
        return wrapper

    return decorate


def _binder(signature: inspect.Signature) -> Callable[[tuple, dict], dict[str, Any]]:
    """A fast ``signature.bind`` + ``apply_defaults`` returning the arguments by name.

    Every dlnotes function takes named parameters only (no ``*args``, ``**kwargs``
    or positional-only ones), so the arguments can be passed back as keywords.
    Anything unusual (a missing or unknown argument, too many positional ones)
    goes through ``signature.bind`` for Python's own error message.
    """
    parameters = signature.parameters.values()
    if any(p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in parameters):
        raise TypeError("checked functions take named parameters only")
    positional = [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
    defaults = {p.name: p.default for p in parameters if p.default is not p.empty}
    names = set(signature.parameters)

    def bind(args: tuple, kwargs: dict) -> dict[str, Any]:
        values = dict(defaults)
        values.update(zip(positional, args))
        if (
            len(args) > len(positional)
            or not kwargs.keys() <= names
            or any(k in kwargs for k in positional[: len(args)])
        ):
            signature.bind(*args, **kwargs)  # raises Python's TypeError
        values.update(kwargs)
        if len(values) < len(names):
            signature.bind(*args, **kwargs)  # a required argument is missing: raises
        return values

    return bind


def _unwrap(spec: Spec) -> Spec:
    return spec.spec if isinstance(spec, Optional) else spec

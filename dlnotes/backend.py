"""Where dlnotes gets its array functions: the backend policy, stated once.

Every dlnotes function is written against the `Python array API standard
<https://data-apis.org/array-api/>`_ and never imports NumPy, CuPy or PyTorch
itself. Which library does the work is decided like this:

1. **Arrays in, same arrays out.** A function that receives arrays uses the
   namespace of those arrays, found by array-api-compat's ``array_namespace``.
   Pass CuPy arrays and the work runs on the GPU; pass ``torch.Tensor`` and you
   get tensors back. Mixing two libraries in one call is a ``TypeError``.
2. **Plain Python input** (lists, tuples, numbers) is converted with the
   namespace of the array arguments of the same call, or with the *default
   backend* when there are none.
3. **Functions that create arrays from nothing** (initializers, dropout masks,
   random splits) take ``xp=`` (a name such as ``"cupy"`` or a namespace) or,
   without it, the default backend.
4. The default backend is NumPy. Change it for the whole program with
   ``set_backend`` or for a block with ``use_backend``
   (a context variable: safe across threads and async tasks).

Random numbers are always drawn by NumPy's ``Generator`` from the seed you give
and then moved to the target backend, because the array API standard has no
random module: the same seed gives the same mask on every backend.

A few functions cannot be namespace-generic (COCO evaluation works on json
records); they say so in their docstring and convert with ``to_numpy``.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import array_api_compat

__all__ = [
    "BACKENDS",
    "array_namespace",
    "as_float_arrays",
    "asarrays",
    "default_float",
    "float_arrays",
    "get_backend",
    "random_generator",
    "resolve_backend",
    "set_backend",
    "to_numpy",
    "use_backend",
]

#: Names accepted by ``set_backend``, with the module that provides the
#: array-API namespace for each.
BACKENDS = {
    "numpy": "array_api_compat.numpy",
    "cupy": "array_api_compat.cupy",
    "torch": "array_api_compat.torch",
    "array_api_strict": "array_api_strict",
}

# The default backend: a program-wide choice (``set_backend``) that a block may
# override for its own thread or async task (``use_backend``, a context variable).
_program_default: ModuleType | None = None
_block_default: contextvars.ContextVar[ModuleType | None] = contextvars.ContextVar(
    "dlnotes_backend", default=None
)
_lock = threading.Lock()


def resolve_backend(backend: str | ModuleType) -> ModuleType:
    """Return the array-API namespace for a backend name or module.

    Parameters
    ----------
    backend : str or module
        One of ``"numpy"``, ``"cupy"``, ``"torch"``, ``"array_api_strict"``, or
        an array namespace / library module (``numpy``, ``torch``, ...).

    Returns
    -------
    module
        A namespace that follows the array API standard.

    Raises
    ------
    TypeError
        If ``backend`` is neither a string nor a module.
    ValueError
        If the name is unknown.
    ImportError
        If the library is not installed.
    RuntimeError
        If CuPy is chosen on a machine without a usable CUDA GPU.

    Examples
    --------
    >>> resolve_backend("numpy").__name__
    'array_api_compat.numpy'
    """
    if isinstance(backend, ModuleType):
        if backend.__name__ in BACKENDS.values():
            return _check_usable(backend)
        if backend.__name__ not in BACKENDS:
            return backend  # another standard namespace (e.g. jax.numpy): use it as it is
        backend = backend.__name__  # numpy, cupy or torch: use their compat namespace
    if not isinstance(backend, str):
        raise TypeError(f"backend must be a name or an array namespace, got {backend!r}")
    if backend not in BACKENDS:
        raise ValueError(
            f"backend must be one of {sorted(BACKENDS)} or an array namespace, got {backend!r}"
        )
    try:
        module = importlib.import_module(BACKENDS[backend])
    except ImportError as err:
        hint = " (for CuPy: pip install cupy-cuda12x)" if backend == "cupy" else ""
        raise ImportError(f"backend {backend!r} needs the package {backend!r}{hint}") from err
    return _check_usable(module)


def _check_usable(module: ModuleType) -> ModuleType:
    """Fail early and clearly for CuPy without a GPU (instead of a CUDA trace)."""
    if array_api_compat.is_cupy_namespace(module):
        import cupy

        try:
            usable = cupy.cuda.is_available()
        except Exception:
            usable = False
        if not usable:
            raise RuntimeError(
                "the CuPy backend needs a CUDA GPU, and none is available on this "
                "machine; use set_backend('numpy') (the default) or run on a GPU"
            )
    return module


def get_backend() -> ModuleType:
    """Return the default namespace used for plain input and created arrays.

    That is the innermost ``use_backend`` block's backend in this thread or
    async task, else the program's (``set_backend``), else NumPy.

    Examples
    --------
    >>> get_backend().__name__
    'array_api_compat.numpy'
    """
    global _program_default
    block = _block_default.get()
    if block is not None:
        return block
    if _program_default is None:
        with _lock:
            if _program_default is None:
                _program_default = resolve_backend("numpy")
    return _program_default


def set_backend(backend: str | ModuleType) -> ModuleType:
    """Set the default backend for the whole program; return the previous one.

    Every thread and async task sees the change, except inside a
    ``use_backend`` block, whose choice wins there.

    Parameters
    ----------
    backend : str or module
        See `resolve_backend`.

    Returns
    -------
    module
        The previous program-wide default (handy to restore it).

    Examples
    --------
    ``set_backend("cupy")`` makes plain lists and created arrays CuPy arrays
    (on a machine with a GPU); here, with NumPy only:

    >>> previous = set_backend("numpy")
    >>> get_backend().__name__
    'array_api_compat.numpy'
    >>> _ = set_backend(previous)
    """
    global _program_default
    module = resolve_backend(backend)
    with _lock:
        previous = _program_default or resolve_backend("numpy")
        _program_default = module
    return previous


@contextlib.contextmanager
def use_backend(backend: str | ModuleType) -> Iterator[ModuleType]:
    """Use another default backend inside a ``with`` block.

    The choice is held in a context variable: it applies to the code of this
    block in this thread or async task only (other threads and tasks keep
    theirs), and the previous default comes back when the block ends, even on
    an error. ``with use_backend("torch"):`` makes plain Python input become
    tensors (see the Backends page); the doctest sticks to NumPy so that it
    runs wherever dlnotes does.

    Examples
    --------
    >>> with use_backend("numpy") as xp:
    ...     xp.__name__
    'array_api_compat.numpy'
    >>> get_backend().__name__
    'array_api_compat.numpy'
    """
    token = _block_default.set(resolve_backend(backend))
    try:
        yield _block_default.get()
    finally:
        _block_default.reset(token)


def array_namespace(*arrays: Any, xp: str | ModuleType | None = None) -> ModuleType:
    """Namespace for a call: ``xp`` if given, else that of the array arguments.

    Python scalars, lists and ``None`` are ignored when looking; with no array
    argument at all the default backend is returned.

    Raises
    ------
    TypeError
        If the arrays come from different libraries.

    Examples
    --------
    >>> import numpy as np
    >>> array_namespace(np.ones(2), [1.0, 2.0]).__name__
    'array_api_compat.numpy'
    >>> array_namespace([1.0]).__name__
    'array_api_compat.numpy'
    """
    if xp is not None:
        return resolve_backend(xp)
    found = [a for a in arrays if array_api_compat.is_array_api_obj(a)]
    if not found:
        return get_backend()
    try:
        return array_api_compat.array_namespace(*found)
    except TypeError:
        kinds = sorted({type(a).__module__ + "." + type(a).__name__ for a in found})
        raise TypeError(
            f"all array arguments must come from one array library; got {kinds}"
        ) from None


def default_float(xp, device=None):
    """float64 where ``device`` has it, else the device's default floating dtype.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> default_float(xp) == xp.float64
    True
    """
    floats = xp.__array_namespace_info__().dtypes(device=device, kind="real floating")
    return floats.get("float64", floats.get("float32"))  # no float64: float32 (e.g. MPS)


def float_arrays(*arrays):
    """``(xp, *arrays)``: the inputs' namespace and the inputs as floating arrays.

    Floating arrays are returned as they are (float32 stays float32). Integer,
    boolean and plain Python inputs take the floating dtype of the floating
    arrays among the arguments (else `default_float`), on the device of the
    first array. Nothing is copied that need not be, and nothing is checked:
    the ``checked`` decorator of each public function validates first.

    Examples
    --------
    >>> import numpy as np
    >>> xp, a, b = float_arrays(np.ones(2, dtype=np.float32), [1, 2])
    >>> a.dtype, b.dtype
    (dtype('float32'), dtype('float32'))
    """
    found = [a for a in arrays if array_api_compat.is_array_api_obj(a)]
    xp = array_api_compat.array_namespace(*found) if found else get_backend()
    dev = array_api_compat.device(found[0]) if found else None
    floats = [a.dtype for a in found if xp.isdtype(a.dtype, "real floating")]
    dtype = xp.result_type(*floats) if floats else default_float(xp, dev)
    kept = [array_api_compat.is_array_api_obj(a) and a.dtype in floats for a in arrays]
    return (xp, *(a if k else xp.asarray(a, dtype=dtype, device=dev) for a, k in zip(arrays, kept)))


def asarrays(*arrays):
    """``(xp, *arrays)``: the inputs' namespace and the inputs as its arrays, dtypes kept.

    For integer inputs (labels, indices) what `float_arrays` is for floats:
    arrays are returned as they are, plain Python input becomes an array of
    the namespace on the device of the first array.

    Examples
    --------
    >>> import numpy as np
    >>> xp, a, b = asarrays(np.array([1, 2]), [0, 1])
    >>> b.tolist(), a.dtype == b.dtype
    ([0, 1], True)
    """
    found = [a for a in arrays if array_api_compat.is_array_api_obj(a)]
    xp = array_api_compat.array_namespace(*found) if found else get_backend()
    device = array_api_compat.device(found[0]) if found else None
    kept = [array_api_compat.is_array_api_obj(a) for a in arrays]
    return (xp, *(a if k else xp.asarray(a, device=device) for a, k in zip(arrays, kept)))


def as_float_arrays(
    *arrays: Any, xp: str | ModuleType | None = None, names: tuple[str, ...] | None = None
) -> tuple[Any, ...]:
    """Like `float_arrays`, with the inputs checked: ``(xp, *arrays)``.

    Floating inputs keep their dtype (float32 stays float32). Integer, boolean
    and plain Python inputs take the floating dtype of the floating arrays
    among the arguments, or `default_float` when there is none, so that a list
    of targets does not turn a float32 computation into float64. Plain inputs
    are put on the device of the first real array. The inputs are never
    modified.

    Parameters
    ----------
    *arrays : array-like
        The arguments to convert.
    xp : str or module, optional
        Force this namespace instead of the inputs' one.
    names : tuple of str, optional
        The arguments' names, used in error messages.

    Raises
    ------
    TypeError
        If an argument does not hold real numbers (strings, complex, None,
        objects), or the arrays come from different libraries.

    Examples
    --------
    >>> import numpy as np
    >>> xp, a, b = as_float_arrays(np.ones(2, dtype=np.float32), [1, 2])
    >>> a.dtype, b.dtype
    (dtype('float32'), dtype('float32'))
    >>> xp, c = as_float_arrays([1, 2])
    >>> c.dtype
    dtype('float64')
    """
    names = names or tuple(f"argument {i + 1}" for i in range(len(arrays)))
    real = [a for a in arrays if array_api_compat.is_array_api_obj(a)]
    if xp is not None:
        space = resolve_backend(xp)
    elif not real:
        space = get_backend()
    else:
        try:
            space = array_api_compat.array_namespace(*real)
        except TypeError:
            kinds = sorted({type(a).__module__ + "." + type(a).__name__ for a in real})
            listed = ", ".join(
                n for n, a in zip(names, arrays) if array_api_compat.is_array_api_obj(a)
            )
            raise TypeError(f"{listed} must be arrays of one array library, got {kinds}") from None
    device = array_api_compat.device(real[0]) if real else None
    floating = [a.dtype for a in real if _kind(space, a.dtype) == "floating"]
    target = space.result_type(*floating) if floating else default_float(space, device)
    out = []
    for name, a in zip(names, arrays):
        plain = not array_api_compat.is_array_api_obj(a)
        if plain:
            # straight to the target dtype: through torch's float32 default, 0.2 would
            # become 0.20000000298
            a = plain_to_array(space, name, a, device, target if _plain_is_numeric(a) else None)
        kind = _kind(space, a.dtype)
        if kind is None:
            raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype}")
        if a.dtype != target and (plain or kind != "floating"):
            a = space.astype(a, target)
        out.append(a)
    return (space, *out)


_KINDS: dict[tuple[int, Any], str | None] = {}


def _kind(space: ModuleType, dtype: Any) -> str | None:
    """ "floating", "exact" (bool or integer) or None (not real) for a dtype, remembered."""
    key = (id(space), dtype)
    try:
        return _KINDS[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable dtype: work it out each time
        key = None
    if _is_real(space, dtype):
        kind = "floating" if space.isdtype(dtype, "real floating") else "exact"
    else:
        kind = None
    if key is not None and len(_KINDS) < 1024:
        _KINDS[key] = kind
    return kind


def plain_to_array(space: ModuleType, name: str, value: Any, device: Any, dtype: Any = None):
    """Plain Python input (numbers, nested lists) as an array of ``space``, or a
    ``TypeError`` naming ``name`` for anything that is not real numbers."""
    if value is None or isinstance(value, (str, bytes, complex)):
        raise TypeError(f"{name} must be an array of real numbers, got {value!r}")
    try:
        return space.asarray(value, dtype=dtype, device=device)
    except (TypeError, ValueError, RuntimeError, OverflowError) as err:  # torch: RuntimeError
        raise TypeError(f"{name} must be an array of real numbers: {err}") from None


def _plain_is_numeric(value: Any) -> bool:
    """Whether plain Python input holds only bools, ints and floats (nested lists too)."""
    if isinstance(value, (bool, int, float)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain_is_numeric(v) for v in value)
    return False


def _is_real(space: ModuleType, dtype: Any) -> bool:
    try:
        return bool(space.isdtype(dtype, ("bool", "integral", "real floating")))
    except (TypeError, ValueError):  # e.g. NumPy string or object dtypes
        return False


def random_generator(seed: Any = None):
    """NumPy ``Generator`` for ``seed`` (an int, ``None`` or a Generator).

    Examples
    --------
    >>> float(random_generator(0).random()) == float(random_generator(0).random())
    True
    """
    import numpy as np

    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def to_numpy(x: Any):
    """Copy any array (CuPy, torch, array-api-strict, ...) to a NumPy array.

    Use it for plotting and for code that only NumPy can run.

    Examples
    --------
    >>> to_numpy([1.0, 2.0]).tolist()
    [1.0, 2.0]
    """
    import numpy as np

    if array_api_compat.is_cupy_array(x):
        return x.get()
    if array_api_compat.is_torch_array(x):
        return x.detach().cpu().numpy()
    if array_api_compat.is_array_api_obj(x) and not array_api_compat.is_numpy_array(x):
        try:
            return np.from_dlpack(x)
        except Exception:
            return np.asarray(x)
    return np.asarray(x)

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
   [`set_backend`][dlnotes.backend.set_backend] or for a block with [`use_backend`][dlnotes.backend.use_backend].

Random numbers are always drawn by NumPy's ``Generator`` from the seed you give
and then moved to the target backend, because the array API standard has no
random module: the same seed gives the same mask on every backend.

A few functions cannot be namespace-generic (COCO evaluation works on json
records); they say so in their docstring and convert with [`to_numpy`][dlnotes.backend.to_numpy].
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import array_api_compat

__all__ = [
    "BACKENDS",
    "array_namespace",
    "as_float_arrays",
    "get_backend",
    "random_generator",
    "resolve_backend",
    "set_backend",
    "to_numpy",
    "use_backend",
]

#: Names accepted by [`set_backend`][dlnotes.backend.set_backend], with the module that provides the
#: array-API namespace for each.
BACKENDS = {
    "numpy": "array_api_compat.numpy",
    "cupy": "array_api_compat.cupy",
    "torch": "array_api_compat.torch",
    "array_api_strict": "array_api_strict",
}

_default: ModuleType | None = None


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
    if backend not in BACKENDS:
        raise ValueError(
            f"backend must be one of {sorted(BACKENDS)} or an array namespace, got {backend!r}"
        )
    try:
        module = importlib.import_module(BACKENDS[backend])
    except ImportError as err:
        raise ImportError(
            f"backend {backend!r} needs the package {backend!r}; install it "
            f"(for CuPy: pip install 'dlnotes[cupy]')"
        ) from err
    return _check_usable(module)


def _check_usable(module: ModuleType) -> ModuleType:
    """Fail early and clearly for CuPy without a GPU (instead of a CUDA trace)."""
    if array_api_compat.is_cupy_namespace(module):
        import cupy

        try:
            usable = cupy.cuda.is_available()
        except Exception:  # noqa: BLE001 - any CUDA failure means "not usable"
            usable = False
        if not usable:
            raise RuntimeError(
                "the CuPy backend needs a CUDA GPU, and none is available on this "
                "machine; use set_backend('numpy') (the default) or run on a GPU"
            )
    return module


def get_backend() -> ModuleType:
    """Return the default namespace used by functions that create arrays.

    Examples
    --------
    >>> get_backend().__name__
    'array_api_compat.numpy'
    """
    global _default
    if _default is None:
        _default = resolve_backend("numpy")
    return _default


def set_backend(backend: str | ModuleType) -> ModuleType:
    """Set the default backend for the whole program; return the previous one.

    Parameters
    ----------
    backend : str or module
        See [`resolve_backend`][dlnotes.backend.resolve_backend].

    Returns
    -------
    module
        The previous default namespace (handy to restore it).

    Examples
    --------
    ``set_backend("cupy")`` makes plain lists and created arrays CuPy arrays
    (on a machine with a GPU); here, with NumPy only:

    >>> previous = set_backend("numpy")
    >>> get_backend().__name__
    'array_api_compat.numpy'
    >>> _ = set_backend(previous)
    """
    global _default
    previous = get_backend()
    _default = resolve_backend(backend)
    return previous


@contextlib.contextmanager
def use_backend(backend: str | ModuleType) -> Iterator[ModuleType]:
    """Use another default backend inside a ``with`` block.

    The previous default comes back when the block ends, even on an error.
    ``with use_backend("torch"):`` makes plain Python input become tensors
    (see the Backends page); the doctest sticks to NumPy so that it runs
    wherever dlnotes does.

    Examples
    --------
    >>> with use_backend("numpy") as xp:
    ...     xp.__name__
    'array_api_compat.numpy'
    >>> get_backend().__name__
    'array_api_compat.numpy'
    """
    previous = set_backend(backend)
    try:
        yield get_backend()
    finally:
        set_backend(previous)


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
    except TypeError as err:
        raise TypeError(
            "all array arguments must come from one array library; "
            f"got {sorted({type(a).__module__ + '.' + type(a).__name__ for a in found})}"
        ) from err


def as_float_arrays(
    *arrays: Any, xp: str | ModuleType | None = None, names: tuple[str, ...] | None = None
) -> tuple[Any, ...]:
    """Return ``(xp, *arrays)`` with every argument a floating array of ``xp``.

    Floating inputs keep their dtype (float32 stays float32). Integer, boolean
    and plain Python inputs take the floating dtype of the floating arrays
    among the arguments, or ``float64`` when there is none, so that a list of
    targets does not turn a float32 computation into float64. Plain inputs are
    put on the device of the first real array. The inputs are never modified:
    conversions make new arrays and callers never write into them.

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
        If an argument does not hold real numbers (strings, complex, objects).

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
    space = array_namespace(*arrays, xp=xp)
    names = names or tuple(f"argument {i + 1}" for i in range(len(arrays)))
    real = [a for a in arrays if array_api_compat.is_array_api_obj(a)]
    device = array_api_compat.device(real[0]) if real else None
    floating = [a.dtype for a in real if space.isdtype(a.dtype, "real floating")]
    target = space.result_type(*floating) if floating else space.float64
    out = []
    for name, a in zip(names, arrays):
        plain = not array_api_compat.is_array_api_obj(a)
        if plain:
            try:
                a = space.asarray(a, device=device) if device is not None else space.asarray(a)
            except (TypeError, ValueError, RuntimeError) as err:  # torch raises RuntimeError
                raise TypeError(f"{name} must be an array of real numbers: {err}") from None
        if not _is_real(space, a.dtype):
            raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype}")
        if a.dtype != target and (plain or not space.isdtype(a.dtype, "real floating")):
            a = space.astype(a, target)
        out.append(a)
    return (space, *out)


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
        except Exception:  # noqa: BLE001 - fall back to the buffer protocol
            return np.asarray(x)
    return np.asarray(x)

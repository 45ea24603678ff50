"""Shared fixtures: the backends every backend test runs on.

``xp`` is parametrised over NumPy, array-api-strict, PyTorch and CuPy. A
backend whose library is missing, or CuPy without a GPU, is skipped with the
reason, so CI (which installs every reference library) skips only CuPy.
"""

from __future__ import annotations

import pytest

from dlnotes import backend

try:  # CI machines are shared and slow: a property must not fail on a timing deadline
    from hypothesis import settings

    settings.register_profile("dlnotes", deadline=None)
    settings.load_profile("dlnotes")
except ImportError:  # hypothesis is a test extra; the property tests import it themselves
    pass

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


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site built once per test run with ``mkdocs build --strict``.

    Yields the output folder; the build log is kept beside it for the tests
    that look at it.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{log[-6000:]}")
    (out.parent / "build.log").write_text(log, encoding="utf-8")
    return out

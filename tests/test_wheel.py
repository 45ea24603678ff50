"""The doctests pass as a user runs them: from a wheel, in a clean venv that has
only NumPy and array-api-compat (and pytest), with no option flags."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _run(args, **kwargs):
    proc = subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return proc


@pytest.fixture(scope="module")
def clean_venv(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wheel")
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(folder), str(ROOT)]
    )
    wheel = next(folder.glob("dlnotes-*.whl"))
    env_dir = folder / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", str(wheel), "pytest"])
    listed = _run([str(python), "-m", "pip", "list", "--format=freeze"]).stdout.lower()
    for absent in ("torch", "array-api-strict", "scikit-learn", "cupy"):
        assert f"{absent}==" not in listed
    return python, folder


def test_pytest_doctest_modules_from_the_wheel(clean_venv):
    python, folder = clean_venv
    run_dir = folder / "elsewhere"  # no pyproject.toml and no source tree here
    run_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = _run(
        [
            str(python),
            "-m",
            "pytest",
            "--doctest-modules",
            "--pyargs",
            "dlnotes",
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        cwd=run_dir,
        env=env,
    )
    assert " passed" in proc.stdout


def test_plain_python_m_doctest_on_every_module(clean_venv):
    python, folder = clean_venv
    script = (
        "import doctest, importlib, pkgutil, sys, dlnotes\n"
        "failed = 0\n"
        "for m in pkgutil.iter_modules(dlnotes.__path__):\n"
        "    if m.name == '__main__':\n"
        "        continue\n"
        "    mod = importlib.import_module('dlnotes.' + m.name)\n"
        "    failed += doctest.testmod(mod).failed\n"
        "sys.exit(1 if failed else 0)\n"
    )
    _run([str(python), "-c", script], cwd=folder)

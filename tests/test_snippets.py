"""Copy snippets: every public function copies as one standalone file that runs,
passes its doctest and computes what the package computes."""

from __future__ import annotations

import ast
import importlib
import pickle
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dlnotes import snippets
from tests.cases import call_on, registry, to_plain

ROOT = Path(__file__).resolve().parent.parent
NAMES = snippets.public_names()
CASES = registry()
# a whole evaluator, a whole network's forward and backward pass, in one file each; the
# transposed convolution carries conv2d_backward's routine (its weight gradient unused)
BUDGET = {
    "coco.coco_evaluate": 250,
    "cnn.small_cnn_forward": 110,
    "cnn.small_cnn_backward": 150,
    "conv.conv_transpose2d": 90,
}


def _package_function(name):
    module, function = name.split(".")
    return getattr(importlib.import_module(f"dlnotes.{module}"), function)


def assert_same(actual, expected, where=""):
    """Equal structure, dtypes and values (NaN equal to NaN)."""
    if isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, f"{where}[{i}]")
    elif isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), where
        for k in expected:
            assert_same(actual[k], expected[k], f"{where}[{k!r}]")
    elif isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), f"{where}: {type(actual)}"
        assert actual.dtype == expected.dtype and actual.shape == expected.shape, where
        np.testing.assert_allclose(
            actual, expected, rtol=1e-12, atol=1e-15, equal_nan=True, err_msg=where
        )
    else:
        assert actual == expected or (actual != actual and expected != expected), where


@pytest.fixture(scope="session")
def standalone(tmp_path_factory):
    """Every snippet run once in a fresh interpreter without dlnotes (see _snippet_runner)."""
    folder = tmp_path_factory.mktemp("snippets")
    sources, failures = {}, {}
    for name in NAMES:
        try:
            sources[name] = snippets.snippet(name)
        except Exception as err:  # reported by each name's own test
            failures[name] = {"error": f"the snippet cannot be made: {err}"}
    (folder / "in.pkl").write_bytes(pickle.dumps(sources))
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "_snippet_runner.py"),
            str(folder / "in.pkl"),
            str(folder / "out.pkl"),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return {**pickle.loads((folder / "out.pkl").read_bytes()), **failures}


def test_every_public_function_has_a_snippet_and_valid_cases():
    assert len(NAMES) >= 78
    missing = [n for n in NAMES if not CASES.get(n, {}).get("cases")]
    assert not missing, f"no valid cases in tests/cases for: {missing}"
    unknown = sorted(set(CASES) - set(NAMES))
    assert not unknown, f"tests/cases names functions that are not public: {unknown}"


def test_snippet_budget(capsys):
    lines = {name: snippets.code_lines(snippets.snippet(name)) for name in NAMES}
    median, largest = statistics.median(lines.values()), max(lines, key=lines.get)
    with capsys.disabled():
        print(f"\nsnippet code lines: median {median}, maximum {lines[largest]} ({largest})")
    assert median <= 25
    over = {n: v for n, v in lines.items() if v > BUDGET.get(n, 80)}
    assert not over, f"snippets over budget: {over}"


@pytest.mark.parametrize("name", NAMES)
def test_snippet_imports_only_stdlib_numpy_and_array_api_compat(name):
    tree = ast.parse(snippets.snippet(name))
    allowed = {"numpy", "array_api_compat"} | set(sys.stdlib_module_names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            roots = [(node.module or "").split(".")[0]]
        else:
            continue
        assert set(roots) <= allowed, f"{name} imports {roots}"
    text = snippets.snippet(name)
    assert "MIT" in text.splitlines()[0]
    assert "][dlnotes." not in text  # no MkDocs link markup travels with a snippet


@pytest.mark.parametrize("name", NAMES)
def test_snippet_runs_standalone_and_passes_its_doctest(standalone, name):
    entry = standalone[name]
    assert entry["error"] is None, entry["error"]
    assert entry["doctests"] >= 1, f"{name}: its snippet carries no doctest"
    assert entry["failed"] == 0, entry["doctest_output"]
    text = snippets.snippet(name)
    assert "Slide formula:" in text, f"{name}: the snippet does not cite its slide formula"


@pytest.mark.parametrize("name", NAMES)
def test_snippet_computes_what_the_package_computes(standalone, name):
    entry = standalone[name]
    if entry["error"] is not None:
        pytest.fail(entry["error"])
    fn = _package_function(name)
    compared = 0
    for (backend, i), result in entry["results"].items():
        one = CASES[name]["cases"][i]
        expected = to_plain(call_on(fn, one, backend, _package_function))
        assert not (isinstance(result, str) and result.startswith("error: ")), result
        assert_same(result, expected, f"{name} on {backend}, case {i}")
        compared += 1
    assert compared >= len(CASES.get(name, {}).get("cases", []))


def test_copy_command_prints_the_snippet():
    proc = subprocess.run(
        [sys.executable, "-m", "dlnotes", "copy", "losses.mse"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == snippets.snippet("losses.mse")


def test_copy_command_rejects_unknown_names():
    proc = subprocess.run(
        [sys.executable, "-m", "dlnotes", "copy", "losses.nope"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "losses.nope" in proc.stderr


def test_snippet_rejects_bad_names():
    with pytest.raises(TypeError, match="name"):
        snippets.snippet(3)
    with pytest.raises(ValueError, match="public function"):
        snippets.snippet("backend.float_arrays")

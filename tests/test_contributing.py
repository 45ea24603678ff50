"""CONTRIBUTING.md is the house's pattern: its template is real code of the package."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import dlnotes.optim

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_the_template_is_the_package_source():
    block = re.search(r"```python\n(.*?)```", TEXT, re.S).group(1)
    source = inspect.getsource(dlnotes.optim.gd_step)
    assert source in block, "CONTRIBUTING's template differs from dlnotes.optim.gd_step"
    for line in block.splitlines():  # what the template imports, optim imports too
        if line.startswith("from "):
            module, names = line[len("from ") :].split(" import ")
            for name in names.split(", "):
                expected = getattr(importlib.import_module(module), name)
                assert getattr(dlnotes.optim, name) is expected, f"optim lacks {name}"


def test_every_spec_in_the_table_exists():
    from dlnotes import _checks

    for name in re.findall(r"^\| `(\w+)\(", TEXT, re.M):
        assert hasattr(_checks, name), f"CONTRIBUTING names a spec that does not exist: {name}"


def test_self_contained():
    """The contract lives in the repository, not beside it."""
    assert "../shared" not in TEXT
    for target in re.findall(r"\]\(([^)#]+)\)", TEXT):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target

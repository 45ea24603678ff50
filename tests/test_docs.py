"""The documentation is part of the product: it must build strictly, its worked
examples must run (they assert their own numbers), and it must not reach out to
the internet."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = sorted((DOCS / "examples").glob("*.py"))
pytestmark = pytest.mark.slow


def _mkdocs_config():
    # mkdocs.yml has no custom tags, so a plain safe load reads it.
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def _nav_files(nav):
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            yield from _nav_files(value)
        else:
            yield value


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_and_asserts_its_numbers(example):
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run(
        [sys.executable, str(example)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_every_page_and_example_is_in_the_nav():
    nav = set(_nav_files(_mkdocs_config()["nav"]))
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.glob("**/*.md")}
    pages |= {p.relative_to(DOCS).as_posix() for p in EXAMPLES}
    assert pages <= nav, f"not in mkdocs.yml nav: {sorted(pages - nav)}"


def test_examples_are_executed_strictly_and_fresh():
    plugins = _mkdocs_config()["plugins"]
    jupyter = next(
        p["mkdocs-jupyter"] for p in plugins if isinstance(p, dict) and "mkdocs-jupyter" in p
    )
    assert jupyter["execute"] is True
    assert jupyter["allow_errors"] is False  # a raising cell must fail the build
    assert jupyter["cache"] is False  # stale outputs must not survive code changes
    assert jupyter["include"] == ["examples/*.py"]


def test_site_builds_strict(built_site):
    log = (built_site.parent / "build.log").read_text(encoding="utf-8")
    # mkdocs' own warnings (Jupyter kernels also print "[IPKernelApp] WARNING" lines)
    assert not re.search(r"^WARNING\b", log, re.M), log
    assert (built_site / "index.html").exists()
    for example in EXAMPLES:
        assert (built_site / "examples" / example.stem / "index.html").exists()


def test_built_pages_make_no_external_request(built_site):
    """No CDN, no web fonts: every src/href that loads something stays on the site."""
    loading = re.compile(
        r"""<(?:script|img|iframe|link)\b[^>]*?\b(?:src|href)=["'](https?:)?//""", re.I
    )
    offenders = []
    for page in built_site.glob("**/*.html"):
        text = page.read_text(encoding="utf-8")
        for match in loading.finditer(text):
            tag = text[match.start() : text.find(">", match.start()) + 1]
            if 'rel="canonical"' not in tag and "rel=canonical" not in tag:
                offenders.append(f"{page.relative_to(built_site)}: {tag[:160]}")
    assert not offenders, "\n".join(offenders[:20])


def test_math_library_is_vendored(built_site):
    assert (built_site / "assets" / "mathjax" / "tex-chtml.js").exists()
    fonts = list(
        (built_site / "assets" / "mathjax" / "output" / "chtml" / "fonts").glob("**/*.woff")
    )
    assert fonts, "MathJax fonts must be served by the site itself"


def test_headline_numbers_are_on_the_built_page(built_site):
    page = (built_site / "examples" / "gradient_step" / "index.html").read_text(encoding="utf-8")
    for number in ("10.16", "0.0256", "1.68", "3.68"):
        assert number in page
    assert "data:image/png;base64" in page, "the example must render a plot"


def test_api_reference_shows_source(built_site):
    page = (built_site / "neuron" / "index.html").read_text(encoding="utf-8")
    assert "Source code in" in page
    text = re.sub(r"<[^>]+>", "", page)  # the highlighted source is split into spans
    assert "def forward(" in text


def test_formula_coverage_tool_reports_no_shortfall():
    tool = ROOT.parent / "shared" / "tools" / "formula_coverage.py"
    if not tool.exists():
        pytest.skip("../shared/tools/formula_coverage.py is not beside this checkout")
    groups = os.environ.get("DLNOTES_COVERAGE_GROUPS", "N,A,L,S,M,D,R,C,O,X")
    proc = subprocess.run(
        [sys.executable, str(tool), "--ids", groups],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_tests_cited_by_the_pages_exist():
    """The errata page backs each correction with a test: the cited tests must exist."""
    cited = set()
    for page in DOCS.glob("*.md"):
        cited |= set(re.findall(r"(tests/test_\w+\.py)::(\w+)", page.read_text(encoding="utf-8")))
    assert cited, "the pages should cite their tests"
    missing = [
        f"{path}::{name}"
        for path, name in sorted(cited)
        if not re.search(rf"^def {name}\b", (ROOT / path).read_text(encoding="utf-8"), re.M)
    ]
    assert not missing, missing


def test_every_api_entry_shows_its_copy_snippet(built_site):
    """Under each function's entry: its standalone snippet, in a block with a copy button."""
    from dlnotes import snippets

    shown = {}
    for page in built_site.glob("*/index.html"):
        html = page.read_text(encoding="utf-8")
        for name in re.findall(r"python -m dlnotes copy (\w+\.\w+)", html):
            shown[name] = page.parent.name
    missing = sorted(set(snippets.public_names()) - set(shown))
    assert not missing, f"functions without a copy snippet on the site: {missing}"
    page = (built_site / "losses" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    import html as html_module

    text = html_module.unescape(text)
    for line in snippets.snippet("losses.mse").splitlines():  # the whole snippet, as printed
        assert line.strip() in text, line

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


class _Loader(yaml.SafeLoader):
    """A safe loader that reads mkdocs.yml's ``!ENV [NAME, default]`` as the variable's value."""


def _env_tag(loader, node):
    names = (
        loader.construct_sequence(node)
        if isinstance(node, yaml.SequenceNode)
        else [loader.construct_scalar(node)]
    )
    *variables, default = names if len(names) > 1 else (*names, None)
    return next((os.environ[v] for v in variables if v in os.environ), default)


_Loader.add_constructor("!ENV", _env_tag)


def _mkdocs_config():
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)


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
    groups = os.environ.get("DLNOTES_COVERAGE_GROUPS", "N,A,L,S,M,D,R,C,O,X,E,V")
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


# --- the site-wide mechanisms of docs/hooks/site_links.py -------------------------------


@pytest.fixture(scope="module")
def site_dir(request):
    """The built site: DLNOTES_BUILT_SITE if set (a prebuilt strict build), else a fresh build."""
    prebuilt = os.environ.get("DLNOTES_BUILT_SITE")
    if prebuilt:
        assert (Path(prebuilt) / "index.html").exists(), f"{prebuilt} holds no built site"
        return Path(prebuilt)
    return request.getfixturevalue("built_site")


def _hook(name):
    """docs/hooks/<name>.py as a module (the hooks are not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"dlnotes_{name}", DOCS / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _version():
    return re.search(
        r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M
    ).group(1)


def test_home_installs_the_published_wheel_or_from_a_clone():
    hook = _hook("site_links")
    version = _version()
    wheel = f"https://me.github.io/dlnotes/dlnotes-{version}-py3-none-any.whl"
    published = hook.install_markdown("https://me.github.io/dlnotes/", None, version)
    assert f"pip install {wheel}\n" in published
    assert f'pip install "dlnotes[cupy] @ {wheel}"' in published
    local = hook.install_markdown(None, "https://github.com/me/dlnotes", version)
    assert "git clone https://github.com/me/dlnotes" in local
    assert "pip install .  " in local and 'pip install ".[cupy]"' in local


def test_doctest_blocks_copy_without_prompts_and_output():
    hook = _hook("site_links")
    code = hook.doctest_code(
        ">>> x = [1,\n...      2]\n>>> len(x)\n2\n>>> def f():\n...     pass\n...\n"
    )
    assert code == "x = [1,\n     2]\nlen(x)\ndef f():\n    pass\n\n"
    assert hook.doctest_code("x = 1\n") is None
    # a doctest that uses its module's names without importing them gets the import
    pasted = hook.with_imports("float(mse([1.0], [3.0]))\n", "losses")
    assert pasted.startswith("from dlnotes.losses import mse\n")
    assert hook.with_imports("import math\n", "losses") == "import math\n"


def test_search_text_has_no_raw_tex():
    hook = _hook("site_links")
    text = hook.strip_tex(r"loss \(L=\frac1n\sum_i(\tilde y_i-\hat y_i)^2\) and $\sigma(x)$")
    assert "\\" not in text and "$" not in text
    assert "Σ" in text and "σ(x)" in text and "1/n" in text


def test_site_and_repository_addresses_come_from_the_environment(monkeypatch):
    from mkdocs.config import load_config

    monkeypatch.delenv("DLNOTES_SITE_URL", raising=False)
    monkeypatch.delenv("DLNOTES_REPO_URL", raising=False)
    bare = load_config(str(ROOT / "mkdocs.yml"))
    assert bare.site_url is None and bare.repo_url is None
    monkeypatch.setenv("DLNOTES_SITE_URL", "https://me.github.io/dlnotes/")
    monkeypatch.setenv("DLNOTES_REPO_URL", "https://github.com/me/dlnotes")
    published = load_config(str(ROOT / "mkdocs.yml"))
    assert published.site_url == "https://me.github.io/dlnotes/"  # sitemap.xml lists pages
    assert published.repo_url == "https://github.com/me/dlnotes"
    assert published.edit_uri, "edit links need edit_uri"
    workflow = (ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    for name in ("DLNOTES_SITE_URL", "DLNOTES_REPO_URL", "pip wheel"):
        assert name in workflow, f"the Pages workflow does not set {name}"


def test_topics_come_before_backends():
    titles = [next(iter(item)) for item in _mkdocs_config()["nav"]]
    assert titles.index("Topics") < titles.index("Backends")


def _text(html_page):
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", html_page))


def _our_requirements():
    """The distributions pyproject.toml itself requires (any extra): these are the real ones."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    return {re.match(r"[A-Za-z0-9_.\-]+", spec).group(0).lower() for spec in specs}


def test_no_install_command_names_a_distribution_that_is_not_ours(site_dir):
    """``pip install dlnotes`` or ``"dlnotes[cupy]"`` would fetch an unrelated PyPI project.

    A command may install dlnotes from a path or by the address of its wheel, or a
    distribution that dlnotes' own pyproject.toml names (e.g. cupy-cuda12x, its [cupy] extra).
    """
    ours = re.compile(r"(\.|\.\[\w+\]|https?://\S+\.whl|dlnotes(\[\w+\])? @ https?://\S+\.whl)")
    known = _our_requirements() - {"dlnotes"}
    offenders = []
    for page in site_dir.glob("**/*.html"):
        html_page = page.read_text(encoding="utf-8")
        # the API entries' source listings are code, not commands (their error messages
        # may quote one inside a string)
        html_page = re.sub(
            r'<details class="mkdocstrings-source.*?</details>', "", html_page, flags=re.S
        )
        for line in _text(html_page).splitlines():
            match = re.search(r"\bpip install\s+(.+)", line)
            if not match:
                continue
            command = match.group(1).split("#")[0].strip()
            for arg in re.findall(r'"[^"]*"|\'[^\']*\'|\S+', command):
                arg = arg.strip("\"'`").rstrip(").,;:")
                if not arg or arg.startswith(("-", "$", "<", "{")) or arg in ("…", "\\"):
                    continue
                name = re.match(r"[A-Za-z0-9_.\-]*", arg).group(0).lower()
                if not ours.fullmatch(arg) and name not in known:
                    offenders.append(f"{page.relative_to(site_dir)}: pip install {command}")
    assert not offenders, "\n".join(sorted(set(offenders)))


def test_home_coverage_line_is_counted_from_the_formula_index(site_dir):
    rows = [
        line
        for line in (DOCS / "formulas.md").read_text(encoding="utf-8").splitlines()
        if re.match(r"\|\s*[A-Z]\d+[a-z]?\s*\|", line)
    ]
    status = [line.rstrip(" |").rsplit("|", 1)[1].strip() for line in rows]
    home = _text((site_dir / "index.html").read_text(encoding="utf-8"))
    expected = (
        f"Of the {len(rows)} formulas in the formula index, {status.count('done')} are functions"
    )
    assert expected in " ".join(home.split())
    assert f"{status.count('planned')} are planned" in home
    assert 'id="install"' in (site_dir / "index.html").read_text(encoding="utf-8")


def test_formula_index_links_functions_examples_and_rows(site_dir):
    page = (site_dir / "formulas" / "index.html").read_text(encoding="utf-8")
    assert 'id="N1"' in page
    assert re.search(r'href="\.\./neuron/#dlnotes\.neuron\.forward"', page)
    assert 'href="../examples/gradient_step/"' in page
    assert "Deep Learning Foundations" in page
    neuron = (site_dir / "neuron" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'Slide formula: <a href="\.\./formulas/#N1">N1</a>', neuron)
    assert "Used in the worked examples" in neuron


def test_every_internal_link_resolves(site_dir):
    """Every href to a page of the site reaches a file, and its #anchor an id there."""
    from urllib.parse import unquote, urljoin, urlparse

    ids = {}

    def ids_of(path):
        if path not in ids:
            ids[path] = set(
                re.findall(r'\b(?:id|name)="([^"]+)"', path.read_text(encoding="utf-8"))
            )
        return ids[path]

    broken = []
    base = "http://site.invalid/"
    for page in sorted(site_dir.glob("**/*.html")):
        rel = page.relative_to(site_dir).as_posix()
        if rel == "404.html":  # served at any depth: its links are absolute, from site_url
            continue
        url = base + rel
        for href in re.findall(r'<a\b[^>]*?\bhref="([^"]*)"', page.read_text(encoding="utf-8")):
            target = urlparse(urljoin(url, href))
            if target.netloc != "site.invalid" or href.startswith(("mailto:", "data:")):
                continue
            path = site_dir / unquote(target.path[1:])
            if path.is_dir() or target.path.endswith("/"):
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{rel}: {href}")
            elif target.fragment and path.suffix == ".html":
                if unquote(target.fragment) not in ids_of(path):
                    broken.append(f"{rel}: {href} (no such anchor)")
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:30])


def test_search_index_has_no_raw_tex(site_dir):
    import json

    docs = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    tex = re.compile(r"\\\(|\\\[|\\(frac|hat|sum|sigma|mathrm|lvert|cdot|tilde)\b")
    raw = [d["location"] for d in docs["docs"] if tex.search(d.get("text", "") + d["title"])]
    assert not raw, f"search results with raw TeX: {raw[:10]}"


def test_examples_offer_their_notebook_and_source(site_dir):
    for example in EXAMPLES:
        folder = site_dir / "examples" / example.stem
        page = (folder / "index.html").read_text(encoding="utf-8")
        for name in (f"{example.stem}.ipynb", f"{example.stem}.py"):
            assert f'href="{name}"' in page, f"{example.stem}: no link to {name}"
            assert (folder / name).exists(), f"{example.stem}: {name} not published"


def test_plots_get_the_alt_text_of_their_cell(tmp_path, caplog):
    from types import SimpleNamespace

    hook = _hook("site_links")
    source = tmp_path / "demo.py"
    source.write_text(
        '# %% [markdown]\n# # Demo\n\n# %% alt="Two loss curves that fall"\nplot()\n\n'
        '# %% tags=["hide"]\nassert True\n\n# %%\nplot()\n',
        encoding="utf-8",
    )
    cell = (
        '<div class="jp-Cell jp-CodeCell jp-Notebook-cell" id="cell-id={}"><img alt="{}" src="x">'
    )
    content = cell.format(1, hook.NO_ALT) + cell.format(2, hook.NO_ALT)
    config = SimpleNamespace(plugins={})
    page = SimpleNamespace(
        file=SimpleNamespace(abs_src_path=str(source), src_uri="examples/demo.py")
    )
    out = hook._alt_texts(content, page, config)
    assert 'alt="Two loss curves that fall"' in out
    assert out.count(hook.NO_ALT) == 1  # the second plot has none: a warning says so
    assert any("code cell 2 shows an image" in r.getMessage() for r in caplog.records)


def test_hidden_cells_run_at_build_but_leave_the_page():
    """A `# %% tags=["hide"]` cell executes (its checks guard the build) and is not shown."""

    import jupytext
    from nbconvert import HTMLExporter

    hook = _hook("hidden_cells")
    notebook = jupytext.reads(
        '# %% tags=["hide"]\nchecked = 41\n\n# %%\nprint(checked + 1)\n', fmt="py:percent"
    )
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    assert "celltag_hide" in html  # nbconvert marks the cell, the hook removes it
    page = hook.on_page_content(html, None, None, None)
    assert "celltag_hide" not in page and "checked = 41" not in page.replace("</span>", "")
    assert "print" in page
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))
    jupyter = next(
        p["mkdocs-jupyter"]
        for p in config["plugins"]
        if isinstance(p, dict) and "mkdocs-jupyter" in p
    )
    assert "remove_tag_config" not in jupyter, "remove_tag_config drops cells before they run"


def test_folded_cells_show_their_figure_under_closed_code():
    """A `# %% tags=["fold"] alt="..."` cell: its code in a closed <details>, its plot outside."""

    import jupytext
    from nbconvert import HTMLExporter

    hook = _hook("hidden_cells")
    notebook = jupytext.reads(
        '# %% tags=["fold"] alt="A rising line"\nimport matplotlib.pyplot as plt\n\n'
        "# the plot\nplt.plot([1, 2])\nplt.show()\n\n# %%\nprint(42)\n",
        fmt="py:percent",
    )
    assert notebook.cells[0].metadata == {"tags": ["fold"], "alt": "A rising line"}
    # the figure as the executed notebook holds it (no kernel needed here)
    notebook.cells[0].outputs = [
        {
            "output_type": "display_data",
            "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
            "metadata": {},
        }
    ]
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    assert "celltag_fold" in html
    page = hook.on_page_content(html, None, None, None)

    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    folds = soup.select("details.dl-fold")
    assert len(folds) == 1
    fold = folds[0]
    assert not fold.has_attr("open"), "the plotting code must start folded"
    assert fold.find("summary").get_text() == "Show the plotting code (3 lines)"
    assert "plt.plot([1, 2])" in fold.get_text()
    assert fold.find("img") is None, "the figure must stay outside the fold"
    cell = fold.find_parent("div", class_="celltag_fold")
    image = cell.select_one(".jp-Cell-outputWrapper img")
    assert image is not None and image.find_parent("details") is None
    assert image["src"].startswith("data:image/png;base64,")
    assert "print" in page and len(soup.select("details")) == 1  # other cells untouched
    # the alt-text machinery (site_links.py) still finds the fold cell's alt
    cells = _hook("site_links")._notebook_cells
    source = DOCS / "examples" / "average_precision.py"
    folded = [c for c in cells(source, {"hide"}) if "fold" in c.metadata.get("tags", [])]
    assert folded and all(c.metadata.get("alt") for c in folded)


def _code_lines(source):
    return [
        line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


# a cell that draws: calls pyplot (styling with rcParams aside), a figure or an axes
_DRAWS = re.compile(
    r"\bplt\.(?!rcParams\b)\w+\s*\(|\bfig\w*\.\w+\s*\(|\bax(es|s)?\w*(\[[^\]]*\])*\.\w+\s*\("
)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_shown_plotting_code_is_short_and_folded_cells_say_what_they_show(example):
    """Visible plotting cells have at most 10 code lines; longer ones are folded, with an alt."""
    import jupytext

    notebook = jupytext.read(example)
    long_cells, no_alt = [], []
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        if "fold" in tags:
            if not str(cell.metadata.get("alt", "")).strip():
                no_alt.append(number)
        elif "hide" not in tags and ("alt" in cell.metadata or _DRAWS.search(cell.source)):
            lines = len(_code_lines(cell.source))
            if lines > 10:
                long_cells.append(f"cell {number}: {lines} code lines")
    assert not long_cells, (
        f"{example.name}: plotting cells over 10 code lines: tag them "
        f'`# %% tags=["fold"] alt="..."` or shorten them: {long_cells}'
    )
    assert not no_alt, f"{example.name}: fold cells without alt text: cells {no_alt}"

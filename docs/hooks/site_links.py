"""MkDocs hook: the site-wide mechanisms that keep the pages true at every commit.

- Formula index (formulas.md): each row gets an anchor (``formulas/#N1``), its
  functions link to their API entries, a column lists the worked examples that
  use them, and the source decks are named by their titles.
- API pages: ``Slide formula: N1.`` links to its index row; under each entry, the
  worked examples that use the function.
- Home (index.md): the coverage line, counted from the formula index, and the
  install commands, for the published wheel when ``site_url`` is known.
- Copy buttons: a block of doctest (``>>>``) copies its code without prompts and
  output; the API entries' source listings get no copy button (the "Copy" box
  under each entry is the code that runs as pasted).
- Worked examples: each output image gets the ``alt`` text of its cell
  (``# %% alt="..."`` in the example's jupytext source; a plotting cell without
  one is a warning, so ``--strict`` fails), and the page offers the example
  as a notebook (.ipynb, generated here) and as its .py source.
- The search index holds no raw TeX; the repository link fetches nothing from
  the GitHub API (the site stays offline).
"""

from __future__ import annotations

import ast
import html
import json
import posixpath
import re
from pathlib import Path

from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.utils import get_relative_url

log = get_plugin_logger("dlnotes")  # mkdocs.plugins.dlnotes: --strict counts its warnings

# The slides, by the number of their text file in ../shared/seeds (see its README).
DECKS = {
    "000": "Learning in Deep Neural Networks",
    "001": "Learning in Deep Neural Networks",  # a second extraction of the same deck
    "002": "Deep Learning Performance Metrics",
    "003": "CNN Visualization and Fully Convolutional Learning",
    "004": "Deep Learning Foundations",
}
NO_ALT = "No description has been provided for this image"
_STATE: dict = {}

_API = re.compile(
    r"^::: dlnotes\.(\w+)\.(\w+)[ \t]*\n((?:[ \t]+\S.*\n|[ \t]*\n(?=[ \t]+\S))*)", re.M
)
_ROW = re.compile(r"^\|\s*([A-Z]\d+[a-z]?)\s*\|")
_ID_LIST = r"[A-Z]\d+[a-z]?(?:(?:,\s*|\s+and\s+)[A-Z]\d+[a-z]?)*"
_SLIDE = re.compile(rf"(Slide formulas?:\s*)({_ID_LIST})")


# --- what the site knows about itself ---------------------------------------


def _version(root: Path) -> str:
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version\s*=\s*"([^"]+)"', text, re.M).group(1)


def _nav_examples(nav, found):
    for item in nav or []:
        if isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, list):
                    _nav_examples(value, found)
                elif isinstance(value, str) and re.fullmatch(r"examples/\w+\.py", value):
                    found[Path(value).stem] = title
    return found


def _used_names(source: str) -> set[str]:
    """``module.function`` of dlnotes that a worked example imports or calls."""
    used, modules = set(), {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "dlnotes":
                for alias in node.names:
                    modules[alias.asname or alias.name] = alias.name
            elif node.module.startswith("dlnotes."):
                mod = node.module.split(".", 1)[1]
                used |= {f"{mod}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dlnotes.") and alias.asname:
                    modules[alias.asname] = alias.name.split(".", 1)[1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in modules:
                used.add(f"{modules[node.value.id]}.{node.attr}")
    return used


def _formula_rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        match = _ROW.match(line)
        if match:
            rows[match.group(1)] = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
    return rows


def on_config(config):
    if not config.repo_url:  # no repository known: no edit links (they would be relative)
        config.edit_uri = None
    root = Path(config.docs_dir).resolve().parent
    docs = Path(config.docs_dir)
    api = {}  # "module.function" -> the page (src path) that documents it
    for page in sorted(docs.glob("*.md")):
        for match in _API.finditer(page.read_text(encoding="utf-8")):
            api.setdefault(f"{match.group(1)}.{match.group(2)}", page.name)
    titles = _nav_examples(config.nav, {})
    uses = {}  # "module.function" -> [example stems]
    for path in sorted((docs / "examples").glob("*.py")):
        if path.stem not in titles:  # not on the site
            continue
        for name in _used_names(path.read_text(encoding="utf-8")):
            uses.setdefault(name, []).append(path.stem)
    formulas = _formula_rows((docs / "formulas.md").read_text(encoding="utf-8"))
    _STATE.update(
        root=root, api=api, titles=titles, uses=uses, formulas=formulas, version=_version(root)
    )
    return config


# --- Markdown ------------------------------------------------------------------


def _link(target: str, src_uri: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(src_uri) or ".")


def _example_links(stems, src_uri):
    titles = _STATE["titles"]
    return ", ".join(
        f"[{titles.get(s, s)}]({_link(f'examples/{s}.py', src_uri)})" for s in sorted(set(stems))
    )


def _deck_titles(text: str) -> str:
    """``(004; 000 part 1 and 5)`` -> the decks' titles, number kept in brackets."""

    def name(match):
        numbers = match.group(0).split("/")
        return f"*{DECKS[numbers[0]]}* [{match.group(0)}]"

    return re.sub(r"\b(?:00[0-4])(?:/00[0-4])?\b", name, text)


def _formula_index(markdown: str, src_uri: str) -> str:
    api, uses = _STATE["api"], _STATE["uses"]
    out = []
    for line in markdown.splitlines():
        if line.startswith("## ") and "(" in line:
            head, paren = line.split("(", 1)
            line = f"{head}({_deck_titles(paren)}"
        elif line.startswith("| ID |"):
            line = "| ID | function | formula | page | worked examples | backends | status |"
        elif line.startswith("| --- |"):
            line = "| --- | --- | --- | --- | --- | --- | --- |"
        elif _ROW.match(line):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if len(cells) == 6:
                fid, formula, functions, page, backends, status = cells
                names = re.findall(r"`(\w+\.\w+)`", functions)
                for name in names:
                    if name in api:
                        anchor = f"dlnotes.{name}"
                        link = f"[`{name}`]({_link(api[name], src_uri)}#{anchor})"
                        functions = functions.replace(f"`{name}`", link, 1)
                stems = [s for n in names for s in uses.get(n, [])]
                examples = _example_links(stems, src_uri) or "—"
                row = [f"[{fid}](#{fid}){{ #{fid} }}", functions, formula, page, examples]
                line = "| " + " | ".join([*row, backends, status]) + " |"
        out.append(line)
    legend = (
        "\n\nThe slides, by the number of their text extraction: "
        + "; ".join(f"{n} *{t}*" for n, t in DECKS.items() if n != "001")
        + " (001 is a second extraction of 000).\n"
    )
    text = "\n".join(out) + "\n"
    # the legend goes after the first paragraph that follows the title
    first_h2 = text.find("\n## ")
    return text[:first_h2] + legend + text[first_h2:] if first_h2 > 0 else text + legend


def coverage_line() -> str:
    statuses = [cells[-1] for cells in _STATE["formulas"].values()]
    done, page, planned = (statuses.count(s) for s in ("done", "page", "planned"))
    return (
        f"Of the {len(statuses)} formulas in the [formula index](formulas.md), {done} are "
        f"functions here, {page} are explained on a page without a function of their own "
        f"and {planned} are planned."
    )


def install_markdown(site_url: str | None, repo_url: str | None, version: str) -> str:
    """Home's install commands: the published wheel, or a clone."""
    wheel = f"dlnotes-{version}-py3-none-any.whl"
    if site_url:
        url = site_url.rstrip("/") + "/" + wheel
        return (
            "From the wheel published with this site (the name `dlnotes` on PyPI belongs to\n"
            "another project, so install by this address):\n\n"
            "```bash\n"
            f"pip install {url}\n"
            f'pip install "dlnotes[cupy] @ {url}"   # + CuPy, for NVIDIA GPUs with CUDA 12\n'
            "```\n"
        )
    clone = f"git clone {repo_url} dlnotes && cd dlnotes\n" if repo_url else ""
    return (
        "From a clone of the repository (the name `dlnotes` on PyPI belongs to another\n"
        "project: install from the clone, never by that name):\n\n"
        "```bash\n"
        f"{clone}"
        "pip install .             # NumPy only: the runtime needs numpy and array-api-compat\n"
        'pip install ".[cupy]"     # + CuPy, for NVIDIA GPUs with CUDA 12\n'
        "```\n"
    )


def _used_in(markdown: str, src_uri: str) -> str:
    def add(match):
        name = f"{match.group(1)}.{match.group(2)}"
        stems = _STATE["uses"].get(name)
        if not stems:
            return match.group(0)
        return (
            f"{match.group(0)}\n*Used in the worked examples:* {_example_links(stems, src_uri)}\n\n"
        )

    return _API.sub(add, markdown if markdown.endswith("\n") else markdown + "\n")


def on_page_markdown(markdown, page, config, files):
    src = page.file.src_uri
    if src == "formulas.md":
        markdown = _formula_index(markdown, src)
    elif src == "index.md":
        markdown = markdown.replace("<!-- dlnotes:coverage -->", coverage_line())
        markdown = markdown.replace(
            "<!-- dlnotes:install -->",
            install_markdown(config.site_url, config.repo_url, _STATE["version"]),
        )
    if "::: dlnotes." in markdown:
        markdown = _used_in(markdown, src)
    return markdown


# --- HTML ----------------------------------------------------------------------


def doctest_code(text: str) -> str | None:
    """The code of a doctest block (prompts and output dropped), or None if it is not one."""
    lines = text.strip("\n").splitlines()
    if not lines or not lines[0].startswith(">>>"):
        return None
    code = [
        line[4:] if len(line) > 3 else ""
        for line in lines
        if line.startswith((">>>", "...")) and (len(line) == 3 or line[3] == " ")
    ]
    return "\n".join(code) + "\n"


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def with_imports(code: str, module: str | None) -> str:
    """A doctest of an API entry that relies on its module's names, made to run alone.

    Doctests run in their module's namespace; pasted into ``python`` they need the
    import. If the block imports nothing, the dlnotes names it uses are imported first.
    """
    if not module or re.search(r"^\s*(from|import)\s", code, re.M):
        return code
    import importlib
    import types

    namespace = vars(importlib.import_module(f"dlnotes.{module}"))
    used = sorted(
        name
        for name in set(re.findall(r"(?<![\w.])([A-Za-z_]\w*)\b", code))
        if name in namespace
        and not name.startswith("_")
        and name != "np"
        and not isinstance(namespace[name], types.ModuleType)
    )
    header = "import numpy as np\n" if re.search(r"\bnp\.", code) else ""
    if used:
        header += f"from dlnotes.{module} import {', '.join(used)}\n"
    return header + code


def _copy_code_without_prompts(content: str) -> str:
    entries = [(m.start(), m.group(1)) for m in re.finditer(r'id="dlnotes\.(\w+)\.\w+"', content)]

    def module_at(position):
        before = [mod for start, mod in entries if start < position]
        return before[-1] if before else None

    def fix(match):
        code = doctest_code(_plain(match.group(2)))
        if code is None or "data-copy" in match.group(1):
            return match.group(0)
        code = with_imports(code, module_at(match.start()))
        return f'{match.group(1)} data-copy="{html.escape(code, quote=True)}">{match.group(2)}'

    return re.sub(r"(<pre\b[^>]*?)>(.*?)(?=</pre>)", fix, content, flags=re.S)


def _link_slide_formulas(content: str, page) -> str:
    known = _STATE["formulas"]
    base = get_relative_url("formulas/", page.url) if page.url != "formulas/" else ""

    def ids(match):
        linked = re.sub(
            r"[A-Z]\d+[a-z]?",
            lambda m: (
                f'<a href="{base}#{m.group(0)}">{m.group(0)}</a>'
                if m.group(0) in known
                else m.group(0)
            ),
            match.group(2),
        )
        return match.group(1) + linked

    parts = re.split(r"(<pre\b.*?</pre>|<code\b.*?</code>|<a\b.*?</a>)", content, flags=re.S)
    return "".join(p if i % 2 else _SLIDE.sub(ids, p) for i, p in enumerate(parts))


def _notebook_cells(src_path: Path, remove_tags):
    import jupytext

    notebook = jupytext.read(src_path)
    return [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and not set(cell.metadata.get("tags", [])) & remove_tags
    ]


def _alt_texts(content: str, page, config) -> str:
    # the "hide" cells (the example's checks) are off the page by now (hidden_cells.py)
    cells = _notebook_cells(Path(page.file.abs_src_path), {"hide"})
    starts = [m.start() for m in re.finditer(r'<div class="jp-Cell jp-CodeCell[^"]*" id=', content)]
    if len(starts) != len(cells):
        log.warning(
            "%s: %d code cells in the page, %d in the source: alt texts not set",
            page.file.src_uri,
            len(starts),
            len(cells),
        )
        return content
    if not starts:
        return content
    pieces = [content[: starts[0]]]
    bounds = [*starts, len(content)]
    for number, (cell, a, b) in enumerate(zip(cells, bounds, bounds[1:]), start=1):
        piece = content[a:b]
        alt = str(cell.metadata.get("alt", "")).strip()
        if "<img" in piece:
            if alt:
                escaped = html.escape(alt, quote=True)
                piece = piece.replace(f'alt="{NO_ALT}"', f'alt="{escaped}"')
                piece = re.sub(r"<img(?![^>]*\balt=)", f'<img alt="{escaped}"', piece)
            else:  # --strict fails: every plot says what it shows
                log.warning(
                    "%s: code cell %d shows an image but its header has no alt text "
                    '(write `# %%%% alt="what the plot shows"`)',
                    page.file.src_uri,
                    number,
                )
        pieces.append(piece)
    return "".join(pieces)


def _downloads(page) -> str:
    stem = Path(page.file.src_uri).stem
    return (
        '<p class="dlnotes-downloads">Run it yourself: '
        f'<a href="{stem}.ipynb" download>notebook ({stem}.ipynb)</a> · '
        f'<a href="{stem}.py" download>source ({stem}.py)</a></p>\n'
    )


def _is_example(page) -> bool:
    return bool(re.fullmatch(r"examples/\w+\.py", page.file.src_uri))


def _notebook_links(content: str, page, files) -> str:
    """Links written as in a Markdown page (``optimizer_race.py``, ``../losses.md#x``) -> URLs."""
    folder = posixpath.dirname(page.file.src_uri)

    def fix(match):
        path, _, fragment = match.group(1).partition("#")
        if re.match(r"[a-z]+:|/", path) or not path.endswith((".md", ".py")):
            return match.group(0)
        target = files.get_file_from_path(posixpath.normpath(posixpath.join(folder, path)))
        if target is None:
            log.warning("%s links to %s, which is not in the docs", page.file.src_uri, path)
            return match.group(0)
        url = get_relative_url(target.url, page.url) + (f"#{fragment}" if fragment else "")
        return f'href="{url}"'

    return re.sub(r'href="([^"#][^"]*)"', fix, content)


def on_page_content(content, page, config, files):
    if _is_example(page):
        content = _notebook_links(_alt_texts(content, page, config), page, files)
        at = content.find("</h1>")  # under the notebook's title
        at = at + len("</h1>") if at >= 0 else 0
        return content[:at] + _downloads(page) + content[at:]
    content = _copy_code_without_prompts(content)
    # the source listing of an API entry is for reading: its "Copy" box is what runs
    content = content.replace(
        '<details class="mkdocstrings-source">', '<details class="mkdocstrings-source no-copy">'
    )
    # a signature (``forward(x, w, b, *, ...)``) is not code that runs either
    content = re.sub(r'class="([^"]*\bdoc-signature\b[^"]*)"', r'class="\1 no-copy"', content)
    return _link_slide_formulas(content, page)


def on_post_page(output, page, config):
    # Material asks the GitHub API for stars and forks of a GitHub repo_url on
    # every page load: without the component the link stays, the request goes.
    output = output.replace('data-md-component="source"', "")
    if _is_example(page):
        import jupytext

        src = Path(page.file.abs_src_path)
        target = Path(page.file.abs_dest_path).parent / f"{src.stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        jupytext.write(jupytext.read(src), target, fmt="ipynb")
    return output


# --- search ----------------------------------------------------------------------

_TEX_WORDS = {  # TeX command -> the character it prints
    "sum": "Σ", "prod": "Π", "cdot": "·", "times": "×", "leftarrow": "←", "rightarrow": "→",
    "to": "→", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "approx": "≈",
    "infty": "∞", "partial": "∂", "nabla": "∇", "in": "∈", "lvert": "|", "rvert": "|",
    "lVert": "‖", "rVert": "‖", "top": "ᵀ", "odot": "⊙", "sqrt": "√", "pm": "±", "mid": "|",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "alpha": "α", "beta": "β",
    "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε", "varepsilon": "ε", "eta": "η",
    "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ", "Sigma": "Σ", "tau": "τ", "phi": "φ",
    "rho": "ρ", "omega": "ω", "pi": "π", "ell": "ℓ", "quad": " ", "qquad": " ", "Bigl": "",
    "Bigr": "", "bigl": "", "bigr": "", "left": "", "right": "", "big": "", "Big": "",
    "displaystyle": "",
}  # fmt: skip


def tex_to_text(tex: str) -> str:
    """A readable plain-text form of a TeX formula, for search results."""
    accents = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "vec": "\u20d7"}
    text = re.sub(
        r"\\(hat|tilde|bar|vec)\s*\{?(\w)\}?", lambda m: m.group(2) + accents[m.group(1)], tex
    )
    text = re.sub(r"\\(?:hat|tilde|bar|vec|dot)\s*(?=\\)", "", text)
    text = re.sub(r"\\d?frac\s*(\w)\s*(\w)", r"\1/\2", text)
    previous = None
    while previous != text:  # innermost groups first
        previous = text
        text = re.sub(_WRAPPERS + r"\s*\{([^{}]*)\}", r"\1", text)
        text = re.sub(r"\\d?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"(\1)/(\2)", text)
        text = re.sub(r"\\sqrt\s*\{([^{}]*)\}", r"√(\1)", text)
        text = re.sub(r"([_^])\{([^{}]*)\}", r"\1\2", text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _TEX_WORDS.get(m.group(1), m.group(1)), text)
    text = re.sub(r"\\[,;:! {}|]", " ", text)
    text = text.replace("{", "").replace("}", "").replace("\\", "")
    return re.sub(r"\s+", " ", text).strip()


_WRAPPERS = (
    r"\\(?:mathrm|text|operatorname|mathbf|mathcal|mathbb|boldsymbol|hat|widehat|tilde"
    r"|widetilde|bar|overline|vec|dot|left|right|Bigl|Bigr|bigl|bigr|Big|big)"
)
_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$|\$([^$]+?)\$", re.S)


def strip_tex(text: str) -> str:
    return _MATH.sub(lambda m: tex_to_text(next(g for g in m.groups() if g is not None)), text)


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config):
    index = Path(config.site_dir) / "search" / "search_index.json"
    if not index.exists():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    for doc in data.get("docs", []):
        for key in ("title", "text"):
            if key in doc:
                doc[key] = strip_tex(doc[key])
    index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

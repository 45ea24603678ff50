"""MkDocs hook: an example's check cells run at build but do not show; long
plotting code is folded.

``hide``
    A worked example keeps the checks that make the build fail on a wrong
    number in cells headed ``# %% tags=["hide"]``. mkdocs-jupyter's own
    ``remove_tag_config`` drops such cells *before* the notebook runs, so their
    checks (and any name they define) would never run in the build. Instead the
    notebook runs whole, and this hook removes the executed cells from the page:
    nbconvert marks each with the class ``celltag_hide``.

``fold``
    A plotting cell of more than 10 code lines is headed
    ``# %% tags=["fold"] alt="..."``: its code input (class ``celltag_fold``) is
    wrapped in a closed ``<details class="dl-fold">`` whose summary says how many
    code lines it holds ("Show the plotting code (23 lines)"; blank and comment
    lines not counted). Its output, the figure, stays on the page unchanged, and
    so does the cell's alt text (docs/hooks/site_links.py reads it from the
    source). The tag's label, which mkdocs-jupyter shows above the code, is
    dropped: it is for the example's writer, not its reader.
"""

from __future__ import annotations

from mkdocs.plugins import event_priority

HIDDEN = "celltag_hide"
FOLDED = "celltag_fold"
FOLD_CLASS = "dl-fold"


def code_lines(source: str) -> int:
    """The code lines of a cell's source: not blank, not only a comment."""
    return sum(
        1 for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )


def _fold(soup, cell) -> None:
    # mkdocs-jupyter nests nbconvert's cell div in one of its own; both carry the
    # tag class, only the inner one holds the input wrapper as a child
    code = cell.find("div", class_="jp-Cell-inputWrapper", recursive=False)
    if code is None or code.parent.name == "details":
        return
    for toolbar in code.select("div.celltoolbar"):
        toolbar.decompose()
    pre = code.find("pre")
    lines = code_lines(pre.get_text() if pre is not None else "")
    details = soup.new_tag("details", attrs={"class": FOLD_CLASS})
    summary = soup.new_tag("summary")
    summary.string = f"Show the plotting code ({lines} line{'s' if lines != 1 else ''})"
    code.wrap(details)
    details.insert(0, summary)


@event_priority(100)  # first: the other hooks see the page as the reader does
def on_page_content(content, page, config, files):
    if HIDDEN not in content and FOLDED not in content:
        return content
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(content, "html.parser")
    for cell in soup.select(f"div.jp-Cell.{HIDDEN}"):
        cell.decompose()
    for cell in soup.select(f"div.jp-Cell.{FOLDED}"):
        _fold(soup, cell)
    return str(soup)

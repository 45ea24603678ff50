"""MkDocs hook: an example's check cells run at build but do not show.

A worked example keeps the checks that make the build fail on a wrong number
in cells headed ``# %% tags=["hide"]``. mkdocs-jupyter's own
``remove_tag_config`` drops such cells *before* the notebook runs, so their
checks (and any name they define) would never run in the build. Instead the
notebook runs whole, and this hook removes the executed cells from the page:
nbconvert marks each with the class ``celltag_hide``.
"""

from __future__ import annotations

from mkdocs.plugins import event_priority

HIDDEN = "celltag_hide"


@event_priority(100)  # first: the other hooks see the page as the reader does
def on_page_content(content, page, config, files):
    if HIDDEN not in content:
        return content
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(content, "html.parser")
    for cell in soup.select(f"div.jp-Cell.{HIDDEN}"):
        cell.decompose()
    return str(soup)

"""The served site as a reader sees it, in headless Chromium.

Playwright drives Debian's Chromium (``/usr/bin/chromium``; Playwright's own
browser download cannot work offline). The site is served on 127.0.0.1 from
the strict build; every page visited must typeset its math without error
nodes, and no request may fail or leave the machine.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = [
    "",
    "backends/",
    "neuron/",
    "activations/",
    "losses/",
    "data/",
    "optimization/",
    "regularization/",
    "pooling/",
    "convolution/",
    "metrics/",
    "detection/",
    "coco/",
    "formulas/",
    "errata/",
    "performance/",
]
PAGES += [
    f"examples/{p.stem}/"
    for p in sorted((Path(__file__).parent.parent / "docs/examples").glob("*.py"))
]
NO_MATH = {
    "",
    "backends/",
    "performance/",
}  # pages without formulas: typesetting finds nothing there
SCREENSHOTS = Path(os.environ.get("DLNOTES_SCREENSHOTS", "build/screenshots"))


def _chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("Chromium is not installed (make test installs it with apt)")


@pytest.fixture(scope="module")
def site_url(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    executable = _chromium()
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS[1:],
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


def _visit(browser, url):
    """Open ``url``, wait for MathJax, return the page and every failed or foreign request."""
    page = browser.new_page()
    page.set_default_timeout(120_000)  # the API pages are long: a loaded CI machine is slow
    problems = []
    host = urlparse(url).netloc
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on(
        "request",
        lambda r: (
            urlparse(r.url).netloc in (host, "")
            or r.url.startswith("data:")
            or problems.append(f"external: {r.url}")
        ),
    )
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.goto(url, wait_until="networkidle")
    page.wait_for_function("window.dlnotesMathTypeset !== undefined")
    page.evaluate("window.dlnotesMathTypeset")  # set by docs/javascripts/mathjax-config.js
    page.wait_for_load_state("networkidle")
    return page, problems


@pytest.mark.parametrize("path", PAGES)
def test_page_typesets_math_offline(browser, site_url, path):
    page, problems = _visit(browser, site_url + path)
    if path not in NO_MATH:
        assert page.locator("mjx-container").count() > 0, "no math was typeset"
        # typeset but invisible (e.g. a cleared font cache) would pass the count:
        # check the glyphs' size
        assert (
            page.evaluate("document.querySelector('mjx-container').getBoundingClientRect().width")
            > 1
        )
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    raw = page.evaluate(
        "[...document.querySelectorAll('.arithmatex')]"
        ".filter(e => !e.querySelector('mjx-container')).length"
    )
    assert raw == 0, "some math was left untypeset"
    raw_cells = page.evaluate(
        """[...document.querySelectorAll('.jp-RenderedMarkdown')].filter(cell => {
               const copy = cell.cloneNode(true);
               copy.querySelectorAll('pre, code, mjx-container').forEach(n => n.remove());
               return copy.textContent.includes('$');
           }).length"""
    )
    assert raw_cells == 0, "a notebook cell still shows raw $...$ TeX"
    assert not problems, "\n".join(problems)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{path.strip('/').replace('/', '_') or 'index'}.png"))
    page.close()


def test_headline_example_shows_its_numbers_and_a_plot(browser, site_url):
    page, problems = _visit(browser, site_url + "examples/gradient_step/")
    text = page.inner_text("body")
    for number in ("14", "16", "10.16", "0.0256", "1.68", "3.68"):
        assert number in text
    widths = page.evaluate(
        "[...document.querySelectorAll('.jp-OutputArea img')].map(i => i.naturalWidth)"
    )
    assert widths and min(widths) > 0, "the plot image did not load"
    assert not problems, "\n".join(problems)
    page.close()

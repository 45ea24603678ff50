"""The served site as a reader sees it, in headless Chromium.

Playwright drives Debian's Chromium (``/usr/bin/chromium``; Playwright's own
browser download cannot work offline). The site is served on 127.0.0.1 from
the strict build; every page visited must typeset its math without error
nodes, and no request may fail or leave the machine. The same visit checks
the page on a 390 px phone (no sideways scroll) and, on the worked examples,
that plots are shown at 90 % or more of their width at 1280 px.

Set DLNOTES_BUILT_SITE to a folder built with ``mkdocs build --strict`` to
test that build instead of building the site again.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import textwrap
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
    "embeddings/",
    "visualize/",
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
ROOT = Path(__file__).resolve().parent.parent
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NO_ALT = "No description has been provided for this image"


def _chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("Chromium is not installed (make test installs it with apt)")


@pytest.fixture(scope="module")
def site_dir(request):
    """The built site: DLNOTES_BUILT_SITE if set (a prebuilt strict build), else a fresh build."""
    prebuilt = os.environ.get("DLNOTES_BUILT_SITE")
    if prebuilt:
        path = Path(prebuilt)
        assert (path / "index.html").exists(), f"DLNOTES_BUILT_SITE={prebuilt} holds no site"
        return path
    return request.getfixturevalue("built_site")


@pytest.fixture(scope="module")
def site_url(site_dir):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
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
            viewport=DESKTOP,
        )
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        yield context
        context.close()


@pytest.fixture(autouse=True)
def _pages_closed(request):
    """A failed test leaves no open page behind (open pages slow every later visit)."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    before = set(browser.pages)
    yield
    for page in browser.pages:
        if page not in before:
            page.close()


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
    # the fonts the typesetting asked for (a second "networkidle" wait can hang:
    # Chromium does not always fire that event again after the page was idle once)
    page.evaluate("document.fonts.ready.then(() => true)")
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
    name = path.strip("/").replace("/", "_") or "index"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    if path.startswith("examples/"):
        small = _shrunk_plots(page)
        assert not small, "plots shown below 90 % of their width at 1280 px:\n" + "\n".join(small)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"))
    wide = page.evaluate(WIDER_THAN_PHONE)
    assert not wide, f"the page scrolls sideways at {PHONE['width']} px: " + "; ".join(wide)
    page.close()


# Elements that stick out of a phone's screen (outside a box that scrolls on its own).
WIDER_THAN_PHONE = """(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width + 1) return [];
    const scrolls = (e) => {
        for (let p = e.parentElement; p; p = p.parentElement) {
            const o = getComputedStyle(p).overflowX;
            if ((o === "auto" || o === "scroll" || o === "hidden") && p !== document.body
                && p !== document.documentElement) return true;
        }
        return false;
    };
    const out = [...document.querySelectorAll("body *")]
        .filter(e => e.getBoundingClientRect().right > width + 1 && !scrolls(e))
        .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} ends at ` +
                  `${Math.round(e.getBoundingClientRect().right)} px`);
    return [`scrollWidth ${document.documentElement.scrollWidth} px`, ...out.slice(0, 5)];
})()"""


def _shrunk_plots(page):
    """Plots rendered below 90 % of their natural width (or of the column, if narrower)."""
    sizes = page.evaluate(
        """[...document.querySelectorAll('.jp-OutputArea-output img')].map(img => {
               const column = img.closest('.md-content__inner') || document.body;
               const style = getComputedStyle(column);
               const inner = column.clientWidth - parseFloat(style.paddingLeft)
                             - parseFloat(style.paddingRight);
               return [img.naturalWidth, img.getBoundingClientRect().width, inner];
           })"""
    )
    return [
        f"plot {i}: {shown:.0f} px shown of {natural} px (column {column:.0f} px)"
        for i, (natural, shown, column) in enumerate(sizes)
        if shown < 0.9 * min(natural, column)
    ]


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


def test_folded_plotting_code_is_closed_and_its_plot_shown(browser, site_url):
    """A `fold` cell (docs/hooks/hidden_cells.py): code in a closed box, its figure in view."""
    page, problems = _visit(browser, site_url + "examples/average_precision/")
    fold = page.locator("details.dl-fold").first
    assert fold.count() == 1, "no folded plotting cell on the page"
    assert fold.evaluate("d => !d.open"), "the plotting code must start folded"
    code = fold.locator(".jp-Cell-inputWrapper")
    assert not code.is_visible()
    plot = fold.locator("xpath=..").locator(".jp-OutputArea-output img").first
    plot.scroll_into_view_if_needed()
    assert plot.is_visible(), "the figure of a folded cell must stay visible"
    assert plot.evaluate("i => i.naturalWidth > 0 && i.getBoundingClientRect().height > 0")
    fold.locator("summary").click()
    assert code.is_visible(), "opening the box must show the code"
    assert not problems, "\n".join(problems)
    page.close()


# Every plotting cell carries `# %% alt="..."` (the build warns for one missing,
# docs/hooks/site_links.py); here, what the reader's browser gets.
def test_every_image_says_what_it_shows(browser, site_url):
    missing = []
    for path in PAGES:
        page = browser.new_page()
        page.goto(site_url + path, wait_until="load")
        for alt, src in page.evaluate(
            "[...document.querySelectorAll('.md-content img')]"
            ".map(i => [i.getAttribute('alt') || '', i.getAttribute('src').slice(0, 40)])"
        ):
            if len(alt.strip()) < 10 or alt.strip() == NO_ALT:
                missing.append(f"{path}: {src}: alt={alt!r}")
        page.close()
    assert not missing, "images without alt text that says what they show:\n" + "\n".join(missing)


def _run_python(code, **env):
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=dict(os.environ, MPLBACKEND="Agg", **env),
        capture_output=True,
        text=True,
        timeout=600,
    )
    return proc.returncode, proc.stdout[-3000:] + proc.stderr[-3000:]


def _clipboard_after_click(page, button):
    page.evaluate("navigator.clipboard.writeText('')")
    button.scroll_into_view_if_needed()
    button.click(force=True)
    page.wait_for_function("navigator.clipboard.readText().then(t => t.length > 0)")
    return page.evaluate("navigator.clipboard.readText()")


# Runs the blocks in reading order in one namespace (as a reader pastes them into
# one python session, and as the page's doctests run) and reports the ones that raise.
_EACH_BLOCK = textwrap.dedent(
    """
    import json, sys, traceback
    failed, namespace = [], {"__name__": "__main__"}
    for number, code in enumerate(json.loads(sys.argv[1])):
        try:
            exec(compile(code, f"<copied block {number}>", "exec"), namespace)
        except Exception:
            failed.append(f"block {number}:\\n{code}\\n{traceback.format_exc(limit=2)}")
    if failed:
        sys.exit("\\n".join(failed))
    """
)


@pytest.mark.parametrize("path", ["", "losses/", "neuron/"])
def test_copy_buttons_copy_python_that_runs_as_pasted(browser, site_url, path):
    """What the copy buttons put on the clipboard runs as pasted: no >>>, no output."""
    page, _ = _visit(browser, site_url + path)
    assert page.locator("details.mkdocstrings-source .md-code__button").count() == 0, (
        "a source listing has a copy button: its code does not run as pasted"
    )
    buttons = page.locator('.md-content .md-code__button[data-md-type="copy"]')
    blocks = []
    for i in range(buttons.count()):
        button = buttons.nth(i)
        language = button.evaluate(
            "b => (b.closest('[class*=language-]') || {className: ''}).className"
        )
        text = _clipboard_after_click(page, button)
        assert ">>>" not in text, f"button {i} copies doctest prompts:\n{text}"
        if "language-bash" in language or "language-sh" in language:
            assert not text.lstrip().startswith("$"), text
            continue
        blocks.append(text)
    page.close()
    assert blocks, "no Python copy button found"
    code = "import sys\nsys.argv[1:] = [" + repr(json.dumps(blocks)) + "]\n" + _EACH_BLOCK
    rc, out = _run_python(code)
    assert rc == 0, out


def test_notebook_copy_buttons_paste_into_a_script_that_runs(browser, site_url):
    """The cells of a worked example, copied one after the other, run as one script."""
    page, _ = _visit(browser, site_url + "examples/gradient_step/")
    buttons = page.locator(".jupyter-wrapper clipboard-copy")
    assert buttons.count() > 0
    cells = [_clipboard_after_click(page, buttons.nth(i)) for i in range(buttons.count())]
    page.close()
    rc, out = _run_python("\n\n".join(cells))
    assert rc == 0, out


def test_plots_zoom_on_click_and_examples_offer_their_files(browser, site_url):
    page, problems = _visit(browser, site_url + "examples/gradient_step/")
    plot = page.locator(".jp-OutputArea-output img").first
    plot.scroll_into_view_if_needed()
    plot.click()
    zoomed = page.locator(".dlnotes-zoom img")
    assert zoomed.count() == 1 and zoomed.evaluate("i => i.getBoundingClientRect().width") > (
        plot.evaluate("i => i.getBoundingClientRect().width")
    ), "the zoomed plot is not larger than the plot on the page"
    page.keyboard.press("Escape")
    assert page.locator(".dlnotes-zoom").count() == 0
    for suffix in (".ipynb", ".py"):
        link = page.locator(f'.dlnotes-downloads a[href$="{suffix}"]')
        assert link.count() == 1, f"no {suffix} download link"
        response = page.request.get(link.evaluate("a => a.href"))
        assert response.ok, f"{suffix}: HTTP {response.status}"
        if suffix == ".ipynb":
            assert json.loads(response.text())["cells"]
    assert not problems, "\n".join(problems)
    page.close()

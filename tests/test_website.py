"""The built website, opened in headless Chromium as a reader would, with the network cut off.

Run after the book is built (``scripts/test.sh`` builds it first). Checks every page: it loads
with no request leaving the site, its math is typeset by the bundled MathJax, its images load,
its exercise and solution blocks are present, every internal link resolves, and no console
errors appear. Screenshots of a few pages are kept in ``_build/screenshots`` as artefacts.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("MMLEARN_SITE", ROOT / "_build" / "html"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Known harmless console errors: sphinx-thebe declares its script twice; sphinx-book-theme 1.3 starts
# pydata-sphinx-theme 0.17 with an empty colour mode, which it logs and resets to "auto".
KNOWN_HARMLESS = ("THEBE_JS_URL", "Got invalid theme mode: . Resetting to auto.")

pytestmark = pytest.mark.browser


def _pages() -> list[Path]:
    if not (SITE / "index.html").exists():
        return []
    skip = {"genindex.html", "search.html", "py-modindex.html"}
    return sorted(
        p
        for p in SITE.rglob("*.html")
        if p.name not in skip
        and "_static" not in p.parts
        and "_sources" not in p.parts
        and "mathjax" not in p.parts
    )


PAGES = _pages()


@pytest.fixture(scope="module")
def browser():
    if not PAGES:
        pytest.skip(f"no built site at {SITE}: run scripts/build_book.sh first")
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def test_site_has_every_chapter():
    names = {p.stem for p in PAGES}
    assert {"intro", "ch01_modalities", "ch02_simple_fusion", "bibliography"} <= names


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: str(p.relative_to(SITE)))
def test_page_reads_offline(browser, page_path):
    html = page_path.read_text()
    if 'http-equiv="Refresh"' in html or 'http-equiv="refresh"' in html:
        target = html.split("url=", 1)[1].split('"', 1)[0]
        assert (page_path.parent / target).exists(), f"redirect to a missing page: {target}"
        return
    page = browser.new_page()
    external, errors = [], []

    def guard(route):
        url = route.request.url
        if url.startswith(("file://", "data:", "blob:", "about:")):
            route.continue_()
        else:
            external.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri(), wait_until="load")

    if 'class="math' in html:
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
        page.evaluate("MathJax.startup.promise")
        assert page.locator("mjx-container").count() > 0, "math was not typeset"
        assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"

    broken = page.evaluate(
        "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken, f"images that did not load: {broken}"

    if page_path.stem.startswith("ch") and page_path.parent.name == "book":
        assert page.locator("div.exercise").count() > 0, "chapter without exercises"
        assert page.locator("div.solution").count() > 0, "chapter without solutions"

    for href in page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"):
        parsed = urlparse(href)
        if parsed.scheme == "file":
            assert Path(unquote(parsed.path)).exists(), f"broken link to {href}"

    if page_path.stem in {"intro", "ch02_simple_fusion", "ch06_bilinear_pooling", "ch09_block"}:
        shots = SITE.parent / "screenshots"
        shots.mkdir(exist_ok=True)
        page.screenshot(path=str(shots / f"{page_path.stem}.png"), full_page=False)

    real_errors = [e for e in errors if not any(k in e for k in KNOWN_HARMLESS)]
    assert not external, f"requests left the site: {external}"
    assert not real_errors, f"console errors: {real_errors}"
    page.close()

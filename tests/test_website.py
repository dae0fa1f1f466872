"""The built website, opened in headless Chromium as a reader would, with the network cut off.

Run after the book is built (``scripts/test.sh`` builds it first). Every page is opened once at
1280 px (desktop) and once at 390 px (a phone), in one browser and two reused tabs. A page fails on
any of the defect kinds a reader review found:

* a request that leaves the site, any console error or uncaught exception (no allow-list);
* math: MathJax not run, a TeX error, TeX left as text outside math (``$``, ``\\mathbb``), or a
  formula whose source still contains ``$`` (prose swallowed into math);
* the same image twice on a page, an image that does not load;
* horizontal overflow at either width: the page wider than the window, or an element that sticks
  out of the text column or is cut off by a box that does not scroll (boxes that scroll sideways,
  such as wide equations and tables, are allowed);
* build plumbing visible in code cells (``glue(``, ``NBVAL_``, ``filterwarnings``);
* an empty output box (for example a widget without its JavaScript);
* a chapter without exercises and solutions, an unnumbered chapter, a chapter reference written
  as plain text ("chapter 5") or pointing at the wrong chapter, a broken internal link;
* no favicon; the glossary's Chinese not drawn with the site's CJK font.

The phone menu and contents buttons are clicked and must show the navigation. Screenshots of
every page at both widths go to ``_build/screenshots`` (the top of each page; full pages for a few).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("MMLEARN_SITE", ROOT / "_build" / "html"))
SHOTS = SITE.parent / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FULL_PAGE_SHOTS = {"intro", "ch02_simple_fusion", "ch06_bilinear_pooling", "ch08_tucker_fusion", "ch09_block"}
# Pages whose text may say "chapter N" without a link: the API reference shows the library's
# docstrings (mmlearn/fusion/simple.py: "Simple fusions (chapter 2)"), which are not book prose.
PENDING_PLAIN_CHAPTER_REFS = {"book/appendix_api.html"}
PDF_NAME = "mmfusion.pdf"  # book/_ext/mmbook.py: PDF_NAME, SOURCE_NAME
SOURCE_NAME = "mmfusion-source.tar.gz"
PLUMBING = re.compile(r"\bglue\(|NBVAL_|filterwarnings\(|from myst_nb import")

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


class Tab:
    """One reused browser tab at a fixed viewport that records errors and off-site requests."""

    def __init__(self, browser, viewport, mobile=False):
        self.context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.external: list[str] = []
        self.page.route("**/*", self._guard)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _guard(self, route):
        url = route.request.url
        if url.startswith(("file://", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def open(self, path: Path):
        self.errors.clear()
        self.external.clear()
        self.page.goto(path.as_uri(), wait_until="load")
        if self.page.evaluate("!!document.querySelector('.math, mjx-container, script[type^=\"math\"]')"):
            self.page.wait_for_function(
                "window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000
            )
            self.page.evaluate("MathJax.startup.promise")
        self.page.evaluate("document.fonts.ready.then(() => true)")
        return self.page


@pytest.fixture(scope="module")
def tabs():
    if not PAGES:
        pytest.skip(f"no built site at {SITE}: run scripts/build_book.sh first")
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield {"desktop": Tab(browser, DESKTOP), "phone": Tab(browser, PHONE, mobile=True)}
        browser.close()


def _is_redirect(path: Path) -> bool:
    html = path.read_text()
    return 'http-equiv="Refresh"' in html or 'http-equiv="refresh"' in html


# --- checks that run in the page -------------------------------------------------------------

RAW_TEX_JS = r"""() => {
  const root = document.querySelector('main') || document.body;
  const skip = 'mjx-container, script, style, pre, code, kbd, .highlight, .MathJax, mjx-assistive-mml';
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const bad = [];
  const commands = 'math[a-z]+|frac|sum|prod|times|odot|otimes|operatorname|alpha|beta|sigma|lambda|'
    + 'top|in|le|ge|tilde|hat|big|left|right|qquad|quad|text';
  const pattern = new RegExp('\\$\\$|\\\\(?:' + commands + ')\\b|(?:^|[\\s(])\\$[^$\\s][^$]*\\$');
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement && n.parentElement.closest(skip)) continue;
    const t = n.textContent;
    if (pattern.test(t)) bad.push(t.trim().slice(0, 120));
  }
  // prose swallowed into a formula: the TeX source of a typeset formula contains a '$'
  const items = (window.MathJax && MathJax.startup && MathJax.startup.document)
    ? Array.from(MathJax.startup.document.math) : [];
  for (const m of items) if (/\$/.test(m.math)) bad.push('in math: ' + m.math.slice(0, 120));
  return bad;
}"""

OVERFLOW_JS = r"""() => {
  // a phone widens its layout viewport to the content: compare with the screen, not innerWidth
  const W = Math.min(window.innerWidth, window.screen.width || window.innerWidth);
  const bad = [];
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/)[0] : '');
  const doc = document.scrollingElement.scrollWidth;
  if (doc > W + 1) bad.push(`page is ${doc}px wide in a ${W}px window`);
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  if (!article) return bad;
  const box = article.getBoundingClientRect();
  const scrolls = new Map();
  const scrollParent = e => {
    for (let a = e.parentElement; a && a !== article; a = a.parentElement) {
      if (!scrolls.has(a)) {  // overflow does not apply to inline boxes: they never clip
        const st = getComputedStyle(a);
        scrolls.set(a, st.display === 'inline' ? 'visible' : st.overflowX);
      }
      const o = scrolls.get(a);
      if (o !== 'visible') return [a, o];
    }
    return [null, 'visible'];
  };
  for (const e of article.querySelectorAll('*')) {
    const hidden = 'mjx-assistive-mml, .visually-hidden, .sr-only, details:not([open]) > :not(summary)';
    if (e.closest(hidden)) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const [a, o] = scrollParent(e);
    if (a && (o === 'auto' || o === 'scroll')) continue;  // scrolls inside its own box: fine
    if (a) {
      const ar = a.getBoundingClientRect();
      if (r.right > ar.right + 1 && a.scrollWidth > a.clientWidth + 1)
        bad.push(`${name(e)} cut off by ${name(a)} (${Math.round(r.right - ar.right)}px)`);
    } else if (r.right > box.right + 1 || r.left < box.left - 1) {
      const by = Math.round(Math.max(r.right - box.right, box.left - r.left));
      bad.push(`${name(e)} sticks out of the column by ${by}px`);
    }
  }
  return Array.from(new Set(bad)).slice(0, 15);
}"""

PLUMBING_JS = r"""() => Array.from(document.querySelectorAll('div.cell_input, div.cell_input pre'))
  .filter(e => e.offsetParent !== null && e.getClientRects().length > 0 && !e.closest('details:not([open])'))
  .map(e => e.innerText)"""

EMPTY_OUTPUT_JS = r"""() => {
  const bad = [];
  for (const o of document.querySelectorAll('div.cell_output > *, div.cell_output')) {
    const media = 'img, svg, table, mjx-container, iframe, canvas, video, audio';
    const rich = o.matches(media) || o.querySelector(media);
    if (!rich && o.innerText.trim() === '') bad.push(o.outerHTML.slice(0, 160));
  }
  for (const s of document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'))
    bad.push('widget view without widget JavaScript: ' + s.textContent.slice(0, 80));
  return bad;
}"""

CHAPTER_REFS_JS = r"""() => {
  const root = document.querySelector('article.bd-article');
  if (!root) return {plain: [], links: []};
  const plain = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest('a, pre, code, .highlight, mjx-container, script, style, .cell_output')) continue;
    const m = n.textContent.match(/\b[Cc]hapters?\s+\d+/);
    if (m) plain.push(n.textContent.trim().slice(0, 100));
  }
  const links = Array.from(document.querySelectorAll('a'))
    .map(a => [a.innerText.trim(), a.getAttribute('href') || '']);
  return {plain, links};
}"""


def _same_images(page_path: Path, page) -> list[str]:
    srcs = page.evaluate(
        "Array.from(document.querySelectorAll('article img')).filter(i => i.getClientRects().length > 0)"
        ".map(i => i.src)"
    )
    seen: dict[str, str] = {}
    dupes = []
    for src in srcs:
        parsed = urlparse(src)
        if parsed.scheme != "file":
            continue
        path = Path(unquote(parsed.path))
        if not path.exists():
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            dupes.append(f"{path.name} (also {Path(seen[digest]).name})")
        seen[digest] = str(path)
    return dupes


# --- tests -------------------------------------------------------------------------------------


def _toc_files() -> list[str]:
    """Every page ``_toc.yml`` names (``book/ch05_coattention``, ...), in book order."""
    import yaml

    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            found.extend(node[k] for k in ("root", "file") if k in node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    return found


EXPLORER_PAGES = [p for p in PAGES if "mmlearn-static-explorer" in p.read_text(errors="ignore")]


def test_site_has_every_chapter():
    if not PAGES:
        pytest.skip(f"no built site at {SITE}: run scripts/build_book.sh first")
    missing = [f for f in _toc_files() if not (SITE / f"{f}.html").exists()]
    assert not missing, f"pages in _toc.yml without a built page: {missing}"
    assert (SITE / PDF_NAME).exists(), "no whole-book PDF on the site (scripts/build_book.sh)"
    assert (SITE / SOURCE_NAME).exists(), "no source archive on the site"


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: str(p.relative_to(SITE)))
def test_page_reads_offline(tabs, page_path):
    if _is_redirect(page_path):
        html = page_path.read_text()
        target = html.split("url=", 1)[1].split('"', 1)[0]
        assert (page_path.parent / target).exists(), f"redirect to a missing page: {target}"
        return
    stem = page_path.stem
    html = page_path.read_text()
    desk = tabs["desktop"]
    page = desk.open(page_path)
    problems: list[str] = []

    if 'class="math' in html:
        if page.locator("mjx-container").count() == 0:
            problems.append("math was not typeset")
        if page.locator("mjx-merror").count():
            problems.append("MathJax reported a TeX error")
    problems += [f"raw TeX outside math: {t!r}" for t in page.evaluate(RAW_TEX_JS)]

    broken = page.evaluate(
        "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    problems += [f"image did not load: {b}" for b in broken]
    problems += [f"the same image twice: {d}" for d in _same_images(page_path, page)]
    problems += [
        f"a figure shown as text, not drawn: {t!r}"
        for t in page.evaluate("Array.from(document.querySelectorAll('article pre')).map(p => p.innerText)")
        if re.search(r"<Figure size \d+x\d+ with \d+ Axes>", t)
    ]
    if re.match(r"ch\d\d_", stem) and page.locator("article img").count() == 0:
        problems.append("a chapter without any drawn figure")

    problems += [
        f"build plumbing shown in a code cell: {t[:100]!r}"
        for t in page.evaluate(PLUMBING_JS)
        if PLUMBING.search(t)
    ]
    problems += [f"empty output: {t}" for t in page.evaluate(EMPTY_OUTPUT_JS)]

    icon = page.evaluate("(document.querySelector('link[rel~=\"icon\"]') || {}).href || ''")
    if not icon or not Path(unquote(urlparse(icon).path)).exists():
        problems.append(f"no favicon ({icon!r})")

    chapter = re.match(r"ch(\d\d)_", stem) if page_path.parent.name == "book" else None
    if chapter:
        if page.locator("div.exercise").count() == 0:
            problems.append("chapter without exercises")
        if page.locator("div.solution").count() == 0:
            problems.append("chapter without solutions")
        h1 = page.locator("article h1").first.inner_text()
        if not h1.startswith(f"{int(chapter.group(1))}. "):
            problems.append(f"chapter title not numbered {int(chapter.group(1))}: {h1!r}")
    refs = page.evaluate(CHAPTER_REFS_JS)
    if str(page_path.relative_to(SITE)) not in PENDING_PLAIN_CHAPTER_REFS:
        problems += [f"chapter reference as plain text: {t!r}" for t in refs["plain"]]
    if chapter and page.locator("article div.math").count():
        eqno = page.locator("article div.math span.eqno")
        if eqno.count() == 0:
            problems.append("display equations without numbers")
        elif not eqno.first.inner_text().startswith(f"({int(chapter.group(1))}."):
            problems.append(
                f"equation {eqno.first.inner_text()!r} not numbered in chapter {int(chapter.group(1))}"
            )
    for text, href in refs["links"]:  # "chapter 5", "5" and "5. Title" lead to ch05_*.html
        m = re.fullmatch(r"[Cc]hapters? (\d+)|(\d+)", text) or re.match(r"()(\d+)\. ", text)
        target = re.search(r"ch(\d\d)_\w+\.html$", href)
        if m and target and int(m.group(1) or m.group(2)) != int(target.group(1)):
            problems.append(f"link {text!r} points to {href}")

    for href in page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"):
        parsed = urlparse(href)
        if parsed.scheme == "file" and not Path(unquote(parsed.path)).exists():
            problems.append(f"broken link to {href}")

    if "中" in html or "文" in html:
        loaded = page.evaluate(
            "Array.from(document.fonts).filter(f => f.family.replace(/\"/g, '') === 'MMBook CJK'"
            " && f.status === 'loaded').length"
        )
        if not loaded:
            problems.append("CJK text on the page but the site's CJK font was not loaded")

    # reader features on every page: version, commit and date; the PDF and the source
    text = page.locator("body").inner_text()
    if not re.search(r"Version \S+, commit \w+[^,]*, built \d{4}-\d\d-\d\d", text):
        problems.append("no version, commit and build date in the footer")
    for name in (PDF_NAME, SOURCE_NAME):
        if page.locator(f"a[href$='{name}']").count() == 0:
            problems.append(f"no link to {name}")
    if stem == "intro":  # a "cite this book" block
        cite = " ".join(page.locator("pre").all_inner_texts())
        if "@book{" not in cite or "Multimodal Fusion, Derived" not in cite:
            problems.append("no BibTeX entry with the book's title")
    if re.match(r"ch\d\d_", stem) and page.locator("a[href$='.ipynb']").count() < 2:
        problems.append("no download of the chapter and exercise notebooks")
    problems += [f"overflow at 1280 px: {t}" for t in page.evaluate(OVERFLOW_JS)]
    name = str(page_path.relative_to(SITE).with_suffix("")).replace("/", "_")
    page.screenshot(path=str(SHOTS / f"{name}_1280.png"), full_page=stem in FULL_PAGE_SHOTS)
    problems += [f"request left the site: {u}" for u in desk.external]
    problems += [f"console error at 1280 px: {e}" for e in desk.errors]

    phone = tabs["phone"]
    page = phone.open(page_path)
    problems += [f"overflow at 390 px: {t}" for t in page.evaluate(OVERFLOW_JS)]
    page.screenshot(path=str(SHOTS / f"{name}_390.png"), full_page=stem in FULL_PAGE_SHOTS)
    problems += [f"request left the site (phone): {u}" for u in phone.external]
    problems += [f"console error at 390 px: {e}" for e in phone.errors]

    assert not problems, f"{page_path.relative_to(SITE)}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(
    ("button", "panel", "link_text"),
    [
        ("button.primary-toggle", "dialog#pst-primary-sidebar-modal[open]", "Simple fusion"),
        ("button.secondary-toggle", "dialog#pst-secondary-sidebar-modal[open]", "Exercises"),
    ],
    ids=["menu", "contents"],
)
def test_phone_navigation_opens(tabs, button, panel, link_text):
    """At 390 px the menu button shows the book's navigation, the contents button the page's."""
    phone = tabs["phone"]
    page = phone.open(SITE / "book" / "ch06_bilinear_pooling.html")
    toggles = [t for t in page.locator(button).all() if t.is_visible()]
    assert toggles, f"no visible {button} at 390 px"
    toggles[0].click()
    page.wait_for_timeout(400)
    shown = page.locator(f"{panel} a:visible", has_text=link_text)
    assert shown.count() > 0, f"{panel} did not open: no visible link {link_text!r} after clicking {button}"
    box = shown.first.bounding_box()
    assert box and 0 <= box["x"] < PHONE["width"], f"{panel} link is off screen: {box}"
    page.screenshot(path=str(SHOTS / f"phone_{button.split('.')[-1]}_open_390.png"))
    assert not phone.errors, phone.errors


@pytest.mark.parametrize("page_path", EXPLORER_PAGES, ids=lambda p: str(p.relative_to(SITE)))
def test_static_explorers_respond(tabs, page_path):
    """Every kernel-free explorer on the site (found in the built pages, not listed here): each
    slider, moved to its last position, shows its label and another precomputed picture."""
    desk = tabs["desktop"]
    page = desk.open(page_path)
    explorers = page.locator(".mmlearn-static-explorer")
    assert explorers.count() > 0
    problems = []
    for e in range(explorers.count()):
        root = explorers.nth(e)
        root.scroll_into_view_if_needed()
        img = root.locator("img").first
        data = root.locator("script[type='application/json']").first.inner_text()
        sliders = root.locator("input[type=range]")
        if sliders.count() == 0:
            problems.append(f"explorer {e}: no slider")
        for k in range(sliders.count()):
            slider = sliders.nth(k)
            last = int(slider.get_attribute("max") or 0)
            if last == 0:
                problems.append(f"explorer {e}: slider {k} has a single position")
                continue
            before = img.get_attribute("src")
            slider.fill(str(last))
            state = (img.get_attribute("data-state") or "").split(",")
            if len(state) <= k or state[k] != str(last):
                problems.append(f"explorer {e}: slider {k} moved to {last}, picture state {state}")
            if img.get_attribute("src") == before:
                problems.append(f"explorer {e}: slider {k} moved, the picture stayed the same")
            label = root.locator("output").nth(k).inner_text()
            if label not in data:
                problems.append(f"explorer {e}: slider {k} shows {label!r}, not one of its labels")
            slider.fill("0")
    name = str(page_path.relative_to(SITE).with_suffix("")).replace("/", "_")
    explorers.first.screenshot(path=str(SHOTS / f"{name}_explorer.png"))
    problems += [f"console error: {t}" for t in desk.errors]
    problems += [f"request left the site: {u}" for u in desk.external]
    assert not problems, f"{page_path.relative_to(SITE)}:\n  " + "\n  ".join(problems)


def test_every_explorer_page_is_tested():
    """The live ipywidgets explorers of the chapters have their static twins on the site."""
    if not PAGES:
        pytest.skip(f"no built site at {SITE}: run scripts/build_book.sh first")
    live = {
        nb.stem
        for nb in (ROOT / "book").glob("*.ipynb")
        if re.search(r"\w+_explorer\(", nb.read_text()) and "_static_explorer(" not in nb.read_text()
    }
    assert not live, f"chapters with a live explorer but no static one on the site: {sorted(live)}"
    assert {p.stem for p in EXPLORER_PAGES} >= {
        nb.stem for nb in (ROOT / "book").glob("*.ipynb") if "_static_explorer(" in nb.read_text()
    }


def _pdf_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils)")
    return tool


def _squash(text: str) -> str:
    """Text without hyphenation, ligatures or layout: comparable between the PDF and the site."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text).replace("-\n", "")
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]+", " ", text.lower()).strip()


def test_whole_book_pdf():
    """The PDF built from the same sources: every chapter with the site's number and title,
    figures, math fonts, the glossary's Chinese, no unresolved reference; its size is printed."""
    import subprocess

    if not PAGES:
        pytest.skip(f"no built site at {SITE}: run scripts/build_book.sh first")
    pdf = SITE / PDF_NAME
    assert pdf.exists(), f"no {PDF_NAME} on the site (scripts/build_book.sh builds it)"

    def run(tool: str, *args: str) -> str:
        return subprocess.run([_pdf_tool(tool), *args, str(pdf), *(["-"] if tool == "pdftotext" else [])],
                              capture_output=True, text=True, check=True, timeout=120).stdout  # fmt: skip

    pages = int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo"), re.M).group(1))
    text = run("pdftotext")
    flat = _squash(text)
    problems = []
    chapters = []
    for doc in _toc_files():
        page = SITE / f"{doc}.html"
        m = re.search(r"<h1>((?:(?!</h1>).)*?)<a class=\"headerlink\"", page.read_text(), re.S)
        if not m:
            continue
        title = re.sub(r"<[^>]+>", "", m.group(1))
        title = re.sub(r"\s+", " ", title.replace("\u00a0", " ")).strip()
        number = re.match(r"(\d+)\. (.*)", title)
        if number:  # the same chapter number as on the site
            chapters.append(doc)
            if f" {number.group(1)} {_squash(number.group(2))} " not in f" {flat} ":
                problems.append(f"chapter {number.group(1)} ({number.group(2)!r}) not in the PDF's contents")
        elif _squash(title) not in flat:
            problems.append(f"page {doc} ({title!r}) not in the PDF")
    assert chapters, "no numbered chapter found on the site"
    images = [line for line in run("pdfimages", "-list").splitlines()[2:] if line.strip()]
    if len(images) < len(chapters):
        problems.append(f"{len(images)} images for {len(chapters)} chapters: figures missing")
    fonts = run("pdffonts")
    if "Math" not in fonts:
        problems.append("no math font in the PDF (math not typeset)")
    glossary = (
        (SITE / "book" / "appendix_glossary.html").read_text()
        if (SITE / "book" / "appendix_glossary.html").exists()
        else ""
    )
    cjk = set(re.findall(r"[\u4e00-\u9fff]", glossary))
    if cjk:
        if not re.search(r"WenQuanYi|CJK|Han", fonts):
            problems.append("no CJK font embedded: the glossary's Chinese is missing")
        missing = cjk - set(text)
        if missing:
            problems.append(f"{len(missing)} of the glossary's Chinese characters not in the PDF")
    if "??" in text:
        problems.append(f"unresolved references ('??') on the pages: {text.count('??')}")
    print(f"{PDF_NAME}: {pages} pages, {len(chapters)} chapters, {len(images)} images")
    if pages < 5 * len(chapters):
        problems.append(f"only {pages} pages for {len(chapters)} chapters")
    assert not problems, "\n  ".join([PDF_NAME, *problems])

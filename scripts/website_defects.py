"""Does the website test catch every kind of defect the reader review found? Put each one back.

For every defect kind, a copy of the built site gets that one defect (in one page), and the
website test (``tests/test_website.py``) runs on the copy with ``MMLEARN_SITE`` pointing at it. A
kind counts as caught when the test fails with the message of that kind. The table is printed;
the exit status is 1 when a kind goes unnoticed.

    bash scripts/build_book.sh                 # the site under _build/html
    .venv/bin/python scripts/website_defects.py [--site _build/html] [--only raw-tex,favicon]

It opens Chromium once per kind (about ten seconds each), so it is not part of the test command;
run it after changing the website test or the site's build.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "book/ch02_simple_fusion.html"
PHONE_PAGE = "book/ch06_bilinear_pooling.html"
EXPLORER_PAGE = "book/ch05_coattention.html"
GLOSSARY = "book/appendix_glossary.html"
PAGE_TEST = "test_page_reads_offline and {stem}"


def _after_title(html: str, snippet: str) -> str:
    """``snippet`` inserted right after the chapter's title (the page's last ``</h1>``; the first
    is the theme's hidden print header)."""
    head, sep, tail = html.rpartition("</h1>")
    if not sep:
        raise ValueError("no <h1> on the page")
    return head + sep + snippet + tail


def _duplicate_first_image(html: str) -> str:
    start = html.rindex("</h1>")
    match = re.compile(r"<img [^>]*>").search(html, start)
    if match is None:
        raise ValueError("no image after the title")
    return html[: match.end()] + match.group(0) + html[match.end() :]


def _drop(pattern: str) -> Callable[[str], str]:
    def edit(html: str) -> str:
        out, n = re.subn(pattern, "", html)
        if n == 0:
            raise ValueError(f"nothing matches {pattern!r}")
        return out

    return edit


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(html: str) -> str:
        if old not in html:
            raise ValueError(f"{old!r} is not on the page")
        return html.replace(old, new)

    return edit


@dataclass
class Defect:
    kind: str  # the name used with --only
    what: str  # the defect, as the review describes it
    page: str  # the page of the site that gets it
    edit: Callable[[str], str] | None  # how the page's HTML is changed
    expect: str  # a piece of the website test's message for this kind
    select: str = PAGE_TEST  # the pytest -k expression
    site_edit: Callable[[Path], None] | None = None  # a change to another file of the site


def _remove_cjk_font(site: Path) -> None:
    fonts = list(site.rglob("mmbook-cjk.woff"))
    if not fonts:
        raise ValueError("no mmbook-cjk.woff in the site")
    for font in fonts:
        font.unlink()


DEFECTS = [
    Defect(
        "raw-tex",
        "TeX printed as text outside math",
        CHAPTER,
        lambda h: _after_title(h, r"<p>the map \mathbb{R}^d left as text</p>"),
        "raw TeX outside math",
    ),
    Defect("same-image", "a figure shown twice", CHAPTER, _duplicate_first_image, "the same image twice"),
    Defect(
        "overflow",
        "an element wider than the column",
        CHAPTER,
        lambda h: _after_title(h, '<div style="width:1900px">a box wider than any window</div>'),
        "overflow at",
    ),
    Defect(
        "figure-as-text",
        "a figure glued as its text form",
        CHAPTER,
        lambda h: _after_title(h, "<pre>&lt;Figure size 640x480 with 1 Axes&gt;</pre>"),
        "a figure shown as text",
    ),
    Defect(
        "plumbing",
        "build plumbing in a visible code cell",
        CHAPTER,
        lambda h: _after_title(
            h, '<div class="cell_input docutils container"><pre>glue("x", 1, display=False)</pre></div>'
        ),
        "build plumbing shown in a code cell",
    ),
    Defect(
        "empty-output",
        "an empty output box",
        CHAPTER,
        lambda h: _after_title(h, '<div class="cell_output docutils container"><div></div></div>'),
        "empty output",
    ),
    Defect(
        "console-error",
        "an error in the browser console",
        CHAPTER,
        lambda h: _after_title(h, '<script>console.error("an injected error")</script>'),
        "console error",
    ),
    Defect(
        "external-request",
        "a request that leaves the site",
        CHAPTER,
        lambda h: _after_title(h, '<img src="http://example.com/pixel.png" alt="">'),
        "request left the site",
    ),
    Defect(
        "plain-chapter-ref",
        'a "chapter N" that is not a link',
        CHAPTER,
        lambda h: _after_title(h, "<p>as chapter 6 shows</p>"),
        "chapter reference as plain text",
    ),
    Defect(
        "wrong-chapter-link",
        "a chapter link to the wrong chapter",
        CHAPTER,
        lambda h: _after_title(h, '<p><a href="ch06_bilinear_pooling.html">chapter 5</a></p>'),
        "points to",
    ),
    Defect(
        "broken-link",
        "a link to a page that does not exist",
        CHAPTER,
        lambda h: _after_title(h, '<p><a href="no_such_page.html">nowhere</a></p>'),
        "broken link",
    ),
    Defect("favicon", "no favicon", CHAPTER, _drop(r'<link rel="icon"[^>]*>'), "no favicon"),
    Defect(
        "chapter-number",
        "a chapter title without its number",
        CHAPTER,
        _drop(r'<span class="section-number">2\. </span>'),
        "chapter title not numbered",
    ),
    Defect(
        "equation-number",
        "display equations without numbers",
        CHAPTER,
        _drop(r'<span class="eqno">.*?</span>'),
        "display equations without numbers",
    ),
    Defect(
        "exercises",
        "a chapter without exercises",
        CHAPTER,
        _replace('class="exercise', 'class="not-an-exercise'),
        "chapter without exercises",
    ),
    Defect(
        "phone-menu",
        "the phone menu does not open",
        PHONE_PAGE,
        lambda h: h.replace(
            "</head>", "<style>#pst-primary-sidebar-modal{display:none!important}</style></head>"
        ),
        "did not open",
        select="test_phone_navigation_opens and menu",
    ),
    Defect(
        "explorer",
        "a static explorer whose slider does nothing",
        EXPLORER_PAGE,
        _replace("addEventListener('input',show)", "addEventListener('no-event',show)"),
        "the picture stayed the same",
        select="test_static_explorers_respond and ch05",
    ),
    Defect(
        "cjk-font",
        "Chinese glossary terms without the CJK font",
        GLOSSARY,
        None,
        "CJK text on the page but the site's CJK font was not loaded",
        site_edit=_remove_cjk_font,
    ),
]


def run_one(defect: Defect, site: Path, work: Path) -> tuple[bool, str]:
    """Copy the site, put the defect in, run the website test; (caught, the matching line)."""
    copy = work / "html"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(site, copy)
    page = copy / defect.page
    if defect.edit is not None:
        page.write_text(defect.edit(page.read_text(encoding="utf-8")), encoding="utf-8")
    if defect.site_edit is not None:
        defect.site_edit(copy)
    select = defect.select.format(stem=Path(defect.page).stem)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "-m",
            "browser",
            "tests/test_website.py",
            "-k",
            select,
        ],
        cwd=ROOT,
        env={**os.environ, "MMLEARN_SITE": str(copy)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = proc.stdout + proc.stderr
    # the test's own message (pytest's "E" lines), not the source lines it also prints
    line = next((ln[1:].strip() for ln in out.splitlines() if ln.startswith("E") and defect.expect in ln), "")
    return proc.returncode != 0 and bool(line), line or out.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--only", default="", help="comma-separated kinds (default: all)")
    args = parser.parse_args(argv)
    if not (args.site / CHAPTER).exists():
        print(f"no built site at {args.site}: run scripts/build_book.sh first", file=sys.stderr)
        return 2
    chosen = [d for d in DEFECTS if not args.only or d.kind in args.only.split(",")]
    missed = []
    print(f"{'defect':<20} {'page':<34} caught  message")
    with tempfile.TemporaryDirectory(prefix="mmbook-defects-") as tmp:
        for defect in chosen:
            try:
                caught, line = run_one(defect, args.site, Path(tmp))
            except (ValueError, subprocess.TimeoutExpired) as err:
                caught, line = False, f"could not put the defect in: {err}"
            print(
                f"{defect.kind:<20} {defect.page:<34} {'yes' if caught else 'NO':<7} {line[:110]}", flush=True
            )
            if not caught:
                missed.append(defect.kind)
    if missed:
        print(f"not caught: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

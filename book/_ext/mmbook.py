"""Sphinx additions for the book's website (loaded through ``_config.yml``: ``local_extensions``).

* Chapter numbers run on across the parts. Sphinx restarts numbering in every numbered toctree
  and Jupyter Book writes one toctree per part, so chapter 3 would be "1" again in Part II. The
  part overview pages get no number: the numbers then equal the ``chNN`` in the file names, which
  the website test checks.
* Code cells show the computation, not the plumbing that passes numbers to the text: top-level
  ``glue(...)`` statements (and loops made only of them), ``from myst_nb import glue``,
  ``warnings.filterwarnings(...)`` and ``# NBVAL_`` markers are left out of the displayed source;
  a cell made only of plumbing shows no input. The downloadable notebooks keep every line.
* The inline Thebe configuration, which sphinx-thebe writes twice (a console error on every page)
  although launch buttons are off, is not written.
* Reader features: version, commit and build date in the footer and in the ``{cite-this-book}``
  block; per chapter, downloads of the executed notebook (with outputs) and of the exercise
  notebook, copied next to the pages when the build finishes.
"""

from __future__ import annotations

import ast
import datetime
import re
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

PLUMBING_CALLS = {"glue", "warnings.filterwarnings", "warnings.simplefilter"}
# written next to the pages: the PDF by scripts/build_book.sh, the source when the build finishes
PDF_NAME = "mmfusion.pdf"
SOURCE_NAME = "mmfusion-source.tar.gz"


# --------------------------------------------------------------------------------------------
# build information
def _build_info(srcdir: Path) -> dict[str, str]:
    version = "unknown"  # mmlearn.__version__, read without importing torch
    for source, pattern in (
        (srcdir / "mmlearn" / "__init__.py", r'^__version__\s*=\s*"([^"]+)"'),
        (srcdir / "pyproject.toml", r'^version\s*=\s*"([^"]+)"'),
    ):
        m = re.search(pattern, source.read_text(), re.M) if source.exists() else None
        if m:
            version = m.group(1)
            break

    def git(*args: str) -> str:
        try:
            out = subprocess.run(["git", *args], cwd=srcdir, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip() if out.returncode == 0 else ""

    commit = git("rev-parse", "--short=10", "HEAD") or "unknown"
    if commit != "unknown" and git("status", "--porcelain", "--untracked-files=no"):
        commit += " + local changes"
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    return {"version": version, "commit": commit, "date": date, "year": date[:4]}


def _on_config_inited(app, config) -> None:
    info = _build_info(Path(app.srcdir))
    app.mmbook_info = info
    config.version = config.release = info["version"]
    footer = (
        f"Version {info['version']}, commit <code>{info['commit']}</code>, built {info['date']}. "
        f'<a class="mmbook-pdf" href="@ROOT@{PDF_NAME}">The whole book as a PDF</a>; '
        f'<a class="mmbook-source" href="@ROOT@{SOURCE_NAME}">source of this build (.tar.gz)</a>. '
        + config.html_theme_options.get("extra_footer", "")
    )
    config.html_theme_options["extra_footer"] = footer
    subs = dict(getattr(config, "myst_substitutions", {}) or {})
    subs.update(book_version=info["version"], book_commit=info["commit"], book_date=info["date"])
    config.myst_substitutions = subs


class CiteThisBook(SphinxDirective):
    """``{cite-this-book}``: a BibTeX entry with this build's version, commit and date."""

    has_content = False

    def run(self):
        info = self.env.app.mmbook_info
        title = self.config.html_title or self.config.project
        author = self.config.author
        text = (
            "@book{mmfusion,\n"
            f"  title   = {{{title}}},\n"
            f"  author  = {{{{{author}}}}},\n"
            f"  year    = {{{info['year']}}},\n"
            f"  edition = {{version {info['version']}}},\n"
            f"  note    = {{commit {info['commit']}, built {info['date']}}}\n"
            "}"
        )
        block = nodes.literal_block(text, text, language="bibtex")
        return [block]


# --------------------------------------------------------------------------------------------
# plumbing left out of displayed code
def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        try:
            return ast.unparse(node.value.func)
        except Exception:  # pragma: no cover - unparse handles every call
            return ""
    return ""


def _is_plumbing(stmt: ast.stmt) -> bool:
    if _call_name(stmt) in PLUMBING_CALLS:
        return True
    if isinstance(stmt, ast.ImportFrom) and stmt.module == "myst_nb":
        return all(a.name == "glue" for a in stmt.names)
    if isinstance(stmt, (ast.For, ast.With)) and not getattr(stmt, "orelse", None):
        return all(_is_plumbing(s) for s in stmt.body)
    return False


def _plumbing_lines(body: list[ast.stmt]) -> set[int]:
    drop: set[int] = set()
    for stmt in body:
        if _is_plumbing(stmt):
            drop.update(range(stmt.lineno - 1, stmt.end_lineno))
            continue
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                inner_drop = _plumbing_lines(inner)
                kept = [s for s in inner if not set(range(s.lineno - 1, s.end_lineno)) <= inner_drop]
                if kept:  # never empty a block: that would show code that does not parse
                    drop |= inner_drop
    return drop


def strip_plumbing(code: str) -> str:
    """The code a reader needs: ``code`` without glue calls, warning filters and nbval markers."""
    lines = code.split("\n")
    drop = {i for i, line in enumerate(lines) if line.strip().startswith("# NBVAL_")}
    try:
        tree = ast.parse(code)
    except SyntaxError:
        tree = None
    if tree is not None:
        drop |= _plumbing_lines(tree.body)
    kept = [line for i, line in enumerate(lines) if i not in drop]
    text = "\n".join(kept)
    if "warnings." not in text:
        text = re.sub(r"^import warnings\n", "", text, flags=re.M)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text


def _on_doctree_read(app, doctree) -> None:
    for cell in list(doctree.findall(nodes.container)):
        if "cell_input" not in cell.get("classes", []):
            continue
        for block in list(cell.findall(nodes.literal_block)):
            code = block.astext()
            new = strip_plumbing(code)
            if new == code:
                continue
            if not new.strip():
                cell.parent.remove(cell)
                break
            block.children = [nodes.Text(new)]
            block.rawsource = new


# --------------------------------------------------------------------------------------------
# display equations numbered (per chapter with math_numfig), as math_number_all asks; MyST's
# $$ blocks bypass the math directive that would number them
def _number_equations(app, doctree) -> None:
    if not app.config.math_number_all:
        return
    env = app.env
    docname = env.docname
    domain = env.get_domain("math")
    for node in doctree.findall(nodes.math_block):
        if node.get("nowrap") or node.get("number") or node.get("label"):
            continue
        label = f"{docname}:{env.new_serialno('sphinx.ext.math#equations')}"
        domain.note_equation(docname, label, location=node)
        node["label"] = label
        node["docname"] = docname
        node["number"] = domain.get_equation_number_for(label)
        node["ids"].append(nodes.make_id(f"equation-{label}"))


# --------------------------------------------------------------------------------------------
# chapter numbers across parts
def _renumber_chapters(app, env):
    root = env.get_doctree(app.config.root_doc)
    # part overview pages (book/partN_overview) carry no chapter number, listed or not
    unnumbered = _unnumbered_docs(app, env)
    count = 0
    mapping: dict[str, int] = {}
    for toctree in root.findall(addnodes.toctree):
        if not toctree.get("numbered"):
            continue
        for _title, ref in toctree["entries"]:
            if ref not in env.toc_secnumbers:
                continue
            if ref in unnumbered:
                mapping[ref] = 0
            else:
                count += 1
                mapping[ref] = count
    changed = []
    for doc, number in mapping.items():
        old = env.toc_secnumbers.get(doc, {})
        if number == 0:
            env.toc_secnumbers[doc] = {}
        else:
            env.toc_secnumbers[doc] = {k: (number, *v[1:]) for k, v in old.items()}
        title = env.titles.get(doc)  # its number shows in the previous/next links
        for ref in [*env.tocs[doc].findall(nodes.reference), *([title] if title is not None else [])]:
            if "secnumber" in ref:
                if number == 0:
                    del ref["secnumber"]
                else:
                    ref["secnumber"] = (number, *ref["secnumber"][1:])
        changed.append(doc)
    changed += TocTreeCollector().assign_figure_numbers(env)
    return changed


# --------------------------------------------------------------------------------------------
# the PDF: the same chapter numbers as the site, appendices lettered
LATEX_PREAMBLE = r"""
\newcounter{mmbooksecnum}
\newcommand{\mmbookunnumbered}{\setcounter{mmbooksecnum}{\value{secnumdepth}}\setcounter{secnumdepth}{-1}}
\newcommand{\mmbooknumbered}{\setcounter{secnumdepth}{\value{mmbooksecnum}}}
"""


def _unnumbered_docs(app, env) -> set[str]:
    return set(app.config.mmbook_unnumbered) | {
        doc for doc in env.found_docs if re.fullmatch(r"(.*/)?part\d+_overview", doc)
    }


class LatexNumbering(SphinxPostTransform):
    """In the assembled LaTeX document, part overviews are unnumbered chapters (so chapter N of
    the PDF is chapter N of the site) and the part whose caption starts with "Appendi" begins
    LaTeX's appendix (chapters A, B, ...)."""

    default_priority = 750  # after sphinx-jupyterbook-latex arranged the parts (700)
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        env = self.env
        unnumbered = _unnumbered_docs(self.app, env)
        first_appendix = None
        root = env.get_doctree(self.config.root_doc)
        for toctree in root.findall(addnodes.toctree):
            if str(toctree.get("caption") or "").startswith("Appendi") and toctree["entries"]:
                first_appendix = toctree["entries"][0][1]
                break
        for start in list(self.document.findall(addnodes.start_of_file)):
            doc = start.get("docname")
            if doc in unnumbered:
                start.insert(0, nodes.raw("", "\\mmbookunnumbered\n", format="latex"))
                start.append(nodes.raw("", "\\mmbooknumbered\n", format="latex"))
            if doc == first_appendix:
                start.insert(0, nodes.raw("", "\\appendix\n", format="latex"))


# --------------------------------------------------------------------------------------------
# pages: no Thebe config, download entries
def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if scripts is not None:
        context["script_files"] = [
            s
            for s in scripts
            if "sphinx-thebe" not in str(s)
            and "THEBE_JS_URL" not in getattr(s, "attributes", {}).get("body", "")
        ]
    pathto = context["pathto"]
    root = pathto("index", 0).rsplit("index", 1)[0]  # "" or "../": the site's root from this page
    footer = context.get("theme_extra_footer") or ""
    context["theme_extra_footer"] = footer.replace("@ROOT@", root)
    stem = pagename.rsplit("/", 1)[-1]
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        extra = [
            {
                "type": "link",
                "url": pathto(PDF_NAME, 1),
                "text": "whole book (PDF)",
                "tooltip": "Download the whole book as one PDF",
                "icon": "fas fa-file-pdf",
                "label": "download-book-pdf-button",
            },
            {
                "type": "link",
                "url": pathto(SOURCE_NAME, 1),
                "text": "source (.tar.gz)",
                "tooltip": "Download the source of this build: book, library, exercises, tests",
                "icon": "fas fa-file-zipper",
                "label": "download-source-button",
            },
        ]
        if not re.match(r"ch\d\d_", stem):
            group["buttons"] = extra + group["buttons"]
            continue
        if (Path(app.srcdir) / f"{pagename}.ipynb").exists():
            extra.append(
                {
                    "type": "link",
                    "url": pathto(f"notebooks/{stem}.ipynb", 1),
                    "text": "chapter notebook (with outputs)",
                    "tooltip": "Download this chapter as an executed notebook",
                    "icon": "fas fa-book",
                    "label": "download-executed-notebook-button",
                }
            )
        if (Path(app.srcdir) / "exercises" / f"{stem}.ipynb").exists():
            extra.append(
                {
                    "type": "link",
                    "url": pathto(f"exercises/{stem}.ipynb", 1),
                    "text": "exercise notebook",
                    "tooltip": "Download this chapter's exercise notebook (open it in JupyterLab)",
                    "icon": "fas fa-pencil",
                    "label": "download-exercise-button",
                }
            )
        group["buttons"] = extra + group["buttons"]


CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _cjk_font_file() -> str | None:
    """A CJK font installed on the build machine (Debian: fonts-wqy-microhei or fonts-noto-cjk)."""
    for pattern in ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "sans-serif:lang=zh-cn"):
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=20
            )
        except (OSError, subprocess.SubprocessError):
            return None
        path = out.stdout.strip()
        if path and re.search(r"wqy|cjk|han|droidsansfallback", path, re.I):
            return path
    return None


def _write_cjk_font(out: Path) -> None:
    """Subset a CJK font to the characters the site uses: ``fonts/mmbook-cjk.woff`` (see site.css)."""
    chars = set()
    for page in out.rglob("*.html"):
        chars.update(CJK.findall(page.read_text(encoding="utf-8", errors="ignore")))
    css = out / "_static" / "mmbook-cjk.css"
    css.write_text("/* no CJK characters on this site */\n")
    if not chars:
        return
    source = _cjk_font_file()
    if source is None:
        # on a machine with fontconfig (Linux, CI) a missing CJK font is an error of the set-up
        report = logger.warning if shutil.which("fc-match") else logger.info
        report(
            "no CJK font found (apt-get install fonts-wqy-microhei): "
            "Chinese text falls back to the reader's fonts"
        )
        return
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=0, lazy=False)
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in chars})
    subsetter.subset(font)
    (out / "fonts").mkdir(exist_ok=True)
    font.flavor = "woff"
    font.save(out / "fonts" / "mmbook-cjk.woff")
    name = font["name"].getDebugName(4) or Path(source).name
    licence = (
        f"fonts/mmbook-cjk.woff: the {len(chars)} CJK characters this site uses, "
        f"subset from {name}\n({source}).\n"
    )
    copyright_file = Path("/usr/share/doc") / Path(source).parent.name / "copyright"
    for candidate in [
        copyright_file,
        *Path("/usr/share/doc").glob("fonts-*cjk*/copyright"),
        *Path("/usr/share/doc").glob("fonts-wqy-*/copyright"),
    ]:
        if candidate.exists():
            licence += "\n" + candidate.read_text(errors="ignore")
            break
    (out / "fonts" / "LICENSE-mmbook-cjk.txt").write_text(licence)
    css.write_text(
        '@font-face {\n  font-family: "MMBook CJK";\n  src: url("../fonts/mmbook-cjk.woff") format("woff");\n'
        "  unicode-range: U+2E80-2FDF, U+3000-303F, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FF00-FFEF;\n"
        "  font-display: swap;\n}\n"
    )


def _write_source_archive(src: Path, target: Path, info: dict[str, str]) -> None:
    """The files git tracks, as they are in the working tree that was built (no public repository
    URL exists yet: the site offers its own source instead)."""
    import tarfile

    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=src, capture_output=True, timeout=30, check=True)
        files = [f for f in out.stdout.decode().split("\0") if f]
    except (OSError, subprocess.SubprocessError):
        files = []
    if not files:  # not a git checkout (e.g. unpacked from this archive): everything but builds
        skip = {".git", ".venv", "_build", "__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
        files = [
            str(p.relative_to(src))
            for p in sorted(src.rglob("*"))
            if p.is_file() and not skip & set(p.relative_to(src).parts)
        ]
    prefix = f"mmfusion-{info['version']}"
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        for name in files:
            path = src / name
            if path.is_file():
                tar.add(path, arcname=f"{prefix}/{name}", recursive=False)
    logger.info(f"source archive: {target.name} ({len(files)} files)")


def _on_build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    _write_cjk_font(out)
    src = Path(app.srcdir)
    _write_source_archive(src, out / SOURCE_NAME, app.mmbook_info)
    (out / "exercises").mkdir(exist_ok=True)
    for nb in sorted((src / "exercises").glob("ch*.ipynb")):
        shutil.copy2(nb, out / "exercises" / nb.name)
    executed = Path(app.outdir).parent / "jupyter_execute"
    (out / "notebooks").mkdir(exist_ok=True)
    for nb in sorted(executed.rglob("ch*.ipynb")):
        shutil.copy2(nb, out / "notebooks" / nb.name)


def _latex_preamble(app, config) -> None:
    elements = dict(config.latex_elements or {})
    elements["preamble"] = elements.get("preamble", "") + LATEX_PREAMBLE
    config.latex_elements = elements


def setup(app):
    app.add_config_value("mmbook_unnumbered", [], "env")
    app.connect("config-inited", _on_config_inited)
    app.add_css_file("mmbook-cjk.css")  # written when the build finishes (_write_cjk_font)
    app.add_directive("cite-this-book", CiteThisBook)
    app.connect("doctree-read", _on_doctree_read)
    app.connect("doctree-read", _number_equations)
    app.connect("env-get-updated", _renumber_chapters, priority=900)
    app.connect("html-page-context", _on_page_context, priority=900)
    app.connect("build-finished", _on_build_finished)
    app.add_post_transform(LatexNumbering)
    app.connect("config-inited", _latex_preamble)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

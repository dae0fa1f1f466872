"""Reading exercise notebooks, leniently: which chapter, which cells are graded.

Student files come in every shape: nbformat 3 or 4, a byte-order mark, UTF-16 (saved by some
editors), cells without ``cell_type`` or tags, IPython magics. :func:`read_submission` takes
what can be graded from any of them and says what it had to work around; only a file that is
not a notebook at all is an error.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from .spec import ANSWER_PLACEHOLDER, CODE_PLACEHOLDER, MANUAL_TAG

GRADED_TAGS = {"setup", "graded"}
MAX_ANSWER_CHARS = 20_000
SOLUTION_MARKER = re.compile(
    r"^\s*(<!--\s*(BEGIN|END) SOLUTION\s*-->|# (BEGIN|END) SOLUTION)\s*$", re.MULTILINE
)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
MAX_NOTEBOOK_BYTES = 20 << 20
MAGIC = re.compile(r"^(\s*)([%!].*)$")
CHAPTER_IN_NAME = re.compile(r"(?<![A-Za-z0-9])(ch\d\d)(?![0-9])")


class NotebookError(ValueError):
    """The file is not a readable exercise notebook."""


@dataclass
class Submission:
    """What the grader takes from one student file."""

    chapter: str | None
    sources: list[str]
    warnings: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)  # design questions: id -> cleaned text


def clean_answer(text: str, limit: int = MAX_ANSWER_CHARS) -> str:
    """A student's written answer made safe to store and show: line ends normalised, control and
    bidirectional-override characters removed, cut to ``limit`` characters (with a note).
    Escaping for HTML or markdown is the writer's job (``gradebook``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = CONTROL.sub("", text).strip()
    if len(text) > limit:
        text = text[:limit] + f"\n[... cut: the answer has {len(text)} characters, {limit} are kept]"
    return text


def is_placeholder(text: str) -> bool:
    """True when an answer cell holds nothing but what ``mmlearn-release`` left there."""
    rest = text.replace(ANSWER_PLACEHOLDER, "").replace(CODE_PLACEHOLDER, "")
    return not rest.strip()


def decode_text(data: bytes, name: str = "the file") -> str:
    """Bytes to text: UTF-8 (with or without BOM) or UTF-16/32 with a BOM, or UTF-16 without."""
    for bom, encoding in [
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ]:
        if data.startswith(bom):
            return data.decode(encoding)
    if len(data) >= 2 and (data[0] == 0) != (data[1] == 0):  # UTF-16 without a BOM: '{' then a NUL
        return data.decode("utf-16-le" if data[1] == 0 else "utf-16-be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise NotebookError(f"{name} is not a valid Jupyter notebook (not UTF-8 or UTF-16 text)") from err


def read_bytes(path: Path | str) -> bytes:
    """The file's bytes (at most ``MAX_NOTEBOOK_BYTES``); :class:`NotebookError` otherwise."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"{path.name} is larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
        return path.read_bytes()
    except FileNotFoundError as err:
        raise NotebookError(f"{path.name}: no such file") from err
    except OSError as err:
        raise NotebookError(f"{path.name} cannot be read ({type(err).__name__})") from err


def read_notebook_json(path: Path | str, data: bytes | None = None) -> dict[str, Any]:
    """The notebook's JSON object (from ``data`` if given); :class:`NotebookError` if it is not one."""
    path = Path(path)
    data = read_bytes(path) if data is None else data
    try:
        nb = json.loads(decode_text(data, path.name))
    except (ValueError, RecursionError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise NotebookError(f"{path.name} is not a valid Jupyter notebook ({first[:120]})") from err
    if not isinstance(nb, dict) or not ("cells" in nb or "worksheets" in nb):
        raise NotebookError(f"{path.name} is not a valid Jupyter notebook (no cells)")
    return nb


def _text(source: Any) -> str:
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _tags(cell: dict) -> set[str]:
    meta = cell.get("metadata")
    tags = meta.get("tags") if isinstance(meta, dict) else None
    return {t for t in tags if isinstance(t, str)} if isinstance(tags, list) else set()


def _raw_cells(nb: dict[str, Any], warnings: list[str]) -> list[dict]:
    if "worksheets" in nb:  # nbformat 3: code lives in "input", cells in worksheets
        warnings.append("an nbformat 3 notebook: read it as such")
        cells: list[dict] = []
        for sheet in nb.get("worksheets") or []:
            for cell in sheet.get("cells", []) if isinstance(sheet, dict) else []:
                if isinstance(cell, dict):
                    cells.append({**cell, "source": cell.get("input", cell.get("source", ""))})
        return cells
    found = nb.get("cells")
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def _is_code(cell: dict, index: int, warnings: list[str]) -> bool:
    kind = cell.get("cell_type")
    if kind is None:
        guess = "outputs" in cell or "execution_count" in cell or bool(_tags(cell) & GRADED_TAGS)
        warnings.append(f"cell {index + 1} has no cell_type: taken as {'code' if guess else 'text'}")
        return guess
    return kind == "code"


def strip_magics(source: str) -> tuple[str, bool]:
    """IPython magics and shell lines (``%matplotlib inline``, ``!pip ...``) become ``pass``;
    a cell magic (``%%time``) on the first line is dropped and its body kept."""
    lines = source.splitlines()
    changed = False
    if lines and lines[0].lstrip().startswith("%%"):
        lines, changed = lines[1:], True
    out = []
    for line in lines:
        match = MAGIC.match(line)
        if match:
            out.append(f"{match.group(1)}pass  # {match.group(2)[:60]}")
            changed = True
        else:
            out.append(line)
    return "\n".join(out), changed


def chapter_of(nb: dict[str, Any], path: Path | str | None = None) -> str:
    """The chapter id (``"ch02"``) from the notebook's metadata, else from its file name."""
    meta = nb.get("metadata")
    mm = meta.get("mmlearn") if isinstance(meta, dict) else None
    chapter = mm.get("chapter") if isinstance(mm, dict) else None
    if isinstance(chapter, str) and re.fullmatch(r"ch\d\d", chapter):
        return chapter
    if path is not None:
        match = CHAPTER_IN_NAME.search(Path(path).name)
        if match:
            return match.group(1)
    raise NotebookError("cannot tell which chapter this notebook belongs to (metadata mmlearn.chapter)")


def read_submission(path: Path | str, chapter: str | None = None, data: bytes | None = None) -> Submission:
    """The graded cells (tagged ``setup`` or ``graded``) of a student's file, leniently.

    Without any tagged cell, every code cell is graded (with a warning): the functions are
    found by name. Raises :class:`NotebookError` only for a file that is not a notebook.
    """
    nb = read_notebook_json(path, data)
    warnings: list[str] = []
    try:
        found = chapter or chapter_of(nb, path)
    except NotebookError:
        found = None
    code = [(i, c) for i, c in enumerate(_raw_cells(nb, warnings)) if _is_code(c, i, warnings)]
    tagged = [(i, c) for i, c in code if _tags(c) & GRADED_TAGS]
    if not tagged and code:
        warnings.append("no cell is tagged 'graded' or 'setup': every code cell was run")
        tagged = code
    sources = []
    for i, cell in tagged:
        source, changed = strip_magics(_text(cell.get("source")))
        if changed:
            warnings.append(f"cell {i + 1}: IPython magics were skipped")
        sources.append(source)
    return Submission(found, sources, warnings, manual_answers(nb))


def manual_answers(nb: dict[str, Any]) -> dict[str, str]:
    """The text of the cells tagged ``manual`` and a question id, by id (cells joined), cleaned
    by :func:`clean_answer`; markdown or code alike, never executed."""
    parts: dict[str, list[str]] = {}
    for cell in _raw_cells(nb, []):
        tags = _tags(cell)
        if MANUAL_TAG not in tags:
            continue
        for tag in sorted(tags - {MANUAL_TAG} - GRADED_TAGS):
            parts.setdefault(tag[:40], []).append(_text(cell.get("source"))[: 4 * MAX_ANSWER_CHARS])
    return {q: clean_answer(SOLUTION_MARKER.sub("", "\n\n".join(texts))) for q, texts in parts.items()}


def read_notebook(path: Path | str) -> nbformat.NotebookNode:
    """A notebook as ``nbformat`` (version 4) objects, for tools that edit reference notebooks."""
    path = Path(path)
    try:
        return nbformat.reads(decode_text(path.read_bytes(), path.name), as_version=4)
    except FileNotFoundError as err:
        raise NotebookError(f"{path}: no such file") from err
    except Exception as err:  # invalid JSON, wrong schema, binary file...
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise NotebookError(f"{path.name} is not a valid Jupyter notebook ({first})") from err


def cell_tags(cell: nbformat.NotebookNode) -> set[str]:
    return _tags(cell)


def question_cell_index(nb: nbformat.NotebookNode, question: str) -> int:
    """Index of the graded cell tagged with ``question`` (e.g. ``"q1"``)."""
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "code" and {"graded", question} <= cell_tags(cell):
            return i
    raise NotebookError(f"no graded cell tagged {question!r}")

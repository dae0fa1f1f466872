"""Student notebooks are generated from the reference solutions, so the two cannot drift.

In a reference notebook, code between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` is the answer;
the student version replaces it with ``raise NotImplementedError(...)`` at the same indentation.
A design question's answer cell (tagged ``manual`` and the question id) holds a model answer
between ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->`` (markdown) or the ``#``
markers (code); the student version has a placeholder there instead. Cells tagged
``solution-only`` are dropped; outputs are cleared.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .notebook import cell_tags, chapter_of, read_notebook
from .spec import ANSWER_PLACEHOLDER, CODE_PLACEHOLDER, MANUAL_TAG

BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
MD_BEGIN = re.compile(r"^(\s*)<!--\s*BEGIN SOLUTION\s*-->\s*$")
MD_END = re.compile(r"^\s*<!--\s*END SOLUTION\s*-->\s*$")
STUB = 'raise NotImplementedError("write your answer here")'


def strip_solutions(
    source: str, where: str = "", stub: str = STUB, begin_re: re.Pattern = BEGIN, end_re: re.Pattern = END
) -> str:
    """Replace every solution region of ``source`` by ``stub`` (a ``NotImplementedError``)."""
    out: list[str] = []
    inside = False
    for line in source.splitlines():
        begin, end = begin_re.match(line), end_re.match(line)
        if begin:
            if inside:
                raise ValueError(f"{where}: nested '# BEGIN SOLUTION'")
            inside = True
            out.append(f"{begin.group(1)}{stub}")
        elif end:
            if not inside:
                raise ValueError(f"{where}: '# END SOLUTION' without a BEGIN")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: '# BEGIN SOLUTION' is never closed")
    return "\n".join(out)


def release_notebook(source: Path | str, target: Path | str) -> Path:
    """Write the student version of the reference notebook ``source`` to ``target``."""
    nb = read_notebook(source)
    chapter = chapter_of(nb, source)
    cells = []
    for i, cell in enumerate(nb.cells):
        tags = cell_tags(cell)
        if "solution-only" in tags:
            continue
        where = f"{Path(source).name} cell {i}"
        if MANUAL_TAG in tags:
            markdown = cell.cell_type != "code"
            placeholder = ANSWER_PLACEHOLDER if markdown else CODE_PLACEHOLDER
            begin, end = (MD_BEGIN, MD_END) if markdown else (BEGIN, END)
            cell.source = strip_solutions(cell.source, where, placeholder, begin, end)
            if placeholder not in cell.source:
                marker = "<!-- BEGIN SOLUTION -->" if markdown else "# BEGIN SOLUTION"
                raise ValueError(f"{where}: an answer cell (tagged manual) without a {marker} region")
            if not markdown:
                cell.outputs = []
                cell.execution_count = None
        elif cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, where)
            cell.outputs = []
            cell.execution_count = None
            if "graded" in tags and "NotImplementedError" not in cell.source:
                raise ValueError(f"{Path(source).name} cell {i}: a graded cell without a solution region")
        cells.append(cell)
    nb.cells = cells
    nb.metadata.setdefault("mmlearn", {})["chapter"] = chapter
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target

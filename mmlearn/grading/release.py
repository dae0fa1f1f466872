"""Student notebooks are generated from the reference solutions, so the two cannot drift.

In a reference notebook, code between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` is the answer;
the student version replaces it with ``raise NotImplementedError(...)`` at the same indentation.
Cells tagged ``solution-only`` are dropped; outputs are cleared.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .notebook import cell_tags, chapter_of, read_notebook

BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")


def strip_solutions(source: str, where: str = "") -> str:
    """Replace every solution region of ``source`` by a ``NotImplementedError`` stub."""
    out: list[str] = []
    inside = False
    for line in source.splitlines():
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if inside:
                raise ValueError(f"{where}: nested '# BEGIN SOLUTION'")
            inside = True
            out.append(f'{begin.group(1)}raise NotImplementedError("write your answer here")')
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
        if "solution-only" in cell_tags(cell):
            continue
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, f"{Path(source).name} cell {i}")
            cell.outputs = []
            cell.execution_count = None
            if "graded" in cell_tags(cell) and "NotImplementedError" not in cell.source:
                raise ValueError(f"{Path(source).name} cell {i}: a graded cell without a solution region")
        cells.append(cell)
    nb.cells = cells
    nb.metadata.setdefault("mmlearn", {})["chapter"] = chapter
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target

"""Reading exercise notebooks: which chapter, which cells are graded."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

GRADED_TAGS = {"setup", "graded"}


class NotebookError(ValueError):
    """The file is not a readable exercise notebook."""


def read_notebook(path: Path | str) -> nbformat.NotebookNode:
    path = Path(path)
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError as err:
        raise NotebookError(f"{path}: no such file") from err
    except Exception as err:  # invalid JSON, wrong schema, binary file...
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise NotebookError(f"{path.name} is not a valid Jupyter notebook ({first})") from err


def chapter_of(nb: nbformat.NotebookNode, path: Path | str | None = None) -> str:
    """The chapter id (``"ch02"``) from the notebook's metadata, else from its file name."""
    chapter = nb.get("metadata", {}).get("mmlearn", {}).get("chapter")
    if chapter:
        return str(chapter)
    if path is not None:
        match = re.match(r"(ch\d\d)", Path(path).name)
        if match:
            return match.group(1)
    raise NotebookError("cannot tell which chapter this notebook belongs to (metadata mmlearn.chapter)")


def cell_tags(cell: nbformat.NotebookNode) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def graded_sources(nb: nbformat.NotebookNode) -> list[str]:
    """Source of the cells tagged ``setup`` or ``graded``, in notebook order.

    Only these cells run when grading: exploration cells (plots, prints, experiments) do not.
    """
    return [cell.source for cell in nb.cells if cell.cell_type == "code" and cell_tags(cell) & GRADED_TAGS]


def question_cell_index(nb: nbformat.NotebookNode, question: str) -> int:
    """Index of the graded cell tagged with ``question`` (e.g. ``"q1"``)."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and {"graded", question} <= cell_tags(cell):
            return i
    raise NotebookError(f"no graded cell tagged {question!r}")

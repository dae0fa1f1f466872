"""Authoring helper: turn a jupytext 'percent' script into a clean notebook without outputs.

    .venv/bin/python scripts/nb_from_py.py draft.py book/ch02_simple_fusion.ipynb

The .ipynb is what gets committed; the script is only a convenient way to write one.
"""

import sys

import jupytext
import nbformat


def convert(source: str, target: str) -> None:
    nb = jupytext.read(source)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for cell in nb.cells:
        cell.metadata.pop("lines_to_next_cell", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(nb)
    nbformat.write(nb, target)


if __name__ == "__main__":
    convert(sys.argv[1], sys.argv[2])

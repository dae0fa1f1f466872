"""Finds result-like numbers typed by hand in the book's prose.

A number in the prose must be glued from the cell that computes it ({glue:text}`key`), written
inside math or code, or stand in a sentence that cites its source ({cite}`key`). What is left
after removing those is searched for decimals (``0.84``) and percentages (``94 %``, ``94%``,
``94 per cent``). Version strings (``2.13.0``, ``Python 3.10``, ``CC BY 4.0``) and the level of an interval
(``95 % interval``) are not results.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

BOOK = Path(__file__).resolve().parents[1] / "book"

_FENCE = re.compile(r"^(```|~~~|:::)[^\n]*\n.*?^\1[ \t]*$", re.S | re.M)
_DIRECTIVE_OPEN = re.compile(r"^(```+|:::+)\{[^}]+\}[^\n]*$", re.M)
_OPTION = re.compile(r"^\s*:[\w-]+:[^\n]*$", re.M)
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(?:\\.|[^$\\])+?\$")
_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
_HTML = re.compile(r"<[^>]+>")
_TARGET = re.compile(r"^\([\w:.-]+\)=\s*$", re.M)
_VERSION = re.compile(
    r"\b\d+\.\d+\.\d+\b|(?:Python|mmlearn|torch|PyTorch|CC BY(?:-SA)?|Apache-|GPL-?|version|v)\s?\d+\.\d+\b"
)
# the level of an interval is part of the method's name, not a result
_LEVEL = re.compile(r"\b\d\d\s?%(?=\s(?:t-)?(?:confidence\s)?interval)")
_CITE = re.compile(r"\{cite(?::\w+)?\}`")
_NUMBER = re.compile(r"(?<![\w.])(\d+\.\d+|\d+(?:\.\d+)?\s?(?:%|per ?cent\b))")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])|\n\s*\n")


@dataclass(frozen=True)
class TypedNumber:
    where: str
    number: str
    sentence: str

    def __str__(self) -> str:
        return f"{self.where}: {self.number!r} in {self.sentence[:160]!r}"


def _code_fences_only(text: str) -> str:
    """Removes plain code fences but keeps the prose inside directives (notes, proofs...)."""

    def strip(match: re.Match[str]) -> str:
        first = match.group(0).split("\n", 1)[0]
        hidden = r"^(```+|:::+)\{(code|code-block|code-cell|math|glue:\w*|glue|figure|image)\}"
        if re.match(hidden, first) or (re.match(r"^(```+|~~~)", first) and "{" not in first):
            return "\n"
        return match.group(0)

    previous = None
    while previous != text:
        previous, text = text, _FENCE.sub(strip, text)
    return text


def typed_numbers(markdown: str, where: str) -> list[TypedNumber]:
    """Every decimal or percentage in ``markdown`` that is not glued, math, code or cited."""
    text = _code_fences_only(markdown)
    text = _DIRECTIVE_OPEN.sub("", text)
    text = _OPTION.sub("", text)
    text = _TARGET.sub("", text)
    text = _DISPLAY_MATH.sub(" MATH ", text)
    text = _INLINE_MATH.sub(" MATH ", text)
    found = []
    for sentence in _SENTENCE_END.split(text):
        if _CITE.search(sentence):
            continue
        plain = _ROLE.sub(" REF ", sentence)
        plain = _CODE.sub(" CODE ", plain)
        plain = _LINK.sub(" LINK ", plain)
        plain = _HTML.sub(" ", plain)
        plain = _VERSION.sub(" VERSION ", plain)
        plain = _LEVEL.sub(" LEVEL ", plain)
        for match in _NUMBER.finditer(plain):
            found.append(TypedNumber(where, match.group(1), " ".join(sentence.split())))
    return found


def book_prose() -> list[tuple[str, str]]:
    """``(where, markdown)`` for every markdown cell of every notebook and every page of the book."""
    pages: list[tuple[str, str]] = []
    for path in sorted(BOOK.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for index, cell in enumerate(cells):
            if cell["cell_type"] == "markdown":
                pages.append((f"{path.name} cell {index}", "".join(cell["source"])))
    for path in sorted(BOOK.glob("*.md")):
        pages.append((path.name, path.read_text(encoding="utf-8")))
    return pages


def all_typed_numbers() -> list[TypedNumber]:
    return [hit for where, text in book_prose() for hit in typed_numbers(text, where)]


if __name__ == "__main__":
    hits = all_typed_numbers()
    for hit in hits:
        print(hit)
    print(f"{len(hits)} typed numbers")

"""The book's bibliography: every key is defined once, and every citation finds its entry.

A key defined in two of the ``.bib`` files listed in ``_config.yml`` makes the bibliography
parser stop reading the second file at that entry: every later entry of that file is then
"not found" by the build, far from the cause. These tests name the duplicate instead.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[1]
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def _bib_files() -> list[Path]:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return [ROOT / name for name in config["bibtex_bibfiles"]]


def _keys_by_file() -> dict[Path, list[str]]:
    pattern = re.compile(r"^@\w+\{\s*([^,\s]+)\s*,", re.MULTILINE)
    return {path: pattern.findall(path.read_text(encoding="utf-8")) for path in _bib_files()}


def _book_text(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def test_every_bib_file_exists_and_parses() -> None:
    for path in _bib_files():
        assert path.is_file(), f"_config.yml lists {path.relative_to(ROOT)}, which is missing"
        entries = parse_file(str(path)).entries
        assert len(entries) == len(_keys_by_file()[path]), path


def test_no_key_is_defined_twice() -> None:
    counts = Counter(key for keys in _keys_by_file().values() for key in keys)
    duplicated = {
        key: [str(p.relative_to(ROOT)) for p, keys in _keys_by_file().items() if key in keys]
        for key, n in counts.items()
        if n > 1
    }
    assert not duplicated, f"bib keys defined more than once (keep one entry): {duplicated}"


@pytest.mark.parametrize(
    "page",
    sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "book").glob("*.*") if p.suffix in {".md", ".ipynb"}
    ),
)
def test_every_citation_has_an_entry(page: str) -> None:
    defined = {key for keys in _keys_by_file().values() for key in keys}
    cited = {key.strip() for group in CITE.findall(_book_text(ROOT / page)) for key in group.split(",")}
    missing = sorted(cited - defined)
    assert not missing, f"{page} cites keys that no .bib file defines: {missing}"

"""Malformed notebooks never stop a class run: what can be graded is graded, the rest reported.

One class run (module fixture) holds every shape of file students hand in: nbformat 3, a BOM,
UTF-16, a cell without ``cell_type``, no tags at all, IPython magics, broken JSON, an empty
file, binary data, JSON that is not a notebook.
"""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path

import nbformat
import pytest

from mmlearn.grading import grade_folder, load_questions
from mmlearn.grading.notebook import read_submission, strip_magics

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "exercises" / "solutions" / "ch02_simple_fusion.ipynb"
FULL = sum(q.points for q in load_questions("ch02"))
GRADABLE = ["v3", "bom", "utf16", "no_cell_type", "no_tags", "magics"]
BROKEN = ["bad_json", "empty", "binary", "not_a_notebook"]


def _reference() -> dict:
    return json.loads(REFERENCE.read_text())


def _variants(folder: Path) -> None:
    text = REFERENCE.read_text()
    v3 = nbformat.convert(nbformat.read(REFERENCE, as_version=4), 3)
    (folder / "v3.ipynb").write_text(nbformat.writes(v3, version=3))
    (folder / "bom.ipynb").write_bytes(codecs.BOM_UTF8 + text.encode())
    (folder / "utf16.ipynb").write_bytes(text.encode("utf-16"))
    nb = _reference()
    graded = [c for c in nb["cells"] if "graded" in c.get("metadata", {}).get("tags", [])]
    del graded[0]["cell_type"]
    (folder / "no_cell_type.ipynb").write_text(json.dumps(nb))
    nb = _reference()
    for cell in nb["cells"]:
        cell["metadata"] = {}
    (folder / "no_tags.ipynb").write_text(json.dumps(nb))
    nb = _reference()
    setup = next(c for c in nb["cells"] if "setup" in c.get("metadata", {}).get("tags", []))
    setup["source"] = "%matplotlib inline\n!pip install nothing\n" + "".join(setup["source"])
    q2 = next(c for c in nb["cells"] if "q2" in c.get("metadata", {}).get("tags", []))
    q2["source"] = "%%time\n" + "".join(q2["source"])
    (folder / "magics.ipynb").write_text(json.dumps(nb))
    (folder / "bad_json.ipynb").write_text("{ this is not json")
    (folder / "empty.ipynb").write_text("")
    (folder / "binary.ipynb").write_bytes(os.urandom(256) + b"\xff\xfe\x00")
    (folder / "not_a_notebook.ipynb").write_text("[1, 2, 3]")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shapes")
    _variants(folder)
    return {Path(r.path).stem: r for r in grade_folder([folder], chapter="ch02", timeout=5, jobs=2)}


@pytest.mark.parametrize("name", GRADABLE)
def test_what_can_be_graded_is_graded(reports, name):
    report = reports[name]
    assert report.error is None, report.text()
    assert report.score == FULL, report.text()


def test_workarounds_are_reported(reports):
    assert any("no cell is tagged" in w for w in reports["no_tags"].warnings)
    assert any("nbformat 3" in w for w in reports["v3"].warnings)
    assert any("magics" in w for w in reports["magics"].warnings)
    assert any("no cell_type" in w for w in reports["no_cell_type"].warnings)


@pytest.mark.parametrize("name", BROKEN)
def test_broken_files_score_zero_with_a_reason(reports, name):
    report = reports[name]
    assert "not a valid Jupyter notebook" in report.error
    assert report.score == 0 and report.max_score == FULL
    assert {r.status for r in report.results} == {"invalid"}


def test_every_file_has_a_report(reports):
    assert set(reports) == set(GRADABLE) | set(BROKEN)


def test_magics_keep_indentation_and_cell_bodies():
    source, changed = strip_magics("%%time\nif True:\n    %load_ext x\n    y = 1\n")
    assert changed
    compile(source, "<cell>", "exec")
    assert "y = 1" in source and "%%time" not in source


def test_chapter_from_lms_file_names(tmp_path):
    nb = _reference()
    del nb["metadata"]["mmlearn"]
    path = tmp_path / "smithjane_123_456_ch02_simple_fusion.ipynb"
    path.write_text(json.dumps(nb))
    assert read_submission(path).chapter == "ch02"
    (tmp_path / "march.ipynb").write_text(json.dumps(nb))
    assert read_submission(tmp_path / "march.ipynb").chapter is None

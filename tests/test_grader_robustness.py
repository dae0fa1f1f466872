"""Bad submissions are reported, never crash the grader, and cost only their own questions."""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest

from mmlearn.grading import grade_notebook, load_questions
from mmlearn.grading.cli import grade_main
from mmlearn.grading.notebook import question_cell_index

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "exercises" / "solutions" / "ch02_simple_fusion.ipynb"


def _with_cell(tmp_path: Path, question: str, source: str, name: str = "sub.ipynb") -> Path:
    nb = nbformat.read(REFERENCE, as_version=4)
    nb.cells[question_cell_index(nb, question)].source = source
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_invalid_json_is_reported(tmp_path):
    bad = tmp_path / "ch02_broken.ipynb"
    bad.write_text("{ this is not json")
    report = grade_notebook(bad, chapter="ch02")
    assert "not a valid Jupyter notebook" in report.error
    assert report.score == 0 and report.max_score == sum(q.points for q in load_questions("ch02"))
    assert {r.status for r in report.results} == {"invalid"}


def test_missing_function_and_wrong_signature(tmp_path):
    path = _with_cell(tmp_path, "q1", "def concat(xs, weight, bias):\n    return None\n")
    report = grade_notebook(path, only=["q1"])
    assert report.result("q1").status == "missing"
    assert "concat_fusion" in report.result("q1").message
    path = _with_cell(tmp_path, "q3", "def max_pool_fusion(a, b):\n    return a\n")
    report = grade_notebook(path, only=["q3"])
    assert report.result("q3").status == "signature"
    assert "def max_pool_fusion(xs)" in report.result("q3").message


def test_endless_loop_and_crash_cost_only_their_question(tmp_path):
    nb = nbformat.read(REFERENCE, as_version=4)
    nb.cells[
        question_cell_index(nb, "q1")
    ].source = "def concat_fusion(xs, weight, bias):\n    while True:\n        pass\n"
    nb.cells[
        question_cell_index(nb, "q2")
    ].source = "import os\n\ndef weighted_sum_fusion(projected, logits):\n    os._exit(3)\n"
    path = tmp_path / "ch02_loops.ipynb"
    nbformat.write(nb, path)
    report = grade_notebook(path, timeout=3)
    assert report.result("q1").status == "timeout"
    assert report.result("q2").status == "crash"
    assert report.result("q3").passed and report.result("q4").passed
    assert report.score == 2


def test_endless_loop_at_top_level_of_a_cell(tmp_path):
    path = _with_cell(tmp_path, "q4", "while True:\n    pass\n")
    report = grade_notebook(path, timeout=2)
    assert report.result("q4").status == "missing"
    assert "longer than" in report.result("q4").message
    assert report.result("q1").passed


def test_memory_hog_is_stopped(tmp_path):
    source = (
        "def concat_param_count(input_dims, output_dim):\n"
        "    hog = bytearray(8 * 1024**3)\n    return len(hog)\n"
    )
    path = _with_cell(tmp_path, "q4", source)
    report = grade_notebook(path, only=["q4"], memory_mb=3072)
    assert report.result("q4").status in {"error", "crash"}
    assert "MemoryError" in report.result("q4").message or "memory" in report.result("q4").message


def test_grade_a_class_folder_to_csv(tmp_path, capsys):
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "alice.ipynb").write_bytes(REFERENCE.read_bytes())
    (folder / "bob.ipynb").write_bytes((ROOT / "exercises" / REFERENCE.name).read_bytes())
    _with_cell(folder, "q1", "def concat_fusion(xs, weight, bias):\n    return 0\n", "carol.ipynb")
    (folder / "dave.ipynb").write_text("not a notebook")
    _with_cell(
        folder,
        "q2",
        "import os\n\ndef weighted_sum_fusion(projected, logits):\n    os.abort()\n",
        "erin.ipynb",
    )
    _with_cell(folder, "q3", "def max_pool_fusion(xs):\n    while True:\n        pass\n", "frank.ipynb")
    (folder / "grace.pdf").write_bytes(b"%PDF-1.4 not a notebook at all")
    table = tmp_path / "scores.csv"
    feedback = tmp_path / "feedback"
    assert (
        grade_main(
            [
                str(folder),
                "--chapter",
                "ch02",
                "--csv",
                str(table),
                "--feedback-dir",
                str(feedback),
                "--timeout",
                "4",
            ]
        )
        == 0
    )
    rows = {r["student"]: r for r in csv.DictReader(table.open())}
    assert rows["alice"]["total"] == "6" and rows["alice"]["max"] == "6"
    assert rows["bob"]["total"] == "0"
    assert rows["carol"]["q1"] == "0" and rows["carol"]["total"] == "4"
    assert rows["dave"]["total"] == "0" and "not a valid Jupyter notebook" in rows["dave"]["problem"]
    assert rows["erin"]["q2"] == "0" and rows["erin"]["total"] == "4"  # crash costs q2 only
    assert rows["frank"]["q3"] == "0" and rows["frank"]["total"] == "5"  # endless loop costs q3 only
    assert rows["grace"]["total"] == "0" and rows["grace"]["problem"]
    assert len(rows) == 7
    assert "⏱ q3" in (feedback / "frank.txt").read_text()
    assert "✗ q1" in (feedback / "carol.txt").read_text()
    assert "score: 6/6" in capsys.readouterr().out


def test_cli_rejects_missing_paths(tmp_path):
    with pytest.raises(SystemExit):
        grade_main([str(tmp_path / "nowhere")])

"""Gradebook output: student ids from LMS file names and rosters, duplicates flagged, CSVs that
Canvas and Moodle import (escaped against formulas), HTML feedback, a tamper-evident manifest."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from mmlearn.grading.cli import grade_main
from mmlearn.grading.gradebook import (
    Graded,
    feedback_html,
    safe_cell,
    verify_manifest,
    write_canvas,
    write_feedback,
    write_manifest,
    write_moodle,
    write_scores,
)
from mmlearn.grading.roster import identify, missing_students, read_roster
from mmlearn.grading.runner import NotebookReport, QuestionResult
from mmlearn.grading.verdict import Status


def _report(path: Path, q1: int, q2: int, message: str = "correct") -> NotebookReport:
    results = [
        QuestionResult("q1", Status.PASS if q1 else Status.FAIL, message, q1, 2),
        QuestionResult("q2", Status.PASS if q2 else Status.FAIL, message, q2, 1),
    ]
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""
    return NotebookReport(str(path), "ch02", results, sha256=digest, seed=1)


def _class(tmp_path: Path, names: list[str]) -> list[Path]:
    files = []
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"notebook of {name}")
        files.append(path)
    return files


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x", "\r=x"])
def test_formula_cells_are_escaped(text):
    assert safe_cell(text) == "'" + text


def test_plain_cells_are_not_escaped():
    assert safe_cell("alice") == "alice" and safe_cell(3) == 3 and safe_cell("") == ""


def test_lms_names_map_to_ids_and_duplicates_are_flagged(tmp_path):
    files = _class(
        tmp_path,
        [
            "smithjane_1234_5678_ch02.ipynb",
            "smithjane_late_1234_5699_ch02.ipynb",
            "doejohn_2222_3333_ch02_simple_fusion.ipynb",
            "Ann Lee_77_assignsubmission_file_/ch02.ipynb",
            "Ann Lee_77_assignsubmission_onlinetext_/onlinetext.html",
            "carol.ipynb",
        ],
    )
    found = {f.path.name: f for f in identify(files)}
    assert found["doejohn_2222_3333_ch02_simple_fusion.ipynb"].student_id == "2222"
    assert found["doejohn_2222_3333_ch02_simple_fusion.ipynb"].how == "canvas"
    moodle = found["ch02.ipynb"]
    assert (moodle.student_id, moodle.name, moodle.how, moodle.problem) == ("77", "Ann Lee", "moodle", None)
    assert "not a notebook" in found["onlinetext.html"].problem
    assert found["carol.ipynb"].student_id == "carol" and found["carol.ipynb"].problem is None
    for name in ("smithjane_1234_5678_ch02.ipynb", "smithjane_late_1234_5699_ch02.ipynb"):
        assert "duplicate" in found[name].problem and "1234" in found[name].problem


def test_roster_names_ids_and_unknown_students(tmp_path):
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text("ID,Name,SIS Login ID\n1234,Jane Smith,smithjane\n9999,Absent Student,absent\n")
    roster = read_roster(roster_file)
    files = _class(tmp_path / "sub", ["smithjane_1234_5678_ch02.ipynb", "mallory_4444_1_ch02.ipynb"])
    found = identify(files, roster)
    assert (found[0].student_id, found[0].name, found[0].problem) == ("1234", "Jane Smith", None)
    assert "not on the roster" in found[1].problem
    assert [e.id for e in missing_students(found, roster)] == ["9999"]


def test_roster_without_id_column_is_a_clear_error(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("who,when\nx,y\n")
    with pytest.raises(ValueError, match="id column"):
        read_roster(bad)


def _graded(tmp_path: Path) -> list[Graded]:
    files = _class(
        tmp_path / "class",
        ["smithjane_1234_5678_ch02.ipynb", "x_555_1_ch02.ipynb", "x_late_555_2_ch02.ipynb"],
    )
    who = identify(files)
    who[0].name = '=HYPERLINK("http://evil.example","click")'
    return [Graded(w, _report(w.path, 2, i % 2, "<script>alert(1)</script>")) for i, w in enumerate(who)]


def test_canvas_import_file(tmp_path):
    rows = list(csv.reader(write_canvas(_graded(tmp_path), tmp_path / "canvas.csv", "ch02").open()))
    assert rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "ch02 total",
        "ch02 q1",
        "ch02 q2",
    ]
    assert rows[1][0] == "Points Possible" and rows[1][5:] == ["3", "2", "1"]
    assert len(rows) == 3, "the two duplicates of student 555 are not imported"
    assert rows[2][1] == "1234" and rows[2][5:] == ["2", "2", "0"]
    assert rows[2][0].startswith("'=")


def test_moodle_import_file(tmp_path):
    rows = list(csv.reader(write_moodle(_graded(tmp_path), tmp_path / "moodle.csv", "ch02").open()))
    assert rows[0] == ["Identifier", "Full name", "ch02 total (of 3)", "ch02 q1 (of 2)", "ch02 q2 (of 1)"]
    assert rows[1][0] == "1234" and rows[1][2:] == ["2", "2", "0"] and len(rows) == 2


def test_score_table_keeps_flagged_rows(tmp_path):
    rows = list(csv.DictReader(write_scores(_graded(tmp_path), tmp_path / "scores.csv").open()))
    assert [r["student"] for r in rows] == ["1234", "555", "555"]
    assert "duplicate" in rows[1]["problem"] and rows[0]["problem"] == ""


def test_feedback_is_escaped_and_named_after_ids(tmp_path):
    graded = _graded(tmp_path)
    assert "<script>" not in feedback_html(graded[0]) and "&lt;script&gt;" in feedback_html(graded[0])
    names = sorted(p.name for p in write_feedback(graded, tmp_path / "fb"))
    assert names == ["1234.html", "1234.txt", "555-2.html", "555-2.txt", "555.html", "555.txt"]


def test_manifest_detects_changes_after_the_run(tmp_path):
    graded = _graded(tmp_path)
    out = tmp_path / "out"
    outputs = [write_scores(graded, out / "scores.csv"), *write_feedback(graded, out / "feedback")]
    manifest, digest = write_manifest(graded, outputs, out)
    assert verify_manifest(out, digest) == []
    (out / "scores.csv").write_text("student,total\n1234,100\n")
    graded[1].who.path.write_text("edited after grading")
    problems = verify_manifest(out, digest)
    assert any("scores.csv" in p for p in problems) and any("x_555_1" in p for p in problems)
    manifest.write_text(manifest.read_text().replace('"score": 2', '"score": 3'))
    assert any("manifest.json itself" in p for p in verify_manifest(out, digest))


def test_from_an_lms_download_to_import_files(tmp_path, capsys):
    root = Path(__file__).resolve().parents[1]
    download = tmp_path / "download"
    download.mkdir()
    name = "simple_fusion.ipynb"
    (download / f"smithjane_1234_5678_ch02_{name}").write_bytes(
        (root / "exercises" / "solutions" / f"ch02_{name}").read_bytes()
    )
    (download / f"doejohn_2222_3333_ch02_{name}").write_bytes(
        (root / "exercises" / f"ch02_{name}").read_bytes()
    )
    roster = tmp_path / "roster.csv"
    roster.write_text("ID,Student,SIS Login ID\n1234,Jane Smith,smithjane\n2222,John Doe,doejohn\n")
    out = tmp_path / "graded"
    assert grade_main([str(download), "--roster", str(roster), "--out", str(out), "--timeout", "10"]) == 0
    canvas = list(csv.reader((out / "canvas.csv").open()))
    assert canvas[1][:6] == ["Points Possible", "", "", "", "", "6"]
    assert {r[1]: (r[0], r[5]) for r in canvas[2:]} == {
        "1234": ("Jane Smith", "6"),
        "2222": ("John Doe", "0"),
    }
    moodle = {r["Identifier"]: r for r in csv.DictReader((out / "moodle.csv").open())}
    assert moodle["1234"]["ch02 total (of 6)"] == "6"
    assert (out / "feedback" / "1234.html").exists() and (out / "feedback" / "2222.txt").exists()
    digest = capsys.readouterr().out.split("manifest SHA-256: ")[1].split()[0]
    assert grade_main(["--verify", str(out), "--digest", digest]) == 0
    (out / "canvas.csv").write_text("Student,ID\nJohn Doe,2222,6\n")
    assert grade_main(["--verify", str(out), "--digest", digest]) == 1

"""Design questions graded by a rubric (status "manual", answers for the instructor, rubric
scores merged into the LMS files) and dependencies (a question that uses another is graded with
the reference version of the function it uses), through the sandboxed grader."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import nbformat
import pytest
import torch

from mmlearn.grading import Question, Status, check, grade_notebook, judge
from mmlearn.grading import feedback as feedback_module
from mmlearn.grading.cli import grade_class, grade_main
from mmlearn.grading.gradebook import (
    Graded,
    apply_manual_scores,
    read_manual_scores,
    read_results,
    write_canvas,
    write_manual_answers,
)
from mmlearn.grading.notebook import MAX_ANSWER_CHARS, clean_answer, read_submission
from mmlearn.grading.release import release_notebook
from mmlearn.grading.roster import identify
from mmlearn.grading.spec import (
    ANSWER_PLACEHOLDER,
    dependencies,
    load_questions,
    rubric_criteria,
    shipped_references,
    validate_questions,
)
from mmlearn.grading.subject import LocalSubject

BANK = Path(__file__).parent / "exercises" / "framework"
QUESTIONS = load_questions("ch02", BANK)
Q = {q.id: q for q in QUESTIONS}

RIGHT = {
    "q1": "def concat_fusion(xs, weight, bias):\n    return torch.cat(list(xs), 1) @ weight.T + bias\n",
    "q2": "def residual_concat(xs, weight, bias):\n    return concat_fusion(xs, weight, bias) + xs[0]\n",
    "q3": "def scaled_residual(xs, weight, bias):\n    return 2 * residual_concat(xs, weight, bias)\n",
}
WRONG_Q1 = "def concat_fusion(xs, weight, bias):\n    return torch.cat(list(xs), 1) @ weight.T\n"
ANSWER = "I would use a low-rank bilinear fusion: $R(d_1 + d_2 + o)$ parameters."


def _notebook(
    path: Path, cells: dict[str, str], answer: str | None = ANSWER, reference: bool = False
) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["mmlearn"] = {"chapter": "ch02"}
    nb.cells.append(nbformat.v4.new_code_cell("import torch", metadata={"tags": ["setup"]}))
    for qid, source in cells.items():
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["graded", qid]}))
    if answer is not None:
        text = f"<!-- BEGIN SOLUTION -->\n{answer}\n<!-- END SOLUTION -->" if reference else answer
        nb.cells.append(nbformat.v4.new_markdown_cell(text, metadata={"tags": ["manual", "q5"]}))
    nbformat.write(nb, path)
    return path


# --- the declaration ---


def test_new_fields_have_defaults_so_old_banks_load():
    q = Question("q1", "f", ("x",), lambda fn, seed: None, 2, "title")
    assert (q.kind, q.uses, q.reference, q.rubric, q.manual) == (None, (), None, "", False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "essay"}, "not one of"),
        ({"kind": "design"}, "no function, check"),
        ({"rubric": "- [1] x"}, "only kind='design'"),
        ({"uses": "q0"}, "tuple of question ids"),
        ({"points": 1.5}, "non-negative int"),
    ],
)
def test_bad_declarations_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Question("q1", "f", ("x",), lambda fn, seed: None, **kwargs)


def test_a_design_question_needs_a_rubric_whose_points_add_up():
    with pytest.raises(ValueError, match="needs a rubric"):
        Question("q9", points=2, kind="design", rubric="say something clever")
    with pytest.raises(ValueError, match="give 3 points, the question 2"):
        Question("q9", points=2, kind="design", rubric="- [2] a\n- [1] b")
    q = Question("q9", points=3, kind="design", rubric="- [2] a\n* [1] b\nfree text")
    assert rubric_criteria(q.rubric) == [(2, "a"), (1, "b")]


def test_uses_are_validated():
    def check(fn, seed):
        return None

    base = Question("q1", "f", ("x",), check, kind="implementation")
    with pytest.raises(ValueError, match="has no reference"):
        validate_questions([base, Question("q2", "g", ("x",), check, kind="implementation", uses=("q1",))])
    with pytest.raises(ValueError, match="not a question of this chapter"):
        validate_questions([Question("q2", "g", ("x",), check, kind="implementation", uses=("q7",))])
    a = Question("a", "f", (), check, uses=("b",), reference=check)
    b = Question("b", "g", (), check, uses=("a",), reference=check)
    with pytest.raises(ValueError, match="cycle"):
        validate_questions([a, b])


def test_dependencies_are_transitive_and_ordered():
    assert [q.id for q in dependencies(Q["q3"], QUESTIONS)] == ["q1", "q2"]
    assert dependencies(Q["q1"], QUESTIONS) == []


def test_shipped_references_call_each_other_by_the_student_facing_names():
    fns = shipped_references(dependencies(Q["q3"], QUESTIONS))
    xs = [torch.ones(1, 2, dtype=torch.float64), torch.ones(1, 1, dtype=torch.float64)]
    out = fns["residual_concat"](
        xs, torch.ones(2, 3, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    )
    assert torch.equal(out, torch.full((1, 2), 4.0, dtype=torch.float64))


# --- dependencies: one mistake is charged once ---


def test_check_in_the_kernel_uses_the_reference_of_what_it_uses(monkeypatch, capsys):
    monkeypatch.setattr(feedback_module, "load_questions", lambda chapter: QUESTIONS)
    space: dict = {"torch": torch}
    exec(WRONG_Q1 + RIGHT["q2"], space)
    wrong_q1 = space["concat_fusion"]
    assert not check("ch02", "q1", wrong_q1)
    assert check("ch02", "q2", space["residual_concat"])
    assert space["concat_fusion"] is wrong_q1, "the student's own function is put back afterwards"
    exec("def residual_concat(xs, weight, bias):\n    return concat_fusion(xs, weight, bias)\n", space)
    assert not check("ch02", "q2", space["residual_concat"])
    assert "wrong answer" in capsys.readouterr().out


def test_the_grader_charges_a_mistake_once(tmp_path):
    path = _notebook(tmp_path / "s.ipynb", {"q1": WRONG_Q1, "q2": RIGHT["q2"], "q3": RIGHT["q3"]})
    report = grade_notebook(path, bank=BANK, timeout=20)
    status = {r.id: r.status for r in report.results}
    assert status == {"q1": Status.FAIL, "q2": Status.PASS, "q3": Status.PASS, "q5": Status.MANUAL}, (
        report.text()
    )
    assert report.score == 3 + 1 and report.auto_max == 6 and report.max_score == 9


def test_a_wrong_dependent_answer_still_loses_its_marks(tmp_path):
    own = "def residual_concat(xs, weight, bias):\n    return concat_fusion(xs, weight, bias)\n"
    path = _notebook(tmp_path / "s.ipynb", {"q1": RIGHT["q1"], "q2": own, "q3": RIGHT["q3"]})
    report = grade_notebook(path, bank=BANK, timeout=20, only=["q2", "q3"])
    assert report.result("q2").status is Status.FAIL and report.result("q3").passed, report.text()


def test_patching_the_provided_reference_changes_nothing_but_ones_own_answer(tmp_path):
    # the student's q2 replaces the reference it was given, then returns its own (wrong) result;
    # a q3 that mutates residual_concat's globals cannot reach the parent's verdicts either
    attack = (
        "def residual_concat(xs, weight, bias):\n"
        "    globals()['concat_fusion'] = lambda *a: xs[0] * 0\n"
        "    return concat_fusion(xs, weight, bias) + xs[0]\n"
    )
    path = _notebook(tmp_path / "s.ipynb", {"q1": WRONG_Q1, "q2": attack, "q3": RIGHT["q3"]})
    report = grade_notebook(path, bank=BANK, timeout=20)
    assert report.result("q1").status is Status.FAIL and report.result("q2").status is Status.FAIL
    assert report.result("q3").passed, report.text()


# --- design questions ---


def test_design_questions_are_reported_manual_with_the_answer(tmp_path):
    path = _notebook(tmp_path / "s.ipynb", RIGHT)
    report = grade_notebook(path, bank=BANK, timeout=20)
    r = report.result("q5")
    assert r.status is Status.MANUAL and r.points == 0 and r.max_points == 3 and r.answer == ANSWER
    assert report.pending == ["q5"] and "wait for your instructor" in report.text()
    assert report.score == report.auto_max == 6


def test_an_untouched_or_missing_answer_cell(tmp_path):
    placeholder = grade_notebook(_notebook(tmp_path / "a.ipynb", RIGHT, ANSWER_PLACEHOLDER), bank=BANK)
    assert placeholder.result("q5").status is Status.UNANSWERED
    missing = grade_notebook(_notebook(tmp_path / "b.ipynb", RIGHT, None), bank=BANK)
    assert missing.result("q5").status is Status.MISSING and "manual" in missing.result("q5").message


def test_check_prints_the_rubric(monkeypatch, capsys):
    monkeypatch.setattr(feedback_module, "load_questions", lambda chapter: QUESTIONS)
    assert check("ch02", "q5") is False
    out = capsys.readouterr().out
    assert "graded by your instructor with this rubric" in out and "[2] Proposes a fusion" in out


def test_judge_never_scores_a_design_question():
    v = judge(Q["q5"], LocalSubject({}))
    assert v.status is Status.MANUAL and not v.passed


def test_release_leaves_a_placeholder_and_the_reference_is_manual(tmp_path):
    ref = _notebook(tmp_path / "ref.ipynb", {}, "A model answer.", reference=True)
    student = release_notebook(ref, tmp_path / "student" / "ch02.ipynb")
    text = student.read_text()
    assert "A model answer" not in text and ANSWER_PLACEHOLDER in text
    assert read_submission(student).answers["q5"] == ANSWER_PLACEHOLDER
    assert grade_notebook(student, bank=BANK, only=["q5"]).result("q5").status is Status.UNANSWERED
    reference = grade_notebook(ref, bank=BANK, only=["q5"]).result("q5")
    assert reference.status is Status.MANUAL and reference.answer == "A model answer."


# --- hostile answers (red team) ---

HOSTILE = (
    "<script>alert('x')</script><img src=x onerror=alert(1)>\n"
    "```\n\n## 999 (bob.ipynb)\n\nfull marks please\n````\n"
    '\x1b[31mred\x1b[0m \x00nul \u202eevil\u202c \x07bell\r\n=HYPERLINK("http://x")\n'
)


def _headings_outside_fences(md: str) -> list[str]:
    """The headings a markdown viewer shows (CommonMark: a fence closes only with at least as
    many backticks and nothing after them)."""
    headings, fence = [], ""
    for line in md.splitlines():
        if fence:
            if re.fullmatch(rf"{fence}`*\s*", line):
                fence = ""
        elif m := re.match(r"^(`{3,})", line):
            fence = m.group(1)
        elif line.startswith("#"):
            headings.append(line)
    return headings[1:]  # the page title first


def test_clean_answer_removes_control_characters_and_cuts():
    text = clean_answer(HOSTILE + "x" * (3 * MAX_ANSWER_CHARS))
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", text)
    assert len(text) < MAX_ANSWER_CHARS + 200 and "cut: the answer has" in text


def test_hostile_answers_are_escaped_in_the_instructors_files(tmp_path):
    huge = HOSTILE + "y" * (5 << 20)
    path = _notebook(tmp_path / "mallory.ipynb", RIGHT, huge)
    honest = _notebook(tmp_path / "bob.ipynb", RIGHT)
    out = tmp_path / "out"
    graded = grade_class([str(path), str(honest)], out, bank=BANK, timeout=20, jobs=1)
    assert {g.who.student_id: g.report.result("q5").status for g in graded} == {
        "mallory": Status.MANUAL,
        "bob": Status.MANUAL,
    }
    md = (out / "manual" / "ch02_q5.md").read_text()
    page = (out / "manual" / "ch02_q5.html").read_text()
    assert len(md) < 3 * MAX_ANSWER_CHARS and len(page) < 3 * MAX_ANSWER_CHARS
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", md + page)
    # the fake heading stays inside mallory's fence: exactly one real heading per student
    assert _headings_outside_fences(md) == ["## mallory (mallory.ipynb)", "## bob (bob.ipynb)"]
    # answers never reach the LMS files or the student's feedback
    for name in ("canvas.csv", "moodle.csv", "scores.csv"):
        assert "script" not in (out / name).read_text()
    assert "script" not in (out / "feedback" / "mallory.html").read_text()


def test_an_answer_cell_is_never_run(tmp_path):
    marker = tmp_path / "ran.txt"
    path = _notebook(tmp_path / "s.ipynb", RIGHT, None)
    nb = nbformat.read(path, as_version=4)
    code = f"open({str(marker)!r}, 'w').write('x')\nraise SystemExit"
    nb.cells.append(nbformat.v4.new_code_cell(code, metadata={"tags": ["manual", "q5"]}))
    nbformat.write(nb, path)
    report = grade_notebook(path, bank=BANK, timeout=20)
    assert not marker.exists() and report.score == 6, report.text()
    assert report.result("q5").status is Status.MANUAL and "SystemExit" in (report.result("q5").answer or "")


# --- rubric scores: validated, merged, exported ---


def _class(tmp_path: Path) -> tuple[list[Graded], Path]:
    out = tmp_path / "out"
    files = [
        _notebook(tmp_path / "alice.ipynb", RIGHT),
        _notebook(tmp_path / "bob.ipynb", {"q1": WRONG_Q1, "q2": RIGHT["q2"]}),
    ]
    return grade_class([str(f) for f in files], out, bank=BANK, timeout=20, jobs=2), out


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    return _class(tmp_path_factory.mktemp("manual"))


def _scores(path: Path, rows: list[list[object]]) -> Path:
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows([["student", "question", "points", "comment"], *rows])
    return path


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["carol", "q5", 2], "unknown student 'carol'"),
        (["alice", "q7", 2], "unknown question 'q7'"),
        (["alice", "q1", 2], "graded automatically"),
        (["alice", "q5", 4], "allowed: 0 to 3"),
        (["alice", "q5", -1], "allowed: 0 to 3"),
        (["alice", "q5", "three"], "not a number"),
        (["alice", "q5", "=1+2"], "not a number"),
    ],
)
def test_invalid_rubric_scores_are_refused_with_a_clear_message(graded_class, tmp_path, row, message):
    graded, _ = graded_class
    with pytest.raises(ValueError, match=re.escape(message)):
        read_manual_scores(_scores(tmp_path / "s.csv", [row]), graded)


def test_duplicate_rows_and_missing_columns_are_refused(graded_class, tmp_path):
    graded, _ = graded_class
    with pytest.raises(ValueError, match="a second score"):
        read_manual_scores(_scores(tmp_path / "s.csv", [["alice", "q5", 1], ["alice", "q5", 2]]), graded)
    (tmp_path / "bad.csv").write_text("name,score\nalice,3\n")
    with pytest.raises(ValueError, match="missing column"):
        read_manual_scores(tmp_path / "bad.csv", graded)


def test_the_run_writes_the_answers_and_a_template(graded_class):
    _, out = graded_class
    rows = list(csv.DictReader(open(out / "manual" / "scores_template.csv")))
    assert {(r["student"], r["question"], r["max"]) for r in rows} == {
        ("alice", "q5", "3"),
        ("bob", "q5", "3"),
    }
    md = (out / "manual" / "ch02_q5.md").read_text()
    assert ANSWER in md and "[2] Proposes a fusion" in md
    canvas = list(csv.reader(open(out / "canvas.csv")))
    assert canvas[0][-1] == "ch02 q5" and canvas[1][5] == "9"  # points possible include q5
    alice = next(r for r in canvas if r[1] == "alice")
    assert alice[5] == "6" and alice[-1] == "", "pending rubric scores stay empty"
    assert json.loads((out / "results.json").read_text())["version"] == 1


def test_merge_rubric_scores_into_a_finished_run(graded_class, tmp_path, capsys):
    _, out = graded_class
    scores = _scores(tmp_path / "s.csv", [["alice", "q5", 3, "clear"], ["bob", "q5", "1.5", ""]])
    assert grade_main(["--merge", str(out), "--manual-scores", str(scores)]) == 0
    canvas = {r[1]: r for r in csv.reader(open(out / "canvas.csv"))}
    assert canvas["alice"][5] == "9" and canvas["alice"][-1] == "3"
    assert canvas["bob"][5] == "4.5" and canvas["bob"][-1] == "1.5"
    assert (
        "scored by your instructor with the rubric: 3/3 (clear)"
        in (out / "feedback" / "alice.txt").read_text()
    )
    assert grade_main(["--verify", str(out)]) == 0
    merged = {g.who.student_id: g for g in read_results(out / "results.json")}
    assert merged["alice"].report.score == 9 and not merged["alice"].report.pending
    (out / "canvas.csv").write_text("Student,ID\nmallory,1\n")
    assert grade_main(["--merge", str(out), "--manual-scores", str(scores)]) == 2
    assert "changed since grading" in capsys.readouterr().err


def test_scores_given_while_grading_are_merged(tmp_path):
    scores = _scores(tmp_path / "s.csv", [["alice", "q5", 2]])
    graded, out = _class_with_scores(tmp_path, scores)
    alice = next(g for g in graded if g.who.student_id == "alice")
    assert alice.report.score == 8 and alice.report.result("q5").scored


def _class_with_scores(tmp_path: Path, scores: Path) -> tuple[list[Graded], Path]:
    out = tmp_path / "out"
    files = [str(_notebook(tmp_path / "alice.ipynb", RIGHT))]
    return grade_class(files, out, manual_scores=scores, bank=BANK, timeout=20, jobs=1), out


def test_unscored_answers_are_pending_in_the_lms_file(tmp_path):
    from mmlearn.grading.runner import NotebookReport, QuestionResult

    path = tmp_path / "dan.ipynb"
    path.write_text("{}")
    results = [
        QuestionResult("q1", Status.PASS, "correct", 2, 2, "implementation"),
        QuestionResult("q5", Status.MANUAL, "graded by your instructor", 0, 3, "design", answer="text"),
    ]
    graded = [Graded(identify([path])[0], NotebookReport(str(path), "ch02", results))]
    rows = list(csv.reader(open(write_canvas(graded, tmp_path / "c.csv", "ch02"))))
    assert rows[1][5:] == ["5", "2", "3"] and rows[2][5:] == ["2", "2", ""]
    apply_manual_scores(graded, read_manual_scores(_scores(tmp_path / "s.csv", [["dan", "q5", 0]]), graded))
    rows = list(csv.reader(open(write_canvas(graded, tmp_path / "c.csv", "ch02"))))
    assert rows[2][5:] == ["2", "2", "0"]
    assert len(write_manual_answers(graded, tmp_path / "manual")) == 3

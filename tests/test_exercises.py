"""Every exercise: the reference scores full marks (design questions: "manual", with the model
answer collected), the untouched stub scores zero, every typical wrong answer
(``tests/exercises/wrong_answers/<chapter>/<question>_<what>.py``) loses marks, a wrong answer to
a question that others use costs only its own marks, and the student notebooks are exactly what
``mmlearn-release`` generates from the references.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from mmlearn.grading import Status, grade_notebook, load_questions
from mmlearn.grading.cli import release_main
from mmlearn.grading.notebook import chapter_of, question_cell_index

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = sorted((ROOT / "exercises" / "solutions").glob("*.ipynb"))
WRONG_DIR = Path(__file__).parent / "exercises" / "wrong_answers"
WRONG = sorted(WRONG_DIR.glob("*/*.py"))


def _chapter(path: Path) -> str:
    return chapter_of(nbformat.read(path, as_version=4), path)


def test_there_are_exercises():
    assert len(REFERENCES) >= 2


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda p: p.stem)
def test_reference_scores_full_marks(reference):
    report = grade_notebook(reference)
    assert report.error is None
    failed = [r for r in report.results if not r.passed and not r.manual]
    assert not failed, report.text()
    assert report.score == report.auto_max > 0
    for r in report.results:
        if r.manual:
            assert r.status is Status.MANUAL and r.answer, f"{r.id}: the reference has no model answer"


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda p: p.stem)
def test_untouched_stub_scores_zero(reference):
    student = ROOT / "exercises" / reference.name
    assert student.exists(), f"run mmlearn-release: {student} is missing"
    report = grade_notebook(student)
    assert report.score == 0, report.text()
    assert {r.status for r in report.results} == {"unanswered"}, report.text()
    assert "BEGIN SOLUTION" not in student.read_text()


def test_student_notebooks_are_generated_from_the_references():
    args = ["--source", str(ROOT / "exercises" / "solutions"), "--target", str(ROOT / "exercises")]
    assert release_main([*args, "--check"]) == 0, "student notebooks are stale: run mmlearn-release"


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda p: p.stem)
def test_every_question_has_two_wrong_answers(reference):
    chapter = _chapter(reference)
    for q in load_questions(chapter):
        if q.manual:
            continue  # a design question is scored by its rubric
        found = list((WRONG_DIR / chapter).glob(f"{q.id}_*.py"))
        assert len(found) >= 2, f"{chapter} {q.id}: keep at least two typical wrong answers"


@pytest.mark.parametrize("wrong", WRONG, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_wrong_answer_loses_marks(wrong, tmp_path):
    chapter = wrong.parent.name
    question = wrong.stem.split("_")[0]
    reference = next(p for p in REFERENCES if _chapter(p) == chapter)
    nb = nbformat.read(reference, as_version=4)
    nb.cells[question_cell_index(nb, question)].source = wrong.read_text()
    submission = tmp_path / reference.name
    nbformat.write(nb, submission)
    report = grade_notebook(submission, only=[question])
    result = report.result(question)
    assert not result.passed and result.points == 0, report.text()
    assert result.message, "a wrong answer must come with a message"


def _used() -> list:
    """(chapter, used question, a wrong answer of it, the questions that use it)."""
    cases = []
    for reference in REFERENCES:
        chapter = _chapter(reference)
        questions = load_questions(chapter)
        for q in questions:
            users = [u.id for u in questions if q.id in u.uses]
            wrong = sorted((WRONG_DIR / chapter).glob(f"{q.id}_*.py"))
            if users and wrong:
                cases.append(pytest.param(reference, q.id, wrong[0], users, id=f"{chapter}-{q.id}"))
    return cases


@pytest.mark.parametrize(("reference", "question", "wrong", "users"), _used())
def test_a_wrong_used_answer_costs_only_its_own_marks(reference, question, wrong, users, tmp_path):
    """One mistake is charged once: the questions that use a wrong function keep their points,
    because they are graded with the reference version of it."""
    nb = nbformat.read(reference, as_version=4)
    nb.cells[question_cell_index(nb, question)].source = wrong.read_text()
    submission = tmp_path / reference.name
    nbformat.write(nb, submission)
    report = grade_notebook(submission, only=[question, *users])
    assert not report.result(question).passed, report.text()
    assert all(report.result(u).passed for u in users), report.text()

"""Instant feedback inside a student's notebook: ``check("ch02", "q1", my_function)``."""

from __future__ import annotations

from collections.abc import Callable

from .spec import Question, dependencies, load_questions
from .subject import LocalSubject
from .verdict import judge


def rubric_text(q: Question) -> str:
    """What ``check`` prints for a design question: how the instructor will score it."""
    lines = [line.rstrip() for line in q.rubric.strip().splitlines()]
    return "\n".join(["  " + line for line in lines if line.strip()])


def check(chapter: str, question: str, fn: Callable | None = None, seed: int | None = None) -> bool:
    """Run the grader's test of one question on ``fn`` in this kernel and print the verdict.

    The verdict comes from the same :func:`~mmlearn.grading.verdict.judge` the grader uses, on
    inputs drawn from ``seed`` (fresh each time when None), with the reference versions of the
    functions the question ``uses`` (as when grading). Returns True when the answer passes. It
    never raises, so a notebook keeps running. For a design question (no ``fn``) it prints the
    rubric the instructor will apply and returns False.
    """
    try:
        questions = load_questions(chapter)
    except ValueError as err:
        print(f"[{chapter} {question}] {err}")
        return False
    matches = [q for q in questions if q.id == question]
    if not matches:
        print(f"[{chapter} {question}] unknown question")
        return False
    q = matches[0]
    if q.manual:
        print(
            f"[{chapter} {question}] ✎ graded by your instructor with this rubric "
            f"({q.points} point{'s' * (q.points != 1)}):\n{rubric_text(q)}"
        )
        return False
    if fn is None:
        print(f"[{chapter} {question}] pass your function: check({chapter!r}, {question!r}, {q.function})")
        return False
    verdict = judge(q, LocalSubject({q.function: fn}), seed, dependencies(q, questions))
    if verdict.passed:
        print(f"[{chapter} {question}] ✓ correct ({q.points} point{'s' * (q.points != 1)})")
    else:
        print(f"[{chapter} {question}] {verdict.status.mark} {verdict.message}")
    return verdict.passed

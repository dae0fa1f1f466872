"""Instant feedback inside a student's notebook: ``check("ch02", "q1", my_function)``."""

from __future__ import annotations

from collections.abc import Callable

from .spec import load_questions
from .subject import LocalSubject
from .verdict import judge


def check(chapter: str, question: str, fn: Callable, seed: int | None = None) -> bool:
    """Run the grader's test of one question on ``fn`` in this kernel and print the verdict.

    The verdict comes from the same :func:`~mmlearn.grading.verdict.judge` the grader uses, on
    inputs drawn from ``seed`` (fresh each time when None). Returns True when the answer
    passes. It never raises, so a notebook keeps running.
    """
    try:
        matches = [q for q in load_questions(chapter) if q.id == question]
    except ValueError as err:
        print(f"[{chapter} {question}] {err}")
        return False
    if not matches:
        print(f"[{chapter} {question}] unknown question")
        return False
    q = matches[0]
    verdict = judge(q, LocalSubject({q.function: fn}), seed)
    if verdict.passed:
        print(f"[{chapter} {question}] ✓ correct ({q.points} point{'s' * (q.points != 1)})")
    else:
        print(f"[{chapter} {question}] {verdict.status.mark} {verdict.message}")
    return verdict.passed

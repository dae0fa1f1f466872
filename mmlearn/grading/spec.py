"""What a graded question is, and where each chapter's questions live."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    """One graded question: the student defines ``function(*params)``; ``check`` tests it.

    ``check(fn)`` raises ``AssertionError`` with a message a student can act on when the answer
    is wrong, and returns normally when it is right.
    """

    id: str
    function: str
    params: tuple[str, ...]
    check: Callable[[Callable], None]
    points: int = 1
    title: str = ""


def load_questions(chapter: str) -> list[Question]:
    """The questions of a chapter, e.g. ``load_questions("ch02")``.

    Each chapter's checks live in ``mmlearn/grading/bank/<chapter>.py`` as ``QUESTIONS``.
    """
    try:
        module = importlib.import_module(f"mmlearn.grading.bank.{chapter}")
    except ModuleNotFoundError as err:
        raise ValueError(f"no graded questions for chapter {chapter!r}") from err
    return list(module.QUESTIONS)


def signature_problem(fn: object, question: Question) -> str | None:
    """A message if ``fn`` is not a function taking ``question.params`` first; else None."""
    if not callable(fn):
        return f"`{question.function}` is not a function (it is a {type(fn).__name__})"
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    names = [p.name for p in params]
    expected = list(question.params)
    required_extra = [
        p.name
        for p in params[len(expected) :]
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    if names[: len(expected)] != expected or required_extra:
        return (
            f"`{question.function}` must be defined as `def {question.function}"
            f"({', '.join(expected)})`, found `({', '.join(names)})`"
        )
    return None


def question_ids(questions: Sequence[Question]) -> list[str]:
    return [q.id for q in questions]

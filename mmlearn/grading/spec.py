"""What a graded question is, and where each chapter's questions live."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .subject import Answer, FunctionInfo

CHAPTER = re.compile(r"^ch\d\d$")


@dataclass(frozen=True)
class Question:
    """One graded question: the student defines ``function(*params)``; ``check`` tests it.

    ``check(answer, seed)`` calls the student's function through ``answer`` on inputs drawn from
    ``seed`` (unknown to the student when grading), compares with a reference computed in the
    grader, and raises ``AssertionError`` with a message a student can act on when it is wrong.
    """

    id: str
    function: str
    params: tuple[str, ...]
    check: Callable[[Answer, int], None]
    points: int = 1
    title: str = ""


def _load_module(chapter: str, bank: Path | str | None):
    if not CHAPTER.match(chapter):
        raise ValueError(f"not a chapter id: {chapter!r} (expected e.g. 'ch02')")
    if bank is None:
        try:
            return importlib.import_module(f"mmlearn.grading.bank.{chapter}")
        except ModuleNotFoundError as err:
            raise ValueError(f"no graded questions for chapter {chapter!r}") from err
    path = Path(bank) / f"{chapter}.py"
    if not path.is_file():
        raise ValueError(f"no graded questions for chapter {chapter!r} in {bank} (no {path.name})")
    name = f"mmlearn_private_bank_{abs(hash(str(path.resolve())))}_{chapter}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_questions(chapter: str, bank: Path | str | None = None) -> list[Question]:
    """The questions of a chapter, e.g. ``load_questions("ch02")``.

    Each chapter's checks live in ``mmlearn/grading/bank/<chapter>.py`` as ``QUESTIONS``; an
    instructor's private bank (``bank``, a folder of ``chNN.py`` files kept out of the student
    package) replaces them when given.
    """
    return list(_load_module(chapter, bank).QUESTIONS)


def signature_problem(info: FunctionInfo, question: Question) -> str | None:
    """A message if the function is not callable with ``question.params`` first; else None."""
    if not info.callable:
        return f"`{question.function}` is not a function (it is a {info.type_name})"
    if info.params is None:
        return None
    names = [name for name, _, _ in info.params]
    expected = list(question.params)
    required_extra = [
        name
        for name, kind, has_default in info.params[len(expected) :]
        if not has_default and kind in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY")
    ]
    if names[: len(expected)] != expected or required_extra:
        return (
            f"`{question.function}` must be defined as `def {question.function}"
            f"({', '.join(expected)})`, found `({', '.join(names)})`"
        )
    return None


def question_ids(questions: Sequence[Question]) -> list[str]:
    return [q.id for q in questions]

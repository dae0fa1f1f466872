"""The one place where an answer becomes a verdict (for ``check(...)`` and the grader alike)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from .scrub import scrub
from .spec import Question, reference_source, signature_problem
from .subject import Answer, StudentRaised, Subject, WorkerLost, WorkerTimeout


class Status(str, Enum):
    """How a question ended; only ``PASS`` earns points."""

    PASS = "pass"
    FAIL = "fail"  # the answer is wrong
    ERROR = "error"  # the student's code raised
    UNANSWERED = "unanswered"  # the stub still raises NotImplementedError
    MISSING = "missing"  # the function is not defined
    SIGNATURE = "signature"  # defined with the wrong parameters
    TIMEOUT = "timeout"  # killed after the time limit
    CRASH = "crash"  # the worker died, or broke the protocol
    INVALID = "invalid"  # the notebook could not be read
    MANUAL = "manual"  # a design question: the instructor scores it with its rubric

    @property
    def mark(self) -> str:
        marks = {"pass": "✓", "timeout": "⏱", "unanswered": "…", "missing": "?", "manual": "✎"}
        return marks.get(self.value, "✗")


@dataclass(frozen=True)
class Verdict:
    status: Status
    message: str

    @property
    def passed(self) -> bool:
        return self.status is Status.PASS


def new_seed() -> int:
    """A seed the student cannot know in advance: fresh randomness for every run."""
    return secrets.randbits(31)


MANUAL_TEXT = "graded by your instructor with the question's rubric"


def judge(
    question: Question, subject: Subject, seed: int | None = None, provided: Sequence[Question] = ()
) -> Verdict:
    """Run ``question``'s check against the student's function in ``subject``; decide here.

    ``provided``: the questions whose *reference* functions replace the student's own while this
    one is checked (``spec.dependencies``: what ``question.uses``), so that a mistake there is
    not charged twice. Every message is scrubbed (paths, environment, length) before it reaches
    the student. A design question is never judged here: its verdict is ``MANUAL``.
    """
    if question.manual or question.check is None:
        return Verdict(Status.MANUAL, MANUAL_TEXT)
    seed = new_seed() if seed is None else seed
    try:
        shipped = [reference_source(q) for q in provided]
    except ValueError as err:  # a problem of the bank, not of the student
        return Verdict(Status.CRASH, scrub(f"the grader cannot provide the reference functions ({err})"))
    try:
        return _judge(question, subject, seed, shipped)
    finally:
        subject.withdraw()


def _judge(question: Question, subject: Subject, seed: int, shipped: list[dict[str, str]]) -> Verdict:
    assert question.check is not None
    try:
        info = subject.describe(question.function)
        if info is None:
            hint = f" (your notebook: {'; '.join(subject.cell_errors)})" if subject.cell_errors else ""
            return Verdict(Status.MISSING, scrub(f"function `{question.function}` is not defined{hint}"))
        problem = signature_problem(info, question)
        if problem:
            return Verdict(Status.SIGNATURE, scrub(problem))
        if shipped:
            subject.provide(shipped)
        question.check(Answer(subject, question.function), seed)
    except StudentRaised as err:
        if err.type_name == "NotImplementedError":
            return Verdict(Status.UNANSWERED, "not answered yet: the stub still raises NotImplementedError")
        where = f" ({err.where})" if err.where else ""
        return Verdict(Status.ERROR, scrub(f"your code raised {err.text}{where}"))
    except AssertionError as err:
        return Verdict(Status.FAIL, scrub(f"wrong answer: {err}"))
    except WorkerTimeout as err:
        return Verdict(Status.TIMEOUT, scrub(str(err)))
    except WorkerLost as err:
        return Verdict(Status.CRASH, scrub(str(err)))
    except Exception as err:  # the check could not handle what came back: a wrong answer
        return Verdict(Status.FAIL, f"wrong answer: the result has an unexpected form ({type(err).__name__})")
    return Verdict(Status.PASS, "correct")

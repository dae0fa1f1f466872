"""The one place where an answer becomes a verdict (for ``check(...)`` and the grader alike)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import Enum

from .scrub import scrub
from .spec import Question, signature_problem
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

    @property
    def mark(self) -> str:
        return {"pass": "✓", "timeout": "⏱", "unanswered": "…", "missing": "?"}.get(self.value, "✗")


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


def judge(question: Question, subject: Subject, seed: int | None = None) -> Verdict:
    """Run ``question``'s check against the student's function in ``subject``; decide here.

    Every message is scrubbed (paths, environment, length) before it reaches the student.
    """
    seed = new_seed() if seed is None else seed
    try:
        info = subject.describe(question.function)
        if info is None:
            hint = f" (your notebook: {'; '.join(subject.cell_errors)})" if subject.cell_errors else ""
            return Verdict(Status.MISSING, scrub(f"function `{question.function}` is not defined{hint}"))
        problem = signature_problem(info, question)
        if problem:
            return Verdict(Status.SIGNATURE, scrub(problem))
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

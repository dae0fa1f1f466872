"""Instant feedback inside a student's notebook: ``check("ch02", "q1", my_function)``."""

from __future__ import annotations

import traceback
from collections.abc import Callable

from .spec import load_questions, signature_problem


def check(chapter: str, question: str, fn: Callable) -> bool:
    """Run the grader's test of one question on ``fn`` in this kernel and print the verdict.

    Returns True when the answer passes. It never raises, so a notebook keeps running.
    """
    matches = [q for q in load_questions(chapter) if q.id == question]
    if not matches:
        print(f"[{chapter} {question}] unknown question")
        return False
    q = matches[0]
    problem = signature_problem(fn, q)
    if problem:
        print(f"[{chapter} {question}] ✗ {problem}")
        return False
    try:
        q.check(fn)
    except NotImplementedError:
        print(f"[{chapter} {question}] … not answered yet (the stub still raises NotImplementedError)")
        return False
    except AssertionError as err:
        print(f"[{chapter} {question}] ✗ wrong answer: {err}")
        return False
    except Exception as err:  # the student's code crashed
        last = traceback.format_exception_only(type(err), err)[-1].strip()
        print(f"[{chapter} {question}] ✗ your code raised {last}")
        return False
    print(f"[{chapter} {question}] ✓ correct ({q.points} point{'s' * (q.points != 1)})")
    return True

"""The autograder: per-question feedback for students, safe class-wide grading for instructors.

* Students call :func:`check` in their notebook for instant feedback on one question (for a
  design question, it prints the rubric the instructor will apply).
* ``mmlearn-grade`` grades notebooks (or a folder of them, e.g. an LMS download): each
  submission's graded cells run in a sandboxed worker (namespaces, read-only file system,
  separate user, cgroup and rlimits) that only ever sends back plain data; the verdicts are
  decided in the grader's own process (:func:`judge`), which never runs student code. Design
  questions are reported as "manual" and scored by the instructor (``--manual-scores``).
* How a chapter declares its questions (``kind``, ``uses``, ``reference``, ``rubric``): see
  :mod:`mmlearn.grading.spec`.
* ``mmlearn-release`` writes the student notebooks from the reference solutions.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Imported on first use, so that the sandboxed worker (which imports this package first) loads
# only what it needs, not the grader's notebook reading and reporting.
_WHERE = {
    "check": "feedback",
    "release_notebook": "release",
    "NotebookReport": "runner",
    "QuestionResult": "runner",
    "grade_folder": "runner",
    "grade_notebook": "runner",
    "KINDS": "spec",
    "Question": "spec",
    "load_questions": "spec",
    "Status": "verdict",
    "Verdict": "verdict",
    "judge": "verdict",
}
__all__ = [
    "KINDS",
    "NotebookReport",
    "Question",
    "QuestionResult",
    "Status",
    "Verdict",
    "check",
    "grade_folder",
    "grade_notebook",
    "judge",
    "load_questions",
    "release_notebook",
]

if TYPE_CHECKING:
    from .feedback import check
    from .release import release_notebook
    from .runner import NotebookReport, QuestionResult, grade_folder, grade_notebook
    from .spec import KINDS, Question, load_questions
    from .verdict import Status, Verdict, judge


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

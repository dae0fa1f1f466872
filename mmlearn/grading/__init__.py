"""The autograder: per-question feedback for students, safe class-wide grading for instructors.

* Students call :func:`check` in their notebook for instant feedback on one question.
* ``mmlearn-grade`` grades notebooks (or a folder of them): each notebook's graded cells run in a
  subprocess with a time and memory limit, so a crash or an endless loop costs that question only.
* ``mmlearn-release`` writes the student notebooks from the reference solutions.
"""

from .feedback import check
from .release import release_notebook
from .runner import NotebookReport, QuestionResult, grade_folder, grade_notebook
from .spec import Question, load_questions

__all__ = [
    "NotebookReport",
    "Question",
    "QuestionResult",
    "check",
    "grade_folder",
    "grade_notebook",
    "load_questions",
    "release_notebook",
]

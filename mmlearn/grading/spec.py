"""What a graded question is, and where each chapter's questions live.

**How a chapter declares its questions** (``mmlearn/grading/bank/chNN.py``, ``QUESTIONS``)

Every question is a :class:`Question`. The first fields keep their old positions, so an old
bank (``Question("q1", "concat_fusion", ("xs", "weight", "bias"), check_concat, 2, "title")``)
still loads; the new fields are keywords:

``kind`` (always give it: ``tests/test_exercise_mix.py`` fails on a question without one)
    one of :data:`KINDS`:

    * ``"implementation"``: write a function (a fusion, a loss, a layer);
    * ``"derivation"``: a function that checks a property or computes a numerical identity
      (MFB as a Tucker model with a 0/1 core, the variance of the MCB estimator, ...);
    * ``"experiment"``: a seeded ablation whose conclusion the check verifies (keep it small:
      the whole check runs within the grader's per-question ``--timeout``, 30 s by default, on
      a loaded 2-core machine);
    * ``"design"``: an open question answered in words, graded by the instructor with a
      ``rubric`` (status ``"manual"``: no check, no function);
    * ``"one-liner"`` and ``"count"`` (a closed-form parameter count): at most 15 % of a
      book's graded questions.

``uses`` (tuple of question ids of the same chapter)
    the questions whose functions this question's function may call. When grading, the
    student's function runs with the *reference* version of those functions (and of what they
    use in turn) in its namespace, so a mistake in ``q1`` is charged to ``q1`` only. Every
    question named in ``uses`` must have a ``reference``.

``reference`` (a function)
    the reference solution of a question that others use. It is shipped to the sandboxed worker
    as *source text* (the worker cannot read the bank), so it must be self-contained: a
    top-level ``def`` whose body uses only its parameters, the modules ``torch``, ``nn``,
    ``F`` (``torch.nn.functional``), ``math``, ``np`` and ``mmlearn``
    (:data:`~mmlearn.grading.execute.REFERENCE_GLOBALS`), the references of the questions it
    itself ``uses`` (called by their names in the bank, e.g. ``concat_reference``, or by the
    student-facing names), and what it imports inside its body.
    ``tests/test_exercise_mix.py`` checks that each shipped reference passes its own check.
    The verdict never depends on it: the checks compute their expected values in the grader's
    process, as before.

``rubric`` (text; ``kind="design"`` only, and required there)
    criteria, one per line, each starting with its points in brackets; the points add up to the
    question's ``points``. Lines that do not start with ``- [n]`` are free text for the
    instructor (what a full answer contains, common mistakes).

Example::

    RUBRIC = '''
    - [2] Names the fusion (e.g. low-rank bilinear) and says why it fits the budget.
    - [1] Gives the parameter count of the proposal as a formula in d_1, d_2, o, R.
    - [1] Names one failure mode and the experiment that would reveal it.
    A full answer is one paragraph; a formula without words earns the second point only.
    '''

    QUESTIONS = [
        Question("q1", "concat_fusion", ("xs", "weight", "bias"), check_concat, 2,
                 "Concatenation", kind="implementation", reference=concat_fusion_reference),
        Question("q3", "gated_concat", ("xs", "weight", "bias", "gate"), check_gated, 2,
                 "Gated concatenation", kind="implementation", uses=("q1",)),
        Question("q5", points=4, title="A fusion for a small robot", kind="design",
                 rubric=RUBRIC),
    ]

Checks draw several inputs from the seed and enforce the written spec: see the helpers in
:mod:`mmlearn.grading.checks` (``draw_dims``, ``draw_batches``, ``assert_not_modified``,
``assert_dtype_preserved``, ``assert_returns_int``). Keep two typical wrong answers per code
question in ``tests/exercises/wrong_answers/chNN/qK_<what>.py``; for a question that others
use, ``tests/test_exercises.py`` also checks that its wrong answer costs only its own marks.

**The notebook**

* A code question: the cell defining the function is tagged ``graded`` and the question id
  (``["graded", "q1"]``); in the reference notebook the answer sits between
  ``# BEGIN SOLUTION`` and ``# END SOLUTION``; the next cell calls ``check("chNN", "q1", fn)``.
* A design question: the student writes the answer in a markdown (or code) cell tagged
  ``manual`` and the question id (``["manual", "q5"]``; several cells tagged for one question
  are joined). In the reference notebook a model answer sits between
  ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->`` (markdown) or ``# BEGIN SOLUTION``
  / ``# END SOLUTION`` (code); ``mmlearn-release`` replaces it with :data:`ANSWER_PLACEHOLDER`.
  A code cell ``check("chNN", "q5")`` after it prints the rubric. The grader reports
  ``"manual"`` (or ``"unanswered"`` while only the placeholder is there), copies the answer
  (escaped, truncated) into the instructor's ``manual/`` folder, and the instructor's rubric
  scores are merged with ``mmlearn-grade ... --manual-scores scores.csv``
  (see ``book/instructors.md``).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .execute import build_references
from .subject import Answer, FunctionInfo

CHAPTER = re.compile(r"^ch\d\d$")
KINDS = ("implementation", "derivation", "experiment", "design", "one-liner", "count")
MANUAL_KINDS = ("design",)
SHORT_KINDS = ("one-liner", "count")  # at most 15 % of the graded questions
MANUAL_TAG = "manual"  # with the question id: the cell(s) holding a design question's answer
ANSWER_PLACEHOLDER = "*Write your answer here.*"  # what mmlearn-release leaves in a markdown answer
CODE_PLACEHOLDER = "# Write your answer here."  # ... and in a code cell tagged manual
CRITERION = re.compile(r"^\s*[-*]\s*\[(\d+)\]\s*(.+?)\s*$")


@dataclass(frozen=True)
class Question:
    """One graded question (see the module's docstring for how a chapter declares them).

    A code question: the student defines ``function(*params)``; ``check(answer, seed)`` calls it
    through ``answer`` on inputs drawn from ``seed`` (unknown to the student when grading),
    compares with a reference computed in the grader, and raises ``AssertionError`` with a
    message a student can act on when it is wrong.

    A design question (``kind="design"``): no function and no check; the answer is the text of
    the cells tagged ``manual`` and the id, scored by the instructor with ``rubric``.
    """

    id: str
    function: str = ""
    params: tuple[str, ...] = ()
    check: Callable[[Answer, int], None] | None = None
    points: int = 1
    title: str = ""
    kind: str | None = None  # one of KINDS; None only in banks not yet labelled
    uses: tuple[str, ...] = ()
    reference: Callable[..., Any] | None = None
    rubric: str = ""

    def __post_init__(self) -> None:
        where = f"question {self.id!r}"
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"{where}: kind={self.kind!r} is not one of {', '.join(KINDS)}")
        if type(self.points) is not int or self.points < 0:
            raise ValueError(f"{where}: points must be a non-negative int, got {self.points!r}")
        if isinstance(self.uses, str) or not all(isinstance(u, str) for u in self.uses):
            raise ValueError(f"{where}: uses must be a tuple of question ids, e.g. uses=('q1',)")
        object.__setattr__(self, "uses", tuple(self.uses))
        object.__setattr__(self, "params", tuple(self.params))
        if self.manual:
            if self.check is not None or self.function or self.uses or self.reference is not None:
                raise ValueError(
                    f"{where}: a design question has no function, check, uses or reference "
                    "(the instructor grades it with its rubric)"
                )
            criteria = rubric_criteria(self.rubric)
            if not criteria:
                raise ValueError(
                    f"{where}: a design question needs a rubric with criteria lines '- [points] text'"
                )
            total = sum(p for p, _ in criteria)
            if total != self.points:
                raise ValueError(
                    f"{where}: the rubric's criteria give {total} points, the question {self.points}"
                )
        else:
            if self.rubric:
                raise ValueError(f"{where}: only kind='design' questions have a rubric")
            if not self.function or self.check is None:
                raise ValueError(
                    f"{where}: a {self.kind or 'code'} question needs a function name and a check"
                )
        if self.reference is not None and not callable(self.reference):
            raise ValueError(f"{where}: reference must be a function")

    @property
    def manual(self) -> bool:
        """Graded by the instructor (a rubric), not by a check."""
        return self.kind in MANUAL_KINDS


def rubric_criteria(rubric: str) -> list[tuple[int, str]]:
    """The ``(points, criterion)`` lines of a rubric (lines ``- [n] text``)."""
    return [(int(m.group(1)), m.group(2)) for m in map(CRITERION.match, rubric.splitlines()) if m]


def validate_questions(questions: Sequence[Question], chapter: str = "") -> None:
    """Raise ``ValueError`` naming every problem: duplicate ids, ``uses`` of an unknown question,
    of a question without ``reference`` or of a design question, and cycles of ``uses``."""
    where = f"{chapter}: " if chapter else ""
    problems: list[str] = []
    by_id: dict[str, Question] = {}
    for q in questions:
        if q.id in by_id:
            problems.append(f"two questions with id {q.id!r}")
        by_id[q.id] = q
    functions = [q.function for q in questions if q.function]
    if len(set(functions)) != len(functions):
        problems.append("two questions define the same function")
    for q in questions:
        for u in q.uses:
            used = by_id.get(u)
            if used is None:
                problems.append(f"{q.id} uses {u!r}, which is not a question of this chapter")
            elif used.manual:
                problems.append(f"{q.id} uses {u!r}, a design question (it has no function)")
            elif used.reference is None:
                problems.append(f"{q.id} uses {u!r}, which has no reference= function")
            elif u == q.id:
                problems.append(f"{q.id} uses itself")
    for q in questions:
        try:
            dependencies(q, questions)
        except ValueError as err:
            problems.append(str(err))
    if problems:
        raise ValueError(where + "; ".join(dict.fromkeys(problems)))


def dependencies(question: Question, questions: Sequence[Question]) -> list[Question]:
    """The questions whose reference functions ``question`` is graded with: what it ``uses``, and
    what those use in turn (each once, used before user)."""
    by_id = {q.id: q for q in questions}
    order: list[Question] = []
    visiting: list[str] = []

    def visit(q: Question) -> None:
        if q.id in visiting:
            raise ValueError(f"a cycle of uses: {' -> '.join([*visiting, q.id])}")
        if any(o.id == q.id for o in order):
            return
        visiting.append(q.id)
        for u in q.uses:
            if u in by_id:
                visit(by_id[u])
        visiting.pop()
        if q is not question:
            order.append(q)

    visit(question)
    return order


def reference_source(question: Question) -> dict[str, str]:
    """What the worker needs to rebuild ``question.reference``: ``{"name": the student-facing
    function name, "def": the reference's own name, "source": its dedented source}``.

    ``ValueError`` if it is not a plain top-level ``def`` whose source can be read."""
    fn = question.reference
    if fn is None:
        raise ValueError(f"question {question.id!r} has no reference")
    where = f"question {question.id!r}: the reference"
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError) as err:
        raise ValueError(f"{where}'s source cannot be read ({err})") from err
    if not re.match(rf"def\s+{re.escape(fn.__name__)}\s*\(", source):
        raise ValueError(f"{where} must be a plain def (no decorator, no lambda)")
    return {"name": question.function, "def": fn.__name__, "source": source}


def shipped_references(needed: Sequence[Question]) -> dict[str, Callable[..., Any]]:
    """The reference functions of ``needed`` (used before user) as the worker builds them: from
    their source, in one fresh namespace (:func:`~mmlearn.grading.execute.build_references`)."""
    return build_references([reference_source(q) for q in needed])


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
    questions = list(_load_module(chapter, bank).QUESTIONS)
    validate_questions(questions, chapter)
    return questions


def graded_questions(questions: Sequence[Question]) -> list[Question]:
    """The questions with a check (every kind but ``design``)."""
    return [q for q in questions if not q.manual]


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

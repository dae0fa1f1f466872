"""Grade notebooks: the student's cells run in a sandboxed worker, the verdicts are decided here.

For each submission the parent starts a worker (:class:`~mmlearn.grading.session.WorkerSubject`),
sends it the graded cells one at a time, then judges every question through it
(:func:`~mmlearn.grading.verdict.judge`). A cell or question that hangs or crashes costs itself
only: the worker is killed whole and restarted for what is left (skipping a cell that hung),
within a wall-clock budget for the whole notebook.
"""

from __future__ import annotations

import hashlib
import queue
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .notebook import NotebookError, Submission, is_placeholder, read_bytes, read_submission
from .sandbox import Limits
from .session import STARTUP_SECONDS, WorkerSubject
from .spec import Question, dependencies, graded_questions, load_questions
from .subject import WorkerLost, WorkerTimeout
from .verdict import MANUAL_TEXT, Status, Verdict, judge, new_seed


@dataclass
class QuestionResult:
    id: str
    status: Status
    message: str
    points: int
    max_points: int
    kind: str = ""
    answer: str | None = None  # a design question's answer text (for the instructor only)
    scored: bool = False  # a design question's points were set by the instructor

    @property
    def passed(self) -> bool:
        return self.status is Status.PASS

    @property
    def manual(self) -> bool:
        return self.kind == "design"

    @property
    def pending(self) -> bool:
        """A design question answered but not yet scored by the instructor."""
        return self.status is Status.MANUAL and not self.scored


@dataclass
class NotebookReport:
    path: str
    chapter: str | None
    results: list[QuestionResult] = field(default_factory=list)
    error: str | None = None  # a problem with the whole notebook (unreadable, ...)
    warnings: list[str] = field(default_factory=list)
    sha256: str = ""
    seed: int | None = None
    peak_memory_mb: float | None = None

    @property
    def score(self) -> int:
        """Every point earned: the automatic ones, and the instructor's rubric scores merged."""
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.max_points for r in self.results)

    @property
    def auto_score(self) -> int:
        return sum(r.points for r in self.results if not r.manual)

    @property
    def auto_max(self) -> int:
        return sum(r.max_points for r in self.results if not r.manual)

    @property
    def pending(self) -> list[str]:
        """Design questions whose answers wait for the instructor's rubric score."""
        return [r.id for r in self.results if r.pending]

    def result(self, question: str) -> QuestionResult:
        return next(r for r in self.results if r.id == question)

    def text(self) -> str:
        """The per-question report a student reads."""
        lines = [f"{Path(self.path).name} ({self.chapter or 'unknown chapter'})"]
        if self.error:
            lines.append(f"  ! {self.error}")
        lines += [f"  note: {w}" for w in self.warnings]
        for r in self.results:
            lines.append(f"  {r.status.mark} {r.id} [{r.points}/{r.max_points}] {r.message}")
        tail = f" ({len(self.pending)} question(s) wait for your instructor)" if self.pending else ""
        lines.append(f"  score: {self.score}/{self.max_score}{tail}")
        return "\n".join(lines)


class GraderError(RuntimeError):
    """The grader itself cannot work (its sandbox does not start): not the student's fault."""


def _start_worker(
    sources: list[str], timeout: float, limits: Limits, slot: int, skip: set[int], deadline: float
) -> WorkerSubject | None:
    """A worker that has run every graded cell (cells that hang or crash are skipped and
    reported); None when the notebook's time budget runs out first."""
    while time.monotonic() < deadline:
        worker = WorkerSubject(limits, slot)
        worker.deadline = min(time.monotonic() + STARTUP_SECONDS, deadline)
        try:
            worker.request({"op": "hello"})
        except WorkerLost as err:
            worker.cleanup()
            raise GraderError(f"the grader could not start its sandboxed worker ({err})") from err
        errors: list[str] = []
        for i, source in enumerate(sources):
            if i in skip:
                errors.append(f"graded cell {i + 1} ran longer than {timeout:g} s or crashed")
                continue
            worker.deadline = min(time.monotonic() + timeout, deadline)
            try:
                answer = worker.request({"op": "cell", "index": i, "source": source, "timeout": timeout})
            except WorkerLost:
                worker.cleanup()
                skip.add(i)
                break
            if answer.get("error"):
                errors.append(f"graded cell {i + 1} {answer['error']}")
        else:
            worker.cell_errors = [e[:200] for e in errors]
            return worker
    return None


def _judge_in_fresh_process(
    q: Question, worker: WorkerSubject, seed: int, timeout: float, provided: list[Question]
) -> Verdict:
    """Judge ``q`` in a process forked from the worker for this question only, with the reference
    functions of ``provided`` in place of the student's own."""
    try:
        worker.begin_question(max(timeout, 0.1))
    except WorkerTimeout as err:
        return Verdict(Status.TIMEOUT, str(err))
    except WorkerLost as err:
        return Verdict(Status.CRASH, str(err))
    verdict = judge(q, worker, seed, provided)
    try:
        worker.end_question()
    except WorkerLost:
        pass  # the worker is restarted for the next question
    return verdict


def _grade_questions(
    sources: list[str],
    questions: list[Question],
    timeout: float,
    limits: Limits,
    slot: int,
    seed: int,
    deadline: float,
    report: NotebookReport,
    chapter_questions: list[Question] | None = None,
) -> dict[str, Verdict]:
    verdicts: dict[str, Verdict] = {}
    pending = list(questions)
    skip: set[int] = set()
    while pending:
        worker = _start_worker(sources, timeout, limits, slot, skip, deadline)
        if worker is None:
            for q in pending:
                verdicts[q.id] = Verdict(Status.TIMEOUT, "your notebook used up its whole time budget")
            break
        try:
            while pending and worker.alive and not worker.has_unread():
                q = pending.pop(0)
                if time.monotonic() >= deadline:
                    verdicts[q.id] = Verdict(Status.TIMEOUT, "your notebook used up its whole time budget")
                    continue
                worker.timeout_text = f"took longer than {timeout:g} s (an endless loop?)"
                verdicts[q.id] = _judge_in_fresh_process(
                    q,
                    worker,
                    seed,
                    min(timeout, deadline - time.monotonic()),
                    dependencies(q, chapter_questions or questions),
                )
        finally:
            worker.cleanup()
            if worker.peak_memory_mb is not None:
                report.peak_memory_mb = max(report.peak_memory_mb or 0.0, worker.peak_memory_mb)
    return verdicts


def grade_notebook(
    path: Path | str,
    chapter: str | None = None,
    timeout: float = 30.0,
    memory_mb: int | None = 4096,
    only: Sequence[str] | None = None,
    bank: Path | str | None = None,
    seed: int | None = None,
    notebook_timeout: float | None = None,
    slot: int = 0,
) -> NotebookReport:
    """Grade one notebook; never raises for a bad submission (the report says what went wrong).

    Args:
        path: the student's ``.ipynb``.
        chapter: which chapter's questions (default: from the notebook's metadata or file name).
        timeout: seconds allowed per question (and per graded cell).
        memory_mb: memory of the whole worker (cgroup) and address space per process.
        only: grade just these question ids (default: all of the chapter's questions).
        bank: a folder of private ``chNN.py`` question files (default: the public bank).
        seed: the seed the checks draw their inputs from (default: fresh and secret).
        notebook_timeout: wall-clock budget of the whole notebook (default: from ``timeout``).
        slot: which parallel slot (each slot's worker runs as its own user).
    """
    path = Path(path)
    report = NotebookReport(str(path), chapter, seed=new_seed() if seed is None else seed)
    submission = None
    try:
        data = read_bytes(path)  # read once: the hash is of exactly what is graded
        report.sha256 = hashlib.sha256(data).hexdigest()
        submission = read_submission(path, chapter, data)
        report.chapter = submission.chapter
        report.warnings = submission.warnings
        if report.chapter is None:
            report.error = "cannot tell which chapter this notebook belongs to (use --chapter)"
            return report
    except NotebookError as err:
        report.error = str(err)
        if report.chapter is None:
            return report
    try:
        chapter_questions = load_questions(report.chapter, bank)
    except ValueError as err:
        report.error = str(err)
        return report
    questions = chapter_questions
    if only is not None:
        questions = [q for q in questions if q.id in set(only)]
    if submission is None:
        report.results = [
            QuestionResult(q.id, Status.INVALID, report.error or "", 0, q.points, q.kind or "")
            for q in questions
        ]
        return report
    if not submission.sources:
        report.warnings.append("the notebook has no code cells")
    automatic = grading_order(graded_questions(questions))
    verdicts = {q.id: _manual_verdict(q, submission) for q in questions if q.manual}
    budget = notebook_timeout or STARTUP_SECONDS + timeout * (len(automatic) + len(submission.sources) + 1)
    try:
        verdicts |= (
            _grade_questions(
                submission.sources,
                automatic,
                timeout,
                Limits(memory_mb=memory_mb),
                slot,
                report.seed if report.seed is not None else new_seed(),
                time.monotonic() + budget,
                report,
                chapter_questions,
            )
            if automatic
            else {}
        )
    except GraderError as err:
        report.error = str(err)
    for q in questions:
        v = verdicts.get(q.id, Verdict(Status.CRASH, "not graded"))
        result = QuestionResult(
            q.id, v.status, v.message, q.points if v.passed else 0, q.points, q.kind or ""
        )
        if v.status is Status.MANUAL:
            result.answer = submission.answers[q.id]
        report.results.append(result)
    return report


def grading_order(questions: list[Question]) -> list[Question]:
    """The order questions are judged in: those that use no other question first (bank order),
    then the others, each after every question it uses.

    A question's process receives the references of what it uses, and files written in the
    worker's scratch folder outlive it; in this order every question is judged before any
    process that could have been given its reference (so none could have stashed it there)."""
    plain = [q for q in questions if not q.uses]
    order = list(plain)
    for q in questions:
        if q.uses:
            for d in [*dependencies(q, questions), q]:
                if d not in order:
                    order.append(d)
    return order


def _manual_verdict(q: Question, submission: Submission) -> Verdict:
    """A design question: the answer is there (``MANUAL``), untouched, or has no cell."""
    if q.id not in submission.answers:
        return Verdict(Status.MISSING, f"no cell is tagged 'manual' and {q.id!r}: your answer was not found")
    if is_placeholder(submission.answers[q.id]):
        return Verdict(Status.UNANSWERED, "not answered yet: the answer cell still holds the placeholder")
    return Verdict(Status.MANUAL, MANUAL_TEXT)


def find_submissions(paths: Sequence[Path | str]) -> list[Path]:
    """Files to grade: the given files, and every file inside the given folders (sorted)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and ".ipynb_checkpoints" not in f.parts and not f.name.startswith(".")
            )
        else:
            files.append(p)
    return files


def grade_folder(
    paths: Sequence[Path | str],
    chapter: str | None = None,
    timeout: float = 30.0,
    memory_mb: int | None = 4096,
    jobs: int = 2,
    bank: Path | str | None = None,
    seed: int | None = None,
    notebook_timeout: float | None = None,
) -> list[NotebookReport]:
    """Grade many notebooks (folders are searched for files), ``jobs`` at a time.

    All submissions share one secret ``seed`` (fresh when None), so a class sees the same inputs.
    """
    seed = new_seed() if seed is None else seed
    slots: queue.Queue[int] = queue.Queue()
    for k in range(max(1, jobs)):
        slots.put(k)

    def grade(f: Path) -> NotebookReport:
        slot = slots.get()
        try:
            return grade_notebook(
                f,
                chapter,
                timeout,
                memory_mb,
                bank=bank,
                seed=seed,
                notebook_timeout=notebook_timeout,
                slot=slot,
            )
        finally:
            slots.put(slot)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(grade, find_submissions(paths)))

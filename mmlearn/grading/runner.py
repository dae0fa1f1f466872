"""Grade notebooks safely: each in a subprocess with time and memory limits per question."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .notebook import NotebookError, chapter_of, graded_sources, read_notebook
from .spec import Question, load_questions

STATUS_TEXT = {
    "pass": "✓",
    "fail": "✗",
    "error": "✗",
    "timeout": "⏱",
    "crash": "✗",
    "missing": "?",
    "signature": "✗",
    "unanswered": "…",
    "invalid": "✗",
}


@dataclass
class QuestionResult:
    id: str
    status: str
    message: str
    points: int
    max_points: int

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass
class NotebookReport:
    path: str
    chapter: str | None
    results: list[QuestionResult] = field(default_factory=list)
    error: str | None = None  # a problem with the whole notebook (unreadable, ...)

    @property
    def score(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.max_points for r in self.results)

    def result(self, question: str) -> QuestionResult:
        return next(r for r in self.results if r.id == question)

    def text(self) -> str:
        """The per-question report a student reads."""
        lines = [f"{Path(self.path).name} ({self.chapter or 'unknown chapter'})"]
        if self.error:
            lines.append(f"  ! {self.error}")
        for r in self.results:
            mark = STATUS_TEXT.get(r.status, "?")
            lines.append(f"  {mark} {r.id} [{r.points}/{r.max_points}] {r.message}")
        lines.append(f"  score: {self.score}/{self.max_score}")
        return "\n".join(lines)


def _limit_memory(memory_mb: int | None):
    if not memory_mb or sys.platform == "win32":
        return None

    def apply() -> None:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def _read_events(path: Path) -> list[dict]:
    events = []
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return events


def _run_questions(
    chapter: str,
    sources: list[str],
    pending: list[str],
    timeout: float,
    memory_mb: int | None,
    workdir: Path,
) -> dict[str, tuple[str, str]]:
    """Grade ``pending`` questions, restarting the worker after a timeout or a crash."""
    outcome: dict[str, tuple[str, str]] = {}
    attempt = 0
    while pending:
        attempt += 1
        job = workdir / f"job{attempt}.json"
        progress = workdir / f"progress{attempt}.jsonl"
        job.write_text(
            json.dumps(
                {
                    "chapter": chapter,
                    "sources": sources,
                    "questions": pending,
                    "cell_timeout": timeout,
                }
            )
        )
        env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
        proc = subprocess.Popen(
            [sys.executable, "-m", "mmlearn.grading.worker", str(job), str(progress)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=workdir,
            env=env,
            preexec_fn=_limit_memory(memory_mb),
        )
        # setup: importing torch and running every graded cell once
        deadline = time.monotonic() + 60 + timeout * max(len(sources), 1)
        current, started = None, time.monotonic()
        killed = False
        while proc.poll() is None:
            time.sleep(0.05)
            events = _read_events(progress)
            starts = [e for e in events if e.get("event") == "start"]
            if starts and starts[-1]["q"] != current:
                current, started = starts[-1]["q"], time.monotonic()
                deadline = started + timeout
            if time.monotonic() > deadline:
                proc.kill()
                killed = True
                break
        proc.wait()
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        events = _read_events(progress)
        for e in events:
            if e.get("event") == "result":
                outcome[e["q"]] = (e["status"], e["message"])
        done = {e["q"] for e in events if e.get("event") == "result"}
        starts = [e["q"] for e in events if e.get("event") == "start"]
        blame = starts[-1] if starts and starts[-1] not in done else None
        if blame is None and not any(e.get("event") == "setup_done" for e in events):
            # the notebook's cells themselves could not even be run
            reason = (
                "running your notebook's graded cells took longer than the limit"
                if killed
                else f"the grader crashed while running your notebook: "
                f"{stderr.strip().splitlines()[-1] if stderr.strip() else 'no message'}"
            )
            for q in pending:
                if q not in outcome:
                    outcome[q] = ("crash" if not killed else "timeout", reason)
            break
        if blame is not None:
            if killed:
                outcome[blame] = ("timeout", f"took longer than {timeout:g} s (an endless loop?)")
            else:
                last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit code {proc.returncode}"
                if "MemoryError" in stderr:
                    last = "ran out of memory"
                outcome[blame] = ("crash", f"your code crashed the grader process ({last})")
        pending = [q for q in pending if q not in outcome]
    return outcome


def grade_notebook(
    path: Path | str,
    chapter: str | None = None,
    timeout: float = 30.0,
    memory_mb: int | None = 4096,
    only: Sequence[str] | None = None,
) -> NotebookReport:
    """Grade one notebook; never raises for a bad submission (the report says what went wrong).

    Args:
        path: the student's ``.ipynb``.
        chapter: which chapter's questions (default: from the notebook's metadata or file name).
        timeout: seconds allowed per question (and per graded cell).
        memory_mb: address-space limit of the grading process (None: no limit).
        only: grade just these question ids (default: all of the chapter's questions).
    """
    path = Path(path)
    report = NotebookReport(str(path), chapter)
    try:
        nb = read_notebook(path)
        report.chapter = chapter or chapter_of(nb, path)
    except NotebookError as err:
        report.error = str(err)
        if report.chapter is None:
            return report
        nb = None
    try:
        questions: list[Question] = load_questions(report.chapter)
        if only is not None:
            questions = [q for q in questions if q.id in set(only)]
    except ValueError as err:
        report.error = str(err)
        return report
    if nb is None:
        report.results = [QuestionResult(q.id, "invalid", report.error or "", 0, q.points) for q in questions]
        return report
    sources = graded_sources(nb)
    with tempfile.TemporaryDirectory(prefix="mmlearn-grade-") as tmp:
        outcome = _run_questions(
            report.chapter, sources, [q.id for q in questions], timeout, memory_mb, Path(tmp)
        )
    for q in questions:
        status, message = outcome.get(q.id, ("error", "not graded"))
        report.results.append(
            QuestionResult(q.id, status, message, q.points if status == "pass" else 0, q.points)
        )
    return report


def grade_folder(
    paths: Sequence[Path | str],
    chapter: str | None = None,
    timeout: float = 30.0,
    memory_mb: int | None = 4096,
    jobs: int = 2,
) -> list[NotebookReport]:
    """Grade many notebooks (folders are searched for ``*.ipynb``), ``jobs`` at a time."""
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
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda f: grade_notebook(f, chapter, timeout, memory_mb), files))

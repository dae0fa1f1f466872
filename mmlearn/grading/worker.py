"""Runs inside the grading subprocess: execute a notebook's graded cells, then check questions.

Usage (by the runner only): ``python -m mmlearn.grading.worker JOB.json PROGRESS.jsonl``.
Progress is appended as JSON lines so that the runner knows which question was running if the
process has to be killed.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import sys
import traceback


class CellTimeout(BaseException):
    """Raised by the alarm when one cell runs too long (not an Exception: students can't catch it)."""


def _on_alarm(signum, frame):
    raise CellTimeout


def _last_line(err: BaseException) -> str:
    return traceback.format_exception_only(type(err), err)[-1].strip()


def main(job_path: str, progress_path: str) -> None:
    with open(job_path) as handle:
        job = json.load(handle)
    progress = open(progress_path, "a", buffering=1)

    def emit(**event) -> None:
        progress.write(json.dumps(event) + "\n")
        progress.flush()

    from mmlearn.grading.spec import load_questions, signature_problem

    questions = {q.id: q for q in load_questions(job["chapter"])}
    namespace: dict = {"__name__": "__student__"}
    cell_errors: list[str] = []
    signal.signal(signal.SIGALRM, _on_alarm)
    sink = io.StringIO()
    for i, source in enumerate(job["sources"]):
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                signal.setitimer(signal.ITIMER_REAL, job["cell_timeout"])
                try:
                    exec(compile(source, f"<graded cell {i + 1}>", "exec"), namespace)
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
        except CellTimeout:
            cell_errors.append(f"graded cell {i + 1} ran longer than {job['cell_timeout']:g} s")
        except BaseException as err:
            cell_errors.append(f"graded cell {i + 1} raised {_last_line(err)}")
    emit(event="setup_done", cell_errors=cell_errors)

    for qid in job["questions"]:
        q = questions[qid]
        emit(event="start", q=qid)
        if q.function not in namespace:
            hint = f" (your notebook: {'; '.join(cell_errors)})" if cell_errors else ""
            emit(
                event="result",
                q=qid,
                status="missing",
                message=f"function `{q.function}` is not defined{hint}",
            )
            continue
        fn = namespace[q.function]
        problem = signature_problem(fn, q)
        if problem:
            emit(event="result", q=qid, status="signature", message=problem)
            continue
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                q.check(fn)
        except NotImplementedError:
            emit(
                event="result",
                q=qid,
                status="unanswered",
                message="not answered: the stub still raises NotImplementedError",
            )
        except AssertionError as err:
            emit(event="result", q=qid, status="fail", message=f"wrong answer: {err}")
        except BaseException as err:
            emit(event="result", q=qid, status="error", message=f"your code raised {_last_line(err)}")
        else:
            emit(event="result", q=qid, status="pass", message="correct")
    progress.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

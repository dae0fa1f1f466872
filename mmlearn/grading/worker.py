"""Runs inside the sandbox: execute a notebook's graded cells, then answer requests with data.

Usage (by :class:`mmlearn.grading.session.WorkerSubject` only): ``python -I -m
mmlearn.grading.worker``; requests arrive on stdin and answers leave on stdout, as
length-prefixed JSON frames. Before any student code runs, those two pipes are moved to private
descriptors and fds 0 and 1 point to ``/dev/null``, so ``print`` cannot corrupt the channel.
The worker does not know the questions, their checks or their references: it only runs cells,
describes names and calls functions with the arguments it is sent.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any, BinaryIO

from .channel import blocking_read_frame, pack
from .execute import build_references, call, describe, student_error

ENDED = 77  # exit status of a question's process that was told to end (any other is a loss)


class CellTimeout(BaseException):
    """Raised by the alarm when one cell runs too long (not an Exception: students can't catch it)."""


def _on_alarm(signum, frame):
    raise CellTimeout


def run_cell(namespace: dict[str, Any], source: str, index: int, timeout: float) -> str | None:
    """Execute one graded cell; what went wrong (it raised, it ran too long), else None."""
    signal.signal(signal.SIGALRM, _on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            exec(compile(source, f"<graded cell {index + 1}>", "exec"), namespace)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except CellTimeout:
        return f"ran longer than {timeout:g} s"
    except BaseException as err:
        return f"raised {student_error(err)['text']}"
    return None


def _private_channel() -> tuple[BinaryIO, BinaryIO]:
    requests = os.fdopen(os.dup(0), "rb", buffering=0)
    answers = os.fdopen(os.dup(1), "wb", buffering=0)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    sys.stdin = open(os.devnull)
    sys.stdout = open(os.devnull, "w")
    return requests, answers


def _send(answers: BinaryIO, answer: dict[str, Any], nonce: Any) -> None:
    data = memoryview(pack({**answer, "nonce": nonce}))
    while data:
        data = data[answers.write(data) or 0 :]


def provide(namespace: dict[str, Any], shipped: Any) -> dict[str, Any]:
    """Replace the student's functions by the reference versions the parent sent (for this
    question's process only: they die with it). The verdict never depends on them: the parent
    compares the student's results with values it computes itself."""
    if not isinstance(shipped, list) or not all(isinstance(i, dict) for i in shipped):
        return {"refused": "malformed reference functions"}
    try:
        namespace.update(build_references(shipped))
    except BaseException as err:  # a broken builtin of the student's, or a broken bank
        return {"refused": f"{type(err).__name__}"}
    return {"provided": True}


def serve_question(requests: BinaryIO, answers: BinaryIO, namespace: dict[str, Any]) -> None:
    """In a forked child: answer ``describe`` and ``call`` until ``end``; then exit.

    Whatever the student's function changes (patched modules, builtins, globals) dies with this
    process, so the next question starts from the state the graded cells left."""
    while True:
        message = blocking_read_frame(requests)
        if message is None:
            os._exit(ENDED)
        op, name = message.get("op"), str(message.get("name"))
        if op == "end":
            _send(answers, {"ended": True}, message.get("nonce"))
            os._exit(ENDED)
        if op == "describe":
            answer = describe(namespace, name)
        elif op == "call" and name in namespace:
            answer = call(namespace[name], message)
        elif op == "provide":
            answer = provide(namespace, message.get("functions"))
        else:
            answer = {"refused": f"unexpected request {op!r}"}
        _send(answers, answer, message.get("nonce"))


def _wait_question(pid: int, timeout: float) -> str | None:
    """Wait for a question's process; kill its group after ``timeout``. Why it was lost, or None."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            os.waitpid(pid, 0)
            return "timeout"
        time.sleep(0.005)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == ENDED:
        return None
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """The worker's main loop: run cells; fork one process per question."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    while True:
        message = blocking_read_frame(requests)
        if message is None:
            return
        op, nonce = message.get("op"), message.get("nonce")
        if op == "hello":
            _send(answers, {"ready": True}, nonce)
        elif op == "cell":
            index = int(message.get("index", 0))
            error = run_cell(namespace, str(message.get("source")), index, float(message["timeout"]))
            _send(answers, {"error": error}, nonce)
        elif op == "question":
            pid = os.fork()
            if pid == 0:
                try:
                    os.setpgid(0, 0)
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    _send(answers, {"ready": True}, nonce)
                    serve_question(requests, answers, namespace)
                finally:
                    os._exit(1)
            lost = _wait_question(pid, float(message.get("timeout", 30)))
            if lost:
                _send(answers, {"lost": lost}, "-")
        else:
            _send(answers, {"refused": f"unexpected request {op!r}"}, nonce)


def main() -> None:
    requests, answers = _private_channel()
    serve(requests, answers)


if __name__ == "__main__":
    main()

"""The parent's side of one sandboxed worker: start it, ask it, kill it whole.

The parent never runs student code. It sends the graded cells' sources once, then one request
at a time (with a fresh random nonce), and reads exactly one answer per request from a pipe it
owns, with a deadline and a size cap. The worker's stdout and stdin are that pipe; its stderr
goes to a capped file in the parent's private folder; it has no other way to reach the parent.
"""

from __future__ import annotations

import os
import secrets
import select
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from .cgroup import Cgroup
from .channel import ChannelClosed, ChannelError, ChannelTimeout, pack, read_frame, write_all
from .sandbox import Layers, Limits, detect_layers, set_rlimits, worker_command, worker_env
from .scrub import scrub
from .subject import Subject, WorkerLost, WorkerTimeout

STARTUP_SECONDS = 60.0  # starting Python and importing torch, on a busy machine
STDERR_TAIL = 2000
GRACE_SECONDS = 5.0  # the worker kills a question's process itself; the parent kills after this too


class WorkerSubject(Subject):
    """A sandboxed worker holding one submission's graded cells.

    ``deadline`` (``time.monotonic``) bounds every request; the caller moves it per question.
    """

    def __init__(self, limits: Limits, slot: int = 0, layers: Layers | None = None) -> None:
        self.layers = layers or detect_layers()
        self.limits = limits
        self.cell_errors: list[str] = []
        self.deadline = time.monotonic() + STARTUP_SECONDS
        self.peak_memory_mb: float | None = None
        self._private = tempfile.TemporaryDirectory(prefix="mmlearn-worker-")
        private = Path(self._private.name)
        self._scratch = private / "scratch"
        self._scratch.mkdir()
        if os.geteuid() == 0 and not self.layers.bwrap:
            os.chmod(self._scratch, 0o1777)
        self._stderr = open(private / "stderr", "w+b")
        self.cgroup = Cgroup.create(self.layers.cgroup, limits) if self.layers.cgroup else None
        cmd = worker_command(self.layers, limits, slot, self.cgroup)
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=self._scratch,
            env=worker_env(self.layers, self._scratch),
            start_new_session=True,
            preexec_fn=None if self.layers.prlimit else (lambda: set_rlimits(limits)),
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._out = self.proc.stdin.fileno()
        self._in = self.proc.stdout.fileno()
        os.set_blocking(self._out, False)
        os.set_blocking(self._in, False)
        self.alive = True
        self.in_question = False
        self.timeout_text = "took longer than the time limit (an endless loop?)"

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        if not self.alive:
            raise WorkerLost("the grading process had already stopped")
        nonce = secrets.token_hex(16)
        try:
            write_all(self._out, pack({**message, "nonce": nonce}), self.deadline)
            answer = read_frame(self._in, self.deadline)
        except ChannelTimeout as err:
            self.close()
            raise WorkerTimeout(self.timeout_text) from err
        except ChannelClosed as err:
            self.close()
            raise WorkerLost(self.crash_text()) from err
        except ChannelError as err:
            self.close()
            raise WorkerLost(f"your code broke the grader's channel ({err})") from err
        if answer.get("nonce") == nonce:
            return answer
        if answer.get("nonce") == "-" and "lost" in answer and self.in_question:
            # the worker killed (timeout) or saw the death of this question's process
            self.in_question = False
            if answer["lost"] == "timeout":
                raise WorkerTimeout(self.timeout_text)
            raise WorkerLost(self.question_crash_text(str(answer["lost"])))
        self.close()
        raise WorkerLost("your code wrote to the grader's channel (an answer out of turn)")

    def begin_question(self, timeout: float) -> None:
        """Ask the worker to fork a fresh process for the next question, killed after ``timeout``."""
        self.deadline = time.monotonic() + timeout + GRACE_SECONDS
        self.in_question = True
        if not self.request({"op": "question", "timeout": timeout}).get("ready"):
            self.close()
            raise WorkerLost("your code wrote to the grader's channel (an answer out of turn)")

    def end_question(self) -> None:
        """Let the question's process exit (its changes to modules and globals go with it)."""
        if self.alive and self.in_question:
            self.in_question = False
            if not self.request({"op": "end"}).get("ended"):
                self.close()

    def question_crash_text(self, how: str) -> str:
        if self.cgroup is not None and self.cgroup.oom_killed():
            return "your code crashed the grader process (ran out of memory)"
        tail = self._stderr_tail()
        if "MemoryError" in tail:
            return "your code crashed the grader process (ran out of memory)"
        return f"your code crashed the grader process ({scrub(how, 100)})"

    def has_unread(self) -> bool:
        """Bytes waiting in the answer pipe between requests: the student wrote to the channel.

        Such a worker is restarted before the next question, so a frame planted in advance can
        never be read as the answer to a later request."""
        if not self.alive:
            return False
        ready, _, _ = select.select([self._in], [], [], 0)
        return bool(ready)

    def crash_text(self) -> str:
        """Why the worker died, in words (memory, a signal, its last line of stderr)."""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        oom = self.cgroup is not None and self.cgroup.oom_killed()
        tail = self._stderr_tail()
        if oom or "MemoryError" in tail:
            return "your code crashed the grader process (ran out of memory)"
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            return f"your code crashed the grader process (killed by {name})"
        last = tail.strip().splitlines()[-1] if tail.strip() else f"exit code {code}"
        return f"your code crashed the grader process ({scrub(last, 200)})"

    def _stderr_tail(self) -> str:
        try:
            self._stderr.seek(max(0, os.fstat(self._stderr.fileno()).st_size - STDERR_TAIL))
            return self._stderr.read(STDERR_TAIL).decode(errors="replace")
        except (OSError, ValueError):
            return ""

    def close(self) -> None:
        """Kill the whole group (process group, then every process of the cgroup); never waits on
        pipes that a child of the worker may hold."""
        if not self.alive:
            return
        self.alive = False
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.cgroup is not None:
            self.cgroup.kill_all()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        if self.cgroup is not None:
            self.peak_memory_mb = self.cgroup.peak_memory_mb()

    def cleanup(self) -> None:
        """Close the worker and remove its cgroup and private folder."""
        self.close()
        if self.cgroup is not None:
            self.cgroup.remove()
        self._stderr.close()
        self._private.cleanup()

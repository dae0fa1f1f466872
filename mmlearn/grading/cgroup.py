"""A cgroup (v1 or v2) for one submission's worker: memory and process limits for the whole
group of processes, its peak memory, whether it ran out, and a kill that misses no process."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .sandbox import Limits

CGROUP_ROOT = Path("/sys/fs/cgroup")


def own_cgroup_v1(controller: str) -> Path | None:
    """This process's cgroup folder of a v1 ``controller`` (new groups are made inside it)."""
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, names, path = line.split(":", 2)
            if controller in names.split(","):
                return CGROUP_ROOT / controller / path.lstrip("/")
    except OSError:
        return None
    return None


class Cgroup:
    """A memory + pids cgroup for one worker: limits for the whole group, and a sure kill."""

    def __init__(self, kind: str, dirs: list[Path]) -> None:
        self.kind = kind
        self.dirs = dirs

    @classmethod
    def create(cls, kind: str, limits: Limits) -> Cgroup | None:
        name = f"mmlearn-grade-{uuid.uuid4().hex[:12]}"
        try:
            if kind == "v1":
                mem, pids = own_cgroup_v1("memory"), own_cgroup_v1("pids")
                assert mem is not None and pids is not None
                group = cls(kind, [mem / name, pids / name])
                for d in group.dirs:
                    d.mkdir()
                if limits.memory_mb:
                    (group.dirs[0] / "memory.limit_in_bytes").write_text(str(limits.memory_mb << 20))
                (group.dirs[1] / "pids.max").write_text(str(limits.processes))
            else:
                group = cls(kind, [CGROUP_ROOT / name])
                group.dirs[0].mkdir()
                if limits.memory_mb:
                    (group.dirs[0] / "memory.max").write_text(str(limits.memory_mb << 20))
                    (group.dirs[0] / "memory.swap.max").write_text("0")
                (group.dirs[0] / "pids.max").write_text(str(limits.processes))
        except (OSError, AssertionError):
            if "group" in locals():
                group.remove()
            return None
        return group

    def procs_files(self) -> list[Path]:
        return [d / "cgroup.procs" for d in self.dirs]

    def pids(self) -> set[int]:
        found: set[int] = set()
        for f in self.procs_files():
            try:
                found |= {int(p) for p in f.read_text().split()}
            except OSError:
                pass
        return found

    def peak_memory_mb(self) -> float | None:
        name = "memory.max_usage_in_bytes" if self.kind == "v1" else "memory.peak"
        try:
            return int((self.dirs[0] / name).read_text()) / 2**20
        except (OSError, ValueError):
            return None

    def oom_killed(self) -> bool:
        try:
            if self.kind == "v1":
                return int((self.dirs[0] / "memory.failcnt").read_text()) > 0
            events = (self.dirs[0] / "memory.events").read_text()
            return any(
                line.split()[0] == "oom_kill" and line.split()[1] != "0" for line in events.splitlines()
            )
        except (OSError, ValueError, IndexError):
            return False

    def kill_all(self) -> None:
        if self.kind == "v2" and (self.dirs[0] / "cgroup.kill").exists():
            try:
                (self.dirs[0] / "cgroup.kill").write_text("1")
            except OSError:
                pass
        for _ in range(50):  # a fork racing the kill: repeat until the group is empty
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def remove(self) -> None:
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)

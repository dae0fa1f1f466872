"""The sandbox a submission's worker runs in, built from what this Linux machine offers.

Layers, from outside in (each one is detected once; a missing one is reported loudly):

* **cgroup** (v1 or v2, needs root): memory and number of processes for the *whole* group of
  processes of one submission, so forked children cannot multiply the limits; every process of
  the group is killed through it at the end.
* **rlimits** (always, via ``prlimit``): address space per process, processes per user, file
  size, CPU seconds, open files, no core dumps.
* **bubblewrap** (``bwrap``): new PID, network, IPC and UTS namespaces (no network at all, no
  view of other processes), a file system made of read-only binds of the Python installation
  and the ``mmlearn`` package (with the question bank hidden), an empty ``/tmp`` and a small
  private scratch folder; nothing else of the host exists (no solutions, no submissions, no
  instructor files, no grader output). Without bubblewrap, ``unshare`` still gives new PID and
  network namespaces, but the file system is the host's.
* **separate user** (needs root): the worker drops to an unprivileged uid (one per grader
  process and parallel slot, so that the per-user process limit of one submission does not
  starve another) with no capabilities and ``no_new_privs``.
* an **empty environment** and a new session (own process group, no controlling terminal).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import mmlearn

from .cgroup import CGROUP_ROOT, Cgroup, own_cgroup_v1

UID_BASE = 200_000  # workers run as uids above this one: no login, no files, no other users


def worker_uid(slot: int) -> int:
    """An unprivileged uid of its own for each grader process and parallel slot (at most 8), so
    that the per-user process limit of one submission never counts another's processes."""
    return UID_BASE + (os.getpid() % 100_000) * 8 + slot % 8


class SandboxWarning(UserWarning):
    """A layer of the sandbox is missing on this machine: grading is less isolated."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission's worker (the whole process group where possible)."""

    memory_mb: int | None = 4096
    processes: int = 64
    file_mb: int = 16
    cpu_seconds: int = 600
    open_files: int = 256
    scratch_mb: int = 64


@dataclass
class Layers:
    """Which layers this machine offers, and a sentence for each that it does not."""

    bwrap: bool = False
    unshare: bool = False
    separate_user: bool = False
    cgroup: str | None = None  # "v1", "v2" or None
    prlimit: bool = False
    missing: list[str] = field(default_factory=list)

    def describe(self) -> str:
        on = [
            name
            for name, ok in [
                ("cgroup " + (self.cgroup or ""), self.cgroup),
                ("rlimits", True),
                ("bubblewrap namespaces + read-only file system", self.bwrap),
                ("unshare namespaces (pid, net)", self.unshare and not self.bwrap),
                ("separate user", self.separate_user),
                ("empty environment", True),
            ]
            if ok
        ]
        return "sandbox layers: " + ", ".join(on)


def _works(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _cgroup_kind() -> str | None:
    if os.geteuid() != 0:
        return None
    for controller in ("memory", "pids"):
        base = own_cgroup_v1(controller)
        if base is None or not os.access(base, os.W_OK):
            break
    else:
        return "v1"
    unified = CGROUP_ROOT / "cgroup.controllers"
    if unified.exists() and {"memory", "pids"} <= set(unified.read_text().split()):
        probe = Cgroup.create("v2", Limits(memory_mb=256))
        if probe is not None:
            probe.remove()
            return "v2"
    return None


@functools.cache
def detect_layers() -> Layers:
    """Probe the machine once per process; warn (loudly, once) about every missing layer."""
    layers = Layers()
    layers.prlimit = shutil.which("prlimit") is not None
    bwrap = shutil.which("bwrap")
    probe = ["--unshare-net", "--unshare-pid", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
    layers.bwrap = bwrap is not None and _works([bwrap, *probe, "true"])
    unshare = shutil.which("unshare")
    layers.unshare = unshare is not None and _works([unshare, "--net", "--pid", "--fork", "true"])
    layers.separate_user = os.geteuid() == 0 and shutil.which("setpriv") is not None and layers.bwrap
    layers.cgroup = _cgroup_kind()
    if not layers.bwrap:
        layers.missing.append(
            "bubblewrap is not available (install it with scripts/install_sandbox.sh): the student's "
            "code can READ the host's files (solutions, other submissions) and write where it may"
        )
    if not layers.bwrap and not layers.unshare:
        layers.missing.append("no namespaces: the student's code has network access and sees every process")
    if not layers.separate_user:
        layers.missing.append("no separate user (needs root and bubblewrap): the worker runs as you")
    if layers.cgroup is None:
        layers.missing.append(
            "no writable cgroup (needs root): memory and process limits are per process only"
        )
    if not layers.prlimit:
        layers.missing.append("prlimit not found: resource limits are set from Python")
    for sentence in layers.missing:
        warnings.warn(f"SANDBOX LAYER MISSING: {sentence}", SandboxWarning, stacklevel=2)
    return layers


def _python_home_dirs() -> list[Path]:
    """The folders the worker's interpreter needs: its installation, the venv, mmlearn."""
    dirs = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.exec_prefix).resolve()}
    dirs.add(Path(mmlearn.__file__).resolve().parent)
    return sorted(dirs)


def bank_dir() -> Path:
    """The installed question bank, hidden from the worker."""
    return Path(mmlearn.__file__).resolve().parent / "grading" / "bank"


def _bwrap_args(limits: Limits) -> list[str]:
    args = [
        "bwrap",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
    ]
    for top in ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin", "/etc"):
        p = Path(top)
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), top]
        elif p.is_dir():
            args += ["--ro-bind", top, top]
    size = str(limits.scratch_mb << 20)
    # an empty /tmp first: Python, the venv or the checkout may live under /tmp (a CI clone), and
    # the binds below must land on top of the empty /tmp, not be hidden by it
    args += ["--size", size, "--perms", "1777", "--tmpfs", "/tmp"]
    made: set[Path] = set()
    for d in _python_home_dirs():
        if str(d).startswith(("/usr/", "/etc/")):
            continue
        for parent in reversed(d.parents[:-1]):  # bwrap would make them 0700: unreadable
            if parent not in made:
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        args += ["--ro-bind", str(d), str(d)]
    args += ["--tmpfs", str(bank_dir())]  # the reference checks stay in the parent
    args += ["--dev", "/dev", "--proc", "/proc"]
    args += ["--size", size, "--perms", "1777", "--tmpfs", "/scratch", "--chdir", "/scratch"]
    return args


def _rlimit_args(limits: Limits) -> list[str]:
    out = ["prlimit", f"--nproc={limits.processes}", f"--fsize={limits.file_mb << 20}"]
    out += [f"--cpu={limits.cpu_seconds}", f"--nofile={limits.open_files}", "--core=0"]
    if limits.memory_mb:
        out.append(f"--as={limits.memory_mb << 20}")
    return [*out, "--"]


def set_rlimits(limits: Limits) -> None:
    """The same limits from Python (used in ``preexec_fn`` when ``prlimit`` is missing)."""
    import resource

    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb << 20, limits.file_mb << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.memory_mb:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb << 20, limits.memory_mb << 20))


WORKER_ENV = {
    "PATH": "/usr/bin:/bin",
    "HOME": "/scratch",
    "TMPDIR": "/tmp",
    "MPLBACKEND": "Agg",
    "MPLCONFIGDIR": "/tmp",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "LANG": "C.UTF-8",
}


def worker_command(layers: Layers, limits: Limits, slot: int, cgroup: Cgroup | None) -> list[str]:
    """The command line that starts one sandboxed worker (``python -m mmlearn.grading.worker``)."""
    python = [sys.executable, "-I", "-m", "mmlearn.grading.worker"]
    cmd: list[str] = []
    if cgroup is not None:
        joins = "; ".join(f'echo $$ > "{f}"' for f in cgroup.procs_files())
        cmd += ["/bin/sh", "-c", f'{joins} && exec "$@"', "sh"]
    if layers.prlimit:
        cmd += _rlimit_args(limits)
    if layers.bwrap:
        cmd += _bwrap_args(limits)
        if layers.separate_user:
            uid = str(worker_uid(slot))
            cmd += ["--", "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
            cmd += ["--no-new-privs", "--inh-caps=-all", "--bounding-set=-all"]
        else:
            cmd += ["--"]
    elif layers.unshare:
        cmd += ["unshare", "--net", "--pid", "--fork", "--kill-child"]
    return [*cmd, *python]


def worker_env(layers: Layers, scratch: Path) -> dict[str, str]:
    """The worker's whole environment: nothing of the grader's (no tokens, no paths)."""
    env = dict(WORKER_ENV)
    if not layers.bwrap:  # no private /scratch: use a folder of our own
        env.update(HOME=str(scratch), TMPDIR=str(scratch), MPLCONFIGDIR=str(scratch))
    return env

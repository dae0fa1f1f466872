"""Red team: every attack of issue 13 in one class run, next to honest classmates.

Each attack (``tests/exercises/attacks/<name>.py``) is the ``q1`` cell of a chapter 2
submission. An attack that worked would earn q1's points or change a classmate's grade; each
must score exactly what the untouched q1 stub scores, and the honest classmates, graded in the
same run (two at a time), keep full marks. The whole class is graded once (module fixture).
"""

from __future__ import annotations

import csv
import hashlib
import os
import resource
import signal
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

import mmlearn
from mmlearn.grading.cli import grade_class
from mmlearn.grading.gradebook import Graded, verify_manifest
from mmlearn.grading.notebook import question_cell_index
from mmlearn.grading.sandbox import detect_layers

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "exercises" / "solutions" / "ch02_simple_fusion.ipynb"
ATTACKS = {p.stem: p for p in sorted((Path(__file__).parent / "exercises" / "attacks").glob("*.py"))}
STUB = 'def concat_fusion(xs, weight, bias):\n    raise NotImplementedError("write your answer here")\n'
HONEST = ["alice", "bob"]
SECRET_VAR, SECRET = "MMLEARN_REDTEAM_TOKEN", f"tok-{uuid.uuid4().hex}"
MEMORY_MB = 1536
LAYERS = detect_layers()
PACKAGE = Path(mmlearn.__file__).resolve().parent
needs_bwrap = pytest.mark.skipif(
    not LAYERS.bwrap,
    reason="bubblewrap missing (scripts/install_sandbox.sh): the file system is not isolated",
)
needs_cgroup = pytest.mark.skipif(LAYERS.cgroup is None, reason="no writable cgroup (needs root)")
# without bubblewrap these would really damage the class folder, the package or the outputs:
# they are left out of the run (and their tests skipped) rather than let loose
NEED_FILE_SYSTEM_ISOLATION = {
    "read_solutions", "bank_helpers", "append_bank", "detached", "edit_classmates", "write_anywhere",
}  # fmt: skip
RUN = sorted(a for a in ATTACKS if LAYERS.bwrap or a not in NEED_FILE_SYSTEM_ISOLATION)


@dataclass
class ClassRun:
    folder: Path
    out: Path
    marker: str
    graded: dict[str, Graded]
    rows: dict[str, dict[str, str]]
    before: dict[str, str]
    seconds: float
    rss_growth_mb: float
    connections: int
    changed_package_files: list[Path]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _notebook(path: Path, q1_source: str | None) -> None:
    nb = nbformat.read(REFERENCE, as_version=4)
    if q1_source is not None:
        nb.cells[question_cell_index(nb, "q1")].source = q1_source
    nbformat.write(nb, path)


def _pids_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _marker_files(marker: str, folder: Path) -> list[Path]:
    places = [folder, PACKAGE, Path("/tmp"), Path.home(), Path.cwd()]
    return [p / f"{marker}.txt" for p in places if (p / f"{marker}.txt").exists()]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("redteam")
    folder, out = root / "class", root / "out"
    folder.mkdir()
    marker = f"mmlearn-redteam-{uuid.uuid4().hex[:10]}"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    fill = {"__CLASS__": str(folder), "__OUT__": str(out), "__MARKER__": marker}
    fill["__PORT__"] = str(listener.getsockname()[1])
    for name in HONEST:
        _notebook(folder / f"{name}.ipynb", None)
    _notebook(folder / "stub.ipynb", STUB)
    for name in RUN:
        source = ATTACKS[name].read_text()
        for key, value in fill.items():
            source = source.replace(key, value)
        _notebook(folder / f"{name}.ipynb", source)
    before = {p.name: _sha(p) for p in folder.iterdir()}
    guarded = list(PACKAGE.glob("grading/**/*.py"))
    saved = {p: p.read_bytes() for p in guarded}
    os.environ[SECRET_VAR] = SECRET
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.monotonic()
    try:
        graded = grade_class([str(folder)], out, timeout=4, memory_mb=MEMORY_MB, jobs=2, chapter="ch02")
        seconds = time.monotonic() - start
        time.sleep(2.5)  # the detached attacker wakes up after 1.5 s
        connections = 0
        while True:
            try:
                conn, _ = listener.accept()
                conn.close()
                connections += 1
            except BlockingIOError:
                break
        rows = {r["student"]: r for r in csv.DictReader((out / "scores.csv").open())}
        yield ClassRun(
            folder,
            out,
            marker,
            {g.who.student_id: g for g in graded},
            rows,
            before,
            seconds,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss,
            connections,
            [p for p, data in saved.items() if p.read_bytes() != data],
        )
    finally:
        del os.environ[SECRET_VAR]
        listener.close()
        for pid in _pids_with(marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for path, data in saved.items():
            if path.read_bytes() != data:
                path.write_bytes(data)
        for path in _marker_files(marker, folder):
            path.unlink()


def test_every_attack_of_the_issue_is_in_the_run():
    expected = {
        "forge_progress", "forge_frames", "patch_checks", "tensor_subclass", "always_equal",
        "read_solutions", "bank_helpers", "append_bank", "detached", "edit_classmates", "leak",
        "stderr_holder", "alarm_ignorer", "alarm_ignorer_cell", "fork_memory", "fork_bomb",
        "flood", "write_anywhere", "network",
    }  # fmt: skip
    assert expected <= set(ATTACKS)


def test_honest_classmates_keep_full_marks(run):
    for name in HONEST:
        report = run.graded[name].report
        assert report.score == report.max_score == 6, report.text()
        assert run.rows[name]["total"] == "6"


def test_the_stub_loses_exactly_q1(run):
    report = run.graded["stub"].report
    assert report.result("q1").points == 0 and report.score == 4, report.text()


@pytest.mark.parametrize(
    "attack",
    [pytest.param(a, marks=needs_bwrap) if a in NEED_FILE_SYSTEM_ISOLATION else a for a in sorted(ATTACKS)],
)
def test_attack_scores_what_the_stub_scores(run, attack):
    report = run.graded[attack].report
    assert report.result("q1").points == 0, report.text()
    assert report.score == run.graded["stub"].report.score, report.text()
    assert run.rows[attack]["total"] == run.rows["stub"]["total"]


def test_lying_values_are_wrong_answers(run):
    for attack in ("tensor_subclass", "always_equal"):
        assert run.graded[attack].report.result("q1").status == "fail", attack
    # patching builtins breaks the question's own process: a crash, of that question only
    assert run.graded["patch_checks"].report.result("q1").status in {"fail", "crash"}


def test_forged_channel_costs_only_its_own_question(run):
    for attack in ("forge_progress", "forge_frames"):
        report = run.graded[attack].report
        # a frame with the current nonce is just an answer of the student's choosing (wrong);
        # planted or malformed frames end the worker: either way q1 only
        assert report.result("q1").status in {"crash", "unanswered", "fail"}, report.text()
        assert all(report.result(q).passed for q in ("q2", "q3", "q4")), report.text()


def test_feedback_leaks_no_environment_paths_or_code(run):
    report = run.graded["leak"].report
    message = report.result("q1").message
    assert report.result("q1").status == "error" and message.startswith("your code raised RuntimeError")
    assert len(message) <= 400
    everything = "".join(p.read_text() for p in run.out.rglob("*") if p.is_file())
    assert SECRET not in everything
    assert str(ROOT) not in message and "BEGIN SOLUTION" not in everything
    assert "torch.cat(list(xs), dim=1)" not in everything


@needs_bwrap
def test_classmates_files_and_outputs_are_untouched(run):
    assert {p.name: _sha(p) for p in run.folder.iterdir() if p.suffix == ".ipynb"} == run.before
    assert verify_manifest(run.out) == []
    assert not _marker_files(run.marker, run.folder)


@needs_bwrap
def test_the_installed_bank_and_helpers_are_unchanged(run):
    # a later grading run would import these files: they must be exactly as installed
    assert run.changed_package_files == []


@needs_bwrap
def test_no_process_of_a_submission_outlives_the_run(run):
    assert _pids_with(run.marker) == []


def test_endless_loops_cost_their_question_and_bounded_time(run):
    assert run.graded["alarm_ignorer"].report.result("q1").status == "timeout"
    assert "longer than" in run.graded["alarm_ignorer_cell"].report.result("q1").message
    assert run.seconds < 240


def test_floods_do_not_grow_the_grader(run):
    assert run.rss_growth_mb < 300


@needs_bwrap
def test_no_network(run):
    assert run.connections == 0


@needs_cgroup
def test_memory_limit_holds_for_the_whole_group(run):
    peak = run.graded["fork_memory"].report.peak_memory_mb
    assert peak is not None and peak <= MEMORY_MB + 1

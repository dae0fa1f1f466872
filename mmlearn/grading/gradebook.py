"""Class results as files: a score table, Canvas and Moodle import files, per-student feedback
(text and HTML), and a manifest of SHA-256 hashes that shows any later change.

Every CSV cell that a spreadsheet could read as a formula (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return first) is prefixed with ``'``. Students flagged as duplicates or not on the
roster are never written to an LMS import file: the instructor decides.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .roster import Identified
from .runner import NotebookReport

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Graded:
    """One submission: who handed it in, and its report."""

    who: Identified
    report: NotebookReport

    @property
    def problem(self) -> str:
        parts = [p for p in (self.who.problem, self.report.error) if p]
        return "; ".join(parts)

    @property
    def importable(self) -> bool:
        return self.who.problem is None


def safe_cell(value: object) -> object:
    """A CSV cell that no spreadsheet evaluates: text starting like a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([safe_cell(h) for h in header])
        writer.writerows([[safe_cell(c) for c in row] for row in rows])
    return path


def question_ids(graded: Sequence[Graded]) -> list[str]:
    ids: list[str] = []
    for g in graded:
        ids += [r.id for r in g.report.results if r.id not in ids]
    return ids


def _points(g: Graded, questions: list[str]) -> list[object]:
    by_id = {r.id: r.points for r in g.report.results}
    return [by_id.get(q, "") for q in questions]


def _max_points(graded: Sequence[Graded], questions: list[str]) -> list[int]:
    best = {q: 0 for q in questions}
    for g in graded:
        for r in g.report.results:
            best[r.id] = max(best[r.id], r.max_points)
    return [best[q] for q in questions]


def write_scores(graded: Sequence[Graded], path: Path | str) -> Path:
    """Every submission, flagged ones included: id, name, file, chapter, points, problem, hash."""
    questions = question_ids(graded)
    header = ["student", "name", "file", "chapter", *questions, "total", "max", "problem", "sha256"]
    rows = [
        [
            g.who.student_id,
            g.who.name,
            g.who.path.name,
            g.report.chapter or "",
            *_points(g, questions),
            g.report.score,
            g.report.max_score,
            g.problem,
            g.report.sha256,
        ]
        for g in graded
    ]
    return _write(Path(path), header, rows)


def write_canvas(graded: Sequence[Graded], path: Path | str, assignment: str) -> Path:
    """Canvas gradebook import: ``Student, ID, SIS User ID, SIS Login ID, Section``, then the
    total and one column per question, with a ``Points Possible`` row first."""
    questions = question_ids(graded)
    maxima = _max_points(graded, questions)
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{assignment} total"]
    header += [f"{assignment} {q}" for q in questions]
    rows: list[list[object]] = [["Points Possible", "", "", "", "", sum(maxima), *maxima]]
    for g in graded:
        if g.importable:
            w = g.who
            rows.append([w.name, w.student_id, "", w.login, "", g.report.score, *_points(g, questions)])
    return _write(Path(path), header, rows)


def write_moodle(graded: Sequence[Graded], path: Path | str, assignment: str) -> Path:
    """Moodle "Import grades from CSV": an identifier column to map to the user's ID number (or
    participant id), the total and one column per question, maxima in the column names."""
    questions = question_ids(graded)
    maxima = _max_points(graded, questions)
    header = ["Identifier", "Full name", f"{assignment} total (of {sum(maxima)})"]
    header += [f"{assignment} {q} (of {m})" for q, m in zip(questions, maxima, strict=True)]
    rows = [
        [g.who.student_id, g.who.name, g.report.score, *_points(g, questions)] for g in graded if g.importable
    ]
    return _write(Path(path), header, rows)


def feedback_name(g: Graded, taken: set[str]) -> str:
    """A file name for a student's feedback: their id (made safe), unique in the folder."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", g.who.student_id)[:80].lstrip(".") or "student"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def feedback_html(g: Graded) -> str:
    """The student's report as a small self-contained HTML page (all text escaped)."""
    r = g.report
    esc = html.escape
    rows = "\n".join(
        f"<tr><td>{esc(q.status.mark)}</td><td>{esc(q.id)}</td><td>{q.points}/{q.max_points}</td>"
        f"<td>{esc(q.message)}</td></tr>"
        for q in r.results
    )
    notes = "".join(f"<li>{esc(w)}</li>" for w in r.warnings + ([r.error] if r.error else []))
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{esc(r.chapter or '')} feedback</title></head><body>\n"
        f"<h1>{esc(g.who.path.name)} ({esc(r.chapter or 'unknown chapter')})</h1>\n"
        + (f"<ul>{notes}</ul>\n" if notes else "")
        + f"<table>\n<tr><th></th><th>question</th><th>points</th><th>feedback</th></tr>\n{rows}\n</table>\n"
        f"<p>score: {r.score}/{r.max_score}</p>\n</body></html>\n"
    )


def write_feedback(graded: Sequence[Graded], folder: Path | str) -> list[Path]:
    """``<id>.txt`` and ``<id>.html`` for every submission."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    written = []
    for g in graded:
        name = feedback_name(g, taken)
        written.append(folder / f"{name}.txt")
        written[-1].write_text(g.report.text() + "\n", encoding="utf-8")
        written.append(folder / f"{name}.html")
        written[-1].write_text(feedback_html(g), encoding="utf-8")
    return written


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(
    graded: Sequence[Graded], outputs: Sequence[Path], out_dir: Path | str, extra: dict | None = None
) -> tuple[Path, str]:
    """``manifest.json``: the hash of every submission (as graded) and of every output file.

    Returns the manifest's path and its own SHA-256: keep that digest (it is printed) so that a
    manifest rewritten later is detected too.
    """
    out_dir = Path(out_dir)
    manifest = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **(extra or {}),
        "submissions": [
            {
                "file": str(g.who.path),
                "student": g.who.student_id,
                "sha256": g.report.sha256,
                "score": g.report.score,
                "max": g.report.max_score,
                "seed": g.report.seed,
            }
            for g in graded
        ],
        "outputs": {str(p.relative_to(out_dir)): sha256_file(p) for p in outputs},
    }
    path = out_dir / "manifest.json"
    path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return path, sha256_file(path)


def verify_manifest(out_dir: Path | str, digest: str | None = None) -> list[str]:
    """What changed since the run: outputs or submissions whose hash differs (empty: nothing)."""
    out_dir = Path(out_dir)
    path = out_dir / "manifest.json"
    problems = []
    if digest is not None and sha256_file(path) != digest:
        problems.append("manifest.json itself was changed (its SHA-256 differs from the one printed)")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for rel, expected in manifest["outputs"].items():
        p = out_dir / rel
        if not p.exists() or sha256_file(p) != expected:
            problems.append(f"{rel} was changed or removed after grading")
    for s in manifest["submissions"]:
        p = Path(s["file"])
        if s["sha256"] and (not p.exists() or sha256_file(p) != s["sha256"]):
            problems.append(f"submission {p.name} differs from the file that was graded")
    return problems

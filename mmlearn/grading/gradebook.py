"""Class results as files: a score table, Canvas and Moodle import files, per-student feedback
(text and HTML), and a manifest of SHA-256 hashes that shows any later change.

Every CSV cell that a spreadsheet could read as a formula (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return first) is prefixed with ``'``. Students flagged as duplicates or not on the
roster are never written to an LMS import file: the instructor decides.

Design questions (``kind="design"``) are not scored by the grader: their answers go to
``manual/`` for the instructor (:func:`write_manual_answers`), whose rubric scores are merged
from a CSV (:func:`read_manual_scores`, :func:`apply_manual_scores`); until then their columns
in the LMS files are empty and the totals hold the automatic points only.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .roster import Identified
from .runner import NotebookReport, QuestionResult
from .scrub import scrub
from .verdict import Status

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
    """Points per question; empty for a design answer not yet scored (and absent questions)."""
    by_id: dict[str, object] = {r.id: "" if r.pending else r.points for r in g.report.results}
    return [by_id.get(q, "") for q in questions]


def _max_points(graded: Sequence[Graded], questions: list[str]) -> list[int]:
    best = {q: 0 for q in questions}
    for g in graded:
        for r in g.report.results:
            best[r.id] = max(best[r.id], r.max_points)
    return [best[q] for q in questions]


def write_scores(graded: Sequence[Graded], path: Path | str) -> Path:
    """Every submission, flagged ones included: id, name, file, chapter, points, total, max, the
    design questions waiting for a rubric score (``pending``), problem, hash."""
    questions = question_ids(graded)
    header = [
        "student",
        "name",
        "file",
        "chapter",
        *questions,
        "total",
        "max",
        "pending",
        "problem",
        "sha256",
    ]
    rows = [
        [
            g.who.student_id,
            g.who.name,
            g.who.path.name,
            g.report.chapter or "",
            *_points(g, questions),
            g.report.score,
            g.report.max_score,
            " ".join(g.report.pending),
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


# --- design questions: the answers for the instructor, and the instructor's rubric scores ---

MANUAL_SCORE_COLUMNS = ("student", "question", "points")


@dataclass(frozen=True)
class ManualScore:
    """One rubric score from the instructor's file: ``points`` for ``question`` of ``student``."""

    student: str
    question: str
    points: int | float
    comment: str = ""
    chapter: str = ""
    line: int = 0


def _safe_id(text: str) -> str:
    """A student id or file name as plain text in the instructor's files (no markup)."""
    return re.sub(r"[^A-Za-z0-9._@ -]", "_", text)[:80] or "?"


def _fence(text: str) -> str:
    """A markdown fence longer than any run of backticks in ``text``: the text cannot close it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _manual_results(graded: Sequence[Graded]) -> dict[tuple[str, str], list[tuple[Graded, QuestionResult]]]:
    found: dict[tuple[str, str], list[tuple[Graded, QuestionResult]]] = {}
    for g in graded:
        for r in g.report.results:
            if r.manual:
                found.setdefault((g.report.chapter or "unknown", r.id), []).append((g, r))
    return found


def write_manual_answers(
    graded: Sequence[Graded], folder: Path | str, rubrics: dict[tuple[str, str], str] | None = None
) -> list[Path]:
    """For every design question: ``<chapter>_<question>.md`` and ``.html`` with each student's
    answer (the rubric first), and one ``scores_template.csv`` to fill in and merge with
    ``mmlearn-grade --merge OUT --manual-scores FILE``.

    Answers were cleaned when read (control characters gone, cut to a maximum length); here each
    is put in a markdown fence it cannot close, and HTML-escaped in the HTML page, so no answer
    can pose as another student's or run script in the instructor's browser."""
    folder = Path(folder)
    found = _manual_results(graded)
    if not found:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    template: list[list[object]] = []
    esc = html.escape
    for (chapter, qid), items in sorted(found.items()):
        rubric = (rubrics or {}).get((chapter, qid), "").strip()
        md = [f"# {chapter} {qid}: answers to grade by hand", ""]
        page = [f"<h1>{esc(chapter)} {esc(qid)}: answers to grade by hand</h1>"]
        if rubric:
            md += ["Rubric:", "", *[f"    {line}" for line in rubric.splitlines()], ""]
            page.append(f"<h2>Rubric</h2><pre>{esc(rubric)}</pre>")
        for g, r in items:
            who = f"{_safe_id(g.who.student_id)} ({_safe_id(g.who.path.name)})"
            text = r.answer or ""
            state = {"manual": "", "unanswered": " (not answered)", "missing": " (no answer cell)"}
            note = state.get(r.status.value, f" ({r.status.value})")
            md += [f"## {who}{note}", ""]
            page.append(f"<h2>{esc(who)}{esc(note)}</h2>")
            if text:
                fence = _fence(text)
                md += [f"{fence}text", text, fence, ""]
                page.append(f"<pre style='white-space: pre-wrap'>{esc(text)}</pre>")
            template.append([g.who.student_id, chapter, qid, "", r.max_points, ""])
        name = f"{_safe_id(chapter)}_{_safe_id(qid)}"
        written.append(folder / f"{name}.md")
        written[-1].write_text("\n".join(md) + "\n", encoding="utf-8")
        written.append(folder / f"{name}.html")
        written[-1].write_text(
            "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
            f"<title>{esc(chapter)} {esc(qid)}</title></head><body>\n"
            + "\n".join(page)
            + "\n</body></html>\n",
            encoding="utf-8",
        )
    header = ["student", "chapter", "question", "points", "max", "comment"]
    written.append(_write(folder / "scores_template.csv", header, template))
    return written


def _number(text: str) -> int | float | None:
    try:
        value = float(text.strip().lstrip("'"))
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return int(value) if value == int(value) else round(value, 2)


def read_manual_scores(path: Path | str, graded: Sequence[Graded]) -> list[ManualScore]:
    """The instructor's rubric scores (CSV: ``student, question, points`` and optionally
    ``chapter`` and ``comment``; ``manual/scores_template.csv`` has that form), validated
    against the graded class. Raises ``ValueError`` listing every problem: a missing column, an
    unknown or ambiguous student, a question that is not a design question of that student's
    chapter, points that are not a number, negative or above the question's maximum, two rows
    for one answer."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise ValueError(f"{path.name}: cannot be read as a CSV file ({err})") from err
    if not rows:
        raise ValueError(f"{path.name}: the file is empty")
    header = [h.strip().lower() for h in rows[0]]
    absent = [c for c in MANUAL_SCORE_COLUMNS if c not in header]
    if absent:
        raise ValueError(
            f"{path.name}: missing column(s) {', '.join(absent)} "
            f"(expected {', '.join(MANUAL_SCORE_COLUMNS)}, and optionally chapter, comment)"
        )
    col = {
        name: header.index(name) for name in (*MANUAL_SCORE_COLUMNS, "chapter", "comment") if name in header
    }
    by_student: dict[str, list[Graded]] = {}
    for g in graded:
        by_student.setdefault(g.who.student_id, []).append(g)
    problems: list[str] = []
    scores: list[ManualScore] = []
    seen: dict[tuple[str, str, str], int] = {}

    def cell(row: list[str], name: str) -> str:
        i = col.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        student, qid, chapter = cell(row, "student").lstrip("'"), cell(row, "question"), cell(row, "chapter")
        raw, at = cell(row, "points"), f"line {n}"
        if raw == "":
            continue  # not scored yet: the answer stays pending
        subs = [g for g in by_student.get(student, []) if not chapter or g.report.chapter == chapter]
        if not subs:
            problems.append(
                f"{at}: unknown student {_safe_id(student)!r}" + (f" in {chapter}" if chapter else "")
            )
            continue
        matching = [(g, r) for g in subs for r in g.report.results if r.id == qid]
        if not matching:
            problems.append(f"{at}: unknown question {_safe_id(qid)!r} for student {_safe_id(student)!r}")
            continue
        if len(matching) > 1:
            problems.append(
                f"{at}: student {_safe_id(student)!r} has several submissions with {qid}: "
                "give the chapter, or resolve the duplicate"
            )
            continue
        g, r = matching[0]
        if not r.manual:
            problems.append(f"{at}: {qid} is graded automatically; only design questions take manual scores")
            continue
        points = _number(raw)
        if points is None:
            problems.append(f"{at}: points {_safe_id(raw)!r} is not a number")
            continue
        if points < 0 or points > r.max_points:
            problems.append(f"{at}: {points} points for {student} {qid} (allowed: 0 to {r.max_points})")
            continue
        key = (student, g.report.chapter or "", qid)
        if key in seen:
            problems.append(f"{at}: a second score for {student} {qid} (first on line {seen[key]})")
            continue
        seen[key] = n
        scores.append(
            ManualScore(student, qid, points, cell(row, "comment")[:500], g.report.chapter or "", n)
        )
    if problems:
        shown = problems[:30] + ([f"... and {len(problems) - 30} more"] if len(problems) > 30 else [])
        raise ValueError(f"{path.name}: {len(problems)} problem(s), nothing merged:\n  " + "\n  ".join(shown))
    return scores


def apply_manual_scores(graded: Sequence[Graded], scores: Sequence[ManualScore]) -> int:
    """Set the instructor's points on the design questions (validated by
    :func:`read_manual_scores`); the number of answers scored."""
    for s in scores:
        for g in graded:
            if g.who.student_id == s.student and (g.report.chapter or "") == s.chapter:
                r = g.report.result(s.question)
                r.points = s.points  # type: ignore[assignment]
                r.scored = True
                comment = scrub(s.comment, 300) if s.comment else ""
                r.message = f"scored by your instructor with the rubric: {s.points}/{r.max_points}" + (
                    f" ({comment})" if comment else ""
                )
    return len(scores)


def pending_manual(graded: Sequence[Graded]) -> int:
    """How many design answers still wait for a rubric score."""
    return sum(len(g.report.pending) for g in graded)


# --- the run's results as data, so that rubric scores can be merged later without regrading ---


def write_results(graded: Sequence[Graded], path: Path | str) -> Path:
    """``results.json``: every submission's identity and per-question results (answers included)."""
    data = [
        {
            "who": {**asdict(g.who), "path": str(g.who.path)},
            "report": {
                **{k: v for k, v in asdict(g.report).items() if k != "results"},
                "results": [{**asdict(r), "status": r.status.value} for r in g.report.results],
            },
        }
        for g in graded
    ]
    path = Path(path)
    path.write_text(json.dumps({"version": 1, "submissions": data}, indent=1) + "\n", encoding="utf-8")
    return path


def read_results(path: Path | str) -> list[Graded]:
    """The submissions of a ``results.json`` written by :func:`write_results`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    graded = []
    for item in data["submissions"]:
        who = Identified(**{**item["who"], "path": Path(item["who"]["path"])})
        rep = dict(item["report"])
        results = [QuestionResult(**{**r, "status": Status(r["status"])}) for r in rep.pop("results")]
        graded.append(Graded(who, NotebookReport(**rep, results=results)))
    return graded

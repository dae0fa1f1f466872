"""Command-line entry points: ``mmlearn-grade`` and ``mmlearn-release``."""

from __future__ import annotations

import argparse
import csv
import filecmp
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .release import release_notebook
from .runner import NotebookReport, grade_folder


def write_csv(reports: Sequence[NotebookReport], path: Path | str) -> Path:
    """One row per submission: student (file stem), chapter, points per question, total, max."""
    questions: list[str] = []
    for r in reports:
        for q in r.results:
            if q.id not in questions:
                questions.append(q.id)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "chapter", *questions, "total", "max", "problem"])
        for r in reports:
            points = {q.id: q.points for q in r.results}
            writer.writerow(
                [
                    Path(r.path).stem,
                    r.chapter or "",
                    *[points.get(q, "") for q in questions],
                    r.score,
                    r.max_score,
                    r.error or "",
                ]
            )
    return path


def grade_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mmlearn-grade",
        description="Grade exercise notebooks (files or folders of submissions).",
    )
    parser.add_argument("paths", nargs="+", help="notebooks or folders of notebooks")
    parser.add_argument("--chapter", help="chapter id such as ch02 (default: from each notebook)")
    parser.add_argument("--csv", help="write a score table (one row per submission) here")
    parser.add_argument("--feedback-dir", help="write one feedback .txt per submission here")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per question")
    parser.add_argument("--memory-mb", type=int, default=4096, help="memory limit per submission")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded in parallel")
    args = parser.parse_args(argv)
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    reports = grade_folder(args.paths, args.chapter, args.timeout, args.memory_mb, args.jobs)
    for report in reports:
        print(report.text())
        print()
    if args.feedback_dir:
        out = Path(args.feedback_dir)
        out.mkdir(parents=True, exist_ok=True)
        for report in reports:
            (out / f"{Path(report.path).stem}.txt").write_text(report.text() + "\n")
    if args.csv:
        print(f"score table: {write_csv(reports, args.csv)}")
    return 0


def release_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mmlearn-release",
        description="Write student notebooks (solutions removed) from the reference notebooks.",
    )
    parser.add_argument("--source", default="exercises/solutions", help="reference notebooks")
    parser.add_argument("--target", default="exercises", help="where student notebooks go")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the student notebooks are out of date"
    )
    args = parser.parse_args(argv)
    sources = sorted(Path(args.source).glob("*.ipynb"))
    if not sources:
        parser.error(f"no reference notebooks in {args.source}")
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for src in sources:
            if args.check:
                fresh = release_notebook(src, Path(tmp) / src.name)
                current = Path(args.target) / src.name
                if not current.exists() or not filecmp.cmp(fresh, current, shallow=False):
                    stale.append(str(current))
            else:
                print(f"wrote {release_notebook(src, Path(args.target) / src.name)}")
    if stale:
        print("out of date (run mmlearn-release): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(grade_main())

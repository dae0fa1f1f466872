"""Command-line entry points: ``mmlearn-grade`` and ``mmlearn-release``."""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .gradebook import (
    Graded,
    apply_manual_scores,
    pending_manual,
    read_manual_scores,
    read_results,
    verify_manifest,
    write_canvas,
    write_feedback,
    write_manifest,
    write_manual_answers,
    write_moodle,
    write_results,
    write_scores,
)
from .release import release_notebook
from .roster import identify, missing_students, read_roster
from .runner import find_submissions, grade_folder
from .sandbox import detect_layers
from .spec import load_questions


def rubrics(chapters: Sequence[str], bank: Path | str | None = None) -> dict[tuple[str, str], str]:
    """The rubric of every design question of ``chapters``, by (chapter, question id)."""
    found: dict[tuple[str, str], str] = {}
    for chapter in chapters:
        try:
            questions = load_questions(chapter, bank)
        except ValueError:
            continue
        found |= {(chapter, q.id): q.rubric for q in questions if q.manual}
    return found


def write_outputs(
    graded: Sequence[Graded], out: Path, extra: dict, rubric_text: dict[tuple[str, str], str] | None = None
) -> tuple[Path, str]:
    """Every file of a run in ``out`` (the LMS files, feedback, ``manual/``, ``results.json``)
    and the manifest of them all; the manifest's path and digest."""
    chapters = sorted({g.report.chapter for g in graded if g.report.chapter})
    assignment = "-".join(chapters) or "exercises"
    outputs = [
        write_scores(graded, out / "scores.csv"),
        write_canvas(graded, out / "canvas.csv", assignment),
        write_moodle(graded, out / "moodle.csv", assignment),
        write_results(graded, out / "results.json"),
    ]
    outputs += write_feedback(graded, out / "feedback")
    manual = out / "manual"
    if rubric_text is None and manual.is_dir():  # a merge: keep the answers written by the run
        outputs += sorted(p for p in manual.iterdir() if p.is_file())
    else:
        outputs += write_manual_answers(graded, manual, rubric_text)
    return write_manifest(graded, outputs, out, {**extra, "chapters": chapters})


def report_pending(graded: Sequence[Graded]) -> None:
    pending = pending_manual(graded)
    if pending:
        print(
            f"NOTE: {pending} design answer(s) wait for your rubric scores (answers in manual/): the "
            "totals hold the automatic points only until you merge them with "
            "mmlearn-grade --merge OUT --manual-scores FILE",
            file=sys.stderr,
        )


def merge_manual(out: Path, scores: Path, digest: str | None = None) -> list[Graded]:
    """Merge rubric scores into a finished run in ``out`` (no regrading): check that the run's
    outputs are unchanged, validate ``scores``, rewrite the LMS files, feedback and manifest."""
    changed = [p for p in verify_manifest(out, digest) if not p.startswith("submission ")]
    if changed:
        raise ValueError(f"{out} changed since grading, nothing merged: " + "; ".join(changed))
    graded = read_results(out / "results.json")
    apply_manual_scores(graded, read_manual_scores(scores, graded))
    manifest, new_digest = write_outputs(
        graded, out, {"grader": "mmlearn-grade --merge", "manual_scores": str(scores)}
    )
    print(f"merged {scores} into {out}: scores.csv, canvas.csv, moodle.csv, feedback/ rewritten")
    print(f"manifest SHA-256: {new_digest}  (keep it: mmlearn-grade --verify {out} --digest {new_digest})")
    report_pending(graded)
    return graded


def grade_class(
    paths: Sequence[str],
    out: Path | None,
    csv_path: Path | None = None,
    feedback_dir: Path | None = None,
    roster_path: Path | None = None,
    manual_scores: Path | None = None,
    **grading: object,
) -> list[Graded]:
    """Grade, identify students, merge the instructor's rubric scores (``manual_scores``), write
    every output and the manifest; print a summary.

    Invalid rubric scores raise ``ValueError`` after the outputs are written without them (so the
    grading is not lost: fix the file and merge with ``mmlearn-grade --merge``)."""
    files = find_submissions(paths)
    roster = read_roster(roster_path) if roster_path else None
    who = identify(files, roster)
    reports = grade_folder(files, **grading)  # type: ignore[arg-type]
    graded = [Graded(w, r) for w, r in zip(who, reports, strict=True)]
    for g in graded:
        print(g.report.text())
        if g.problem:
            print(f"  ! {g.problem}")
        print()
    flagged = [g for g in graded if not g.importable]
    if flagged:
        print(
            f"WARNING: {len(flagged)} submissions are flagged and kept out of the LMS files:", file=sys.stderr
        )
        for g in flagged:
            print(f"  {g.who.path.name}: {g.who.problem}", file=sys.stderr)
    if roster:
        for entry in missing_students(who, roster):
            print(f"no submission from {entry.id} {entry.name}".rstrip())
    problem = None
    if manual_scores:
        try:
            merged = apply_manual_scores(graded, read_manual_scores(manual_scores, graded))
            print(f"merged {merged} rubric scores")
        except ValueError as err:
            problem = err
    if csv_path:
        write_scores(graded, csv_path)
        print(f"score table: {csv_path}")
    if feedback_dir:
        write_feedback(graded, feedback_dir)
    if out:
        chapters = sorted({g.report.chapter for g in graded if g.report.chapter})
        extra = {"grader": "mmlearn-grade", "sandbox": detect_layers().describe()}
        bank = grading.get("bank")
        rubric = rubrics(chapters, bank if isinstance(bank, str | Path) else None)
        _, digest = write_outputs(graded, out, extra, rubric)
        print(f"wrote {out}/: scores.csv, canvas.csv, moodle.csv, results.json, feedback/, manual/")
        print(f"manifest SHA-256: {digest}  (keep it: mmlearn-grade --verify {out} --digest {digest})")
    report_pending(graded)
    if problem is not None:
        raise ValueError(
            f"{problem}\nfix it, then: mmlearn-grade --merge {out or 'OUT'} --manual-scores {manual_scores}"
        )
    return graded


def grade_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mmlearn-grade",
        description="Grade exercise notebooks (files or folders of submissions) in a sandbox.",
    )
    parser.add_argument("paths", nargs="*", help="notebooks or folders of notebooks (e.g. an LMS download)")
    parser.add_argument("--chapter", help="chapter id such as ch02 (default: from each notebook)")
    parser.add_argument(
        "--out", help="write scores.csv, canvas.csv, moodle.csv, feedback/ and manifest.json here"
    )
    parser.add_argument("--roster", help="CSV with an id column (and name, login) to match submissions")
    parser.add_argument("--bank", help="folder of private question files chNN.py (default: the public bank)")
    parser.add_argument("--seed", type=int, help="seed of the checks' inputs (default: fresh and secret)")
    parser.add_argument("--csv", help="write the score table (one row per submission) here")
    parser.add_argument("--feedback-dir", help="write one feedback .txt and .html per submission here")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per question and per cell")
    parser.add_argument("--notebook-timeout", type=float, help="seconds for a whole notebook")
    parser.add_argument("--memory-mb", type=int, default=4096, help="memory limit per submission")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded in parallel")
    parser.add_argument(
        "--verify", metavar="DIR", help="check DIR/manifest.json against the files; no grading"
    )
    parser.add_argument("--digest", help="with --verify or --merge: the manifest SHA-256 printed by the run")
    parser.add_argument(
        "--manual-scores",
        metavar="CSV",
        help="the instructor's rubric scores of the design questions (student, question, points[, chapter, "
        "comment]; fill in OUT/manual/scores_template.csv), merged into the totals",
    )
    parser.add_argument(
        "--merge", metavar="OUT", help="merge --manual-scores into the finished run in OUT; no grading"
    )
    args = parser.parse_args(argv)
    if args.merge:
        if not args.manual_scores:
            parser.error("--merge needs --manual-scores")
        try:
            merge_manual(Path(args.merge), Path(args.manual_scores), args.digest)
        except (ValueError, OSError, KeyError) as err:
            print(f"mmlearn-grade: {err}", file=sys.stderr)
            return 2
        return 0
    if args.verify:
        problems = verify_manifest(args.verify, args.digest)
        for p in problems:
            print(f"CHANGED: {p}")
        print("all files match the manifest" if not problems else f"{len(problems)} changes found")
        return 1 if problems else 0
    if not args.paths:
        parser.error("give notebooks or folders to grade")
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    if args.manual_scores and not Path(args.manual_scores).is_file():
        parser.error(f"--manual-scores {args.manual_scores}: no such file")
    if args.bank and not Path(args.bank).is_dir():
        parser.error(f"--bank {args.bank}: not a folder")
    layers = detect_layers()
    print(layers.describe())
    for sentence in layers.missing:
        print(f"WARNING: {sentence}", file=sys.stderr)
    try:
        grade_class(
            args.paths,
            Path(args.out) if args.out else None,
            Path(args.csv) if args.csv else None,
            Path(args.feedback_dir) if args.feedback_dir else None,
            Path(args.roster) if args.roster else None,
            Path(args.manual_scores) if args.manual_scores else None,
            chapter=args.chapter,
            timeout=args.timeout,
            memory_mb=args.memory_mb,
            jobs=args.jobs,
            bank=args.bank,
            seed=args.seed,
            notebook_timeout=args.notebook_timeout,
        )
    except (ValueError, OSError) as err:
        print(f"mmlearn-grade: {err}", file=sys.stderr)
        return 2
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

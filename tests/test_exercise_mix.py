"""The mix of graded questions over the whole book (issue 12).

* every chapter with a book notebook (``book/chNN_*.ipynb``) has a question bank, a reference
  notebook and a student notebook;
* every question says what kind it is (``kind=``: no default);
* at most 15 % of the questions are one-liners or closed-form counts;
* every part of the book has at least one design question graded by a rubric;
* a question's ``reference`` passes its own check when shipped to the worker (from its source);
* hints never give the answer away: no hint or check message mentions ``n_params`` (or another
  library call that computes the answer) or a line of a solution notebook or of a ``reference``.

Each test lists everything that is missing, chapter by chapter, so that the chapters' authors
know what to add.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from mmlearn.grading import judge
from mmlearn.grading.spec import (
    KINDS,
    SHORT_KINDS,
    Question,
    dependencies,
    load_questions,
    shipped_references,
)
from mmlearn.grading.subject import LocalSubject

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "mmlearn" / "grading" / "bank"


def _parts() -> dict[str, list[int]]:
    """The book's parts as ``_toc.yml`` defines them: caption -> chapter numbers."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    parts: dict[str, list[int]] = {}
    for part in toc["parts"]:
        numbers = [
            int(m.group(1))
            for entry in part.get("chapters", [])
            if (m := re.match(r"book/ch(\d\d)_", entry.get("file", "")))
        ]
        if numbers:
            parts[part["caption"]] = numbers
    return parts


PARTS = _parts()
MAX_SHORT_SHARE = 0.15
BOOK_CHAPTERS = sorted({p.name[:4] for p in (ROOT / "book").glob("ch[0-9][0-9]_*.ipynb")})
BANK_CHAPTERS = sorted(p.stem for p in BANK.glob("ch[0-9][0-9].py"))
# what a hint must never say: the library call that computes the answer
GIVEAWAYS = [re.compile(p) for p in (r"\bn_params\b", r"\.numel\(\)", r"count_parameters\(")]


def _questions() -> dict[str, list[Question]]:
    return {chapter: load_questions(chapter) for chapter in BANK_CHAPTERS}


def _student_notebook(chapter: str, folder: Path) -> Path | None:
    found = sorted(folder.glob(f"{chapter}_*.ipynb"))
    return found[0] if found else None


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def test_every_chapter_of_the_book_has_graded_exercises():
    missing = []
    for chapter in BOOK_CHAPTERS:
        if chapter not in BANK_CHAPTERS:
            missing.append(f"{chapter}: no mmlearn/grading/bank/{chapter}.py")
        if _student_notebook(chapter, ROOT / "exercises" / "solutions") is None:
            missing.append(f"{chapter}: no exercises/solutions/{chapter}_*.ipynb")
        if _student_notebook(chapter, ROOT / "exercises") is None:
            missing.append(f"{chapter}: no exercises/{chapter}_*.ipynb (run mmlearn-release)")
    assert not missing, "chapters without graded exercises:\n  " + "\n  ".join(missing)


def test_every_question_declares_its_kind():
    unlabelled = [
        f"{chapter} {q.id}"
        for chapter, questions in _questions().items()
        for q in questions
        if q.kind is None
    ]
    assert not unlabelled, f"give these questions kind= (one of {', '.join(KINDS)}):\n  " + "\n  ".join(
        unlabelled
    )


def test_at_most_15_percent_one_liners_and_counts():
    questions = [(c, q) for c, qs in _questions().items() for q in qs]
    short = [f"{c} {q.id} ({q.kind})" for c, q in questions if q.kind in SHORT_KINDS]
    share = len(short) / max(1, len(questions))
    kinds = Counter(q.kind or "unlabelled" for _, q in questions)
    assert share <= MAX_SHORT_SHARE, (
        f"{len(short)} of {len(questions)} questions ({share:.0%}) are one-liners or counts (at most "
        f"{MAX_SHORT_SHARE:.0%}); kinds now: {dict(kinds)}; the short ones:\n  " + "\n  ".join(short)
    )


def test_every_part_has_a_design_question():
    questions = _questions()
    missing = []
    for part, numbers in PARTS.items():
        chapters = [f"ch{n:02d}" for n in numbers]
        if not any(c in BOOK_CHAPTERS for c in chapters):
            continue  # the part has no chapter yet
        if not any(q.kind == "design" for c in chapters for q in questions.get(c, [])):
            have = ", ".join(c for c in chapters if c in questions) or "none"
            missing.append(f"part {part} ({chapters[0]}-{chapters[-1]}; banks: {have})")
    assert not missing, "parts without a design question (kind='design', rubric=...):\n  " + "\n  ".join(
        missing
    )


def test_every_design_question_has_an_answer_cell():
    missing = []
    for chapter, questions in _questions().items():
        reference = _student_notebook(chapter, ROOT / "exercises" / "solutions")
        if reference is None:
            continue
        tags = [set(c.get("metadata", {}).get("tags", [])) for c in _cells(reference)]
        for q in questions:
            if q.manual and not any({"manual", q.id} <= t for t in tags):
                missing.append(f"{chapter} {q.id}: no cell tagged ['manual', '{q.id}'] in {reference.name}")
    assert not missing, "\n  ".join(["design questions without an answer cell:", *missing])


REFERENCED = [
    pytest.param(chapter, q, id=f"{chapter}-{q.id}")
    for chapter, questions in _questions().items()
    for q in questions
    if q.reference is not None
]


@pytest.mark.parametrize(("chapter", "question"), REFERENCED)
def test_shipped_reference_passes_its_own_check(chapter, question):
    questions = load_questions(chapter)
    functions = shipped_references([*dependencies(question, questions), question])
    verdict = judge(question, LocalSubject(dict(functions)), seed=7)
    assert verdict.passed, f"{chapter} {question.id}: the shipped reference fails: {verdict.message}"


def _normalised(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _solution_lines(path: Path) -> list[str]:
    """The lines between BEGIN and END SOLUTION of a reference notebook that are long enough to
    be an answer (not ``return x``)."""
    lines = []
    for cell in _cells(path):
        inside = False
        for line in _text(cell).splitlines():
            if "BEGIN SOLUTION" in line:
                inside = True
            elif "END SOLUTION" in line:
                inside = False
            elif inside and len(_normalised(line)) >= 24 and not line.strip().startswith("#"):
                lines.append(line.strip())
    return lines


def _bank_strings(chapter: str) -> list[str]:
    """Every string a check can show a student (string literals and f-string parts)."""
    tree = ast.parse((BANK / f"{chapter}.py").read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_hints_never_contain_the_answer():
    leaks = []
    for chapter in BANK_CHAPTERS:
        student = _student_notebook(chapter, ROOT / "exercises")
        reference = _student_notebook(chapter, ROOT / "exercises" / "solutions")
        hints = [("check message", s) for s in _bank_strings(chapter)]
        if student is not None:
            hints += [(f"{student.name} cell {i + 1}", _text(c)) for i, c in enumerate(_cells(student))]
        for where, text in hints:
            for pattern in GIVEAWAYS:
                if pattern.search(text):
                    leaks.append(f"{chapter} {where}: mentions {pattern.pattern!r} (a student can return it)")
        shown = _normalised("\n".join(text for _, text in hints))
        answers = _solution_lines(reference) if reference is not None else []
        for q in load_questions(chapter):
            if q.reference is not None:
                answers += [
                    line.strip()
                    for line in inspect.getsource(q.reference).splitlines()[1:]
                    if len(_normalised(line)) >= 24 and not line.strip().startswith(("#", '"""'))
                ]
        for line in answers:
            if _normalised(line) in shown:
                leaks.append(f"{chapter}: the solution line {line!r} is shown to students")
    assert not leaks, "hints that give the answer away:\n  " + "\n  ".join(leaks)

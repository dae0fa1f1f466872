"""Which student handed in which file: LMS download names, an optional roster, duplicates.

* Canvas ("Download Submissions"): ``<login>[_late]_<user id>_<submission id>_<file name>``;
  the student id is the Canvas user id.
* Moodle ("Download all submissions"): a folder (or file prefix)
  ``<Full Name>_<participant id>_assignsubmission_file_``; the id is the participant id.
* Anything else: the file's stem is the id (name your files after the students).

A roster (CSV with an ``id`` column, optionally ``name`` and ``login``) confirms ids and gives
names; a file whose id is not on it is flagged. Two files for one id are both graded and both
flagged as duplicates: they are never merged, and neither goes into an LMS import file.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

CANVAS = re.compile(r"^(?P<login>[A-Za-z0-9.\-]+?)(?:_late|_LATE)?_(?P<id>\d+)_(?P<sub>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_[a-z]+_?")
ID_COLUMNS = ("id", "student id", "student_id", "sis user id", "id number", "user id", "userid")
NAME_COLUMNS = ("name", "full name", "student", "student name")
LOGIN_COLUMNS = ("login", "sis login id", "username", "email", "email address")


@dataclass
class RosterEntry:
    id: str
    name: str = ""
    login: str = ""


@dataclass
class Identified:
    """One submitted file and the student it belongs to."""

    path: Path
    student_id: str
    name: str = ""
    login: str = ""
    how: str = "file name"  # canvas, moodle, file name
    problem: str | None = None


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    return next((lowered.index(n) for n in names if n in lowered), None)


def read_roster(path: Path | str) -> dict[str, RosterEntry]:
    """Roster entries by id, and by login too (Canvas file names carry the login)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise ValueError(f"{path}: the roster is empty")
    header, body = rows[0], rows[1:]
    id_col = _column(header, ID_COLUMNS)
    if id_col is None:
        raise ValueError(f"{path}: the roster needs an id column (one of {', '.join(ID_COLUMNS)})")
    name_col, login_col = _column(header, NAME_COLUMNS), _column(header, LOGIN_COLUMNS)
    roster: dict[str, RosterEntry] = {}
    for row in body:
        if len(row) <= id_col or not row[id_col].strip():
            continue
        entry = RosterEntry(
            row[id_col].strip(),
            row[name_col].strip() if name_col is not None and len(row) > name_col else "",
            row[login_col].strip() if login_col is not None and len(row) > login_col else "",
        )
        roster[entry.id] = entry
    return roster


def identify_one(path: Path) -> Identified:
    """The student id in an LMS download name (Canvas, Moodle), else the file's stem."""
    canvas = CANVAS.match(path.name)
    if canvas:
        return Identified(path, canvas["id"], login=canvas["login"], how="canvas")
    for part in (path.parent.name, path.name):
        moodle = MOODLE.match(part)
        if moodle:
            return Identified(path, moodle["id"], name=moodle["name"], how="moodle")
    return Identified(path, path.stem)


def identify(files: list[Path], roster: dict[str, RosterEntry] | None = None) -> list[Identified]:
    """Every file with its student; unknown ids and duplicates are flagged in ``problem``."""
    found = [identify_one(Path(f)) for f in files]
    if roster is not None:
        by_login = {e.login.lower(): e for e in roster.values() if e.login}
        for item in found:
            entry = roster.get(item.student_id) or by_login.get(item.login.lower() or "\0")
            if entry is None:
                item.problem = f"id {item.student_id!r} is not on the roster"
            else:
                item.student_id, item.name = entry.id, entry.name or item.name
                item.login = entry.login or item.login
    groups: dict[str, list[Identified]] = defaultdict(list)
    for item in found:
        groups[item.student_id].append(item)
    for sid, items in groups.items():
        notebooks = [i for i in items if i.path.suffix == ".ipynb"]
        if len(items) > 1 and len(notebooks) == 1:  # e.g. Moodle's online text next to the notebook
            for item in items:
                if item is not notebooks[0]:
                    _note(item, f"not a notebook: the notebook {notebooks[0].path.name} of {sid} is graded")
        elif len(items) > 1:
            names = ", ".join(i.path.name for i in items)
            for item in items:
                _note(item, f"duplicate: {len(items)} submissions for student {sid} ({names}); none imported")
    return found


def _note(item: Identified, note: str) -> None:
    item.problem = f"{item.problem}; {note}" if item.problem else note


def missing_students(found: list[Identified], roster: dict[str, RosterEntry]) -> list[RosterEntry]:
    """Roster entries without any submission."""
    handed_in = {i.student_id for i in found}
    return [e for sid, e in sorted(roster.items()) if sid not in handed_in]

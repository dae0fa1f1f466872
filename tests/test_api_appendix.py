"""The API appendix documents every public module of mmlearn (a new module cannot be forgotten)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_public_module_is_in_the_api_appendix():
    listed = set(re.findall(r"automodule:: ([\w.]+)", (ROOT / "book" / "appendix_api.md").read_text()))
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "mmlearn").rglob("*.py")
        if path.name != "__init__.py"
        and not any(part.startswith("_") for part in path.relative_to(ROOT).parts)
    }
    # the grader's internals are for instructors' scripts, documented on the instructors' page
    public = {m for m in modules if not m.startswith("mmlearn.grading.")}
    assert not public - listed, f"modules missing from book/appendix_api.md: {sorted(public - listed)}"
    assert (
        not {m for m in listed if m.startswith("mmlearn.") and not m.startswith("mmlearn.grading")}
        - modules
        - {"mmlearn._validation"}
    ), "the appendix lists a module that does not exist"

"""Feedback never leaks: messages are truncated, and paths and environment values removed."""

from __future__ import annotations

import os
import re

MAX_MESSAGE = 400
PATH = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][\w.\-~@+]+){2,}[/\\]?")


def _secrets() -> list[str]:
    values = {v for v in os.environ.values() if len(v) >= 6}
    return sorted(values, key=len, reverse=True)


def scrub(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` with environment values and file paths replaced, cut to ``limit`` characters."""
    text = text.replace("\x00", "")
    for value in _secrets():
        text = text.replace(value, "<env>")
    text = PATH.sub("<path>", text)
    text = " ".join(text.split())  # no multi-line messages that could mimic the report's layout
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text

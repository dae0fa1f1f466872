"""Checksums of shipped data files: a missing or corrupted file is never used silently."""

from __future__ import annotations

import hashlib
from pathlib import Path

FILES_DIR = Path(__file__).parent / "files"


class DatasetIntegrityError(RuntimeError):
    """A shipped data file is missing or does not match its recorded SHA-256."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified_path(path: Path | str, expected_sha256: str) -> Path:
    """Return ``path`` if it exists and its SHA-256 equals ``expected_sha256``; else raise."""
    path = Path(path)
    if not path.is_file():
        raise DatasetIntegrityError(
            f"data file {path} is missing; reinstall mmlearn (pip install -e .) to restore it"
        )
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise DatasetIntegrityError(
            f"data file {path} is corrupted: its SHA-256 is {actual}, expected {expected_sha256}. "
            "It was not loaded; restore it from the repository (git checkout -- <file>) or "
            "reinstall mmlearn."
        )
    return path

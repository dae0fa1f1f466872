"""The sandbox degrades loudly: a missing layer is a warning, and grading still works."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mmlearn.grading import grade_notebook
from mmlearn.grading.sandbox import Layers, SandboxWarning, detect_layers

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "exercises" / "solutions" / "ch02_simple_fusion.ipynb"


def test_every_missing_layer_is_a_warning(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.warns(SandboxWarning, match="bubblewrap is not available") as caught:
        layers = detect_layers.__wrapped__()
    assert not layers.bwrap and not layers.unshare and not layers.separate_user
    assert len(caught) == len(layers.missing) >= 3


def test_grading_works_with_only_rlimits(monkeypatch):
    minimal = Layers(bwrap=False, unshare=False, separate_user=False, cgroup=None, prlimit=False)
    monkeypatch.setattr("mmlearn.grading.session.detect_layers", lambda: minimal)
    report = grade_notebook(REFERENCE, timeout=10)
    assert report.score == report.max_score > 0, report.text()

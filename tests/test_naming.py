"""The naming rule of ``mmlearn.fusion.registry`` (like torchvision's test_naming_conventions)."""

from __future__ import annotations

import re

import pytest

import mmlearn.fusion as fusion_package
from mmlearn import fusion
from mmlearn.fusion.registry import snake_case

ACRONYMS = {"MLB", "MFB", "MFH", "MCB", "LMF", "TFN", "GMU", "MUTAN", "BLOCK", "FC", "RNN"}


@pytest.mark.parametrize("name", fusion.available())
def test_key_is_the_snake_case_class_name(name):
    cls = fusion.get(name)
    assert snake_case(cls.__name__) == name == cls.registry_name


@pytest.mark.parametrize("name", fusion.available())
def test_class_names_case_acronyms_in_capitals_and_drop_the_fusion_suffix(name):
    class_name = fusion.get(name).__name__
    for acronym in ACRONYMS:
        # an acronym is never written in title case (Mutan, Block) inside a class name
        title = acronym[0] + acronym[1:].lower()
        assert not re.search(rf"{title}(?![a-z])", class_name) or acronym == "FC", class_name
    assert not class_name.endswith("Fusion") or class_name == "LateFusion"


def test_snake_case_examples():
    assert snake_case("BLOCKTucker") == "block_tucker"
    assert snake_case("MultimodalFC") == "multimodal_fc"
    assert snake_case("ParallelCoAttention") == "parallel_co_attention"
    assert snake_case("MUTAN") == "mutan"


@pytest.mark.parametrize(("old", "new"), sorted(fusion.ALIASES.items()))
def test_old_keys_build_the_same_class(old, new):
    assert fusion.get(old) is fusion.get(new)
    assert new in fusion.available() and old not in fusion.available()


@pytest.mark.parametrize(("old", "cls"), sorted(fusion.OLD_CLASS_NAMES.items()))
def test_old_class_names_are_the_same_classes(old, cls):
    assert getattr(fusion_package, old) is cls
    assert cls.registry_name in fusion.available()


def test_exports_match_the_registry():
    exported = [getattr(fusion_package, n) for n in fusion_package.__all__]
    classes = [fusion.get(n) for n in fusion.available()]
    assert all(any(c is e for e in exported) for c in classes)
    assert {c.__name__ for c in classes} <= set(fusion_package.__all__)


def test_available_filters():
    assert set(fusion.available(input_ndim=3)) == {
        n for n in fusion.available() if fusion.get(n).input_ndim == 3
    }
    assert "bilinear" in fusion.available(n_modalities=2)
    assert "bilinear" not in fusion.available(n_modalities=3)
    assert fusion.available(family="lowrank") == ["lmf", "mfb", "mfh", "mlb"]
    assert fusion.available(family=["tucker", "block"]) == ["block", "block_tucker", "mutan", "tucker"]
    assert set(fusion.available(supports_masks=True)) == {
        n for n in fusion.available() if fusion.get(n).supports_masks
    }
    assert fusion.family("mutan") == "tucker"
    with pytest.raises(ValueError, match="unknown fusion"):
        fusion.family("nope")


def test_from_mmlearn_import_fusion_as_F_is_gone():
    """``F`` is torch.nn.functional everywhere (review item C4)."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    offenders = [
        str(p.relative_to(root))
        for folder in ("mmlearn", "tests", "benchmarks", "book", "exercises")
        for p in (root / folder).rglob("*")
        if p.suffix in {".py", ".ipynb"}
        and "fusion as F" in p.read_text(encoding="utf-8")
        and p.name != "test_naming.py"
    ]
    assert offenders == []

"""Every module that this book built itself, and no paper defines, says so where a reader meets it:
in its docstring, and in the chapter that introduces it, as an admonition titled
"Book construction — not from a paper" (issue 12: hybrid pooling's variant, relative stacked
attention, the two-tower gate, BiRNN dual attention, the distance-hop model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmlearn.fusion import BiRNNDualAttention, HybridPool, RelativeStackedAttention, TwoTowerGate
from mmlearn.models import DistanceHopModel

ROOT = Path(__file__).resolve().parents[1]
LABEL = "Book construction — not from a paper"
CONSTRUCTIONS = [  # (module, chapter notebook, the name the chapter's label box gives)
    (HybridPool, "ch03_hybrid_pooling", "hybrid_pool"),
    (RelativeStackedAttention, "ch05_coattention", "relative_stacked_attention"),
    (DistanceHopModel, "ch05_coattention", "DistanceHopModel"),
    (TwoTowerGate, "ch10_similarity_constraints", "TwoTowerGate"),
    (BiRNNDualAttention, "ch11_data_robustness", "birnn_dual_attention"),
]


def _label_boxes(chapter: str) -> list[str]:
    """The text of every markdown cell's "Book construction" admonition in a chapter."""
    cells = json.loads((ROOT / "book" / f"{chapter}.ipynb").read_text(encoding="utf-8"))["cells"]
    boxes = []
    for cell in cells:
        text = "".join(cell["source"]) if cell["cell_type"] == "markdown" else ""
        for part in text.split(f"```{{admonition}} {LABEL}")[1:]:
            boxes.append(part.split("```", 1)[0])
    return boxes


@pytest.mark.parametrize(
    ("module", "chapter", "name"), CONSTRUCTIONS, ids=lambda v: getattr(v, "__name__", v)
)
def test_book_construction_is_labelled(module, chapter, name):
    assert "Book construction" in (module.__doc__ or ""), f"{module.__name__}: no label in the docstring"
    boxes = _label_boxes(chapter)
    assert any(name in box for box in boxes), (
        f"{chapter}: no '{LABEL}' admonition naming {name} (found {len(boxes)} label boxes)"
    )

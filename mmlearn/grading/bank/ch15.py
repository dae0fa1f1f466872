"""Chapter 15, capstone: how much of a model's output on a grid of pairs is interaction, and a
design question that asks for a fusion chosen and checked with the book's measurements."""

from __future__ import annotations

import random

import torch

from ..checks import as_tensor, assert_close, assert_not_modified
from ..spec import Question
from ..subject import Answer

D = torch.float64


def _share(table):
    centred = table - table.mean((0, 1))
    additive = table.mean(1, keepdim=True) + table.mean(0, keepdim=True) - 2 * table.mean((0, 1))
    return (centred - additive).pow(2).sum() / centred.pow(2).sum()


def _scalar(value, name):
    t = as_tensor(value, name)
    if t.numel() != 1:
        raise AssertionError(f"{name} should be a single number, got shape {tuple(t.shape)}")
    return t.reshape(()).to(D)


def check_interaction_share(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed)
    for _ in range(3):
        n1, n2, c = rng.randint(2, 7), rng.randint(2, 7), rng.randint(1, 3)
        table = torch.randn(n1, n2, c, generator=g, dtype=D) + 3.0
        got = _scalar(
            assert_not_modified(fn, table, name="interaction_share(table)"), "interaction_share(table)"
        )
        assert_close(got, _share(table), f"interaction_share of a random table ({n1}, {n2}, {c})")
        a, b = torch.randn(n1, 1, c, generator=g, dtype=D), torch.randn(1, n2, c, generator=g, dtype=D)
        assert_close(
            _scalar(fn(a + b + 5.0), "interaction_share"),
            torch.tensor(0.0, dtype=D),
            f"interaction_share of an additive table ({n1}, {n2}, {c}) (no interaction)",
            atol=1e-9,
        )
        u = torch.randn(n1, generator=g, dtype=D)
        v = torch.randn(n2, generator=g, dtype=D)
        u, v = u - u.mean(), v - v.mean()
        product = (u[:, None] * v[None, :])[:, :, None].expand(n1, n2, c) + 2.0
        assert_close(
            _scalar(fn(product), "interaction_share"),
            torch.tensor(1.0, dtype=D),
            f"interaction_share of a centred product table ({n1}, {n2}, {c}) (all interaction)",
        )


RUBRIC_GUIDE = "\n".join(
    [
        "- [2] Chooses a fusion (or a small shortlist) for the stated data and budget and justifies"
        " it with a measured row of chapter 15's tables (accuracy interval, parameters or EMAP "
        "gap), not with a general preference.",
        "- [1] Handles the missing sensor with modality dropout during training (chapter 11), not "
        "by the choice of fusion alone, and says how it will be measured.",
        "- [1] Plans the checks that the chosen model fuses and is balanced: unimodal probes or "
        "ablation and EMAP (chapter 14), with seeds and intervals.",
        "Common mistake: recommending late fusion for robustness; it is at chance on both "
        "interaction tasks of chapter 15.",
    ]
)

QUESTIONS = [
    Question(
        "q1",
        "interaction_share",
        ("table",),
        check_interaction_share,
        3,
        "The share of a model's variance that is interaction",
        kind="derivation",
    ),
    Question("q2", points=4, title="Choosing a fusion for a wearable", kind="design", rubric=RUBRIC_GUIDE),
]

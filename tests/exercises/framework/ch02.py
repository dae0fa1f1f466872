"""A private bank for the framework tests: a dependency (q2 uses q1) and a design question (q5)."""

import torch

from mmlearn.grading.checks import assert_close
from mmlearn.grading.spec import Question


def concat_reference(xs, weight, bias):
    return torch.cat(list(xs), dim=1) @ weight.T + bias


def check_concat(fn, seed):
    g = torch.Generator().manual_seed(seed)
    xs = [torch.randn(3, d, generator=g, dtype=torch.float64) for d in (2, 4)]
    w = torch.randn(5, 6, generator=g, dtype=torch.float64)
    b = torch.randn(5, generator=g, dtype=torch.float64)
    assert_close(fn(xs, w, b), torch.cat(xs, 1) @ w.T + b, "concat_fusion(xs, weight, bias)")


def check_residual(fn, seed):
    # residual_concat(xs, weight, bias) = concat_fusion(xs, weight, bias) + xs[0] (o = d_1)
    g = torch.Generator().manual_seed(seed + 1)
    xs = [torch.randn(4, d, generator=g, dtype=torch.float64) for d in (3, 2, 5)]
    w = torch.randn(3, 10, generator=g, dtype=torch.float64)
    b = torch.randn(3, generator=g, dtype=torch.float64)
    expected = torch.cat(xs, 1) @ w.T + b + xs[0]
    assert_close(fn(xs, w, b), expected, "residual_concat(xs, weight, bias)")


def check_residual_reference(fn, seed):
    g = torch.Generator().manual_seed(seed + 2)
    xs = [torch.randn(2, d, generator=g, dtype=torch.float64) for d in (2, 2)]
    w = torch.randn(2, 4, generator=g, dtype=torch.float64)
    b = torch.randn(2, generator=g, dtype=torch.float64)
    assert_close(fn(xs, w, b), 2 * (torch.cat(xs, 1) @ w.T + b + xs[0]), "scaled_residual(xs, weight, bias)")


def residual_reference(xs, weight, bias):
    return concat_reference(xs, weight, bias) + xs[0]


RUBRIC = """
- [2] Proposes a fusion and says why it fits a budget of 10k parameters.
- [1] Gives its parameter count as a formula.
A one-paragraph answer is enough.
"""

QUESTIONS = [
    Question(
        "q1",
        "concat_fusion",
        ("xs", "weight", "bias"),
        check_concat,
        2,
        "Concatenation",
        kind="implementation",
        reference=concat_reference,
    ),
    Question(
        "q2",
        "residual_concat",
        ("xs", "weight", "bias"),
        check_residual,
        3,
        "Residual concat",
        kind="implementation",
        uses=("q1",),
        reference=residual_reference,
    ),
    Question(
        "q3",
        "scaled_residual",
        ("xs", "weight", "bias"),
        check_residual_reference,
        1,
        "Twice the residual",
        kind="one-liner",
        uses=("q2",),
    ),
    Question("q5", points=3, title="Design a fusion", kind="design", rubric=RUBRIC),
]

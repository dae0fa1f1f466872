"""Chapter 9, BLOCK: a design question graded by rubric, and an MLB built as a BLOCK with blocks of
size one."""

from __future__ import annotations

import inspect
from typing import cast

import torch

from ..checks import assert_close, rebuild
from ..spec import Question
from ..subject import Answer

D64 = torch.float64


RUBRIC = """
- [2] Chooses a fusion whose cost grows with the sum, not the product, of the input sizes and
  the number of modalities (LMF, or MLB, MFB, MUTAN or BLOCK with M = 3), and rules out tensor
  fusion and the full trilinear map with their parameter counts.
- [1] Writes the parameter count of the proposal as a formula in d_1, d_2, d_3, o and its
  hyper-parameters (rank, t, C), and shows that it fits the budget.
- [1] Names what the choice cannot represent (a rank limit, missing unimodal terms without
  biases or an appended 1, no higher-order terms) and the experiment that would show it matters:
  a comparison with concatenation and a sweep of the rank over at least five seeds, with paired
  intervals.
A full answer is one or two paragraphs. A correct formula without a justification earns the
second point only; "BLOCK because it is the newest" earns nothing.
"""


def _mlb_case(seed: int, dims=(5, 4), rank=6, out=3):
    g = torch.Generator().manual_seed(seed)

    def randn(*shape):
        return torch.randn(*shape, generator=g, dtype=D64)

    return randn(rank, dims[0]), randn(rank), randn(rank, dims[1]), randn(rank), randn(out, rank), randn(out)


def _mlb(x, y, u, c, v, e, w_out, b_out):
    return ((x @ u.T + c) * (y @ v.T + e)) @ w_out.T + b_out


def check_block_from_mlb(fn: Answer, seed: int) -> None:
    from mmlearn.fusion.block import Block

    attrs = tuple(inspect.signature(Block.__init__).parameters)[1:]
    for k, dims, rank, out in [(0, (5, 4), 6, 3), (1, (3, 7), 4, 2)]:
        case = _mlb_case(seed + k, dims, rank, out)
        result = fn.call(*case, module_attrs=attrs).value
        block = cast(Block, rebuild(result, Block, "block_from_mlb(...)"))
        if tuple(block.input_dims) != dims or block.output_dim != out:
            raise AssertionError(
                f"the Block should have input_dims {dims} and output_dim {out}, got "
                f"{tuple(block.input_dims)} and {block.output_dim}"
            )
        block = block.eval()
        g = torch.Generator().manual_seed(seed + k + 50)
        x = torch.randn(8, dims[0], generator=g, dtype=D64)
        y = torch.randn(8, dims[1], generator=g, dtype=D64)
        with torch.no_grad():
            got = block(x, y)
        assert_close(
            got,
            _mlb(x, y, *case),
            f"the Block's output for an MLB of rank {rank} (inputs {dims})",
            rtol=1e-4,
            atol=1e-5,
        )  # a float32 Block is accepted


QUESTIONS = [
    Question(
        "q1",
        points=4,
        title="A bilinear fusion for three modalities on a budget",
        kind="design",
        rubric=RUBRIC,
    ),
    Question(
        "q2",
        "block_from_mlb",
        ("u", "c", "v", "e", "w_out", "b_out"),
        check_block_from_mlb,
        3,
        "An MLB built as a BLOCK with blocks of size one",
        kind="implementation",
    ),
]

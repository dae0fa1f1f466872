"""Chapter 9, BLOCK: its parameter count, and an MLB built as a BLOCK with blocks of size one."""

from __future__ import annotations

import inspect
import random
from typing import cast

import torch

from ..checks import assert_close, assert_equal, rebuild
from ..spec import Question
from ..subject import Answer

D64 = torch.float64


def _count(input_dims, output_dim, mm_dim, chunks, rank) -> int:
    s = mm_dim // chunks
    projections = sum((d + 1) * mm_dim for d in input_dims)
    merges = len(input_dims) * chunks * (s + 1) * rank * s
    return projections + merges + (mm_dim + 1) * output_dim


def _drawn(seed: int) -> tuple[list[int], int, int, int, int]:
    rng = random.Random(seed)
    chunks, size = rng.randint(1, 8), rng.randint(1, 8)
    dims = [rng.randint(1, 50) for _ in range(rng.randint(2, 3))]
    return dims, rng.randint(1, 20), chunks * size, chunks, rng.randint(1, 6)


def check_count(fn: Answer, seed: int) -> None:
    cases = [
        ([64, 64], 10, 160, 20, 10),
        ([7, 5], 4, 12, 3, 2),
        ([2048, 2400], 3000, 1600, 20, 15),
        ([6, 5, 4], 3, 8, 2, 3),
        ([3, 3], 2, 6, 6, 1),
        ([3, 3], 2, 6, 1, 4),
        _drawn(seed),
    ]
    for case in cases:
        assert_equal(
            fn(*case),
            _count(*case),
            "block_param_count(input_dims={}, output_dim={}, mm_dim={}, chunks={}, rank={})".format(*case),
        )


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
        "block_param_count",
        ("input_dims", "output_dim", "mm_dim", "chunks", "rank"),
        check_count,
        2,
        "The number of parameters of BLOCK",
    ),
    Question(
        "q2",
        "block_from_mlb",
        ("u", "c", "v", "e", "w_out", "b_out"),
        check_block_from_mlb,
        3,
        "An MLB built as a BLOCK with blocks of size one",
    ),
]

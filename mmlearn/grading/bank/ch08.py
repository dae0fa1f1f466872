"""Chapter 8, Tucker fusion: the mode-n product and MUTAN computed from its factors."""

from __future__ import annotations

import random

import torch

from ..checks import assert_close, assert_shape
from ..spec import Question
from ..subject import Answer

D64 = torch.float64


def _randn(*shape, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=D64)


def _mode_product(tensor: torch.Tensor, matrix: torch.Tensor, mode: int) -> torch.Tensor:
    """``(T x_n U)[.., j, ..] = sum_i T[.., i, ..] U[j, i]`` written with einsum."""
    letters = "abcdefgh"[: tensor.dim()]
    out = letters[:mode] + "z" + letters[mode + 1 :]
    return torch.einsum(f"{letters},z{letters[mode]}->{out}", tensor, matrix)


def check_mode_product(fn: Answer, seed: int) -> None:
    t = _randn(3, 4, 5, seed=seed)
    for mode, j in [(0, 2), (1, 6), (2, 3)]:
        u = _randn(j, t.shape[mode], seed=seed + mode + 1)
        shape = list(t.shape)
        shape[mode] = j
        out = fn(t, u, mode)
        name = f"mode_n_product(T, U, mode={mode}) with T of shape (3, 4, 5) and U of shape {tuple(u.shape)}"
        assert_shape(out, tuple(shape), name)
        assert_close(out, _mode_product(t, u, mode), name)
    rng = random.Random(seed)
    order = rng.randint(2, 5)
    shape = [rng.randint(1, 4) for _ in range(order)]
    mode, j = rng.randrange(order), rng.randint(1, 5)
    t_drawn = _randn(*shape, seed=seed + 9).float()  # float32: the dtype must be kept
    u_drawn = _randn(j, shape[mode], seed=seed + 10).float()
    out = fn(t_drawn, u_drawn, mode)
    name = f"mode_n_product of a float32 tensor of shape {tuple(shape)} along mode {mode}"
    if not isinstance(out, torch.Tensor) or out.dtype != torch.float32:
        raise AssertionError(f"{name} should return a float32 tensor (keep the input's dtype)")
    assert_close(out, _mode_product(t_drawn.double(), u_drawn.double(), mode).float(), name, 1e-4, 1e-5)
    square = _randn(4, 4, seed=seed + 7)
    t4 = _randn(2, 4, 3, 4, seed=seed + 8)
    assert_close(
        fn(t4, square, 3),
        _mode_product(t4, square, 3),
        "mode_n_product of an order-4 tensor along its last mode (with a square, non-symmetric U)",
    )


def _mutan_case(seed: int, batch=5, dims=(6, 4), t=3, rank=2, out=7):
    x, y = _randn(batch, dims[0], seed=seed), _randn(batch, dims[1], seed=seed + 1)
    w_x, w_y = _randn(t, dims[0], seed=seed + 2), _randn(t, dims[1], seed=seed + 3)
    merge_x, merge_y = _randn(rank, t, t, seed=seed + 4), _randn(rank, t, t, seed=seed + 5)
    w_out = _randn(out, t, seed=seed + 6)
    return x, y, w_x, w_y, merge_x, merge_y, w_out


def _mutan(x, y, w_x, w_y, merge_x, merge_y, w_out):
    xt, yt = x @ w_x.T, y @ w_y.T
    hx = torch.einsum("rki,bi->brk", merge_x, xt)
    hy = torch.einsum("rkj,bj->brk", merge_y, yt)
    return (hx * hy).sum(1) @ w_out.T


def check_mutan(fn: Answer, seed: int) -> None:
    case = _mutan_case(seed)
    out = fn(*case)
    assert_shape(out, (5, 7), "mutan_forward(...) with batch 5 and output 7")
    assert_close(out, _mutan(*case), "mutan_forward(x, y, w_x, w_y, merge_x, merge_y, w_out)")
    one = _mutan_case(seed + 10, rank=1)
    assert_close(fn(*one), _mutan(*one), "mutan_forward with rank R = 1")
    wide = _mutan_case(seed + 20, batch=3, dims=(2, 5), t=4, rank=3, out=2)
    assert_close(fn(*wide), _mutan(*wide), "mutan_forward with t=4, R=3, output 2")
    rng = random.Random(seed)
    for batch in (1, rng.randint(2, 9)):
        dims, t, rank, out = (
            (rng.randint(1, 8), rng.randint(1, 8)),
            rng.randint(1, 6),
            rng.randint(1, 4),
            rng.randint(1, 5),
        )
        case = _mutan_case(seed + 30 + batch, batch=batch, dims=dims, t=t, rank=rank, out=out)
        before = [c.clone() for c in case]
        result = fn.call(*case, return_args=True)
        name = f"mutan_forward with batch {batch}, inputs {dims}, t={t}, R={rank}, output {out}"
        assert_close(result.value, _mutan(*case), name)
        if any(not torch.equal(a, b) for a, b in zip(result.args_after or before, before, strict=True)):
            raise AssertionError(f"{name} changed one of its arguments in place")


QUESTIONS = [
    Question(
        "q1",
        "mode_n_product",
        ("tensor", "matrix", "mode"),
        check_mode_product,
        2,
        "The mode-n product of a tensor and a matrix",
        kind="implementation",
    ),
    Question(
        "q2",
        "mutan_forward",
        ("x", "y", "w_x", "w_y", "merge_x", "merge_y", "w_out"),
        check_mutan,
        3,
        "MUTAN's forward pass from its factors",
        kind="implementation",
    ),
]

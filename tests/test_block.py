"""BLOCK and BLOCK-Tucker: per-block formulas, the block-superdiagonal core, batching, counts."""

from __future__ import annotations

import pytest
import torch

from mmlearn.fusion import build
from mmlearn.fusion.block import Block, BlockTucker
from mmlearn.fusion.tucker import Tucker
from mmlearn.nn.functional import l2_normalize, signed_sqrt
from tests.helpers import D64
from tests.helpers import randn64 as randn


def loop_over_blocks(model: Block | BlockTucker, xs):
    """The definition, one block at a time (what the module must compute without the loop)."""
    s, c = model.block_dim, model.chunks
    p = [model.projection(m)(x) for m, x in enumerate(xs)]
    zs = []
    for b in range(c):
        chunk = [x[:, b * s : (b + 1) * s] for x in p]
        if isinstance(model, Block):
            h = 1.0
            for m, x in enumerate(chunk):
                i = 0 if model.shared else m
                h = h * (x @ model.merge_weights[i][b] + model.merge_biases[i][b])
            z = h.view(-1, model.rank, s).sum(1)
        else:
            letters = "ijk"[: len(chunk)]
            spec = f"o{letters}," + ",".join(f"n{a}" for a in letters) + "->no"
            z = torch.einsum(spec, model.core[b], *chunk) + model.core_bias[b]
        if model.pos_norm == "before_cat":
            z = l2_normalize(signed_sqrt(z, model.eps))
        zs.append(z)
    z = torch.cat(zs, 1)
    if model.pos_norm == "after_cat":
        z = l2_normalize(signed_sqrt(z, model.eps))
    return model.linear_out(z)


@pytest.mark.parametrize("name", ["block", "block_tucker"])
@pytest.mark.parametrize("pos_norm", ["before_cat", "after_cat", "none"])
@pytest.mark.parametrize("dims", [[5, 4], [5, 4, 3], [4, 4]])
def test_batched_blocks_equal_the_per_block_definition(name, pos_norm, dims):
    torch.manual_seed(0)
    hyper = {"rank": 3} if name == "block" else {}
    shared = len(set(dims)) == 1
    model = build(name, dims, 5, mm_dim=6, chunks=3, pos_norm=pos_norm, shared=shared, **hyper)
    model = model.double().eval()
    xs = [randn(7, d, seed=d) for d in dims]
    torch.testing.assert_close(model(*xs), loop_over_blocks(model, xs))


def superdiagonal_core(model: Block | BlockTucker) -> torch.Tensor:
    """The full (mm_dim, mm_dim, mm_dim) core whose diagonal blocks are the model's blocks."""
    d, s = model.mm_dim, model.block_dim
    core = torch.zeros(d, d, d, dtype=D64)
    for b in range(model.chunks):
        if isinstance(model, Block):  # block core T_b[k, i, j] = sum_r A_0[i, r s + k] A_1[j, r s + k]
            a0 = model.merge_weights[0][b].view(s, model.rank, s)
            a1 = model.merge_weights[-1][b].view(s, model.rank, s)
            block = torch.einsum("irk,jrk->kij", a0, a1)
        else:
            block = model.core[b]
        sl = slice(b * s, (b + 1) * s)
        core[sl, sl, sl] = block
    return core


@pytest.mark.parametrize("name", ["block", "block_tucker"])
def test_a_block_model_is_a_tucker_model_with_a_block_superdiagonal_core(name):
    torch.manual_seed(1)
    hyper = {"rank": 2} if name == "block" else {}
    model = build(name, [5, 4], 3, mm_dim=6, chunks=3, pos_norm="none", **hyper).double().eval()
    with torch.no_grad():
        for bias in model.merge_biases if name == "block" else [model.core_bias]:
            bias.zero_()
    tucker = Tucker([5, 4], 3, mm_dim=6).double().eval()
    with torch.no_grad():
        for m in range(2):
            tucker.projection(m).load_state_dict(model.projection(m).state_dict())
        tucker.linear_out.load_state_dict(model.linear_out.state_dict())
        tucker.core.copy_(superdiagonal_core(model))
        tucker.core_bias.zero_()
    xs = [randn(8, 5), randn(8, 4, seed=1)]
    torch.testing.assert_close(tucker(*xs), model(*xs))
    off = tucker.core.clone()
    for b in range(3):
        off[2 * b : 2 * b + 2, 2 * b : 2 * b + 2, 2 * b : 2 * b + 2] = 0
    assert off.abs().max() == 0 and tucker.core.abs().max() > 0


def test_block_tucker_with_one_block_is_tucker():
    torch.manual_seed(2)
    bt = BlockTucker([5, 4], 3, mm_dim=4, chunks=1, pos_norm="none").double().eval()
    tucker = Tucker([5, 4], 3, mm_dim=4).double().eval()
    state = {k: v for k, v in bt.state_dict().items()}
    state["core"], state["core_bias"] = bt.core[0], bt.core_bias[0]
    tucker.load_state_dict(state)
    xs = [randn(6, 5), randn(6, 4, seed=1)]
    torch.testing.assert_close(tucker(*xs), bt(*xs))


def graph_size(out: torch.Tensor) -> int:
    """Number of autograd nodes behind ``out``."""
    seen, stack = set(), [out.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        stack.extend(n for n, _ in node.next_functions)
    return len(seen)


@pytest.mark.parametrize("name", ["block", "block_tucker"])
def test_the_blocks_run_as_one_batched_product(name):
    """The autograd graph does not grow with the number of blocks: no Python loop over blocks."""
    sizes = []
    for chunks in (2, 3, 6):
        model = build(name, [5, 4], 3, mm_dim=12, chunks=chunks)
        sizes.append(graph_size(model(torch.randn(3, 5), torch.randn(3, 4))))
    assert len(set(sizes)) == 1, sizes


def block_count(dims, out, d, chunks, rank, shared=False):
    s = d // chunks
    proj = (dims[0] + 1) * d if shared else sum((x + 1) * d for x in dims)
    merges = (1 if shared else len(dims)) * chunks * (s + 1) * rank * s
    return proj + merges + (d + 1) * out


def block_tucker_count(dims, out, d, chunks, shared=False):
    s = d // chunks
    proj = (dims[0] + 1) * d if shared else sum((x + 1) * d for x in dims)
    return proj + chunks * (s ** (len(dims) + 1) + s) + (d + 1) * out


@pytest.mark.parametrize("dims", [[7, 5], [6, 6], [4, 4, 4]])
@pytest.mark.parametrize("shared", [False, True])
def test_parameter_counts(dims, shared):
    if shared and len(set(dims)) > 1:
        return
    for chunks, rank in [(1, 2), (3, 1), (12, 4)]:
        model = Block(dims, 9, mm_dim=12, chunks=chunks, rank=rank, shared=shared)
        assert model.n_params == block_count(dims, 9, 12, chunks, rank, shared)
        model = BlockTucker(dims, 9, mm_dim=12, chunks=chunks, shared=shared)
        assert model.n_params == block_tucker_count(dims, 9, 12, chunks, shared)


@pytest.mark.parametrize("name", ["block", "block_tucker"])
def test_shared_really_shares(name):
    torch.manual_seed(3)
    model = build(name, [5, 5], 3, mm_dim=6, chunks=2, shared=True).double()
    assert model.projection(0) is model.projection(1) and len(model.linears) == 1
    x, y = randn(6, 5), randn(6, 5, seed=1)
    if name == "block":
        assert len(model.merge_weights) == len(model.merge_biases) == 1
        torch.testing.assert_close(model(x, y), model(y, x))  # one merge: symmetric in x, y
    unshared = build(name, [5, 5], 3, mm_dim=6, chunks=2).double()
    state = dict(model.state_dict())
    state["linears.1.weight"], state["linears.1.bias"] = state["linears.0.weight"], state["linears.0.bias"]
    if name == "block":
        state["merge_weights.1"] = state["merge_weights.0"]
        state["merge_biases.1"] = state["merge_biases.0"]
    unshared.load_state_dict(state)
    torch.testing.assert_close(model(x, y), unshared(x, y))
    model(x, y).sum().backward()
    unshared(x, y).sum().backward()
    total = unshared.projection(0).weight.grad + unshared.projection(1).weight.grad
    torch.testing.assert_close(model.projection(0).weight.grad, total)


@pytest.mark.parametrize("name", ["block", "block_tucker"])
def test_bad_hyper_parameters_name_the_argument(name):
    with pytest.raises(ValueError, match="mm_dim must be a multiple of chunks"):
        build(name, [5, 4], 3, mm_dim=10, chunks=3)
    with pytest.raises(ValueError, match="pos_norm"):
        build(name, [5, 4], 3, mm_dim=6, chunks=3, pos_norm="sometimes")
    with pytest.raises(ValueError, match="chunks"):
        build(name, [5, 4], 3, mm_dim=6, chunks=0)
    with pytest.raises(ValueError, match="shared=True"):
        build(name, [5, 4], 3, mm_dim=6, chunks=3, shared=True)


def test_before_cat_normalises_every_block():
    torch.manual_seed(4)
    model = Block([5, 4], 6, mm_dim=6, chunks=3, rank=2).double()
    with torch.no_grad():
        model.linear_out.weight.copy_(torch.eye(6))
        model.linear_out.bias.zero_()
    out = model(randn(8, 5), randn(8, 4, seed=1)).view(8, 3, 2)
    torch.testing.assert_close(out.norm(dim=-1), torch.ones(8, 3, dtype=D64))

"""The bilinear family tree as executable checks (chapters 8-9).

Each claim is shown by building one model's weights from another's and getting the same outputs:
MLB is a MUTAN whose core is the identity (one rank, identity merges) and a Tucker model whose core
is super-diagonal; MCB is a Tucker model with fixed diagonal factors and a sparse fixed core;
BLOCK with one block is MUTAN and BLOCK with blocks of size one is MLB.
"""

from __future__ import annotations

import pytest
import torch

from mmlearn.fusion.bilinear import MCB
from mmlearn.fusion.block import Block
from mmlearn.fusion.lowrank import MLB
from mmlearn.fusion.tucker import Mutan, Tucker
from tests.helpers import randn64 as randn


def inputs(dims, batch=9):
    return [randn(batch, d, seed=10 + m) for m, d in enumerate(dims)]


def copy_linear(target: torch.nn.Linear, source: torch.nn.Linear) -> None:
    target.load_state_dict(source.state_dict())


@pytest.mark.parametrize("dims", [[5, 4], [5, 4, 3]])
@pytest.mark.parametrize("normalize", [False, True])
def test_mlb_is_a_mutan_whose_core_is_the_identity(dims, normalize):
    """MUTAN with R = 1 merge equal to the identity: z = (W_1 x_1 + b_1) * ... * (W_M x_M + b_M)."""
    torch.manual_seed(0)
    rank = 6
    mlb = MLB(dims, 3, rank=rank, normalize=normalize).double().eval()
    mutan = Mutan(dims, 3, mm_dim=rank, rank=1, normalize=normalize).double().eval()
    with torch.no_grad():
        for m in range(len(dims)):
            copy_linear(mutan.projection(m), mlb.projections[m])
            mutan.merge(m).weight.copy_(torch.eye(rank))
            mutan.merge(m).bias.zero_()
        copy_linear(mutan.linear_out, mlb.linear_out)
    xs = inputs(dims)
    torch.testing.assert_close(mutan(*xs), mlb(*xs))


def test_mlb_is_a_tucker_model_with_a_super_diagonal_core():
    """T[k, i, j] = 1 if i = j = k else 0: the core of MLB, a Tucker model of rank (R, R, R)."""
    torch.manual_seed(1)
    rank = 5
    mlb = MLB([6, 4], 3, rank=rank).double().eval()
    tucker = Tucker([6, 4], 3, mm_dim=rank).double().eval()
    idx = torch.arange(rank)
    with torch.no_grad():
        for m in range(2):
            copy_linear(tucker.projection(m), mlb.projections[m])
        tucker.core.zero_()
        tucker.core[idx, idx, idx] = 1.0
        tucker.core_bias.zero_()
        copy_linear(tucker.linear_out, mlb.linear_out)
    assert int((tucker.core != 0).sum()) == rank
    xs = inputs([6, 4])
    torch.testing.assert_close(tucker(*xs), mlb(*xs))


@pytest.mark.parametrize("normalize", [False, True])
def test_mcb_is_a_tucker_model_with_diagonal_factors_and_a_sparse_core(normalize):
    """Factors W_m = diag(s_m) (padded with zero rows to a common size t), core
    T[k, i, j] = 1 iff h_1(i) + h_2(j) = k (mod D), no biases: exactly compact bilinear pooling."""
    torch.manual_seed(2)
    dims, sketch = [5, 4], 7
    mcb = MCB(dims, 3, sketch_dim=sketch, normalize=normalize, seed=3).double().eval()
    t = max(dims)
    tucker = Tucker(dims, 3, mm_dim=t, core_dim=sketch, normalize=normalize).double().eval()
    h = [s.hashes for s in mcb.sketches]
    with torch.no_grad():
        for m, d in enumerate(dims):
            proj = tucker.projection(m)
            proj.weight.zero_()
            proj.weight[:d, :d] = torch.diag(mcb.sketches[m].signs.double())
            proj.bias.zero_()
        tucker.core.zero_()
        i, j = torch.meshgrid(torch.arange(dims[0]), torch.arange(dims[1]), indexing="ij")
        tucker.core[(h[0][i] + h[1][j]) % sketch, i, j] = 1.0
        tucker.core_bias.zero_()
        copy_linear(tucker.linear_out, mcb.linear_out)
    assert int((tucker.core != 0).sum()) == dims[0] * dims[1]  # sparse: d1 d2 of D t^2 entries
    xs = inputs(dims)
    torch.testing.assert_close(tucker(*xs), mcb(*xs))


@pytest.mark.parametrize("dims", [[5, 4], [5, 4, 3]])
@pytest.mark.parametrize(("pos_norm", "normalize"), [("none", False), ("before_cat", True)])
def test_block_with_one_block_is_mutan(dims, pos_norm, normalize):
    torch.manual_seed(3)
    mutan = Mutan(dims, 3, mm_dim=6, rank=3, normalize=normalize).double().eval()
    block = Block(dims, 3, mm_dim=6, chunks=1, rank=3, pos_norm=pos_norm).double().eval()
    with torch.no_grad():
        for m in range(len(dims)):
            copy_linear(block.projection(m), mutan.projection(m))
            block.merge_weights[m][0] = mutan.merge(m).weight.T
            block.merge_biases[m][0] = mutan.merge(m).bias
        copy_linear(block.linear_out, mutan.linear_out)
    xs = inputs(dims)
    torch.testing.assert_close(block(*xs), mutan(*xs))


@pytest.mark.parametrize("dims", [[5, 4], [5, 4, 3]])
@pytest.mark.parametrize(("pos_norm", "normalize"), [("none", False), ("after_cat", True)])
def test_block_with_blocks_of_size_one_is_mlb(dims, pos_norm, normalize):
    """chunks = mm_dim = R, rank 1, every 1x1 merge equal to 1: each block is one MLB unit."""
    torch.manual_seed(4)
    rank = 6
    mlb = MLB(dims, 3, rank=rank, normalize=normalize).double().eval()
    block = Block(dims, 3, mm_dim=rank, chunks=rank, rank=1, pos_norm=pos_norm).double().eval()
    assert block.block_dim == 1
    with torch.no_grad():
        for m in range(len(dims)):
            copy_linear(block.projection(m), mlb.projections[m])
        for w, b in zip(block.merge_weights, block.merge_biases, strict=True):
            w.fill_(1.0)
            b.zero_()
        copy_linear(block.linear_out, mlb.linear_out)
    xs = inputs(dims)
    torch.testing.assert_close(block(*xs), mlb(*xs))


def test_the_equivalences_are_not_vacuous():
    """Perturbing one weight of the constructed model breaks the equality above."""
    torch.manual_seed(5)
    mlb = MLB([5, 4], 3, rank=4).double().eval()
    block = Block([5, 4], 3, mm_dim=4, chunks=4, rank=1, pos_norm="none").double().eval()
    with torch.no_grad():
        for m in range(2):
            copy_linear(block.projection(m), mlb.projections[m])
        for w, b in zip(block.merge_weights, block.merge_biases, strict=True):
            w.fill_(1.0)
            b.zero_()
        copy_linear(block.linear_out, mlb.linear_out)
        block.merge_weights[0][2, 0, 0] = 1.5
    xs = inputs([5, 4])
    assert not torch.allclose(block(*xs), mlb(*xs))

"""BLOCK and BLOCK-Tucker (chapter 9): a block-superdiagonal core, all blocks in one product.

The projections ``x~_m = W_m x_m + b_m`` (``(batch, mm_dim)``) are cut into ``C`` chunks of
``s = mm_dim / C`` coordinates: ``x~_m -> (batch, C, s)``. Block ``c`` is a small Tucker term
that sees only chunk ``c`` of every modality and writes chunk ``c`` of ``z`` (``(batch, C, s)``);
its core is the ``c``-th diagonal block of a block-superdiagonal core of shape
``(mm_dim, mm_dim, ..., mm_dim)``. The blocks run as one batched matrix product over ``C``
(``torch.baddbmm`` / ``torch.bmm``), never as a Python loop. ``z`` is power-normalised per block
(``pos_norm="before_cat"``), over all of it (``"after_cat"``) or not at all (``"none"``), then
``out = W_o z + b_o``.

Both accept ``M >= 2`` modalities; ``shared=True`` uses one set of projection and merge weights
for every modality (all ``input_dims`` must then be equal). ``mm_dim`` must be a multiple of
``chunks``, so that all blocks have the same size and stack into one tensor.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from .._validation import check_choice, check_positive_int
from ..nn.functional import power_normalize
from ..nn.multilinear import contract_blocks, unit_uniform_
from .registry import register
from .tucker import TuckerFamily

POS_NORMS = ("before_cat", "after_cat", "none")


class _Blocked(TuckerFamily):
    """Chunking and per-block normalisation shared by BLOCK and BLOCK-Tucker."""

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        *,
        mm_dim: int,
        chunks: int,
        shared: bool,
        pos_norm: str,
        eps: float,
        dropout_input: float,
        dropout_pre_lin: float,
        dropout_output: float,
    ) -> None:
        super().__init__(
            input_dims,
            output_dim,
            mm_dim=mm_dim,
            shared=shared,
            dropout_input=dropout_input,
            dropout_pre_lin=dropout_pre_lin,
            dropout_output=dropout_output,
        )
        name = type(self).__name__
        self.chunks = check_positive_int(chunks, "chunks", name)
        if mm_dim % chunks:
            raise ValueError(
                f"{name}: mm_dim must be a multiple of chunks so that every block has "
                f"mm_dim // chunks coordinates, got mm_dim={mm_dim}, chunks={chunks}"
            )
        self.block_dim = mm_dim // chunks
        self.pos_norm = check_choice(pos_norm, "pos_norm", name, POS_NORMS)
        self.eps = eps

    def chunked(self, inputs: Sequence[Tensor]) -> list[Tensor]:
        """Project, then cut: ``M x (batch, d_m) -> M x (batch, C, s)``."""
        return [x.view(x.shape[0], self.chunks, self.block_dim) for x in self.project(inputs)]

    def normalize_and_finish(self, z: Tensor) -> Tensor:
        """``z (batch, C, s)`` -> power normalisation as ``pos_norm`` says -> output factor."""
        if self.pos_norm == "before_cat":
            z = power_normalize(z, self.eps)
        z = z.reshape(z.shape[0], self.mm_dim)  # (batch, C, s) -> (batch, C s)
        if self.pos_norm == "after_cat":
            z = power_normalize(z, self.eps)
        return self.finish(z)


@register
class BLOCK(_Blocked):
    """BLOCK: ``C`` MUTAN-like blocks of rank ``R`` on chunks of size ``s = mm_dim / C``.

    For block ``c`` and ``r = 1..R``: ``h_{m,c,r} = A_{m,c,r} x~_{m,c} + a_{m,c,r}`` with
    ``A_{m,c,r}`` of shape ``(s, s)``, and ``z_c = sum_r h_{1,c,r} * ... * h_{M,c,r}`` (shape
    ``(batch, s)``). ``merge_weights`` and ``merge_biases`` are ``nn.ParameterList``s with one
    entry per modality (one in all when ``shared``): ``merge_weights[m]`` has shape
    ``(C, s, R s)``, column ``r * s + k`` holding row ``k`` of ``A_{m,c,r}``, and
    ``merge_biases[m]`` ``(C, R s)``. Block ``c`` of modality ``m`` is
    ``x~_{m,c} @ merge_weights[m][c] + merge_biases[m][c]``; ``merge_weights[m][c]`` is the
    transpose of the reference's ``merge_linears{m}[c].weight``.

    Parameters: ``sum_m (d_m + 1) mm_dim + M' C (s + 1) R s + (mm_dim + 1) output_dim``.
    With ``chunks=1`` BLOCK is MUTAN; with ``chunks=mm_dim`` (blocks of size one) it is MLB.
    """

    test_hyper = {"mm_dim": 6, "chunks": 3, "rank": 2}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 160,
        chunks: int = 20,
        rank: int = 10,
        shared: bool = False,
        pos_norm: str = "before_cat",
        eps: float = 1e-8,
        dropout_input: float = 0.0,
        dropout_pre_lin: float = 0.0,
        dropout_output: float = 0.0,
    ) -> None:
        super().__init__(
            input_dims,
            output_dim,
            mm_dim=mm_dim,
            chunks=chunks,
            shared=shared,
            pos_norm=pos_norm,
            eps=eps,
            dropout_input=dropout_input,
            dropout_pre_lin=dropout_pre_lin,
            dropout_output=dropout_output,
        )
        self.rank = check_positive_int(rank, "rank", "BLOCK")
        n, s = (1 if shared else self.n_modalities), self.block_dim
        # one parameter per modality: indexing a stacked parameter would cost a zero-filled copy
        # of its whole gradient in every backward pass
        self.merge_weights = nn.ParameterList(
            unit_uniform_(torch.empty(chunks, s, rank * s), s) for _ in range(n)
        )
        self.merge_biases = nn.ParameterList(
            unit_uniform_(torch.empty(chunks, rank * s), s) for _ in range(n)
        )

    def fuse(self, *inputs: Tensor) -> Tensor:
        xs = self.chunked(inputs)
        batch, s = xs[0].shape[0], self.block_dim
        h = None
        for m, x in enumerate(xs):  # a loop over modalities; the blocks are the bmm's batch axis
            i = 0 if self.shared else m
            bias, weight = self.merge_biases[i], self.merge_weights[i]
            hm = torch.baddbmm(bias.unsqueeze(1), x.transpose(0, 1), weight)
            h = hm if h is None else h * hm  # (C, batch, R s)
        assert h is not None  # at least two modalities
        z = h.view(self.chunks, batch, self.rank, s).sum(dim=2).transpose(0, 1)  # (batch, C, s)
        return self.normalize_and_finish(z)


@register
class BLOCKTucker(_Blocked):
    """BLOCK-Tucker: ``C`` full Tucker cores of size ``s^(M+1)`` on chunks of ``s = mm_dim / C``.

    ``z_c[k] = sum_{i_1..i_M} core[c, k, i_1, ..., i_M] x~_{1,c}[i_1] ... x~_{M,c}[i_M]
    + core_bias[c, k]``; ``core`` has shape ``(C, s, s, ..., s)`` (the reference's
    ``bilinears[c].weight`` stacked) and ``core_bias`` ``(C, s)``.

    Parameters: ``sum_m (d_m + 1) mm_dim + C (s^(M+1) + s) + (mm_dim + 1) output_dim``.
    """

    test_hyper = {"mm_dim": 6, "chunks": 2}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 160,
        chunks: int = 20,
        shared: bool = False,
        pos_norm: str = "before_cat",
        eps: float = 1e-8,
        dropout_input: float = 0.0,
        dropout_pre_lin: float = 0.0,
        dropout_output: float = 0.0,
    ) -> None:
        super().__init__(
            input_dims,
            output_dim,
            mm_dim=mm_dim,
            chunks=chunks,
            shared=shared,
            pos_norm=pos_norm,
            eps=eps,
            dropout_input=dropout_input,
            dropout_pre_lin=dropout_pre_lin,
            dropout_output=dropout_output,
        )
        s, m = self.block_dim, self.n_modalities
        fan_in = s ** (m - 1)  # nn.Bilinear's rule for M = 2, generalised
        self.core = nn.Parameter(unit_uniform_(torch.empty(chunks, *([s] * (m + 1))), fan_in))
        self.core_bias = nn.Parameter(unit_uniform_(torch.empty(chunks, s), fan_in))

    def fuse(self, *inputs: Tensor) -> Tensor:
        z = contract_blocks(self.core, self.chunked(inputs)) + self.core_bias  # (batch, C, s)
        return self.normalize_and_finish(z)


# names of mmlearn 0.1, kept for one release
Block = BLOCK
BlockTucker = BLOCKTucker

"""Question-answering models around a question-and-image fusion (chapters 4 and 5).

``logits = head(fusion(enc_q(question), enc_r(regions)))`` where the fusion is any registered
question-and-image module whose inputs are two sequences (see :mod:`mmlearn.fusion.coattention`):
the question becomes a sequence (one token per word, or a length-1 sequence for a vector
question) and the scene a sequence of regions or objects. The model also returns, on request,
the attention weights that the fusion computed, for the figures.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from ..fusion import build
from ..nn import MLP, count_params


class QuestionSceneModel(nn.Module):
    """A VQA classifier: question encoder, region encoder, fusion, answer head.

    Shapes: ``question`` is ``(batch, question_dim)`` float (a vector question) or
    ``(batch, L_q)`` int64 token ids when ``vocab_size`` is given; ``regions`` is
    ``(batch, L_r, region_dim)``. Every region goes through the same
    ``MLP(region_dim -> dim -> dim)`` + ReLU; a vector question through ``Linear -> ReLU``, tokens
    through an embedding; ``encode_regions=False`` hands the raw regions to the fusion (for
    fusions that read raw features, such as ``relative_stacked_attention``). The fusion maps
    both sequences to ``dim``; the head is ``MLP(dim -> dim -> n_answers)``. ``forward`` returns
    logits ``(batch, n_answers)``;
    :meth:`attend` returns ``(logits, weights)`` with the fusion's attention weights.
    """

    def __init__(
        self,
        fusion: str,
        question_dim: int,
        region_dim: int,
        n_answers: int,
        dim: int = 64,
        vocab_size: int | None = None,
        encode_regions: bool = True,
        **hyper: Any,
    ) -> None:
        super().__init__()
        if vocab_size is None:
            self.question_encoder: nn.Module = nn.Sequential(nn.Linear(question_dim, dim), nn.ReLU())
        else:
            self.question_encoder = nn.Embedding(vocab_size, dim)
        self.tokens = vocab_size is not None
        if encode_regions:
            self.region_encoder: nn.Module = nn.Sequential(MLP(region_dim, [dim], dim), nn.ReLU())
        else:
            self.region_encoder = nn.Identity()
        self.fusion = build(fusion, [dim, dim if encode_regions else region_dim], dim, **hyper)
        self.head = MLP(dim, [dim], n_answers)

    @property
    def n_params(self) -> int:
        return count_params(self)

    def attend(self, question: Tensor, regions: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """``(logits (batch, n_answers), weights)``; ``weights`` is the fusion's
        ``FusionOutput.weights`` (e.g. ``{"regions": (batch, hops, L_r)}``)."""
        q = self.question_encoder(question)
        if not self.tokens:
            q = q.unsqueeze(1)  # (batch, dim) -> (batch, 1, dim): a one-token question
        fused, weights = self.fusion(q, self.region_encoder(regions), return_weights=True)
        return self.head(fused), weights

    def forward(self, question: Tensor, regions: Tensor) -> Tensor:
        return self.attend(question, regions)[0]


class DistanceHopModel(nn.Module):
    """Two attention hops over objects for relational questions (object-feature VQA).

    Shapes: question ``q (B, d_q)``, objects ``o (B, N, d_o)`` whose last two features are the
    position. Hop 1 is dot-product attention with the question as query, which finds the object
    the question names: ``a1 = softmax_j((W_k o_j)^T (W_q q))``, anchor ``c = sum_j a1_j o_j``.
    Hop 2 scores every object by its squared distance to the anchor with question-dependent
    weights, ``a2 = softmax_j(w_1(q) ||p_j - p_c||^2 + w_2(q) a1_j)``: a negative ``w_1`` attends
    to the closest object, a positive one to the furthest, and ``w_2`` can rule out the anchor
    itself. A sum over objects of an MLP of ``[o_j, c, p_j - p_c, ||p_j - p_c||^2, q]`` (the
    objects' relations to the anchor) gives counts. The head reads ``[q, c, sum_j a2_j o_j,
    pooled]``. Both hops' weights are returned by :meth:`attend` for the figures.
    *Book construction (not from a paper)*: a hand-designed relational bias.
    """

    def __init__(
        self, question_dim: int, object_dim: int, n_answers: int, hidden_dim: int = 64, key_dim: int = 16
    ) -> None:
        super().__init__()
        self.object_dim = object_dim
        self.query = nn.Linear(question_dim, key_dim)
        self.key = nn.Linear(object_dim, key_dim)
        self.hop2_weights = nn.Sequential(
            nn.Linear(question_dim, hidden_dim), nn.ReLU(), nn.Linear(hidden_dim, 2)
        )
        self.relation = nn.Sequential(
            nn.Linear(2 * object_dim + 3 + question_dim, hidden_dim),
            nn.ReLU(),
            nn.Linear(hidden_dim, hidden_dim),
            nn.ReLU(),
            nn.Linear(hidden_dim, hidden_dim),
        )
        self.head = nn.Sequential(
            nn.Linear(question_dim + 2 * object_dim + hidden_dim, hidden_dim),
            nn.ReLU(),
            nn.Linear(hidden_dim, n_answers),
        )

    @property
    def n_params(self) -> int:
        return count_params(self)

    def attend(self, question: Tensor, objects: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """``(logits (B, n_answers), {"hops": (B, 2, N)})``: ``hops[:, 0]`` is ``a1``, ``hops[:, 1]``
        is ``a2``."""
        if objects.dim() != 3 or objects.shape[-1] != self.object_dim or question.dim() != 2:
            raise ValueError(
                f"DistanceHopModel: expected question (batch, d_q) and objects "
                f"(batch, N, {self.object_dim}), got {tuple(question.shape)} and {tuple(objects.shape)}"
            )
        b, n, _ = objects.shape
        a1 = torch.softmax((self.key(objects) * self.query(question)[:, None]).sum(-1), dim=-1)
        anchor = (a1[..., None] * objects).sum(1)
        offset = objects[..., -2:] - anchor[:, None, -2:]
        dist2 = (offset**2).sum(-1)
        w = self.hop2_weights(question)
        a2 = torch.softmax(w[:, :1] * dist2 + w[:, 1:] * a1, dim=-1)
        related = (a2[..., None] * objects).sum(1)
        pairs = torch.cat(
            [
                objects,
                anchor[:, None].expand(b, n, -1),
                offset,
                dist2[..., None],
                question[:, None].expand(b, n, -1),
            ],
            dim=-1,
        )
        pooled = self.relation(pairs).mean(1)
        logits = self.head(torch.cat([question, anchor, related, pooled], dim=-1))
        return logits, {"hops": torch.stack([a1, a2], dim=1)}

    def forward(self, question: Tensor, objects: Tensor) -> Tensor:
        return self.attend(question, objects)[0]

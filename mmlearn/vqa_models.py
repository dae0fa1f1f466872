"""Question-answering models around a question-and-image fusion (chapters 4 and 5).

``logits = head(fusion(enc_q(question), enc_r(regions)))`` where the fusion is any registered
question-and-image module whose inputs are two sequences (see :mod:`mmlearn.fusion.coattention`):
the question becomes a sequence (one token per word, or a length-1 sequence for a vector
question) and the scene a sequence of regions or objects. The model also returns, on request,
the attention weights that the fusion computed, for the figures.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from .fusion import build
from .nn import MLP


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
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def attend(self, question: Tensor, regions: Tensor) -> tuple[Tensor, tuple[Tensor, ...]]:
        """``(logits (batch, n_answers), weights)``; ``weights`` as returned by the fusion."""
        q = self.question_encoder(question)
        if not self.tokens:
            q = q.unsqueeze(1)
        out = self.fusion(q, self.region_encoder(regions))
        fused, weights = (out[0], tuple(out[1:])) if isinstance(out, tuple) else (out, ())
        return self.head(fused), weights

    def forward(self, question: Tensor, regions: Tensor) -> Tensor:
        return self.attend(question, regions)[0]


class RelationalAttentionModel(nn.Module):
    """Self-attention among the objects, conditioned on the question, then stacked attention.

    1. tokens ``T = enc_r(regions) + W q`` ``(batch, L_r, dim)``: every object token knows the
       question;
    2. ``layers`` :class:`~mmlearn.fusion.attention.TransformerBlock` s of self-attention over
       the tokens: each object gathers the objects that the question relates it to (its closest
       or furthest neighbour, the objects of its shape);
    3. a :class:`~mmlearn.fusion.coattention.StackedAttention` fusion of the question with the
       updated tokens picks the object the question is about, and the head answers.

    ``attend`` returns ``(logits, (self_weights, hop_weights))`` with self-attention weights
    ``(batch, layers, heads, L_r, L_r)`` and hop weights ``(batch, hops, L_r)``.
    """

    def __init__(
        self,
        question_dim: int,
        region_dim: int,
        n_answers: int,
        dim: int = 64,
        heads: int = 4,
        layers: int = 1,
        hops: int = 1,
    ) -> None:
        super().__init__()
        from .fusion.attention import TransformerBlock

        self.question_encoder = nn.Sequential(nn.Linear(question_dim, dim), nn.ReLU())
        self.region_encoder = nn.Sequential(MLP(region_dim, [dim], dim), nn.ReLU())
        self.condition = nn.Linear(dim, dim)
        self.blocks = nn.ModuleList(TransformerBlock(dim, heads, 2 * dim) for _ in range(layers))
        self.fusion = build("stacked_attention", [dim, dim], dim, hops=hops, hidden_dim=dim)
        self.head = MLP(dim, [dim], n_answers)

    @property
    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def attend(self, question: Tensor, regions: Tensor) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        import torch

        q = self.question_encoder(question)
        tokens = self.region_encoder(regions) + self.condition(q).unsqueeze(1)
        self_weights = []
        for block in self.blocks:
            tokens, w = block(tokens, tokens)
            self_weights.append(w)
        fused, hop_weights = self.fusion(q.unsqueeze(1), tokens)
        return self.head(fused), (torch.stack(self_weights, 1), hop_weights)

    def forward(self, question: Tensor, regions: Tensor) -> Tensor:
        return self.attend(question, regions)[0]

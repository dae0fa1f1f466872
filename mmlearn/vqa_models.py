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


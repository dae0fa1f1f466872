"""Hybrid pooling (chapter 3): standardise, project to a shared space, mix by softmax weights.

Shapes: ``M`` tensors ``x_m (batch, d_m)`` in; ``(fused (batch, output_dim), weights (batch, M))``
out.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .attention import AdditiveScore, ModalityProjections, check_mask, masked_softmax
from .base import Fusion, check_choice, check_positive_int
from .registry import register


@register("hybrid_pool")
class HybridPooling(Fusion):
    r"""Hybrid pooling: a softmax-weighted mixture of standardised, projected modalities.

    .. math::
        \tilde x_m = \frac{x_m - \mu(x_m)}{\sqrt{\sigma^2(x_m) + \epsilon}},\quad
        h_m = W_m \tilde x_m + b_m,\quad z = \textstyle\sum_m \alpha_m h_m,

    where ``mu`` and ``sigma^2`` are the mean and variance over the ``d_m`` features of one
    sample (so a modality measured on a larger scale cannot dominate the mix), and the weights
    ``alpha`` lie on the simplex:

    * ``weights="global"``: ``alpha = softmax(a)`` with one learned logit per modality, the same
      for every sample (a learned weighted sum of standardised projections);
    * ``weights="per_sample"``: ``alpha = softmax_m(w^T tanh(U h_m + c))``, computed from each
      sample's own projections (attention pooling over standardised modalities).

    Shapes: ``W_m (output_dim, d_m)``, ``U (hidden_dim, output_dim)``. Returns ``(z, alpha)``
    with ``alpha (batch, M)``. ``mask (batch, M)`` (``True`` = present) renormalises the weights
    over the present modalities. A modality with ``d_m = 1`` standardises to 0: give such
    features ``standardize=False``.
    """

    example_hyper = {"weights": "per_sample", "hidden_dim": 4}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        weights: str = "per_sample",
        hidden_dim: int = 32,
        standardize: bool = True,
        eps: float = 1e-5,
    ) -> None:
        super().__init__(input_dims, output_dim)
        self.weights = check_choice("HybridPooling", "weights", weights, ("global", "per_sample"))
        check_positive_int("HybridPooling", "hidden_dim", hidden_dim)
        if not eps > 0:
            raise ValueError(f"HybridPooling: eps must be positive, got {eps}")
        self.standardize, self.eps = standardize, eps
        self.project = ModalityProjections(self.input_dims, output_dim)
        if weights == "global":
            self.logits = nn.Parameter(torch.zeros(self.n_modalities))
        else:
            self.score = AdditiveScore(output_dim, hidden_dim)

    def _standardize(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, x.shape[-1:], eps=self.eps) if self.standardize else x

    def fuse(self, *inputs: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        mask = check_mask("HybridPooling", "mask", mask, inputs[0], self.n_modalities)
        h = self.project([self._standardize(x) for x in inputs])  # (batch, M, output_dim)
        if self.weights == "global":
            scores = self.logits.expand(h.shape[0], -1)
        else:
            scores = self.score(h)
        alpha = masked_softmax(scores, mask, dim=1)
        return torch.einsum("bm,bmo->bo", alpha, h), alpha

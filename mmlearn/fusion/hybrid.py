"""Hybrid pooling (chapter 3): standardise, project to a shared space, mix by softmax weights.

Shapes: ``M`` tensors ``x_m (batch, d_m)`` in; ``(batch, output_dim)`` out, and with
``return_weights=True`` the weights ``{"modalities": (batch, M)}``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._validation import check_choice, check_positive_float, check_positive_int, renamed
from ..nn.attention import AdditiveScore
from ..nn.masking import masked_softmax
from ..nn.projections import ModalityProjections
from .base import Fusion, FusionOutput, stack_masks
from .registry import register


@register
class HybridPool(Fusion):
    r"""Hybrid pooling: a softmax-weighted mixture of standardised, projected modalities.

    .. math::
        \tilde x_m = \frac{x_m - \mu(x_m)}{\sqrt{\sigma^2(x_m) + \epsilon}},\quad
        h_m = W_m \tilde x_m + b_m,\quad z = \textstyle\sum_m \alpha_m h_m,

    where ``mu`` and ``sigma^2`` are the mean and variance over the ``d_m`` features of one
    sample (so a modality measured on a larger scale cannot dominate the mix), and the weights
    ``alpha`` lie on the simplex:

    * ``weighting="global"``: ``alpha = softmax(a)`` with one learned logit per modality, the same
      for every sample (a learned weighted sum of standardised projections);
    * ``weighting="per_sample"``: ``alpha = softmax_m(w^T tanh(U h_m + c))``, computed from each
      sample's own projections (attention pooling over standardised modalities).

    Shapes: ``W_m (output_dim, d_m)``, ``U (hidden_dim, output_dim)``. Weights:
    ``{"modalities": alpha (batch, M)}``. Masks (one ``(batch,)`` bool per modality, ``True`` =
    present) renormalise the weights over the present modalities. A modality with ``d_m = 1``
    standardises to 0: give such features ``standardize=False``.
    """

    supports_masks = True
    weight_names = ("modalities",)
    test_hyper = {"weighting": "per_sample", "hidden_dim": 4}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        weighting: str | None = None,
        hidden_dim: int = 32,
        standardize: bool = True,
        eps: float = 1e-5,
        weights: str | None = None,
    ) -> None:
        super().__init__(input_dims, output_dim)
        weighting = renamed(weights, weighting, "weights", "weighting", "HybridPool", "per_sample")
        self.weighting = check_choice(weighting, "weighting", "HybridPool", ("global", "per_sample"))
        check_positive_int(hidden_dim, "hidden_dim", "HybridPool")
        self.standardize, self.eps = standardize, check_positive_float(eps, "eps", "HybridPool")
        self.project = ModalityProjections(self.input_dims, output_dim)
        if weighting == "global":
            self.logits = nn.Parameter(torch.zeros(self.n_modalities))
        else:
            self.score = AdditiveScore(output_dim, hidden_dim)

    def _standardize(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, x.shape[-1:], eps=self.eps) if self.standardize else x

    def fuse(self, *inputs: Tensor, masks: Sequence[Tensor | None] | None = None) -> FusionOutput:
        mask = stack_masks(masks, inputs[0])  # (batch, M) or None
        h = self.project([self._standardize(x) for x in inputs])  # (batch, M, output_dim)
        if self.weighting == "global":
            scores = self.logits.expand(h.shape[0], -1)
        else:
            scores = self.score(h)
        alpha = masked_softmax(scores, mask, dim=1)
        return FusionOutput(torch.einsum("bm,bmo->bo", alpha, h), {"modalities": alpha})

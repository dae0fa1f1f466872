"""Pooling over modalities (chapter 3): mixed and gated max-average pooling, and hybrid pooling.

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

    *Book construction (not from a paper)*: this book's reconstruction of the hybrid pooling of
    its source notes; mixed and gated pooling (:class:`MixedPool`, :class:`GatedPool`) are the
    published methods next to it.

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


def _max_and_mean(h: Tensor) -> tuple[Tensor, Tensor]:
    """``h (batch, M, o)`` -> the max and the mean over the modality axis, each ``(batch, o)``."""
    return h.amax(dim=1), h.mean(dim=1)


@register
class MixedPool(Fusion):
    r"""Mixed max-average pooling over modalities (Yu et al. 2014; Lee, Gallagher & Tu 2016).

    Every modality is projected to the shared space, ``h_m = W_m x_m + b_m`` (``(batch, M, o)``
    stacked), and each output unit ``j`` mixes the max and the mean over the modalities:

    .. math::
        z_j = a_j \max_m h_{mj} + (1 - a_j) \frac1M \sum_m h_{mj}.

    * ``mixing="learned"`` (Lee et al.'s *mixed max-average pooling*): ``a = sigmoid(theta)`` with
      one learned ``theta`` (``per_channel=False``) or one per output unit (``per_channel=True``),
      the same for every sample.
    * ``mixing="stochastic"`` (Yu et al.'s *mixed pooling*): in training, ``a_j`` is drawn per
      sample and unit from ``Bernoulli(p)`` (max or average, chosen at random); in evaluation
      mode the library uses the expectation ``a_j = p``.

    Weights: ``{"mix": a (batch, o)}``. Parameters: the projections ``sum_m (d_m + 1) o``, plus 1
    (or ``o``) for ``"learned"``.
    """

    weight_names = ("mix",)
    test_hyper = {"mixing": "learned", "per_channel": True}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mixing: str = "learned",
        per_channel: bool = False,
        p: float = 0.5,
    ) -> None:
        super().__init__(input_dims, output_dim)
        self.mixing = check_choice(mixing, "mixing", "MixedPool", ("learned", "stochastic"))
        if not 0.0 < p < 1.0:
            raise ValueError(f"MixedPool: p must lie in (0, 1), got {p}")
        self.p = float(p)
        self.project = ModalityProjections(self.input_dims, output_dim)
        if self.mixing == "learned":
            self.theta = nn.Parameter(torch.zeros(output_dim if per_channel else 1))

    def fuse(self, *inputs: Tensor) -> FusionOutput:
        h = self.project(inputs)  # (batch, M, o)
        hmax, hmean = _max_and_mean(h)
        if self.mixing == "learned":
            a = torch.sigmoid(self.theta).expand_as(hmax)
        elif self.training:
            a = torch.bernoulli(torch.full_like(hmax, self.p))
        else:
            a = torch.full_like(hmax, self.p)
        return FusionOutput(a * hmax + (1 - a) * hmean, {"mix": a})


@register
class GatedPool(Fusion):
    r"""Gated max-average pooling over modalities (Lee, Gallagher & Tu 2016).

    As :class:`MixedPool`, but the mixing proportion of unit ``j`` is computed from the values it
    pools (the "region" of the pooling is the ``M`` modality values of unit ``j``):

    .. math::
        a_j = \sigma\Big(\sum_m \omega_m h_{mj} + c\Big),\qquad
        z_j = a_j \max_m h_{mj} + (1 - a_j) \frac1M \sum_m h_{mj},

    with one gating vector ``omega (M,)`` shared by all units (``c`` a scalar bias), so the
    gate differs per sample and per unit. Weights: ``{"gate": a (batch, o)}``. Parameters: the
    projections plus ``M + 1``.
    """

    weight_names = ("gate",)

    def __init__(self, input_dims: Sequence[int], output_dim: int) -> None:
        super().__init__(input_dims, output_dim)
        self.project = ModalityProjections(self.input_dims, output_dim)
        self.omega = nn.Parameter(torch.zeros(self.n_modalities))
        self.bias = nn.Parameter(torch.zeros(1))

    def fuse(self, *inputs: Tensor) -> FusionOutput:
        h = self.project(inputs)  # (batch, M, o)
        hmax, hmean = _max_and_mean(h)
        a = torch.sigmoid(torch.einsum("bmo,m->bo", h, self.omega) + self.bias)
        return FusionOutput(a * hmax + (1 - a) * hmean, {"gate": a})

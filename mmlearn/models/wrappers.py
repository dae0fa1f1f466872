"""Wrappers that change how a model is trained, not what it computes."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from .._validation import check_probability
from ..data.augment import modality_dropout_mask, zero_dropped
from ..fusion import Masks
from ..nn import count_params, unpack_inputs


class ModalityDropout(nn.Module):
    """Wrap a multimodal model: drop whole modalities of random samples, in training mode only.

    In training, each modality of each sample is dropped with probability ``p`` (never all of a
    sample's modalities, see :func:`~mmlearn.data.augment.modality_dropout_mask`): its features
    are set to zero, and when the wrapped model's fusion supports masks (``model.fusion.
    supports_masks``, e.g. a :class:`~mmlearn.models.MultimodalClassifier` around attention
    pooling) the model also receives ``masks=`` saying which modalities are present, so that
    attention renormalises over them instead of attending to zeros. In evaluation the call is
    ``model(x_1, ..., x_M, masks=masks)`` unchanged. Works with :func:`mmlearn.training.fit`.
    """

    def __init__(self, model: nn.Module, p: float = 0.3, seed: int = 0) -> None:
        super().__init__()
        self.model = model
        self.p = check_probability(p, "p", "ModalityDropout")
        self.generator = torch.Generator().manual_seed(seed)
        fusion = getattr(model, "fusion", None)
        self.passes_masks = bool(getattr(fusion, "supports_masks", False))

    @property
    def n_params(self) -> int:
        return count_params(self)

    def forward(self, *inputs: Tensor | Sequence[Tensor], masks: Masks = None) -> Tensor:
        tensors = unpack_inputs(inputs, "ModalityDropout")
        if not (self.training and self.p > 0):
            return self.model(*tensors) if masks is None else self.model(*tensors, masks=masks)
        keep = modality_dropout_mask(tensors[0].shape[0], len(tensors), self.p, self.generator)
        keep = keep.to(tensors[0].device)
        if masks is not None:
            given = [torch.ones_like(keep[:, i]) if m is None else m for i, m in enumerate(masks)]
            keep = keep & torch.stack(given, dim=1)
        dropped = zero_dropped(tensors, keep)
        if self.passes_masks:
            return self.model(*dropped, masks=list(keep.unbind(dim=1)))
        return self.model(*dropped)

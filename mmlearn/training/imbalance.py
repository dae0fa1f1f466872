r"""Modality imbalance: on-the-fly gradient modulation with generalisation enhancement (OGM-GE).

Peng et al. (2022) observe that in joint training the modality that predicts better early on
dominates the fused loss, and the other modality's encoder is under-trained. OGM-GE slows the
dominant modality down. With a late linear head on concatenated features,
``logits = W [h_1; ...; h_M] + b = sum_m (W_m h_m + b / M)``, each modality has its own share of
the logits, :func:`split_linear_head`, and a confidence on the batch

.. math::
    s_m = \sum_i \mathrm{softmax}(W_m h_{m,i} + b / M)_{y_i},\qquad
    \rho_m = \frac{s_m}{\frac 1{M-1} \sum_{n \ne m} s_n},\qquad
    k_m = 1 - \tanh\big(\alpha\, \mathrm{relu}(\rho_m - 1)\big)

(:func:`ogm_coefficients`).

After ``loss.backward()`` and before ``optimizer.step()``, the gradient ``g`` of every parameter of
encoder ``m`` becomes ``k_m g + eps``, ``eps ~ N(0, std(g)^2)`` entrywise (the *generalisation
enhancement*: Gaussian noise of the gradient's own scale, as in the authors' code), by
:func:`modulate_gradients`. For ``M = 2``, ``rho_1 = s_1 / s_2`` as in the paper; ``M >= 3``
(each modality against the mean of the others) is this book's extension.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._validation import check_labels, check_positive_float


def split_linear_head(head: nn.Linear, features: Sequence[Tensor]) -> list[Tensor]:
    """Per-modality logits ``W_m h_m + b / M`` of a linear head on ``[h_1; ...; h_M]``.

    ``features``: ``M`` tensors ``h_m (batch, d_m)`` with ``sum_m d_m = head.in_features``.
    Returns ``M`` tensors ``(batch, n_classes)`` whose sum is ``head(torch.cat(features, -1))``.
    """
    sizes = [h.shape[-1] for h in features]
    if sum(sizes) != head.in_features:
        raise ValueError(
            f"split_linear_head: the features' sizes {sizes} sum to {sum(sizes)} but the head takes "
            f"in_features = {head.in_features}"
        )
    weights = torch.split(head.weight, sizes, dim=1)  # M x (n_classes, d_m)
    share = head.bias / len(features) if head.bias is not None else 0.0
    return [h @ w.T + share for h, w in zip(features, weights, strict=True)]


def ogm_coefficients(unimodal_logits: Sequence[Tensor], labels: Tensor, alpha: float = 0.1) -> Tensor:
    """The OGM coefficients ``k (M,)`` in ``(0, 1]`` (see the module docstring): 1 for every
    modality that is not ahead, ``1 - tanh(alpha (rho_m - 1))`` for one that is.

    ``unimodal_logits``: ``M >= 2`` tensors ``(batch, n_classes)``; ``labels``: ``(batch,)``.
    """
    owner = "ogm_coefficients"
    check_positive_float(alpha, "alpha", owner)
    if len(unimodal_logits) < 2:
        raise ValueError(f"{owner}: unimodal_logits must hold M >= 2 tensors, got {len(unimodal_logits)}")
    n = unimodal_logits[0].shape[0]
    labels = check_labels(labels, "labels", owner, n)
    with torch.no_grad():
        scores = torch.stack(
            [logits.softmax(dim=-1).gather(1, labels[:, None]).sum() for logits in unimodal_logits]
        )  # (M,)
        m = len(unimodal_logits)
        others = (scores.sum() - scores) / (m - 1)  # (M,): mean score of the other modalities
        ratio = scores / others
        return 1.0 - torch.tanh(alpha * torch.relu(ratio - 1.0))


def modulate_gradients(
    parameter_groups: Sequence[Iterable[nn.Parameter]],
    coefficients: Tensor,
    noise: bool = True,
    generator: torch.Generator | None = None,
) -> None:
    """In place: ``g <- k_m g (+ N(0, std(g)^2) if noise)`` for every parameter of group ``m``.

    ``parameter_groups``: one iterable of parameters per modality (its encoder's
    ``parameters()``); ``coefficients``: ``(M,)`` from :func:`ogm_coefficients`. Parameters
    without a gradient are skipped; the noise of a one-element gradient is 0 (no spread).
    """
    groups = [list(g) for g in parameter_groups]
    if coefficients.shape != (len(groups),):
        raise ValueError(
            f"modulate_gradients: coefficients must have shape (M,) = ({len(groups)},), got "
            f"{tuple(coefficients.shape)}"
        )
    for k, params in zip(coefficients.tolist(), groups, strict=True):
        for p in params:
            if p.grad is None:
                continue
            spread = p.grad.std() if noise and p.grad.numel() > 1 else None
            p.grad.mul_(k)
            if spread is not None:
                eps = torch.randn(p.grad.shape, generator=generator, dtype=p.grad.dtype)
                p.grad.add_(eps.to(p.grad.device) * spread)


class LateHeadModel(nn.Module):
    """Encoders and one linear head on their concatenated outputs: ``logits = W [h_1; ...; h_M] + b``.

    The architecture OGM-GE is defined for (:func:`split_linear_head` gives each modality's share
    of the logits). ``aux_heads`` holds one linear head per modality, used only by gradient
    blending (:func:`fit_imbalance` with ``method="blend"``); the prediction never reads them.
    Shapes: ``x_m (batch, d_m)``, encoder outputs ``h_m (batch, e_m)``, logits ``(batch, K)``.
    """

    def __init__(self, encoders: Sequence[nn.Module], feature_dims: Sequence[int], n_classes: int) -> None:
        super().__init__()
        if len(encoders) != len(feature_dims) or len(encoders) < 2:
            raise ValueError(
                f"LateHeadModel: need M >= 2 encoders and one feature size each, got {len(encoders)} "
                f"encoders and {len(feature_dims)} sizes"
            )
        self.encoders = nn.ModuleList(encoders)
        self.head = nn.Linear(sum(feature_dims), n_classes)
        self.aux_heads = nn.ModuleList(nn.Linear(d, n_classes) for d in feature_dims)

    def features(self, *inputs: Tensor) -> list[Tensor]:
        """``[h_1, ..., h_M]``, each ``(batch, e_m)``."""
        return [enc(x) for enc, x in zip(self.encoders, inputs, strict=True)]

    def forward(self, *inputs: Tensor) -> Tensor:
        return self.head(torch.cat(self.features(*inputs), dim=-1))


IMBALANCE_METHODS = ("joint", "ogm_ge", "blend")


def fit_imbalance(
    model: LateHeadModel,
    inputs: Sequence[Tensor],
    labels: Tensor,
    method: str = "joint",
    epochs: int = 10,
    lr: float = 0.05,
    batch_size: int = 64,
    alpha: float = 1.0,
    blend_weights: Sequence[float] | None = None,
    seed: int = 0,
) -> list[float]:
    r"""Train ``model`` with SGD (momentum 0.9) on ``inputs`` (``M`` tensors ``(n, d_m)``) and
    ``labels (n,)``; returns the mean fused loss of each epoch.

    * ``"joint"``: the fused cross-entropy ``L_f`` alone;
    * ``"ogm_ge"``: the same loss, with each encoder's gradients modulated by
      :func:`ogm_coefficients` (``alpha``) and :func:`modulate_gradients` before every step
      (Peng et al., 2022);
    * ``"blend"``: ``w_0 L_f + sum_m w_m L_m`` with ``L_m`` the cross-entropy of the auxiliary
      head of modality ``m`` on ``h_m`` (``blend_weights = (w_0, w_1, ..., w_M)``, default all
      ones). Gradient blending (Wang et al., 2020) *estimates* these weights from each head's
      overfitting-to-generalisation ratio; fixed weights are this book's simplification.
    """
    owner = "fit_imbalance"
    if method not in IMBALANCE_METHODS:
        raise ValueError(f"{owner}: method must be one of {IMBALANCE_METHODS}, got {method!r}")
    m = len(model.encoders)
    if len(inputs) != m:
        raise ValueError(f"{owner}: inputs must hold M = {m} tensors, got {len(inputs)}")
    labels = check_labels(labels, "labels", owner, inputs[0].shape[0])
    weights = [1.0] * (m + 1) if blend_weights is None else [float(w) for w in blend_weights]
    if len(weights) != m + 1:
        raise ValueError(f"{owner}: blend_weights needs M + 1 = {m + 1} values, got {len(weights)}")
    gen = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    history = []
    model.train()
    for _ in range(epochs):
        total = 0.0
        for index in torch.randperm(len(labels), generator=gen).split(batch_size):
            xs, y = [x[index] for x in inputs], labels[index]
            feats = model.features(*xs)
            fused = F.cross_entropy(model.head(torch.cat(feats, dim=-1)), y)
            loss = fused
            if method == "blend":
                loss = weights[0] * fused + sum(
                    w * F.cross_entropy(head(h), y)
                    for w, head, h in zip(weights[1:], model.aux_heads, feats, strict=True)
                )
            optimiser.zero_grad()
            loss.backward()
            if method == "ogm_ge":
                k = ogm_coefficients(split_linear_head(model.head, [h.detach() for h in feats]), y, alpha)
                modulate_gradients([enc.parameters() for enc in model.encoders], k, generator=gen)
            optimiser.step()
            total += float(fused.detach()) * len(index)
        history.append(total / len(labels))
    model.eval()
    return history

"""A two-tower model for cross-modal retrieval (chapter 10).

Two separate encoders map modality A ``(n, d_a)`` and modality B ``(n, d_b)`` into one space,
``u_i = f_A(a_i) / ||f_A(a_i)||`` and ``v_i = f_B(b_i) / ||f_B(b_i)||`` of size ``embed_dim``;
they are trained so that the pair ``(u_i, v_i)`` of one sample is closer than every mismatched
pair (InfoNCE, or a triplet loss with the hardest in-batch negative). Retrieval scores a query
``a_i`` against every candidate ``b_j`` by ``u_i . v_j``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._validation import check_float_matrix
from ..losses import hard_negative_triplet_loss, info_nce_loss
from ..metrics import recall_at_k
from ..nn import MLP, count_params
from ..training.loop import paired_minibatches, seed_everything


class TwoTower(nn.Module):
    """``f_A: d_a -> hidden -> embed_dim`` and ``f_B: d_b -> hidden -> embed_dim``, L2-normalised."""

    def __init__(self, dim_a: int, dim_b: int, embed_dim: int = 32, hidden_dim: int = 128) -> None:
        super().__init__()
        self.tower_a = MLP(dim_a, [hidden_dim], embed_dim)
        self.tower_b = MLP(dim_b, [hidden_dim], embed_dim)
        self.embed_dim = embed_dim

    @property
    def n_params(self) -> int:
        return count_params(self)

    def encode_a(self, a: Tensor) -> Tensor:
        """``(n, d_a) -> (n, embed_dim)``, unit rows (a zero row stays zero)."""
        return F.normalize(self.tower_a(a), dim=-1, eps=1e-8)

    def encode_b(self, b: Tensor) -> Tensor:
        """``(n, d_b) -> (n, embed_dim)``, unit rows."""
        return F.normalize(self.tower_b(b), dim=-1, eps=1e-8)

    def forward(self, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
        return self.encode_a(a), self.encode_b(b)

    @torch.no_grad()
    def similarity(self, a: Tensor, b: Tensor) -> Tensor:
        """Cosine similarities of every query ``a_i`` with every candidate ``b_j``: ``(n_a, n_b)``."""
        was = self.training
        self.eval()
        sim = self.encode_a(a) @ self.encode_b(b).T
        self.train(was)
        return sim


def fit_two_tower(
    model: TwoTower,
    a: Tensor,
    b: Tensor,
    loss: str = "info_nce",
    epochs: int = 30,
    batch_size: int = 128,
    lr: float = 1e-3,
    temperature: float = 0.1,
    margin: float = 0.2,
    seed: int = 0,
) -> list[float]:
    """Train ``model`` on paired rows of ``a`` ``(n, d_a)`` and ``b`` ``(n, d_b)``; mean loss per epoch.

    ``loss="info_nce"``: symmetric InfoNCE at ``temperature``; ``loss="triplet"``: triplet loss
    with the hardest in-batch negative (both directions) and ``margin``, on cosine distance.
    """
    a = check_float_matrix(a, "a", "fit_two_tower")
    b = check_float_matrix(b, "b", "fit_two_tower")
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"fit_two_tower: a and b must be paired (same n), got {a.shape[0]} and {b.shape[0]}")
    if loss not in ("info_nce", "triplet"):
        raise ValueError(f"fit_two_tower: loss must be 'info_nce' or 'triplet', got {loss!r}")
    if batch_size < 2:
        raise ValueError(f"fit_two_tower: batch_size must be >= 2 (in-batch negatives), got {batch_size}")
    generator = seed_everything(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    model.train()
    n = a.shape[0]
    for _ in range(epochs):
        total, count = 0.0, 0
        for idx in paired_minibatches(n, batch_size, generator):
            u, v = model(a[idx], b[idx])
            if loss == "info_nce":
                value = info_nce_loss(u, v, temperature)
            else:
                value = 0.5 * (
                    hard_negative_triplet_loss(u, v, margin, metric="cosine")
                    + hard_negative_triplet_loss(v, u, margin, metric="cosine")
                )
            optimizer.zero_grad(set_to_none=True)
            value.backward()
            optimizer.step()
            total += value.item() * len(idx)
            count += len(idx)
        history.append(total / count)
    return history


def retrieval_scores(model: TwoTower, a: Tensor, b: Tensor, ks: Sequence[int] = (1, 5, 10)) -> dict:
    """Recall@k in both directions on paired test rows: ``{"a->b": {k: r}, "b->a": {k: r}}``."""
    sim = model.similarity(a, b)
    return {"a->b": recall_at_k(sim, ks), "b->a": recall_at_k(sim.T, ks)}

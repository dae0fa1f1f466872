"""A relation network (Santoro et al., 2017) for question answering over a set of objects.

.. math::
    \\mathrm{RN}(O, q) = f_\\phi\\Big(\\sum_{i=1}^{N}\\sum_{j=1}^{N} g_\\theta(o_i, o_j, q)\\Big),

with ``g`` and ``f`` multilayer perceptrons. ``g`` scores every ordered pair of objects
(``i = j`` included, as in the paper) conditioned on the question; the sum makes the model
invariant to the order of the objects; ``f`` reads the summed relation vector and returns the
answer logits. Chapter 5 trains it on the object features of the procedural Sort-of-CLEVR set
(:mod:`mmlearn.data.vqa`), the same features the attention models see.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._validation import check_positive_int
from ..nn import count_params


def _mlp(sizes: list[int], final_relu: bool) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(a, b))
        if final_relu or i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class RelationNetwork(nn.Module):
    """Relation network over ``N`` objects and a question vector.

    Shapes: ``question (B, d_q)``, ``objects (B, N, d_o)``, optional ``mask (B, N)`` boolean
    (``True`` = present; a pair counts only when both of its objects are present). ``g`` is an
    MLP ``2 d_o + d_q -> hidden_dim -> ... -> hidden_dim`` with ``g_layers`` linear layers, each
    followed by a ReLU; ``f`` is an MLP ``hidden_dim -> hidden_dim -> ... -> n_answers`` with
    ``f_layers`` linear layers. Returns logits ``(B, n_answers)``.

    The paper uses four 256-unit layers in ``g`` and three in ``f`` (with dropout) on features of
    a convolutional network; the defaults here are smaller so that the model trains on a CPU in
    the budget of chapter 5.
    """

    def __init__(
        self,
        question_dim: int,
        object_dim: int,
        n_answers: int,
        hidden_dim: int = 64,
        g_layers: int = 3,
        f_layers: int = 2,
    ) -> None:
        super().__init__()
        for value, name in (
            (question_dim, "question_dim"),
            (object_dim, "object_dim"),
            (n_answers, "n_answers"),
            (hidden_dim, "hidden_dim"),
            (g_layers, "g_layers"),
            (f_layers, "f_layers"),
        ):
            check_positive_int(value, name, "RelationNetwork")
        self.question_dim, self.object_dim = question_dim, object_dim
        self.g = _mlp([2 * object_dim + question_dim] + [hidden_dim] * g_layers, final_relu=True)
        self.f = _mlp([hidden_dim] * f_layers + [n_answers], final_relu=False)

    @property
    def n_params(self) -> int:
        return count_params(self)

    def relations(self, question: Tensor, objects: Tensor, mask: Tensor | None = None) -> Tensor:
        """The summed relation vector ``sum_{i,j} g(o_i, o_j, q)``, shape ``(B, hidden_dim)``."""
        if question.dim() != 2 or question.shape[-1] != self.question_dim:
            raise ValueError(
                f"RelationNetwork: question must be (batch, {self.question_dim}), got {tuple(question.shape)}"
            )
        if (
            objects.dim() != 3
            or objects.shape[-1] != self.object_dim
            or objects.shape[0] != question.shape[0]
        ):
            raise ValueError(
                f"RelationNetwork: objects must be (batch={question.shape[0]}, N, {self.object_dim}), "
                f"got {tuple(objects.shape)}"
            )
        b, n, d = objects.shape
        if mask is not None and (mask.shape != (b, n) or mask.dtype != torch.bool):
            raise ValueError(
                f"RelationNetwork: mask must be a bool tensor ({b}, {n}), got {tuple(mask.shape)}"
            )
        # g's first layer on [o_i; o_j; q] is W_a o_i + W_b o_j + W_q q + b: computed per object
        # and broadcast over the N x N pairs (the same numbers as building the pair tensor)
        first = self.g[0]
        assert isinstance(first, nn.Linear)
        w_a, w_b, w_q = first.weight.split([d, d, self.question_dim], dim=1)
        pre = (
            (objects @ w_a.T)[:, :, None, :]
            + (objects @ w_b.T)[:, None, :, :]
            + (question @ w_q.T + first.bias)[:, None, None, :]
        )  # (B, N, N, hidden)
        g = self.g[1:](torch.relu(pre))  # (B, N, N, hidden)
        if mask is not None:
            both = (mask[:, :, None] & mask[:, None, :]).to(g.dtype)
            g = g * both[..., None]
        return g.sum(dim=(1, 2))

    def forward(self, question: Tensor, objects: Tensor, mask: Tensor | None = None) -> Tensor:
        return self.f(self.relations(question, objects, mask))

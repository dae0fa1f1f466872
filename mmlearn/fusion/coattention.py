"""Co-attention and multi-step reasoning (chapter 5).

Convention for the question-and-image modules: **every input is a sequence**
``(batch, length, dim)``. Modality 0 is the question (words, or a vector question passed as a
length-1 sequence ``q[:, None, :]``), modality 1 the image regions (grid cells or objects).
Masks: ``masks=[question_mask (batch, L_q), region_mask (batch, L_r)]`` (either may be
``None``), boolean, ``True`` where an element is present. Every module returns the fused vector
``(batch, output_dim)``; ``return_weights=True`` adds the attention weights under the keys
``"question"`` and/or ``"regions"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import torch
from torch import Tensor, nn

from .._validation import check_positive_int
from ..nn.attention import GuidedAttention
from ..nn.masking import masked_mean, masked_softmax
from ..nn.mlp import MLP
from .base import Fusion, FusionOutput
from .registry import register


class _QuestionImage(Fusion):
    """Shared set-up: two sequence inputs projected to ``output_dim``; masks validated."""

    input_ndim = 3
    min_modalities = max_modalities = 2
    supports_masks = True

    def __init__(self, input_dims: Sequence[int], output_dim: int) -> None:
        super().__init__(input_dims, output_dim)
        self.project_q = nn.Linear(self.input_dims[0], output_dim)
        self.project_r = nn.Linear(self.input_dims[1], output_dim)

    def _prepare(
        self, question: Tensor, regions: Tensor, masks: Sequence[Tensor | None] | None
    ) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        """Projected question ``(batch, L_q, o)``, regions ``(batch, L_r, o)`` and their masks."""
        qm, rm = masks if masks is not None else (None, None)
        return self.project_q(question), self.project_r(regions), qm, rm


@register
class StackedAttention(_QuestionImage):
    r"""Stacked attention network (Yang et al., 2016): ``hops`` rounds of question-guided
    attention over image regions, each refining the query.

    .. math::
        u_0 = \mathrm{mean}_t(W_q q_t),\quad V = W_r R,\quad
        (\tilde v_k, p_k) = \mathrm{Att}_k(V, u_{k-1}),\quad u_k = u_{k-1} + \tilde v_k,

    with ``Att_k`` a :class:`~mmlearn.nn.GuidedAttention` (separate parameters per hop). ``u_K`` is the
    fused vector. Shapes: ``question (batch, L_q, d_0)``, ``regions (batch, L_r, d_1)``.
    Weights: ``{"regions": p (batch, hops, L_r)}``; ``p[:, k]`` are the weights of hop ``k + 1``
    and sum to one over the present regions.
    """

    weight_names = ("regions",)
    test_hyper = {"hops": 2, "hidden_dim": 4}

    def __init__(
        self, input_dims: Sequence[int], output_dim: int, hops: int = 2, hidden_dim: int = 32
    ) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int(hops, "hops", "StackedAttention")
        check_positive_int(hidden_dim, "hidden_dim", "StackedAttention")
        self.hops = nn.ModuleList(GuidedAttention(output_dim, hidden_dim) for _ in range(hops))

    def fuse(
        self, question: Tensor, regions: Tensor, masks: Sequence[Tensor | None] | None = None
    ) -> FusionOutput:
        q, v, qm, rm = self._prepare(question, regions, masks)
        u = masked_mean(q, qm)
        weights = []
        for hop in self.hops:
            attended, p = hop(v, u, rm)
            u = u + attended
            weights.append(p)
        return FusionOutput(u, {"regions": torch.stack(weights, dim=1)})  # (batch, hops, L_r)


@register
class ParallelCoAttention(_QuestionImage):
    r"""Parallel co-attention (Lu et al., 2016): question and image attend to each other at once.

    With ``Q = W_q question (batch, L_q, k)`` and ``V = W_r regions (batch, L_r, k)``
    (``k = output_dim``):

    .. math::
        C = \tanh(Q W_b V^\top),\quad
        H_v = \tanh(V W_v + C^\top Q W_{q}),\quad H_q = \tanh(Q W_{q} + C V W_v),\\
        a_v = \mathrm{softmax}(H_v w_v),\quad a_q = \mathrm{softmax}(H_q w_q),\quad
        z = \textstyle\sum_t a_{q,t} Q_t + \sum_i a_{v,i} V_i .

    ``C (batch, L_q, L_r)`` is the affinity of every word with every region; entries that
    involve a masked element are zeroed. Weights: ``{"question": a_q (batch, L_q),
    "regions": a_v (batch, L_r)}``.
    """

    weight_names = ("question", "regions")
    test_hyper = {"hidden_dim": 4}

    def __init__(self, input_dims: Sequence[int], output_dim: int, hidden_dim: int = 32) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int(hidden_dim, "hidden_dim", "ParallelCoAttention")
        self.affinity = nn.Linear(output_dim, output_dim, bias=False)
        self.w_v = nn.Linear(output_dim, hidden_dim, bias=False)
        self.w_q = nn.Linear(output_dim, hidden_dim, bias=False)
        self.score_v = nn.Linear(hidden_dim, 1, bias=False)
        self.score_q = nn.Linear(hidden_dim, 1, bias=False)

    def fuse(
        self, question: Tensor, regions: Tensor, masks: Sequence[Tensor | None] | None = None
    ) -> FusionOutput:
        q, v, qm, rm = self._prepare(question, regions, masks)
        c = torch.tanh(self.affinity(q) @ v.transpose(1, 2))  # (batch, L_q, L_r)
        if qm is not None:
            c = c * qm.unsqueeze(2)
        if rm is not None:
            c = c * rm.unsqueeze(1)
        wq, wv = self.w_q(q), self.w_v(v)
        h_v = torch.tanh(wv + c.transpose(1, 2) @ wq)
        h_q = torch.tanh(wq + c @ wv)
        a_v = masked_softmax(self.score_v(h_v).squeeze(-1), rm, dim=1)
        a_q = masked_softmax(self.score_q(h_q).squeeze(-1), qm, dim=1)
        z = torch.einsum("bt,btk->bk", a_q, q) + torch.einsum("bi,bik->bk", a_v, v)
        return FusionOutput(z, {"question": a_q, "regions": a_v})


@register
class AlternatingCoAttention(_QuestionImage):
    r"""Alternating co-attention (Lu et al., 2016): summarise the question, attend to the image
    with that summary, then attend to the question with the attended image.

    .. math::
        (s, \cdot) = \mathrm{Att}_1(Q, \varnothing),\quad
        (\hat v, a_v) = \mathrm{Att}_2(V, s),\quad (\hat q, a_q) = \mathrm{Att}_3(Q, \hat v),\quad
        z = \hat q + \hat v,

    each ``Att`` a :class:`~mmlearn.nn.GuidedAttention`. Weights: ``{"question": a_q (batch, L_q),
    "regions": a_v (batch, L_r)}``.
    """

    weight_names = ("question", "regions")
    test_hyper = {"hidden_dim": 4}

    def __init__(self, input_dims: Sequence[int], output_dim: int, hidden_dim: int = 32) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int(hidden_dim, "hidden_dim", "AlternatingCoAttention")
        self.steps = nn.ModuleList(GuidedAttention(output_dim, hidden_dim) for _ in range(3))

    def fuse(
        self, question: Tensor, regions: Tensor, masks: Sequence[Tensor | None] | None = None
    ) -> FusionOutput:
        q, v, qm, rm = self._prepare(question, regions, masks)
        summary, _ = self.steps[0](q, None, qm)
        v_hat, a_v = self.steps[1](v, summary, rm)
        q_hat, a_q = self.steps[2](q, v_hat, qm)
        return FusionOutput(q_hat + v_hat, {"question": a_q, "regions": a_v})


@register
class DualAttention(_QuestionImage):
    r"""Dual attention network, reasoning variant (Nam et al., 2017): visual and textual
    attention run side by side and share a memory that both refine.

    .. math::
        m_0 = \bar v \odot \bar q,\quad
        \alpha^k = \mathrm{softmax}\big(w_k^\top[\tanh(A_k V) \odot \tanh(B_k m_{k-1})]\big),\quad
        v^k = \tanh\big(P_k \textstyle\sum_i \alpha^k_i V_i\big),

    the same with separate parameters for the question (``beta^k``, ``u^k``), and
    ``m_k = m_{k-1} + v^k \odot u^k``. ``bar v``, ``bar q`` are the (masked) means.
    Weights: ``{"regions": alpha (batch, hops, L_r), "question": beta (batch, hops, L_q)}``.
    """

    weight_names = ("question", "regions")
    test_hyper = {"hops": 2, "hidden_dim": 4}

    def __init__(
        self, input_dims: Sequence[int], output_dim: int, hops: int = 2, hidden_dim: int = 32
    ) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int(hops, "hops", "DualAttention")
        check_positive_int(hidden_dim, "hidden_dim", "DualAttention")
        k = output_dim

        def side() -> nn.ModuleDict:
            return nn.ModuleDict(
                {
                    "x": nn.Linear(k, hidden_dim),
                    "m": nn.Linear(k, hidden_dim),
                    "w": nn.Linear(hidden_dim, 1, bias=False),
                    "p": nn.Linear(k, k),
                }
            )

        self.visual = nn.ModuleList(side() for _ in range(hops))
        self.textual = nn.ModuleList(side() for _ in range(hops))

    @staticmethod
    def _attend(side: nn.ModuleDict, x: Tensor, memory: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
        h = torch.tanh(side["x"](x)) * torch.tanh(side["m"](memory)).unsqueeze(1)
        a = masked_softmax(side["w"](h).squeeze(-1), mask, dim=1)
        return torch.tanh(side["p"](torch.einsum("bl,blk->bk", a, x))), a

    def fuse(
        self, question: Tensor, regions: Tensor, masks: Sequence[Tensor | None] | None = None
    ) -> FusionOutput:
        q, v, qm, rm = self._prepare(question, regions, masks)
        memory = masked_mean(v, rm) * masked_mean(q, qm)
        alphas, betas = [], []
        for vis, txt in zip(self.visual, self.textual, strict=True):
            v_k, alpha = self._attend(cast(nn.ModuleDict, vis), v, memory, rm)
            u_k, beta = self._attend(cast(nn.ModuleDict, txt), q, memory, qm)
            memory = memory + v_k * u_k
            alphas.append(alpha)
            betas.append(beta)
        return FusionOutput(memory, {"regions": torch.stack(alphas, 1), "question": torch.stack(betas, 1)})


@register
class RelativeStackedAttention(_QuestionImage):
    r"""Stacked attention that reads raw regions and re-encodes them relative to each pick.

    Plain stacked attention scores region ``i`` at hop ``k`` from ``tanh(A v_i + B u_{k-1})``
    and passes on an average of *encoded* regions: to answer "which object is closest to the
    red one" it must carry the red object's position through that average and learn a distance
    from a sum of features, which is slow. Here every hop reads out the *raw* regions
    ``R (batch, L_r, d_1)``, and hop ``k >= 2`` scores the regions from their offset ``delta``
    to the previous pick and its elementwise square (so that a squared distance is a linear
    function of the input):

    .. math::
        (\cdot, p_1) = \mathrm{Att}_1(W_r R, u),\qquad r_k = \textstyle\sum_i p_{k,i} R_i,\\
        e^{(k)}_i = \mathrm{ReLU}\big(\mathrm{MLP}_k([R_i;\ \delta_i;\ \delta_i \odot \delta_i])\big),
        \ \delta_i = R_i - r_{k-1},\qquad
        (\cdot, p_k) = \mathrm{Att}_k(E^{(k)}, u),

    with ``u`` the projected question summary and ``Att_k`` a :class:`GuidedAttention`. The
    fused vector is ``MLP_out([u; r_1; ...; r_K; mean_i e^{(K)}_i])`` (the mean lets the model
    count the regions that relate to the pick; for ``hops=1`` it is the mean of ``W_r R``).
    *Book construction (not from a paper).* Weights: ``{"regions": p (batch, hops, L_r)}``.
    """

    weight_names = ("regions",)
    test_hyper = {"hops": 2, "hidden_dim": 4}

    def __init__(
        self, input_dims: Sequence[int], output_dim: int, hops: int = 2, hidden_dim: int = 32
    ) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int(hops, "hops", "RelativeStackedAttention")
        check_positive_int(hidden_dim, "hidden_dim", "RelativeStackedAttention")
        d, k = self.input_dims[1], output_dim
        self.hops = nn.ModuleList(GuidedAttention(k, hidden_dim, learn_scale=True) for _ in range(hops))
        self.relative = nn.ModuleList(MLP(3 * d, [hidden_dim], k) for _ in range(hops - 1))
        self.out = MLP(2 * k + hops * d, [hidden_dim], k)

    def fuse(
        self, question: Tensor, regions: Tensor, masks: Sequence[Tensor | None] | None = None
    ) -> FusionOutput:
        q, encoded, qm, rm = self._prepare(question, regions, masks)
        u = masked_mean(q, qm)
        _, p = self.hops[0](encoded, u, rm)
        picks, weights = [torch.einsum("bl,bld->bd", p, regions)], [p]
        for hop, relative in zip(self.hops[1:], self.relative, strict=True):
            offset = regions - picks[-1].unsqueeze(1)
            encoded = torch.relu(relative(torch.cat([regions, offset, offset * offset], dim=-1)))
            _, p = hop(encoded, u, rm)
            picks.append(torch.einsum("bl,bld->bd", p, regions))
            weights.append(p)
        z = self.out(torch.cat([u, *picks, masked_mean(encoded, rm)], dim=-1))
        return FusionOutput(z, {"regions": torch.stack(weights, dim=1)})  # (batch, hops, L_r)

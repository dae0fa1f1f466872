"""Co-attention and multi-step reasoning (chapter 5).

Convention for the question-and-image modules: **every input is a sequence**
``(batch, length, dim)``. Modality 0 is the question (words, or a vector question passed as a
length-1 sequence ``q[:, None, :]``), modality 1 the image regions (grid cells or objects).
Optional masks ``question_mask (batch, L_q)`` and ``region_mask (batch, L_r)`` are boolean,
``True`` where an element is present. Every module returns a tuple whose first entry is the
fused vector ``(batch, output_dim)``, followed by the attention weights it computed.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..nn import MLP
from .attention import check_mask, masked_mean, masked_softmax
from .base import Fusion, check_positive_int
from .registry import register


class GuidedAttention(nn.Module):
    r"""One attention step over a sequence guided by a vector (one hop of stacked attention).

    .. math::
        H = \tanh(X W_x + \mathbf 1 (g W_g + b)^\top),\quad p = \mathrm{softmax}(H w),\quad
        \hat x = \textstyle\sum_i p_i x_i .

    Shapes: ``x (batch, L, dim)``, ``guide (batch, dim)`` (or ``None``: no guide), ``mask
    (batch, L)``; ``W_x, W_g (dim, hidden_dim)``, ``w (hidden_dim,)``. Returns
    ``(x_hat (batch, dim), p (batch, L))``. With ``learn_scale=True`` the scores are multiplied
    by ``exp(tau)``, ``tau`` a learned scalar starting at 0: the ``tanh`` bounds a score by
    ``||w||_1``, and a log-scale lets the softmax sharpen quickly when it must pick one element
    among close competitors.
    """

    def __init__(self, dim: int, hidden_dim: int, learn_scale: bool = False) -> None:
        super().__init__()
        self.x_proj = nn.Linear(dim, hidden_dim, bias=False)
        self.g_proj = nn.Linear(dim, hidden_dim)
        self.w = nn.Linear(hidden_dim, 1, bias=False)
        self.log_scale = nn.Parameter(torch.zeros(())) if learn_scale else None

    def forward(self, x: Tensor, guide: Tensor | None, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        pre = self.x_proj(x)
        if guide is not None:
            pre = pre + self.g_proj(guide).unsqueeze(1)
        else:
            pre = pre + self.g_proj.bias
        scores = self.w(torch.tanh(pre)).squeeze(-1)
        if self.log_scale is not None:
            scores = scores * self.log_scale.exp()
        p = masked_softmax(scores, mask, dim=1)
        return torch.einsum("bl,bld->bd", p, x), p


class _QuestionImage(Fusion):
    """Shared set-up: two sequence inputs projected to ``output_dim``; masks validated."""

    input_ndim = 3
    min_modalities = max_modalities = 2

    def __init__(self, input_dims: Sequence[int], output_dim: int) -> None:
        super().__init__(input_dims, output_dim)
        self.project_q = nn.Linear(self.input_dims[0], output_dim)
        self.project_r = nn.Linear(self.input_dims[1], output_dim)

    def _prepare(
        self, question: Tensor, regions: Tensor, question_mask: Tensor | None, region_mask: Tensor | None
    ) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        name = type(self).__name__
        qm = check_mask(name, "question_mask", question_mask, question, question.shape[1])
        rm = check_mask(name, "region_mask", region_mask, regions, regions.shape[1])
        return self.project_q(question), self.project_r(regions), qm, rm


@register("stacked_attention")
class StackedAttention(_QuestionImage):
    r"""Stacked attention network (Yang et al., 2016): ``hops`` rounds of question-guided
    attention over image regions, each refining the query.

    .. math::
        u_0 = \mathrm{mean}_t(W_q q_t),\quad V = W_r R,\quad
        (\tilde v_k, p_k) = \mathrm{Att}_k(V, u_{k-1}),\quad u_k = u_{k-1} + \tilde v_k,

    with ``Att_k`` a :class:`GuidedAttention` (separate parameters per hop). ``u_K`` is the
    fused vector. Shapes: ``question (batch, L_q, d_0)``, ``regions (batch, L_r, d_1)``.
    Returns ``(u_K (batch, output_dim), p (batch, hops, L_r))``; ``p[:, k]`` are the weights of
    hop ``k + 1`` and sum to one over the present regions.
    """

    example_hyper = {"hops": 2, "hidden_dim": 4}

    def __init__(
        self, input_dims: Sequence[int], output_dim: int, hops: int = 2, hidden_dim: int = 32
    ) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int("StackedAttention", "hops", hops)
        check_positive_int("StackedAttention", "hidden_dim", hidden_dim)
        self.hops = nn.ModuleList(GuidedAttention(output_dim, hidden_dim) for _ in range(hops))

    def fuse(
        self,
        question: Tensor,
        regions: Tensor,
        question_mask: Tensor | None = None,
        region_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        q, v, qm, rm = self._prepare(question, regions, question_mask, region_mask)
        u = masked_mean(q, qm)
        weights = []
        for hop in self.hops:
            attended, p = hop(v, u, rm)
            u = u + attended
            weights.append(p)
        return u, torch.stack(weights, dim=1)


@register("parallel_coattention")
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
    involve a masked element are zeroed. Returns ``(z, a_q (batch, L_q), a_v (batch, L_r))``.
    """

    example_hyper = {"hidden_dim": 4}

    def __init__(self, input_dims: Sequence[int], output_dim: int, hidden_dim: int = 32) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int("ParallelCoAttention", "hidden_dim", hidden_dim)
        self.affinity = nn.Linear(output_dim, output_dim, bias=False)
        self.w_v = nn.Linear(output_dim, hidden_dim, bias=False)
        self.w_q = nn.Linear(output_dim, hidden_dim, bias=False)
        self.score_v = nn.Linear(hidden_dim, 1, bias=False)
        self.score_q = nn.Linear(hidden_dim, 1, bias=False)

    def fuse(
        self,
        question: Tensor,
        regions: Tensor,
        question_mask: Tensor | None = None,
        region_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor, Tensor]:
        q, v, qm, rm = self._prepare(question, regions, question_mask, region_mask)
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
        return z, a_q, a_v


@register("alternating_coattention")
class AlternatingCoAttention(_QuestionImage):
    r"""Alternating co-attention (Lu et al., 2016): summarise the question, attend to the image
    with that summary, then attend to the question with the attended image.

    .. math::
        (s, \cdot) = \mathrm{Att}_1(Q, \varnothing),\quad
        (\hat v, a_v) = \mathrm{Att}_2(V, s),\quad (\hat q, a_q) = \mathrm{Att}_3(Q, \hat v),\quad
        z = \hat q + \hat v,

    each ``Att`` a :class:`GuidedAttention`. Returns ``(z, a_q (batch, L_q), a_v (batch, L_r))``.
    """

    example_hyper = {"hidden_dim": 4}

    def __init__(self, input_dims: Sequence[int], output_dim: int, hidden_dim: int = 32) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int("AlternatingCoAttention", "hidden_dim", hidden_dim)
        self.steps = nn.ModuleList(GuidedAttention(output_dim, hidden_dim) for _ in range(3))

    def fuse(
        self,
        question: Tensor,
        regions: Tensor,
        question_mask: Tensor | None = None,
        region_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor, Tensor]:
        q, v, qm, rm = self._prepare(question, regions, question_mask, region_mask)
        summary, _ = self.steps[0](q, None, qm)
        v_hat, a_v = self.steps[1](v, summary, rm)
        q_hat, a_q = self.steps[2](q, v_hat, qm)
        return q_hat + v_hat, a_q, a_v


@register("dual_attention")
class DualAttention(_QuestionImage):
    r"""Dual attention network, reasoning variant (Nam et al., 2017): visual and textual
    attention run side by side and share a memory that both refine.

    .. math::
        m_0 = \bar v \odot \bar q,\quad
        \alpha^k = \mathrm{softmax}\big(w_k^\top[\tanh(A_k V) \odot \tanh(B_k m_{k-1})]\big),\quad
        v^k = \tanh\big(P_k \textstyle\sum_i \alpha^k_i V_i\big),

    the same with separate parameters for the question (``beta^k``, ``u^k``), and
    ``m_k = m_{k-1} + v^k \odot u^k``. ``bar v``, ``bar q`` are the (masked) means.
    Returns ``(m_K, alpha (batch, hops, L_r), beta (batch, hops, L_q))``.
    """

    example_hyper = {"hops": 2, "hidden_dim": 4}

    def __init__(
        self, input_dims: Sequence[int], output_dim: int, hops: int = 2, hidden_dim: int = 32
    ) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int("DualAttention", "hops", hops)
        check_positive_int("DualAttention", "hidden_dim", hidden_dim)
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
        self,
        question: Tensor,
        regions: Tensor,
        question_mask: Tensor | None = None,
        region_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor, Tensor]:
        q, v, qm, rm = self._prepare(question, regions, question_mask, region_mask)
        memory = masked_mean(v, rm) * masked_mean(q, qm)
        alphas, betas = [], []
        for vis, txt in zip(self.visual, self.textual, strict=True):
            v_k, alpha = self._attend(vis, v, memory, rm)
            u_k, beta = self._attend(txt, q, memory, qm)
            memory = memory + v_k * u_k
            alphas.append(alpha)
            betas.append(beta)
        return memory, torch.stack(alphas, 1), torch.stack(betas, 1)


@register("two_tower_gate")
class TwoTowerGate(Fusion):
    r"""Two towers joined by an interaction module made of a gate and a residual block.

    Each modality has its own tower ``t_m = MLP_m(x_m)`` (``d_m -> hidden_dim -> output_dim``).
    The interaction module mixes them per feature and adds a learned correction:

    .. math::
        g = \sigma(W_g [t_1; t_2] + b_g),\quad
        z = \underbrace{g \odot t_1 + (1 - g) \odot t_2}_{\text{gated skip path}}
            + F([t_1; t_2]),

    with ``F = Linear(2 output_dim, hidden_dim) -> ReLU -> Linear(hidden_dim, output_dim)``.
    If ``F`` outputs zero, ``z`` is the gated mixture (the identity path of a residual block).
    Vector inputs ``x_m (batch, d_m)``; returns ``(z (batch, output_dim), g (batch, output_dim))``.
    """

    min_modalities = max_modalities = 2
    example_hyper = {"hidden_dim": 4}

    def __init__(self, input_dims: Sequence[int], output_dim: int, hidden_dim: int = 32) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int("TwoTowerGate", "hidden_dim", hidden_dim)
        self.towers = nn.ModuleList(MLP(d, [hidden_dim], output_dim) for d in self.input_dims)
        self.gate = nn.Linear(2 * output_dim, output_dim)
        self.residual = MLP(2 * output_dim, [hidden_dim], output_dim)

    def fuse(self, x1: Tensor, x2: Tensor) -> tuple[Tensor, Tensor]:
        t1, t2 = self.towers[0](x1), self.towers[1](x2)
        both = torch.cat([t1, t2], dim=-1)
        g = torch.sigmoid(self.gate(both))
        return g * t1 + (1 - g) * t2 + self.residual(both), g


def _lengths_of_prefix_mask(owner: str, name: str, mask: Tensor) -> Tensor:
    """Lengths of a mask that is True on a prefix of every row; a ValueError otherwise."""
    lengths = mask.sum(dim=1)
    prefix = torch.arange(mask.shape[1], device=mask.device) < lengths.unsqueeze(1)
    if not torch.equal(prefix, mask):
        raise ValueError(
            f"{owner}: {name} must mark a prefix of each sequence (present steps first, padding "
            "after) so that the backward RNN starts at the last real step"
        )
    return lengths


@register("birnn_dual_attention")
class BiRNNDualAttention(Fusion):
    r"""A bidirectional GRU per modality, then dual-modality attention over each sequence.

    Every modality ``m`` is a sequence ``x_m (batch, L_m, d_m)``; the lengths may differ (for
    instance image regions, frames sampled at 8 Hz and frames sampled at 2 Hz). A BiGRU with
    ``hidden_dim`` units per direction gives states ``S_m (batch, L_m, 2 hidden_dim)`` and a
    summary ``p^{(0)}_m = mean_t S_{m,t}``. Each modality is then attended *under the guidance
    of the others*, in ``rounds`` rounds, each round guided by the previous round's results:

    .. math::
        c^{(r)}_m = \mathrm{mean}_{n \ne m}\, p^{(r-1)}_n,\quad
        \alpha^{(r)}_{m,t} = \mathrm{softmax}_t\big(w_{rm}^\top
            \tanh(A_{rm} S_{m,t} + B_{rm} c^{(r)}_m)\big),\quad
        p^{(r)}_m = \textstyle\sum_t \alpha^{(r)}_{m,t} S_{m,t},

    and ``z = W_o [p^{(R)}_1; \dots; p^{(R)}_M] + b_o``. One round lets a modality use what the
    others contain on average; a second lets it use what the others *attended to* (the frames
    at the time of an event, say, to pick the image region seen at that time).

    Returns ``(z (batch, output_dim), [alpha_1 (batch, L_1), ..., alpha_M (batch, L_M)])``, the
    weights of the last round.
    ``masks``: an optional list with one ``(batch, L_m)`` mask (or ``None``) per modality; a mask
    must mark a prefix (padding at the end), and the BiGRU then skips the padding.
    """

    input_ndim = 3
    example_hyper = {"hidden_dim": 3, "attention_dim": 4, "rounds": 2}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        hidden_dim: int = 32,
        attention_dim: int = 32,
        rounds: int = 2,
    ) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int("BiRNNDualAttention", "hidden_dim", hidden_dim)
        check_positive_int("BiRNNDualAttention", "attention_dim", attention_dim)
        check_positive_int("BiRNNDualAttention", "rounds", rounds)
        state = 2 * hidden_dim
        self.rnns = nn.ModuleList(
            nn.GRU(d, hidden_dim, batch_first=True, bidirectional=True) for d in self.input_dims
        )
        self.attention = nn.ModuleList(
            nn.ModuleList(GuidedAttention(state, attention_dim) for _ in self.input_dims)
            for _ in range(rounds)
        )
        self.out = nn.Linear(self.n_modalities * state, output_dim)

    def _encode(self, rnn: nn.GRU, x: Tensor, lengths: Tensor | None) -> Tensor:
        if lengths is None:
            return rnn(x)[0]
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        return pad_packed_sequence(rnn(packed)[0], batch_first=True, total_length=x.shape[1])[0]

    def fuse(
        self, *inputs: Tensor, masks: Sequence[Tensor | None] | None = None
    ) -> tuple[Tensor, list[Tensor]]:
        name = type(self).__name__
        if masks is None:
            masks = [None] * self.n_modalities
        if not isinstance(masks, list | tuple) or len(masks) != self.n_modalities:
            raise ValueError(f"{name}: masks must be a list with one mask (or None) per modality")
        checked = [
            check_mask(name, f"masks[{i}]", m, x, x.shape[1])
            for i, (m, x) in enumerate(zip(masks, inputs, strict=True))
        ]
        states, summaries = [], []
        for i, (rnn, x, m) in enumerate(zip(self.rnns, inputs, checked, strict=True)):
            lengths = None if m is None else _lengths_of_prefix_mask(name, f"masks[{i}]", m)
            s = self._encode(rnn, x, lengths)
            states.append(s)
            summaries.append(masked_mean(s, m))
        pooled, weights = summaries, []
        for round_attention in self.attention:
            total = torch.stack(pooled, 0).sum(0)
            new, weights = [], []
            for att, s, previous, m in zip(round_attention, states, pooled, checked, strict=True):
                p, alpha = att(s, (total - previous) / (self.n_modalities - 1), m)
                new.append(p)
                weights.append(alpha)
            pooled = new
        return self.out(torch.cat(pooled, dim=-1)), weights


@register("relative_stacked_attention")
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
    Returns ``(z (batch, output_dim), p (batch, hops, L_r))``.
    """

    example_hyper = {"hops": 2, "hidden_dim": 4}

    def __init__(
        self, input_dims: Sequence[int], output_dim: int, hops: int = 2, hidden_dim: int = 32
    ) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int("RelativeStackedAttention", "hops", hops)
        check_positive_int("RelativeStackedAttention", "hidden_dim", hidden_dim)
        d, k = self.input_dims[1], output_dim
        self.hops = nn.ModuleList(GuidedAttention(k, hidden_dim, learn_scale=True) for _ in range(hops))
        self.relative = nn.ModuleList(MLP(3 * d, [hidden_dim], k) for _ in range(hops - 1))
        self.out = MLP(2 * k + hops * d, [hidden_dim], k)

    def fuse(
        self,
        question: Tensor,
        regions: Tensor,
        question_mask: Tensor | None = None,
        region_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        q, encoded, qm, rm = self._prepare(question, regions, question_mask, region_mask)
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
        return z, torch.stack(weights, dim=1)

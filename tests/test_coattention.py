"""Co-attention and multi-step reasoning (chapter 5): weights, masks, hops, gates, BiRNN."""

from __future__ import annotations

import pytest
import torch

from mmlearn import fusion
from tests.helpers import randn

pytestmark = pytest.mark.usefixtures("float64_default")


QI = [
    "stacked_attention",
    "parallel_co_attention",
    "alternating_co_attention",
    "dual_attention",
    "relative_stacked_attention",
]
QM = torch.tensor([[True, True, False], [True, True, True]])
RM = torch.tensor([[True, False, True, True, False], [True, True, True, True, True]])


def _build(name):
    torch.manual_seed(0)
    return fusion.build(name, [6, 5], 8, hidden_dim=8)


@pytest.mark.parametrize("name", QI)
def test_weights_sum_to_one_and_are_zero_on_masked_elements(name):
    f = _build(name)
    q, r = randn(2, 3, 6), randn(2, 5, 5, seed=1)
    z, weights = f(q, r, masks=[QM, RM], return_weights=True)
    assert z.shape == (2, 8)
    assert set(weights) == set(f.weight_names)
    for key, w in weights.items():
        assert w.shape[-1] == (3 if key == "question" else 5)
        length = w.shape[-1]
        mask = QM if length == 3 else RM
        torch.testing.assert_close(w.sum(-1), torch.ones(w.shape[:-1]))
        expanded = mask if w.dim() == 2 else mask[:, None, :].expand_as(w)
        assert (w[~expanded] == 0).all()


@pytest.mark.parametrize("name", QI)
def test_padding_has_no_influence_when_masked(name):
    f = _build(name)
    q, r = randn(2, 3, 6), randn(2, 5, 5, seed=1)
    z = f(q, r, masks=[QM, RM])
    q2, r2 = q.clone(), r.clone()
    q2[~QM], r2[~RM] = 7.0, -7.0
    torch.testing.assert_close(f(q2, r2, masks=[QM, RM]), z)
    # the same sample without its padding gives the same result
    z0 = f(q[:1, QM[0]], r[:1, RM[0]])
    torch.testing.assert_close(z0, z[:1])


@pytest.mark.parametrize("name", QI)
def test_mask_errors_name_the_mask(name):
    f = _build(name)
    q, r = randn(2, 3, 6), randn(2, 5, 5, seed=1)
    with pytest.raises(ValueError, match=r"masks\[1\] must have shape"):
        f(q, r, masks=[None, QM])
    with pytest.raises(ValueError, match=r"masks\[0\] masks out every element"):
        f(q, r, masks=[torch.zeros(2, 3, dtype=torch.bool), None])


def test_stacked_attention_hops_refine_the_query():
    f = fusion.build("stacked_attention", [6, 5], 8, hops=3, hidden_dim=8)
    q, r = randn(4, 1, 6), randn(4, 5, 5, seed=1)
    u, weights = f(q, r, return_weights=True)
    p = weights["regions"]
    assert p.shape == (4, 3, 5)
    # u_K = u_0 + sum_k sum_i p_ki v_i
    v = f.project_r(r)
    expected = f.project_q(q[:, 0]) + torch.einsum("bki,bid->bd", p, v)
    torch.testing.assert_close(u, expected)
    with torch.no_grad():  # a hop whose score vector is zero averages the regions
        f.hops[0].w.weight.zero_()
    p = f(q, r, return_weights=True).weights["regions"]
    torch.testing.assert_close(p[:, 0], torch.full((4, 5), 0.2))


def test_a_vector_question_is_a_length_one_sequence():
    f = _build("stacked_attention")
    q, r = randn(3, 6), randn(3, 5, 5, seed=1)
    with pytest.raises(ValueError, match="must have shape"):
        f(q, r)
    a = f(q[:, None], r)
    b = f(q[:, None].expand(3, 4, 6).contiguous(), r)  # the mean of identical words
    torch.testing.assert_close(a, b)


def test_dual_attention_memory_update():
    f = fusion.build("dual_attention", [6, 5], 8, hops=1, hidden_dim=8)
    q, r = randn(2, 3, 6), randn(2, 5, 5, seed=1)
    m, weights = f(q, r, return_weights=True)
    alpha, beta = weights["regions"], weights["question"]  # (batch, hops, L_r), (batch, hops, L_q)
    qp, vp = f.project_q(q), f.project_r(r)
    m0 = vp.mean(1) * qp.mean(1)
    v1 = torch.tanh(f.visual[0]["p"](torch.einsum("bl,blk->bk", alpha[:, 0], vp)))
    u1 = torch.tanh(f.textual[0]["p"](torch.einsum("bl,blk->bk", beta[:, 0], qp)))
    torch.testing.assert_close(m, m0 + v1 * u1)


def test_parallel_coattention_without_affinity_is_two_independent_attentions():
    f = _build("parallel_coattention")
    with torch.no_grad():
        f.affinity.weight.zero_()
    q, r = randn(2, 3, 6), randn(2, 5, 5, seed=1)
    z, weights = f(q, r, return_weights=True)
    a_q, a_v = weights["question"], weights["regions"]
    qp, vp = f.project_q(q), f.project_r(r)
    torch.testing.assert_close(a_v, f.score_v(torch.tanh(f.w_v(vp))).squeeze(-1).softmax(1))
    torch.testing.assert_close(a_q, f.score_q(torch.tanh(f.w_q(qp))).squeeze(-1).softmax(1))


def test_two_tower_gate_bounds_residual_path_and_count():
    torch.manual_seed(0)
    o, h = 7, 8
    f = fusion.build("two_tower_gate", [6, 5], o, hidden_dim=h)
    x1, x2 = 5 * randn(20, 6), 5 * randn(20, 5, seed=1)
    g = f(x1, x2, return_weights=True).weights["gates"]
    assert ((g > 0) & (g < 1)).all() and g.shape == (20, o)
    with torch.no_grad():
        f.residual[-1].weight.zero_()
        f.residual[-1].bias.zero_()
    z, weights = f(x1, x2, return_weights=True)
    g = weights["gates"]
    t1, t2 = f.towers[0](x1), f.towers[1](x2)
    torch.testing.assert_close(z, g * t1 + (1 - g) * t2)
    towers = (6 * h + h + h * o + o) + (5 * h + h + h * o + o)
    assert f.n_params == towers + (2 * o * o + o) + (2 * o * h + h + h * o + o)


def test_birnn_dual_attention_sequences_of_different_rates_and_padding():
    torch.manual_seed(0)
    f = fusion.build("bi_rnn_dual_attention", [4, 3, 3], 6, hidden_dim=5, attention_dim=7)
    img, fast, slow = randn(2, 4, 4), randn(2, 8, 3, seed=1), randn(2, 2, 3, seed=2)
    z, weights = f(img, fast, slow, return_weights=True)
    ws = [weights[f"modality_{m}"] for m in range(3)]
    assert z.shape == (2, 6) and [w.shape for w in ws] == [(2, 4), (2, 8), (2, 2)]
    for w in ws:
        torch.testing.assert_close(w.sum(-1), torch.ones(2))
    # pad the fast sequence of sample 0 to length 11: with its mask, nothing changes
    padded = torch.cat([fast, 100 * torch.ones(2, 3, 3)], 1)
    mask = torch.tensor([[True] * 8 + [False] * 3] * 2)
    z2, ws2 = f(img, padded, slow, masks=[None, mask, None], return_weights=True)
    torch.testing.assert_close(z2, z)
    assert (ws2["modality_1"][:, 8:] == 0).all()
    assert f.n_params == sum(3 * 2 * 5 * (d + 5 + 2) for d in (4, 3, 3)) + 2 * 3 * (
        10 * 7 + 10 * 7 + 7 + 7
    ) + (30 * 6 + 6)  # 2 rounds of attention


def test_birnn_dual_attention_mask_errors():
    f = fusion.build("bi_rnn_dual_attention", [4, 3], 6, hidden_dim=5)
    a, b = randn(2, 4, 4), randn(2, 3, 3, seed=1)
    with pytest.raises(ValueError, match="one bool mask"):
        f(a, b, masks=[None])
    hole = torch.tensor([[True, False, True], [True, True, True]])
    with pytest.raises(ValueError, match=r"masks\[1\] must mark a prefix"):
        f(a, b, masks=[None, hole])


def test_relative_stacked_attention_second_hop_sees_offsets_to_the_first_pick():
    torch.manual_seed(0)
    f = fusion.build("relative_stacked_attention", [6, 5], 8, hops=2, hidden_dim=8)
    q, r = randn(3, 1, 6), randn(3, 4, 5, seed=1)
    p = f(q, r, return_weights=True).weights["regions"]
    assert p.shape == (3, 2, 4)
    torch.testing.assert_close(p.sum(-1), torch.ones(3, 2))
    # hop 2 scores regions from [R_i; R_i - r_1]: moving a region changes its hop-2 weight
    r2 = r.clone()
    r2[:, 0] += 3.0
    assert not torch.allclose(f(q, r2, return_weights=True).weights["regions"][:, 1], p[:, 1])
    assert (
        f.n_params
        == (6 * 8 + 8)
        + (5 * 8 + 8)
        + 2 * (8 * 8 + 8 + 8 * 8 + 8)
        + (15 * 8 + 8 + 8 * 8 + 8)
        + ((2 * 8 + 2 * 5) * 8 + 8 + 8 * 8 + 8)
        + 2
    )  # + one log-scale per hop


@pytest.mark.parametrize("name", ["stacked_attention", "relative_stacked_attention", "dual_attention"])
def test_question_scene_model_returns_logits_and_the_fusion_weights(name):
    from mmlearn.models import QuestionSceneModel

    torch.manual_seed(0)
    raw = name == "relative_stacked_attention"
    m = QuestionSceneModel(name, 11, 10, 18, dim=16, encode_regions=not raw, hops=2)
    q, objects = randn(4, 11), randn(4, 6, 10, seed=1)
    logits, weights = m.attend(q, objects)
    assert logits.shape == (4, 18) and weights["regions"].shape == (4, 2, 6)
    torch.testing.assert_close(m(q, objects), logits)
    tokens = QuestionSceneModel(name, 0, 10, 18, dim=16, vocab_size=14, encode_regions=not raw)
    assert tokens(torch.randint(0, 14, (4, 3)), objects).shape == (4, 18)


def test_attention_drawing_and_explorer():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from mmlearn.viz.attention_explorer import attention_explorer, draw_attention

    image, centres = np.zeros((3, 16, 16)), np.array([[0.25, 0.25], [0.75, 0.5]])
    fig, ax = plt.subplots()
    draw_attention(ax, image, centres, np.array([0.9, 0.1]), "t")
    widths = sorted(p.get_linewidth() for p in ax.patches)
    assert len(widths) == 2 and widths[1] > widths[0]  # the ring grows with the weight
    assert ax.texts[0].get_text() == "0.90"
    plt.close(fig)
    weights = np.full((2, 3, 2), 0.5)
    box = attention_explorer(np.zeros((2, 3, 16, 16)), np.stack([centres] * 2), weights, ["a", "b"])
    assert [w.max for w in box.children[0].children] == [1, 2]
    with pytest.raises(ValueError, match="one entry per sample"):
        attention_explorer(np.zeros((3, 3, 16, 16)), np.stack([centres] * 2), weights, ["a", "b"])


def test_alternating_coattention_uses_its_three_steps_in_order():
    """Step 1 summarises the question, step 2 attends to the regions, step 3 to the question:
    silencing one step's scores makes exactly that step's weights uniform."""
    f = _build("alternating_co_attention")
    q, r = randn(2, 3, 6), randn(2, 5, 5, seed=1)
    with torch.no_grad():
        f.steps[1].w.weight.zero_()  # the region step
    w = f(q, r, return_weights=True).weights
    torch.testing.assert_close(w["regions"], torch.full((2, 5), 0.2))
    assert w["question"].std() > 1e-3  # the question step still discriminates
    g = _build("alternating_co_attention")
    with torch.no_grad():
        g.steps[2].w.weight.zero_()  # the question step
    w = g(q, r, return_weights=True).weights
    torch.testing.assert_close(w["question"], torch.full((2, 3), 1 / 3))
    assert w["regions"].std() > 1e-3

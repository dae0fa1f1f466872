"""Attention and gating (chapter 4): weights on the simplex, masks respected, equivalences."""

from __future__ import annotations

import pytest
import torch

from mmlearn import fusion
from mmlearn.nn import MultiHeadAttention, check_mask, masked_softmax, scaled_dot_product_attention
from tests.helpers import randn

pytestmark = pytest.mark.usefixtures("float64_default")


def test_scaled_dot_product_matches_the_formula_and_torch():
    q, k, v = randn(2, 3, 4, seed=1), randn(2, 5, 4, seed=2), randn(2, 5, 6, seed=3)
    mask = torch.tensor([[True, True, False, True, False], [True] * 5])[:, None, :]
    out, w = scaled_dot_product_attention(q, k, v, mask)
    scores = (q @ k.transpose(1, 2)) / 2.0  # sqrt(d_k) = 2
    scores = scores.masked_fill(~mask, float("-inf"))
    torch.testing.assert_close(w, scores.softmax(-1))
    torch.testing.assert_close(out, w @ v)
    torch.testing.assert_close(out, torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask))
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3))
    assert (w[0][:, [2, 4]] == 0).all()


def test_masked_softmax_gradient_is_finite_and_zero_on_masked_entries():
    s = randn(3, 4).requires_grad_()
    mask = torch.tensor([[True, False, True, True]] * 3)
    w = masked_softmax(s, mask)
    (w * randn(3, 4, seed=5)).sum().backward()
    assert torch.isfinite(s.grad).all() and (s.grad[:, 1] == 0).all()


def test_check_mask_errors_name_the_argument():
    x = randn(2, 3)
    with pytest.raises(TypeError, match="my_mask must be a bool"):
        check_mask(torch.ones(2, 3), "my_mask", "Owner", x, 3)
    with pytest.raises(ValueError, match=r"my_mask must have shape \(batch, length\) = \(2, 3\)"):
        check_mask(torch.ones(2, 4, dtype=torch.bool), "my_mask", "Owner", x, 3)
    with pytest.raises(ValueError, match="rows \\[1\\]"):
        check_mask(torch.tensor([[True, False, False], [False] * 3]), "my_mask", "Owner", x, 3)
    with pytest.raises(ValueError, match=r"my_mask must have shape \(batch,\) = \(2,\)"):
        check_mask(torch.ones(3, dtype=torch.bool), "my_mask", "Owner", x)


def test_multihead_attention_equals_torch_multiheadattention():
    torch.manual_seed(0)
    ours = MultiHeadAttention(8, 2)
    ref = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([ours.q.weight, ours.k.weight, ours.v.weight]))
        ref.in_proj_bias.copy_(torch.cat([ours.q.bias, ours.k.bias, ours.v.bias]))
        ref.out_proj.weight.copy_(ours.o.weight)
        ref.out_proj.bias.copy_(ours.o.bias)
    xq, xk = randn(3, 4, 8, seed=1), randn(3, 5, 8, seed=2)
    key_mask = torch.tensor([[True] * 5, [True, True, False, False, False], [False, True] * 2 + [True]])
    out, w = ours(xq, xk, key_mask)
    ref_out, ref_w = ref(xq, xk, xk, key_padding_mask=~key_mask, average_attn_weights=False)
    torch.testing.assert_close(out, ref_out)
    torch.testing.assert_close(w, ref_w)


def test_attention_pooling_weights_sum_to_one_and_respect_the_mask():
    torch.manual_seed(0)
    f = fusion.build("attention_pool", [6, 5, 4], 7, hidden_dim=8)
    xs = [randn(4, d, seed=d) for d in (6, 5, 4)]
    alpha = f(*xs, return_weights=True).weights["modalities"]
    torch.testing.assert_close(alpha.sum(1), torch.ones(4))
    assert alpha.std(0).max() > 1e-3, "weights should depend on the sample"
    masks = [None, torch.zeros(4, dtype=torch.bool), None]
    z1, w1 = f(*xs, masks=masks, return_weights=True)
    assert (w1["modalities"][:, 1] == 0).all()
    xs[1] = xs[1] * 100
    torch.testing.assert_close(f(*xs, masks=masks), z1)  # a masked modality has no influence


def test_uniform_attention_equals_average_pooling():
    torch.manual_seed(0)
    f = fusion.build("attention_pool", [6, 5], 7)
    avg = fusion.build("avg_pool", [6, 5], 7)
    avg.project.load_state_dict(f.project.state_dict())
    with torch.no_grad():
        f.score.w.weight.zero_()
    xs = [randn(3, 6), randn(3, 5, seed=1)]
    z, weights = f(*xs, return_weights=True)
    torch.testing.assert_close(weights["modalities"], torch.full((3, 2), 0.5))
    torch.testing.assert_close(z, avg(*xs))


def test_attention_pooling_parameter_count():
    dims, o, h = [6, 5, 4], 7, 8
    f = fusion.build("attention_pool", dims, o, hidden_dim=h)
    assert f.n_params == sum(d * o + o for d in dims) + (o * h + h) + h


def test_gmu_gates_are_convex_and_output_bounded():
    torch.manual_seed(0)
    f = fusion.build("gmu", [6, 5, 4], 7)
    xs = [10 * randn(50, d, seed=d) for d in (6, 5, 4)]
    z, weights = f(*xs, return_weights=True)
    g = weights["gates"]
    assert g.shape == (50, 3, 7)
    assert ((g > 0) & (g < 1)).all()
    torch.testing.assert_close(g.sum(1), torch.ones(50, 7))
    assert (z.abs() < 1).all()
    dims, m, o = (6, 5, 4), 3, 7
    hidden = sum(dims) * o  # tanh(W_m x_m), no bias
    gate = sum(dims) * (m * o) + m * o  # G [x_1; ...; x_M] + c, one logit per modality and unit
    assert f.n_params == hidden + gate


def test_two_modality_gmu_is_the_sigmoid_gmu_of_arevalo():
    torch.manual_seed(0)
    f = fusion.build("gmu", [6, 5], 7)
    x1, x2 = randn(4, 6), randn(4, 5, seed=1)
    z, weights = f(x1, x2, return_weights=True)
    g = weights["gates"]
    logits = f.gate(torch.cat([x1, x2], 1)).view(4, 2, 7)
    gate = torch.sigmoid(logits[:, 0] - logits[:, 1])
    h1, h2 = torch.tanh(f.hidden[0](x1)), torch.tanh(f.hidden[1](x2))
    torch.testing.assert_close(z, gate * h1 + (1 - gate) * h2)
    torch.testing.assert_close(g[:, 0], gate)


def test_gated_sum_gates_open_is_the_plain_sum():
    torch.manual_seed(0)
    f = fusion.build("gated_sum", [6, 5], 7)
    xs = [randn(4, 6), randn(4, 5, seed=1)]
    g = f(*xs, return_weights=True).weights["gates"]
    assert ((g > 0) & (g < 1)).all() and g.shape == (4, 2, 7)
    assert (g.sum(1) - 1).abs().max() > 1e-2, "gated sum gates are not normalised over modalities"
    with torch.no_grad():
        f.gate.weight.zero_()
        f.gate.bias.fill_(50.0)
    z = f(*xs)
    torch.testing.assert_close(z, f.project.linears[0](xs[0]) + f.project.linears[1](xs[1]))
    assert f.n_params == (6 * 7 + 7) + (5 * 7 + 7) + (11 * 14 + 14)


def test_modality_self_attention_weights_and_mask():
    torch.manual_seed(0)
    f = fusion.build("modality_self_attention", [6, 5, 4], 8, heads=2, ff_dim=16)
    xs = [randn(3, d, seed=d) for d in (6, 5, 4)]
    z, weights = f(*xs, return_weights=True)
    w = weights["self_attention"]
    assert z.shape == (3, 8) and w.shape == (3, 2, 3, 3)
    torch.testing.assert_close(w.sum(-1), torch.ones(3, 2, 3))
    masks = [None, None, torch.zeros(3, dtype=torch.bool)]
    z1, w1 = f(*xs, masks=masks, return_weights=True)
    assert (w1["self_attention"][..., 2] == 0).all()
    xs[2] = xs[2] + 5
    torch.testing.assert_close(f(*xs, masks=masks), z1)
    with pytest.raises(ValueError, match="heads"):
        fusion.build("modality_self_attention", [6, 5], 8, heads=3)


def test_cross_modal_transformer_respects_both_masks():
    torch.manual_seed(0)
    f = fusion.build("cross_modal_transformer", [6, 5], 8, heads=2, ff_dim=16)
    q, kv = randn(2, 4, 6), randn(2, 5, 5, seed=1)
    qm = torch.tensor([[True, True, True, False], [True, False, False, False]])
    km = torch.tensor([[True, False, True, True, True], [True, True, False, False, False]])
    z, weights = f(q, kv, masks=[qm, km], return_weights=True)
    w = weights["cross_attention"]
    assert w.shape == (2, 2, 4, 5)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 2, 4))
    assert (w.masked_select(~km[:, None, None, :].expand_as(w)) == 0).all()
    q2, kv2 = q.clone(), kv.clone()
    q2[~qm] = 9.0
    kv2[~km] = -9.0
    torch.testing.assert_close(f(q2, kv2, masks=[qm, km]), z)
    # Without masks the padding changes the result: the masks are what removes it.
    assert not torch.allclose(f(q2, kv2), z)


def test_cross_modal_transformer_mask_errors():
    f = fusion.build("cross_modal_transformer", [6, 5], 8)
    q, kv = randn(2, 4, 6), randn(2, 5, 5, seed=1)
    with pytest.raises(ValueError, match=r"masks\[1\] must have shape"):
        f(q, kv, masks=[None, torch.ones(2, 4, dtype=torch.bool)])
    with pytest.raises(TypeError, match=r"masks\[0\] must be a bool"):
        f(q, kv, masks=[torch.ones(2, 4), None])


def test_modality_self_attention_adds_the_modality_embedding_to_each_token():
    torch.manual_seed(0)
    f = fusion.build("modality_self_attention", [6, 5, 4], 8, heads=2, ff_dim=16)
    xs = [randn(3, d, seed=d) for d in (6, 5, 4)]
    seen = []
    f.block.register_forward_hook(lambda module, args, out: seen.append(args[0]))
    f(*xs)
    torch.testing.assert_close(seen[0], f.project(xs) + f.modality_embedding)

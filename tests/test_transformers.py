"""Multimodal transformers (chapter 14): what each attention pattern implies, checked exactly."""

from __future__ import annotations

import pytest
import torch

from benchmarks.bench_token_cost import NAMES, Config, build, counted_flops, formula_flops, make_sequences
from mmlearn import fusion
from mmlearn.fusion import AttentionBottleneck, GatedCrossAttention, QueryResampler
from mmlearn.metrics import emap_projection
from mmlearn.nn import GatedCrossAttentionBlock

SMALL = {"mm_dim": 4, "heads": 2, "ff_dim": 6}


def _sequences(dims, lengths, batch=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [
        torch.randn(batch, n, d, generator=g, dtype=torch.float64) for d, n in zip(dims, lengths, strict=True)
    ]


def test_gated_cross_attention_equals_the_frozen_path_at_initialisation():
    torch.manual_seed(0)
    model = GatedCrossAttention([5, 3, 2], 4, n_layers=2, **SMALL).double()
    x0, x1, x2 = _sequences((5, 3, 2), (4, 6, 3))
    frozen = model.frozen_forward(x0)
    assert torch.equal(model(x0, x1, x2), frozen)  # bit for bit: tanh(0) = 0
    # whatever the other modalities hold, and with masks too
    mask0 = torch.ones(4, 4, dtype=torch.bool)
    mask0[1, 2:] = False
    assert torch.equal(model(x0, 10 * x1, -x2, masks=[mask0, None, None]), model.frozen_forward(x0, mask0))


def test_gated_cross_attention_trains_only_the_gated_part_and_the_gates_open():
    torch.manual_seed(0)
    model = GatedCrossAttention([5, 3], 4, n_layers=1, **SMALL).double()
    trainable = sum(p.numel() for n, p in model.named_parameters() if not n.startswith("frozen."))
    assert model.n_params == trainable
    assert all(not p.requires_grad for p in model.frozen.parameters())
    frozen_before = {k: v.clone() for k, v in model.frozen.state_dict().items()}
    x0, x1 = _sequences((5, 3), (4, 6))
    target = torch.randn(4, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    loss = (model(x0, x1) - target).pow(2).mean()
    loss.backward()
    block = model.gated[0]
    assert isinstance(block, GatedCrossAttentionBlock)
    # at alpha = 0 the gates get a gradient, the attention inside them none yet
    assert block.alpha_attention.grad is not None and block.alpha_attention.grad.abs() > 0
    assert block.attention.q.weight.grad is not None and block.attention.q.weight.grad.abs().max() == 0
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    opt.step()
    assert block.alpha_attention.item() != 0
    assert not torch.equal(model(x0, x1), model.frozen_forward(x0))
    for key, value in model.frozen.state_dict().items():
        assert torch.equal(value, frozen_before[key]), key


def test_gated_cross_attention_rejects_bad_gate_init():
    with pytest.raises(TypeError, match="gate_init"):
        GatedCrossAttention([5, 3], 4, gate_init="zero")


def test_one_bottleneck_layer_is_additive_two_are_not():
    """In MBT's first fusion layer each modality reads only itself and the *learned* bottleneck
    tokens, so one layer gives g_1(x_1) + g_2(x_2) (its EMAP projection is itself); with two
    layers the bottleneck carries information across and the model has interactions."""
    x1, x2 = _sequences((3, 2), (4, 5), batch=12)
    for layers, additive in ((1, True), (2, False)):
        torch.manual_seed(0)
        model = AttentionBottleneck([3, 2], 3, n_layers=layers, n_bottlenecks=2, **SMALL).double()
        with torch.no_grad():  # a larger bottleneck init makes the cross-modal path visible
            model.bottleneck.mul_(50)
        out = model(x1, x2)
        projected = emap_projection(lambda a, b, m=model: m(a, b), x1, x2).double()
        assert torch.allclose(projected, out, atol=1e-10) == additive


def test_bottleneck_before_fusion_layer_modalities_are_separate():
    """With fusion_layer = n_layers - 1 = 1, the first layer runs per modality: changing x_2
    changes the output only through the one fusion layer (still additive: one fusion layer)."""
    torch.manual_seed(0)
    model = AttentionBottleneck([3, 2], 3, n_layers=2, fusion_layer=1, n_bottlenecks=2, **SMALL).double()
    x1, x2 = _sequences((3, 2), (4, 5), batch=10)
    projected = emap_projection(lambda a, b: model(a, b), x1, x2).double()
    torch.testing.assert_close(projected, model(x1, x2), rtol=0, atol=1e-10)
    with pytest.raises(ValueError, match="fusion_layer"):
        AttentionBottleneck([3, 2], 3, n_layers=2, fusion_layer=2)


@pytest.mark.parametrize("name", ["single_stream_transformer", "attention_bottleneck", "perceiver"])
def test_permuting_tokens_within_a_modality_changes_nothing(name):
    """No positional encoding is added: a modality's tokens form a set."""
    cls = fusion.get(name)
    torch.manual_seed(0)
    model = fusion.build(name, [3, 2, 4], 5, **cls.test_hyper).double()
    xs = _sequences((3, 2, 4), (5, 4, 3))
    perm = torch.randperm(5)
    torch.testing.assert_close(model(xs[0][:, perm], xs[1], xs[2]), model(*xs))


def test_query_resampler_output_length_is_fixed():
    torch.manual_seed(0)
    model = QueryResampler([3, 2], 5, n_queries=3, **SMALL).double()
    for length in (2, 40):
        x0, x1 = _sequences((3, 2), (4, length))
        assert model.resample(x0, x1).shape == (4, 3, 4)
    with pytest.raises(ValueError, match="input_dims"):
        model.resample(x0, x0)


@pytest.mark.parametrize("name", NAMES)
def test_flop_formula_matches_the_flop_counter(name):
    cfg = Config(batch=2, in_dim=3, mm_dim=4, heads=2, ff_dim=6, output_dim=5, n_bottlenecks=2, n_latents=3)
    model = build(name, cfg)
    for length in (1, 4, 7):
        assert counted_flops(model, make_sequences(length, cfg)) == formula_flops(name, length, cfg)


def test_perceiver_cost_is_linear_in_the_number_of_tokens_full_attention_quadratic():
    cfg = Config()
    per = [formula_flops("perceiver", n, cfg) for n in (64, 128, 256)]
    full = [formula_flops("single_stream_transformer", n, cfg) for n in (64, 128, 256)]
    assert per[2] - per[1] == 2 * (per[1] - per[0])  # equal increments: linear
    assert full[2] - full[1] > 2.5 * (full[1] - full[0])  # growing increments: quadratic

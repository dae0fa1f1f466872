"""Hybrid pooling (chapter 3): standardisation, global vs per-sample softmax weights, masks."""

from __future__ import annotations

import pytest
import torch

from mmlearn import fusion
from tests.helpers import randn

pytestmark = pytest.mark.usefixtures("float64_default")


def test_global_weights_are_the_softmax_of_the_logits_for_every_sample():
    torch.manual_seed(0)
    f = fusion.build("hybrid_pool", [6, 5, 4], 7, weighting="global")
    with torch.no_grad():
        f.logits.copy_(torch.tensor([0.3, -1.0, 2.0]))
    xs = [randn(5, d, seed=d) for d in (6, 5, 4)]
    z, weights = f(*xs, return_weights=True)
    alpha = weights["modalities"]
    torch.testing.assert_close(alpha, f.logits.softmax(0).expand(5, 3))
    h = f.project([torch.nn.functional.layer_norm(x, x.shape[-1:], eps=f.eps) for x in xs])
    torch.testing.assert_close(z, (alpha.unsqueeze(-1) * h).sum(1))


def test_standardisation_makes_the_result_invariant_to_each_modality_scale():
    torch.manual_seed(0)
    f = fusion.build("hybrid_pool", [6, 5], 7, eps=1e-12)
    xs = [randn(4, 6), randn(4, 5, seed=1)]
    z, a = f(*xs, return_weights=True)
    z2, a2 = f(1000 * xs[0] + 3, 0.01 * xs[1] - 7, return_weights=True)
    torch.testing.assert_close(z, z2)
    torch.testing.assert_close(a["modalities"], a2["modalities"])
    raw = fusion.build("hybrid_pool", [6, 5], 7, standardize=False)
    assert not torch.allclose(raw(*xs), raw(1000 * xs[0], xs[1]))


def test_per_sample_weights_sum_to_one_vary_and_respect_the_mask():
    torch.manual_seed(0)
    f = fusion.build("hybrid_pool", [6, 5, 4], 7, hidden_dim=8)
    xs = [randn(6, d, seed=d) for d in (6, 5, 4)]
    alpha = f(*xs, return_weights=True).weights["modalities"]
    torch.testing.assert_close(alpha.sum(1), torch.ones(6))
    assert alpha.std(0).max() > 1e-3
    mask = torch.tensor([[True, True, False]] * 3 + [[False, True, False]] * 3)
    masks = list(mask.unbind(1))  # one (batch,) mask per modality
    z1, w1 = f(*xs, masks=masks, return_weights=True)
    assert (w1["modalities"][~mask] == 0).all()
    torch.testing.assert_close(w1["modalities"][3:, 1], torch.ones(3))
    xs[2] = randn(6, 4, seed=9)
    torch.testing.assert_close(f(*xs, masks=masks), z1)


def test_equal_global_weights_equal_average_pooling_of_standardised_inputs():
    torch.manual_seed(0)
    f = fusion.build("hybrid_pool", [6, 5], 7, weighting="global")
    avg = fusion.build("avg_pool", [6, 5], 7)
    avg.project.load_state_dict(f.project.state_dict())
    xs = [randn(3, 6), randn(3, 5, seed=1)]
    std = [torch.nn.functional.layer_norm(x, x.shape[-1:], eps=f.eps) for x in xs]
    torch.testing.assert_close(f(*xs), avg(*std))


def test_parameter_counts():
    dims, o, h = [6, 5, 4], 7, 8
    proj = sum(d * o + o for d in dims)
    assert fusion.build("hybrid_pool", dims, o, weighting="global").n_params == proj + 3
    assert fusion.build("hybrid_pool", dims, o, hidden_dim=h).n_params == proj + o * h + h + h


def test_bad_hyper_parameters_are_named():
    with pytest.raises(ValueError, match="weighting must be one of"):
        fusion.build("hybrid_pool", [3, 4], 5, weighting="learned")
    with pytest.raises(ValueError, match="eps must be a positive"):
        fusion.build("hybrid_pool", [3, 4], 5, eps=0.0)
    with pytest.raises(ValueError, match="hidden_dim"):
        fusion.build("hybrid_pool", [3, 4], 5, hidden_dim=0)


def test_old_weights_keyword_still_works_with_a_warning():
    with pytest.warns(DeprecationWarning, match="weighting"):
        old = fusion.build("hybrid_pool", [3, 4], 5, weights="global")
    assert old.weighting == "global"
    with pytest.raises(TypeError, match="only"):
        fusion.build("hybrid_pool", [3, 4], 5, weights="global", weighting="global")


# ---- mixed and gated max-average pooling (Yu et al. 2014; Lee, Gallagher & Tu 2016) ----


def _copy_projections(src, dst):
    dst.project.load_state_dict(src.project.state_dict())
    return dst


def test_mixed_pool_is_the_learned_interpolation_of_max_and_average():
    torch.manual_seed(0)
    dims = [5, 3, 4]
    f = fusion.build("mixed_pool", dims, 6, per_channel=True)
    with torch.no_grad():
        f.theta.copy_(torch.linspace(-2, 2, 6))
    xs = [randn(4, d, seed=d) for d in dims]
    z, w = f(*xs, return_weights=True)
    a = torch.sigmoid(f.theta)
    h = f.project(xs)
    torch.testing.assert_close(w["mix"], a.expand(4, 6))
    torch.testing.assert_close(z, a * h.amax(1) + (1 - a) * h.mean(1))
    for theta, name in [(40.0, "max_pool"), (-40.0, "avg_pool")]:
        with torch.no_grad():
            f.theta.fill_(theta)
        ref = _copy_projections(f, fusion.build(name, dims, 6))
        torch.testing.assert_close(f(*xs), ref(*xs))
    assert fusion.build("mixed_pool", dims, 6).n_params == ref.n_params + 1
    assert f.n_params == ref.n_params + 6


def test_stochastic_mixed_pool_draws_max_or_average_in_training_and_averages_in_eval():
    torch.manual_seed(0)
    f = fusion.build("mixed_pool", [4, 4, 4], 50, mixing="stochastic", p=0.3)
    xs = [randn(40, 4, seed=s) for s in range(3)]
    h = f.project(xs)
    z, w = f(*xs, return_weights=True)
    a = w["mix"]
    assert set(a.unique().tolist()) == {0.0, 1.0}
    assert 0.2 < a.mean().item() < 0.4
    torch.testing.assert_close(z, a * h.amax(1) + (1 - a) * h.mean(1))
    f.eval()
    z_eval, w_eval = f(*xs, return_weights=True)
    torch.testing.assert_close(w_eval["mix"], torch.full_like(a, 0.3))
    torch.testing.assert_close(z_eval, 0.3 * h.amax(1) + 0.7 * h.mean(1))
    assert f.n_params == fusion.build("avg_pool", [4, 4, 4], 50).n_params


def test_gated_pool_gate_depends_on_the_pooled_values():
    torch.manual_seed(0)
    dims = [5, 3, 4, 2]
    f = fusion.build("gated_pool", dims, 6)
    with torch.no_grad():
        f.omega.copy_(torch.tensor([1.0, -2.0, 0.5, 0.3]))
        f.bias.fill_(0.2)
    xs = [randn(3, d, seed=d) for d in dims]
    z, w = f(*xs, return_weights=True)
    h = f.project(xs)
    a = torch.sigmoid(torch.einsum("bmo,m->bo", h, f.omega) + f.bias)
    torch.testing.assert_close(w["gate"], a)
    torch.testing.assert_close(z, a * h.amax(1) + (1 - a) * h.mean(1))
    assert a.std() > 1e-3  # differs per sample and unit
    assert f.n_params == fusion.build("avg_pool", dims, 6).n_params + len(dims) + 1
    one = f(*[x[:1] for x in xs])
    torch.testing.assert_close(one, z[:1])  # batch of one


def test_mixed_pool_rejects_bad_arguments():
    with pytest.raises(ValueError, match="mixing"):
        fusion.build("mixed_pool", [3, 4], 5, mixing="random")
    with pytest.raises(ValueError, match="p must"):
        fusion.build("mixed_pool", [3, 4], 5, mixing="stochastic", p=1.0)

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

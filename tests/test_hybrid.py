"""Hybrid pooling (chapter 3): standardisation, global vs per-sample softmax weights, masks."""

from __future__ import annotations

import pytest
import torch

from mmlearn import fusion as F
from tests.conftest import seeded_randn

pytestmark = pytest.mark.usefixtures("float64_default")
randn = seeded_randn


def test_global_weights_are_the_softmax_of_the_logits_for_every_sample():
    torch.manual_seed(0)
    f = F.build("hybrid_pool", [6, 5, 4], 7, weights="global")
    with torch.no_grad():
        f.logits.copy_(torch.tensor([0.3, -1.0, 2.0]))
    xs = [randn(5, d, seed=d) for d in (6, 5, 4)]
    z, alpha = f(*xs)
    torch.testing.assert_close(alpha, f.logits.softmax(0).expand(5, 3))
    h = f.project([torch.nn.functional.layer_norm(x, x.shape[-1:], eps=f.eps) for x in xs])
    torch.testing.assert_close(z, (alpha.unsqueeze(-1) * h).sum(1))


def test_standardisation_makes_the_result_invariant_to_each_modality_scale():
    torch.manual_seed(0)
    f = F.build("hybrid_pool", [6, 5], 7, eps=1e-12)
    xs = [randn(4, 6), randn(4, 5, seed=1)]
    z, a = f(*xs)
    z2, a2 = f(1000 * xs[0] + 3, 0.01 * xs[1] - 7)
    torch.testing.assert_close(z, z2)
    torch.testing.assert_close(a, a2)
    raw = F.build("hybrid_pool", [6, 5], 7, standardize=False)
    assert not torch.allclose(raw(*xs)[0], raw(1000 * xs[0], xs[1])[0])


def test_per_sample_weights_sum_to_one_vary_and_respect_the_mask():
    torch.manual_seed(0)
    f = F.build("hybrid_pool", [6, 5, 4], 7, hidden_dim=8)
    xs = [randn(6, d, seed=d) for d in (6, 5, 4)]
    z, alpha = f(*xs)
    torch.testing.assert_close(alpha.sum(1), torch.ones(6))
    assert alpha.std(0).max() > 1e-3
    mask = torch.tensor([[True, True, False]] * 3 + [[False, True, False]] * 3)
    z1, a1 = f(*xs, mask=mask)
    assert (a1[~mask] == 0).all()
    torch.testing.assert_close(a1[3:, 1], torch.ones(3))
    xs[2] = randn(6, 4, seed=9)
    torch.testing.assert_close(f(*xs, mask=mask)[0], z1)


def test_equal_global_weights_equal_average_pooling_of_standardised_inputs():
    torch.manual_seed(0)
    f = F.build("hybrid_pool", [6, 5], 7, weights="global")
    avg = F.build("avg_pool", [6, 5], 7)
    avg.project.load_state_dict(f.project.state_dict())
    xs = [randn(3, 6), randn(3, 5, seed=1)]
    std = [torch.nn.functional.layer_norm(x, x.shape[-1:], eps=f.eps) for x in xs]
    torch.testing.assert_close(f(*xs)[0], avg(*std))


def test_parameter_counts():
    dims, o, h = [6, 5, 4], 7, 8
    proj = sum(d * o + o for d in dims)
    assert F.build("hybrid_pool", dims, o, weights="global").n_params == proj + 3
    assert F.build("hybrid_pool", dims, o, hidden_dim=h).n_params == proj + o * h + h + h


def test_bad_hyper_parameters_are_named():
    with pytest.raises(ValueError, match="weights must be one of"):
        F.build("hybrid_pool", [3, 4], 5, weights="learned")
    with pytest.raises(ValueError, match="eps must be positive"):
        F.build("hybrid_pool", [3, 4], 5, eps=0.0)
    with pytest.raises(ValueError, match="hidden_dim"):
        F.build("hybrid_pool", [3, 4], 5, hidden_dim=0)

"""OGM-GE gradient modulation (chapter 14): the formulas, checked on hand-made values."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from mmlearn.training import modulate_gradients, ogm_coefficients, split_linear_head


def test_split_linear_head_sums_to_the_head():
    torch.manual_seed(0)
    head = nn.Linear(7, 3).double()
    features = [torch.randn(5, 4, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)]
    parts = split_linear_head(head, features)
    torch.testing.assert_close(parts[0] + parts[1], head(torch.cat(features, dim=1)))
    torch.testing.assert_close(parts[1], features[1] @ head.weight[:, 4:].T + head.bias / 2)
    with pytest.raises(ValueError, match="in_features = 7"):
        split_linear_head(head, [features[0]])


def test_coefficients_slow_down_only_the_modality_that_is_ahead():
    labels = torch.tensor([0, 1])
    # modality 0 gives the right class probability 0.8 on both samples, modality 1 gives 0.4
    strong = torch.log(torch.tensor([[0.8, 0.2], [0.2, 0.8]]))
    weak = torch.log(torch.tensor([[0.4, 0.6], [0.6, 0.4]]))
    k = ogm_coefficients([strong, weak], labels, alpha=0.5)
    assert k[1].item() == 1.0
    assert k[0].item() == pytest.approx(1 - math.tanh(0.5 * (1.6 / 0.8 - 1)), abs=1e-6)
    # equal confidence: nobody is slowed down
    torch.testing.assert_close(ogm_coefficients([weak, weak], labels), torch.ones(2))
    # three modalities: each against the mean of the others
    k3 = ogm_coefficients([strong, weak, weak], labels, alpha=0.5)
    assert k3[0].item() == pytest.approx(1 - math.tanh(0.5 * (1.6 / 0.8 - 1)), abs=1e-6)
    assert k3[1:].tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="alpha"):
        ogm_coefficients([strong, weak], labels, alpha=0)
    with pytest.raises(ValueError, match="M >= 2"):
        ogm_coefficients([strong], labels)


def test_modulate_gradients_scales_and_adds_noise_of_the_gradients_scale():
    torch.manual_seed(0)
    a, b = nn.Linear(200, 100), nn.Linear(3, 2)
    ((a.weight * torch.randn(100, 200)).sum() + b.weight.sum()).backward()
    ga, gb = a.weight.grad.clone(), b.weight.grad.clone()
    modulate_gradients([a.parameters(), b.parameters()], torch.tensor([0.25, 1.0]), noise=False)
    torch.testing.assert_close(a.weight.grad, 0.25 * ga)
    torch.testing.assert_close(b.weight.grad, gb)
    a.weight.grad.copy_(ga)
    modulate_gradients(
        [a.parameters(), b.parameters()],
        torch.tensor([0.25, 1.0]),
        generator=torch.Generator().manual_seed(1),
    )
    noise = a.weight.grad - 0.25 * ga
    # 20,000 draws: the sample std of the noise is within 3% of std(g)
    assert noise.std().item() == pytest.approx(ga.std().item(), rel=0.03)
    with pytest.raises(ValueError, match="coefficients"):
        modulate_gradients([a.parameters()], torch.ones(2))


def _toy(n=200, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(3, (n,), generator=g)
    strong = torch.nn.functional.one_hot(y, 3).float() * 3 + 0.1 * torch.randn(n, 3, generator=g)
    weak = torch.nn.functional.one_hot(y, 3).float() + torch.randn(n, 3, generator=g)
    return [strong, weak], y


def _model(seed=0):
    from mmlearn.training import LateHeadModel

    torch.manual_seed(seed)
    encs = [torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU()) for _ in range(2)]
    return LateHeadModel(encs, [4, 4], 3)


def test_late_head_model_is_a_linear_head_on_the_concatenation():
    model = _model()
    xs, _ = _toy(5)
    feats = model.features(*xs)
    torch.testing.assert_close(model(*xs), model.head(torch.cat(feats, -1)))
    with pytest.raises(ValueError, match="M >= 2"):
        from mmlearn.training import LateHeadModel

        LateHeadModel([torch.nn.Identity()], [3], 2)


@pytest.mark.parametrize("method", ["joint", "ogm_ge", "blend"])
def test_fit_imbalance_trains_and_is_seeded(method):
    from mmlearn.training import fit_imbalance

    xs, y = _toy()
    a, b = _model(), _model()
    ha = fit_imbalance(a, xs, y, method=method, epochs=3, seed=1)
    hb = fit_imbalance(b, xs, y, method=method, epochs=3, seed=1)
    assert ha == hb and ha[-1] < ha[0]
    aux_trained = not torch.equal(a.aux_heads[1].weight, _model().aux_heads[1].weight)
    assert aux_trained == (method == "blend")  # only blending trains the auxiliary heads


def test_methods_differ_and_blend_weights_matter():
    from mmlearn.training import fit_imbalance

    xs, y = _toy()
    out = {}
    for method, w in [("joint", None), ("ogm_ge", None), ("blend", None), ("blend", (1.0, 0.0, 0.0))]:
        model = _model()
        fit_imbalance(model, xs, y, method=method, epochs=2, blend_weights=w, alpha=2.0)
        out[(method, w)] = model.encoders[1][0].weight.detach().clone()
    assert not torch.equal(out[("joint", None)], out[("ogm_ge", None)])
    assert not torch.equal(out[("joint", None)], out[("blend", None)])
    # blending with zero weight on the auxiliary losses is joint training
    torch.testing.assert_close(out[("joint", None)], out[("blend", (1.0, 0.0, 0.0))])


def test_fit_imbalance_refuses_bad_arguments():
    from mmlearn.training import fit_imbalance

    xs, y = _toy(20)
    with pytest.raises(ValueError, match="method must be one of"):
        fit_imbalance(_model(), xs, y, method="ogm")
    with pytest.raises(ValueError, match="M = 2 tensors"):
        fit_imbalance(_model(), xs[:1], y)
    with pytest.raises(ValueError, match="M \\+ 1 = 3 values"):
        fit_imbalance(_model(), xs, y, method="blend", blend_weights=(1.0, 1.0))

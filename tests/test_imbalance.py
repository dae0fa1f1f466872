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

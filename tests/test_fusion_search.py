"""LayerFusionNet and random_architectures: the fused layers are the ones named, errors are named."""

import pytest
import torch

from mmlearn.models import LayerFusionNet, random_architectures


def test_head_reads_exactly_the_named_hidden_layers():
    torch.manual_seed(0)
    net = LayerFusionNet([5, 7], 3, [(1, 3), (2, 2)], hidden_dim=4, depth=3).double()
    x1, x2 = torch.randn(6, 5, dtype=torch.float64), torch.randn(6, 7, dtype=torch.float64)
    h1, h2 = net.hidden(x1, 0), net.hidden(x2, 1)
    assert len(h1) == 3 and h1[0].shape == (6, 4)
    z = torch.cat([h1[0], h2[2], h1[1], h2[1]], dim=-1)
    torch.testing.assert_close(net(x1, x2), net.head(z))
    assert net.head.in_features == 2 * 4 * 2
    expected_h1 = torch.relu(net.towers[0][1](torch.relu(net.towers[0][0](x1))))
    torch.testing.assert_close(h1[1], expected_h1)
    assert net.n_params == sum(p.numel() for p in net.parameters())


def test_gradients_reach_only_the_layers_used():
    torch.manual_seed(1)
    net = LayerFusionNet([3, 3], 2, [(1, 1)], hidden_dim=4, depth=3)
    net(torch.randn(4, 3), torch.randn(4, 3)).sum().backward()
    assert net.towers[0][0].weight.grad is not None and net.towers[0][0].weight.grad.abs().sum() > 0
    assert net.towers[0][2].weight.grad is None  # layer 3 is not on the path to the head


def test_bad_points_and_sizes_are_named():
    with pytest.raises(ValueError, match="non-empty list of distinct pairs"):
        LayerFusionNet([3, 3], 2, [])
    with pytest.raises(ValueError, match="non-empty list of distinct pairs"):
        LayerFusionNet([3, 3], 2, [(1, 1), (1, 1)])
    with pytest.raises(ValueError, match=r"1 <= i, j <= 3"):
        LayerFusionNet([3, 3], 2, [(0, 1)])
    with pytest.raises(ValueError, match="two input sizes"):
        LayerFusionNet([3, 3, 3], 2, [(1, 1)])
    with pytest.raises(ValueError, match="hidden_dim must be a positive int"):
        LayerFusionNet([3, 3], 2, [(1, 1)], hidden_dim=0)


def test_random_architectures_are_distinct_valid_and_seeded():
    archs = random_architectures(8, depth=3, max_points=2, seed=0)
    assert len(archs) == 8 and len({tuple(a) for a in archs}) == 8
    for a in archs:
        assert 1 <= len(a) <= 2 and a == sorted(a) and all(1 <= i <= 3 and 1 <= j <= 3 for i, j in a)
    assert archs == random_architectures(8, depth=3, max_points=2, seed=0)
    assert archs != random_architectures(8, depth=3, max_points=2, seed=1)
    assert len(random_architectures(9, depth=3, max_points=1, seed=0)) == 9
    with pytest.raises(ValueError, match="only 9 architectures exist"):
        random_architectures(10, depth=3, max_points=1)

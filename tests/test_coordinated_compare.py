"""The chapter's comparison functions: shapes, determinism under a seed, and that they learn."""

import pytest
import torch

from mmlearn.coordinated.compare import METHODS
from mmlearn.metrics.label_recall import label_recall_at_k

FAST = {"Deep CCA": {"epochs": 30}, "InfoNCE": {"epochs": 15}, "CCA": {}, "kernel CCA": {}}


def _two_modalities(n: int, seed: int):
    """Class-paired views: x and y each carry the class through their own random map."""
    fixed = torch.Generator().manual_seed(100)  # the same class centres for every sample
    centres_x, centres_y = torch.randn(4, 12, generator=fixed) * 2, torch.randn(4, 7, generator=fixed) * 2
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 4
    x = centres_x[labels] + torch.randn(n, 12, generator=g)
    y = centres_y[labels] + torch.randn(n, 7, generator=g)
    return x, y, labels


@pytest.mark.parametrize("name", list(METHODS))
def test_shapes_determinism_and_learning(name):
    x, y, labels = _two_modalities(160, 0)
    xt, yt, labels_t = _two_modalities(60, 1)
    u, v, v_train = METHODS[name](x, y, xt, yt, seed=3, k=3, **FAST[name])
    assert u.shape == (60, 3) and v.shape == (60, 3) and v_train.shape == (160, 3)
    again = METHODS[name](x, y, xt, yt, seed=3, k=3, **FAST[name])
    assert torch.equal(u, again[0]) and torch.equal(v, again[1])
    sim = torch.nn.functional.normalize(u.float(), dim=1) @ torch.nn.functional.normalize(v.float(), dim=1).T
    assert label_recall_at_k(sim, labels_t, labels_t, ks=(1,))[1] > 0.6  # chance is 0.25

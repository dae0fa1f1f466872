"""fit_seeds: one vectorised copy per seed equals separate training runs."""

import pytest
import torch

from mmlearn.data import MultimodalDataset
from mmlearn.models import build_classifier
from mmlearn.training import fit_seeds


def _data(seed, n=40):
    g = torch.Generator().manual_seed(seed)
    x1, x2 = torch.randn(n, 3, generator=g), torch.randn(n, 2, generator=g)
    return MultimodalDataset([x1, x2], (x1[:, 0] + x2[:, 0] > 0).long())


def _make():
    return build_classifier("concat", [3, 2], 2, embed_dim=None, fusion_dim=4)


def _by_hand(seed, data, epochs, lr, batch_size):
    torch.manual_seed(seed)
    model = _make()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(data), generator=gen)
        for start in range(0, len(data), batch_size):
            idx = order[start : start + batch_size]
            loss = torch.nn.functional.cross_entropy(
                model(*[x[idx] for x in data.modalities]), data.labels[idx]
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model


def test_each_copy_matches_its_own_training_run():
    seeds = [0, 3, 7]
    data = [_data(s) for s in seeds]
    models = fit_seeds(_make, data, seeds, epochs=3, lr=1e-2, batch_size=16)
    assert len(models) == 3
    for seed, d, model in zip(seeds, data, models, strict=True):
        reference = _by_hand(seed, d, 3, 1e-2, 16)
        for (name, p), q in zip(model.state_dict().items(), reference.state_dict().values(), strict=True):
            torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5, msg=name)
    first = next(iter(models[0].state_dict()))
    assert not torch.allclose(models[0].state_dict()[first], models[1].state_dict()[first])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="seeds must not be empty"):
        fit_seeds(_make, [], [], epochs=1)
    with pytest.raises(ValueError, match="one dataset per seed"):
        fit_seeds(_make, [_data(0)], [0, 1], epochs=1)
    with pytest.raises(ValueError, match="same size"):
        fit_seeds(_make, [_data(0, 40), _data(1, 30)], [0, 1], epochs=1)
    with pytest.raises(ValueError, match="epochs and batch_size must be positive"):
        fit_seeds(_make, [_data(0)], [0], epochs=0)

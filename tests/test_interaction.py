"""Does a model fuse? EMAP, modality ablation and PID on tasks whose answer is known by construction."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from mmlearn.data import make_pid_task
from mmlearn.metrics import discretize, emap_projection, emap_scores, modality_ablation, pid


def _train_concat_mlp(task, steps: int = 300, seed: int = 0) -> nn.Module:
    """A small MLP on [x1; x2], trained full-batch: it can learn XOR (it has a hidden layer)."""
    torch.manual_seed(seed)
    dim = task.x1.shape[1]
    model = nn.Sequential(nn.Linear(2 * dim, 16), nn.Tanh(), nn.Linear(16, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    x = torch.cat([task.x1, task.x2], dim=1)
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), task.y).backward()
        opt.step()
    return model.eval()


def _as_fn(model: nn.Module):
    return lambda a, b: model(torch.cat([a, b], dim=1))


@pytest.fixture(scope="module")
def tasks():
    return {
        kind: make_pid_task(kind, n=400, dim=4, noise=0.1, seed=1)
        for kind in ("redundant", "unique", "synergistic")
    }


@pytest.fixture(scope="module")
def trained(tasks):
    return {kind: _train_concat_mlp(task) for kind, task in tasks.items()}


def test_emap_of_an_additive_model_is_the_model():
    torch.manual_seed(0)
    g1, g2 = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 4)), nn.Linear(5, 4)
    g1, g2 = g1.double(), g2.double()
    x1, x2 = torch.randn(30, 3, dtype=torch.float64), torch.randn(30, 5, dtype=torch.float64)

    def fn(a, b):
        return g1(a) + g2(b)

    projected = emap_projection(fn, x1, x2)
    assert projected.dtype == torch.float64
    torch.testing.assert_close(projected, fn(x1, x2), rtol=0, atol=1e-12)
    # the chunking does not change the result
    torch.testing.assert_close(emap_projection(fn, x1, x2, max_pairs=7), projected, rtol=0, atol=1e-12)


def test_emap_removes_exactly_the_interaction_of_a_product():
    """f = a(x1) b(x2) + c(x1): EMAP = a mean(b) + mean(a) b - mean(a) mean(b) + c(x1)."""
    x1, x2 = torch.randn(20, 2, dtype=torch.float64), torch.randn(20, 2, dtype=torch.float64)

    def fn(a, b):
        return (a[:, :1] * b[:, :1]) + a[:, 1:]

    a, b = x1[:, :1], x2[:, :1]
    expected = a * b.mean() + a.mean() * b - a.mean() * b.mean() + x1[:, 1:]
    torch.testing.assert_close(emap_projection(fn, x1, x2), expected, rtol=0, atol=1e-12)


def test_emap_keeps_the_accuracy_of_a_model_on_an_additive_task_and_loses_it_on_xor(tasks, trained):
    redundant = emap_scores(
        _as_fn(trained["redundant"]), tasks["redundant"].x1, tasks["redundant"].x2, tasks["redundant"].y
    )
    xor = emap_scores(
        _as_fn(trained["synergistic"]),
        tasks["synergistic"].x1,
        tasks["synergistic"].x2,
        tasks["synergistic"].y,
    )
    assert redundant.model_accuracy > 0.98 and abs(redundant.gap) < 0.02
    assert xor.model_accuracy > 0.95
    # no additive function beats chance on XOR; 400 samples: chance +- 3 standard errors = 0.5 +- 0.075
    assert xor.emap_accuracy < 0.575 and xor.gap > 0.35


def test_ablating_an_unused_modality_changes_nothing(tasks):
    task = tasks["unique"]
    torch.manual_seed(0)
    g = nn.Linear(4, 2)
    with torch.no_grad():
        g.weight.copy_(
            torch.cat([task.codes[0, 0:1] - task.codes[0, 1:2], task.codes[0, 1:2] - task.codes[0, 0:1]])
        )
        g.bias.zero_()

    def fn(a, b):
        return g(a) + 0.0 * b.sum(dim=1, keepdim=True)  # reads x2 but gives it no weight

    result = modality_ablation(fn, [task.x1, task.x2], task.y)
    assert result["full"] > 0.99
    assert result["without_1"] == result["full"]
    assert result["without_0"] < 0.6  # the mean of x1 carries no class


def test_ablation_of_trained_models_matches_the_construction(tasks, trained):
    unique = modality_ablation(
        _as_fn(trained["unique"]).__call__, [tasks["unique"].x1, tasks["unique"].x2], tasks["unique"].y
    )
    xor = modality_ablation(
        _as_fn(trained["synergistic"]),
        [tasks["synergistic"].x1, tasks["synergistic"].x2],
        tasks["synergistic"].y,
    )
    assert unique["full"] > 0.98 and unique["without_1"] > 0.95 and unique["without_0"] < 0.6
    assert xor["full"] > 0.95 and xor["without_0"] < 0.6 and xor["without_1"] < 0.6


@pytest.mark.parametrize(
    ("kind", "part"), [("redundant", "redundancy"), ("unique", "unique_1"), ("synergistic", "synergy")]
)
def test_pid_puts_the_bit_where_the_construction_put_it(kind, part):
    task = make_pid_task(kind, n=4000, dim=4, noise=0.1, seed=2)
    for x1, x2 in ((task.b1, task.b2), (discretize(task.x1), discretize(task.x2))):
        result = pid(x1, x2, task.y)
        assert getattr(result, part) > 0.97
        others = {"redundancy", "unique_1", "unique_2", "synergy"} - {part}
        assert all(abs(getattr(result, o)) < 0.02 for o in others), result
        total = result.redundancy + result.unique_1 + result.unique_2 + result.synergy
        assert total == pytest.approx(result.total, abs=1e-12)


def test_pid_of_a_trained_models_predictions_on_xor_is_synergy(tasks, trained):
    """Liang et al. (2023)'s use: the decomposition of what the *model's predictions* carry."""
    task = tasks["synergistic"]
    with torch.no_grad():
        predictions = trained["synergistic"](torch.cat([task.x1, task.x2], dim=1)).argmax(1)
    result = pid(discretize(task.x1), discretize(task.x2), predictions)
    assert result.synergy > 0.8 and result.redundancy < 0.05


def test_imin_reports_redundancy_for_the_two_bit_copy():
    """The documented limit of I_min: Y = (X1, X2) for independent bits has no redundancy by any
    reasonable definition, but I_min reports 1 bit (so unique parts of 0 and synergy of 1)."""
    a, b = np.array([0, 0, 1, 1] * 5), np.array([0, 1, 0, 1] * 5)  # the exact uniform distribution
    result = pid(a, b, 2 * a + b)
    assert result.total == pytest.approx(2.0, abs=1e-12)
    assert result.redundancy == pytest.approx(1.0, abs=1e-12)
    assert result.synergy == pytest.approx(1.0, abs=1e-12)


def test_bad_arguments_name_them():
    with pytest.raises(ValueError, match="same number of samples"):
        emap_projection(lambda a, b: a, torch.zeros(3, 2), torch.zeros(4, 2))
    with pytest.raises(ValueError, match="integer"):
        pid(np.zeros(5), np.zeros(5, dtype=int), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="same length"):
        pid(np.zeros(5, dtype=int), np.zeros(4, dtype=int), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="kind"):
        make_pid_task("copy")
    with pytest.raises(ValueError, match="n_bins"):
        discretize(torch.zeros(5), 0)

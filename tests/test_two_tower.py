"""Two-tower retrieval: shapes, unit embeddings, training lowers the loss and beats chance."""

import matplotlib
import pytest
import torch

from mmlearn.models import TwoTower, fit_two_tower, retrieval_scores
from mmlearn.viz import plot_joint_embedding

matplotlib.use("Agg")


def _paired(n=200, seed=0):
    """Two views of one latent code through different random linear maps, plus noise."""
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, 4, generator=g)
    a = z @ torch.randn(4, 10, generator=g) + 0.1 * torch.randn(n, 10, generator=g)
    b = torch.tanh(z @ torch.randn(4, 7, generator=g)) + 0.1 * torch.randn(n, 7, generator=g)
    return a, b


def test_shapes_and_unit_norm():
    model = TwoTower(10, 7, embed_dim=5, hidden_dim=8)
    a, b = _paired(6)
    u, v = model(a, b)
    assert u.shape == v.shape == (6, 5)
    torch.testing.assert_close(u.norm(dim=1), torch.ones(6))
    sim = model.similarity(a, b[:4])
    assert sim.shape == (6, 4) and (sim.abs() <= 1 + 1e-6).all()
    assert model.n_params == (10 * 8 + 8 + 8 * 5 + 5) + (7 * 8 + 8 + 8 * 5 + 5)


@pytest.mark.parametrize("loss", ["info_nce", "triplet"])
def test_training_beats_chance(loss):
    a, b = _paired(300)
    train_a, train_b, test_a, test_b = a[:200], b[:200], a[200:], b[200:]
    model = TwoTower(10, 7, embed_dim=8, hidden_dim=32)
    before = retrieval_scores(model, test_a, test_b, ks=(1, 10))
    history = fit_two_tower(model, train_a, train_b, loss=loss, epochs=40, batch_size=50, lr=3e-3)
    assert history[-1] < history[0]
    after = retrieval_scores(model, test_a, test_b, ks=(1, 10))
    # chance recall@10 among 100 candidates is 0.1
    assert after["a->b"][10] > 0.6 and after["b->a"][10] > 0.6
    assert after["a->b"][10] > before["a->b"][10]


def test_errors_and_plot():
    model = TwoTower(10, 7)
    a, b = _paired(20)
    with pytest.raises(ValueError, match="paired"):
        fit_two_tower(model, a, b[:10])
    with pytest.raises(ValueError, match="loss"):
        fit_two_tower(model, a, b, loss="mse")
    with pytest.raises(ValueError, match="batch_size"):
        fit_two_tower(model, a, b, batch_size=1)
    u, v = model(a, b)
    plot_joint_embedding(u, v, torch.arange(20) % 3, names=("a", "b"), n_links=5)

"""The robustness evaluation works for every vector fusion of the registry, and measures what
it says: a model that ignores a modality is unaffected by its loss, noise hurts monotonically."""

import pytest
import torch
from torch import nn

from mmlearn.data import MultimodalDataset
from mmlearn.experiments import CPU_HYPER
from mmlearn.experiments.robustness import (
    build_small,
    evaluate_robustness,
    representatives,
    robustness_curve,
)
from mmlearn.fusion import available, family, get
from mmlearn.fusion import build as fusion_build


def _task(n=240, seed=0):
    """Two modalities; the class (4 of them) is written in both, plus Gaussian noise."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 4
    centres_a, centres_b = torch.randn(4, 5, generator=g) * 3, torch.randn(4, 3, generator=g) * 3
    a = centres_a[y] + torch.randn(n, 5, generator=g)
    b = centres_b[y] + torch.randn(n, 3, generator=g)
    data = MultimodalDataset([a, b], y, names=["a", "b"])
    first = (torch.arange(n) // 4) % 2 == 0  # alternate blocks of 4: every class in both halves
    return data.subset(torch.nonzero(first).flatten()), data.subset(torch.nonzero(~first).flatten())


def test_vector_fusions_and_families():
    names = available(input_ndim=2, n_modalities=2)
    assert "concat" in names
    for name in available():
        cls = get(name)
        assert (name in names) == (cls.input_ndim == 2 and (cls.max_modalities or 2) >= 2)
    reps = representatives(names)
    assert len({family(r) for r in reps}) == len(reps) == len({family(n) for n in names})
    assert "concat" in reps


class _OnlyFirst(nn.Module):
    """A classifier that looks at modality ``a`` only: nearest class centre."""

    def __init__(self, centres):
        super().__init__()
        self.centres = nn.Parameter(centres)

    def forward(self, a, b):
        return -torch.cdist(a, self.centres)


def test_evaluate_robustness_on_a_known_model():
    train, test = _task()
    centres = torch.stack([train.modalities[0][train.labels == c].mean(0) for c in range(4)])
    model = _OnlyFirst(centres)
    out = evaluate_robustness(model, test, noisy="b", noise_levels=(0.0, 10.0))
    assert out["missing"]["b"] == out["clean"] == out["noisy"][0] == out["noisy"][1]
    assert out["clean"] > 0.9
    assert out["missing"]["a"] == pytest.approx(0.25)  # a = 0 for all: one class predicted, 4 balanced
    noisy_a = evaluate_robustness(model, test, noisy="a", noise_levels=(0.0, 1.0, 3.0, 30.0))["noisy"]
    assert noisy_a[0] >= noisy_a[1] >= noisy_a[2] >= noisy_a[3]
    assert noisy_a[3] < 0.5
    with pytest.raises(ValueError, match="noise levels"):
        evaluate_robustness(model, test, noise_levels=(-1.0,))


@pytest.mark.parametrize("name", ["concat", "late"])
def test_robustness_curve_learns_and_reports(name):
    train, test = _task()
    r = robustness_curve(name, train, test, noisy="a", noise_levels=(0.0, 20.0), epochs=15, lr=1e-2)
    assert r.clean > 0.9 and r.noisy[0] == r.clean
    assert r.noisy[1] < r.clean
    assert set(r.missing) == {"a", "b"} and r.n_params > 0 and r.family == "simple"


def test_modality_dropout_training_helps_when_a_modality_is_missing():
    train, test = _task(n=400, seed=1)
    plain = robustness_curve("concat", train, test, epochs=20, lr=1e-2, seed=0)
    dropped = robustness_curve("concat", train, test, epochs=20, lr=1e-2, seed=0, modality_dropout=0.5)
    # without dropout the model leans on both; trained with it, each modality alone suffices
    assert sum(dropped.missing.values()) > sum(plain.missing.values())
    assert min(dropped.missing.values()) > 0.85


def test_every_vector_fusion_runs_one_epoch():
    train, test = _task(n=40)
    for name in available(input_ndim=2, n_modalities=2):
        r = robustness_curve(name, train, test, noise_levels=(0.0,), epochs=1, embed_dim=4, fusion_dim=4)
        # noise of standard deviation 0 is the clean test set
        assert r.noisy == [r.clean], name
        # the CPU-size hyper-parameters were used, not the paper-size defaults
        assert r.hyper == CPU_HYPER.get(name, {}), name
        model, _ = build_small(name, train.input_dims, train.n_classes, 4, 4)
        assert r.n_params == model.n_params, name


def test_build_small_raises_on_a_bad_hyper_parameter_instead_of_falling_back():
    with pytest.raises(TypeError, match="unexpected keyword"):
        build_small("mlb", [4, 4], 2, hyper={"rnak": 8})
    model, used = build_small("mcb", [4, 4], 2)
    assert used == CPU_HYPER["mcb"] and model.fusion.sketch_dim == CPU_HYPER["mcb"]["sketch_dim"]


def test_every_cpu_hyper_entry_builds():
    for name, hyper in CPU_HYPER.items():
        assert name in available(), name
        assert fusion_build(name, [8, 8], 4, **hyper).n_params > 0


def test_noise_levels_draw_different_noise(monkeypatch):
    import mmlearn.experiments.robustness as robustness

    seeds = []
    real = robustness.noisy_modality

    def spy(data, modality, std, generator=None):
        seeds.append(generator)
        return real(data, modality, std, generator)

    monkeypatch.setattr(robustness, "noisy_modality", spy)
    train, test = _task(n=40)
    model, _ = build_small("concat", train.input_dims, train.n_classes, 4, 4)
    evaluate_robustness(model, test, noise_levels=(1.0, 1.0, 2.0), seed=5)
    assert seeds == [5, 6, 7]  # seed + level index: levels never share a draw


def test_errors():
    train, test = _task()
    seq = [n for n in available() if get(n).input_ndim == 3]
    if seq:
        with pytest.raises(ValueError, match="sequence"):
            robustness_curve(seq[0], train, test)
    with pytest.raises(ValueError, match="modalities"):
        robustness_curve("concat", train, test.select(["b", "a"]))

"""The image + two-rate sequence set of chapter 5: determinism, labels recomputed, balance."""

from __future__ import annotations

import numpy as np
import pytest

from mmlearn.data.sequences import make_image_sequences


def test_same_seed_same_data_other_seed_other_data():
    a, b = make_image_sequences(50, seed=3), make_image_sequences(50, seed=3)
    c = make_image_sequences(50, seed=4)
    for name in ("regions", "fast", "slow", "labels"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.fast, c.fast)


def test_shapes_and_dataset():
    d = make_image_sequences(20, n_objects=4, windows=3, rate=5, grid=3)
    assert d.regions.shape == (20, 4, 13) and d.fast.shape == (20, 15, 9) and d.slow.shape == (20, 3, 1)
    ds = d.dataset()
    assert ds.names == ["image", "fast", "slow"] and len(ds) == 20 and ds.n_classes <= 4


def test_labels_recomputed_from_the_episode():
    d = make_image_sequences(300, noise=0.05, seed=1, n_objects=5)
    n, cells = len(d.labels), d.fast.shape[-1]
    flash = d.slow[..., 0].argmax(1)  # the noisy signal still peaks at the flash
    np.testing.assert_array_equal(flash, d.flash)
    # the cell the pointer is on during the flash window (average of its fast frames)
    cell = d.fast.reshape(n, -1, d.rate, cells)[np.arange(n), flash].mean(1).argmax(1)
    owner = (d.regions[:, :, 5:].argmax(-1) == cell[:, None]).argmax(1)
    assert (d.regions[np.arange(n), owner, 5 + cell] == 1).all()  # some object is on that cell
    colour = d.regions[np.arange(n), owner, :5].argmax(1)
    np.testing.assert_array_equal(colour, d.labels)


def test_objects_occupy_distinct_cells():
    d = make_image_sequences(200, n_objects=6, grid=3, seed=4)
    cells = d.regions[:, :, 6:].argmax(-1)
    assert all(len(set(row)) == 6 for row in cells)


def test_consecutive_windows_visit_different_objects_and_noise_level():
    d = make_image_sequences(400, noise=0.1, seed=2)
    assert (d.visits[:, 1:] != d.visits[:, :-1]).all()
    n, t = d.fast.shape[:2]
    clean = np.repeat(d.regions[np.arange(n)[:, None], d.visits, 5:], d.rate, axis=1)
    residual = d.fast - clean
    # sample std of 400 * 16 * 9 normal draws: within 4 standard errors of 0.1
    assert abs(residual.std() - 0.1) < 4 * 0.1 / np.sqrt(2 * residual.size)


def test_labels_are_balanced():
    d = make_image_sequences(2000, seed=5)
    counts = np.bincount(d.labels, minlength=5)
    expected, sd = 2000 / 5, np.sqrt(2000 * 0.2 * 0.8)
    assert (abs(counts - expected) < 4 * sd).all(), counts


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": 0}, "n must be"),
        ({"n": 5, "n_objects": 1}, "n_objects"),
        ({"n": 5, "windows": 1}, "windows"),
        ({"n": 5, "rate": 0}, "rate"),
        ({"n": 5, "noise": -0.1}, "noise"),
        ({"n": 5, "n_objects": 12}, "at most grid"),
        ({"n": 5, "grid": 1}, "grid"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_image_sequences(**kwargs)

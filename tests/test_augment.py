"""Augmentations keep labels and shapes, do what their formula says, and are seeded."""

import math

import pytest
import torch

from mmlearn.data import MultimodalDataset
from mmlearn.data.augment import (
    add_noise,
    alias_frequency,
    align_rates,
    as_image_transform,
    balance,
    box_average_to_rate,
    class_counts,
    concat_datasets,
    drop_modality,
    interpolate_to_rate,
    mask_dataset,
    mask_features,
    modality_dropout,
    noisy_modality,
    random_crop,
    random_flip,
    replace_augment,
    resample,
    subsample,
)


def _data(n=40, seed=0, labels=None):
    g = torch.Generator().manual_seed(seed)
    y = labels if labels is not None else torch.arange(n) % 4
    return MultimodalDataset(
        [torch.randn(len(y), 6, generator=g), torch.randn(len(y), 12, generator=g)], y, names=["a", "img"]
    )


def test_flip_and_crop():
    images = torch.arange(2 * 3 * 4, dtype=torch.float32).reshape(2, 3, 4)
    flipped = random_flip(images, p=1.0)
    assert torch.equal(flipped, images.flip(-1))
    assert torch.equal(random_flip(images, p=0.0), images)
    assert torch.equal(random_crop(images, padding=0), images)
    shifted = random_crop(images, padding=1, generator=3)
    assert shifted.shape == images.shape
    # every output is the input translated by at most one pixel per axis, with zero fill
    padded = torch.nn.functional.pad(images, (1, 1, 1, 1))
    for i in range(2):
        windows = [padded[i, dy : dy + 3, dx : dx + 4] for dy in range(3) for dx in range(3)]
        assert any(torch.equal(shifted[i], w) for w in windows)
    big = torch.rand(200, 5, 5) + 1
    counts = (random_crop(big, padding=1, generator=0) == 0).flatten(1).any(1).float().mean()
    assert 0.8 < counts < 0.95  # P(shift != 0) = 1 - 1/9 = 0.889; std of the mean 0.022


def test_image_transform_on_flat_view():
    flat = torch.arange(24, dtype=torch.float32).reshape(2, 12)
    fn = as_image_transform(lambda im: im.flip(-1), (3, 4))
    assert torch.equal(fn(flat), flat.reshape(2, 3, 4).flip(-1).reshape(2, 12))
    with pytest.raises(ValueError, match=r"\(n, 12\)"):
        fn(torch.zeros(2, 10))


def test_noise_statistics_and_seed():
    x = torch.zeros(20000)
    noisy = add_noise(x, 2.0, generator=1)
    # sample std of 20000 Gaussians: relative standard error 1/sqrt(2n) = 0.5%
    assert abs(noisy.std().item() - 2.0) < 0.05 and abs(noisy.mean().item()) < 0.05
    assert torch.equal(add_noise(x, 2.0, 1), noisy)
    with pytest.raises(ValueError, match="std"):
        add_noise(x, -1.0)


def test_replace_augment_keeps_labels():
    data = _data()
    out = replace_augment(data, {"a": lambda x: x + 1}, copies=2)
    assert len(out) == 3 * len(data)
    assert torch.equal(out.labels, data.labels.repeat(3))
    assert torch.equal(out.modalities[0][40:80], data.modalities[0] + 1)
    assert torch.equal(out.modalities[1][40:80], data.modalities[1])
    with pytest.raises(ValueError, match="unknown modality"):
        replace_augment(data, {"b": lambda x: x})
    with pytest.raises(ValueError, match="shape"):
        replace_augment(data, {"a": lambda x: x[:, :2]})
    with pytest.raises(ValueError, match="same modalities"):
        concat_datasets([data, data.select(["img", "a"])])


def test_masking_rate_and_labels():
    x = torch.randn(100, 50)
    masked, keep = mask_features(x, 0.3, generator=0)
    assert torch.equal(masked[keep], x[keep]) and (masked[~keep] == 0).all()
    # fraction masked: mean of 5000 Bernoulli(0.3), std 0.0065
    assert abs((~keep).float().mean().item() - 0.3) < 0.03
    data = _data()
    out = mask_dataset(data, 0.5, modalities=["img"], value=-1.0, generator=2)
    assert torch.equal(out.labels, data.labels) and torch.equal(out.modalities[0], data.modalities[0])
    changed = out.modalities[1] != data.modalities[1]
    assert (out.modalities[1][changed] == -1).all() and changed.any()
    with pytest.raises(ValueError, match="p must be"):
        mask_features(x, 1.5)


def test_subsample_and_balance():
    data = _data(n=80)
    sub = subsample(data, 0.25, generator=0)
    assert class_counts(sub.labels).tolist() == [5, 5, 5, 5]
    boot = subsample(data, 1.0, replace=True, generator=0)
    assert len(boot) == 80 and len(set(boot.modalities[0][:, 0].tolist())) < 80
    labels = torch.tensor([0] * 30 + [1] * 6 + [2] * 4)
    skewed = _data(labels=labels)
    over = balance(skewed, generator=0)
    assert class_counts(over.labels).tolist() == [30, 30, 30]
    # oversampling repeats real samples of the class, never invents or mislabels one
    rows = {tuple(r.tolist()): int(y) for r, y in zip(skewed.modalities[0], skewed.labels, strict=True)}
    pairs = zip(over.modalities[0], over.labels, strict=True)
    assert all(rows[tuple(r.tolist())] == int(y) for r, y in pairs)
    under = balance(skewed, "undersample", generator=0)
    assert class_counts(under.labels).tolist() == [4, 4, 4]
    with pytest.raises(ValueError, match="strategy"):
        balance(skewed, "smote")
    with pytest.raises(ValueError, match="fraction"):
        subsample(data, 1.5)


def test_modality_dropout_never_drops_everything():
    xs = [torch.ones(2000, 3), torch.ones(2000, 5)]
    out = modality_dropout(xs, 0.5, generator=0)
    kept = torch.stack([o.abs().sum(1) > 0 for o in out], 1)
    assert kept.any(1).all()
    # a sample keeps modality 0 if it is not dropped (1 - p), or if both were dropped (p^2) and
    # the rescue picks modality 0 (1/2)
    p, n = 0.5, kept.shape[0]
    expected = 1 - p + p**2 / 2
    tolerance = 3 * math.sqrt(expected * (1 - expected) / n)  # 3 standard errors of the mean
    assert abs(kept[:, 0].float().mean().item() - expected) < tolerance
    with pytest.raises(ValueError, match="p must be"):
        modality_dropout(xs, 1.0)


def test_modality_dropout_wrapper_only_in_training():
    seen = []

    class Probe(torch.nn.Module):
        def forward(self, a, b):
            seen.append((a.abs().sum().item(), b.abs().sum().item()))
            return a.sum(1, keepdim=True)

    from mmlearn.models import ModalityDropout

    model = ModalityDropout(Probe(), p=0.9, seed=0)
    a, b = torch.ones(50, 2), torch.ones(50, 3)
    model.train()
    model(a, b)
    model.eval()
    model([a, b])
    assert seen[0][0] < 100 or seen[0][1] < 150  # something was dropped in training
    assert seen[1] == (100.0, 150.0)


def test_missing_and_noisy_modality():
    data = _data()
    gone = drop_modality(data, "img")
    assert (gone.modalities[1] == 0).all() and torch.equal(gone.modalities[0], data.modalities[0])
    assert torch.equal(gone.labels, data.labels)
    noisy = noisy_modality(data, 0, 1.0, generator=0)
    assert not torch.equal(noisy.modalities[0], data.modalities[0])
    assert torch.equal(noisy.modalities[1], data.modalities[1])
    with pytest.raises(ValueError, match="unknown modality"):
        drop_modality(data, "audio")


def test_resample_is_exact_on_linear_signals():
    t = torch.linspace(0, 1, 11)
    x = torch.stack([3 * t + 1, -t], dim=1)  # (11, 2), linear in time
    new = torch.tensor([0.05, 0.5, 0.97, 1.0])
    torch.testing.assert_close(resample(x, t, new), torch.stack([3 * new + 1, -new], 1))
    batch = x[None].repeat(4, 1, 1)
    assert resample(batch, t, new).shape == (4, 4, 2)
    with pytest.raises(ValueError, match="within"):
        resample(x, t, torch.tensor([1.5]))
    with pytest.raises(ValueError, match="increasing"):
        resample(x, t.flip(0), new)


def test_interpolate_to_rate():
    # a 2 Hz sine sampled at 100 Hz and at 30 Hz; after alignment both series sit on the 30 Hz grid
    ta = torch.arange(200) / 100.0
    tb = torch.arange(60) / 30.0
    a = torch.sin(2 * torch.pi * 2 * ta)[:, None].double()
    b = torch.stack([torch.sin(2 * torch.pi * 2 * tb), torch.cos(tb)], 1).double()
    a2, b2, grid = interpolate_to_rate(a, 100.0, b, 30.0)
    assert a2.shape == (len(grid), 1) and b2.shape == (len(grid), 2)
    torch.testing.assert_close(grid, torch.arange(len(grid), dtype=torch.float64) / 30.0)
    assert grid[-1] <= 59 / 30 + 1e-9
    torch.testing.assert_close(b2, b[: len(grid)])  # the coarse signal is unchanged on its own grid
    # linear interpolation error of a sine: <= h^2 / 8 * max|x''| = 0.01^2 / 8 * (4 pi)^2
    err = (a2[:, 0] - torch.sin(2 * torch.pi * 2 * grid)).abs().max()
    assert err < 0.01**2 / 8 * (4 * torch.pi) ** 2 + 1e-9
    a3, _, grid3 = interpolate_to_rate(a, 100.0, b, 30.0, rate=10.0)
    torch.testing.assert_close(grid3, torch.arange(len(grid3), dtype=torch.float64) / 10.0)
    torch.testing.assert_close(a3, a[::10][: len(grid3)])  # on a sub-grid: point samples
    with pytest.raises(ValueError, match="rate_b"):
        interpolate_to_rate(a, 100.0, b, 0.0)
    with pytest.raises(ValueError, match="rate_a"):
        interpolate_to_rate(a, -1.0, b, 30.0)


def test_align_rates_is_a_deprecated_alias():
    a = torch.randn(50, 2, dtype=torch.float64)
    b = torch.randn(20, 1, dtype=torch.float64)
    with pytest.warns(DeprecationWarning, match="interpolate_to_rate"):
        old = align_rates(a, 100.0, b, 30.0)
    new = interpolate_to_rate(a, 100.0, b, 30.0)
    for x, y in zip(old, new, strict=True):
        torch.testing.assert_close(x, y)


def test_box_average_to_rate_is_the_window_mean():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 40, 5, generator=g, dtype=torch.float64)
    y, t = box_average_to_rate(x, 120.0, 30.0)  # ratio 4: mean of 4 consecutive frames
    torch.testing.assert_close(y, x.view(3, 10, 4, 5).mean(2))
    torch.testing.assert_close(t, torch.arange(10, dtype=torch.float64) / 30.0)
    same, _ = box_average_to_rate(x[0], 30.0, 30.0)
    torch.testing.assert_close(same, x[0])
    # 100 Hz -> 30 Hz: windows of 4, 3, 3, 4, 3, 3, ... samples; incomplete last period dropped
    z = torch.arange(20, dtype=torch.float64)[:, None]
    y2, t2 = box_average_to_rate(z, 100.0, 30.0)
    assert y2.shape == (6, 1)
    torch.testing.assert_close(y2[:3, 0], torch.tensor([1.5, 5.0, 8.0], dtype=torch.float64))
    x.requires_grad_(True)
    box_average_to_rate(x, 120.0, 30.0)[0].sum().backward()
    torch.testing.assert_close(x.grad, torch.full_like(x, 0.25))
    with pytest.raises(ValueError, match="rate_out"):
        box_average_to_rate(z, 30.0, 100.0)
    with pytest.raises(ValueError, match="positive"):
        box_average_to_rate(z, 0.0, 10.0)
    with pytest.raises(ValueError, match="fewer than one"):
        box_average_to_rate(z[:2], 100.0, 30.0)
    with pytest.raises(ValueError, match="shape"):
        box_average_to_rate(z[:, 0], 100.0, 30.0)


def test_box_average_suppresses_what_point_sampling_aliases():
    fast, slow, f = 120.0, 30.0, 20.0  # a 20 Hz flicker, seen by a 30 Hz camera
    t = torch.arange(240, dtype=torch.float64) / fast
    x = torch.sin(2 * torch.pi * f * t)[:, None]
    point = x[::4, 0]
    boxed = box_average_to_rate(x, fast, slow)[0][:, 0]
    assert alias_frequency(f, slow) == 10.0
    assert alias_frequency(45.0, 30.0) == 15.0 and alias_frequency(5.0, 30.0) == 5.0
    # point samples have full amplitude at the alias frequency; the 4-sample box attenuates by
    # |sin(pi f r / fs) / (r sin(pi f / fs))|
    gain = abs(math.sin(math.pi * f * 4 / fast) / (4 * math.sin(math.pi * f / fast)))
    assert point.abs().max() > 0.85
    assert boxed.abs().max() <= gain + 1e-9 and boxed.abs().max() > 0.8 * gain
    flicker = torch.sin(2 * torch.pi * 30.0 * t)[:, None]  # a multiple of the slow rate: removed
    assert box_average_to_rate(flicker, fast, slow)[0].abs().max() < 1e-12
    with pytest.raises(ValueError):
        alias_frequency(1.0, 0.0)


def test_modality_dropout_passes_masks_to_fusions_that_take_them():
    from mmlearn.models import ModalityDropout, build_classifier

    torch.manual_seed(0)
    model = ModalityDropout(build_classifier("attention_pool", [3, 4], 2, embed_dim=5, fusion_dim=6), p=0.5)
    assert model.passes_masks
    seen = []
    model.model.fusion.register_forward_hook(
        lambda module, args, kwargs, out: seen.append(kwargs.get("masks")), with_kwargs=True
    )
    model.train()
    model(torch.randn(40, 3), torch.randn(40, 4))
    masks = seen[-1]
    assert masks is not None and len(masks) == 2
    keep = torch.stack(masks, 1)
    assert keep.any(1).all() and not keep.all()  # some dropped, never all of a sample
    model.eval()
    model(torch.randn(40, 3), torch.randn(40, 4))
    assert seen[-1] is None
    assert not ModalityDropout(build_classifier("concat", [3, 4], 2), p=0.5).passes_masks

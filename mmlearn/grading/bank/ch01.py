"""Chapter 1, modalities and heterogeneity: sampling rates, training statistics, scale dominance,
and the design question of Part I."""

from __future__ import annotations

import random

import numpy as np
import torch

from ..checks import assert_close, assert_not_modified, assert_shape
from ..spec import Question
from ..subject import Answer


def _tensor(out, name: str, dtype: torch.dtype) -> torch.Tensor:
    if not isinstance(out, torch.Tensor):
        raise AssertionError(f"{name} should return a torch tensor, got {type(out).__name__}")
    if out.dtype != dtype:
        raise AssertionError(f"{name} should keep the input dtype {dtype}, got {out.dtype}")
    return out


def check_resample(fn: Answer, seed: int) -> None:
    x = torch.tensor([0.0, 1.0, 4.0, 9.0, 16.0], dtype=torch.float64)  # sampled at 4 Hz
    out = fn(x, 4, 8)
    assert_shape(out, (9,), "resample(x, 4, 8) of 5 samples (1 s at 4 Hz -> 8 Hz)")
    expected = torch.tensor([0, 0.5, 1, 2.5, 4, 6.5, 9, 12.5, 16], dtype=torch.float64)
    assert_close(out, expected, "resample(x, 4, 8) (linear interpolation)")
    down = fn(torch.arange(9, dtype=torch.float64), 8, 2)
    assert_close(down, torch.tensor([0.0, 4.0, 8.0], dtype=torch.float64), "resample(x, 8, 2)")
    rng = random.Random(seed)
    for _ in range(3):  # other lengths and rates
        n, src, dst = rng.randint(2, 40), rng.choice([3, 5, 10, 16]), rng.choice([2, 4, 7, 25])
        x = torch.from_numpy(np.random.default_rng(rng.randint(0, 999)).normal(size=n))
        t_in = np.arange(n) / src
        t_out = np.arange(int(np.floor((n - 1) / src * dst + 1e-9)) + 1) / dst
        ref = torch.from_numpy(np.interp(t_out, t_in, x.numpy()))
        name = f"resample(x of {n} samples, {src}, {dst})"
        out = _tensor(assert_not_modified(fn, x, src, dst, name=name), name, torch.float64)
        assert_close(out, ref, name)


def _views(g: torch.Generator, n: int, dims: list[int], dtype=torch.float64) -> list[torch.Tensor]:
    return [
        torch.randn(n, d, generator=g, dtype=dtype) * 10 ** torch.randint(-2, 3, (1,), generator=g).item()
        + torch.randn(1, d, generator=g, dtype=dtype) * 5
        for d in dims
    ]


def _standardize_reference(train: list[torch.Tensor], test: list[torch.Tensor]):
    out_train, out_test = [], []
    for a, b in zip(train, test, strict=True):
        mu, sd = a.mean(0), a.std(0, unbiased=False)
        sd = torch.where(sd > 0, sd, torch.ones_like(sd))
        out_train.append((a - mu) / sd)
        out_test.append((b - mu) / sd)
    return out_train, out_test


def check_standardize(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    rng = random.Random(seed)
    cases = [(50, 20, [3, 2]), (rng.randint(5, 30), 1, [rng.randint(1, 6) for _ in range(rng.randint(3, 5))])]
    for n_train, n_test, dims in cases:
        train, test = _views(g, n_train, dims), _views(g, n_test, dims)
        train[-1][:, -1] = 3.0  # a constant training feature
        test = [t + 2.0 for t in test]  # the test split has another mean: its own statistics are wrong
        out = assert_not_modified(fn, train, test, name="standardize_views(train_views, test_views)")
        if not isinstance(out, tuple | list) or len(out) != 2:
            raise AssertionError("standardize_views should return a pair (train_views, test_views)")
        ref_train, ref_test = _standardize_reference(train, test)
        for part, got, ref in [("train", out[0], ref_train), ("test", out[1], ref_test)]:
            if not isinstance(got, list | tuple) or len(got) != len(ref):
                raise AssertionError(
                    f"the {part} part should be a list with one tensor per view ({len(ref)})"
                )
            for i, (o, r) in enumerate(zip(got, ref, strict=True)):
                o = _tensor(o, f"{part} view {i}", torch.float64)
                assert_shape(o, tuple(r.shape), f"{part} view {i}")
                if not torch.isfinite(o).all():
                    raise AssertionError(
                        f"{part} view {i} contains NaN or inf (a constant feature must map to 0)"
                    )
                assert_close(
                    o,
                    r,
                    f"{part} view {i} (standardise each feature with the TRAINING mean and population std)",
                )


def _scale_data(seed: int):
    rng = np.random.default_rng(seed)
    k, n = 3, 240
    y = rng.integers(0, k, n)
    informative = rng.normal(size=(k, 4))[y] + 0.7 * rng.normal(size=(n, 4))
    loud_noise = 100.0 * rng.normal(size=(n, 5))  # uninformative, on a large scale
    informative[n // 2 :] *= 3.0  # the test half is recorded with another gain: statistics that
    # include it (a leak) standardise differently from the training statistics alone
    views = [torch.from_numpy(informative), torch.from_numpy(loud_noise)]
    split = n // 2
    return (
        [v[:split] for v in views],
        torch.from_numpy(y[:split]),
        [v[split:] for v in views],
        torch.from_numpy(y[split:]),
    )


def _nearest_centroid(train_views, train_y, test_views, test_y) -> float:
    a, b = torch.cat(list(train_views), 1), torch.cat(list(test_views), 1)
    classes = torch.unique(train_y)
    centroids = torch.stack([a[train_y == c].mean(0) for c in classes])
    pred = classes[torch.cdist(b, centroids).argmin(1)]
    return float((pred == test_y).double().mean())


def check_scale_experiment(fn: Answer, seed: int) -> None:
    for s in range(seed, seed + 4):  # four data sets: a leak changes at least one accuracy
        tr, ytr, te, yte = _scale_data(s)
        out = assert_not_modified(fn, tr, ytr, te, yte, name="scale_experiment(...)")
        if not isinstance(out, dict) or set(out) != {"raw", "standardized"}:
            raise AssertionError(
                'scale_experiment should return a dict with the keys "raw" and "standardized"'
            )
        for key, value in out.items():
            if not isinstance(value, float):
                raise AssertionError(f'out["{key}"] should be a Python float, got {type(value).__name__}')
        raw = _nearest_centroid(tr, ytr, te, yte)
        std = _nearest_centroid(
            *(_standardize_reference(tr, te)[0], ytr, _standardize_reference(tr, te)[1], yte)
        )
        assert_close(
            torch.tensor(out["raw"]), torch.tensor(raw), 'out["raw"] (nearest centroid on the raw views)'
        )
        assert_close(
            torch.tensor(out["standardized"]),
            torch.tensor(std),
            'out["standardized"] (nearest centroid after standardising with training statistics)',
        )


def standardize_views_reference(train_views, test_views):
    train_out, test_out = [], []
    for a, b in zip(train_views, test_views, strict=True):
        mean, std = a.mean(dim=0), a.std(dim=0, unbiased=False)
        std = torch.where(std > 0, std, torch.ones_like(std))
        train_out.append((a - mean) / std)
        test_out.append((b - mean) / std)
    return train_out, test_out


RUBRIC = "\n".join(
    [
        "- [2] Chooses where the modalities meet (early, intermediate or late fusion), justified by the"
        " modalities' sizes against 3,000 samples (the 768-number note projected or reduced first) and"
        " by whether each modality is informative alone.",
        "- [1] Standardises every feature with training statistics only; does not standardise a sample"
        " across its laboratory values, whose units differ.",
        "- [1] Handles a missing note explicitly (a mask, a late-fusion term that is dropped, or"
        " training with the note removed at random) and says what the model computes without it.",
        "- [1] Compares with the best single modality on the same splits, over at least five seeds,"
        " with paired differences and a 95 % interval; choices made on validation data.",
        "- [1] Says what the model does with modalities that disagree, and which single-modality"
        " baseline would show that one modality carries the prediction alone.",
        "A full answer is one or two paragraphs. Common mistakes: tuning on the test set; one seed;"
        " standardising one patient across laboratory values in different units.",
    ]
)


QUESTIONS = [
    Question(
        "q1",
        "resample",
        ("x", "src_rate", "dst_rate"),
        check_resample,
        2,
        "Resample a signal to another sampling rate",
        kind="implementation",
    ),
    Question(
        "q2",
        "standardize_views",
        ("train_views", "test_views"),
        check_standardize,
        2,
        "Standardise a test split with training statistics",
        kind="implementation",
        reference=standardize_views_reference,
    ),
    Question(
        "q3",
        "scale_experiment",
        ("train_views", "train_y", "test_views", "test_y"),
        check_scale_experiment,
        2,
        "Experiment: a loud uninformative view and a nearest-centroid classifier",
        kind="experiment",
        uses=("q2",),
    ),
    Question(
        "q4",
        points=6,
        title="Design (Part I): predicting readmission from labs, notes and vital signs",
        kind="design",
        rubric=RUBRIC,
    ),
]

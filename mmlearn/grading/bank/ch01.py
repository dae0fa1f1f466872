"""Chapter 1, modalities and heterogeneity: sampling rates, scales, missing modalities."""

from __future__ import annotations

import numpy as np
import torch

from ..checks import as_tensor, assert_close, assert_shape
from ..spec import Question
from ..subject import Answer


def check_resample(fn: Answer, seed: int) -> None:
    x = torch.tensor([0.0, 1.0, 4.0, 9.0, 16.0], dtype=torch.float64)  # sampled at 4 Hz
    out = fn(x, 4, 8)
    assert_shape(out, (9,), "resample(x, 4, 8) of 5 samples (1 s at 4 Hz -> 8 Hz)")
    expected = torch.tensor([0, 0.5, 1, 2.5, 4, 6.5, 9, 12.5, 16], dtype=torch.float64)
    assert_close(out, expected, "resample(x, 4, 8) (linear interpolation)")
    down = fn(torch.arange(9, dtype=torch.float64), 8, 2)
    assert_close(down, torch.tensor([0.0, 4.0, 8.0], dtype=torch.float64), "resample(x, 8, 2)")


def check_standardize(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    views = [
        torch.randn(50, 3, generator=g, dtype=torch.float64) * 100 + 7,
        torch.randn(50, 2, generator=g, dtype=torch.float64) * 0.01,
    ]
    views[1][:, 1] = 3.0  # a constant feature
    out = fn(views)
    if not isinstance(out, list | tuple) or len(out) != 2:
        raise AssertionError("standardize_views should return a list with one tensor per view")
    for i, (o, v) in enumerate(zip(out, views, strict=True)):
        o = assert_shape(o, tuple(v.shape), f"view {i}")
        if not torch.isfinite(o).all():
            raise AssertionError(f"view {i} contains NaN or inf (a constant feature must map to 0)")
    assert_close(
        out[0].mean(0), torch.zeros(3, dtype=torch.float64), "the feature means of view 0", atol=1e-8
    )
    assert_close(
        out[0].std(0, unbiased=False),
        torch.ones(3, dtype=torch.float64),
        "the feature standard deviations of view 0 (population std)",
        atol=1e-6,
    )
    assert_close(out[1][:, 1], torch.zeros(50, dtype=torch.float64), "the constant feature of view 1")
    assert_close(
        out[1][:, 0].std(unbiased=False),
        torch.tensor(1.0, dtype=torch.float64),
        "the std of view 1's first feature (each view and feature on its own scale)",
    )


def check_presence(fn: Answer, seed: int) -> None:
    a = np.arange(12, dtype=float).reshape(4, 3)
    b = np.ones((4, 2))
    a[1, :] = np.nan  # modality 0 missing for sample 1
    b[2, :] = np.nan  # modality 1 missing for sample 2
    a[3, 0] = np.nan  # one noisy feature is not a missing modality
    out = as_tensor(fn([torch.from_numpy(a), torch.from_numpy(b)]), "presence_mask(views)")
    expected = torch.tensor([[1, 1], [0, 1], [1, 0], [1, 1]], dtype=torch.bool)
    assert_shape(out, (4, 2), "presence_mask(views)")
    if out.dtype != torch.bool:
        raise AssertionError(f"presence_mask should return a bool tensor, got {out.dtype}")
    if not torch.equal(out, expected):
        raise AssertionError(
            "presence_mask is wrong: a modality is missing for a sample only when all of its features are NaN"
        )


QUESTIONS = [
    Question(
        "q1",
        "resample",
        ("x", "src_rate", "dst_rate"),
        check_resample,
        2,
        "Resample a signal to another sampling rate",
    ),
    Question(
        "q2", "standardize_views", ("views",), check_standardize, 2, "Standardise each view on its own scale"
    ),
    Question("q3", "presence_mask", ("views",), check_presence, 1, "Which modalities are present"),
]

"""Intervals over seeds, alignment and uniformity, the modality gap, class-level recall, zero-shot."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats

from mmlearn.coordinated import class_prototypes, prototype_scores
from mmlearn.metrics.alignment import alignment, uniformity
from mmlearn.metrics.intervals import format_ci, mean_ci
from mmlearn.metrics.label_recall import label_recall_at_k
from mmlearn.metrics.modality_gap import close_gap, modality_gap, modality_gap_vector


def test_mean_ci_matches_scipy_t_interval():
    values = [0.81, 0.79, 0.84, 0.80, 0.83]
    mean, half = mean_ci(values)
    low, high = stats.t.interval(0.95, df=4, loc=np.mean(values), scale=stats.sem(values))
    assert mean == pytest.approx(np.mean(values))
    assert (mean - half, mean + half) == pytest.approx((low, high), abs=1e-12)
    assert mean_ci(values, 0.99)[1] > half
    assert format_ci(values, 2) == f"{mean:.2f} ± {half:.2f}"
    with pytest.raises(ValueError, match=r"values must have shape \(n,\) with n >= 2, got \(1,\)"):
        mean_ci([0.5])
    with pytest.raises(ValueError, match="level"):
        mean_ci(values, 95)


def test_alignment_and_uniformity():
    g = torch.Generator().manual_seed(0)
    u = F.normalize(torch.randn(500, 8, generator=g, dtype=torch.float64), dim=1)
    assert alignment(u, u).item() == pytest.approx(0.0, abs=1e-12)
    assert alignment(u, -u).item() == pytest.approx(4.0)  # antipodes: ||2u||^2
    assert alignment(u, -u, alpha=1).item() == pytest.approx(2.0)
    same = u[:1].repeat(10, 1)
    assert uniformity(same).item() == pytest.approx(0.0, abs=1e-12)  # a single point: log 1
    clustered = F.normalize(u + 3 * torch.tensor([1.0] + [0.0] * 7, dtype=torch.float64), dim=1)
    assert uniformity(u) < uniformity(clustered) < 0
    # uniform on S^{d-1}: E ||u - u'||^2 = 2, so by Jensen the uniformity is at least -2t; in
    # high dimension it concentrates there
    high = F.normalize(torch.randn(400, 512, generator=g, dtype=torch.float64), dim=1)
    assert uniformity(high).item() == pytest.approx(-4.0, abs=0.05)
    with pytest.raises(ValueError, match=r"u and v must share the feature size"):
        alignment(u, u[:, :4])
    with pytest.raises(ValueError, match="n >= 2"):
        uniformity(u[:1])


def test_modality_gap():
    g = torch.Generator().manual_seed(0)
    base = torch.randn(300, 16, generator=g, dtype=torch.float64)
    shift = torch.zeros(16, dtype=torch.float64)
    shift[0] = 4.0
    u, v = F.normalize(base + shift, dim=1), F.normalize(base - shift, dim=1)
    assert modality_gap(u, u) == pytest.approx(0.0, abs=1e-12)
    gap = modality_gap(u, v)
    assert 1.0 < gap <= 2.0
    direction = modality_gap_vector(u, v)
    assert direction[0] > 0.9 * direction.norm()  # the gap points along the shift
    u2, v2 = close_gap(u, v)
    assert modality_gap(u2, v2) < 0.1 * gap
    with pytest.raises(ValueError, match=r"must share d, got \(300, 16\) and \(300, 8\)"):
        modality_gap(u, v[:, :8])


def test_label_recall_at_k():
    sim = torch.tensor([[0.9, 0.8, 0.1], [0.2, 0.3, 0.1], [0.0, 0.5, 0.4]])
    q = torch.tensor([0, 1, 2])
    c = torch.tensor([1, 0, 2])
    # query 0: best is class 1 (miss), second class 0 (hit); query 1: best class 0 (miss), then 1;
    # query 2: best class 0 (miss), then class 2 (hit)
    assert label_recall_at_k(sim, q, c, ks=(1, 2)) == {1: 0.0, 2: 1.0}
    assert label_recall_at_k(sim, q, torch.tensor([0, 1, 2]), ks=(1,)) == {1: pytest.approx(2 / 3)}
    with pytest.raises(ValueError, match=r"candidate_labels must have shape \(3,\), got \(2,\)"):
        label_recall_at_k(sim, q, c[:2])
    with pytest.raises(ValueError, match=r"ks must be ints in \[1, 3\]"):
        label_recall_at_k(sim, q, c, ks=(4,))


def test_zero_shot_prototypes():
    v = torch.tensor([[1.0, 0.0], [3.0, 0.0], [0.0, 2.0], [0.0, 1.0]])
    labels = torch.tensor([0, 0, 1, 1])
    protos = class_prototypes(v, labels)
    torch.testing.assert_close(protos, torch.eye(2))
    scores = prototype_scores(torch.tensor([[0.9, 0.1], [0.2, 5.0]]), protos)
    assert scores.argmax(1).tolist() == [0, 1]
    assert scores.max().item() <= 1.0 + 1e-6 and math.isclose(
        scores[1, 1].item(), 5 / math.hypot(0.2, 5), rel_tol=1e-6
    )
    with pytest.raises(ValueError, match="cover every class"):
        class_prototypes(v, labels, n_classes=3)
    with pytest.raises(ValueError, match=r"must share d"):
        prototype_scores(torch.zeros(2, 3), protos)


def test_paired_diff_ci_is_the_t_interval_of_the_differences():
    from mmlearn.metrics import paired_diff_ci

    a = [0.81, 0.84, 0.79, 0.83, 0.80]
    b = [0.78, 0.82, 0.75, 0.80, 0.79]
    mean, half = paired_diff_ci(a, b)
    assert mean == pytest.approx(np.mean(np.subtract(a, b)))
    assert (mean, half) == pytest.approx(mean_ci(np.subtract(a, b)))
    # the split-to-split spread cancels: narrower than either method's own interval
    assert half < mean_ci(a)[1]
    with pytest.raises(ValueError, match="same shape"):
        paired_diff_ci(a, b[:4])

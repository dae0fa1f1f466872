"""The norm-XOR task: balanced, each modality alone uninformative, not a bilinear form."""

import pytest
import torch
from scipy import stats

from mmlearn.data import make_norm_xor


def test_label_is_the_xor_of_two_median_norm_tests():
    data = make_norm_xor(n=3000, dims=(6, 9), seed=3)
    x, y = data.modalities
    a, b = stats.chi2.median(6), stats.chi2.median(9)
    expected = ((x.pow(2).sum(1) > a) ^ (y.pow(2).sum(1) > b)).long()
    assert torch.equal(data.labels, expected)
    assert data.thresholds == pytest.approx((a, b))
    assert x.shape == (3000, 6) and y.shape == (3000, 9)
    assert abs(data.labels.float().mean().item() - 0.5) < 0.04


def test_each_modality_alone_says_nothing_about_the_label():
    data = make_norm_xor(n=20000, dims=(8, 8), seed=0)
    x, y = data.modalities
    for view in (x, y):
        high = view.pow(2).sum(1) > view.pow(2).sum(1).median()
        # P(label = 1 | the view's own norm test) stays at 1/2 on both sides
        assert abs(data.labels[high].float().mean().item() - 0.5) < 0.02
        assert abs(data.labels[~high].float().mean().item() - 0.5) < 0.02


def test_no_bilinear_form_fits_the_labels():
    data = make_norm_xor(n=4000, dims=(4, 4), seed=1)
    x, y = data.modalities
    outer = torch.einsum("ni,nj->nij", x, y).reshape(len(x), -1)
    features = torch.cat([outer, torch.ones(len(x), 1)], 1).double()
    target = data.labels.double() * 2 - 1
    w = torch.linalg.lstsq(features, target[:, None]).solution
    accuracy = ((features @ w).squeeze(1).sign() == target).double().mean().item()
    assert accuracy < 0.56


def test_flip_rate_and_determinism():
    clean = make_norm_xor(n=5000, seed=2)
    noisy = make_norm_xor(n=5000, flip=0.2, seed=2)
    assert torch.equal(clean.modalities[0], noisy.modalities[0])
    assert 0.17 < (clean.labels != noisy.labels).float().mean().item() < 0.23
    assert torch.equal(make_norm_xor(n=50, seed=7).labels, make_norm_xor(n=50, seed=7).labels)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n": 0}, "n > 0"), ({"dims": (3, 0)}, "dims"), ({"dims": (3,)}, "dims"), ({"flip": 0.5}, "flip")],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_norm_xor(**kwargs)

"""Chapter 11, data and robustness: a label-preserving masking augmentation, modality dropout."""

from __future__ import annotations

import torch

from ..checks import as_tensor, assert_shape
from ..spec import Question
from ..subject import Answer


def _call_mask(fn: Answer, x, labels, p, seed):
    result = fn.call(x, labels, p, torch.Generator().manual_seed(seed), return_args=True)
    out = result.value
    if not isinstance(out, tuple | list) or len(out) != 2:
        raise AssertionError("mask_augment should return a pair (x_masked, labels)")
    x_after = result.args_after[0] if result.args_after else None
    if not isinstance(x_after, torch.Tensor) or not torch.equal(x_after, x):
        raise AssertionError("mask_augment changed its input x in place; return a new tensor")
    return assert_shape(out[0], tuple(x.shape), "x_masked"), as_tensor(out[1], "the returned labels")


def check_mask(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(200, 50, generator=g, dtype=torch.float64) + 1.0  # no zeros in the input
    labels = torch.arange(200) % 7
    masked, out_labels = _call_mask(fn, x, labels, 0.3, seed + 1)
    if out_labels.shape != labels.shape or not torch.equal(out_labels, labels):
        raise AssertionError("the labels must be exactly those of the original samples, in the same order")
    kept = masked == x
    if not (kept | (masked == 0)).all():
        raise AssertionError("every entry must be either unchanged or set to 0")
    frac = (~kept).double().mean().item()
    # 10000 Bernoulli(0.3) draws: standard deviation of the fraction 0.0046
    if abs(frac - 0.3) > 0.03:
        raise AssertionError(f"with p = 0.3 about 30% of the entries should be masked, got {100 * frac:.1f}%")
    per_row = (~kept).double().mean(1)
    if ((per_row == 0) | (per_row == 1)).all():
        raise AssertionError("mask entries independently, not whole samples")
    if (~kept == (~kept)[0]).all():
        raise AssertionError("draw a separate mask for every sample, not one mask for the whole batch")
    again, _ = _call_mask(fn, x, labels, 0.3, seed + 1)
    if not torch.equal(again, masked):
        raise AssertionError("use the generator you are given, so that the same seed gives the same mask")
    none, _ = _call_mask(fn, x, labels, 0.0, seed + 2)
    if not torch.equal(none, x):
        raise AssertionError("with p = 0 nothing should be masked")


def check_keep_mask(fn: Answer, seed: int) -> None:
    n, m, p = 20000, 2, 0.3
    keep = fn(n, m, p, torch.Generator().manual_seed(seed))
    keep = assert_shape(keep, (n, m), "modality_keep_mask(20000, 2, 0.3, generator)")
    if keep.dtype != torch.bool:
        raise AssertionError(f"the mask should be a bool tensor, got {keep.dtype}")
    if not keep.any(1).all():
        raise AssertionError("some sample lost every modality: give it one back, chosen at random")
    rate = keep[:, 0].double().mean().item()
    expected = 1 - p + p**m / m
    # 20000 draws: standard deviation of the rate 0.0031
    if abs(rate - expected) > 0.02:
        raise AssertionError(
            f"modality 0 should be kept with probability 1 - p + p^M / M = {expected:.3f}, got {rate:.3f}"
        )
    keep3 = fn(30000, 3, 0.8, torch.Generator().manual_seed(seed + 1))
    keep3 = assert_shape(keep3, (30000, 3), "modality_keep_mask(30000, 3, 0.8, generator)")
    alone = keep3.sum(1) == 1
    rate3 = keep3.double().mean(0)
    expected3 = 1 - 0.8 + 0.8**3 / 3
    if not keep3.any(1).all() or (rate3 - expected3).abs().max() > 0.02:
        raise AssertionError(
            f"for M = 3, p = 0.8 each modality should be kept with probability "
            f"{expected3:.3f}, got {[round(r, 3) for r in rate3.tolist()]}"
        )
    if not alone.any():
        raise AssertionError("a rescued sample should get exactly one modality back")
    first = as_tensor(fn(100, 2, 0.5, torch.Generator().manual_seed(seed + 5)), "mask")
    second = as_tensor(fn(100, 2, 0.5, torch.Generator().manual_seed(seed + 5)), "mask")
    if not torch.equal(first, second):
        raise AssertionError("use the generator you are given, so that the same seed gives the same mask")


QUESTIONS = [
    Question(
        "q1",
        "mask_augment",
        ("x", "labels", "p", "generator"),
        check_mask,
        2,
        "A masking augmentation that keeps labels intact",
    ),
    Question(
        "q2",
        "modality_keep_mask",
        ("n", "m", "p", "generator"),
        check_keep_mask,
        2,
        "Modality dropout that never drops every modality",
    ),
]

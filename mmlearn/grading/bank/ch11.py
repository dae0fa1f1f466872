"""Chapter 11, data and robustness: a label-preserving masking augmentation, modality dropout,
the gain of a box filter (derivation), an aliasing experiment, and a design question."""

from __future__ import annotations

import math
import random

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
    rng = random.Random(seed)
    for case in range(4):  # other sizes (a batch of one too), another dtype, another p
        n, d = (1, rng.randint(2, 30)) if case == 0 else (rng.randint(2, 40), rng.randint(1, 30))
        p = rng.choice([0.1, 0.5, 0.9])
        xs = torch.rand(n, d, generator=g) + 1.0  # float32
        ys = torch.randint(0, 5, (n,), generator=g)
        out, out_ys = _call_mask(fn, xs, ys, p, seed + 10 + case)
        if out.dtype != xs.dtype:
            raise AssertionError(f"x_masked should keep the input dtype {xs.dtype}, got {out.dtype}")
        if not torch.equal(out_ys, ys):
            raise AssertionError(f"for a batch of {n} the labels must come back unchanged")
        if not ((out == xs) | (out == 0)).all():
            raise AssertionError(f"for x of shape {(n, d)}: every entry must be either unchanged or set to 0")


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
    rng = random.Random(seed)
    m, p = rng.randint(4, 6), rng.choice([0.8, 0.9])  # more modalities than the examples show
    keep_m = assert_shape(
        fn(20000, m, p, torch.Generator().manual_seed(seed + 2)), (20000, m), f"the mask for M = {m}"
    )
    expected_m = 1 - p + p**m / m
    if not keep_m.any(1).all() or (keep_m.double().mean(0) - expected_m).abs().max() > 0.02:
        raise AssertionError(
            f"for M = {m}, p = {p} each modality should be kept with probability {expected_m:.3f}"
        )
    one = assert_shape(
        fn(1, m, p, torch.Generator().manual_seed(seed + 3)), (1, m), "the mask for one sample"
    )
    if not one.any():
        raise AssertionError("a batch of one sample must keep at least one modality")
    first = as_tensor(fn(100, 2, 0.5, torch.Generator().manual_seed(seed + 5)), "mask")
    second = as_tensor(fn(100, 2, 0.5, torch.Generator().manual_seed(seed + 5)), "mask")
    if not torch.equal(first, second):
        raise AssertionError("use the generator you are given, so that the same seed gives the same mask")


def _box_gain(f: float, fast: float, slow: float) -> float:
    r = int(round(fast / slow))
    x = math.pi * f / fast
    if abs(math.sin(x)) < 1e-12:
        return 1.0
    return abs(math.sin(r * x) / (r * math.sin(x)))


def _float(value, name: str) -> float:
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise AssertionError(f"{name} should be one number, got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AssertionError(f"{name} should be a float, got {type(value).__name__}")
    return float(value)


def check_box_gain(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    # (45, 120, 30) lies between the first two zeros, where the unsigned ratio is negative
    cases = [
        (0.0, 120.0, 30.0),
        (30.0, 120.0, 30.0),
        (45.0, 120.0, 30.0),
        (60.0, 600.0, 30.0),
        (20.0, 600.0, 30.0),
    ]
    for _ in range(6):
        slow = rng.choice([10.0, 25.0, 30.0, 50.0])
        r = rng.randint(2, 12)
        cases.append((rng.uniform(0, r * slow / 2 - 1e-3), r * slow, slow))
    for f, fast, slow in cases:
        got = _float(fn(f, fast, slow), f"box_gain({f:.3g}, {fast:g}, {slow:g})")
        want = _box_gain(f, fast, slow)
        if not math.isfinite(got) or abs(got - want) > 1e-6 * max(1.0, want):
            raise AssertionError(
                f"box_gain({f:.4g}, {fast:g}, {slow:g}) = {got:.6g}, expected {want:.6g} "
                "(the amplitude of the mean of r consecutive samples of a unit sinusoid)"
            )


def _alias(f: float, rate: float) -> float:
    return abs(f - rate * round(f / rate))


def check_aliasing(fn: Answer, seed: int) -> None:
    rng = random.Random(seed + 7)
    slow = rng.choice([20.0, 30.0, 40.0])
    r = rng.choice([8, 10, 20])
    fast = r * slow
    frequencies = [
        rng.uniform(0.1, 0.45) * slow,
        rng.uniform(0.55, 0.9) * slow,
        rng.uniform(1.1, 1.45) * slow,
    ]
    for f in frequencies:
        out = fn(f, fast, slow)
        if not isinstance(out, dict) or set(out) != {"apparent_hz", "point_amplitude", "box_amplitude"}:
            raise AssertionError(
                "aliasing_experiment should return a dict with the keys 'apparent_hz', "
                "'point_amplitude' and 'box_amplitude'"
            )
        apparent = _float(out["apparent_hz"], "apparent_hz")
        point = _float(out["point_amplitude"], "point_amplitude")
        box = _float(out["box_amplitude"], "box_amplitude")
        where = f"for a {f:.2f} Hz sinusoid seen at {slow:g} Hz (fast rate {fast:g} Hz)"
        if abs(apparent - _alias(f, slow)) > 0.6:  # 2 s of samples: the FFT resolves 0.5 Hz
            raise AssertionError(
                f"apparent_hz = {apparent:.2f} {where}; point sampling shows it at "
                f"|f - rate * round(f / rate)| = {_alias(f, slow):.2f} Hz"
            )
        if not 0.85 <= point <= 1.0 + 1e-6:
            raise AssertionError(
                f"point_amplitude = {point:.3f} {where}; point samples keep the full amplitude"
            )
        gain = _box_gain(f, fast, slow)
        if not 0.75 * gain - 1e-6 <= box <= gain + 1e-6:
            raise AssertionError(
                f"box_amplitude = {box:.3f} {where}; the mean over each slow period scales the "
                f"amplitude by the box filter's gain ({gain:.3f})"
            )
        if f > slow / 2 and not box < point:
            raise AssertionError(f"{where} the box filter should attenuate the alias")
    again = fn(frequencies[1], fast, slow)
    if _float(again["box_amplitude"], "box_amplitude") != _float(
        fn(frequencies[1], fast, slow)["box_amplitude"], "box_amplitude"
    ):
        raise AssertionError("aliasing_experiment should be deterministic (no random phase or noise)")


ROBOT_RUBRIC = "\n".join(
    [
        "- [2] Aligns the streams without aliasing: low-pass (e.g. a box average over each slow period) "
        "before decimating the fast stream, or keeps each stream at its own rate in a sequence model; "
        "says why plain interpolation or point sampling is wrong here.",
        "- [2] Handles the failing camera in training: modality dropout (or training on the "
        "missing-modality mixture) with a probability tied to the failure rate, and evaluation on "
        "complete, camera-missing and mixed test sets.",
        "- [1] Chooses a fusion and justifies it against the task (e.g. late fusion is robust to a "
        "missing camera but cannot model interactions; concatenation or a bilinear fusion with "
        "modality dropout can).",
        "- [1] Names the experiment that would decide between two options, with seeds and intervals "
        "(paired differences on the same splits).",
        "A full answer is two or three short paragraphs. Mentioning modality dropout without "
        "evaluating on missing-camera data earns at most one of the two points of the second criterion.",
    ]
)


QUESTIONS = [
    Question(
        "q1",
        "mask_augment",
        ("x", "labels", "p", "generator"),
        check_mask,
        2,
        "A masking augmentation that keeps labels intact",
        kind="implementation",
    ),
    Question(
        "q2",
        "modality_keep_mask",
        ("n", "m", "p", "generator"),
        check_keep_mask,
        2,
        "Modality dropout that never drops every modality",
        kind="implementation",
    ),
    Question(
        "q3",
        "box_gain",
        ("f", "fast_rate", "slow_rate"),
        check_box_gain,
        2,
        "The gain of a box average over one slow period",
        kind="derivation",
    ),
    Question(
        "q4",
        "aliasing_experiment",
        ("f", "fast_rate", "slow_rate"),
        check_aliasing,
        3,
        "Point sampling against box filtering, measured",
        kind="experiment",
    ),
    Question("q5", points=6, title="A robust audio-visual sensor", kind="design", rubric=ROBOT_RUBRIC),
]

"""The does-it-fuse experiment on tiny sizes: what it measures follows from the construction."""

from __future__ import annotations

from mmlearn.experiments import fusion_profile


def test_late_fusion_is_additive_and_cannot_learn_xor():
    p = fusion_profile("late_fusion", "synergistic", n=300, epochs=15, seed=0)
    # a sum of per-modality scores is its own EMAP projection: same logits (up to rounding, which
    # could flip at most a near-tie among the 60 test samples), same accuracy
    assert abs(p.emap_gap) <= 1 / 60
    assert p.accuracy < 0.65  # no additive model beats chance on XOR (60 test samples)


def test_a_multiplicative_fusion_learns_xor_through_interactions_only():
    p = fusion_profile("film", "synergistic", n=300, epochs=30, seed=0)
    assert p.accuracy > 0.9 and p.emap_gap > 0.3
    assert p.without_0 < 0.7 and p.without_1 < 0.7  # neither modality alone is enough
    assert p.prediction_pid.synergy > 0.7 and p.family == "modulation"


def test_unique_task_one_modality_carries_everything():
    p = fusion_profile("concat", "unique", n=300, epochs=15, seed=0)
    assert p.accuracy > 0.95 and p.without_1 > 0.95 and p.without_0 < 0.7
    assert p.prediction_pid.unique_1 > 0.8

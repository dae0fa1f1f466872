"""The Part IV aliasing explorer: its states are right, precomputed, offline, and readable."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from mmlearn.viz.part4_explorer import (
    aliasing_state,
    aliasing_states,
    aliasing_static_explorer,
    box_gain,
    draw_aliasing,
)
from tests.test_figure_text import MIN_PX, displayed_text_px


def _dominant_frequency(x: np.ndarray, rate: float) -> float:
    spectrum = np.abs(np.fft.rfft(x - x.mean(), n=8 * len(x)))
    return float(np.fft.rfftfreq(8 * len(x), d=1 / rate)[spectrum.argmax()])


def test_twenty_hertz_seen_at_thirty_appears_at_ten():
    state = aliasing_state(20.0, fast_rate=600.0, slow_rate=30.0, duration=2.0)
    assert state.apparent == 10.0
    assert _dominant_frequency(state.point, 30.0) == pytest.approx(10.0, abs=0.5)
    # point samples keep the full amplitude; the box filter divides it by its gain
    assert np.abs(state.point).max() > 0.95
    assert np.abs(state.boxed).max() == pytest.approx(state.gain, rel=0.05)
    assert state.gain == pytest.approx(abs(math.sin(math.pi * 20 / 30) / (math.pi * 20 / 30)), rel=0.01)


def test_below_nyquist_nothing_aliases():
    state = aliasing_state(6.0, duration=2.0)
    assert state.apparent == 6.0
    assert _dominant_frequency(state.point, 30.0) == pytest.approx(6.0, abs=0.5)
    assert state.gain > 0.9


def test_box_gain_values():
    assert box_gain(0.0, 600.0, 30.0) == 1.0
    assert box_gain(30.0, 600.0, 30.0) < 1e-12  # the slow rate itself is removed
    assert box_gain(60.0, 600.0, 30.0) < 1e-12
    assert box_gain(15.0, 120.0, 30.0) == pytest.approx(
        abs(math.sin(4 * math.pi * 15 / 120) / (4 * math.sin(math.pi * 15 / 120)))
    )
    with pytest.raises(ValueError, match="integer"):
        box_gain(1.0, 100.0, 30.0)
    with pytest.raises(ValueError, match="frequency"):
        aliasing_state(400.0)
    with pytest.raises(ValueError, match="at least one"):
        aliasing_states([])


def test_static_explorer_has_one_state_per_frequency_and_loads_nothing():
    before = plt.get_fignums()
    ex = aliasing_static_explorer(frequencies=[0, 10, 20, 40])
    assert sorted(ex.states) == ["0", "1", "2", "3"]
    assert len(set(ex.states.values())) == 4
    assert ex.labels["frequency"] == ["0 Hz", "10 Hz", "20 Hz", "40 Hz"]
    page = ex._repr_html_()
    assert "http" not in page.replace("http-equiv", "")
    assert plt.get_fignums() == before


def test_explorer_figure_text_is_readable():
    fig, ax = plt.subplots(figsize=(6.8, 3.4))
    draw_aliasing(ax, aliasing_state(20.0))
    fig.tight_layout()
    smallest = displayed_text_px(fig)[0]
    plt.close(fig)
    assert smallest[0] >= MIN_PX, f"text shown at {smallest[0]:.1f} px: {smallest[1]!r}"


def test_live_explorer_builds():
    pytest.importorskip("ipywidgets")
    from mmlearn.viz.part4_explorer import aliasing_explorer

    box = aliasing_explorer(frequencies=[0, 20])
    slider = box.children[0]
    slider.value = 1
    assert slider.label == "20"
    plt.close("all")

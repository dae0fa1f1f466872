"""The Part IV explorer: aliasing when a fast signal is brought to a slow sensor's rate (chapter 11).

A sinusoid of frequency ``f`` is observed by a fast sensor and brought to a slow rate
``f_s`` in two ways:

* **point sampling** (what interpolating onto the slow grid does): one value per slow period;
  above ``f_s / 2`` the sinusoid reappears at :func:`~mmlearn.data.augment.alias_frequency`
  ``(f, f_s)`` with its full amplitude;
* **box filtering, then decimation** (:func:`~mmlearn.data.augment.box_average_to_rate`): the
  mean over each slow period, which multiplies the amplitude by the box filter's gain
  (:func:`box_gain`) before the same decimation.

:func:`aliasing_states` computes every curve once; :func:`draw_aliasing` draws one state;
:func:`aliasing_static_explorer` is the kernel-free explorer of the website (a frequency slider
over precomputed pictures, :class:`~mmlearn.viz.static_explorers.StaticExplorer`), and
:func:`aliasing_explorer` the live ipywidgets version for Jupyter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..data.augment import alias_frequency, box_average_to_rate
from .static_explorers import StaticExplorer

__all__ = [
    "AliasingState",
    "aliasing_explorer",
    "aliasing_state",
    "aliasing_states",
    "aliasing_static_explorer",
    "box_gain",
    "draw_aliasing",
]


@dataclass(frozen=True)
class AliasingState:
    """One frequency: the fast signal, its point samples and its box averages at the slow rate.

    ``t_fast (L,)``, ``fast (L,)``; ``t_slow (J,)``, ``point (J,)`` the fast signal at the slow
    sampling times, ``boxed (J,)`` the mean over each slow period (time stamps at the period's
    start). ``apparent`` is the frequency seen after point sampling, ``gain`` the box filter's
    amplitude gain at ``frequency``.
    """

    frequency: float
    fast_rate: float
    slow_rate: float
    t_fast: np.ndarray
    fast: np.ndarray
    t_slow: np.ndarray
    point: np.ndarray
    boxed: np.ndarray
    apparent: float
    gain: float


def box_gain(f: float, fast_rate: float, slow_rate: float) -> float:
    r"""Amplitude gain of the mean of ``r = fast_rate / slow_rate`` consecutive samples at ``f`` Hz.

    :math:`|\sin(\pi f r / f_{fast}) / (r \sin(\pi f / f_{fast}))|` (1 at ``f = 0``), which is
    :math:`|\operatorname{sinc}(f / f_{slow})|` up to the discretisation of the box. ``r`` must
    be an integer.
    """
    r = fast_rate / slow_rate
    if abs(r - round(r)) > 1e-9 or r < 1:
        raise ValueError(f"box_gain: fast_rate / slow_rate must be an integer >= 1, got {r}")
    r = int(round(r))
    x = math.pi * f / fast_rate
    if abs(math.sin(x)) < 1e-12:
        return 1.0
    return abs(math.sin(r * x) / (r * math.sin(x)))


def aliasing_state(
    frequency: float, fast_rate: float = 600.0, slow_rate: float = 30.0, duration: float = 0.5
) -> AliasingState:
    """The curves of one frequency (``fast_rate`` must be an integer multiple of ``slow_rate``)."""
    if not 0 <= frequency < fast_rate / 2:
        raise ValueError(f"aliasing_state: frequency must be in [0, fast_rate / 2), got {frequency}")
    gain = box_gain(frequency, fast_rate, slow_rate)
    step = int(round(fast_rate / slow_rate))
    n = int(round(duration * fast_rate))
    t_fast = torch.arange(n, dtype=torch.float64) / fast_rate
    fast = torch.sin(2 * math.pi * frequency * t_fast + 0.4)
    boxed, t_slow = box_average_to_rate(fast[:, None], fast_rate, slow_rate)
    point = fast[::step][: len(t_slow)]
    return AliasingState(
        frequency=float(frequency),
        fast_rate=float(fast_rate),
        slow_rate=float(slow_rate),
        t_fast=t_fast.numpy(),
        fast=fast.numpy(),
        t_slow=t_slow.numpy(),
        point=point.numpy(),
        boxed=boxed[:, 0].numpy(),
        apparent=alias_frequency(frequency, slow_rate),
        gain=gain,
    )


def aliasing_states(
    frequencies: Sequence[float], fast_rate: float = 600.0, slow_rate: float = 30.0, duration: float = 0.5
) -> list[AliasingState]:
    """:func:`aliasing_state` for every frequency, in order."""
    if len(frequencies) == 0:
        raise ValueError("aliasing_states: give at least one frequency")
    return [aliasing_state(f, fast_rate, slow_rate, duration) for f in frequencies]


def draw_aliasing(ax, state: AliasingState):
    """Draw one state on ``ax``: the fast signal, the point samples and the box averages."""
    ax.plot(state.t_fast, state.fast, color="0.75", lw=1, label=f"signal, {state.frequency:g} Hz")
    ax.plot(
        state.t_slow,
        state.point,
        "o-",
        color="tab:red",
        ms=4,
        lw=1.2,
        label=f"point-sampled at {state.slow_rate:g} Hz (appears at {state.apparent:g} Hz)",
    )
    half = 0.5 / state.slow_rate  # plot each period's mean at the centre of its period
    ax.plot(
        state.t_slow + half,
        state.boxed,
        "s-",
        color="tab:blue",
        ms=4,
        lw=1.2,
        label=f"box-averaged, then decimated (gain {state.gain:.2f})",
    )
    ax.set(xlabel="time (s)", ylim=(-1.6, 1.9), xlim=(0, state.t_fast[-1]))
    ax.set_title(
        f"{state.frequency:g} Hz seen by a {state.slow_rate:g} Hz sensor "
        f"(Nyquist {state.slow_rate / 2:g} Hz)",
        fontsize=11,
    )
    ax.legend(loc="upper right", fontsize=9, ncol=1, framealpha=0.9)
    return ax


def _figure(state: AliasingState):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.8, 3.4))
    draw_aliasing(ax, state)
    fig.tight_layout()
    return fig


def aliasing_static_explorer(
    frequencies: Sequence[float] = tuple(range(0, 62, 2)),
    fast_rate: float = 600.0,
    slow_rate: float = 30.0,
    duration: float = 0.5,
) -> StaticExplorer:
    """The kernel-free aliasing explorer: one slider over ``frequencies``, every picture precomputed."""
    states = aliasing_states(frequencies, fast_rate, slow_rate, duration)
    return StaticExplorer(
        lambda frequency: _figure(states[frequency]),
        {"frequency": [f"{s.frequency:g} Hz" for s in states]},
        title="Aliasing: point sampling against box filtering (precomputed, works offline)",
        dpi=80,
    )


def aliasing_explorer(
    frequencies: Sequence[float] = tuple(range(0, 62, 2)),
    fast_rate: float = 600.0,
    slow_rate: float = 30.0,
    duration: float = 0.5,
):
    """The live ipywidgets explorer (Jupyter): a frequency slider that redraws the figure."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    states = aliasing_states(frequencies, fast_rate, slow_rate, duration)
    slider = widgets.SelectionSlider(
        options=[(f"{s.frequency:g}", i) for i, s in enumerate(states)], description="frequency (Hz)"
    )
    out = widgets.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            _figure(states[slider.value])
            plt.show()

    slider.observe(redraw, "value")
    redraw()
    return widgets.VBox([slider, out])

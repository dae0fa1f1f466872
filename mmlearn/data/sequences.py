"""Generated image + frame-sequence data (chapter 5): two sequences sampled at different rates.

A scene holds ``n_objects`` objects of distinct colours in distinct cells of a ``grid x grid``
board (the *image*, given as a set of object regions). A pointer visits one object per time
window, ``windows`` windows in all, never the same object twice in a row. Two sensors record
the episode:

* a **fast** sequence, ``rate`` frames per window: the one-hot code of the cell the pointer is
  on plus Gaussian noise, shape ``(n, windows * rate, grid^2)``;
* a **slow** sequence, one frame per window: a signal that flashes (1) in exactly one window and
  is 0 elsewhere, plus noise, shape ``(n, windows, 1)``.

The label is the colour of the object the pointer visits *while the signal flashes*. Answering
needs all three: the slow sequence says *when*, the fast sequence says *where* at that time, and
the image says *which colour* is there; the two sequences must be aligned although frame ``t``
of the slow one covers frames ``t * rate .. (t + 1) * rate - 1`` of the fast one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .dataset import MultimodalDataset


@dataclass
class ImageSequences:
    """The generated set. Arrays over samples ``n``:

    Attributes:
        regions: ``(n, K, K + grid^2)`` per object its colour one-hot and the one-hot code of
            its cell, in a random slot order.
        fast: ``(n, windows * rate, grid^2)`` noisy one-hot codes of the pointer's cell.
        slow: ``(n, windows, 1)`` noisy flash signal.
        visits: ``(n, windows)`` the slot of the object visited in each window.
        flash: ``(n,)`` the window in which the signal flashes.
        labels: ``(n,)`` the colour of ``regions[visits[flash]]``.
        rate: fast frames per slow frame.
    """

    regions: np.ndarray
    fast: np.ndarray
    slow: np.ndarray
    visits: np.ndarray
    flash: np.ndarray
    labels: np.ndarray
    rate: int

    def dataset(self) -> MultimodalDataset:
        """``[image (n, K, K+G), fast (n, T_fast, G), slow (n, T_slow, 1)]`` and the labels."""
        return MultimodalDataset(
            [torch.from_numpy(self.regions), torch.from_numpy(self.fast), torch.from_numpy(self.slow)],
            torch.from_numpy(self.labels),
            names=["image", "fast", "slow"],
        )


def _check_int(name: str, value: object, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ValueError(f"make_image_sequences: {name} must be an int >= {low}, got {value!r}")
    return value


def make_image_sequences(
    n: int,
    n_objects: int = 5,
    windows: int = 4,
    rate: int = 4,
    noise: float = 0.2,
    seed: int = 0,
    grid: int = 3,
) -> ImageSequences:
    """Generate ``n`` episodes (deterministic given ``seed``); see the module docstring.

    Cells are coded one-hot so that finding "the object where the pointer is" is a match of two
    codes, the kind of comparison additive attention learns quickly.
    """
    _check_int("n", n, 1)
    _check_int("n_objects", n_objects, 2)
    _check_int("windows", windows, 2)
    _check_int("rate", rate, 1)
    _check_int("grid", grid, 2)
    if not 0 <= noise < 1:
        raise ValueError(f"make_image_sequences: noise must be in [0, 1), got {noise}")
    cells = grid * grid
    if n_objects > cells:
        raise ValueError(f"make_image_sequences: at most grid^2 = {cells} objects fit, got {n_objects}")
    rng = np.random.default_rng(seed)
    where = np.stack([rng.choice(cells, size=n_objects, replace=False) for _ in range(n)])
    positions = np.eye(cells)[where]  # (n, K, cells) one-hot cell codes
    colours = np.stack([rng.permutation(n_objects) for _ in range(n)])
    regions = np.concatenate([np.eye(n_objects)[colours], positions], axis=-1).astype(np.float32)
    visits = np.empty((n, windows), dtype=np.int64)
    visits[:, 0] = rng.integers(0, n_objects, size=n)
    for w in range(1, windows):  # a different object from the previous window
        step = rng.integers(1, n_objects, size=n)
        visits[:, w] = (visits[:, w - 1] + step) % n_objects
    rows = np.arange(n)[:, None]
    fast = np.repeat(positions[rows, visits], rate, axis=1)
    fast = (fast + noise * rng.standard_normal(fast.shape)).astype(np.float32)
    flash = rng.integers(0, windows, size=n)
    slow = np.eye(windows)[flash][..., None]
    slow = (slow + noise * rng.standard_normal(slow.shape)).astype(np.float32)
    labels = colours[np.arange(n), visits[np.arange(n), flash]]
    return ImageSequences(regions, fast, slow, visits, flash, labels.astype(np.int64), rate)

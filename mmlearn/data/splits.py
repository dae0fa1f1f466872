"""Standard stratified splits (scikit-learn), seeded."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

from .dataset import MultimodalDataset


def stratified_split(
    data: MultimodalDataset, test_size: float = 0.3, val_size: float = 0.0, seed: int = 0
) -> tuple[MultimodalDataset, ...]:
    """Split into (train, test) or, with ``val_size > 0``, (train, val, test), stratified by label.

    ``test_size`` and ``val_size`` are fractions of the whole dataset. The book's standard split
    of UCI Multiple Features is ``test_size=0.3`` with ``seed=0``.
    """
    if not 0 < test_size < 1 or not 0 <= val_size < 1 or test_size + val_size >= 1:
        raise ValueError(
            f"test_size and val_size must be fractions in (0, 1) that sum to less than 1, "
            f"got test_size={test_size}, val_size={val_size}"
        )
    labels = data.labels.numpy()
    index = np.arange(len(data))
    n_test, n_val = round(test_size * len(data)), round(val_size * len(data))
    rest, test = train_test_split(index, test_size=n_test, stratify=labels, random_state=seed)
    if n_val == 0:
        return data.subset(rest), data.subset(test)
    train, val = train_test_split(rest, test_size=n_val, stratify=labels[rest], random_state=seed)
    return data.subset(train), data.subset(val), data.subset(test)

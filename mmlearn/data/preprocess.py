"""Preprocessing fitted on the training split only (scikit-learn's StandardScaler per modality)."""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import StandardScaler

from .dataset import MultimodalDataset


def standardize(train: MultimodalDataset, *others: MultimodalDataset) -> tuple[MultimodalDataset, ...]:
    """Scale every modality to zero mean and unit variance using statistics of ``train`` only.

    Returns the transformed ``(train, *others)``. Constant features stay at zero.
    """
    scalers = [StandardScaler().fit(x.numpy()) for x in train.modalities]

    def apply(data: MultimodalDataset) -> MultimodalDataset:
        if len(data.modalities) != len(scalers):
            raise ValueError(
                f"standardize: the dataset has {len(data.modalities)} modalities, the training "
                f"set {len(scalers)}"
            )
        pairs = zip(scalers, data.modalities, strict=True)
        views = [s.transform(x.numpy()).astype(np.float32) for s, x in pairs]
        return MultimodalDataset(views, data.labels, data.names)

    return tuple(apply(d) for d in (train, *others))

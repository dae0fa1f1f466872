"""An in-memory multimodal dataset: ``M`` feature tensors and one label tensor."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch
from torch import Tensor


class MultimodalDataset:
    """``M`` modalities of shape ``(n, d_m)`` (or ``(n, L_m, d_m)``) and labels ``(n,)``.

    ``dataset[i]`` is one sample ``([x_1[i], ..., x_M[i]], y[i])``, as in
    ``torch.utils.data.Dataset``, so a ``DataLoader`` can wrap it; :meth:`subset` takes an array of
    indices and returns a new dataset; :meth:`batches` iterates over mini-batches.
    """

    def __init__(
        self,
        modalities: Sequence[Tensor | np.ndarray],
        labels: Tensor | np.ndarray,
        names: Sequence[str] | None = None,
    ) -> None:
        if len(modalities) == 0:
            raise ValueError("MultimodalDataset: modalities must hold at least one array")
        self.modalities = [
            torch.as_tensor(np.asarray(x) if not isinstance(x, Tensor) else x) for x in modalities
        ]
        self.modalities = [x.float() if x.is_floating_point() else x for x in self.modalities]
        self.labels = torch.as_tensor(labels).long()
        n = len(self.labels)
        sizes = [len(x) for x in self.modalities]
        if any(s != n for s in sizes):
            raise ValueError(f"MultimodalDataset: every modality needs one row per label ({n}), got {sizes}")
        self.names = list(names) if names is not None else [f"m{i}" for i in range(len(sizes))]
        if len(self.names) != len(self.modalities):
            raise ValueError(
                f"MultimodalDataset: {len(self.names)} names for {len(self.modalities)} modalities"
            )

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def input_dims(self) -> list[int]:
        return [x.shape[-1] for x in self.modalities]

    @property
    def n_classes(self) -> int:
        return int(self.labels.max()) + 1

    def subset(self, index: Sequence[int] | np.ndarray | Tensor) -> MultimodalDataset:
        idx = torch.as_tensor(np.asarray(index), dtype=torch.long)
        return MultimodalDataset([x[idx] for x in self.modalities], self.labels[idx], self.names)

    def __getitem__(self, index: int) -> tuple[list[Tensor], Tensor]:
        """Sample ``index``: ``([x_1[index], ..., x_M[index]], label)``."""
        if isinstance(index, bool) or not isinstance(index, int | np.integer):
            raise TypeError(
                f"MultimodalDataset: dataset[i] takes one int and returns one sample; got "
                f"{type(index).__name__} (for several rows use dataset.subset(indices))"
            )
        return [x[index] for x in self.modalities], self.labels[index]

    def select(self, names: Sequence[str]) -> MultimodalDataset:
        """A dataset with only the named modalities, in the given order."""
        missing = [n for n in names if n not in self.names]
        if missing:
            raise ValueError(f"unknown modalities {missing}; this dataset has {self.names}")
        pick = [self.modalities[self.names.index(n)] for n in names]
        return MultimodalDataset(pick, self.labels, names)

    def batches(
        self, batch_size: int, shuffle: bool = False, generator: torch.Generator | None = None
    ) -> Iterator[tuple[list[Tensor], Tensor]]:
        """Yield ``([x_1, ..., x_M], y)`` mini-batches."""
        n = len(self)
        order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            yield [x[idx] for x in self.modalities], self.labels[idx]

    def __repr__(self) -> str:
        pairs = zip(self.names, self.modalities, strict=True)
        views = ", ".join(f"{n}:{tuple(x.shape[1:])}" for n, x in pairs)
        return f"MultimodalDataset(n={len(self)}, {views})"

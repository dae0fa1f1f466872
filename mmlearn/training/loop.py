"""Training and evaluation: device picked automatically, seeded, tqdm progress, early stopping."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ..data import MultimodalDataset


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch; return a torch generator seeded the same way."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def paired_minibatches(n: int, batch_size: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Shuffled index batches over ``n`` paired rows for one epoch, skipping a last batch of
    fewer than 2 rows (a contrastive or correlation objective needs at least two pairs)."""
    order = torch.randperm(n, generator=generator)
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        if len(idx) >= 2:
            yield idx


def default_device() -> torch.device:
    """CUDA when available, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@dataclass
class History:
    """Per-epoch records of a :func:`fit` run."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    best_epoch: int = -1
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    def plot(self, ax=None):
        """Loss curves (and validation accuracy) on a matplotlib axis."""
        from ..viz.figures import plot_history

        return plot_history(self, ax=ax)


def _to(batch: list[torch.Tensor], device: torch.device) -> list[torch.Tensor]:
    return [x.to(device, non_blocking=True) for x in batch]


@torch.no_grad()
def evaluate(
    model: nn.Module, data: MultimodalDataset, batch_size: int = 512, device=None
) -> dict[str, float]:
    """Mean cross-entropy loss and accuracy of ``model`` on ``data``."""
    if len(data) == 0:
        raise ValueError("evaluate: the dataset is empty")
    device = torch.device(device) if device is not None else next(model.parameters()).device
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    for xs, y in data.batches(batch_size):
        y = y.to(device)
        logits = model(*_to(xs, device))
        total_loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(dim=1) == y).sum().item()
    model.train(was_training)
    return {"loss": total_loss / len(data), "accuracy": correct / len(data)}


@torch.no_grad()
def predict(model: nn.Module, data: MultimodalDataset, batch_size: int = 512) -> torch.Tensor:
    """Predicted class of every sample, shape ``(n,)``."""
    device = next(model.parameters()).device
    model.eval()
    return torch.cat([model(*_to(xs, device)).argmax(1).cpu() for xs, _ in data.batches(batch_size)])


def fit(
    model: nn.Module,
    train: MultimodalDataset,
    val: MultimodalDataset | None = None,
    epochs: int = 50,
    lr: float = 1e-3,
    batch_size: int = 64,
    weight_decay: float = 0.0,
    patience: int | None = 10,
    seed: int = 0,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` with Adam and cross-entropy; keep the weights of the best validation epoch.

    Early stopping: training stops when the validation loss has not improved for ``patience``
    epochs (``None`` disables it); the best weights are restored at the end. Without ``val``
    the model of the last epoch is kept. Returns a :class:`History`.
    """
    if len(train) == 0:
        raise ValueError("fit: the training set is empty")
    if epochs <= 0 or batch_size <= 0:
        raise ValueError(f"fit: epochs and batch_size must be positive, got {epochs}, {batch_size}")
    device = torch.device(device) if device is not None else default_device()
    generator = seed_everything(seed)
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    history = History()
    best_loss, best_state, waited = float("inf"), None, 0
    bar = tqdm(range(epochs), desc="epochs", disable=not progress, leave=False)
    for epoch in bar:
        model.train()
        running = 0.0
        for xs, y in train.batches(batch_size, shuffle=True, generator=generator):
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(*_to(xs, device)), y.to(device))
            loss.backward()
            optimizer.step()
            running += loss.item() * len(y)
        history.train_loss.append(running / len(train))
        if val is None:
            continue
        metrics = evaluate(model, val, device=device)
        history.val_loss.append(metrics["loss"])
        history.val_accuracy.append(metrics["accuracy"])
        bar.set_postfix(val_loss=f"{metrics['loss']:.3f}", val_acc=f"{metrics['accuracy']:.3f}")
        if metrics["loss"] < best_loss:
            best_loss, waited, history.best_epoch = metrics["loss"], 0, epoch
            best_state = copy.deepcopy(model.state_dict())
        else:
            waited += 1
            if patience is not None and waited >= patience:
                history.stopped_early = True
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        history.best_epoch = history.epochs - 1
    return history

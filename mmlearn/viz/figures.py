"""The book's figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import Tensor


def plot_history(history, ax=None):
    """Training/validation loss per epoch, with validation accuracy on a twin axis."""
    ax = ax or plt.gca()
    epochs = np.arange(1, history.epochs + 1)
    ax.plot(epochs, history.train_loss, label="train loss")
    if history.val_loss:
        ax.plot(epochs[: len(history.val_loss)], history.val_loss, label="validation loss")
        twin = ax.twinx()
        twin.plot(
            epochs[: len(history.val_accuracy)], history.val_accuracy, "g--", label="validation accuracy"
        )
        twin.set_ylabel("accuracy")
        ax.axvline(history.best_epoch + 1, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.legend(loc="upper right")
    return ax


def bar_with_errors(
    results: Mapping[str, Sequence[float]],
    ax=None,
    ylabel: str = "test accuracy",
    highlight: Sequence[str] = (),
    ylim: tuple[float, float] | None = None,
):
    """Bars of the mean of each entry with a +-1 standard deviation error bar (one per seed)."""
    ax = ax or plt.gca()
    names = list(results)
    means = np.array([np.mean(results[n]) for n in names])
    stds = np.array([np.std(results[n]) for n in names])
    colors = ["tab:orange" if n in highlight else "tab:blue" for n in names]
    ax.bar(names, means, yerr=stds, capsize=3, color=colors)
    ax.set_ylabel(ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.tick_params(axis="x", rotation=45)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    return ax


def show_digits(images: np.ndarray, labels: Sequence[int], n: int = 10, axes=None):
    """Draw ``n`` images ``(n, h, w)`` in a row with their labels as titles."""
    if axes is None:
        _, axes = plt.subplots(1, n, figsize=(1.2 * n, 1.6))
    for ax, image, label in zip(np.ravel(axes), images[:n], labels[:n], strict=False):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(str(int(label)))
        ax.axis("off")
    return axes


def fusion_stages_diagram():
    """A schematic of early, intermediate and late fusion of two modalities (a matplotlib figure)."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    fig, axes = plt.subplots(1, 3, figsize=(8.5, 3.4))
    grey, orange = "#d9d9d9", "#f4a261"

    def box(ax, x, y, text, color, w=0.26, h=0.14):
        ax.add_patch(
            FancyBboxPatch(
                (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02", fc=color, ec="black", lw=0.8
            )
        )
        ax.text(x, y, text, ha="center", va="center", fontsize=10)

    def arrow(ax, a, b):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=10, lw=0.8))

    layouts = {
        "early": [
            ("x1", 0.2, 0.85, "white"),
            ("x2", 0.8, 0.85, "white"),
            ("concat", 0.5, 0.6, orange),
            ("model", 0.5, 0.35, grey),
            ("y", 0.5, 0.1, "white"),
        ],
        "intermediate": [
            ("x1", 0.2, 0.85, "white"),
            ("x2", 0.8, 0.85, "white"),
            ("encoder 1", 0.2, 0.6, grey),
            ("encoder 2", 0.8, 0.6, grey),
            ("fusion", 0.5, 0.35, orange),
            ("y", 0.5, 0.1, "white"),
        ],
        "late": [
            ("x1", 0.2, 0.85, "white"),
            ("x2", 0.8, 0.85, "white"),
            ("model 1", 0.2, 0.6, grey),
            ("model 2", 0.8, 0.6, grey),
            ("average scores", 0.5, 0.35, orange),
            ("y", 0.5, 0.1, "white"),
        ],
    }
    edges = {
        "early": [(0, 2), (1, 2), (2, 3), (3, 4)],
        "intermediate": [(0, 2), (1, 3), (2, 4), (3, 4), (4, 5)],
        "late": [(0, 2), (1, 3), (2, 4), (3, 4), (4, 5)],
    }
    for ax, (title, nodes) in zip(axes, layouts.items(), strict=True):
        for text, x, y, color in nodes:
            box(ax, x, y, text, color)
        for i, j in edges[title]:
            arrow(ax, (nodes[i][1], nodes[i][2] - 0.07), (nodes[j][1], nodes[j][2] + 0.07))
        ax.set_title(f"{title} fusion")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_joint_embedding(
    u: Tensor, v: Tensor, labels: Tensor, names: tuple[str, str] = ("A", "B"), n_links: int = 30, ax=None
):
    """The two modalities' embeddings in one 2-D PCA plot, coloured by class; ``n_links`` lines join
    matched pairs. ``u, v: (n, k)``, ``labels: (n,)``."""
    from sklearn.decomposition import PCA

    ax = ax or plt.gca()
    both = torch.cat([u, v]).detach().cpu().numpy()
    xy = PCA(n_components=2, random_state=0).fit_transform(both)
    n = u.shape[0]
    pa, pb = xy[:n], xy[n:]
    colors = labels.cpu().numpy()
    for i in range(min(n_links, n)):
        ax.plot([pa[i, 0], pb[i, 0]], [pa[i, 1], pb[i, 1]], color="grey", lw=0.5, alpha=0.6)
    sc = ax.scatter(pa[:, 0], pa[:, 1], c=colors, cmap="tab10", marker="o", s=12, label=names[0])
    ax.scatter(pb[:, 0], pb[:, 1], c=colors, cmap="tab10", marker="^", s=12, label=names[1])
    ax.legend(loc="best", fontsize=8)
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    return sc


def plot_robustness(results: Sequence[Any], axes=None):
    """Two panels: accuracy versus noise level, and accuracy with each modality missing."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax_noise, ax_missing = axes
    for r in results:
        ax_noise.plot(r.noise_levels, r.noisy, marker="o", label=f"{r.fusion} ({r.family})")
    if results:
        ax_noise.set_xlabel(f"noise std added to '{results[0].noisy_modality}' (standardised units)")
    ax_noise.set_ylabel("test accuracy")
    ax_noise.legend(fontsize=8)
    names = list(results[0].missing) if results else []
    width = 0.8 / max(1, len(names) + 1)
    x = np.arange(len(results))
    ax_missing.bar(x, [r.clean for r in results], width, label="all modalities")
    for k, name in enumerate(names):
        ax_missing.bar(
            x + (k + 1) * width, [r.missing[name] for r in results], width, label=f"'{name}' missing"
        )
    ax_missing.set_xticks(x + width * len(names) / 2, [r.fusion for r in results], rotation=45, ha="right")
    ax_missing.set_ylabel("test accuracy")
    ax_missing.set_ylim(0, 1.2)
    ax_missing.legend(fontsize=8, ncol=len(names) + 1, loc="upper center")
    return axes

"""Draw attention weights over a scene, statically or with an ipywidgets explorer (chapter 5).

The weights are the ones a model returned in its forward pass (one row per hop, one entry per
object or region); nothing here recomputes attention.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def draw_attention(ax, image: np.ndarray, centres: np.ndarray, weights: np.ndarray, title: str = ""):
    """Show ``image (3, H, W)`` and a ring around every object scaled by its attention weight.

    ``centres (L, 2)`` are object centres ``(x, y)`` in ``[0, 1]``; ``weights (L,)`` the
    attention of one hop over those objects. The most attended object's weight is printed.
    """
    size = image.shape[-1]
    ax.imshow(np.clip(image.transpose(1, 2, 0), 0, 1))
    for (x, y), w in zip(centres, weights, strict=True):
        ax.add_patch(_circle((x * size - 0.5, y * size - 0.5), 0.12 * size, w))
    best = int(np.argmax(weights))
    x, y = centres[best]
    ax.text(
        x * size,
        y * size - 0.16 * size,
        f"{weights[best]:.2f}",
        color="w",
        ha="center",
        fontsize=8,
        weight="bold",
    )
    ax.set(xticks=[], yticks=[], title=title)
    return ax


def _circle(centre, radius, weight):
    from matplotlib.patches import Circle

    return Circle(
        centre, radius, fill=False, lw=0.5 + 4 * float(weight), color="w", alpha=float(0.15 + 0.85 * weight)
    )


def attention_explorer(
    images: np.ndarray,
    centres: np.ndarray,
    weights: np.ndarray,
    titles: Sequence[str],
):
    """An ipywidgets explorer: pick a sample and a hop, see where the model looks.

    Shapes: ``images (n, 3, H, W)``, ``centres (n, L, 2)``, ``weights (n, hops, L)``;
    ``titles`` one string per sample (question, answer, prediction). Returns the widget box.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    n, hops = weights.shape[:2]
    if not len(images) == len(centres) == len(titles) == n:
        raise ValueError(
            f"attention_explorer: images, centres, weights and titles need one entry per sample; "
            f"got {len(images)}, {len(centres)}, {n}, {len(titles)}"
        )
    sample = widgets.IntSlider(0, 0, n - 1, description="sample")
    hop = widgets.IntSlider(0, 0, hops - 1, description="hop")
    out = widgets.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(3.2, 3.4))
            i, k = sample.value, hop.value
            draw_attention(ax, images[i], centres[i], weights[i, k], f"{titles[i]}\nhop {k + 1}")
            plt.show()

    sample.observe(redraw, "value")
    hop.observe(redraw, "value")
    redraw()
    return widgets.VBox([widgets.HBox([sample, hop]), out])

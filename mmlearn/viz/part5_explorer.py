"""Part V explorer: the measured cost of token fusions, as the sequences and the fusion's own
size grow (chapter 13), on the static site as on Jupyter.

:func:`token_cost_static_explorer` takes FLOP counts the notebook measured (one array per
fusion, indexed by tokens per modality and by the bottleneck / latent size) and builds a
:class:`~mmlearn.viz.static_explorers.StaticExplorer`: two sliders, one bar chart per state.
Nothing is computed in the browser; every picture is rendered once, when the notebook runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .static_explorers import StaticExplorer

__all__ = ["token_cost_static_explorer"]


def token_cost_static_explorer(
    lengths: Sequence[int],
    sizes: Sequence[int],
    flops: Mapping[str, np.ndarray],
    *,
    title: str = "Forward FLOPs of the token fusions",
) -> StaticExplorer:
    """Sliders "tokens per modality" (``lengths``) and "bottleneck tokens / latents" (``sizes``)
    over bar charts of ``flops[name][i, j]`` (FLOPs of fusion ``name`` at ``lengths[i]`` and
    ``sizes[j]``), on a logarithmic axis shared by every state so that bars compare across states.

    ``flops``: one array ``(len(lengths), len(sizes))`` of positive numbers per fusion.
    """
    names = list(flops)
    if not names:
        raise ValueError("token_cost_static_explorer: flops must hold at least one fusion")
    table = {}
    for name in names:
        values = np.asarray(flops[name], dtype=np.float64)
        if values.shape != (len(lengths), len(sizes)):
            raise ValueError(
                f"token_cost_static_explorer: flops[{name!r}] must have shape "
                f"(len(lengths), len(sizes)) = ({len(lengths)}, {len(sizes)}), got {values.shape}"
            )
        if not np.all(np.isfinite(values)) or np.any(values <= 0):
            raise ValueError(f"token_cost_static_explorer: flops[{name!r}] must be positive and finite")
        table[name] = values
    low = min(float(v.min()) for v in table.values()) / 1.5
    high = max(float(v.max()) for v in table.values()) * 1.5

    def render(tokens: int, size: int):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.2, 2.6))
        values = [table[name][tokens, size] / 1e6 for name in names]
        ax.barh(names, values, color=[f"C{k}" for k in range(len(names))])
        ax.set_xscale("log")
        ax.set_xlim(low / 1e6, high / 1e6)
        ax.set_xlabel("MFLOP, one forward pass")
        ax.set_title(f"L = {lengths[tokens]} tokens per modality, size {sizes[size]}", fontsize=10)
        for k, v in enumerate(values):
            ax.text(v, k, f" {v:.2f}", va="center", fontsize=9)
        fig.tight_layout()
        return fig

    return StaticExplorer(
        render,
        {"tokens": [str(n) for n in lengths], "size": [str(n) for n in sizes]},
        title=title,
    )

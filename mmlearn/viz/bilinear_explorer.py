"""Chapter 7 explorer: rank, factor and sketch size -> parameter counts, sketch error, accuracy.

``param_counts`` and ``sketch_error`` are plain functions (tested); ``explorer_figure`` draws
the static version for the book; ``bilinear_explorer`` wraps them in ipywidgets sliders for a
reader running the notebook in Jupyter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..experiments.sizing import param_counts, sketch_error


def explorer_figure(
    input_dims: Sequence[int],
    output_dim: int,
    ranks: Sequence[int] = (1, 2, 4, 8, 16, 32, 64),
    sketch_dims: Sequence[int] = (16, 64, 256, 1024, 4096),
    factor: int = 2,
    accuracy: Mapping[str, Mapping[int, float]] | None = None,
):
    """Static view of the explorer: parameters against rank (and accuracy against parameters
    when ``accuracy[name][rank]`` is given), and the MCB error against the sketch size."""
    import matplotlib.pyplot as plt

    panels = 3 if accuracy else 2
    fig, axes = plt.subplots(panels, 1, figsize=(6.5, 3.0 * panels))
    for name in ("mlb", "mfb", "mfh", "lmf"):
        axes[0].plot(
            ranks,
            [param_counts(input_dims, output_dim, r, factor)[name] for r in ranks],
            marker="o",
            label=name.upper(),
        )
    fixed = param_counts(input_dims, output_dim)
    for name in ("bilinear", "tfn"):
        if name in fixed:
            axes[0].axhline(fixed[name], ls="--", lw=1, color="grey")
            axes[0].annotate(name.upper(), (ranks[0], fixed[name]), va="bottom", fontsize=10)
    axes[0].set(
        xscale="log",
        yscale="log",
        xlabel="rank R",
        ylabel="parameters",
        title=f"dims {tuple(input_dims)} -> {output_dim}",
    )
    axes[0].legend(fontsize=10)
    errors = [sketch_error(d) for d in sketch_dims]
    axes[1].plot(sketch_dims, errors, marker="o", label="measured")
    axes[1].plot(
        sketch_dims,
        [errors[0] * math.sqrt(sketch_dims[0] / d) for d in sketch_dims],
        ls="--",
        color="grey",
        label=r"$\propto 1/\sqrt{D}$",
    )
    axes[1].set(
        xscale="log",
        yscale="log",
        xlabel="sketch size D",
        ylabel="relative RMS error",
        title="MCB estimate of <x,x'><y,y'>",
    )
    axes[1].legend(fontsize=10)
    if accuracy:
        for name, by_rank in accuracy.items():
            rs = sorted(by_rank)
            axes[2].plot(
                [param_counts(input_dims, output_dim, r, factor)[name] for r in rs],
                [by_rank[r] for r in rs],
                marker="o",
                label=name.upper(),
            )
        axes[2].set(xscale="log", xlabel="parameters", ylabel="test accuracy", title="accuracy vs size")
        axes[2].legend(fontsize=10)
    fig.tight_layout()
    return fig


def bilinear_explorer(
    input_dims: Sequence[int] = (64, 64),
    output_dim: int = 64,
    accuracy: Mapping[str, Mapping[int, float]] | None = None,
):
    """Sliders for rank, factor and sketch size; prints parameters, MCB error and, when given,
    the measured accuracy at the nearest rank. Returns an ``ipywidgets`` widget."""
    import ipywidgets as widgets

    def show(rank: int, factor: int, log2_sketch: int) -> None:
        sketch = 2**log2_sketch
        counts = param_counts(input_dims, output_dim, rank, factor, sketch)
        lines = [f"{'fusion':>9} {'parameters':>14} {'accuracy':>9}"]
        for name, n in counts.items():
            acc = ""
            if accuracy and name in accuracy:
                nearest = min(accuracy[name], key=lambda r: abs(math.log(r) - math.log(rank)))
                acc = f"{accuracy[name][nearest]:.3f} (R={nearest})"
            lines.append(f"{name.upper():>9} {n:>14,} {acc:>9}")
        lines.append(f"MCB relative error at D={sketch}: {sketch_error(sketch):.3f}")
        print("\n".join(lines))

    return widgets.interactive(
        show,
        rank=widgets.IntSlider(value=16, min=1, max=128, description="rank R"),
        factor=widgets.IntSlider(value=2, min=1, max=8, description="factor k"),
        log2_sketch=widgets.IntSlider(value=10, min=3, max=14, description="log2 D"),
    )

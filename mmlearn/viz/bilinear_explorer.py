"""Chapter 7 explorer (rank, factor and sketch size -> parameter counts, sketch error, accuracy)
and the Part III family tree.

``param_counts`` and ``sketch_error`` are plain functions (tested); ``explorer_figure`` draws
the static version for the book; ``bilinear_explorer`` wraps them in ipywidgets sliders for a
reader running the notebook in Jupyter (``mmlearn.viz.static_explorers.bilinear_static_explorer``
is its kernel-free twin for the website). ``family_tree_figure`` draws which fusion of Part III
contains which, with the chapter that proves each link.
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


# The boxes of the family tree: name -> (x, y, text), in axes coordinates.
FAMILY_NODES: dict[str, tuple[float, float, str]] = {
    "tfn": (0.85, 0.92, "tensor fusion (TFN)\n$[x;1]\\otimes[y;1]$, ch. 6"),
    "bilinear": (0.36, 0.92, "full bilinear\n$\\mathcal{W}\\in\\mathbb{R}^{o\\times d_1\\times d_2}$, ch. 6"),
    "lmf": (0.85, 0.62, "LMF\nCP rank $R$, ch. 7"),
    "tucker": (0.36, 0.70, "Tucker fusion, ch. 8"),
    "block": (0.10, 0.50, "BLOCK, ch. 9"),
    "mcb": (0.50, 0.40, "MCB, ch. 6"),
    "mfb": (0.85, 0.30, "MFB, ch. 7"),
    "mutan": (0.22, 0.24, "MUTAN, ch. 8"),
    "mlb": (0.50, 0.04, "MLB, ch. 7"),
}

# The links: (general, special case, condition, dashed). An arrow reads "contains".
FAMILY_EDGES: list[tuple[str, str, str, bool]] = [
    ("tfn", "bilinear", "unimodal blocks = 0", False),
    ("tfn", "lmf", "weight of CP rank $R$", False),
    ("bilinear", "tucker", "Tucker decomposition", False),
    ("tucker", "block", "block-superdiagonal core", False),
    ("tucker", "mutan", "rank-$R$ core slices", False),
    ("tucker", "mcb", "fixed signs, count-sketch core", False),
    ("tucker", "mfb", "fixed 0/1 window core", False),
    ("block", "mutan", "$C = 1$", False),
    ("block", "mlb", "$C = D$, size-1 blocks", False),
    ("mutan", "mlb", "$R = 1$, identity merge", False),
    ("mfb", "mlb", "$k = 1$", False),
    ("mutan", "mcb", "only if $R \\geq$ max slice rank", True),
]


_LABEL_AT = {
    ("block", "mlb"): 0.8,
    ("mutan", "mlb"): 0.3,
    ("mutan", "mcb"): 0.55,
    ("tucker", "mutan"): 0.45,
    ("tucker", "mcb"): 0.45,
}


def family_tree_figure(fontsize: float = 9.0):
    """The Part III family tree as a matplotlib figure (6.8 x 5.2 inches, fits the text column).

    Boxes are fusions, an arrow from A to B means "A contains B as a special case" under the
    condition written on it (each link is a weight-copying check in the chapter named in the
    box); the dashed arrow holds only under its condition. MFH sits outside the tree: a cascade
    of ``p`` MFB blocks is a polynomial of degree ``p`` in each modality, not a bilinear map.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.8, 5.2))
    ax.set(xlim=(0, 1), ylim=(-0.08, 1.0), xticks=[], yticks=[])
    ax.axis("off")
    box = dict(boxstyle="round,pad=0.35", facecolor="#eef3fb", edgecolor="#2b5797")
    boxes = {
        name: ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, bbox=box, zorder=3)
        for name, (x, y, text) in FAMILY_NODES.items()
    }
    fig.canvas.draw()  # lay out the boxes, so that every arrow is clipped at their edges
    for a, b, label, dashed in FAMILY_EDGES:
        (xa, ya, _), (xb, yb, _) = FAMILY_NODES[a], FAMILY_NODES[b]
        t = _LABEL_AT.get((a, b), 0.5)  # where along the arrow its condition is written
        ax.annotate(
            "",
            xy=(xb, yb),
            xytext=(xa, ya),
            arrowprops=dict(
                arrowstyle="-|>",
                color="#555555",
                ls="--" if dashed else "-",
                patchA=boxes[a].get_bbox_patch(),
                patchB=boxes[b].get_bbox_patch(),
                shrinkA=1,
                shrinkB=1,
                lw=1.1,
            ),
            zorder=1,
        )
        ax.text(
            xa + t * (xb - xa),
            ya + t * (yb - ya),
            label,
            ha="center",
            va="center",
            fontsize=fontsize - 1.5,
            color="#333333",
            bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.9),
            zorder=2,
        )
    ax.text(
        0.84,
        -0.05,
        "outside the tree: MFH, ch. 7\n(cascade of $p$ MFB blocks:\ndegree $p$ in each modality)",
        ha="center",
        va="center",
        fontsize=fontsize - 0.5,
        bbox=dict(boxstyle="round,pad=0.35", facecolor="white", edgecolor="#999999", ls=":"),
    )
    fig.tight_layout()
    return fig

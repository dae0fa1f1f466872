"""Explorers that work without a kernel: every state precomputed, a few lines of inline JavaScript.

On the static website (and in any HTML export) an ipywidgets explorer is dead: its callbacks
need Python. A :class:`StaticExplorer` renders every combination of its sliders once, when the
notebook runs, and ships the pictures with a slider per parameter and a small inline script
that shows the picture of the current combination. Nothing is loaded from anywhere: the output
is one self-contained HTML fragment (its ``_repr_html_``), so the site stays offline. In Jupyter
the live ipywidgets explorers stay the interactive version; this one is their static twin.

Examples (chapters 5 and 7)::

    explorer = attention_static_explorer(images, centres, hop_weights, titles)
    explorer  # in the book: a "question" and a "hop" slider over precomputed pictures
    bilinear_static_explorer((16, 16), 32, accuracy=accuracy)  # rank, factor, sketch size

Cost: one small PNG per state, so keep the grid small (``max_states``).
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import uuid
from collections.abc import Callable, Mapping, Sequence

import numpy as np

__all__ = ["StaticExplorer", "attention_static_explorer", "bilinear_static_explorer"]


class StaticExplorer:
    """Sliders over precomputed pictures.

    ``sliders`` maps a slider name to the labels of its positions, e.g.
    ``{"hop": ["1", "2"]}``; ``render(**indices)`` is called once per combination of positions
    (``render(hop=0)``, ...) and returns a matplotlib figure, which is saved as a PNG and closed.
    """

    def __init__(
        self,
        render: Callable[..., object],
        sliders: Mapping[str, Sequence[str]],
        *,
        title: str = "",
        dpi: int = 90,
        max_states: int = 400,
    ):
        if not sliders:
            raise ValueError("StaticExplorer: give at least one slider")
        self.names = list(sliders)
        self.labels = {name: [str(v) for v in sliders[name]] for name in self.names}
        for name, labels in self.labels.items():
            if not labels:
                raise ValueError(f"StaticExplorer: slider {name!r} has no positions")
        n_states = int(np.prod([len(v) for v in self.labels.values()]))
        if n_states > max_states:
            raise ValueError(f"StaticExplorer: {n_states} states exceed max_states={max_states}")
        self.title = title
        self.states: dict[str, str] = {}
        for combo in itertools.product(*(range(len(self.labels[n])) for n in self.names)):
            fig = render(**dict(zip(self.names, combo, strict=True)))
            self.states[",".join(map(str, combo))] = _png_data_uri(fig, dpi)

    def _repr_png_(self) -> bytes:
        """The first state as a PNG: what the PDF (and any viewer without HTML) shows."""
        first = self.states[",".join("0" for _ in self.names)]
        return base64.b64decode(first.split(",", 1)[1])

    def _repr_html_(self) -> str:
        uid = "mmx-" + uuid.uuid4().hex[:10]
        rows = []
        for k, name in enumerate(self.names):
            n = len(self.labels[name])
            rows.append(
                f'<label style="display:flex;gap:.6em;align-items:center;margin:.2em 0">'
                f'<span style="min-width:6em">{html.escape(name)}</span>'
                f'<input type="range" min="0" max="{n - 1}" value="0" step="1" data-k="{k}" '
                f'aria-label="{html.escape(name)}" style="flex:1;max-width:18em">'
                f'<output data-k="{k}">{html.escape(self.labels[name][0])}</output></label>'
            )
        first = self.states[",".join("0" for _ in self.names)]
        data = json.dumps({"states": self.states, "labels": [self.labels[n] for n in self.names]})
        script = (
            "(function(){"
            f"var root=document.getElementById('{uid}');"
            f"var data=JSON.parse(document.getElementById('{uid}-data').textContent);"
            "var inputs=root.querySelectorAll('input[type=range]');"
            "var outs=root.querySelectorAll('output');var img=root.querySelector('img');"
            "function show(){var key=[];inputs.forEach(function(el,k){key.push(el.value);"
            "outs[k].textContent=data.labels[k][+el.value];});"
            "img.src=data.states[key.join(',')];img.dataset.state=key.join(',');}"
            "inputs.forEach(function(el){el.addEventListener('input',show);});})();"
        )
        title = f"<strong>{html.escape(self.title)}</strong>" if self.title else ""
        return (
            f'<div id="{uid}" class="mmlearn-static-explorer" style="max-width:100%">{title}'
            + "".join(rows)
            + f'<img src="{first}" data-state="{",".join("0" for _ in self.names)}" '
            f'alt="{html.escape(self.title or "explorer")}" style="max-width:100%;height:auto">'
            f'<script type="application/json" id="{uid}-data">{_script_safe(data)}</script>'
            f"<script>{script}</script></div>"
        )


def _script_safe(text: str) -> str:
    return text.replace("</", "<\\/")


def _png_data_uri(fig, dpi: int) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def attention_static_explorer(
    images: np.ndarray,
    centres: np.ndarray,
    weights: np.ndarray,
    titles: Sequence[str],
    *,
    max_samples: int = 12,
) -> StaticExplorer:
    """The chapter 5 attention explorer without a kernel: a question slider and a hop slider.

    Same arguments as the live explorer (``images (n, 3, H, W)``, ``centres (n, L, 2)``,
    ``weights (n, hops, L)``, one title per sample); the first ``max_samples`` samples are kept.
    """
    import matplotlib.pyplot as plt

    from .attention_explorer import draw_attention

    n = min(len(images), max_samples)
    hops = weights.shape[1]

    def render(sample: int, hop: int):
        fig, ax = plt.subplots(figsize=(3.6, 3.8))
        draw_attention(
            ax, images[sample], centres[sample], weights[sample, hop], f"{titles[sample]}\nhop {hop + 1}"
        )
        return fig

    return StaticExplorer(
        render,
        {"sample": [str(i + 1) for i in range(n)], "hop": [str(k + 1) for k in range(hops)]},
        title="Where each hop looks (precomputed, works offline)",
    )


def bilinear_static_explorer(
    input_dims: Sequence[int],
    output_dim: int,
    *,
    ranks: Sequence[int] = (1, 2, 4, 8, 16, 32, 64),
    factors: Sequence[int] = (1, 2, 4),
    sketch_dims: Sequence[int] = (16, 64, 256, 1024, 4096),
    accuracy: Mapping[str, Mapping[int, float]] | None = None,
    dpi: int = 72,
) -> StaticExplorer:
    """The chapter 7 bilinear explorer without a kernel: rank ``R``, factor ``k`` and sketch size
    ``D`` sliders over precomputed pictures (``len(ranks) * len(factors) * len(sketch_dims)``
    states).

    Each picture is a bar chart of the trainable parameters of MLB, MFB, MFH, LMF (at rank ``R``
    and factor ``k``) and MCB (at ``D``) from
    :func:`mmlearn.experiments.param_counts`, with the full bilinear form and tensor fusion as
    dashed lines; its title gives the relative RMS error of the MCB estimate at ``D``
    (:func:`mmlearn.experiments.sketch_error`, computed once per ``D``) and, when
    ``accuracy[name][rank]`` is given, the measured accuracy of each fusion at the measured rank
    nearest to ``R``. The same information as the live ``bilinear_explorer`` of
    :mod:`mmlearn.viz.bilinear_explorer`.
    """
    import math

    import matplotlib.pyplot as plt

    from ..experiments.sizing import param_counts, sketch_error

    errors = [sketch_error(d) for d in sketch_dims]
    fixed = param_counts(input_dims, output_dim)
    names = ["mlb", "mfb", "mfh", "lmf", "mcb"]

    def nearest(by_rank: Mapping[int, float], rank: int) -> int:
        return min(by_rank, key=lambda r: abs(math.log(r) - math.log(rank)))

    def render(rank: int, factor: int, sketch: int):
        r, k, d = ranks[rank], factors[factor], sketch_dims[sketch]
        counts = param_counts(input_dims, output_dim, r, k, d)
        fig, ax = plt.subplots(figsize=(5.6, 3.2))
        bars = ax.bar([n.upper() for n in names], [counts[n] for n in names], color="#4c72b0")
        for bar, n in zip(bars, names, strict=True):
            note = f"{counts[n]:,}"
            if accuracy and n in accuracy and accuracy[n]:
                at = nearest(accuracy[n], r)
                note += f"\nacc {accuracy[n][at]:.2f} (R={at})"
            ax.annotate(
                note,
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=10,
            )
        for n, style in (("bilinear", "--"), ("tfn", ":")):
            if n in fixed:
                ax.axhline(fixed[n], ls=style, color="grey", lw=1, label=f"{n.upper()} {fixed[n]:,}")
        ax.set(yscale="log", ylabel="trainable parameters", ylim=(10, 30 * max(max(counts.values()), 10)))
        ax.set_title(f"R = {r}, k = {k}, D = {d}: MCB relative error {errors[sketch]:.3f}", fontsize=10)
        ax.legend(fontsize=10, loc="upper left")
        fig.tight_layout()
        return fig

    return StaticExplorer(
        render,
        {
            "rank": [str(r) for r in ranks],
            "factor": [str(k) for k in factors],
            "sketch": [str(d) for d in sketch_dims],
        },
        title=f"Bilinear fusions {tuple(input_dims)} -> {output_dim} (precomputed, works offline)",
        dpi=dpi,
    )

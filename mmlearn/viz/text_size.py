"""How large the text of a figure is on the book's site, and a check that runs as figures are drawn.

A figure is saved at ``dpi`` dots per inch and shown at most ``COLUMN_PX`` pixels wide (the text
column at 1280 px); a wider figure is scaled down, and its text with it. A label of ``s`` points is
drawn ``s * dpi / 72`` pixels high, so it is shown
``s * dpi / 72 * min(1, COLUMN_PX / width_px)`` pixels high, where ``width_px`` is the width of
the saved (tightly cropped) figure. The site's reader review found labels shown at about 6 px
illegible; ``MIN_PX`` is the smallest size the book allows.

The book build (``scripts/execute_book.py``) registers :func:`watch` as a ``figure.hooks`` entry
of matplotlib in every kernel: each figure made with ``pyplot`` then reports its text below
``MIN_PX`` to the file named by ``$MMBOOK_FIGURE_TEXT_LOG`` whenever it is drawn, and the build
fails with the figure's title and the offending labels.
"""

from __future__ import annotations

import os

from matplotlib.backend_bases import DrawEvent, Event, RendererBase
from matplotlib.figure import Figure
from matplotlib.text import Text

COLUMN_PX = 688
MIN_PX = 9.0
LOG_VARIABLE = "MMBOOK_FIGURE_TEXT_LOG"

__all__ = ["COLUMN_PX", "LOG_VARIABLE", "MIN_PX", "displayed_text_px", "small_text", "watch"]


def displayed_text_px(fig: Figure, renderer: RendererBase | None = None) -> list[tuple[float, str]]:
    """``(displayed height in px, text)`` for every visible text of ``fig``, smallest first.

    ``renderer``: the renderer of a draw in progress (inside a ``draw_event``); without it the
    figure is drawn once to lay out its text.
    """
    if renderer is None:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    bbox = fig.get_tightbbox(renderer)
    width_px = bbox.width * fig.dpi if bbox is not None else fig.get_figwidth() * fig.dpi
    scale = min(1.0, COLUMN_PX / width_px) if width_px > 0 else 1.0
    sizes = [
        (float(t.get_fontsize()) * fig.dpi / 72 * scale, t.get_text())
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip()
    ]
    return sorted(sizes)


def small_text(
    fig: Figure, min_px: float = MIN_PX, renderer: RendererBase | None = None
) -> list[tuple[float, str]]:
    """The texts of ``fig`` shown smaller than ``min_px`` pixels on the site (smallest first)."""
    return [(px, text) for px, text in displayed_text_px(fig, renderer) if px < min_px]


def _title(fig: Figure) -> str:
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        return str(suptitle.get_text())
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    return titles[0] if titles else f"untitled figure, {len(fig.axes)} axes"


def watch(fig: Figure) -> None:
    """A ``figure.hooks`` entry: report small text to ``$MMBOOK_FIGURE_TEXT_LOG`` on each draw.

    Does nothing when the variable is not set. Each line of the log is
    ``<figure title> | <size> px: <text>; ...`` for one drawn figure that has small text.
    """
    path = os.environ.get(LOG_VARIABLE)
    if not path:
        return

    def on_draw(event: Event) -> None:
        renderer = event.renderer if isinstance(event, DrawEvent) else None
        found = small_text(fig, renderer=renderer)
        if found:
            shown = "; ".join(f"{px:.1f} px: {text[:40]!r}" for px, text in found[:5])
            with open(path, "a", encoding="utf-8") as log:
                log.write(f"{_title(fig)} | {shown}\n")

    fig.canvas.mpl_connect("draw_event", on_draw)

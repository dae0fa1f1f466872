"""Figures and explorers.

* :mod:`.figures`: the book's static figures (matplotlib);
* :mod:`.attention_explorer`, :mod:`.bilinear_explorer`: a static figure each, plus an
  ipywidgets explorer (ipywidgets is imported only when an explorer is built: ``pip install
  mmlearn[viz]``);
* :mod:`.static_explorers`: the same explorers for the static website, with every state
  precomputed and drawn by vendored JavaScript (no kernel, no network).
"""

from .figures import (
    bar_with_errors,
    fusion_stages_diagram,
    plot_history,
    plot_joint_embedding,
    plot_robustness,
    show_digits,
)

__all__ = [
    "bar_with_errors",
    "fusion_stages_diagram",
    "plot_history",
    "plot_joint_embedding",
    "plot_robustness",
    "show_digits",
]

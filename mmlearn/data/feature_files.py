"""Loaders for standard benchmark feature files, for readers who have downloaded them.

None of these files ships with ``mmlearn`` (they are large and under their own terms); each
loader documents where its file comes from, reads it without network access, checks its
structure, and raises :class:`DatasetIntegrityError` naming the file and what is wrong when the
file is missing, truncated, or not in the expected format. Pass ``sha256=`` to also check a
checksum you recorded. Every loader is tested on a tiny fixture in the same format
(``tests/fixtures/feature_files/``).

=================  =======================================  ==========================================
loader             file (format)                            where it comes from
=================  =======================================  ==========================================
load_cmu_affect    ``mosi_data.pkl``, ``mosei_senti_data``  CMU-MOSI / CMU-MOSEI word-aligned features
                   ``.pkl`` (pickle of NumPy arrays)        as distributed with MulT (Tsai et al.,
                                                            2019) and MultiBench (Liang et al., 2021)
load_mmimdb        ``multimodal_imdb.hdf5`` (HDF5)          MM-IMDb (Arevalo et al., 2017), the HDF5
                                                            file of its authors, as used by MultiBench
load_avmnist       folder ``avmnist/`` (``.npy`` files)     AV-MNIST (Vielzeuf et al., 2018) as
                                                            prepared by MultiBench
load_bottom_up     ``trainval_resnet101_faster_rcnn_``      bottom-up attention features for VQA v2
                   ``genome_36.tsv`` (TSV, base64 arrays)   (Anderson et al., 2018), 36 boxes x 2048
=================  =======================================  ==========================================
"""

from __future__ import annotations

import base64
import binascii
import csv
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from .dataset import MultimodalDataset
from .integrity import DatasetIntegrityError, verified_path


@dataclass(frozen=True)
class FeatureSplit:
    """One split of a feature file: named modalities, targets and sample ids.

    ``modalities[name]`` has shape ``(n, d)`` or ``(n, L, d)``; ``targets`` has shape ``(n,)``
    (class indices or scores) or ``(n, C)`` (multi-label 0/1); ``ids`` has shape ``(n,)``.
    """

    modalities: dict[str, Tensor]
    targets: Tensor
    ids: np.ndarray

    def __len__(self) -> int:
        return int(self.targets.shape[0])


def _existing(path: Path | str, what: str, source: str, sha256: str | None) -> Path:
    path = Path(path)
    if not path.exists():
        raise DatasetIntegrityError(f"{what}: {path} does not exist. {source}")
    if sha256 is not None:
        verified_path(path, sha256)
    return path


def _corrupt(what: str, path: Path, detail: str) -> DatasetIntegrityError:
    return DatasetIntegrityError(f"{what}: {path} is corrupted or not in the expected format: {detail}")


def _expect(what: str, path: Path, name: str, array: np.ndarray, shape: tuple[int | None, ...]) -> None:
    """``array`` must have ``len(shape)`` axes and the sizes given (``None``: any size)."""
    ok = array.ndim == len(shape) and all(
        s is None or s == a for s, a in zip(shape, array.shape, strict=False)
    )
    if not ok:
        wanted = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
        raise _corrupt(what, path, f"{name} must have shape {wanted}, got {array.shape}")


# ----------------------------------------------------------------------------- CMU-MOSI / MOSEI


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles dicts, lists and NumPy arrays only: a feature file cannot run code."""

    _allowed = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("builtins", "dict"),
        ("builtins", "list"),
        ("collections", "OrderedDict"),
        ("_codecs", "encode"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._allowed:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} (only NumPy arrays are allowed)")
        return super().find_class(module, name)


AFFECT_SOURCE = (
    "Download the word-aligned CMU-MOSI ('mosi_data.pkl') or CMU-MOSEI ('mosei_senti_data.pkl') "
    "features from the MulT or MultiBench repositories (the 'aligned' pickles) and pass their path."
)
AFFECT_SPLITS = ("train", "valid", "test")


def load_cmu_affect(path: Path | str, split: str = "train", sha256: str | None = None) -> FeatureSplit:
    """Word-aligned CMU-MOSI / CMU-MOSEI features (text, audio, vision) and sentiment scores.

    The pickle holds ``{"train" | "valid" | "test": {"text": (n, L, d_t), "audio": (n, L, d_a),
    "vision": (n, L, d_v), "labels": (n, 1, 1), "id": (n, ...)}}``, every sequence aligned to the
    ``L`` (50) words: MOSI has ``d_t, d_a, d_v = 300, 5, 20`` (GloVe, COVAREP, Facet), MOSEI
    ``300, 74, 35``. The sentiment score is in [-3, 3]. Some audio features in the distributed
    files are ``-inf`` or NaN; they are replaced by 0 here (as MulT does).

    Returns:
        :class:`FeatureSplit` with float32 modalities ``text``, ``audio``, ``vision``
        ``(n, L, d)``, float32 ``targets (n,)`` (the score; :func:`sentiment_classes` bins it) and
        ``ids (n,)``. The file is read with an unpickler that accepts NumPy arrays only.
    """
    what = "load_cmu_affect"
    path = _existing(path, what, AFFECT_SOURCE, sha256)
    if split not in AFFECT_SPLITS:
        raise ValueError(f"{what}: split must be one of {AFFECT_SPLITS}, got {split!r}")
    try:
        with open(path, "rb") as handle:
            everything = _ArrayUnpickler(handle).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as err:
        raise _corrupt(what, path, f"{type(err).__name__}: {err}") from err
    if not isinstance(everything, dict) or split not in everything:
        raise _corrupt(what, path, f"expected a dict with keys {AFFECT_SPLITS}")
    part = everything[split]
    missing = [k for k in ("text", "audio", "vision", "labels", "id") if k not in part]
    if missing:
        raise _corrupt(what, path, f"split {split!r} lacks the keys {missing}")
    arrays = {k: np.asarray(part[k]) for k in ("text", "audio", "vision")}
    n, length = arrays["text"].shape[:2] if arrays["text"].ndim == 3 else (None, None)
    for name, array in arrays.items():
        _expect(what, path, f"{split}/{name}", array, (n, length, None))
    labels = np.asarray(part["labels"], dtype=np.float32).reshape(len(arrays["text"]), -1)[:, 0]
    ids = np.asarray(part["id"])
    ids = ids.reshape(len(ids), -1)[:, 0] if ids.ndim > 1 else ids
    modalities = {
        k: torch.from_numpy(np.nan_to_num(v.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0))
        for k, v in arrays.items()
    }
    return FeatureSplit(modalities, torch.from_numpy(labels), ids)


def sentiment_classes(scores: Tensor, n_classes: int = 2) -> Tensor:
    """Bin sentiment scores ``(n,)`` in [-3, 3]: 2 classes (``score >= 0`` is 1; the MulT
    convention) or 7 classes (``round(clip(score, -3, 3)) + 3``, 0-6)."""
    if n_classes == 2:
        return (scores >= 0).long()
    if n_classes == 7:
        return (scores.clamp(-3, 3).round() + 3).long()
    raise ValueError(f"sentiment_classes: n_classes must be 2 or 7, got {n_classes}")


# ----------------------------------------------------------------------------- MM-IMDb

MMIMDB_SOURCE = (
    "Download 'multimodal_imdb.hdf5' from the MM-IMDb project page (Arevalo et al., 2017) and "
    "pass its path; reading it needs h5py (pip install h5py)."
)
#: the standard split of the HDF5 file: [start, end) row ranges (as in MultiBench)
MMIMDB_SPLITS = {"train": (0, 15552), "dev": (15552, 18160), "test": (18160, 25959)}
MMIMDB_GENRES = 23


def load_mmimdb(
    path: Path | str,
    split: str = "train",
    splits: dict[str, tuple[int, int]] | None = None,
    sha256: str | None = None,
) -> FeatureSplit:
    """MM-IMDb movie genres from text and poster features (multi-label, 23 genres).

    The HDF5 file holds ``features (N, 300)`` (the plot's mean word2vec vector),
    ``vgg_features (N, 4096)`` (the poster's VGG-16 features), ``genres (N, 23)`` (0/1) and
    ``imdb_ids (N,)``; rows ``[0, 15552)`` are the training set, ``[15552, 18160)`` the
    development set and ``[18160, 25959)`` the test set (``splits`` overrides these ranges, for
    instance on a small file).

    Returns:
        :class:`FeatureSplit` with float32 ``text (n, 300)`` and ``image (n, 4096)``, float32
        ``targets (n, 23)`` and ``ids``.
    """
    what = "load_mmimdb"
    path = _existing(path, what, MMIMDB_SOURCE, sha256)
    ranges = splits or MMIMDB_SPLITS
    if split not in ranges:
        raise ValueError(f"{what}: split must be one of {list(ranges)}, got {split!r}")
    try:
        import h5py
    except ImportError as err:  # pragma: no cover - depends on the installation
        raise ImportError(f"{what}: reading HDF5 needs h5py: pip install h5py") from err
    start, end = ranges[split]
    try:
        with h5py.File(path, "r") as handle:
            missing = [k for k in ("features", "vgg_features", "genres") if k not in handle]
            if missing:
                raise _corrupt(what, path, f"the HDF5 file lacks the datasets {missing}")
            total = handle["genres"].shape[0]
            if not 0 <= start < end <= total:
                raise _corrupt(
                    what, path, f"split {split!r} = rows [{start}, {end}) but the file has {total}"
                )
            text = np.asarray(handle["features"][start:end], dtype=np.float32)
            image = np.asarray(handle["vgg_features"][start:end], dtype=np.float32)
            genres = np.asarray(handle["genres"][start:end], dtype=np.float32)
            ids = np.asarray(handle["imdb_ids"][start:end]) if "imdb_ids" in handle else np.arange(start, end)
    except OSError as err:
        raise _corrupt(what, path, f"h5py cannot read it ({err})") from err
    n = end - start
    _expect(what, path, "features", text, (n, None))
    _expect(what, path, "vgg_features", image, (n, None))
    _expect(what, path, "genres", genres, (n, MMIMDB_GENRES))
    modalities = {"text": torch.from_numpy(text), "image": torch.from_numpy(image)}
    return FeatureSplit(modalities, torch.from_numpy(genres), ids)


# ----------------------------------------------------------------------------- AV-MNIST

AVMNIST_SOURCE = (
    "Prepare the AV-MNIST folder as MultiBench does (image/, audio/, train_labels.npy, "
    "test_labels.npy) and pass the folder."
)


def load_avmnist(folder: Path | str, split: str = "train", n_val: int = 5000) -> MultimodalDataset:
    """AV-MNIST (MNIST images paired by class with spoken digits) from MultiBench's folder.

    Files: ``image/{train,test}_data.npy`` ``(N, 784)`` (pixels 0-255),
    ``audio/{train,test}_data.npy`` ``(N, 112, 112)`` (spectrograms 0-255) and
    ``{train,test}_labels.npy`` ``(N,)``. As in MultiBench, the last ``n_val`` training rows are
    the validation split (``"val"``); both modalities are scaled to [0, 1].

    Returns:
        :class:`MultimodalDataset` ``["image" (n, 784), "audio" (n, 112, 112)]``, labels 0-9.
    """
    what = "load_avmnist"
    folder = Path(folder)
    if split not in ("train", "val", "test"):
        raise ValueError(f"{what}: split must be 'train', 'val' or 'test', got {split!r}")
    part = "test" if split == "test" else "train"
    files = [folder / "image" / f"{part}_data.npy", folder / "audio" / f"{part}_data.npy"]
    files.append(folder / f"{part}_labels.npy")
    arrays = []
    for file in files:
        _existing(file, what, AVMNIST_SOURCE, None)
        try:
            arrays.append(np.load(file, allow_pickle=False))
        except (ValueError, OSError, EOFError) as err:
            raise _corrupt(what, file, f"{type(err).__name__}: {err}") from err
    image, audio, labels = arrays
    n = len(labels)
    _expect(what, files[2], "labels", labels, (n,))
    _expect(what, files[0], "image", image, (n, 784))
    if audio.shape not in ((n, 112, 112), (n, 112 * 112)):
        raise _corrupt(what, files[1], f"audio must have shape ({n}, 112, 112), got {audio.shape}")
    audio = audio.reshape(n, 112, 112)
    if split != "test":
        if not 0 <= n_val < n:
            raise ValueError(f"{what}: n_val must be in [0, {n}), got {n_val}")
        rows = slice(n - n_val, n) if split == "val" else slice(0, n - n_val)
        image, audio, labels = image[rows], audio[rows], labels[rows]
    return MultimodalDataset(
        [image.astype(np.float32) / 255.0, audio.astype(np.float32) / 255.0],
        labels.astype(np.int64),
        names=["image", "audio"],
    )


# ----------------------------------------------------------------------------- VQA v2 bottom-up

BOTTOM_UP_SOURCE = (
    "Download the bottom-up attention features for VQA v2 (Anderson et al., 2018; "
    "'trainval_36.zip', which holds 'trainval_resnet101_faster_rcnn_genome_36.tsv'), unzip it "
    "and pass the .tsv path."
)
BOTTOM_UP_FIELDS = ("image_id", "image_w", "image_h", "num_boxes", "boxes", "features")


@dataclass(frozen=True)
class BottomUpFeatures:
    """Region features of ``n`` images with at most ``K`` boxes each (padded with zeros).

    ``image_ids (n,)``, ``image_hw (n, 2)`` (height, width), ``boxes (n, K, 4)`` (x1, y1, x2, y2
    in pixels), ``features (n, K, dim)``, ``mask (n, K)`` (True for a real box).
    """

    image_ids: np.ndarray
    image_hw: np.ndarray
    boxes: Tensor
    features: Tensor
    mask: Tensor


def load_bottom_up(
    path: Path | str,
    image_ids: set[int] | None = None,
    max_images: int | None = None,
    dim: int = 2048,
    sha256: str | None = None,
) -> BottomUpFeatures:
    """Read bottom-up region features from their TSV file (one image per line).

    Each line has the tab-separated fields ``image_id, image_w, image_h, num_boxes, boxes,
    features``; ``boxes`` and ``features`` are base64-encoded float32 arrays of shapes
    ``(num_boxes, 4)`` and ``(num_boxes, dim)``. Keep only ``image_ids`` if given, and stop after
    ``max_images`` images (the full file holds 123,287 images, about 50 GB in memory).
    """
    what = "load_bottom_up"
    path = _existing(path, what, BOTTOM_UP_SOURCE, sha256)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    ids: list[int] = []
    hws: list[tuple[int, int]] = []
    boxes: list[np.ndarray] = []
    feats: list[np.ndarray] = []
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", fieldnames=BOTTOM_UP_FIELDS)
        for line, row in enumerate(reader, start=1):
            if max_images is not None and len(ids) >= max_images:
                break
            if None in row or any(row[f] is None for f in BOTTOM_UP_FIELDS):
                raise _corrupt(what, path, f"line {line} does not have the 6 fields {BOTTOM_UP_FIELDS}")
            try:
                image_id, k = int(row["image_id"]), int(row["num_boxes"])
                if image_ids is not None and image_id not in image_ids:
                    continue
                box = np.frombuffer(base64.b64decode(row["boxes"], validate=True), dtype=np.float32)
                feat = np.frombuffer(base64.b64decode(row["features"], validate=True), dtype=np.float32)
                hw = (int(float(row["image_h"])), int(float(row["image_w"])))
            except (ValueError, binascii.Error) as err:
                raise _corrupt(what, path, f"line {line}: {err}") from err
            if box.size != 4 * k or feat.size != dim * k:
                raise _corrupt(
                    what,
                    path,
                    f"line {line}: num_boxes={k} needs boxes of shape ({k}, 4) and features of shape "
                    f"({k}, {dim}), got {box.size} and {feat.size} floats",
                )
            ids.append(image_id)
            hws.append(hw)
            boxes.append(box.reshape(k, 4))
            feats.append(feat.reshape(k, dim))
    if not ids:
        raise DatasetIntegrityError(f"{what}: {path} holds no (selected) image")
    k_max = max(len(b) for b in boxes)
    out_boxes = torch.zeros(len(ids), k_max, 4)
    out_feats = torch.zeros(len(ids), k_max, dim)
    mask = torch.zeros(len(ids), k_max, dtype=torch.bool)
    for i, (b, f) in enumerate(zip(boxes, feats, strict=True)):
        out_boxes[i, : len(b)] = torch.from_numpy(b.copy())
        out_feats[i, : len(f)] = torch.from_numpy(f.copy())
        mask[i, : len(b)] = True
    return BottomUpFeatures(np.array(ids), np.array(hws), out_boxes, out_feats, mask)

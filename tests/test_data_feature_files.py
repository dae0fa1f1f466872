"""Loaders of benchmark feature files, on tiny fixtures in the same formats."""

import base64
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from mmlearn.data import DatasetIntegrityError
from mmlearn.data.feature_files import (
    load_avmnist,
    load_bottom_up,
    load_cmu_affect,
    load_mmimdb,
    sentiment_classes,
)
from mmlearn.data.integrity import sha256_of

FIXTURES = Path(__file__).parent / "fixtures" / "feature_files"


def _truncate(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    return target


def test_cmu_affect_splits_shapes_and_nonfinite_values():
    train = load_cmu_affect(FIXTURES / "mosi_tiny.pkl", "train")
    assert len(train) == 5
    assert {k: tuple(v.shape) for k, v in train.modalities.items()} == {
        "text": (5, 6, 300),
        "audio": (5, 6, 5),
        "vision": (5, 6, 20),
    }
    assert all(torch.isfinite(v).all() for v in train.modalities.values())  # the -inf became 0
    assert train.modalities["audio"][0, 0, 0] == 0
    assert train.targets.shape == (5,) and train.targets.abs().max() <= 3
    assert train.ids.tolist() == [f"vidtrain{i}" for i in range(5)]
    assert len(load_cmu_affect(FIXTURES / "mosi_tiny.pkl", "test")) == 4
    with pytest.raises(ValueError, match="split must be one of"):
        load_cmu_affect(FIXTURES / "mosi_tiny.pkl", "dev")


def test_sentiment_classes():
    scores = torch.tensor([-3.0, -0.4, 0.0, 0.6, 2.5, 3.4])
    assert sentiment_classes(scores).tolist() == [0, 0, 1, 1, 1, 1]
    assert sentiment_classes(scores, 7).tolist() == [0, 3, 3, 4, 5, 6]
    with pytest.raises(ValueError, match="2 or 7"):
        sentiment_classes(scores, 3)


def test_cmu_affect_refuses_code_and_broken_files(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("owned",))

    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps({"train": Evil()}))
    with pytest.raises(DatasetIntegrityError, match="refusing to load builtins.print"):
        load_cmu_affect(evil)
    broken = _truncate(FIXTURES / "mosi_tiny.pkl", tmp_path / "broken.pkl")
    with pytest.raises(DatasetIntegrityError, match="corrupted or not in the expected format"):
        load_cmu_affect(broken)
    lacking = tmp_path / "lacking.pkl"
    lacking.write_bytes(pickle.dumps({"train": {"text": np.zeros((2, 3, 4))}}))
    with pytest.raises(DatasetIntegrityError, match=r"lacks the keys \['audio', 'vision', 'labels', 'id'\]"):
        load_cmu_affect(lacking)
    misshaped = tmp_path / "misshaped.pkl"
    part = {k: np.zeros((2, 3, 4)) for k in ("text", "audio")} | {"vision": np.zeros((2, 5, 4))}
    misshaped.write_bytes(pickle.dumps({"train": part | {"labels": np.zeros((2, 1, 1)), "id": np.arange(2)}}))
    with pytest.raises(
        DatasetIntegrityError, match=r"train/vision must have shape \(2, 3, \*\), got \(2, 5, 4\)"
    ):
        load_cmu_affect(misshaped)
    with pytest.raises(DatasetIntegrityError, match="does not exist.*MulT or MultiBench"):
        load_cmu_affect(tmp_path / "mosi_data.pkl")


def test_optional_checksum(tmp_path):
    path = FIXTURES / "mosi_tiny.pkl"
    assert len(load_cmu_affect(path, sha256=sha256_of(path))) == 5
    with pytest.raises(DatasetIntegrityError, match="SHA-256"):
        load_cmu_affect(path, sha256="0" * 64)


def test_mmimdb_splits_and_errors(tmp_path):
    ranges = {"train": (0, 3), "dev": (3, 4), "test": (4, 6)}
    train = load_mmimdb(FIXTURES / "mmimdb_tiny.hdf5", "train", splits=ranges)
    assert train.modalities["text"].shape == (3, 300) and train.modalities["image"].shape == (3, 4096)
    assert train.targets.shape == (3, 23) and set(train.targets.unique().tolist()) <= {0.0, 1.0}
    assert train.ids.tolist() == [b"tt0000000", b"tt0000001", b"tt0000002"]
    assert len(load_mmimdb(FIXTURES / "mmimdb_tiny.hdf5", "test", splits=ranges)) == 2
    with pytest.raises(DatasetIntegrityError, match=r"rows \[0, 15552\) but the file has 6"):
        load_mmimdb(FIXTURES / "mmimdb_tiny.hdf5")  # the standard split needs the full file
    broken = _truncate(FIXTURES / "mmimdb_tiny.hdf5", tmp_path / "broken.hdf5")
    with pytest.raises(DatasetIntegrityError, match="h5py cannot read it"):
        load_mmimdb(broken, splits=ranges)
    with pytest.raises(DatasetIntegrityError, match="does not exist.*MM-IMDb"):
        load_mmimdb(tmp_path / "multimodal_imdb.hdf5")


def test_avmnist_splits_scaling_and_errors(tmp_path):
    train = load_avmnist(FIXTURES / "avmnist", "train", n_val=2)
    val = load_avmnist(FIXTURES / "avmnist", "val", n_val=2)
    test = load_avmnist(FIXTURES / "avmnist", "test")
    assert (len(train), len(val), len(test)) == (3, 2, 2)
    assert train.modalities[0].shape == (3, 784) and train.modalities[1].shape == (3, 112, 112)
    assert 0 <= train.modalities[0].min() and train.modalities[1].max() <= 1
    raw = np.load(FIXTURES / "avmnist" / "train_labels.npy")
    assert val.labels.tolist() == raw[-2:].tolist()
    copy = tmp_path / "avmnist"
    shutil.copytree(FIXTURES / "avmnist", copy)
    np.save(copy / "image" / "test_data.npy", np.zeros((2, 783), dtype=np.float32))
    with pytest.raises(DatasetIntegrityError, match=r"image must have shape \(2, 784\), got \(2, 783\)"):
        load_avmnist(copy, "test")
    (copy / "test_labels.npy").write_bytes(b"not a numpy file")
    with pytest.raises(DatasetIntegrityError, match="test_labels.npy is corrupted"):
        load_avmnist(copy, "test")
    (copy / "audio" / "train_data.npy").unlink()
    with pytest.raises(DatasetIntegrityError, match="train_data.npy does not exist"):
        load_avmnist(copy, "train")


def test_bottom_up_features_padding_selection_and_errors(tmp_path):
    path = FIXTURES / "bottom_up_tiny.tsv"
    feats = load_bottom_up(path)
    assert feats.image_ids.tolist() == [101, 205, 309]
    assert feats.features.shape == (3, 3, 2048) and feats.boxes.shape == (3, 3, 4)
    assert feats.mask.sum(1).tolist() == [2, 3, 1]
    assert feats.features[2, 1:].abs().sum() == 0  # padding
    assert feats.image_hw.tolist() == [[480, 640]] * 3
    one = load_bottom_up(path, image_ids={205})
    assert one.image_ids.tolist() == [205] and torch.equal(one.features[0], feats.features[1])
    assert load_bottom_up(path, max_images=2).image_ids.tolist() == [101, 205]
    lines = path.read_text().splitlines()
    fields = lines[0].split("\t")
    short = tmp_path / "short.tsv"
    one_box = base64.b64encode(base64.b64decode(fields[5])[: 2048 * 4]).decode()  # 1 of the 2 boxes
    short.write_text("\t".join(fields[:5] + [one_box]) + "\n")
    with pytest.raises(DatasetIntegrityError, match=r"num_boxes=2 needs boxes of shape \(2, 4\)"):
        load_bottom_up(short)
    garbled = tmp_path / "garbled.tsv"
    garbled.write_text("\t".join(fields[:4] + ["@@not base64@@", fields[5]]) + "\n")
    with pytest.raises(DatasetIntegrityError, match="line 1"):
        load_bottom_up(garbled)
    cut = tmp_path / "cut.tsv"
    cut.write_text("\t".join(fields[:3]) + "\n")
    with pytest.raises(DatasetIntegrityError, match="does not have the 6 fields"):
        load_bottom_up(cut)
    with pytest.raises(DatasetIntegrityError, match="holds no"):
        load_bottom_up(path, image_ids={1})

import numpy as np
import pytest
import torch

from mmlearn.data import (
    UCI_VIEWS,
    DatasetIntegrityError,
    MultimodalDataset,
    load_multiple_features,
    make_interaction,
    standardize,
    stratified_split,
)
from mmlearn.data.uci import UCI_FILE, pix_images


def test_uci_shapes_labels_and_views():
    data = load_multiple_features()
    assert len(data) == 2000 and data.names == list(UCI_VIEWS)
    assert data.input_dims == [216, 76, 64, 6, 240, 47]
    assert np.bincount(data.labels.numpy()).tolist() == [200] * 10
    assert all(x.dtype == torch.float32 and torch.isfinite(x).all() for x in data.modalities)
    two = load_multiple_features(["pix", "fou"])
    assert two.input_dims == [240, 76]
    images = pix_images(two.modalities[0].numpy())
    assert images.shape == (2000, 16, 15) and images.min() >= 0 and images.max() <= 6


def test_uci_unknown_view():
    with pytest.raises(ValueError, match="unknown views.*choose from"):
        load_multiple_features(["fac", "colour"])


def test_corrupted_or_missing_file_is_refused(tmp_path):
    corrupted = tmp_path / "uci.npz"
    payload = bytearray(UCI_FILE.read_bytes())
    payload[1000] ^= 0xFF
    corrupted.write_bytes(bytes(payload))
    with pytest.raises(DatasetIntegrityError, match="corrupted: its SHA-256"):
        load_multiple_features(path=corrupted)
    with pytest.raises(DatasetIntegrityError, match="missing"):
        load_multiple_features(path=tmp_path / "absent.npz")


def test_stratified_split_is_seeded_and_balanced():
    data = load_multiple_features(["mor"])
    train, val, test = stratified_split(data, test_size=0.3, val_size=0.1, seed=0)
    assert (len(train), len(val), len(test)) == (1200, 200, 600)
    assert np.bincount(test.labels.numpy()).tolist() == [60] * 10
    again = stratified_split(data, test_size=0.3, val_size=0.1, seed=0)[2]
    assert torch.equal(test.modalities[0], again.modalities[0])
    with pytest.raises(ValueError, match="fractions"):
        stratified_split(data, test_size=0.8, val_size=0.3)


def test_standardize_uses_training_statistics_only():
    data = load_multiple_features(["fac", "mor"])
    train, test = stratified_split(data)
    s_train, s_test = standardize(train, test)
    torch.testing.assert_close(s_train.modalities[0].mean(0), torch.zeros(216), atol=1e-4, rtol=0)
    assert not torch.allclose(s_test.modalities[0].mean(0), torch.zeros(216), atol=1e-4)
    with pytest.raises(ValueError, match="modalities"):
        standardize(train, test.select(["fac"]))


def test_dataset_validation_and_batches():
    with pytest.raises(ValueError, match="one row per label"):
        MultimodalDataset([torch.zeros(3, 2), torch.zeros(4, 2)], torch.zeros(3))
    data = MultimodalDataset([torch.arange(10.0).view(5, 2)], torch.arange(5))
    batches = list(data.batches(2))
    assert [len(y) for _, y in batches] == [2, 2, 1]
    with pytest.raises(ValueError, match="unknown modalities"):
        data.select(["nope"])


def test_interaction_task_is_invisible_to_linear_models():
    from sklearn.linear_model import LogisticRegression

    data = make_interaction(n=4000, dims=(8, 8), seed=1)
    x = torch.cat(data.modalities, 1).numpy()
    y = data.labels.numpy()
    assert 0.4 < y.mean() < 0.6
    linear = LogisticRegression(max_iter=1000).fit(x[:3000], y[:3000]).score(x[3000:], y[3000:])
    assert linear < 0.6  # chance level: every linear function of [x; y] is uninformative
    w = data.interaction[0]
    scores = torch.einsum("ni,ij,nj->n", *data.modalities[:1], w, data.modalities[1])
    assert torch.equal((scores > 0).long(), data.labels)  # the bilinear rule is exact
    multi = make_interaction(n=500, n_classes=4, rank=2, seed=0)
    assert set(multi.labels.tolist()) == {0, 1, 2, 3} and multi.interaction.shape == (4, 16, 16)
    with pytest.raises(ValueError, match="rank"):
        make_interaction(rank=99)


def test_a_dataset_indexes_like_a_torch_dataset_and_loads_in_a_dataloader():
    import pytest
    import torch
    from torch.utils.data import DataLoader

    from mmlearn.data import MultimodalDataset

    data = MultimodalDataset([torch.arange(12.0).view(6, 2), torch.ones(6, 3)], torch.arange(6) % 2)
    xs, y = data[4]
    torch.testing.assert_close(xs[0], torch.tensor([8.0, 9.0]))
    assert y.item() == 0 and xs[1].shape == (3,)
    (a, b), labels = next(iter(DataLoader(data, batch_size=4)))
    assert a.shape == (4, 2) and b.shape == (4, 3) and labels.tolist() == [0, 1, 0, 1]
    with pytest.raises(TypeError, match="subset"):
        data[[0, 1]]
    assert len(data.subset([0, 1])) == 2

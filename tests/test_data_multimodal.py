"""The shipped genuinely multimodal sets: nutrimouse and the audio-visual digits."""

import hashlib

import numpy as np
import pytest
import torch

from mmlearn.data import DatasetIntegrityError
from mmlearn.data.archive import write_npz
from mmlearn.data.av_digits import (
    AV_DIGITS_FILE,
    AV_DIGITS_SHA256,
    av_digits_present,
    dequantise_db,
    load_av_digits,
)
from mmlearn.data.logmel import log_mel_spectrogram, mel_filterbank
from mmlearn.data.nutrimouse import (
    NUTRIMOUSE_FILE,
    NUTRIMOUSE_SHA256,
    load_nutrimouse,
    nutrimouse_labels,
    nutrimouse_names,
)


@pytest.mark.parametrize(
    ("path", "sha"), [(NUTRIMOUSE_FILE, NUTRIMOUSE_SHA256), (AV_DIGITS_FILE, AV_DIGITS_SHA256)]
)
def test_shipped_files_match_recorded_checksums(path, sha):
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    assert path.stat().st_size < 3_000_000  # "a few MB at most"


def test_nutrimouse_views_labels_and_names():
    data = load_nutrimouse()
    assert data.names == ["gene", "lipid"] and data.input_dims == [120, 21] and len(data) == 40
    assert np.bincount(data.labels.numpy()).tolist() == [8] * 5
    labels = nutrimouse_labels()
    assert np.bincount(labels["genotype"]).tolist() == [20, 20]
    # the design: 4 mice per genotype x diet cell
    cells = np.bincount(labels["genotype"] * 5 + labels["diet"])
    assert cells.tolist() == [4] * 10
    names = nutrimouse_names()
    assert names.diet == ["ref", "coc", "sun", "lin", "fish"] and names.genotype == ["wt", "ppar"]
    assert len(names.gene) == 120 and names.lipid[:2] == ["C14.0", "C16.0"]
    # lipids are percentages of the fatty acids measured: each mouse's row sums to about 100
    sums = data.modalities[1].sum(1)
    assert torch.all((sums > 95) & (sums < 105))
    assert torch.equal(load_nutrimouse("genotype").labels, torch.from_numpy(labels["genotype"]))
    with pytest.raises(ValueError, match="target must be one of"):
        load_nutrimouse("sex")


def test_av_digits_shapes_splits_and_pairing():
    full = load_av_digits()
    assert len(full) == 1797 and full.input_dims == [64, 768] and full.names == ["image", "audio"]
    train, val, test = (load_av_digits(s) for s in ("train", "val", "test"))
    assert (len(train), len(val), len(test)) == (1078, 180, 539)
    counts = np.bincount(test.labels.numpy())
    assert counts.min() >= 52 and counts.max() <= 55  # stratified: 30 % of every class (174-183)
    # the images are scikit-learn's digits, in order
    from sklearn.datasets import load_digits

    digits = load_digits()
    assert torch.equal(full.modalities[0], torch.from_numpy(digits.data.astype(np.float32)))
    assert torch.equal(full.labels, torch.from_numpy(digits.target))
    audio = full.modalities[1]
    assert audio.min() >= -80 and audio.max() <= 20
    shaped = load_av_digits("test", flatten=False)
    assert shaped.modalities[0].shape == (539, 8, 8) and shaped.modalities[1].shape == (539, 24, 32)
    with pytest.raises(ValueError, match="split must be one of"):
        load_av_digits("validation")


def test_av_digits_noisy_variant_is_the_same_speech_with_more_noise():
    clean, noisy = load_av_digits("test"), load_av_digits("test", noisy=True)
    assert torch.equal(clean.modalities[0], noisy.modalities[0])
    assert torch.equal(clean.labels, noisy.labels)
    # white noise at -5..5 dB SNR raises the quietest frames' energy (the silence around the word)
    floor = lambda x: x.view(len(x), 24, 32).mean(2).min(1).values  # noqa: E731
    assert (floor(noisy.modalities[1]) > floor(clean.modalities[1]) + 10).float().mean() > 0.95


def test_av_digits_audio_carries_the_class():
    from sklearn.linear_model import LogisticRegression

    train, test = load_av_digits("train"), load_av_digits("test")
    x, y = train.modalities[1].numpy(), train.labels.numpy()
    mean, std = x.mean(0), x.std(0) + 1e-6
    clf = LogisticRegression(max_iter=500, C=0.1).fit((x - mean) / std, y)
    score = clf.score((test.modalities[1].numpy() - mean) / std, test.labels.numpy())
    assert score > 0.8  # chance is 0.1


def test_av_digits_missing_modality_mask():
    present = av_digits_present()
    assert present.shape == (1797, 2) and present.dtype == bool
    assert present.any(1).all()  # never both missing
    assert 0.2 < (~present[:, 0]).mean() < 0.3 and 0.2 < (~present[:, 1]).mean() < 0.3
    assert av_digits_present("test").shape == (539, 2)


def test_shipped_sets_refuse_corrupted_or_missing_files(tmp_path):
    for loader, source in ((load_nutrimouse, NUTRIMOUSE_FILE), (load_av_digits, AV_DIGITS_FILE)):
        payload = bytearray(source.read_bytes())
        payload[len(payload) // 2] ^= 0xFF
        bad = tmp_path / source.name
        bad.write_bytes(bytes(payload))
        with pytest.raises(DatasetIntegrityError, match="corrupted: its SHA-256"):
            loader(path=bad)
        with pytest.raises(DatasetIntegrityError, match="missing"):
            loader(path=tmp_path / "absent.npz")


def test_write_npz_is_byte_reproducible(tmp_path):
    arrays = {"b": np.arange(6).reshape(2, 3), "a": np.array(["x", "yz"])}
    first, second = (
        write_npz(tmp_path / "1.npz", arrays),
        write_npz(tmp_path / "2.npz", dict(reversed(arrays.items()))),
    )
    assert first.read_bytes() == second.read_bytes()
    with np.load(first) as data:
        assert data["b"].tolist() == [[0, 1, 2], [3, 4, 5]] and data["a"].tolist() == ["x", "yz"]
    with pytest.raises(TypeError, match="dtype object"):
        write_npz(tmp_path / "3.npz", {"o": np.array([{}, 1], dtype=object)})


def test_log_mel_of_a_tone_peaks_in_the_right_band():
    sr = 16000
    t = np.arange(sr) / sr
    spec = log_mel_spectrogram(np.sin(2 * np.pi * 1000 * t), sr)
    assert spec.shape == (24, 32)
    bank = mel_filterbank(sr, 1024, 32)
    assert bank.shape == (32, 513) and (bank.max(1) > 0.85).all() and (bank.max(1) <= 1).all()
    band = int(np.argmax(bank[:, round(1000 / (sr / 2) * 512)]))  # the filter that covers 1 kHz
    assert (spec.argmax(1) == band).all()
    with pytest.raises(ValueError, match="x must have shape"):
        log_mel_spectrogram(np.zeros(100), sr)


def test_dequantise_round_trip():
    q = np.array([0, 128, 255], dtype=np.uint8)
    np.testing.assert_allclose(dequantise_db(q), [-80.0, 128 * 100 / 255 - 80, 20.0], rtol=1e-6)

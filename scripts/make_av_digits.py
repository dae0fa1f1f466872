"""Generate the audio-visual digits set shipped as ``mmlearn/data/files/av_digits.npz``.

Built like AV-MNIST (MultiBench pairs MNIST images with spoken digits by class): every one of
the 1,797 real handwritten digit images of scikit-learn's ``load_digits`` (UCI "Optical
Recognition of Handwritten Digits", CC BY 4.0) is paired with its own spoken utterance of the
digit's English name. No recorded spoken-digit corpus is installable from the package
registries, so the speech is synthesised with Debian's ``espeak-ng`` (1.51) across 8 English
accents x 18 voice variants, speaking rates 110-230 words per minute and pitches 15-85, placed at
a random offset in a 1 s window with additive white noise.

Audio features: log-mel spectrograms, 24 frames (50 ms window, 40 ms hop, 16 kHz) x 32 mel bands
(0-8 kHz), in dB, clipped to [-80, 20] dB and quantised to uint8 (``dB = q * 100 / 255 - 80``).
Two audio variants of the same utterances: ``audio`` (clean: SNR 15-30 dB) and ``audio_noisy``
(SNR -5 to 5 dB). A standard stratified split (``split``: 0 train 60 %, 1 validation 10 %,
2 test 30 %, seed 0) and a missing-modality mask (``present``, ``(n, 2)`` booleans for image and
audio: on every sample one modality at most is dropped, each with probability 0.25) ship with it.

Reproducible: ``python scripts/make_av_digits.py`` (needs ``apt-get install espeak-ng``) rewrites
the archive byte for byte with the same espeak-ng version; record the printed SHA-256 in
``mmlearn/data/av_digits.py``. Nothing needs espeak at run time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly
from sklearn.datasets import load_digits

from mmlearn.data.archive import write_npz
from mmlearn.data.integrity import FILES_DIR, sha256_of
from mmlearn.data.logmel import log_mel_spectrogram

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ACCENTS = [
    "en-gb",
    "en-us",
    "en-gb-scotland",
    "en-gb-x-gbclan",
    "en-gb-x-rp",
    "en-gb-x-gbcwmd",
    "en-029",
    "en-us-nyc",
]
VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5"]
VARIANTS += ["croak", "klatt", "klatt2", "klatt3", "Andy"]
SR_ESPEAK, SR = 22050, 16000
WINDOW_S = 1.0
CLEAN_SNR_DB, NOISY_SNR_DB = (15.0, 30.0), (-5.0, 5.0)


def speak(word: str, voice: str, rate: int, pitch: int) -> np.ndarray:
    """espeak-ng's waveform for ``word`` at 16 kHz, float64 in [-1, 1], silence trimmed."""
    raw = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(rate), "-p", str(pitch), "--stdout", word],
        check=True,
        capture_output=True,
    ).stdout
    pcm = np.frombuffer(raw[44:], dtype="<i2").astype(np.float64) / 32768.0  # 44-byte WAV header
    loud = np.flatnonzero(np.abs(pcm) > 0.01)
    pcm = pcm[loud[0] : loud[-1] + 1] if loud.size else pcm
    return resample_poly(pcm, 320, 441)  # 22,050 Hz -> 16,000 Hz


def place(speech: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The utterance at a random offset in a 1 s window (cropped if longer), peak 0.5."""
    n = int(SR * WINDOW_S)
    speech = speech[:n] / max(np.abs(speech).max(), 1e-9) * 0.5
    out = np.zeros(n)
    start = int(rng.integers(0, n - len(speech) + 1))
    out[start : start + len(speech)] = speech
    return out


def add_noise(signal: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """White Gaussian noise at ``snr_db`` relative to the power of the voiced part."""
    voiced = signal[np.abs(signal) > 0]
    power = float(np.mean(voiced**2)) if voiced.size else 1e-6
    noise = rng.standard_normal(signal.shape) * np.sqrt(power / 10 ** (snr_db / 10))
    return np.clip(signal + noise, -1.0, 1.0)


def quantise(db: np.ndarray) -> np.ndarray:
    """dB in [-80, 20] -> uint8 (``dB = q * 100 / 255 - 80``, steps of 0.39 dB)."""
    return np.round((np.clip(db, -80.0, 20.0) + 80.0) * 255.0 / 100.0).astype(np.uint8)


def split_and_mask(labels: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.model_selection import train_test_split

    index = np.arange(len(labels))
    n_test, n_val = round(0.3 * len(labels)), round(0.1 * len(labels))
    rest, test = train_test_split(index, test_size=n_test, stratify=labels, random_state=seed)
    _, val = train_test_split(rest, test_size=n_val, stratify=labels[rest], random_state=seed)
    split = np.zeros(len(labels), dtype=np.int8)
    split[val], split[test] = 1, 2
    rng = np.random.default_rng(seed + 1)
    drop = rng.choice(3, size=len(labels), p=[0.5, 0.25, 0.25])  # 0 none, 1 image, 2 audio
    present = np.stack([drop != 1, drop != 2], axis=1)
    return split, present


def main(seed: int = 0) -> None:
    digits = load_digits()
    labels = digits.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    n = len(labels)
    accent = rng.integers(0, len(ACCENTS), n)
    variant = rng.integers(0, len(VARIANTS), n)
    rate = rng.integers(110, 231, n)
    pitch = rng.integers(15, 86, n)
    clean, noisy = [], []
    for i in range(n):
        voice = f"{ACCENTS[accent[i]]}+{VARIANTS[variant[i]]}"
        wave = place(speak(WORDS[labels[i]], voice, int(rate[i]), int(pitch[i])), rng)
        snr_clean = rng.uniform(*CLEAN_SNR_DB)
        snr_noisy = rng.uniform(*NOISY_SNR_DB)
        noise_rng = np.random.default_rng([seed, i])
        clean.append(quantise(log_mel_spectrogram(add_noise(wave, snr_clean, noise_rng), SR)))
        noisy.append(quantise(log_mel_spectrogram(add_noise(wave, snr_noisy, noise_rng), SR)))
        if i % 200 == 0:
            print(f"{i}/{n}", file=sys.stderr)
    split, present = split_and_mask(labels, seed)
    target = FILES_DIR / "av_digits.npz"
    write_npz(
        target,
        {
            "image": digits.images.astype(np.uint8),  # (n, 8, 8), values 0-16
            "audio": np.stack(clean),  # (n, 24, 32) uint8 log-mel
            "audio_noisy": np.stack(noisy),
            "labels": labels,
            "split": split,
            "present": present,
            "accent": accent.astype(np.int8),
            "variant": variant.astype(np.int8),
            "rate": rate.astype(np.int16),
            "pitch": pitch.astype(np.int16),
        },
    )
    print(target, Path(target).stat().st_size, "bytes, sha256", sha256_of(target))


if __name__ == "__main__":
    main()

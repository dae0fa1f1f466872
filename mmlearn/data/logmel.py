"""Log-mel spectrograms in NumPy (no torchaudio): the audio features of the audio-visual digits.

A waveform ``x`` of ``N`` samples at rate ``sr`` is cut into frames of ``win`` samples every
``hop`` samples, each multiplied by a Hann window and transformed by a real FFT of size ``n_fft``:
the power spectrum ``P (T, n_fft/2 + 1)``. A mel filter bank ``M (n_mels, n_fft/2 + 1)`` of
triangles equally spaced on the mel scale ``mel(f) = 2595 log10(1 + f / 700)`` pools it into
``E = P M^T (T, n_mels)``, reported as ``10 log10(E + 1e-10)`` dB.
"""

from __future__ import annotations

import numpy as np


def hz_to_mel(f: np.ndarray | float) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m: np.ndarray | float) -> np.ndarray:
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(
    sr: int, n_fft: int, n_mels: int, fmin: float = 0.0, fmax: float | None = None
) -> np.ndarray:
    """Triangular mel filters ``(n_mels, n_fft // 2 + 1)``, each peaking at 1."""
    fmax = sr / 2 if fmax is None else fmax
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    freqs = np.linspace(0.0, sr / 2, n_fft // 2 + 1)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs[None] - lower) / (centre - lower)
    falling = (upper - freqs[None]) / (upper - centre)
    return np.clip(np.minimum(rising, falling), 0.0, None)


def log_mel_spectrogram(
    x: np.ndarray, sr: int, n_mels: int = 32, win: int = 800, hop: int = 640, n_fft: int = 1024
) -> np.ndarray:
    """Log-mel spectrogram ``(T, n_mels)`` in dB of a mono waveform ``(N,)`` with ``N >= win``.

    ``T = 1 + (N - win) // hop``; with the defaults (16 kHz, 1 s) ``T = 24`` frames of 50 ms
    every 40 ms.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.shape[0] < win:
        raise ValueError(f"log_mel_spectrogram: x must have shape (N,) with N >= win={win}, got {x.shape}")
    if n_fft < win:
        raise ValueError(f"log_mel_spectrogram: n_fft ({n_fft}) must be >= win ({win})")
    n_frames = 1 + (x.shape[0] - win) // hop
    index = np.arange(win)[None, :] + hop * np.arange(n_frames)[:, None]
    frames = x[index] * np.hanning(win)[None, :]
    power = np.abs(np.fft.rfft(frames, n=n_fft, axis=1)) ** 2 / win
    energy = power @ mel_filterbank(sr, n_fft, n_mels).T
    return 10.0 * np.log10(energy + 1e-10)

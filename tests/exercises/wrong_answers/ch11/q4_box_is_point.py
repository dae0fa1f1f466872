# "Box filtering" that keeps one sample per period: no low-pass at all.
import math

import torch


def aliasing_experiment(f, fast_rate, slow_rate):
    r = round(fast_rate / slow_rate)
    t = torch.arange(int(2 * fast_rate), dtype=torch.float64) / fast_rate
    x = torch.sin(2 * math.pi * f * t)
    point = x[::r]
    n_fft = 16 * len(point)
    spectrum = torch.fft.rfft(point - point.mean(), n=n_fft).abs()
    apparent = torch.fft.rfftfreq(n_fft, d=1 / slow_rate)[spectrum.argmax()]
    return {
        "apparent_hz": float(apparent),
        "point_amplitude": float(point.abs().max()),
        "box_amplitude": float(point.abs().max()),
    }

# Measures the frequency on the fast stream, where nothing has aliased yet.
import math

import torch


def aliasing_experiment(f, fast_rate, slow_rate):
    r = round(fast_rate / slow_rate)
    t = torch.arange(int(2 * fast_rate), dtype=torch.float64) / fast_rate
    x = torch.sin(2 * math.pi * f * t)
    point = x[::r]
    box = x[: len(x) // r * r].view(-1, r).mean(1)
    n_fft = 16 * len(x)
    spectrum = torch.fft.rfft(x - x.mean(), n=n_fft).abs()
    apparent = torch.fft.rfftfreq(n_fft, d=1 / fast_rate)[spectrum.argmax()]
    return {
        "apparent_hz": float(apparent),
        "point_amplitude": float(point.abs().max()),
        "box_amplitude": float(box.abs().max()),
    }

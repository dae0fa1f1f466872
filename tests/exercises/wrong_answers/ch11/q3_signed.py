# Forgets the modulus: the gain comes out negative between the zeros.
import math


def box_gain(f, fast_rate, slow_rate):
    r = round(fast_rate / slow_rate)
    x = math.pi * f / fast_rate
    if abs(math.sin(x)) < 1e-12:
        return 1.0
    return math.sin(r * x) / (r * math.sin(x))

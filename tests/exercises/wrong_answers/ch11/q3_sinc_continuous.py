# The continuous box's sinc instead of the gain of r discrete samples.
import math


def box_gain(f, fast_rate, slow_rate):
    x = math.pi * f / slow_rate
    return 1.0 if x == 0 else abs(math.sin(x) / x)

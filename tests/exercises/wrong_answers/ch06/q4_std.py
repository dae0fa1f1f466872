# Fits the standard deviation instead of the variance (slope -1/2 instead of -1).
import numpy as np


def variance_slope(x, xp, y, yp, sketch_dims, n_draws, seed):
    logs = [np.log(mcb_variance(x, xp, y, yp, d, n_draws, seed) ** 0.5) for d in sketch_dims]
    return float(np.polyfit(np.log(sketch_dims), logs, 1)[0])

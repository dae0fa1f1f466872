# Mixes the bases: log2 of the sketch size against the natural log of the variance.
import numpy as np


def variance_slope(x, xp, y, yp, sketch_dims, n_draws, seed):
    logs = [np.log(mcb_variance(x, xp, y, yp, d, n_draws, seed)) for d in sketch_dims]
    return float(np.polyfit(np.log2(sketch_dims), logs, 1)[0])

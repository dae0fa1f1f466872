# Forgets the factor d: the mutual information of one coordinate only.
import math

import torch


def gaussian_infonce(u, v, rho):
    scores = -torch.cdist(rho * u, v).pow(2) / (2 * (1 - rho**2)) + 0.5 * v.pow(2).sum(1)[None, :]
    estimate = float(infonce_estimate(scores))  # noqa: F821 (provided by the grader)
    return estimate, -0.5 * math.log(1 - rho**2)

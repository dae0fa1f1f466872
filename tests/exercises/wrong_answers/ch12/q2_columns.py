# Normalises over the columns (candidates of v_j) instead of the rows.
import math

import torch


def infonce_estimate(scores):
    return math.log(scores.shape[0]) + (scores.diagonal() - torch.logsumexp(scores, dim=0)).mean()

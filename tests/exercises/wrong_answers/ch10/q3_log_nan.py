# Plain p * log(p / m): 0 * log 0 gives NaN when a probability is zero.
import torch


def js_divergence(p, q):
    m = 0.5 * (p + q)
    return 0.5 * (p * torch.log(p / m)).sum(-1) + 0.5 * (q * torch.log(q / m)).sum(-1)

# Averages instead of taking the maximum.
import torch


def max_pool_fusion(xs):
    return torch.stack(xs).mean(0)

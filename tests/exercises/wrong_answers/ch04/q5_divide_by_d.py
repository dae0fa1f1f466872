# Divides by d_k instead of its square root: the weights flatten out as d_k grows.
import torch


def max_attention_weight(d_k, n_keys, scaled, seed):
    gen = torch.Generator().manual_seed(seed)
    q = torch.randn(2000, 1, d_k, generator=gen)
    k = torch.randn(2000, n_keys, d_k, generator=gen)
    scores = (q @ k.transpose(1, 2)).squeeze(1)
    if scaled:
        scores = scores / d_k
    return float(scores.softmax(-1).max(-1).values.mean())

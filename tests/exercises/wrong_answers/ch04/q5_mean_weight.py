# Returns the mean weight (always 1 / n_keys) instead of the largest one.
import torch


def max_attention_weight(d_k, n_keys, scaled, seed):
    gen = torch.Generator().manual_seed(seed)
    q = torch.randn(2000, 1, d_k, generator=gen)
    k = torch.randn(2000, n_keys, d_k, generator=gen)
    scores = (q @ k.transpose(1, 2)).squeeze(1)
    if scaled:
        scores = scores / d_k**0.5
    return float(scores.softmax(-1).mean())

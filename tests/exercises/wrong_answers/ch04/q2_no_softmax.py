# Uses the raw scores as weights: they are not a distribution over modalities.
import torch


def attention_pool(h, w):
    alpha = torch.tanh(h) @ w
    return (alpha.unsqueeze(-1) * h).sum(dim=1), alpha

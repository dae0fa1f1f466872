# Normalises the scores over the batch axis instead of over the modalities.
import torch


def attention_pool(h, w):
    alpha = (torch.tanh(h) @ w).softmax(dim=0)
    return (alpha.unsqueeze(-1) * h).sum(dim=1), alpha

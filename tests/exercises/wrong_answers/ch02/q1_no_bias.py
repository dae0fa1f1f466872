# Forgets the bias.
import torch


def concat_fusion(xs, weight, bias):
    return torch.cat(xs, dim=1) @ weight.T

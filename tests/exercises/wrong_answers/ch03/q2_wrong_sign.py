# Differentiates (1 - a) max + a mean: the sign of the spread is flipped.
import torch


def gate_gradient(projected, omega, c):
    a = torch.sigmoid(torch.einsum("bmo,m->bo", projected, omega) + c)
    spread = projected.mean(dim=1) - projected.amax(dim=1)
    return (a * (1 - a) * spread).unsqueeze(1) * projected

# Whitens only x: the singular values of Cxx^-1/2 Cxy depend on the scale of y.
import torch


def cca_correlations(x, y, reg):
    n = x.shape[0]
    xc, yc = x - x.mean(0), y - y.mean(0)
    e, v = torch.linalg.eigh(xc.T @ xc / n + reg * torch.eye(x.shape[1], dtype=x.dtype))
    return torch.linalg.svdvals((v * e.rsqrt()) @ v.T @ (xc.T @ yc / n))[: min(x.shape[1], y.shape[1])]

# Contracts correctly but leaves the new axis last instead of moving it back to position n.
import torch


def mode_n_product(tensor, matrix, mode):
    return torch.tensordot(tensor, matrix, dims=([mode], [1]))

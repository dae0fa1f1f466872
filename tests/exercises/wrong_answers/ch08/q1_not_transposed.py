# Multiplies by U instead of U^T: contracts with the wrong axis of the matrix.
import torch


def mode_n_product(tensor, matrix, mode):
    moved = torch.movedim(tensor, mode, -1)
    return torch.movedim(moved @ matrix, -1, mode)

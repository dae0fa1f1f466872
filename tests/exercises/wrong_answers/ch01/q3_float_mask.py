# Returns a float mask instead of a bool one.
import torch


def presence_mask(views):
    return torch.stack([(~torch.isnan(v).all(dim=1)).float() for v in views], dim=1)

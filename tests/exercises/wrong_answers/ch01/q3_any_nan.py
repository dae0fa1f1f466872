# Declares a modality missing as soon as one feature is NaN.
import torch


def presence_mask(views):
    return torch.stack([~torch.isnan(v).any(dim=1) for v in views], dim=1)

# Right numbers, but overwrites the caller's tensors in place.
import torch


def standardize_views(train_views, test_views):
    for a, b in zip(train_views, test_views, strict=True):
        mean, std = a.mean(0), a.std(0, unbiased=False)
        std = torch.where(std > 0, std, torch.ones_like(std))
        b.sub_(mean).div_(std)
        a.sub_(mean).div_(std)
    return train_views, test_views

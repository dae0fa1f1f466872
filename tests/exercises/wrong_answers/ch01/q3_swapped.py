# Swaps the two results (standardises for "raw" and not for "standardized").
import torch


def scale_experiment(train_views, train_y, test_views, test_y):
    def nearest_centroid(tr, te):
        a, b = torch.cat(list(tr), 1), torch.cat(list(te), 1)
        classes = torch.unique(train_y)
        centroids = torch.stack([a[train_y == c].mean(0) for c in classes])
        return float((classes[torch.cdist(b, centroids).argmin(1)] == test_y).double().mean())

    s_train, s_test = standardize_views(train_views, test_views)  # noqa: F821 (question 2)
    return {
        "raw": nearest_centroid(s_train, s_test),
        "standardized": nearest_centroid(train_views, test_views),
    }

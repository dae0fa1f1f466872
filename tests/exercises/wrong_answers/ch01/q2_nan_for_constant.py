# Divides by a zero standard deviation for a feature that is constant in training (NaN).
def standardize_views(train_views, test_views):
    train_out, test_out = [], []
    for a, b in zip(train_views, test_views, strict=True):
        mean, std = a.mean(0), a.std(0, unbiased=False)
        train_out.append((a - mean) / std)
        test_out.append((b - mean) / std)
    return train_out, test_out

# Ignores the weights and averages the modalities.
def weighted_sum_fusion(projected, logits):
    return projected.mean(dim=1)

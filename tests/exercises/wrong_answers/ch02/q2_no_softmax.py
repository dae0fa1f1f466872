# Uses the raw logits as weights.
def weighted_sum_fusion(projected, logits):
    return (projected * logits[None, :, None]).sum(dim=1)

# Zeroes the masked weights after the softmax: the remaining weights no longer sum to one.
def masked_attention(q, k, v, mask):
    weights = (q @ k.transpose(1, 2) / q.shape[-1] ** 0.5).softmax(dim=-1)
    weights = weights * mask[:, None, :]
    return weights @ v, weights

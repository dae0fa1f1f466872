# Forgets the 1/sqrt(d) scaling of the scores.
def latent_cross_attention(latents, tokens, w_q, w_k, w_v):
    q = latents @ w_q
    scores = torch.einsum("nd,bld->bnl", q, tokens @ w_k)
    return scores.softmax(-1) @ (tokens @ w_v)

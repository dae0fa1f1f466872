# Normalises over the latents instead of over the tokens.
def latent_cross_attention(latents, tokens, w_q, w_k, w_v):
    q = latents @ w_q
    scores = torch.einsum("nd,bld->bnl", q, tokens @ w_k) / q.shape[-1] ** 0.5
    return scores.softmax(1) @ (tokens @ w_v)

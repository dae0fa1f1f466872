# Forgets the shift: T_k = g_k u_k^T only (beta is lost).
def film_core(w_h, b_h, w_gamma, b_gamma, w_beta, b_beta):
    g = torch.cat([w_gamma, b_gamma[:, None]], 1)
    u = torch.cat([w_h, b_h[:, None]], 1)
    return g[:, :, None] * u[:, None, :]

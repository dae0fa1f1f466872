# Puts the output mode last, (d_c + 1, d_x + 1, o), against the book's layout.
def film_core(w_h, b_h, w_gamma, b_gamma, w_beta, b_beta):
    g = torch.cat([w_gamma, b_gamma[:, None]], 1)
    u = torch.cat([w_h, b_h[:, None]], 1)
    v = torch.cat([w_beta, b_beta[:, None]], 1)
    e = torch.zeros(u.shape[1], dtype=u.dtype)
    e[-1] = 1
    core = g[:, :, None] * u[:, None, :] + v[:, :, None] * e
    return core.permute(1, 2, 0)

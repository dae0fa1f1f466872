# Fills the unused terms of low-rank outputs with ones instead of zeros: extra terms in W_l.
import torch


def lmf_from_cp(cp_factors):
    n_out, n_mod = len(cp_factors), len(cp_factors[0])
    rank = max(p[0].shape[0] for p in cp_factors)
    factors = []
    for m in range(n_mod):
        f = torch.ones(rank, cp_factors[0][m].shape[1], n_out, dtype=cp_factors[0][m].dtype)
        for l, per_output in enumerate(cp_factors):
            f[: per_output[m].shape[0], :, l] = per_output[m]
        factors.append(f)
    return factors, torch.ones(rank, dtype=cp_factors[0][0].dtype)

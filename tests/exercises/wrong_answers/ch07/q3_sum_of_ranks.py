# Stacks every CP term of every output: exact, but of rank sum(r_l) instead of the smallest max(r_l).
import torch


def lmf_from_cp(cp_factors):
    n_out, n_mod = len(cp_factors), len(cp_factors[0])
    rank = sum(p[0].shape[0] for p in cp_factors)
    factors = [cp_factors[0][m].new_zeros(rank, cp_factors[0][m].shape[1], n_out) for m in range(n_mod)]
    start = 0
    for l, per_output in enumerate(cp_factors):
        r_l = per_output[0].shape[0]
        for m in range(n_mod):
            factors[m][start : start + r_l, :, l] = per_output[m]
        start += r_l
    return factors, torch.ones(rank, dtype=cp_factors[0][0].dtype)

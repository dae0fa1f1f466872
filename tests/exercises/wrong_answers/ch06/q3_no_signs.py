# Forgets the random signs: the estimate is biased and its variance is wrong.
import torch


def mcb_variance(x, xp, y, yp, sketch_dim, n_draws, seed):
    gen = torch.Generator().manual_seed(seed)

    def sketch_matrices(d):
        h = torch.randint(sketch_dim, (n_draws, d), generator=gen)
        return torch.nn.functional.one_hot(h, sketch_dim).to(x.dtype)

    c1, c2 = sketch_matrices(len(x)), sketch_matrices(len(y))

    def conv(p, q):
        return torch.fft.irfft(torch.fft.rfft(p) * torch.fft.rfft(q), n=sketch_dim)

    p = conv(torch.einsum("i,nid->nd", x, c1), torch.einsum("j,njd->nd", y, c2))
    q = conv(torch.einsum("i,nid->nd", xp, c1), torch.einsum("j,njd->nd", yp, c2))
    return float((p * q).sum(1).var())

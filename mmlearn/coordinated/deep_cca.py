"""Deep CCA (Andrew, Arora, Bilmes and Livescu, 2013): two networks trained to be correlated.

Networks ``f: (n, p) -> (n, o)`` and ``g: (n, q) -> (n, o)`` give ``H_1 = f(X)``, ``H_2 = g(Y)``.
With the centred outputs ``H_1c, H_2c`` and

    S_11 = H_1c^T H_1c / (n - 1) + r_1 I,   S_22 = H_2c^T H_2c / (n - 1) + r_2 I,
    S_12 = H_1c^T H_2c / (n - 1),           T = S_11^{-1/2} S_12 S_22^{-1/2} = U diag(d) V^T,

the total canonical correlation of the top ``k`` pairs is ``corr = d_1 + ... + d_k`` (all ``o``
of them by default: the trace norm of ``T``). Its gradient, in closed form,

    dcorr/dH_1 = (H_2c G_12^T + 2 H_1c G_11) / (n - 1),   dcorr/dH_2 = (H_1c G_12 + 2 H_2c G_22) / (n - 1),
    G_12 = S_11^{-1/2} U_k V_k^T S_22^{-1/2},
    G_11 = -1/2 S_11^{-1/2} U_k D_k U_k^T S_11^{-1/2},  G_22 = -1/2 S_22^{-1/2} V_k D_k V_k^T S_22^{-1/2},

uses only the products ``U_k V_k^T`` and ``U_k D_k U_k^T``, which stay well defined when singular
values repeat. Back-propagating through ``eigh`` instead divides by eigenvalue gaps ``e_i - e_j``:
at a repeated spectrum (for instance whitened outputs, ``S_11 = c I``) autograd returns a wrong or
non-finite gradient (a test shows it). :func:`cca_correlation` implements the closed form as an
autograd function; it is exact for ``k = o`` and wherever ``d_k > d_{k+1}``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from ..nn import MLP
from ..training.loop import paired_minibatches, seed_everything
from ._checks import check_reg, check_views, inv_sqrt_psd
from .cca import CCA


def _pieces(h1: Tensor, h2: Tensor, r1: float, r2: float, k: int):
    n = h1.shape[0]
    h1c, h2c = h1 - h1.mean(0), h2 - h2.mean(0)
    s11 = h1c.T @ h1c / (n - 1) + r1 * torch.eye(h1.shape[1], dtype=h1.dtype, device=h1.device)
    s22 = h2c.T @ h2c / (n - 1) + r2 * torch.eye(h2.shape[1], dtype=h2.dtype, device=h2.device)
    s12 = h1c.T @ h2c / (n - 1)
    k11, k22 = inv_sqrt_psd(s11), inv_sqrt_psd(s22)
    u, d, vh = torch.linalg.svd(k11 @ s12 @ k22)
    u, d, v = u[:, :k], d[:k], vh[:k].T
    return h1c, h2c, k11, k22, u, d, v


class _CCACorrelation(torch.autograd.Function):
    @staticmethod
    def forward(ctx, h1: Tensor, h2: Tensor, r1: float, r2: float, k: int) -> Tensor:
        h1c, h2c, k11, k22, u, d, v = _pieces(h1, h2, r1, r2, k)
        ctx.save_for_backward(h1c, h2c, k11, k22, u, d, v)
        return d.sum()

    @staticmethod
    def backward(ctx, grad: Tensor):
        h1c, h2c, k11, k22, u, d, v = ctx.saved_tensors
        n = h1c.shape[0]
        g12 = k11 @ u @ v.T @ k22
        g11 = -0.5 * k11 @ (u * d) @ u.T @ k11
        g22 = -0.5 * k22 @ (v * d) @ v.T @ k22
        d1 = (h2c @ g12.T + 2.0 * h1c @ g11) / (n - 1)
        d2 = (h1c @ g12 + 2.0 * h2c @ g22) / (n - 1)
        return grad * d1, grad * d2, None, None, None


def cca_correlation(
    h1: Tensor, h2: Tensor, k: int | None = None, r1: float = 1e-4, r2: float = 1e-4
) -> Tensor:
    """Total canonical correlation ``sum_{i<=k} d_i`` of ``h1 (n, o1)`` and ``h2 (n, o2)`` (a scalar).

    Differentiable with the closed-form gradient of Andrew et al. (2013); maximise it (the Deep
    CCA loss is its negative). ``k`` defaults to ``min(o1, o2)``; ``r1, r2 > 0`` keep the
    covariances invertible (needed when ``n <= o``). Needs ``n >= 2``.
    """
    h1, h2 = check_views(h1, h2, "cca_correlation", ("h1", "h2"))
    if h1.dtype != h2.dtype:
        raise TypeError(f"cca_correlation: h1 has dtype {h1.dtype} but h2 has dtype {h2.dtype}")
    r1 = check_reg(r1, "r1", "cca_correlation")
    r2 = check_reg(r2, "r2", "cca_correlation")
    top = min(h1.shape[1], h2.shape[1])
    k = top if k is None else k
    if not isinstance(k, int) or not 1 <= k <= top:
        raise ValueError(f"cca_correlation: k must be an int in [1, min(o1, o2) = {top}], got {k!r}")
    return _CCACorrelation.apply(h1, h2, r1, r2, k)


class DeepCCA(nn.Module):
    """Two MLP towers ``f: p -> hidden -> out_dim`` and ``g: q -> hidden -> out_dim``.

    ``forward(x, y) -> (H_1, H_2)`` of shapes ``(n, out_dim)``. After training with
    :func:`fit_deep_cca`, :meth:`fit_cca` fits a linear CCA on the towers' outputs (as Andrew et
    al. do) and :meth:`transform` returns the final canonical variates ``(n, k)``.
    """

    def __init__(
        self,
        dim_x: int,
        dim_y: int,
        out_dim: int = 10,
        hidden: Sequence[int] = (64,),
        activation: str = "tanh",
    ) -> None:
        super().__init__()
        self.f = MLP(dim_x, list(hidden), out_dim, activation=activation)
        self.g = MLP(dim_y, list(hidden), out_dim, activation=activation)
        self.out_dim = out_dim

    @property
    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def forward(self, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        return self.f(x), self.g(y)

    @torch.no_grad()
    def fit_cca(self, x: Tensor, y: Tensor, n_components: int | None = None, reg: float = 1e-4) -> CCA:
        """Linear CCA on the outputs ``(n, out_dim)`` of the training rows; stored as ``self.cca``."""
        was = self.training
        self.eval()
        h1, h2 = self(x, y)
        self.train(was)
        self.cca = CCA(n_components or self.out_dim, reg_x=reg, reg_y=reg).fit(h1, h2)
        return self.cca

    @torch.no_grad()
    def transform(self, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """Canonical variates ``(m, k)`` of new rows (call :meth:`fit_cca` first)."""
        if not hasattr(self, "cca"):
            raise RuntimeError("DeepCCA: call fit_cca(x_train, y_train) before transform")
        was = self.training
        self.eval()
        h1, h2 = self(x, y)
        self.train(was)
        return self.cca.transform(h1, h2)


def fit_deep_cca(
    model: DeepCCA,
    x: Tensor,
    y: Tensor,
    epochs: int = 100,
    batch_size: int | None = None,
    lr: float = 1e-3,
    weight_decay: float = 1e-4,
    k: int | None = None,
    reg: float = 1e-3,
    seed: int = 0,
) -> list[float]:
    """Maximise :func:`cca_correlation` of the towers' outputs on paired rows ``x (n, p)``,
    ``y (n, q)`` with Adam; full batch by default (the objective is a population statistic, so
    mini-batches must be large). Returns the training correlation per epoch."""
    x, y = check_views(x, y, "fit_deep_cca")
    n = x.shape[0]
    batch_size = batch_size or n
    if batch_size < 2:
        raise ValueError(f"fit_deep_cca: batch_size must be >= 2, got {batch_size}")
    generator = seed_everything(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    history = []
    model.train()
    for _ in range(epochs):
        total, count = 0.0, 0
        for idx in paired_minibatches(n, batch_size, generator):
            h1, h2 = model(x[idx], y[idx])
            corr = cca_correlation(h1, h2, k=k, r1=reg, r2=reg)
            optimizer.zero_grad(set_to_none=True)
            (-corr).backward()
            optimizer.step()
            total += corr.item() * len(idx)
            count += len(idx)
        history.append(total / count)
    return history

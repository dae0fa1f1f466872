"""Kernel CCA (Akaho, 2001; Bach and Jordan, 2002; Hardoon, Szedmak and Shawe-Taylor, 2004).

Map each view into a feature space, ``phi(x)``, ``psi(y)``, and look for directions there as
combinations of the training points: ``w_x = sum_i a_i phi(x_i)``, ``w_y = sum_i b_i psi(y_i)``.
With the centred Gram matrices ``K_x = H G_x H``, ``K_y = H G_y H`` ``(n, n)``
(``H = I - 11^T / n``) the projections of the training rows are ``K_x a`` and ``K_y b``, and the
regularised problem (the ridge ``kappa`` on ``||w||^2 = a^T K a``) is

    max a^T K_x K_y b   subject to   a^T (K_x^2 + kappa K_x) a = b^T (K_y^2 + kappa K_y) b = 1.

Write ``K_x = Q_x diag(lambda) Q_x^T``. On the range of ``K_x`` the substitution
``alpha = (K_x^2 + kappa K_x)^{1/2} a`` turns it into the SVD of ``R_x R_y`` with
``R_x = Q_x diag(sqrt(lambda / (lambda + kappa))) Q_x^T``: the kernel canonical correlations are
its singular values. Without a ridge (``kappa = 0``) ``R_x`` is the projector on the range of
``K_x``; with an invertible kernel (the RBF) it is the identity and every correlation is 1 — kernel
CCA needs its ridge. With the linear kernel ``G = X X^T`` the correlations equal those of linear
CCA with ridge ``r = kappa / n`` on ``X^T X / n`` (the book checks this).
"""

from __future__ import annotations

import torch
from torch import Tensor

from ._checks import check_reg, check_views


def _gram(a: Tensor, b: Tensor, kernel: str, gamma: float) -> Tensor:
    if kernel == "linear":
        return a @ b.T
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return torch.exp(-gamma * sq.clamp_min(0.0))


class KernelCCA:
    """Regularised kernel CCA with a ``"linear"`` or ``"rbf"`` kernel (``exp(-gamma ||a - b||^2)``).

    After :meth:`fit` on ``x (n, p)``, ``y (n, q)``: ``correlations_ (k,)`` and dual coefficients
    ``alpha_ (n, k)``, ``beta_ (n, k)``; :meth:`transform` projects new rows ``(m, p)``,
    ``(m, q)`` to ``(m, k)`` with the centred cross-kernels. Cost: ``O(n^3)`` (two ``n x n``
    eigendecompositions and an SVD).
    """

    def __init__(
        self,
        n_components: int = 2,
        kernel: str = "rbf",
        gamma_x: float | None = None,
        gamma_y: float | None = None,
        kappa: float = 0.1,
    ) -> None:
        if kernel not in ("linear", "rbf"):
            raise ValueError(f"KernelCCA: kernel must be 'linear' or 'rbf', got {kernel!r}")
        if not isinstance(n_components, int) or n_components < 1:
            raise ValueError(f"KernelCCA: n_components must be a positive int, got {n_components!r}")
        self.n_components, self.kernel = n_components, kernel
        self.gamma_x, self.gamma_y = gamma_x, gamma_y
        self.kappa = check_reg(kappa, "kappa", "KernelCCA")

    def _centre_train(self, g: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        col = g.mean(0)
        return g - col[None, :] - g.mean(1)[:, None] + col.mean(), col, col.mean()

    def fit(self, x: Tensor, y: Tensor) -> KernelCCA:
        x, y = check_views(x, y, "KernelCCA.fit")
        n, k = x.shape[0], self.n_components
        if k > n:
            raise ValueError(f"KernelCCA.fit: n_components={k} exceeds the number of rows n={n}")
        x, y = x.double(), y.double()
        # median heuristic-free default: 1 / (number of features * variance)
        self.gamma_x_ = self.gamma_x or 1.0 / (x.shape[1] * x.var().item() + 1e-12)
        self.gamma_y_ = self.gamma_y or 1.0 / (y.shape[1] * y.var().item() + 1e-12)
        self.x_train_, self.y_train_ = x, y
        kx, self._col_x, self._all_x = self._centre_train(_gram(x, x, self.kernel, self.gamma_x_))
        ky, self._col_y, self._all_y = self._centre_train(_gram(y, y, self.kernel, self.gamma_y_))
        rx, sx = self._whiten(kx)
        ry, sy = self._whiten(ky)
        u, s, vh = torch.linalg.svd(rx @ ry)
        self.correlations_ = s[:k].clamp(0.0, 1.0)
        # a = (K^2 + kappa K)^{-1/2} alpha on the range of K
        self.alpha_ = sx @ u[:, :k]
        self.beta_ = sy @ vh[:k].T
        return self

    def _whiten(self, kc: Tensor) -> tuple[Tensor, Tensor]:
        """``R = Q diag(sqrt(l / (l + kappa))) Q^T`` and ``S = (K^2 + kappa K)^{+1/2}``."""
        evals, q = torch.linalg.eigh(kc)
        keep = evals > 1e-10 * evals.max().clamp_min(1e-300)
        lam, q = evals[keep], q[:, keep]
        r = (q * (lam / (lam + self.kappa)).sqrt()) @ q.T
        s = (q * (lam * lam + self.kappa * lam).rsqrt()) @ q.T
        return r, s

    def _cross(self, new: Tensor, train: Tensor, gamma: float, col: Tensor, overall: Tensor) -> Tensor:
        g = _gram(new.double(), train, self.kernel, gamma)
        return g - col[None, :] - g.mean(1, keepdim=True) + overall

    def transform(self, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """Projections ``(m, k)`` of new paired (or unpaired, same ``m``) rows of both views."""
        if not hasattr(self, "alpha_"):
            raise RuntimeError("KernelCCA: call fit(x, y) before transform")
        return self.transform_x(x), self.transform_y(y)

    def transform_x(self, x: Tensor) -> Tensor:
        p = self.x_train_.shape[1]
        if not isinstance(x, Tensor) or x.dim() != 2 or x.shape[1] != p:
            raise ValueError(
                f"KernelCCA.transform_x: x must have shape (m, {p}), got {tuple(getattr(x, 'shape', ()))}"
            )
        kx = self._cross(x, self.x_train_, self.gamma_x_, self._col_x, self._all_x)
        return (kx @ self.alpha_).to(x.dtype)

    def transform_y(self, y: Tensor) -> Tensor:
        q = self.y_train_.shape[1]
        if not isinstance(y, Tensor) or y.dim() != 2 or y.shape[1] != q:
            raise ValueError(
                f"KernelCCA.transform_y: y must have shape (m, {q}), got {tuple(getattr(y, 'shape', ()))}"
            )
        ky = self._cross(y, self.y_train_, self.gamma_y_, self._col_y, self._all_y)
        return (ky @ self.beta_).to(y.dtype)

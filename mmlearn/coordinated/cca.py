"""Canonical correlation analysis (Hotelling, 1936) as a regularised generalised eigenproblem.

Views ``X (n, p)`` and ``Y (n, q)``, centred on their training means. With covariances
``C_xx = X^T X / n + r_x I (p, p)``, ``C_yy = Y^T Y / n + r_y I (q, q)`` and
``C_xy = X^T Y / n (p, q)``, CCA looks for directions ``w_x (p,)``, ``w_y (q,)`` maximising
``w_x^T C_xy w_y`` subject to ``w_x^T C_xx w_x = w_y^T C_yy w_y = 1``. The Lagrange conditions
are the symmetric generalised eigenproblem

    [[0, C_xy], [C_yx, 0]] [w_x; w_y] = rho [[C_xx, 0], [0, C_yy]] [w_x; w_y],

whose eigenvalues come in pairs ``+-rho_i``. Substituting ``a = C_xx^{1/2} w_x`` and
``b = C_yy^{1/2} w_y`` turns it into the singular value decomposition of the whitened
cross-covariance ``T = C_xx^{-1/2} C_xy C_yy^{-1/2} = U diag(rho) V^T``: the canonical
correlations are the singular values ``rho_1 >= rho_2 >= ...`` and the directions
``W_x = C_xx^{-1/2} U``, ``W_y = C_yy^{-1/2} V``. The ridges ``r_x, r_y`` make ``C_xx, C_yy``
invertible when ``n <= p`` (without them every correlation is 1: the views can always be matched
exactly on the training rows).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ._checks import check_reg, check_views, inv_sqrt_psd


class CCA:
    """Linear CCA with ridge regularisation, computed in float64.

    After :meth:`fit`: ``correlations_ (k,)`` (descending), ``weights_x_ (p, k)``,
    ``weights_y_ (q, k)``, ``mean_x_ (p,)``, ``mean_y_ (q,)``. The projections
    ``u = (x - mean_x) W_x`` and ``v = (y - mean_y) W_y`` have, on the training rows, identity
    regularised covariance and ``cov(u_i, v_i) = rho_i``.
    """

    def __init__(self, n_components: int = 2, reg_x: float = 0.0, reg_y: float = 0.0) -> None:
        if not isinstance(n_components, int) or n_components < 1:
            raise ValueError(f"CCA: n_components must be a positive int, got {n_components!r}")
        self.n_components = n_components
        self.reg_x = check_reg(reg_x, "reg_x", "CCA")
        self.reg_y = check_reg(reg_y, "reg_y", "CCA")

    def fit(self, x: Tensor, y: Tensor) -> CCA:
        """Fit on paired rows ``x (n, p)``, ``y (n, q)``; ``n_components <= min(p, q)``."""
        x, y = check_views(x, y, "CCA.fit")
        k = self.n_components
        if k > min(x.shape[1], y.shape[1]):
            raise ValueError(
                f"CCA.fit: n_components={k} exceeds min(p, q) = {min(x.shape[1], y.shape[1])} for x of "
                f"shape {tuple(x.shape)} and y of shape {tuple(y.shape)}"
            )
        x, y = x.double(), y.double()
        self.mean_x_, self.mean_y_ = x.mean(0), y.mean(0)
        xc, yc = x - self.mean_x_, y - self.mean_y_
        n = x.shape[0]
        cxx = xc.T @ xc / n + self.reg_x * torch.eye(x.shape[1], dtype=x.dtype, device=x.device)
        cyy = yc.T @ yc / n + self.reg_y * torch.eye(y.shape[1], dtype=y.dtype, device=y.device)
        kx, ky = inv_sqrt_psd(cxx), inv_sqrt_psd(cyy)
        u, s, vh = torch.linalg.svd(kx @ (xc.T @ yc / n) @ ky)
        self.correlations_ = s[:k].clamp(0.0, 1.0)
        self.weights_x_ = kx @ u[:, :k]
        self.weights_y_ = ky @ vh[:k].T
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "weights_x_"):
            raise RuntimeError("CCA: call fit(x, y) before transform")

    def transform_x(self, x: Tensor) -> Tensor:
        """``(m, p) -> (m, k)`` canonical variates of the first view (in ``x``'s dtype)."""
        self._check_fitted()
        p = self.weights_x_.shape[0]
        if not isinstance(x, Tensor) or x.dim() != 2 or x.shape[1] != p:
            raise ValueError(
                f"CCA.transform_x: x must have shape (m, {p}), got {tuple(getattr(x, 'shape', ()))}"
            )
        return ((x.double() - self.mean_x_) @ self.weights_x_).to(x.dtype)

    def transform_y(self, y: Tensor) -> Tensor:
        """``(m, q) -> (m, k)`` canonical variates of the second view."""
        self._check_fitted()
        q = self.weights_y_.shape[0]
        if not isinstance(y, Tensor) or y.dim() != 2 or y.shape[1] != q:
            raise ValueError(
                f"CCA.transform_y: y must have shape (m, {q}), got {tuple(getattr(y, 'shape', ()))}"
            )
        return ((y.double() - self.mean_y_) @ self.weights_y_).to(y.dtype)

    def transform(self, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """Both views' canonical variates ``(m, k)``, ``(m, k)``."""
        return self.transform_x(x), self.transform_y(y)


def cca_generalized_eig(x: Tensor, y: Tensor, reg_x: float = 0.0, reg_y: float = 0.0) -> np.ndarray:
    """All canonical correlations by solving the block generalised eigenproblem directly.

    ``A w = rho B w`` with ``A = [[0, C_xy], [C_yx, 0]]`` and ``B = diag(C_xx, C_yy)``
    ``((p + q), (p + q))`` (SciPy's symmetric-definite solver). Returns the ``min(p, q)``
    largest eigenvalues, descending: the same numbers as :class:`CCA`'s SVD route, computed
    another way (the book checks one against the other).
    """
    from scipy.linalg import eigh

    x, y = check_views(x, y, "cca_generalized_eig")
    xc = (x - x.mean(0)).double().numpy()
    yc = (y - y.mean(0)).double().numpy()
    n, p, q = xc.shape[0], xc.shape[1], yc.shape[1]
    cxy = xc.T @ yc / n
    a = np.zeros((p + q, p + q))
    a[:p, p:], a[p:, :p] = cxy, cxy.T
    b = np.zeros((p + q, p + q))
    b[:p, :p] = xc.T @ xc / n + reg_x * np.eye(p)
    b[p:, p:] = yc.T @ yc / n + reg_y * np.eye(q)
    values = eigh(a, b, eigvals_only=True)
    return np.sort(values)[::-1][: min(p, q)]

"""The chapter's comparison: one function per method, each mapping paired training rows of two
modalities to embeddings of held-out rows in a shared space.

Every function takes standardised ``x_train (n, p)``, ``y_train (n, q)``, ``x_test (m, p)``,
``y_test (m, q)`` (float32) and a ``seed``, and returns ``(u_test (m, k), v_test (m, k),
v_train (n, k))``: the shared-space coordinates of the test rows of both modalities and of the
training rows of the second one (used for class prototypes in zero-shot classification).
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..models.retrieval import TwoTower, fit_two_tower
from ..training.loop import seed_everything
from .cca import CCA
from .deep_cca import DeepCCA, fit_deep_cca
from .kernel_cca import KernelCCA

Embeddings = tuple[Tensor, Tensor, Tensor]


def embed_cca(
    x: Tensor, y: Tensor, xt: Tensor, yt: Tensor, seed: int = 0, k: int = 10, reg: float = 0.1
) -> Embeddings:
    """Ridge CCA with ``k`` components (deterministic: ``seed`` is unused)."""
    model = CCA(k, reg_x=reg, reg_y=reg).fit(x, y)
    return model.transform_x(xt), model.transform_y(yt), model.transform_y(y)


def embed_kernel_cca(
    x: Tensor,
    y: Tensor,
    xt: Tensor,
    yt: Tensor,
    seed: int = 0,
    k: int = 10,
    kappa: float = 1.0,
    max_train: int | None = 600,
) -> Embeddings:
    """RBF kernel CCA (default bandwidths ``1 / (p var)``) with ridge ``kappa``.

    Its cost is cubic in the number of training rows: it is fitted on ``max_train`` of them,
    drawn with ``seed`` (all of them with ``None``).
    """
    n = x.shape[0]
    if max_train is not None and n > max_train:
        pick = torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:max_train]
        x_fit, y_fit = x[pick], y[pick]
    else:
        x_fit, y_fit = x, y
    model = KernelCCA(k, kernel="rbf", kappa=kappa).fit(x_fit, y_fit)
    return model.transform_x(xt), model.transform_y(yt), model.transform_y(y)


def embed_deep_cca(
    x: Tensor,
    y: Tensor,
    xt: Tensor,
    yt: Tensor,
    seed: int = 0,
    k: int = 10,
    hidden: int = 64,
    epochs: int = 60,
    lr: float = 3e-3,
    reg: float = 1e-2,
) -> Embeddings:
    """Deep CCA (one hidden tanh layer per tower, full batch), then linear CCA on its outputs."""
    seed_everything(seed)  # the initial weights too
    model = DeepCCA(x.shape[1], y.shape[1], out_dim=k, hidden=(hidden,))
    fit_deep_cca(model, x, y, epochs=epochs, lr=lr, reg=reg, seed=seed)
    model.fit_cca(x, y, reg=reg)
    u, v = model.transform(xt, yt)
    return u, v, model.transform(x, y)[1]


def embed_info_nce(
    x: Tensor,
    y: Tensor,
    xt: Tensor,
    yt: Tensor,
    seed: int = 0,
    k: int = 10,
    hidden: int = 64,
    epochs: int = 20,
    temperature: float = 0.1,
    batch_size: int = 128,
) -> Embeddings:
    """Two towers trained with symmetric InfoNCE (chapter 10); unit-norm outputs."""
    seed_everything(seed)
    model = TwoTower(x.shape[1], y.shape[1], embed_dim=k, hidden_dim=hidden)
    fit_two_tower(model, x, y, epochs=epochs, temperature=temperature, batch_size=batch_size, seed=seed)
    model.eval()
    return model.encode_a(xt).detach(), model.encode_b(yt).detach(), model.encode_b(y).detach()


METHODS = {
    "CCA": embed_cca,
    "kernel CCA": embed_kernel_cca,
    "Deep CCA": embed_deep_cca,
    "InfoNCE": embed_info_nce,
}

r"""Conditional modulation (chapter 13): one modality sets the parameters that process another.

Vector fusions. Modality 0 is the *processed* input ``x (batch, d_0)``; modalities ``1..M-1``
are the *conditioning* inputs, concatenated into ``c (batch, d_c)`` with ``d_c = d_1 + ... + d_{M-1}``
(for ``M = 2``, ``c = x_1``). Both fusions are bilinear maps of ``([c; 1], [x; 1])`` whose core
has a structure, which is how the book links them to Part II's gates and Part III's bilinear family.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from .._validation import check_positive_int
from ..nn.mlp import activation_function
from .base import Fusion, FusionOutput
from .registry import register


@register
class FILM(Fusion):
    r"""Feature-wise linear modulation, FiLM (Perez et al., 2018).

    .. math::
        h = W_h x + b_h,\quad \gamma = W_\gamma c + b_\gamma,\quad \beta = W_\beta c + b_\beta,\quad
        z = \sigma\big(\gamma \odot h + \beta\big),

    with ``W_h (output_dim, d_0)``, ``W_gamma, W_beta (output_dim, d_c)`` and ``sigma`` the
    ``activation`` (``None`` = identity, the default; the paper applies a ReLU after the FiLM
    layer). Shapes: ``x (batch, d_0)``, ``c (batch, d_c)``, ``gamma, beta, h, z
    (batch, output_dim)``. Parameters: ``(d_0 + 1) output_dim + 2 (d_c + 1) output_dim``.

    **FiLM is a bilinear map with a structured core.** Write ``c~ = [c; 1]``, ``x~ = [x; 1]`` and
    ``g_k = [W_gamma[k]; b_gamma[k]]``, ``u_k = [W_h[k]; b_h[k]]``, ``v_k = [W_beta[k]; b_beta[k]]``.
    Before the activation, output unit ``k`` is

    .. math::
        z_k = (g_k^\top \tilde c)(u_k^\top \tilde x) + v_k^\top \tilde c
            = \tilde c^\top T_k \tilde x,\qquad T_k = g_k u_k^\top + v_k e^\top,

    ``e`` the last unit vector of ``R^{d_0 + 1}``: every slice of the core ``T (output_dim, d_c + 1,
    d_0 + 1)`` has rank at most 2 (:meth:`core` builds it). A full bilinear map (chapter 6) would
    spend ``output_dim (d_c + 1)(d_0 + 1)`` parameters on ``T``; MLB (chapter 7) writes
    ``T_k = sum_r P[k, r] a_r b_r^T`` with shared rank-one terms; FiLM gives each output unit its
    own rank-one term plus the additive ``beta`` term, and no output projection. With
    ``gamma = sigmoid(...)`` and ``beta = 0`` it is the feature-wise gate of chapter 4 (a gate is
    a modulation whose scale lies in ``(0, 1)``); FiLM lets the scale be any real number, negative
    included, and adds a shift. Weights: ``{"gamma": (batch, output_dim), "beta": (batch,
    output_dim)}``.
    """

    weight_names = ("gamma", "beta")

    def __init__(self, input_dims: Sequence[int], output_dim: int, activation: str | None = None) -> None:
        super().__init__(input_dims, output_dim)
        self.activation = activation_function(activation, type(self).__name__)
        cond = sum(self.input_dims[1:])
        self.hidden = nn.Linear(self.input_dims[0], output_dim)
        self.gamma = nn.Linear(cond, output_dim)
        self.beta = nn.Linear(cond, output_dim)

    def fuse(self, x: Tensor, *conditions: Tensor) -> FusionOutput:
        c = torch.cat(conditions, dim=-1)  # (batch, d_c)
        gamma, beta = self.gamma(c), self.beta(c)  # (batch, output_dim) each
        z = gamma * self.hidden(x) + beta
        if self.activation is not None:
            z = self.activation(z)
        return FusionOutput(z, {"gamma": gamma, "beta": beta})

    def core(self) -> Tensor:
        """The bilinear core ``T (output_dim, d_c + 1, d_0 + 1)`` with ``z_k = [c;1]^T T_k [x;1]``
        before the activation (see the class docstring)."""
        g = torch.cat([self.gamma.weight, self.gamma.bias[:, None]], dim=1)  # (o, d_c + 1)
        u = torch.cat([self.hidden.weight, self.hidden.bias[:, None]], dim=1)  # (o, d_0 + 1)
        v = torch.cat([self.beta.weight, self.beta.bias[:, None]], dim=1)  # (o, d_c + 1)
        e = torch.zeros_like(u[0])
        e[-1] = 1.0
        return g[:, :, None] * u[:, None, :] + v[:, :, None] * e  # (o, d_c + 1, d_0 + 1)


@register
class DynamicParameters(Fusion):
    r"""Dynamic parameter prediction: a hypernetwork maps ``c`` to the weights applied to ``x``.

    *Book construction in the spirit of DPPnet (Noh et al., 2016)*, which predicts the weights of
    one fully connected layer of an image network from the question (with a hashing trick to keep
    the hypernetwork small). Here the predicted matrix is kept small by a projection instead, and
    there is no hashing:

    .. math::
        p = \sigma(W_p x + b_p),\quad
        \mathrm{vec}\, W(c) = H c + h_0,\quad z = W(c)\, p + b,

    ``p (batch, mm_dim)``, ``W(c) (batch, output_dim, mm_dim)`` (:meth:`predict_weights`),
    ``H (output_dim mm_dim, d_c)``, ``z (batch, output_dim)``, ``sigma`` the ``activation``
    (identity by default). Parameters: ``(d_0 + 1) mm_dim + (d_c + 1) output_dim mm_dim +
    output_dim``: the hypernetwork dominates, which is why DPPnet hashes it.

    As a bilinear map: ``z_k = [c; 1]^T G_k p + b_k`` with ``G_k = reshape(H, h_0)[k]`` of size
    ``(d_c + 1, mm_dim)``, an **unfactorised** core (a Tucker model with identity factor on the
    conditioning side and ``W_p`` on the other). FiLM is the diagonal case
    (``mm_dim = output_dim``, ``W(c) = diag(gamma(c))``) plus a shift ``beta(c)`` that depends on
    ``c``; with that shift's slope at zero the two fusions coincide (``tests/test_modulation.py``
    builds one from the other). The joint residual function of MRN (Kim et al., 2016), an
    element-wise product of nonlinear projections of the two modalities, is a diagonal
    modulation of the same kind.
    """

    test_hyper = {"mm_dim": 3}

    def __init__(
        self, input_dims: Sequence[int], output_dim: int, mm_dim: int = 16, activation: str | None = None
    ) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int(mm_dim, "mm_dim", type(self).__name__)
        self.mm_dim = mm_dim
        self.activation = activation_function(activation, type(self).__name__)
        self.project = nn.Linear(self.input_dims[0], mm_dim)
        self.hyper = nn.Linear(sum(self.input_dims[1:]), output_dim * mm_dim)
        self.bias = nn.Parameter(torch.zeros(output_dim))

    def predict_weights(self, c: Tensor) -> Tensor:
        """``W(c)``: ``(batch, d_c) -> (batch, output_dim, mm_dim)``."""
        return self.hyper(c).view(-1, self.output_dim, self.mm_dim)

    def fuse(self, x: Tensor, *conditions: Tensor) -> Tensor:
        p = self.project(x)  # (batch, mm_dim)
        if self.activation is not None:
            p = self.activation(p)
        weights = self.predict_weights(torch.cat(conditions, dim=-1))  # (batch, o, mm_dim)
        return torch.einsum("bkj,bj->bk", weights, p) + self.bias

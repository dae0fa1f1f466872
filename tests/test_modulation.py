"""FiLM and dynamic parameters as bilinear maps with structured cores (chapter 13)."""

from __future__ import annotations

import pytest
import torch

from mmlearn.fusion import FILM, DynamicParameters


def _inputs(dims, batch=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, d, generator=g, dtype=torch.float64) for d in dims]


def _with_one(x):
    return torch.cat([x, torch.ones(x.shape[0], 1, dtype=x.dtype)], dim=1)


@pytest.mark.parametrize("dims", [(4, 3), (4, 3, 2)])
def test_film_is_the_bilinear_map_of_its_core(dims):
    torch.manual_seed(0)
    film = FILM(list(dims), 6).double()
    xs = _inputs(dims)
    c = torch.cat(xs[1:], dim=1)  # the conditioning modalities, concatenated
    expected = torch.einsum("bi,kij,bj->bk", _with_one(c), film.core(), _with_one(xs[0]))
    torch.testing.assert_close(film(*xs), expected)
    # every slice T_k = g_k u_k^T + v_k e^T has rank <= 2 (a full bilinear core would have rank 3 here)
    ranks = torch.linalg.matrix_rank(film.core())
    assert ranks.max().item() <= 2 and ranks.min().item() == 2


def test_film_parameter_count_and_weights():
    film = FILM([4, 3, 2], 6)
    assert film.n_params == (4 + 1) * 6 + 2 * (3 + 2 + 1) * 6
    xs = [x.float() for x in _inputs((4, 3, 2))]
    out = film(*xs, return_weights=True)
    c = torch.cat(xs[1:], dim=1)
    torch.testing.assert_close(out.weights["gamma"], film.gamma(c))
    torch.testing.assert_close(out.fused, out.weights["gamma"] * film.hidden(xs[0]) + out.weights["beta"])


def test_film_activation_is_applied_after_the_modulation():
    torch.manual_seed(0)
    plain, relu = FILM([4, 3], 5).double(), FILM([4, 3], 5, activation="relu").double()
    relu.load_state_dict(plain.state_dict())
    xs = _inputs((4, 3))
    torch.testing.assert_close(relu(*xs), plain(*xs).relu())
    with pytest.raises(ValueError, match="activation"):
        FILM([4, 3], 5, activation="swish")


@pytest.mark.parametrize("dims", [(4, 3), (4, 3, 2)])
def test_dynamic_parameters_is_a_bilinear_map_with_an_unfactorised_core(dims):
    torch.manual_seed(0)
    dyn = DynamicParameters(list(dims), 5, mm_dim=3).double()
    xs = _inputs(dims)
    c = _with_one(torch.cat(xs[1:], dim=1))
    core = torch.cat([dyn.hyper.weight, dyn.hyper.bias[:, None]], dim=1).view(5, 3, -1)  # (o, mm, d_c + 1)
    expected = torch.einsum("bi,kji,bj->bk", c, core, dyn.project(xs[0])) + dyn.bias
    torch.testing.assert_close(dyn(*xs), expected)
    d_c = sum(dims[1:])
    assert dyn.n_params == (dims[0] + 1) * 3 + (d_c + 1) * 5 * 3 + 5


def test_film_is_dynamic_parameters_with_a_diagonal_predicted_matrix():
    """W(c) = diag(gamma(c)) and a shift beta(c) with zero slope: the two fusions coincide."""
    torch.manual_seed(0)
    film = FILM([4, 3], 5).double()
    with torch.no_grad():
        film.beta.weight.zero_()
    dyn = DynamicParameters([4, 3], 5, mm_dim=5).double()
    with torch.no_grad():
        dyn.project.load_state_dict(film.hidden.state_dict())
        eye = torch.eye(5, dtype=torch.float64)
        # vec W(c) = H c + h0 with W(c)[k, j] = gamma_k(c) [k == j]
        dyn.hyper.weight.copy_((eye[:, :, None] * film.gamma.weight[:, None, :]).reshape(25, 3))
        dyn.hyper.bias.copy_((eye * film.gamma.bias[:, None]).reshape(25))
        dyn.bias.copy_(film.beta.bias)
    xs = _inputs((4, 3))
    torch.testing.assert_close(dyn(*xs), film(*xs))
    # and a predicted matrix that is not diagonal is out of FiLM's reach
    with torch.no_grad():
        dyn.hyper.bias.add_(0.5)
    assert not torch.allclose(dyn(*xs), film(*xs))


def test_dynamic_parameters_rejects_bad_mm_dim():
    with pytest.raises(ValueError, match="mm_dim"):
        DynamicParameters([4, 3], 5, mm_dim=0)

"""Executable claims of chapters 6-7: bilinear pooling and its low-rank factorisations."""

from __future__ import annotations

import math

import pytest
import torch

from mmlearn import fusion
from mmlearn.nn.sketch import sketch_outer_product
from tests.helpers import D64

NAMES = ["bilinear", "tfn", "mcb", "mlb", "mfb", "mfh", "lmf"]
MULTI = ["tfn", "mcb", "mlb", "mfb", "mfh", "lmf"]


def _inputs(dims, batch=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, d, generator=g, dtype=D64) for d in dims]


def _expected_params(name, dims, o, hyper):
    """The parameter count of each fusion, written as its formula."""
    if name == "bilinear":
        return dims[0] * dims[1] * o + o
    if name == "tfn":
        return o * math.prod(d + 1 for d in dims) + o
    if name == "mcb":
        return hyper["sketch_dim"] * o + o
    if name == "mlb":
        r = hyper["rank"]
        return sum((d + 1) * r for d in dims) + (r + 1) * o
    if name == "mfb":
        m, k = hyper["mm_dim"], hyper["factor"]
        return sum((d + 1) * m * k for d in dims) + (m + 1) * o
    if name == "mfh":
        m, k, p = hyper["mm_dim"], hyper["factor"], hyper["n_blocks"]
        return p * sum((d + 1) * m * k for d in dims) + (p * m + 1) * o
    r = hyper["rank"]
    return r * sum((d + 1) * o for d in dims) + r + o


HYPER = {
    "bilinear": {},
    "tfn": {},
    "mcb": {"sketch_dim": 40},
    "mlb": {"rank": 9},
    "mfb": {"mm_dim": 6, "factor": 3},
    "mfh": {"mm_dim": 5, "factor": 2, "n_blocks": 3},
    "lmf": {"rank": 4},
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dims", [(7, 5), (4, 3, 6), (3, 2, 4, 2)])
def test_parameter_count_formula(name, dims):
    if name == "bilinear" and len(dims) > 2:
        with pytest.raises(ValueError, match="exactly 2"):
            fusion.build(name, list(dims), 8)
        return
    module = fusion.build(name, list(dims), 8, **HYPER[name])
    assert module.n_params == _expected_params(name, dims, 8, HYPER[name])


@pytest.mark.parametrize("name", MULTI)
def test_three_and_four_modalities(name):
    for dims in [(4, 3, 6), (3, 2, 4, 2)]:
        module = fusion.build(name, list(dims), 8, **HYPER[name]).double()
        xs = [x.requires_grad_() for x in _inputs(dims)]
        out = module(*xs)
        assert out.shape == (5, 8)
        out.square().sum().backward()
        # every modality influences the output
        assert all(x.grad.abs().sum() > 0 for x in xs)


@pytest.mark.parametrize("name", NAMES)
def test_an_optimizer_step_changes_every_parameter(name):
    """Every trainable tensor is registered (none hides in a plain list) and is trained."""
    dims = (4, 3) if name == "bilinear" else (4, 3, 5)
    torch.manual_seed(0)
    module = fusion.build(name, list(dims), 6, **HYPER[name]).double()
    for sub in module.modules():
        for attr, value in vars(sub).items():
            if attr.startswith("_"):
                continue
            items = value if isinstance(value, list | tuple | dict) else [value]
            items = items.values() if isinstance(items, dict) else items
            assert not any(isinstance(v, torch.Tensor) for v in items), f"unregistered tensor {attr}"
    before = {n: p.detach().clone() for n, p in module.named_parameters()}
    buffers = {n: b.clone() for n, b in module.named_buffers()}
    opt = torch.optim.SGD(module.parameters(), lr=0.1)
    target = torch.randn(5, 6, dtype=D64)
    loss = (module(*_inputs(dims)) - target).square().sum()
    loss.backward()
    opt.step()
    for n, p in module.named_parameters():
        assert not torch.equal(p, before[n]), f"{name}: parameter {n} did not change"
    for n, b in module.named_buffers():
        assert torch.equal(b, buffers[n]), f"{name}: buffer {n} changed"


def test_lmf_factors_are_seen_by_the_optimizer():
    module = fusion.build("lmf", [3, 4, 5], 2, rank=2)
    found = {id(p) for p in module.parameters()}
    assert all(id(f) in found for f in module.factors)
    assert len(list(module.parameters())) == 3 + 2


def test_tfn_with_zero_bilinear_block_is_a_linear_fusion():
    """With every product block of W zero, TFN = A x + B y + c: the concatenation fusion."""
    d1, d2, o = 4, 3, 5
    tfn = fusion.build("tfn", [d1, d2], o).double()
    concat = fusion.build("concat", [d1, d2], o).double()
    with torch.no_grad():
        w = torch.zeros(o, d1 + 1, d2 + 1, dtype=D64)
        w[:, :d1, d2] = concat.linear.weight[:, :d1]  # x_i * 1
        w[:, d1, :d2] = concat.linear.weight[:, d1:]  # 1 * y_j
        w[:, d1, d2] = 0.5  # 1 * 1: a constant, absorbed in the bias
        tfn.linear.weight.copy_(w.flatten(1))
        tfn.linear.bias.copy_(concat.linear.bias - 0.5)
    xs = _inputs([d1, d2])
    torch.testing.assert_close(tfn(*xs), concat(*xs))


def test_tfn_three_modalities_contains_the_linear_fusion():
    dims, o = (2, 3, 2), 4
    tfn = fusion.build("tfn", list(dims), o).double()
    concat = fusion.build("concat", list(dims), o).double()
    with torch.no_grad():
        w = torch.zeros(o, 3, 4, 3, dtype=D64)
        a, b, c = concat.linear.weight.split(list(dims), dim=1)
        w[:, :2, 3, 2], w[:, 2, :3, 2], w[:, 2, 3, :2] = a, b, c
        tfn.linear.weight.copy_(w.flatten(1))
        tfn.linear.bias.copy_(concat.linear.bias)
    xs = _inputs(dims)
    torch.testing.assert_close(tfn(*xs), concat(*xs))


def test_tfn_contains_the_full_bilinear_form():
    d1, d2, o = 4, 3, 5
    tfn = fusion.build("tfn", [d1, d2], o).double()
    full = fusion.build("bilinear", [d1, d2], o).double()
    with torch.no_grad():
        w = torch.zeros(o, d1 + 1, d2 + 1, dtype=D64)
        w[:, :d1, :d2] = full.bilinear.weight
        tfn.linear.weight.copy_(w.flatten(1))
        tfn.linear.bias.copy_(full.bilinear.bias)
    xs = _inputs([d1, d2])
    torch.testing.assert_close(tfn(*xs), full(*xs))
    expected = torch.einsum("bi,kij,bj->bk", xs[0], full.bilinear.weight, xs[1]) + full.bilinear.bias
    torch.testing.assert_close(full(*xs), expected)


def _mlb_from_bilinear(weight: torch.Tensor) -> fusion.MLB:
    """An MLB of rank o * d1 whose output is exactly x^T W_k y: W_k = sum_i e_i (W_k[i])^T."""
    o, d1, d2 = weight.shape
    mlb = fusion.build("mlb", [d1, d2], o, rank=o * d1).double()
    with torch.no_grad():
        for p in mlb.parameters():
            p.zero_()
        eye = torch.eye(d1, dtype=D64)
        for k in range(o):
            rows = slice(k * d1, (k + 1) * d1)
            mlb.projections[0].weight[rows] = eye
            mlb.projections[1].weight[rows] = weight[k]
            mlb.linear_out.weight[k, rows] = 1.0
    return mlb


def test_mlb_at_full_rank_represents_a_bilinear_map():
    g = torch.Generator().manual_seed(3)
    weight = torch.randn(3, 4, 5, generator=g, dtype=D64)
    mlb = _mlb_from_bilinear(weight)
    xs = _inputs([4, 5])
    torch.testing.assert_close(mlb(*xs), torch.einsum("bi,kij,bj->bk", xs[0], weight, xs[1]))


def test_mlb_rank_bounds_the_rank_of_each_slice():
    """Without activation and biases, output k is x^T W_k y with rank(W_k) <= R."""
    mlb = fusion.build("mlb", [6, 7], 3, rank=2).double()
    with torch.no_grad():
        for lin in [*mlb.projections, mlb.linear_out]:
            lin.bias.zero_()
    # W_k[i, j] = d^2 z_k / dx_i dy_j, read off with basis vectors
    e1, e2 = torch.eye(6, dtype=D64), torch.eye(7, dtype=D64)
    x = e1.repeat_interleave(7, 0)
    y = e2.repeat(6, 1)
    slices = mlb(x, y).T.reshape(3, 6, 7)
    assert all(torch.linalg.matrix_rank(s) == 2 for s in slices)


def test_mfb_with_factor_one_is_mlb():
    mfb = fusion.build("mfb", [4, 5, 3], 6, mm_dim=7, factor=1, normalize=False).double()
    mlb = fusion.build("mlb", [4, 5, 3], 6, rank=7).double()
    mlb.load_state_dict({k: v for k, v in mfb.state_dict().items()})
    xs = _inputs([4, 5, 3])
    torch.testing.assert_close(mfb(*xs), mlb(*xs))


def test_mfb_pools_windows_of_factor():
    mfb = fusion.build("mfb", [4, 5], 3, mm_dim=2, factor=3, normalize=False).double()
    xs = _inputs([4, 5])
    prod = mfb.projections[0](xs[0]) * mfb.projections[1](xs[1])
    pooled = torch.stack([prod[:, 0:3].sum(1), prod[:, 3:6].sum(1)], 1)
    torch.testing.assert_close(mfb(*xs), mfb.linear_out(pooled))


def test_mfh_with_one_block_is_mfb():
    mfh = fusion.build("mfh", [4, 5], 6, mm_dim=3, factor=2, n_blocks=1).double()
    mfb = fusion.build("mfb", [4, 5], 6, mm_dim=3, factor=2).double()
    state = {k.replace("projections.0.", "projections."): v for k, v in mfh.state_dict().items()}
    mfb.load_state_dict(state)
    xs = _inputs([4, 5])
    torch.testing.assert_close(mfh(*xs), mfb(*xs))


def test_mfh_second_block_is_cascaded():
    mfh = fusion.build("mfh", [4, 5], 6, mm_dim=3, factor=2, n_blocks=2, normalize=False).double()
    xs = _inputs([4, 5])
    e1 = mfh.projections[0][0](xs[0]) * mfh.projections[0][1](xs[1])
    e2 = e1 * mfh.projections[1][0](xs[0]) * mfh.projections[1][1](xs[1])
    pool = [e.view(5, 3, 2).sum(-1) for e in (e1, e2)]
    torch.testing.assert_close(mfh(*xs), mfh.linear_out(torch.cat(pool, 1)))


def test_lmf_is_tfn_with_a_low_rank_weight():
    """LMF = TFN with W_o = sum_r w_r F_1^(r)[:, o] ⊗ F_2^(r)[:, o] ⊗ F_3^(r)[:, o]."""
    dims, o = (3, 2, 4), 5
    lmf = fusion.build("lmf", list(dims), o, rank=3).double()
    tfn = fusion.build("tfn", list(dims), o).double()
    f1, f2, f3 = lmf.factors
    w = torch.einsum("r,rio,rjo,rko->oijk", lmf.fusion_weights, f1, f2, f3)
    with torch.no_grad():
        tfn.linear.weight.copy_(w.flatten(1))
        tfn.linear.bias.copy_(lmf.fusion_bias)
    xs = _inputs(dims)
    torch.testing.assert_close(lmf(*xs), tfn(*xs))


def test_mcb_pool_is_the_sketch_of_the_outer_product():
    mcb = fusion.build("mcb", [6, 5], 4, sketch_dim=13, normalize=False).double()
    xs = _inputs([6, 5])
    torch.testing.assert_close(mcb.pool(*xs), sketch_outer_product(*xs, *mcb.sketches))
    normed = fusion.build("mcb", [6, 5], 4, sketch_dim=13).double().pool(*xs)
    torch.testing.assert_close(normed.norm(dim=1), torch.ones(5, dtype=D64))


def test_mcb_hashes_are_fixed_by_the_seed():
    a, b, c = (fusion.build("mcb", [6, 5], 4, sketch_dim=13, seed=s) for s in (1, 1, 2))
    assert torch.equal(a.sketches[0].hashes, b.sketches[0].hashes)
    assert not torch.equal(a.sketches[0].hashes, c.sketches[0].hashes)
    assert a.n_params == 13 * 4 + 4  # hashes and signs are buffers, not parameters


@pytest.mark.parametrize("name", ["mlb", "mfb", "mfh", "mcb"])
def test_normalisation_has_a_finite_gradient_where_the_product_is_zero(name):
    hyper = {**HYPER[name], "normalize": True}
    module = fusion.build(name, [4, 3], 5, **hyper).double()
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, torch.nn.Linear) and m is not getattr(module, "linear_out", None):
                m.bias.zero_()
    xs = [torch.zeros(2, d, dtype=D64, requires_grad=True) for d in (4, 3)]
    module(*xs).sum().backward()
    grads = [x.grad for x in xs] + [p.grad for p in module.parameters() if p.grad is not None]
    assert all(torch.isfinite(g).all() for g in grads)


def test_naive_signed_sqrt_has_a_nan_gradient_at_zero():
    """The claim the book makes against sign(z) sqrt|z|, checked."""
    z = torch.zeros(3, dtype=D64, requires_grad=True)
    (torch.sign(z) * z.abs().sqrt()).sum().backward()
    assert torch.isnan(z.grad).all()


@pytest.mark.parametrize("name", ["mlb", "mfb", "mfh"])
def test_bad_hyper_parameters_name_the_argument(name):
    with pytest.raises(ValueError, match="activation"):
        fusion.build(name, [3, 4], 2, activation="swish")
    key = "rank" if name == "mlb" else "factor"
    with pytest.raises(ValueError, match=key):
        fusion.build(name, [3, 4], 2, **{key: 0})


def test_explorer_parameter_formulas_match_the_modules():
    from mmlearn.experiments import param_counts

    for dims in [(6, 5), (4, 3, 2)]:
        for rank, factor in [(8, 2), (9, 3), (1, 1)]:
            counts = param_counts(dims, 7, rank=rank, factor=factor, sketch_dim=32)
            mm = max(1, rank // factor)
            hyper = {
                "tfn": {},
                "mcb": {"sketch_dim": 32},
                "mlb": {"rank": rank},
                "lmf": {"rank": rank},
                "mfb": {"mm_dim": mm, "factor": factor},
                "mfh": {"mm_dim": mm, "factor": factor, "n_blocks": 2},
                "bilinear": {},
            }
            assert set(counts) == set(hyper) - ({"bilinear"} if len(dims) > 2 else set())
            for name, n in counts.items():
                assert fusion.build(name, list(dims), 7, **hyper[name]).n_params == n, name


def test_explorer_sketch_error_falls_like_one_over_sqrt_d():
    from mmlearn.experiments import sketch_error
    from mmlearn.viz.bilinear_explorer import bilinear_explorer

    small, large = sketch_error(16, n_draws=2000), sketch_error(1024, n_draws=2000)
    # 64 times the size: 8 times smaller error in expectation; allow a factor of 1.5 either way
    assert 8 / 1.5 < small / large < 8 * 1.5
    widget = bilinear_explorer((8, 8), 4, accuracy={"mlb": {1: 0.5, 8: 0.9}})
    assert len(widget.children) == 4  # three sliders and the output


def test_mlb_tanh_option_is_the_papers_tanh_on_each_projection():
    """activation="tanh" (Kim et al. 2017): z = W_o(tanh(U x + c) ⊙ tanh(V y + e)) + b_o."""
    torch.manual_seed(0)
    x, y = torch.randn(4, 6, dtype=D64), torch.randn(4, 5, dtype=D64)
    mlb = fusion.build("mlb", [6, 5], 3, rank=7, activation="tanh").double()
    assert fusion.build("mlb", [6, 5], 3, rank=7).activation is None  # default: the identity
    u, v = mlb.projections
    expected = mlb.linear_out(torch.tanh(u(x)) * torch.tanh(v(y)))
    torch.testing.assert_close(mlb(x, y), expected)

"""Tucker fusion and MUTAN: the formulas, the rank constraint, parameter counts, sharing."""

from __future__ import annotations

import pytest
import tensorly as tl
import torch
from tensorly.tenalg import mode_dot

from mmlearn.fusion import build
from mmlearn.fusion.tucker import Mutan, Tucker
from mmlearn.nn.multilinear import contract_blocks, mode_product, tucker_to_tensor
from tests.helpers import D64
from tests.helpers import randn64 as randn

tl.set_backend("pytorch")


def zero_biases(module):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("bias"):
                p.zero_()
    return module


@pytest.mark.parametrize("mode", [0, 1, 2, -1])
def test_mode_product_matches_tensorly(mode):
    t = randn(3, 4, 5)
    u = randn(6, t.shape[mode], seed=1)
    torch.testing.assert_close(mode_product(t, u, mode), mode_dot(t, u, mode))


def test_mode_product_rejects_a_wrong_matrix():
    with pytest.raises(ValueError, match=r"expected \(J, 4\)"):
        mode_product(randn(3, 4, 5), randn(2, 5), 1)


def test_tucker_to_tensor_matches_tensorly():
    core, factors = randn(2, 3, 4), [randn(5, 2, seed=1), randn(6, 3, seed=2), randn(7, 4, seed=3)]
    torch.testing.assert_close(tucker_to_tensor(core, factors), tl.tucker_to_tensor((core, factors)))


def test_contract_blocks_is_the_multilinear_form():
    core = randn(3, 2, 4, 5, 6)
    xs = [randn(7, 3, d, seed=d) for d in (4, 5, 6)]
    expected = torch.einsum("ckijl,bci,bcj,bcl->bck", core, *xs)
    torch.testing.assert_close(contract_blocks(core, xs), expected)


@pytest.mark.parametrize("n_modalities", [2, 3])
def test_tucker_equals_the_full_tensor_it_factorises(n_modalities):
    """z = W x_1 ... x_M with W = T x_2 W_1^T ... x_{M+1} W_M^T (projection biases zero)."""
    dims = [5, 4, 3][:n_modalities]
    torch.manual_seed(0)
    model = zero_biases(Tucker(dims, 6, mm_dim=3, core_dim=2).double().eval())
    xs = [randn(8, d, seed=i) for i, d in enumerate(dims)]
    factors = [torch.eye(2, dtype=D64)] + [model.projection(m).weight.T for m in range(n_modalities)]
    full = tucker_to_tensor(model.core, factors)  # (core_dim, d_1, ..., d_M)
    letters = "ijk"[:n_modalities]
    z = torch.einsum(f"o{letters}," + ",".join(f"b{c}" for c in letters) + "->bo", full, *xs)
    torch.testing.assert_close(model(*xs), model.linear_out(z))


def test_two_modality_tucker_is_torch_bilinear_on_the_projections():
    """The reference's core is an nn.Bilinear with the same (out, in_1, in_2) layout."""
    torch.manual_seed(1)
    model = Tucker([5, 4], 3, mm_dim=4).double()
    xs = [randn(6, 5), randn(6, 4, seed=1)]
    p = model.project(xs)
    z = torch.nn.functional.bilinear(p[0], p[1], model.core, model.core_bias)
    torch.testing.assert_close(model(*xs), model.linear_out(z))
    with torch.no_grad():  # the inference path calls F.bilinear itself; the result must not change
        torch.testing.assert_close(model(*xs), model.linear_out(z))
        three = Tucker([5, 4, 3], 2, mm_dim=3).double()
        xs3 = [*xs, randn(6, 3, seed=2)]
        no_grad = three(*xs3)
    torch.testing.assert_close(three(*xs3), no_grad)


def test_mutan_is_a_tucker_model_with_rank_r_core_slices():
    """MUTAN's factors define a core T[k] = sum_r a_{0,r,k} a_{1,r,k}^T; a Tucker model with that
    core (same projections and output factor) gives the same outputs, and each slice has rank <= R."""
    torch.manual_seed(2)
    d, rank = 6, 2
    mutan = Mutan([5, 4], 3, mm_dim=d, rank=rank).double().eval()
    with torch.no_grad():
        for merge in mutan.merges:
            merge.bias.zero_()
    a0 = mutan.merges[0].weight.view(rank, d, d)  # [r, k, i]
    a1 = mutan.merges[1].weight.view(rank, d, d)
    core = torch.einsum("rki,rkj->kij", a0, a1)
    assert all(torch.linalg.matrix_rank(core[k]) <= rank for k in range(d))
    assert torch.linalg.matrix_rank(core[0]) == rank  # the constraint is tight, not degenerate
    tucker = Tucker([5, 4], 3, mm_dim=d).double().eval()
    with torch.no_grad():
        for m in range(2):
            tucker.projection(m).load_state_dict(mutan.projection(m).state_dict())
        tucker.linear_out.load_state_dict(mutan.linear_out.state_dict())
        tucker.core.copy_(core)
        tucker.core_bias.zero_()
    xs = [randn(7, 5), randn(7, 4, seed=1)]
    torch.testing.assert_close(tucker(*xs), mutan(*xs))


def test_mutan_three_modalities_formula():
    torch.manual_seed(3)
    d, rank = 4, 3
    mutan = Mutan([5, 4, 3], 2, mm_dim=d, rank=rank).double().eval()
    xs = [randn(6, k, seed=k) for k in (5, 4, 3)]
    h = [mutan.merge(m)(mutan.projection(m)(x)).view(6, rank, d) for m, x in enumerate(xs)]
    z = (h[0] * h[1] * h[2]).sum(1)
    torch.testing.assert_close(mutan(*xs), mutan.linear_out(z))


def tucker_count(dims, out, d, core_dim=None, shared=False):
    k = core_dim or d
    proj = (dims[0] + 1) * d if shared else sum((x + 1) * d for x in dims)
    return proj + k * (d ** len(dims) + 1) + (k + 1) * out


def mutan_count(dims, out, d, rank, shared=False):
    proj = (dims[0] + 1) * d if shared else sum((x + 1) * d for x in dims)
    merges = (1 if shared else len(dims)) * (d + 1) * rank * d
    return proj + merges + (d + 1) * out


@pytest.mark.parametrize("dims", [[7, 5], [6, 6], [4, 4, 4]])
@pytest.mark.parametrize("shared", [False, True])
def test_parameter_counts(dims, shared):
    if shared and len(set(dims)) > 1:
        return
    assert Tucker(dims, 9, mm_dim=5, shared=shared).n_params == tucker_count(dims, 9, 5, shared=shared)
    assert Tucker(dims, 9, mm_dim=5, core_dim=3).n_params == tucker_count(dims, 9, 5, core_dim=3)
    assert Mutan(dims, 9, mm_dim=5, rank=3, shared=shared).n_params == mutan_count(dims, 9, 5, 3, shared)


@pytest.mark.parametrize("name", ["tucker", "mutan"])
def test_shared_really_shares(name):
    """One set of projection (and merge) weights: fewer parameters, one module, gradients from
    both modalities summed into it, and the model is symmetric in its inputs when the core is."""
    torch.manual_seed(4)
    hyper = {"mm_dim": 4} if name == "tucker" else {"mm_dim": 4, "rank": 2}
    shared = build(name, [5, 5], 3, shared=True, **hyper).double()
    assert shared.projection(0) is shared.projection(1)
    assert len(shared.linears) == 1
    x, y = randn(6, 5), randn(6, 5, seed=1)
    if name == "mutan":  # the Hadamard product is symmetric: f(x, y) = f(y, x)
        assert shared.merge(0) is shared.merge(1)
        torch.testing.assert_close(shared(x, y), shared(y, x))
    unshared = build(name, [5, 5], 3, shared=False, **hyper).double()
    with torch.no_grad():
        for m in range(2):
            unshared.projection(m).load_state_dict(shared.projection(0).state_dict())
            if name == "mutan":
                unshared.merge(m).load_state_dict(shared.merge(0).state_dict())
    state = {k: v for k, v in shared.state_dict().items() if not k.startswith(("linears", "merges"))}
    unshared.load_state_dict(state, strict=False)
    torch.testing.assert_close(shared(x, y), unshared(x, y))
    shared(x, y).sum().backward()
    unshared(x, y).sum().backward()
    grad = unshared.projection(0).weight.grad + unshared.projection(1).weight.grad
    torch.testing.assert_close(shared.projection(0).weight.grad, grad)


@pytest.mark.parametrize("name", ["tucker", "mutan"])
def test_bad_hyper_parameters_name_the_argument(name):
    with pytest.raises(ValueError, match="shared=True.*input_dims"):
        build(name, [5, 4], 3, shared=True)
    with pytest.raises(ValueError, match="mm_dim"):
        build(name, [5, 4], 3, mm_dim=0)
    with pytest.raises(ValueError, match="dropout_input"):
        build(name, [5, 4], 3, dropout_input=1.0)
    if name == "mutan":
        with pytest.raises(ValueError, match="rank"):
            build(name, [5, 4], 3, rank=0)


@pytest.mark.parametrize("name", ["tucker", "mutan"])
def test_normalize_gives_unit_norm_before_the_output_factor(name):
    torch.manual_seed(5)
    model = build(name, [5, 4], 6, mm_dim=6, normalize=True).double()
    with torch.no_grad():
        model.linear_out.weight.copy_(torch.eye(6))
        model.linear_out.bias.zero_()
    out = model(randn(8, 5), randn(8, 4, seed=1))
    torch.testing.assert_close(out.norm(dim=1), torch.ones(8, dtype=D64))


def test_dropout_acts_in_training_only():
    torch.manual_seed(6)
    model = Mutan([5, 4], 3, mm_dim=4, rank=2, dropout_input=0.5).double()
    xs = [randn(16, 5), randn(16, 4, seed=1)]
    model.train()
    assert not torch.allclose(model(*xs), model(*xs))
    model.eval()
    torch.testing.assert_close(model(*xs), model(*xs))


def test_mutan_tanh_option_is_the_papers_tanh_on_each_projection():
    """activation="tanh" (Ben-younes et al. 2017): the Hadamard merges see tanh(W_m x_m + b_m)."""
    torch.manual_seed(0)
    xs = [randn(5, 6), randn(5, 4), randn(5, 3)]
    plain = build("mutan", [6, 4, 3], 2, mm_dim=4, rank=2).double()
    tanh = build("mutan", [6, 4, 3], 2, mm_dim=4, rank=2, activation="tanh").double()
    tanh.load_state_dict(plain.state_dict())
    assert plain.activation is None and tanh.activation == "tanh"  # the default stays the identity
    h = None
    for m, x in enumerate(xs):
        hm = tanh.merge(m)(torch.tanh(tanh.projection(m)(x)))
        h = hm if h is None else h * hm
    expected = tanh.linear_out(h.view(5, 2, 4).sum(1))
    torch.testing.assert_close(tanh(*xs), expected)
    assert not torch.allclose(plain(*xs), tanh(*xs))
    # bounded features: a huge input leaves the tanh model finite and saturated
    big = [1e6 * x for x in xs]
    assert torch.isfinite(tanh(*big)).all()
    x0 = [randn(2, 6).requires_grad_(), randn(2, 4).requires_grad_(), randn(2, 3).requires_grad_()]
    assert torch.autograd.gradcheck(lambda a, b, c: tanh(a, b, c), x0)
    with pytest.raises(ValueError, match="activation"):
        build("mutan", [6, 4], 2, mm_dim=4, rank=2, activation="swish")

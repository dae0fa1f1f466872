"""Deep CCA: the correlation objective, its closed-form gradient, and the model."""

import pytest
import torch

from mmlearn.coordinated import CCA, DeepCCA, cca_correlation, fit_deep_cca


def _h(n: int, o1: int, o2: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    h1 = torch.randn(n, o1, generator=g, dtype=torch.float64)
    h2 = 0.7 * h1[:, :o2] + torch.randn(n, o2, generator=g, dtype=torch.float64)
    return h1.requires_grad_(), h2.requires_grad_()


@pytest.mark.parametrize(("o1", "o2", "k"), [(4, 3, None), (4, 3, 2), (3, 3, 1), (5, 5, None)])
def test_gradcheck_float64(o1, o2, k):
    h1, h2 = _h(30, o1, o2)
    assert torch.autograd.gradcheck(lambda a, b: cca_correlation(a, b, k=k, r1=1e-3, r2=1e-2), (h1, h2))


def test_value_is_the_sum_of_regularised_canonical_correlations():
    h1, h2 = _h(200, 4, 3)
    r = 1e-3
    value = cca_correlation(h1, h2, r1=r, r2=r)
    # CCA divides by n, the objective by n - 1: the same ridge in those units is r (n - 1) / n
    n = 200
    reference = CCA(3, reg_x=r * (n - 1) / n, reg_y=r * (n - 1) / n).fit(h1.detach(), h2.detach())
    torch.testing.assert_close(value, reference.correlations_.sum(), atol=1e-10, rtol=0)
    assert 0 < cca_correlation(h1, h2, k=1).item() < value.item()


def _eigh_route(h1: torch.Tensor, h2: torch.Tensor, r: float = 1e-4) -> torch.Tensor:
    """The same objective with S^{-1/2} from eigh and plain autograd (the route to avoid)."""
    n = h1.shape[0]
    hc1, hc2 = h1 - h1.mean(0), h2 - h2.mean(0)
    s11 = hc1.T @ hc1 / (n - 1) + r * torch.eye(h1.shape[1], dtype=h1.dtype)
    s22 = hc2.T @ hc2 / (n - 1) + r * torch.eye(h2.shape[1], dtype=h2.dtype)
    e1, q1 = torch.linalg.eigh(s11)
    e2, q2 = torch.linalg.eigh(s22)
    t = (q1 * e1.rsqrt()) @ q1.T @ (hc1.T @ hc2 / (n - 1)) @ (q2 * e2.rsqrt()) @ q2.T
    return torch.linalg.svdvals(t).sum()


def test_closed_form_gradient_is_right_where_autograd_through_eigh_is_wrong():
    # whitened outputs (S_11 = I: every eigenvalue repeated), what a trained DCCA tower tends to
    g = torch.Generator().manual_seed(0)
    n = 50
    a = torch.randn(n, 4, generator=g, dtype=torch.float64)
    h1 = torch.linalg.qr(a - a.mean(0))[0] * (n - 1) ** 0.5
    h2 = h1[:, :3] + torch.randn(n, 3, generator=g, dtype=torch.float64)
    inputs = (h1.clone().requires_grad_(), h2.clone().requires_grad_())
    torch.testing.assert_close(_eigh_route(*inputs), cca_correlation(*inputs, r1=1e-4, r2=1e-4))
    assert torch.autograd.gradcheck(lambda x, y: cca_correlation(x, y, r1=1e-4, r2=1e-4), inputs)
    assert not torch.autograd.gradcheck(_eigh_route, inputs, raise_exception=False)


def test_errors_name_the_argument_and_shape():
    h1, h2 = _h(10, 3, 2)
    with pytest.raises(
        ValueError, match=r"h1 and h2 must be paired row by row \(same n\), got shapes \(10, 3\) and \(9, 2\)"
    ):
        cca_correlation(h1, h2[:9])
    with pytest.raises(ValueError, match=r"k must be an int in \[1, min\(o1, o2\) = 2\], got 3"):
        cca_correlation(h1, h2, k=3)
    with pytest.raises(ValueError, match="at least 2 paired rows"):
        cca_correlation(h1[:1], h2[:1])
    with pytest.raises(TypeError, match="h1 has dtype torch.float64 but h2 has dtype torch.float32"):
        cca_correlation(h1, h2.float())
    with pytest.raises(ValueError, match="r1 must be >= 0"):
        cca_correlation(h1, h2, r1=-1.0)


def test_deep_cca_learns_a_nonlinear_correlation():
    g = torch.Generator().manual_seed(0)
    t = torch.rand(600, 1, generator=g) * 4 - 2
    x = torch.cat([t, torch.randn(600, 3, generator=g)], 1)
    y = torch.cat([t**2 + 0.05 * torch.randn(600, 1, generator=g), torch.randn(600, 2, generator=g)], 1)
    xt, yt, x, y = x[400:], y[400:], x[:400], y[:400]
    linear = CCA(1).fit(x, y)
    u, v = linear.transform(xt, yt)
    linear_test = torch.corrcoef(torch.cat([u, v], 1).T)[0, 1].abs().item()
    model = DeepCCA(4, 3, out_dim=2, hidden=(32,))
    history = fit_deep_cca(model, x, y, epochs=200, lr=1e-2, seed=0)
    assert history[-1] > history[0]
    model.fit_cca(x, y, n_components=1)
    u, v = model.transform(xt, yt)
    deep_test = torch.corrcoef(torch.cat([u, v], 1).T)[0, 1].abs().item()
    assert linear_test < 0.3 and deep_test > 0.9  # t -> t^2 has no linear correlation on [-2, 2]
    assert model.n_params == sum(p.numel() for p in model.parameters())
    with pytest.raises(RuntimeError, match="fit_cca"):
        DeepCCA(4, 3).transform(xt, yt)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_coordinated_methods_on_cuda_match_cpu():
    from mmlearn.coordinated import KernelCCA
    from mmlearn.metrics.alignment import alignment, uniformity
    from mmlearn.metrics.modality_gap import modality_gap

    h1, h2 = _h(64, 4, 3)
    value = cca_correlation(h1, h2)
    value.backward()
    g1, g2 = h1.cuda().detach().requires_grad_(), h2.cuda().detach().requires_grad_()
    on_gpu = cca_correlation(g1, g2)
    on_gpu.backward()
    torch.testing.assert_close(on_gpu.cpu(), value.detach())
    torch.testing.assert_close(g1.grad.cpu(), h1.grad)
    x, y = h1.detach(), h2.detach()
    torch.testing.assert_close(
        CCA(3, 0.1, 0.1).fit(x.cuda(), y.cuda()).correlations_.cpu(), CCA(3, 0.1, 0.1).fit(x, y).correlations_
    )
    kcca_gpu = KernelCCA(2, kappa=0.5).fit(x.cuda(), y.cuda()).correlations_.cpu()
    torch.testing.assert_close(kcca_gpu, KernelCCA(2, kappa=0.5).fit(x, y).correlations_)
    model = DeepCCA(4, 3, out_dim=2)
    fit_deep_cca(model.cuda(), x.float().cuda(), y.float().cuda(), epochs=3)
    model.fit_cca(x.float().cuda(), y.float().cuda())
    u, v = model.transform(x.float().cuda(), y.float().cuda())
    assert u.is_cuda and u.shape == (64, 2)
    a, b = torch.randn(50, 5, dtype=torch.float64), torch.randn(50, 5, dtype=torch.float64)
    torch.testing.assert_close(alignment(a.cuda(), b.cuda()).cpu(), alignment(a, b))
    torch.testing.assert_close(uniformity(a.cuda()).cpu(), uniformity(a))
    assert abs(modality_gap(a.cuda(), b.cuda()) - modality_gap(a, b)) < 1e-9

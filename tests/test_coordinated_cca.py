"""Linear and kernel CCA: agreement with scikit-learn, mvlearn and the generalised eigenproblem."""

import numpy as np
import pytest
import torch

from mmlearn.coordinated import CCA, KernelCCA, cca_generalized_eig
from mmlearn.data.nutrimouse import load_nutrimouse


def _views(n: int = 400, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two views sharing a 3-d latent with decreasing strength, mixed by random matrices."""
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64)  # noqa: E731
    z = r(n, 3)
    x = torch.cat([z, r(n, 5)], 1) @ r(8, 8)
    y = torch.cat([z * torch.tensor([1.0, 0.5, 0.2], dtype=torch.float64) + 0.5 * r(n, 3), r(n, 3)], 1) @ r(
        6, 6
    )
    return x, y


def test_cca_matches_scikit_learn_and_the_generalised_eigenproblem():
    from sklearn.cross_decomposition import CCA as SkCCA

    x, y = _views()
    ours = CCA(3).fit(x, y)
    sk = SkCCA(n_components=3, max_iter=5000, tol=1e-12).fit(x.numpy(), y.numpy())
    a, b = sk.transform(x.numpy(), y.numpy())
    sk_corr = [np.corrcoef(a[:, i], b[:, i])[0, 1] for i in range(3)]
    np.testing.assert_allclose(ours.correlations_.numpy(), sk_corr, atol=1e-6)
    np.testing.assert_allclose(ours.correlations_.numpy(), cca_generalized_eig(x, y)[:3], atol=1e-10)
    # the variates realise the correlations, are uncorrelated across pairs, and have unit variance
    u, v = ours.transform(x, y)
    c = torch.cov(torch.cat([u, v], 1).T, correction=0)
    torch.testing.assert_close(c[:3, :3], torch.eye(3, dtype=torch.float64), atol=1e-8, rtol=0)
    torch.testing.assert_close(c[:3, 3:], torch.diag(ours.correlations_), atol=1e-8, rtol=0)
    assert (ours.correlations_[:-1] >= ours.correlations_[1:]).all()


# mvlearn 0.5.0's ``embed.CCA(n_components=3, regs=r)``, fitted on nutrimouse's standardised
# views (population std), ``canon_corrs`` of its own ``transform``: computed once in a throwaway
# environment (mvlearn 0.5.0 + scikit-learn 1.3.2 + numpy 1.26; mvlearn pins an old matplotlib
# and is not a dependency). Its ridge is ``(1 - r) X^T X + r I`` on the centred views.
MVLEARN_NUTRIMOUSE = {
    0.9: [0.996999108703, 0.996198038202, 0.988790394925],
    0.99: [0.961249480165, 0.938439538688, 0.913169032922],
}


@pytest.mark.parametrize("r", sorted(MVLEARN_NUTRIMOUSE))
def test_cca_matches_mvlearn_on_nutrimouse(r):
    data = load_nutrimouse()
    x, y = (m.double() for m in data.modalities)
    x = (x - x.mean(0)) / x.std(0, correction=0)
    y = (y - y.mean(0)) / y.std(0, correction=0)
    n = x.shape[0]
    # (1 - r) X^T X + r I is proportional to X^T X / n + r / ((1 - r) n) I: the same directions
    ours = CCA(3, reg_x=r / ((1 - r) * n), reg_y=r / ((1 - r) * n)).fit(x, y)
    u, v = ours.transform(x, y)
    empirical = torch.corrcoef(torch.cat([u, v], 1).T)[:3, 3:].diag()
    np.testing.assert_allclose(empirical.numpy(), MVLEARN_NUTRIMOUSE[r], atol=1e-9)


def test_ridge_is_needed_when_n_is_below_p():
    data = load_nutrimouse()
    x, y = (m.double() for m in data.modalities)  # 40 mice, 120 genes, 21 lipids
    plain = CCA(5).fit(x, y)
    torch.testing.assert_close(plain.correlations_, torch.ones(5, dtype=torch.float64), atol=1e-6, rtol=0)
    ridge = CCA(5, reg_x=1.0, reg_y=1.0).fit(x, y)
    assert (ridge.correlations_ < 0.999).all()


def test_linear_kernel_cca_equals_ridge_cca():
    x, y = _views(200)
    n, kappa = x.shape[0], 30.0
    kernel = KernelCCA(3, kernel="linear", kappa=kappa).fit(x, y)
    linear = CCA(3, reg_x=kappa / n, reg_y=kappa / n).fit(x, y)
    torch.testing.assert_close(kernel.correlations_, linear.correlations_, atol=1e-8, rtol=0)
    # the projections agree up to sign, also on new rows
    xt, yt = _views(50, seed=1)
    for ku, lu in zip(kernel.transform(xt, yt), linear.transform(xt, yt), strict=True):
        cos = torch.nn.functional.cosine_similarity(ku - ku.mean(0), lu - lu.mean(0), dim=0)
        torch.testing.assert_close(cos.abs(), torch.ones(3, dtype=torch.float64), atol=1e-6, rtol=0)


def test_rbf_kernel_cca_without_ridge_overfits_and_finds_a_nonlinear_link():
    g = torch.Generator().manual_seed(0)
    t = torch.rand(300, 1, generator=g, dtype=torch.float64) * 6 - 3
    x = torch.cat([t, torch.randn(300, 1, generator=g, dtype=torch.float64)], 1)
    y = torch.cat([t**2, torch.randn(300, 1, generator=g, dtype=torch.float64)], 1)  # no linear link
    assert CCA(1).fit(x, y).correlations_[0] < 0.2
    free = KernelCCA(1, kernel="rbf", kappa=0.0).fit(x, y)
    assert free.correlations_[0] > 0.999  # every kernel correlation is 1 without a ridge
    kcca = KernelCCA(1, kernel="rbf", gamma_x=0.5, gamma_y=0.5, kappa=1.0).fit(x[:200], y[:200])
    u, v = kcca.transform(x[200:], y[200:])
    held_out = torch.corrcoef(torch.cat([u, v], 1).T)[0, 1].abs()
    assert held_out > 0.8


def test_errors_name_the_argument_and_shape():
    x, y = _views(50)
    with pytest.raises(
        ValueError, match=r"x and y must be paired row by row \(same n\), got shapes \(50, 8\) and \(49, 6\)"
    ):
        CCA(2).fit(x, y[:49])
    with pytest.raises(ValueError, match=r"x must have shape \(n, features\), got \(50,\)"):
        CCA(2).fit(x[:, 0], y)
    with pytest.raises(ValueError, match=r"n_components=7 exceeds min\(p, q\) = 6"):
        CCA(7).fit(x, y)
    with pytest.raises(ValueError, match="reg_x must be >= 0"):
        CCA(2, reg_x=-1.0)
    fitted = CCA(2).fit(x, y)
    with pytest.raises(ValueError, match=r"y must have shape \(m, 6\), got \(5, 8\)"):
        fitted.transform_y(x[:5])
    with pytest.raises(RuntimeError, match="call fit"):
        CCA(2).transform(x, y)
    with pytest.raises(ValueError, match="kernel must be 'linear' or 'rbf'"):
        KernelCCA(kernel="poly")
    with pytest.raises(TypeError, match="floating-point"):
        KernelCCA(1).fit(x.long(), y)

import pytest
import torch

from mmlearn.nn import MLP
from mmlearn.nn.functional import l2_normalize, power_normalize, signed_sqrt


def test_signed_sqrt_values_and_finite_gradient_at_zero():
    x = torch.tensor([-4.0, 0.0, 9.0], dtype=torch.float64, requires_grad=True)
    y = signed_sqrt(x)
    torch.testing.assert_close(y, torch.tensor([-2.0, 0.0, 3.0], dtype=torch.float64), atol=1e-4, rtol=0)
    y.sum().backward()
    assert torch.isfinite(x.grad).all()
    naive = torch.tensor([0.0], requires_grad=True)
    (torch.sign(naive) * torch.sqrt(naive.abs())).sum().backward()
    assert torch.isnan(naive.grad).all()  # the failure signed_sqrt avoids


def test_signed_sqrt_gradcheck_and_bad_eps():
    x = torch.randn(5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(signed_sqrt, (x,))
    with pytest.raises(ValueError, match="eps"):
        signed_sqrt(x, eps=0)


def test_normalizations():
    x = torch.randn(4, 6, dtype=torch.float64)
    torch.testing.assert_close(l2_normalize(x).norm(dim=-1), torch.ones(4, dtype=torch.float64))
    z = torch.zeros(2, 3, requires_grad=True)
    power_normalize(z).sum().backward()
    assert torch.isfinite(z.grad).all()


def test_mlp_shapes_and_errors():
    mlp = MLP(5, [8, 8], 3, dropout=0.1)
    assert mlp(torch.randn(2, 5)).shape == (2, 3)
    with pytest.raises(ValueError, match=r"\(\.\.\., 5\)"):
        mlp(torch.randn(2, 4))
    with pytest.raises(ValueError, match="dropout"):
        MLP(5, [], 3, dropout=1.5)

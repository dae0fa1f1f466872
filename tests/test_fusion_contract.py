"""The contract of every registered fusion: shapes, clear errors, gradients, parameter counts.

New fusions join these tests by being registered; nothing here names a particular method.
"""

from __future__ import annotations

import pytest
import torch

from mmlearn import fusion as F
from tests.fusion_contract import make_fusion, make_inputs

NAMES = F.available()


@pytest.mark.parametrize("name", NAMES)
def test_output_shape_and_dtypes(name):
    for dtype in (torch.float32, torch.float64):
        module = make_fusion(name, dtype=dtype)
        out = module(*make_inputs(module, dtype=dtype))
        out = out[0] if isinstance(out, tuple) else out
        assert out.shape == (3, module.output_dim)
        assert out.dtype == dtype
        assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES)
def test_accepts_a_list(name):
    module = make_fusion(name)
    xs = make_inputs(module)
    a, b = module(*xs), module(xs)
    a = a[0] if isinstance(a, tuple) else a
    b = b[0] if isinstance(b, tuple) else b
    torch.testing.assert_close(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_gradcheck_float64(name):
    module = make_fusion(name)
    xs = [x.requires_grad_() for x in make_inputs(module, batch=2, length=3)]

    def first(*args):
        out = module(*args)
        return out[0] if isinstance(out, tuple) else out

    assert torch.autograd.gradcheck(first, tuple(xs), eps=1e-6, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_no_nan_gradient_at_zero_input(name):
    module = make_fusion(name)
    xs = [torch.zeros_like(x).requires_grad_() for x in make_inputs(module)]
    out = module(*xs)
    out = out[0] if isinstance(out, tuple) else out
    out.sum().backward()
    for x in xs:
        assert x.grad is not None and torch.isfinite(x.grad).all()
    for p in module.parameters():
        if p.requires_grad and p.grad is not None:
            assert torch.isfinite(p.grad).all()


@pytest.mark.parametrize("name", NAMES)
def test_n_params_counts_trainable_parameters(name):
    module = make_fusion(name)
    expected = sum(p.numel() for p in module.parameters() if p.requires_grad)
    assert module.n_params == expected > 0


@pytest.mark.parametrize("name", NAMES)
def test_wrong_number_of_modalities(name):
    module = make_fusion(name)
    xs = make_inputs(module)
    with pytest.raises(ValueError, match=r"expected \d+ modality inputs"):
        module(*xs[:-1])
    with pytest.raises(ValueError, match=r"expected \d+ modality inputs"):
        module(*xs, xs[0])


@pytest.mark.parametrize("name", NAMES)
def test_wrong_feature_size_names_input_dims(name):
    module = make_fusion(name)
    xs = make_inputs(module)
    xs[-1] = torch.randn(*xs[-1].shape[:-1], xs[-1].shape[-1] + 1, dtype=xs[-1].dtype)
    with pytest.raises(ValueError, match=r"input_dims\[\d\] = \d+.*expected shape"):
        module(*xs)


@pytest.mark.parametrize("name", NAMES)
def test_mismatched_batch_sizes(name):
    module = make_fusion(name)
    xs = make_inputs(module)
    xs[-1] = xs[-1][:-1]
    with pytest.raises(ValueError, match="batch size"):
        module(*xs)


@pytest.mark.parametrize("name", NAMES)
def test_empty_batch(name):
    module = make_fusion(name)
    xs = [x[:0] for x in make_inputs(module)]
    with pytest.raises(ValueError, match="empty batch"):
        module(*xs)


@pytest.mark.parametrize("name", NAMES)
def test_wrong_rank(name):
    module = make_fusion(name)
    xs = make_inputs(module)
    xs[0] = xs[0].unsqueeze(0)
    with pytest.raises(ValueError, match="must have shape"):
        module(*xs)


@pytest.mark.parametrize("name", NAMES)
def test_mixed_dtypes_and_non_tensors(name):
    module = make_fusion(name)
    xs = make_inputs(module)
    mixed = [xs[0].float(), *xs[1:]]
    with pytest.raises(TypeError, match="dtype"):
        module(*mixed)
    with pytest.raises(TypeError, match="torch.Tensor"):
        module(xs[0].tolist(), *xs[1:])
    with pytest.raises(TypeError, match="floating-point"):
        module(xs[0].long(), *xs[1:])


@pytest.mark.parametrize("name", NAMES)
def test_bad_constructor_arguments(name):
    cls = F.get(name)
    with pytest.raises((ValueError, TypeError), match="input_dims"):
        F.build(name, [4] * (cls.min_modalities - 1), 3, **cls.example_hyper)
    with pytest.raises((ValueError, TypeError), match="output_dim"):
        F.build(name, [4] * cls.min_modalities, 0, **cls.example_hyper)
    with pytest.raises(TypeError, match="unexpected keyword"):
        F.build(name, [4] * cls.min_modalities, 3, not_a_hyper_parameter=1)


def test_unknown_fusion_lists_available_names():
    with pytest.raises(ValueError, match="available: .*concat"):
        F.build("no-such-fusion", [3, 4], 5)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_matches_cpu(name):
    module = make_fusion(name)
    xs = [x.requires_grad_() for x in make_inputs(module)]
    cpu = module(*xs)
    cpu = cpu[0] if isinstance(cpu, tuple) else cpu
    cpu.sum().backward()
    module_gpu = module.to("cuda")
    xs_gpu = [x.detach().cuda().requires_grad_() for x in xs]
    gpu = module_gpu(*xs_gpu)
    gpu = gpu[0] if isinstance(gpu, tuple) else gpu
    torch.testing.assert_close(gpu.cpu(), cpu, rtol=1e-6, atol=1e-6)
    gpu.sum().backward()
    for x, xg in zip(xs, xs_gpu, strict=True):
        torch.testing.assert_close(xg.grad.cpu(), x.grad, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="device"):
        module_gpu(*[xs_gpu[0].detach(), *[x.detach() for x in xs[1:]]])

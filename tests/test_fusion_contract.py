"""The contract of every registered fusion: shapes, clear errors, gradients, parameter counts.

New fusions join these tests by being registered; nothing here names a particular method.
"""

from __future__ import annotations

import pytest
import torch

from mmlearn import fusion
from mmlearn.fusion import FusionOutput
from tests.fusion_contract import cases, make_fusion, make_inputs, make_masks

NAMES = fusion.available()
CASES = cases()


@pytest.mark.parametrize(("name", "m"), CASES)
def test_output_is_one_tensor_of_shape_batch_by_output_dim(name, m):
    for dtype in (torch.float32, torch.float64):
        module = make_fusion(name, m, dtype=dtype)
        out = module(*make_inputs(module, dtype=dtype))
        assert type(out) is torch.Tensor
        assert out.shape == (3, module.output_dim)
        assert out.dtype == dtype
        assert torch.isfinite(out).all()


@pytest.mark.parametrize(("name", "m"), CASES)
def test_return_weights_gives_the_same_tensor_and_named_weights(name, m):
    module = make_fusion(name, m)
    xs = make_inputs(module)
    out = module(*xs, return_weights=True)
    assert isinstance(out, FusionOutput)
    torch.testing.assert_close(out.fused, module(*xs), rtol=0, atol=0)
    assert isinstance(out.weights, dict)
    if module.weight_names == ("modality_<m>",):
        assert sorted(out.weights) == [f"modality_{i}" for i in range(m)]
    else:
        assert sorted(out.weights) == sorted(module.weight_names)
    for key, w in out.weights.items():
        assert w.shape[0] == 3, key
        assert torch.isfinite(w).all()


@pytest.mark.parametrize("name", NAMES)
def test_accepts_a_list(name):
    module = make_fusion(name)
    xs = make_inputs(module)
    torch.testing.assert_close(module(*xs), module(xs))


@pytest.mark.parametrize(("name", "m"), CASES)
def test_gradcheck_float64(name, m):
    module = make_fusion(name, m)
    xs = [x.requires_grad_() for x in make_inputs(module, batch=2, length=3)]
    assert torch.autograd.gradcheck(module, tuple(xs), eps=1e-6, atol=1e-5)


@pytest.mark.parametrize(("name", "m"), CASES)
def test_no_nan_gradient_at_zero_input(name, m):
    module = make_fusion(name, m)
    xs = [torch.zeros_like(x).requires_grad_() for x in make_inputs(module)]
    out = module(*xs)
    out.sum().backward()
    for x in xs:
        assert x.grad is not None and torch.isfinite(x.grad).all()
    for p in module.parameters():
        if p.requires_grad and p.grad is not None:
            assert torch.isfinite(p.grad).all()


@pytest.mark.parametrize(("name", "m"), CASES)
def test_n_params_counts_trainable_parameters(name, m):
    module = make_fusion(name, m)
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
    cls = fusion.get(name)
    with pytest.raises((ValueError, TypeError), match="input_dims"):
        fusion.build(name, [4] * (cls.min_modalities - 1), 3, **cls.test_hyper)
    with pytest.raises((ValueError, TypeError), match="output_dim"):
        fusion.build(name, [4] * cls.min_modalities, 0, **cls.test_hyper)
    with pytest.raises(TypeError, match="unexpected keyword"):
        fusion.build(name, [4] * cls.min_modalities, 3, not_a_hyper_parameter=1)


def test_unknown_fusion_lists_available_names():
    with pytest.raises(ValueError, match="available: .*concat"):
        fusion.build("no-such-fusion", [3, 4], 5)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_matches_cpu(name):
    module = make_fusion(name)
    xs = [x.requires_grad_() for x in make_inputs(module)]
    cpu = module(*xs)
    cpu.sum().backward()
    module_gpu = module.to("cuda")
    xs_gpu = [x.detach().cuda().requires_grad_() for x in xs]
    gpu = module_gpu(*xs_gpu)
    torch.testing.assert_close(gpu.cpu(), cpu, rtol=1e-6, atol=1e-6)
    gpu.sum().backward()
    for x, xg in zip(xs, xs_gpu, strict=True):
        torch.testing.assert_close(xg.grad.cpu(), x.grad, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="device"):
        module_gpu(*[xs_gpu[0].detach(), *[x.detach() for x in xs[1:]]])


MASKED = [c for c in CASES if fusion.get(c[0]).supports_masks]
UNMASKED = [n for n in NAMES if not fusion.get(n).supports_masks]


@pytest.mark.parametrize(("name", "m"), MASKED)
def test_masks_change_the_output_only_where_something_is_masked(name, m):
    module = make_fusion(name, m)
    xs = make_inputs(module)
    masks = make_masks(module, xs)
    plain, masked = module(*xs), module(*xs, masks=masks)
    # row 0 lost something, rows 1.. kept everything
    assert not torch.allclose(plain[0], masked[0])
    torch.testing.assert_close(plain[1:], masked[1:])
    # all-None masks are the same as no masks
    torch.testing.assert_close(module(*xs, masks=[None] * m), plain)


@pytest.mark.parametrize(("name", "m"), MASKED)
def test_masked_elements_have_no_influence(name, m):
    module = make_fusion(name, m)
    xs = make_inputs(module)
    masks = make_masks(module, xs)
    before = module(*xs, masks=masks)
    changed = [x.clone() for x in xs]
    if module.input_ndim == 2:
        changed[-1][0] += 100.0  # the masked modality of row 0
    else:
        for x in changed:
            x[0, -1] += 100.0  # the masked position of row 0
    torch.testing.assert_close(module(*changed, masks=masks), before)


@pytest.mark.parametrize(("name", "m"), MASKED)
def test_bad_masks_raise_naming_masks(name, m):
    module = make_fusion(name, m)
    xs = make_inputs(module)
    masks = make_masks(module, xs)
    with pytest.raises(ValueError, match="one bool mask"):
        module(*xs, masks=masks[:-1])
    with pytest.raises(TypeError, match=r"masks\[0\] must be a bool tensor"):
        module(*xs, masks=[masks[0].float(), *masks[1:]])
    with pytest.raises(ValueError, match=r"masks\[0\] must have shape"):
        module(*xs, masks=[masks[0][:-1], *masks[1:]])
    empty = [torch.zeros_like(mk) for mk in masks]
    with pytest.raises(ValueError, match="no modality present|every element"):
        module(*xs, masks=empty)


@pytest.mark.parametrize("name", UNMASKED)
def test_fusions_without_masks_refuse_them(name):
    module = make_fusion(name)
    xs = make_inputs(module)
    with pytest.raises(ValueError, match="does not take masks"):
        module(*xs, masks=make_masks(module, xs))


def test_old_mask_keywords_point_to_masks():
    module = make_fusion("attention_pool")
    xs = make_inputs(module)
    with pytest.raises(TypeError, match="replaced by masks="):
        module(*xs, mask=torch.ones(3, 2, dtype=torch.bool))


@pytest.mark.parametrize("name", NAMES)
def test_parameters_converted_after_a_call_are_still_checked(name):
    module = make_fusion(name)  # float64
    xs = make_inputs(module)
    module(*xs)
    module.float()
    with pytest.raises(TypeError, match="parameters are torch.float32"):
        module(*xs)
    assert module(*[x.float() for x in xs]).dtype == torch.float32


@pytest.mark.parametrize("name", ["mlb", "mfh", "mutan"])
def test_cached_weights_follow_load_state_dict_and_assignment(name):
    """Hot paths cache their weights (Fusion.cached): a new state or a new submodule is seen."""
    module = make_fusion(name)
    xs = make_inputs(module)
    before = module(*xs)
    other = make_fusion(name)
    with torch.no_grad():
        for p in other.parameters():
            p.add_(0.5)
    module.load_state_dict(other.state_dict(), assign=True)
    after = module(*xs)
    assert not torch.allclose(before, after)
    torch.testing.assert_close(after, other(*xs))
    module.linear_out = torch.nn.Linear(module.linear_out.in_features, module.output_dim).double()
    torch.testing.assert_close(module(*xs), module.fuse(*xs))
    assert not torch.allclose(module(*xs), after)

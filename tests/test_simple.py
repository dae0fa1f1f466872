"""The simple family (chapter 2): each option of each fusion against the formula it documents."""

from __future__ import annotations

import pytest
import torch

from mmlearn import fusion
from tests.helpers import randn64 as randn

DIMS, OUT = [6, 5, 4], 7


def _inputs(batch: int = 5) -> list[torch.Tensor]:
    return [randn(batch, d, seed=i) for i, d in enumerate(DIMS)]


def _build(name: str, dims=DIMS, out=OUT, **hyper) -> fusion.Fusion:
    torch.manual_seed(0)
    return fusion.build(name, dims, out, **hyper).double()


def test_concat_without_projection_is_torch_cat():
    xs = _inputs()
    f = _build("concat", out=sum(DIMS), project=False)
    torch.testing.assert_close(f(*xs), torch.cat(xs, dim=1), rtol=0, atol=0)
    assert f.n_params == 0 or f.linear is None
    with pytest.raises(ValueError, match="project=False, output_dim must equal"):
        fusion.build("concat", DIMS, 3, project=False)


def test_concat_with_projection_is_one_linear_map():
    xs = _inputs()
    f = _build("concat")
    torch.testing.assert_close(f(*xs), f.linear(torch.cat(xs, dim=1)))


def test_weighted_sum_equal_weighting_is_average_pooling_of_the_same_projections():
    xs = _inputs()
    ws = _build("weighted_sum", weighting="equal")
    avg = _build("avg_pool")
    avg.project.load_state_dict(ws.project.state_dict())
    torch.testing.assert_close(ws(*xs), avg(*xs))
    assert "alpha_logits" in dict(ws.named_buffers())  # fixed weights are a buffer
    assert all("alpha" not in n for n, _ in ws.named_parameters())


def test_weighted_sum_free_weights_are_used_as_they_are():
    xs = _inputs()
    f = _build("weighted_sum", weighting="free")
    with torch.no_grad():
        f.alpha_logits.copy_(torch.tensor([2.0, -1.0, 0.5]))
    h = f.project(xs)
    torch.testing.assert_close(f(*xs), 2.0 * h[:, 0] - 1.0 * h[:, 1] + 0.5 * h[:, 2])
    softmax = _build("weighted_sum")
    with torch.no_grad():
        softmax.alpha_logits.copy_(torch.tensor([2.0, -1.0, 0.5]))
    torch.testing.assert_close(softmax.modality_weights().sum(), torch.tensor(1.0, dtype=torch.float64))


def test_multimodal_fc_applies_the_activation_after_its_last_layer():
    xs = _inputs()
    f = _build("multimodal_fc", hidden_dims=[9], activation="tanh")
    z = f(*xs)
    assert (z.abs() < 1).all()
    torch.testing.assert_close(z, torch.tanh(f.mlp(torch.cat(xs, dim=1))))
    relu = _build("multimodal_fc")
    assert (relu(*xs) >= 0).all()


def test_max_and_average_pooling_follow_their_formulas():
    xs = _inputs()
    mx, avg = _build("max_pool"), _build("avg_pool")
    avg.project.load_state_dict(mx.project.state_dict())
    h = mx.project(xs)  # (batch, M, out)
    torch.testing.assert_close(mx(*xs), h.amax(1))
    torch.testing.assert_close(avg(*xs), h.mean(1))


def test_pooling_over_present_modalities_only():
    xs = _inputs()
    mx, avg = _build("max_pool"), _build("avg_pool")
    avg.project.load_state_dict(mx.project.state_dict())
    h = mx.project(xs)
    masks = [None, torch.tensor([True, False, True, True, False]), None]
    keep = torch.stack([torch.ones(5, dtype=torch.bool), masks[1], torch.ones(5, dtype=torch.bool)], 1)
    expected_avg = torch.stack([h[i, keep[i]].mean(0) for i in range(5)])
    expected_max = torch.stack([h[i, keep[i]].amax(0) for i in range(5)])
    torch.testing.assert_close(avg(*xs, masks=masks), expected_avg)
    torch.testing.assert_close(mx(*xs, masks=masks), expected_max)


def test_joint_embedding_weighted_pooling_uses_softmax_weights():
    xs = _inputs()
    f = _build("joint_embedding", pooling="weighted", hidden_dim=8)
    with torch.no_grad():
        f.alpha_logits.copy_(torch.tensor([1.5, -0.5, 0.0]))
    e = f.embeddings(*xs)  # (batch, M, out)
    w = torch.tensor([1.5, -0.5, 0.0], dtype=torch.float64).softmax(0)
    torch.testing.assert_close(f(*xs), torch.einsum("bmo,m->bo", e, w))
    assert not torch.allclose(f(*xs), e.mean(1))
    assert f.n_params == _build("joint_embedding", hidden_dim=8).n_params + len(DIMS)


def test_joint_embedding_max_pooling_and_normalisation():
    xs = _inputs()
    f = _build("joint_embedding", normalize=True, hidden_dim=8)
    e = f.embeddings(*xs)
    torch.testing.assert_close(e.norm(dim=-1), torch.ones(5, 3, dtype=torch.float64))
    torch.testing.assert_close(f(*xs), e.amax(1))
    assert f.alpha_logits is None  # max pooling has no pooling weights at all


def test_late_fusion_mean_and_weighted_combinations():
    xs = _inputs()
    mean = _build("late_fusion")
    weighted = _build("late_fusion", combine="weighted")
    weighted.heads.load_state_dict(mean.heads.state_dict())
    s = mean.scores(*xs)
    torch.testing.assert_close(mean(*xs), s.mean(1))
    # zero logits: softmax weights 1/M, the same as the mean
    torch.testing.assert_close(weighted(*xs), mean(*xs))
    with torch.no_grad():
        weighted.alpha_logits.copy_(torch.tensor([3.0, 0.0, -3.0]))
    w = torch.tensor([3.0, 0.0, -3.0], dtype=torch.float64).softmax(0)
    torch.testing.assert_close(weighted(*xs), torch.einsum("bmo,m->bo", s, w))
    assert mean.decision_level and weighted.n_params == mean.n_params + 3


def test_hidden_layers_of_late_fusion():
    f = _build("late_fusion", hidden_dim=9)
    assert f.n_params == sum((d * 9 + 9) + (9 * OUT + OUT) for d in DIMS)


@pytest.mark.parametrize(
    ("name", "hyper"),
    [
        ("mlb", {"rank": 16}),
        ("mfb", {"mm_dim": 8, "factor": 2}),
        ("mfh", {"mm_dim": 8, "factor": 2, "n_blocks": 2}),
    ],
)
@pytest.mark.parametrize("where", ["dropout_input", "dropout_pre_norm", "dropout_pre_lin", "dropout_output"])
def test_low_rank_dropout_acts_in_training_only(name, hyper, where):
    xs = [randn(32, 6), randn(32, 5, seed=1)]
    f = fusion.build(name, [6, 5], 4, **hyper, **{where: 0.5}).double()
    f.train()
    torch.manual_seed(1)
    a = f(*xs)
    torch.manual_seed(2)
    assert not torch.allclose(a, f(*xs)), where
    f.eval()
    torch.testing.assert_close(f(*xs), f(*xs))
    plain = fusion.build(name, [6, 5], 4, **hyper).double()
    plain.load_state_dict(f.state_dict())
    torch.testing.assert_close(f(*xs), plain(*xs))  # eval mode: dropout is the identity


@pytest.mark.parametrize(("name", "place"), [("mlb", "dropout_pre_lin"), ("mfb", "dropout_pre_norm")])
def test_the_old_single_dropout_keyword_maps_to_its_old_place(name, place):
    hyper = {"rank": 8} if name == "mlb" else {"mm_dim": 4}
    with pytest.warns(DeprecationWarning, match=place):
        f = fusion.build(name, [6, 5], 4, dropout=0.25, **hyper)
    assert getattr(f, place) == 0.25

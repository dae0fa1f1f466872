import pytest
import torch

from mmlearn import fusion
from mmlearn.experiments.capstone import compare, interaction_task, uci_task, vector_fusions, vqa_task
from mmlearn.fusion import family


def test_vector_fusions_are_two_vector_fusions():
    names = vector_fusions()
    assert {"concat", "weighted_sum", "late_fusion"} <= set(names)
    assert family("concat") == "simple"


def test_compare_rows_on_small_tasks():
    task = interaction_task(n=400, dims=(4, 4))
    rows = compare(["concat", "max_pool"], [task], seeds=[0, 1], epochs=3)
    assert [r["fusion"] for r in rows] == ["concat", "max_pool"]
    for r in rows:
        assert len(r["accuracies"]) == 2
        assert r["accuracy"] == pytest.approx(sum(r["accuracies"]) / 2)
        assert r["params"] == fusion.build(r["fusion"], [16, 16], 32).n_params
        assert r["model_params"] > r["params"] and r["family"] == "simple"
    with pytest.raises(ValueError, match="unknown fusions"):
        compare(["nope"], [task])


def test_tasks_have_fixed_splits():
    a, b = uci_task(), uci_task()
    assert torch.equal(a.test.labels, b.test.labels) and a.n_classes == 10
    vqa = vqa_task(n_scenes=60)
    assert vqa.train.input_dims == [11, 60]


def test_capstone_fusions_build_and_token_fusions_get_token_encoders():
    from mmlearn.experiments import CAPSTONE_FUSIONS, TokenEncoder, build_model

    assert "multimodal_fc" not in CAPSTONE_FUSIONS  # the same function as concat (review item 32)
    families = {family(f) for f in CAPSTONE_FUSIONS}
    assert {"simple", "bilinear", "lowrank", "tucker", "block", "modulation", "transformers"} <= families
    x = [torch.randn(3, 5), torch.randn(3, 7)]
    for name in CAPSTONE_FUSIONS:
        model = build_model(name, [5, 7], 4)
        assert model(*x).shape == (3, 4), name
    token = build_model("single_stream_transformer", [5, 7], 4, embed_dim=16)
    assert all(isinstance(e, TokenEncoder) for e in token.encoders)
    assert token.encoders[0](x[0]).shape == (3, 4, 8)
    assert not isinstance(build_model("concat", [5, 7], 4).encoders[0], TokenEncoder)


def test_compare_with_emap_and_intervals():
    task = interaction_task(n=300, dims=(4, 4))
    rows = compare(["late_fusion", "mlb"], [task], seeds=[0, 1, 2], epochs=2, emap_samples=40)
    late, mlb = rows
    assert len(late["emap_accuracies"]) == 3 and len(late["emap_gaps"]) == 3
    assert max(abs(g) for g in late["emap_gaps"]) < 1e-9  # late fusion is additive: EMAP is itself
    assert late["ci"] > 0 and mlb["ci"] >= 0
    assert "emap_accuracies" not in compare(["concat"], [task], seeds=[0], epochs=1)[0]


def test_new_tasks():
    from mmlearn.data import load_av_digits
    from mmlearn.experiments import av_digit_tokens, av_digits_task, norm_xor_task

    xor = norm_xor_task(n=400)
    assert xor.n_classes == 2 and xor.train.input_dims == [8, 8]
    av = av_digits_task(n_train=100)
    assert len(av.train) == 100 and av.train.input_dims == [64, 768]
    assert abs(float(av.train.modalities[0].mean())) < 0.2  # standardised on the full training set
    tokens = av_digit_tokens(load_av_digits("val"), frames=4)
    assert [tuple(x.shape[1:]) for x in tokens.modalities] == [(8, 8), (4, 32)]
    assert float(tokens.modalities[0].max()) <= 1.0
    with pytest.raises(ValueError, match="divide 24"):
        av_digit_tokens(load_av_digits("val"), frames=5)

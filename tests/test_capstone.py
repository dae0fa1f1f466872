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

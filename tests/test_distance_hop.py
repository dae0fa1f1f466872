import pytest
import torch

from mmlearn.data import stratified_split
from mmlearn.data.vqa import ANSWERS, OBJECT_DIM, QUESTION_DIM, make_sort_of_clevr
from mmlearn.models import DistanceHopModel
from mmlearn.training import fit, predict


def test_weights_are_distributions_and_bad_shapes_are_named():
    model = DistanceHopModel(QUESTION_DIM, OBJECT_DIM, len(ANSWERS))
    q, o = torch.randn(5, QUESTION_DIM), torch.randn(5, 6, OBJECT_DIM)
    logits, weights = model.attend(q, o)
    assert logits.shape == (5, len(ANSWERS)) and weights["hops"].shape == (5, 2, 6)
    for a in weights["hops"].unbind(1):
        torch.testing.assert_close(a.sum(-1), torch.ones(5))
        assert (a >= 0).all()
    with pytest.raises(ValueError, match=r"objects \(batch, N, 10\)"):
        model(q, o[..., :9])


def test_learns_relational_questions():
    torch.manual_seed(0)
    data = make_sort_of_clevr(500, seed=0).dataset(view="objects")
    train, test = stratified_split(data, test_size=0.2, seed=0)
    model = DistanceHopModel(QUESTION_DIM, OBJECT_DIM, len(ANSWERS))
    fit(model, train, epochs=15, lr=3e-3, batch_size=128, progress=False)
    correct = (predict(model, test) == test.labels).float()
    kinds = test.modalities[0][:, 6:8].argmax(1)  # type one-hot: 0 non-relational, 1 relational
    assert correct[kinds == 0].mean() > 0.9
    assert correct[kinds == 1].mean() > 0.75

"""RelationNetwork (Santoro et al., 2017): the pair sum, order invariance, masks, errors, learning."""

import pytest
import torch

from mmlearn.data.vqa import ANSWERS, OBJECT_DIM, QUESTION_DIM, make_sort_of_clevr
from mmlearn.models import RelationNetwork
from mmlearn.training import fit, predict


def _pairs(q, objects):
    b, n, d = objects.shape
    return torch.cat(
        [
            objects[:, :, None, :].expand(b, n, n, d),
            objects[:, None, :, :].expand(b, n, n, d),
            q[:, None, None, :].expand(b, n, n, q.shape[-1]),
        ],
        dim=-1,
    )


def test_equals_f_of_the_sum_of_g_over_all_ordered_pairs():
    torch.manual_seed(0)
    rn = RelationNetwork(3, 4, 5, hidden_dim=8).double()
    q, objects = torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 4, 4, dtype=torch.float64)
    expected = rn.f(rn.g(_pairs(q, objects)).sum(dim=(1, 2)))
    torch.testing.assert_close(rn(q, objects), expected)
    assert rn(q, objects).shape == (2, 5)


def test_invariant_to_the_order_of_the_objects_and_not_symmetric_in_a_pair():
    torch.manual_seed(1)
    rn = RelationNetwork(3, 4, 5, hidden_dim=8).double()
    q, objects = torch.randn(3, 3, dtype=torch.float64), torch.randn(3, 6, 4, dtype=torch.float64)
    torch.testing.assert_close(rn(q, objects), rn(q, objects[:, torch.randperm(6)]))
    first = rn.g[0]
    pre = rn.g(_pairs(q, objects))
    assert not torch.allclose(pre, pre.transpose(1, 2))  # g sees ordered pairs
    assert first.weight.shape == (8, 2 * 4 + 3)


def test_mask_drops_every_pair_with_an_absent_object():
    torch.manual_seed(2)
    rn = RelationNetwork(3, 4, 5, hidden_dim=8).double()
    q, objects = torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 5, 4, dtype=torch.float64)
    mask = torch.tensor([[True, True, True, False, False], [True] * 5])
    out = rn(q, objects, mask)
    torch.testing.assert_close(out[0], rn(q[:1], objects[:1, :3])[0])
    torch.testing.assert_close(out[1], rn(q[1:], objects[1:])[0])


def test_gradcheck_and_bad_inputs_are_named():
    torch.manual_seed(3)
    rn = RelationNetwork(2, 3, 4, hidden_dim=4, g_layers=2, f_layers=2).double()
    q = torch.randn(2, 2, dtype=torch.float64, requires_grad=True)
    objects = torch.randn(2, 3, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: rn(a, b), (q, objects))
    zero = rn(
        torch.zeros(2, 2, dtype=torch.float64, requires_grad=True), torch.zeros(2, 3, 3, dtype=torch.float64)
    )
    zero.sum().backward()
    with pytest.raises(ValueError, match=r"question must be \(batch, 2\)"):
        rn(torch.randn(2, 5, dtype=torch.float64), objects)
    with pytest.raises(ValueError, match=r"objects must be \(batch=2, N, 3\)"):
        rn(q, torch.randn(2, 3, 4, dtype=torch.float64))
    with pytest.raises(ValueError, match="mask must be a bool tensor"):
        rn(q, objects, torch.ones(2, 3))
    with pytest.raises(ValueError, match="hidden_dim must be a positive int"):
        RelationNetwork(2, 3, 4, hidden_dim=0)
    assert rn.n_params == sum(p.numel() for p in rn.parameters())


def test_learns_the_non_relational_questions():
    torch.manual_seed(0)
    train, test = make_sort_of_clevr(400, seed=0), make_sort_of_clevr(100, seed=1)
    rn = RelationNetwork(QUESTION_DIM, OBJECT_DIM, len(ANSWERS), hidden_dim=32)
    fit(rn, train.dataset(), epochs=40, lr=5e-3, batch_size=64, patience=None, progress=False)
    ok = (predict(rn, test.dataset()) == test.dataset().labels).numpy()
    assert ok[~test.relational].mean() > 0.8

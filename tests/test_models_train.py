import pytest
import torch

from mmlearn.data import MultimodalDataset, make_interaction, stratified_split
from mmlearn.fusion import available
from mmlearn.models import MultimodalClassifier, UnimodalClassifier, build_classifier
from mmlearn.training import History, default_device, evaluate, fit, predict, seed_everything

SIMPLE = ["concat", "weighted_sum", "multimodal_fc", "max_pool", "avg_pool", "joint_embedding", "late_fusion"]


def _blobs(n=300, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    centers = torch.randn(3, 4, generator=g) * 3
    a = centers[y] + torch.randn(n, 4, generator=g)
    b = centers[y][:, :2] + torch.randn(n, 2, generator=g)
    return MultimodalDataset([a, b], y)


@pytest.mark.parametrize("name", SIMPLE)
def test_every_simple_fusion_learns_an_easy_task(name):
    assert name in available()
    train, val, test = stratified_split(_blobs(), 0.3, 0.1)
    model = build_classifier(name, train.input_dims, 3, embed_dim=8, fusion_dim=8)
    history = fit(model, train, val, epochs=30, lr=1e-2, progress=False)
    assert evaluate(model, test)["accuracy"] > 0.85
    assert history.epochs <= 30 and 0 <= history.best_epoch < history.epochs


def test_late_fusion_has_no_head_and_early_fusion_no_encoders():
    late = build_classifier("late", [4, 2], 3)
    assert isinstance(late.head, torch.nn.Identity) and late.fusion.output_dim == 3
    early = build_classifier("concat", [4, 2], 3, embed_dim=None)
    assert all(isinstance(e, torch.nn.Identity) for e in early.encoders)
    assert early.fusion.input_dims == (4, 2)


def test_fit_is_seeded_and_early_stopping_restores_the_best_epoch():
    data = _blobs()
    train, val = stratified_split(data, 0.3)
    runs = []
    for _ in range(2):
        torch.manual_seed(123)
        model = build_classifier("concat", [4, 2], 3, embed_dim=8, fusion_dim=8)
        runs.append((model, fit(model, train, val, epochs=200, lr=5e-2, patience=3, seed=7, progress=False)))
    (m1, h1), (m2, h2) = runs
    assert h1.train_loss == h2.train_loss
    assert h1.stopped_early and h1.epochs < 200
    assert evaluate(m1, val)["loss"] == pytest.approx(min(h1.val_loss), rel=1e-5)
    assert torch.equal(predict(m1, val), predict(m2, val))


def test_fit_without_validation_and_errors():
    data = _blobs(60)
    model = UnimodalClassifier(4, 3, hidden_dim=8)
    history = fit(model, data.select(["m0"]), epochs=3, progress=False)
    assert isinstance(history, History) and history.epochs == 3 and history.val_loss == []
    with pytest.raises(ValueError, match="empty"):
        fit(model, data.select(["m0"]).subset([]), epochs=1)
    with pytest.raises(ValueError, match="expected 2 modality inputs"):
        build_classifier("concat", [4, 2], 3)(torch.zeros(1, 4))
    with pytest.raises(ValueError, match="encoders"):
        MultimodalClassifier([torch.nn.Identity()], build_classifier("concat", [4, 2], 3).fusion)


def test_device_and_seed_helpers():
    for cuda, expected in ((True, "cuda"), (False, "cpu")):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(torch.cuda, "is_available", lambda cuda=cuda: cuda)
            assert default_device().type == expected
    g1, g2 = seed_everything(3), seed_everything(3)
    assert torch.equal(torch.randn(2, generator=g1), torch.randn(2, generator=g2))


def test_bilinear_task_needs_more_than_a_linear_classifier():
    data = make_interaction(n=1500, dims=(6, 6), seed=0)
    train, test = stratified_split(data, 0.3)
    linear = build_classifier("concat", [6, 6], 2, embed_dim=None, fusion_dim=2)
    linear.head = torch.nn.Identity()
    fit(linear, train, epochs=20, lr=1e-2, progress=False)
    assert evaluate(linear, test)["accuracy"] < 0.62


def test_paired_minibatches_cover_every_row_once_and_skip_a_single_last_row():
    from mmlearn.training import paired_minibatches

    batches = list(paired_minibatches(9, 4, torch.Generator().manual_seed(0)))
    assert [len(b) for b in batches] == [4, 4]  # the last batch would hold one row
    seen = torch.cat(batches)
    assert len(set(seen.tolist())) == 8
    assert sorted(
        torch.cat(list(paired_minibatches(10, 4, torch.Generator().manual_seed(0)))).tolist()
    ) == list(range(10))

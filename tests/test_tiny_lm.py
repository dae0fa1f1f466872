"""The tiny language model and the LLaVA-style projector of chapter 13."""

from __future__ import annotations

import pytest
import torch

from mmlearn.models import PrefixProjector, TinyLM, Vocabulary, digit_captions, digit_word_accuracy, train_lm
from mmlearn.models.tiny_lm import DIGIT_WORDS, train_projector


def test_vocabulary_round_trip_and_captions():
    vocab = Vocabulary.for_digits()
    assert vocab.words[:4] == ("<pad>", "<bos>", "<eos>", ":")
    caps = digit_captions([7, 0, 3], topic=True, seed=1)
    assert [c.split()[0] for c in caps] == ["seven", "zero", "three"]
    assert all(c.split()[1] == ":" and c.split()[-1] == c.split()[0] for c in caps)
    plain = digit_captions([7, 0, 3], seed=1)
    assert [c.split(" ", 2)[2] for c in caps] == [c.split(" ", 1)[1] for c in plain]
    ids = vocab.encode(plain)
    assert ids.dtype == torch.int64 and (ids[:, 0] == vocab.id(":")).all()
    assert [vocab.decode(r) for r in ids.tolist()] == plain
    assert vocab.encode(["this is a one"], bos=True)[0, 0] == vocab.id("<bos>")
    with pytest.raises(KeyError, match="unknown word"):
        vocab.id("eleven")
    with pytest.raises(ValueError, match="digits"):
        digit_captions([10])


def test_lm_is_causal_and_checks_its_inputs():
    torch.manual_seed(0)
    lm = TinyLM(12, dim=8, heads=2, ff_dim=16, max_len=8).eval()
    tokens = torch.randint(1, 12, (3, 5))
    changed = tokens.clone()
    changed[:, 3] = (changed[:, 3] % 11) + 1
    a, b = lm(tokens), lm(changed)
    assert a.shape == (3, 5, 12)
    torch.testing.assert_close(a[:, :3], b[:, :3])  # positions before 3 cannot see token 3
    assert not torch.allclose(a[:, 3:], b[:, 3:])
    prefix = torch.randn(3, 2, 8)
    assert lm(tokens, prefix).shape == (3, 5, 12)
    assert not torch.allclose(lm(tokens, prefix), a)  # the text reads the prefix
    with pytest.raises(ValueError, match="max_len"):
        lm(torch.randint(1, 12, (3, 7)), prefix)
    with pytest.raises(ValueError, match="prefix must have shape"):
        lm(tokens, torch.randn(3, 2, 4))
    with pytest.raises(ValueError, match="int64"):
        lm(tokens.float())
    with pytest.raises(ValueError, match="divide"):
        TinyLM(12, dim=9, heads=2)
    out = lm.generate(tokens[:, :2], max_new=3)
    assert out.shape == (3, 5) and torch.equal(out[:, :2], tokens[:, :2])
    torch.testing.assert_close(out[:, 2], lm(tokens[:, :2])[:, -1].argmax(-1))


def test_loss_ignores_padding():
    torch.manual_seed(0)
    lm = TinyLM(12, dim=8, heads=2, ff_dim=16, max_len=8)
    tokens = torch.tensor([[3, 4, 5, 2, 0, 0]])
    logits = lm(tokens[:, :-1])
    expected = torch.nn.functional.cross_entropy(logits[0, :3], tokens[0, 1:4])
    torch.testing.assert_close(lm.loss(tokens), expected)


def test_projector_shapes_and_parameter_count():
    proj = PrefixProjector(10, 8, n_prefix=3)
    assert proj(torch.randn(4, 10)).shape == (4, 3, 8)
    assert proj.n_params == (10 + 1) * 3 * 8
    mlp = PrefixProjector(10, 8, n_prefix=1, hidden=5)
    assert mlp(torch.randn(2, 10)).shape == (2, 1, 8) and mlp.n_params == 11 * 5 + 6 * 8
    with pytest.raises(ValueError, match=r"\(B, d\)"):
        proj(torch.randn(4, 2, 10))


def test_frozen_lm_learns_to_read_a_projected_prefix():
    """The whole pipeline on a toy modality: the features are a noisy one-hot code of the digit."""
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(10, (500,), generator=g)
    features = torch.nn.functional.one_hot(labels, 10).float() + 0.1 * torch.randn(500, 10, generator=g)
    vocab = Vocabulary.for_digits()
    torch.manual_seed(0)
    lm = TinyLM(len(vocab))
    history = train_lm(lm, vocab.encode(digit_captions(labels, topic=True)), epochs=10)
    assert history[-1] < history[0]
    assert digit_word_accuracy(lm, vocab, labels) < 0.3  # text alone cannot know the digit
    words = lm.embed.weight[[vocab.id(w) for w in DIGIT_WORDS]][labels][:, None]
    assert digit_word_accuracy(lm, vocab, labels, words) > 0.8  # it copies the topic word
    frozen = {k: v.clone() for k, v in lm.state_dict().items()}
    proj = PrefixProjector(10, lm.dim)
    train_projector(lm, proj, features, vocab.encode(digit_captions(labels)), epochs=8)
    assert all(torch.equal(frozen[k], v) for k, v in lm.state_dict().items())  # the LM never moved
    assert digit_word_accuracy(lm, vocab, labels, proj(features)) > 0.75
    with pytest.raises(ValueError, match="feature rows"):
        train_projector(lm, proj, features[:5], vocab.encode(digit_captions(labels)))

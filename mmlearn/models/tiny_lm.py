r"""A tiny word-level language model and a LLaVA-style projector into it (chapter 13).

*Book construction — not from a paper*: the smallest system with the mechanics of LLaVA
(Liu et al., 2023). A causal language model is trained on text alone, then **frozen**; a
projector maps features of another modality to ``P`` vectors of the model's width, which are put
in front of the text as *prefix tokens*; only the projector is trained, with the language
model's own next-word loss on captions of the paired samples.

The text is a short caption of a digit. For the language model to have a reason to read its
context (what a large pretrained model has learned from its corpus), its training text names a
*topic* first and then describes it: ``"seven : this is a seven"`` (:func:`digit_captions` with
``topic=True``); the model learns to copy the topic word into the description. The projector
then learns to turn an image of :func:`~mmlearn.data.load_av_digits` into a vector that the
frozen model reads *as if* it were the topic word: captions ``": this is a seven"`` follow the
one-vector prefix (``P = 1``) at the topic's position.

Shapes: token ids ``(B, T)`` int64; prefix ``(B, P, dim)``; logits ``(B, T, V)`` with ``V`` the
vocabulary size. The model is

.. math::
    H^{(0)} = [\,S;\ E[w_1]; \dots; E[w_T]\,] + \Pi,\qquad
    H^{(l)} = \mathrm{CausalLayer}_l(H^{(l-1)}),\qquad
    p(w_{t+1} \mid S, w_{\le t}) = \mathrm{softmax}(W_o\, \mathrm{LN}\, H^{(n)}_{P + t}),

``S (P, dim)`` the prefix (empty for text alone), ``E (V, dim)`` the word embeddings and
``Pi (max_len, dim)`` learned position embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._validation import check_positive_int
from ..nn import count_params

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
#: caption templates; ``{}`` is the digit's name. Every template puts the name last.
TEMPLATES = ("this is a {}", "the digit is {}", "a handwritten {}", "i see a {}")
BOS, EOS, PAD, SEP = "<bos>", "<eos>", "<pad>", ":"


@dataclass(frozen=True)
class Vocabulary:
    """Words <-> ids. ``words[0] = "<pad>"``, ``words[1] = "<bos>"``, ``words[2] = "<eos>"``,
    ``words[3] = ":"`` (the topic separator)."""

    words: tuple[str, ...]

    @classmethod
    def for_digits(cls) -> Vocabulary:
        """The vocabulary of :data:`TEMPLATES` and :data:`DIGIT_WORDS`."""
        words: list[str] = [PAD, BOS, EOS, SEP]
        for template in TEMPLATES:
            for w in template.format("").split():
                if w not in words:
                    words.append(w)
        words.extend(DIGIT_WORDS)
        return cls(tuple(words))

    def __len__(self) -> int:
        return len(self.words)

    def id(self, word: str) -> int:
        try:
            return self.words.index(word)
        except ValueError:
            raise KeyError(f"Vocabulary: unknown word {word!r}") from None

    def encode(self, captions: Sequence[str], bos: bool = False) -> Tensor:
        """``(B, T)`` int64 ids of ``[<bos>] words <eos>``, padded with ``<pad>`` (id 0)."""
        start = [self.id(BOS)] if bos else []
        rows = [[*start, *(self.id(w) for w in c.split()), self.id(EOS)] for c in captions]
        length = max(len(r) for r in rows)
        return torch.tensor([r + [0] * (length - len(r)) for r in rows], dtype=torch.int64)

    def decode(self, ids: Sequence[int]) -> str:
        """Words up to the first ``<eos>`` (``<bos>`` and ``<pad>`` skipped)."""
        out = []
        for i in ids:
            word = self.words[int(i)]
            if word == EOS:
                break
            if word not in (BOS, PAD):
                out.append(word)
        return " ".join(out)


def digit_captions(labels: Sequence[int] | Tensor, topic: bool = False, seed: int = 0) -> list[str]:
    """One caption per label, the template drawn at random (seeded): ``": this is a seven"``, or
    with ``topic=True`` ``"seven : this is a seven"`` (the language model's training text)."""
    values = labels.tolist() if isinstance(labels, Tensor) else list(labels)
    if any(not 0 <= int(v) <= 9 for v in values):
        raise ValueError("digit_captions: labels must be digits 0-9")
    gen = torch.Generator().manual_seed(seed)
    picks = torch.randint(len(TEMPLATES), (len(values),), generator=gen).tolist()
    return [
        (f"{DIGIT_WORDS[int(v)]} " if topic else "") + f"{SEP} " + TEMPLATES[p].format(DIGIT_WORDS[int(v)])
        for p, v in zip(picks, values, strict=True)
    ]


class TinyLM(nn.Module):
    """A causal transformer language model over word ids, with an optional prefix of vectors.

    Args: ``vocab_size`` V, ``dim`` the width, ``heads``, ``ff_dim``, ``n_layers``, ``max_len``
    the longest prefix + text it accepts (position embeddings).
    """

    def __init__(
        self,
        vocab_size: int,
        dim: int = 32,
        heads: int = 2,
        ff_dim: int = 64,
        n_layers: int = 1,
        max_len: int = 16,
    ) -> None:
        super().__init__()
        for name, value in (
            ("vocab_size", vocab_size),
            ("dim", dim),
            ("heads", heads),
            ("ff_dim", ff_dim),
            ("n_layers", n_layers),
            ("max_len", max_len),
        ):
            check_positive_int(value, name, "TinyLM")
        if dim % heads:
            raise ValueError(f"TinyLM: heads ({heads}) must divide dim ({dim})")
        self.dim, self.max_len = dim, max_len
        self.embed = nn.Embedding(vocab_size, dim)
        self.position = nn.Parameter(0.02 * torch.randn(max_len, dim))
        layer = nn.TransformerEncoderLayer(dim, heads, ff_dim, dropout=0.0, batch_first=True, norm_first=True)
        self.layers = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.out = nn.Linear(dim, vocab_size)

    @property
    def n_params(self) -> int:
        return count_params(self)

    def forward(self, tokens: Tensor, prefix: Tensor | None = None) -> Tensor:
        """Logits ``(B, T, V)`` at the text positions; position ``t`` predicts token ``t + 1``.

        ``tokens (B, T)`` int64; ``prefix (B, P, dim)`` or ``None``.
        """
        if not isinstance(tokens, Tensor) or tokens.dim() != 2 or tokens.dtype != torch.int64:
            raise ValueError(
                f"TinyLM: tokens must be an int64 tensor (B, T), got {getattr(tokens, 'shape', tokens)}"
            )
        h = self.embed(tokens)  # (B, T, dim)
        n_prefix = 0
        if prefix is not None:
            if prefix.dim() != 3 or prefix.shape[0] != tokens.shape[0] or prefix.shape[2] != self.dim:
                raise ValueError(
                    f"TinyLM: prefix must have shape (B, P, dim) = ({tokens.shape[0]}, P, {self.dim}), "
                    f"got {tuple(prefix.shape)}"
                )
            n_prefix = prefix.shape[1]
            h = torch.cat([prefix.to(h.dtype), h], dim=1)  # (B, P + T, dim)
        length = h.shape[1]
        if length > self.max_len:
            raise ValueError(
                f"TinyLM: prefix + text has {length} positions, more than max_len = {self.max_len}"
            )
        h = h + self.position[:length]
        causal = torch.triu(torch.ones(length, length, dtype=torch.bool, device=h.device), diagonal=1)
        h = self.layers(h, mask=causal)
        return self.out(self.norm(h[:, n_prefix:]))  # (B, T, V)

    def loss(self, tokens: Tensor, prefix: Tensor | None = None) -> Tensor:
        """Mean next-token cross-entropy over the non-pad targets ``tokens[:, 1:]``."""
        logits = self(tokens[:, :-1], prefix)  # (B, T - 1, V)
        return F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1), ignore_index=0
        )

    @torch.no_grad()
    def generate(self, prompt: Tensor, prefix: Tensor | None = None, max_new: int = 6) -> Tensor:
        """Greedy continuation of ``prompt (B, T0)``: ``(B, T0 + max_new)`` ids (stops growing at
        ``max_len``)."""
        tokens = prompt
        for _ in range(max_new):
            n_prefix = 0 if prefix is None else prefix.shape[1]
            if n_prefix + tokens.shape[1] >= self.max_len:
                break
            nxt = self(tokens, prefix)[:, -1].argmax(dim=-1, keepdim=True)  # (B, 1)
            tokens = torch.cat([tokens, nxt], dim=1)
        return tokens


class PrefixProjector(nn.Module):
    """LLaVA-style projector: ``features (B, d) -> prefix (B, P, dim)``.

    ``hidden = 0``: one linear map (LLaVA 1.0); ``hidden > 0``: a two-layer MLP with a GELU
    (LLaVA 1.5). Parameters: ``(d + 1) P dim`` for the linear map.
    """

    def __init__(self, input_dim: int, dim: int, n_prefix: int = 2, hidden: int = 0) -> None:
        super().__init__()
        for name, value in (("input_dim", input_dim), ("dim", dim), ("n_prefix", n_prefix)):
            check_positive_int(value, name, "PrefixProjector")
        self.n_prefix, self.dim = n_prefix, dim
        if hidden:
            self.net: nn.Module = nn.Sequential(
                nn.Linear(input_dim, hidden), nn.GELU(), nn.Linear(hidden, n_prefix * dim)
            )
        else:
            self.net = nn.Linear(input_dim, n_prefix * dim)

    @property
    def n_params(self) -> int:
        return count_params(self)

    def forward(self, features: Tensor) -> Tensor:
        if features.dim() != 2:
            raise ValueError(f"PrefixProjector: features must have shape (B, d), got {tuple(features.shape)}")
        return self.net(features).view(features.shape[0], self.n_prefix, self.dim)


def _minibatches(n: int, batch_size: int, gen: torch.Generator) -> list[Tensor]:
    return list(torch.randperm(n, generator=gen).split(batch_size))


def train_lm(
    lm: TinyLM, tokens: Tensor, epochs: int = 30, lr: float = 1e-2, batch_size: int = 64, seed: int = 0
) -> list[float]:
    """Train ``lm`` on text alone (``tokens (n, T)``, from :meth:`Vocabulary.encode`); returns the
    mean loss of each epoch."""
    gen = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(lm.parameters(), lr=lr)
    history = []
    lm.train()
    for _ in range(epochs):
        total = 0.0
        for index in _minibatches(len(tokens), batch_size, gen):
            loss = lm.loss(tokens[index])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(index)
        history.append(total / len(tokens))
    lm.eval()
    return history


def train_projector(
    lm: TinyLM,
    projector: PrefixProjector,
    features: Tensor,
    tokens: Tensor,
    epochs: int = 30,
    lr: float = 1e-2,
    batch_size: int = 64,
    seed: int = 0,
) -> list[float]:
    """Train ``projector`` only, with ``lm`` frozen (``requires_grad_(False)``, eval mode): the
    loss is ``lm.loss(tokens, projector(features))``. Returns the mean loss of each epoch."""
    if len(features) != len(tokens):
        raise ValueError(f"train_projector: {len(features)} feature rows for {len(tokens)} captions")
    lm.requires_grad_(False)
    lm.eval()
    gen = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(projector.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        total = 0.0
        projector.train()
        for index in _minibatches(len(tokens), batch_size, gen):
            loss = lm.loss(tokens[index], projector(features[index]))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(index)
        history.append(total / len(tokens))
    projector.eval()
    return history


@torch.no_grad()
def digit_word_accuracy(
    lm: TinyLM, vocab: Vocabulary, labels: Tensor, prefix: Tensor | None = None, template: int = 0
) -> float:
    """Fraction of samples for which the most likely digit name after the prompt
    ``": " + TEMPLATES[template]`` (without its digit), preceded by ``prefix``, is the right one
    (``labels (n,)``)."""
    words = [SEP, *TEMPLATES[template].format("").split()]
    prompt = torch.tensor([[vocab.id(w) for w in words]] * len(labels), dtype=torch.int64)
    logits = lm(prompt, prefix)[:, -1]  # (n, V): the distribution of the next word, the digit
    digit_ids = torch.tensor([vocab.id(w) for w in DIGIT_WORDS])
    predicted = logits[:, digit_ids].argmax(dim=-1)  # (n,): index among the ten names
    return float((predicted.cpu() == labels.cpu()).double().mean())

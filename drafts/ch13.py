# %% [markdown]
# (ch13)=
# # Fusion today: modulation, multimodal transformers, latents and frozen models
#
# Parts I–III fused two vectors. Most systems built since 2018 fuse *sequences of tokens*, often
# with one side a large network that is trained once and then frozen. This chapter derives the
# operators those systems are made of and connects each one to a chapter of this book:
#
# * **FiLM** {cite}`perez2018film` and **dynamic parameter prediction** {cite}`noh2016image`:
#   one modality sets the parameters that process the other. Both are bilinear maps (chapter
#   {numref}`%s <ch06>`) whose core has a structure, and a gate (chapter {numref}`%s <ch04>`) is
#   the special case of a modulation with scales in $(0, 1)$.
# * **Single-stream and dual-stream transformers** {cite}`li2019visualbert,lu2019vilbert`: every
#   token attends to every token, or each modality keeps its stream and reads the others by
#   co-attention (chapter {numref}`%s <ch05>`).
# * **Attention bottlenecks** {cite}`nagrani2021attention` and **Perceiver latents**
#   {cite}`jaegle2021perceiver`: two ways to stop the cost of attention from growing with the
#   square of the number of tokens. We *measure* the floating-point operations and the time.
# * **Gated cross-attention into a frozen model** {cite}`alayrac2022flamingo`, a **learned-query
#   resampler** {cite}`li2023blip2` and a **projector into a frozen language model**
#   {cite}`liu2023visual`: how a pretrained network is given a new modality without retraining it.
#
# Every module is in `mmlearn.fusion` (families `modulation` and `transformers`) under the fusion
# contract of the book; the tiny language model is `mmlearn.models.TinyLM`. Experiments run on the
# audio-visual digits of {ref}`ch12-coordinated`.

# %% tags=["remove-cell"]
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from myst_nb import glue
from torch.utils.flop_counter import FlopCounterMode

from mmlearn.metrics import format_ci, mean_ci, paired_diff_ci

torch.set_num_threads(1)
T0 = time.time()
FULL = False  # True: 10 seeds and the full training set (a few minutes on a laptop)
SEEDS = list(range(10 if FULL else 5))
glue("n_seeds", len(SEEDS), display=False)

# %% [markdown]
# ## FiLM is a bilinear map with a structured core
#
# Let $x \in \mathbb R^{d_1}$ be the processed modality and $c \in \mathbb R^{d_2}$ the
# conditioning one. FiLM computes a hidden vector $h = W_h x + b_h$ and scales and shifts each of
# its $o$ units with coefficients predicted from $c$:
#
# $$
# \gamma = W_\gamma c + b_\gamma,\qquad \beta = W_\beta c + b_\beta,\qquad
# z = \gamma \odot h + \beta \in \mathbb R^{o}.
# $$
#
# ```{prf:proposition} FiLM as a bilinear map
# :label: prop-film-bilinear
# Write $\tilde c = [c; 1]$, $\tilde x = [x; 1]$, and let $g_k$, $u_k$, $v_k$ be row $k$ of
# $[W_\gamma\ b_\gamma]$, $[W_h\ b_h]$ and $[W_\beta\ b_\beta]$. Then
#
# $$
# z_k = \tilde c^\top \mathcal T_k\, \tilde x,\qquad \mathcal T_k = g_k u_k^\top + v_k e^\top,
# $$
#
# with $e$ the last unit vector of $\mathbb R^{d_1 + 1}$: FiLM is the bilinear map of chapter
# {numref}`%s <ch06>` with core $\mathcal T \in \mathbb R^{o \times (d_2 + 1) \times (d_1 + 1)}$
# (output mode first) whose every slice has rank at most two.
# ```
#
# *Proof.* $z_k = (g_k^\top \tilde c)(u_k^\top \tilde x) + v_k^\top \tilde c
# = \tilde c^\top g_k u_k^\top \tilde x + \tilde c^\top v_k\, (e^\top \tilde x)$, since
# $e^\top \tilde x = 1$. $\square$
#
# The full bilinear map spends $o (d_2 + 1)(d_1 + 1)$ parameters on $\mathcal T$; MLB (chapter
# {numref}`%s <ch07>`) shares $R$ rank-one terms among all outputs; FiLM gives each output its
# own rank-one term plus a shift, with no output projection, for $(d_1 + 1) o + 2 (d_2 + 1) o$
# parameters. With $\gamma$ squashed into $(0, 1)$ and $\beta = 0$ it is the feature-wise gate of
# chapter {numref}`%s <ch04>`: a gate is a modulation that can only attenuate; FiLM can amplify,
# flip the sign and shift.
#
# **Dynamic parameters.** DPPnet {cite}`noh2016image` predicts a whole weight matrix from the
# question: $z = W(c)\, p + b$ with $p = W_p x + b_p$ and $\operatorname{vec} W(c) = H c + h_0$, a
# hypernetwork {cite}`ha2017hypernetworks`. As a bilinear map its core is *unfactorised*, and
# FiLM is its diagonal case $W(c) = \operatorname{diag} \gamma(c)$. The cell checks the
# proposition, the ranks, and builds a `DynamicParameters` that computes exactly what a FiLM with a
# constant shift computes.

# %%
from mmlearn.fusion import FILM, DynamicParameters, build

torch.manual_seed(0)
d1, d2, o = 6, 4, 5
film = FILM([d1, d2], o).double()
x, c = torch.randn(7, d1, dtype=torch.float64), torch.randn(7, d2, dtype=torch.float64)
one = torch.ones(7, 1, dtype=torch.float64)
T = film.core()  # (o, d2 + 1, d1 + 1)
via_core = torch.einsum("bi,kij,bj->bk", torch.cat([c, one], 1), T, torch.cat([x, one], 1))
assert torch.allclose(film(x, c), via_core)
ranks = torch.linalg.matrix_rank(T)
assert int(ranks.max()) == 2

# FiLM with a constant shift (beta's slope at zero) as a DynamicParameters with a diagonal W(c)
with torch.no_grad():
    film.beta.weight.zero_()
    dyn = DynamicParameters([d1, d2], o, mm_dim=o).double()
    dyn.project.load_state_dict(film.hidden.state_dict())
    dyn.hyper.weight.zero_()
    dyn.hyper.bias.zero_()
    for k in range(o):  # row k * o + k of vec W(c) is gamma_k(c): the diagonal
        dyn.hyper.weight[k * o + k] = film.gamma.weight[k]
        dyn.hyper.bias[k * o + k] = film.gamma.bias[k]
    dyn.bias.copy_(film.beta.bias)
assert torch.allclose(dyn(x, c), film(x, c))

sizes = dict(d1=32, d2=32, o=32)
counts = {
    "FiLM": build("film", [32, 32], 32).n_params,
    "dynamic parameters (mm_dim 32)": build("dynamic_parameters", [32, 32], 32, mm_dim=32).n_params,
    "full bilinear": build("bilinear", [32, 32], 32).n_params,
    "MLB (rank 32)": build("mlb", [32, 32], 32, rank=32).n_params,
}
for name, n in counts.items():
    print(f"{name:>32}: {n:,} parameters")
assert counts["FiLM"] <= counts["MLB (rank 32)"]  # o rank-one terms + shift vs 32 shared ones
assert counts["dynamic parameters (mm_dim 32)"] > counts["full bilinear"]  # the hypernetwork dominates
glue("film_params", counts["FiLM"], display=False)
glue("dyn_params", counts["dynamic parameters (mm_dim 32)"], display=False)
glue("bil_params", counts["full bilinear"], display=False)
glue("mlb_params", counts["MLB (rank 32)"], display=False)

# %% [markdown]
# At $d_1 = d_2 = o$ of 32, FiLM has {glue:text}`film_params` parameters, MLB at rank 32
# {glue:text}`mlb_params`, the full bilinear map {glue:text}`bil_params`, and dynamic parameters
# {glue:text}`dyn_params`, more than the full bilinear map: the hypernetwork is why DPPnet hashes
# its weights. The joint residual
# function of MRN {cite}`kim2016multimodal`, an element-wise product of nonlinear projections of
# the two modalities, is a diagonal modulation of the same kind. {ref}`ch15` compares FiLM and
# dynamic parameters with every other fusion on the same tasks.
#
# ## Tokens: single stream, dual stream, bottlenecks, latents
#
# From here on a modality is a sequence $x_m \in \mathbb R^{L_m \times d_m}$ of tokens. Every
# fusion of the family `transformers` first maps modality $m$ to a shared width $d$ with its own
# affine map $t_m = x_m W_m + b_m$; the bias $b_m$ is the learned *modality (segment) embedding*
# of BERT-style models. With $L = \sum_m L_m$ tokens, one attention layer costs about
#
# | fusion | who attends to whom | attention cost per layer |
# |---|---|---|
# | single stream {cite}`li2019visualbert,chen2020uniter` | every token to every token | $\propto L^2 d$ |
# | dual stream {cite}`lu2019vilbert,tan2019lxmert` | each stream to the others, then to itself | $\propto \big(\sum_m L_m (L - L_m) + \sum_m L_m^2\big) d$ |
# | bottleneck {cite}`nagrani2021attention` | each modality to itself and $B$ shared tokens | $\propto \sum_m (L_m + B)^2 d$ |
# | Perceiver {cite}`jaegle2021perceiver` | $N$ latents to all tokens, then latents to latents | $\propto N L d + N^2 d$ |
#
# The dual stream costs as much as the single stream (both attend across all pairs); its gain is
# separate weights per modality. The bottleneck removes the cross-modal pairs: with $M$ equal
# modalities its attention cost is about $M$ times smaller than the single stream's at large
# $L$, the same order. The Perceiver is the only one whose cost is *linear* in $L$. The cell
# counts the floating-point operations of one forward pass with PyTorch's `FlopCounterMode`
# (every matrix product) and times it, as the number of tokens per modality grows.

# %%
from mmlearn.fusion import build

WIDTH = dict(mm_dim=32, heads=2, ff_dim=64)
COST_MODELS = {
    "single stream": ("single_stream_transformer", dict(n_layers=2)),
    "bottleneck (B = 4)": ("attention_bottleneck", dict(n_layers=2, n_bottlenecks=4)),
    "Perceiver (N = 16)": ("perceiver", dict(n_layers=1, n_latents=16)),
}
LENGTHS = [16, 32, 64, 128, 256]


def forward_flops(module, xs):
    counter = FlopCounterMode(display=False)
    with counter:
        module(*xs)
    return counter.get_total_flops()


def forward_ms(module, xs, repeats=5):
    times = []
    with torch.no_grad():
        for _ in range(repeats + 1):
            start = time.perf_counter()
            module(*xs)
            times.append(time.perf_counter() - start)
    return float(np.median(times[1:]) * 1000)


gen = torch.Generator().manual_seed(0)
flops = {k: [] for k in COST_MODELS}
ms = {k: [] for k in COST_MODELS}
for length in LENGTHS:
    xs = [torch.randn(2, length, 16, generator=gen) for _ in range(2)]  # batch 2, M = 2 modalities
    for label, (name, hyper) in COST_MODELS.items():
        torch.manual_seed(0)
        module = build(name, [16, 16], 10, **WIDTH, **hyper).eval()
        flops[label].append(forward_flops(module, xs))
        ms[label].append(forward_ms(module, xs))


def slope(values):  # growth exponent between the two largest sizes: log(ratio) / log(2)
    return float(np.log(values[-1] / values[-2]) / np.log(LENGTHS[-1] / LENGTHS[-2]))


exponents = {k: slope(v) for k, v in flops.items()}
print("FLOP growth exponent at the largest sizes:", {k: round(v, 2) for k, v in exponents.items()})
single, bottle, perc = list(COST_MODELS)
assert exponents[single] > 1.6 and exponents[bottle] > 1.5  # quadratic order
assert exponents[perc] < 1.15  # linear
ratio_bottle = flops[single][-1] / flops[bottle][-1]
ratio_perc = flops[single][-1] / flops[perc][-1]
assert 1.3 < ratio_bottle < 2.0  # a factor approaching M = 2, not a change of order
assert ratio_perc > 10
time_ratio_perc = ms[single][-1] / ms[perc][-1]
assert time_ratio_perc > 1.5  # the FLOP saving shows up in the time
glue("exp_single", exponents[single], display=False)
glue("exp_bottle", exponents[bottle], display=False)
glue("exp_perc", exponents[perc], display=False)
glue("ratio_bottle", ratio_bottle, display=False)
glue("ratio_perc", ratio_perc, display=False)
glue("time_ratio_perc", time_ratio_perc, display=False)
glue("max_len", LENGTHS[-1], display=False)
glue("min_len", LENGTHS[0], display=False)
cost_rows = [
    {"L per modality": n, **{f"MFLOP {k}": round(flops[k][i] / 1e6, 2) for k in COST_MODELS},
     **{f"ms {k}": round(ms[k][i], 2) for k in COST_MODELS}}
    for i, n in enumerate(LENGTHS)
]

# %% tags=["remove-input"]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
for k in COST_MODELS:
    axes[0].loglog(LENGTHS, np.array(flops[k]) / 1e6, "o-", label=k)
    axes[1].loglog(LENGTHS, ms[k], "o-", label=k)
axes[0].set_ylabel("MFLOP, one forward pass")
axes[1].set_ylabel("ms, one forward pass")
for ax in axes:
    ax.set_xlabel("tokens per modality L")
axes[0].legend(fontsize=9)
fig.tight_layout()
glue("fig_cost", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_cost
# :name: fig-token-cost
# Measured cost of one forward pass (batch 2, two modalities of $L$ tokens each, width 32, two
# attention layers each) against $L$, on logarithmic axes: a slope of one is linear growth, two
# is quadratic.
# ```
#
# Between the two largest sizes the counted FLOPs grow with exponent
# {glue:text}`exp_single:.2f` for the single stream, {glue:text}`exp_bottle:.2f` for the
# bottleneck and {glue:text}`exp_perc:.2f` for the Perceiver. At {glue:text}`max_len` tokens per
# modality the single stream needs {glue:text}`ratio_bottle:.2f` times the bottleneck's FLOPs (a
# constant factor bounded by $M$) and {glue:text}`ratio_perc:.1f` times the Perceiver's, which
# runs {glue:text}`time_ratio_perc:.1f` times faster. The benchmark
# `benchmarks/bench_token_cost.py` repeats the measurement at larger sizes and width (its table
# is in the benchmarks appendix); the explorer below shows the FLOPs for other
# bottleneck and latent sizes.

# %% tags=["remove-input"]
from mmlearn.viz.part5_explorer import token_cost_static_explorer

GRID_L = [16, 64, 256]
GRID_S = [2, 8, 32]
grid = {k: np.zeros((len(GRID_L), len(GRID_S))) for k in COST_MODELS}
for i, length in enumerate(GRID_L):
    xs = [torch.randn(1, length, 16, generator=gen) for _ in range(2)]
    for j, size in enumerate(GRID_S):
        for label, (name, hyper) in COST_MODELS.items():
            hyper = dict(hyper)
            if name == "attention_bottleneck":
                hyper["n_bottlenecks"] = size
            if name == "perceiver":
                hyper["n_latents"] = size
            torch.manual_seed(0)
            grid[label][i, j] = forward_flops(build(name, [16, 16], 10, **WIDTH, **hyper), xs)
token_cost_static_explorer(GRID_L, GRID_S, grid)

# %% [markdown]
# ## What the token fusions learn on the audio-visual digits
#
# Each digit becomes two token sequences: the $8\times 8$ image as 8 rows of 8 pixels, and the
# log-mel spectrogram as 6 frames of 32 mel bands (`mmlearn.experiments.capstone.av_digit_tokens`).
# The four fusions, at the same width and one or two attention layers, train on the first
# training samples for a few epochs, once per seed; the bottleneck needs two layers, because in
# its first fusion layer no modality has yet written into the shared tokens (its output is then
# additive, {numref}`chapter %s <ch14>` measures this). The intervals are over seeds.

# %%
from mmlearn.data import load_av_digits
from mmlearn.experiments.capstone import av_digit_tokens
from mmlearn.models import MultimodalClassifier
from mmlearn.training import evaluate, fit

N_TRAIN, EPOCHS = (None, 20) if FULL else (600, 5)
tok_train, tok_val, tok_test = (av_digit_tokens(load_av_digits(s)) for s in ("train", "val", "test"))
if N_TRAIN:
    tok_train = tok_train.subset(range(N_TRAIN))
glue("n_train_tok", len(tok_train), display=False)
glue("epochs_tok", EPOCHS, display=False)
TOKEN_MODELS = {
    "single stream": ("single_stream_transformer", dict(n_layers=1)),
    "dual stream": ("dual_stream_transformer", dict(n_layers=1)),
    "bottleneck": ("attention_bottleneck", dict(n_layers=2, n_bottlenecks=2)),
    "Perceiver": ("perceiver", dict(n_layers=0, n_latents=4)),
}
SMALL = dict(mm_dim=16, heads=2, ff_dim=32)


def train_tokens(name, hyper, seed):
    torch.manual_seed(seed)
    fusion = build(name, [8, 32], 10, **SMALL, **hyper)
    model = MultimodalClassifier([torch.nn.Identity(), torch.nn.Identity()], fusion)
    fit(model, tok_train, tok_val, epochs=EPOCHS, lr=1e-2, batch_size=64, seed=seed, progress=False)
    return model, evaluate(model, tok_test)["accuracy"]


token_acc = {k: [train_tokens(*v, s)[1] for s in SEEDS] for k, v in TOKEN_MODELS.items()}
for k, v in token_acc.items():
    print(f"{k:>14}: {format_ci(v)}  ({build(TOKEN_MODELS[k][0], [8, 32], 10, **SMALL, **TOKEN_MODELS[k][1]).n_params:,} parameters)")
    glue(f"tok_{k.split()[0].lower()}", format_ci(v), display=False)
lo_all = min(mean_ci(v)[0] - mean_ci(v)[1] for v in token_acc.values())
assert lo_all > 0.5  # every token fusion is far above chance (0.1)
diff_dual = paired_diff_ci(token_acc["dual stream"], token_acc["single stream"])
glue("diff_dual", f"{diff_dual[0]:+.3f} ± {diff_dual[1]:.3f}", display=False)

# %% [markdown]
# Test accuracy (mean ± 95 % interval over {glue:text}`n_seeds` seeds, {glue:text}`n_train_tok`
# training samples, {glue:text}`epochs_tok` epochs): single stream {glue:text}`tok_single`, dual
# stream {glue:text}`tok_dual`, bottleneck {glue:text}`tok_bottleneck`, Perceiver
# {glue:text}`tok_perceiver`. The paired difference dual minus single stream is
# {glue:text}`diff_dual`. At this size every fusion reads both modalities well above chance; the
# point of the bottleneck and the latents is their cost at long inputs, which the digits' short
# sequences do not stress.
#
# ## Gated cross-attention into a frozen model
#
# Flamingo {cite}`alayrac2022flamingo` adds vision to a pretrained language model without
# changing a single one of its weights: before each frozen layer, a new block lets the frozen
# model's tokens $H$ read the other modality's tokens $C$,
#
# $$
# H \leftarrow H + \tanh(\alpha_a)\,\mathrm{MHA}(\mathrm{LN}\,H, \mathrm{LN}\,C),\qquad
# H \leftarrow H + \tanh(\alpha_f)\,\mathrm{FFN}(\mathrm{LN}\,H),
# $$
#
# with scalar gates $\alpha_a, \alpha_f$ **initialised at zero**. Since $\tanh 0 = 0$, at the start
# the new blocks add nothing: the combined model computes exactly the frozen model's function, and
# training opens the gates only as far as the loss asks. Here the "pretrained model" is a small
# transformer trained on the image rows alone; it is then frozen and `GatedCrossAttention` adds
# the audio.

# %%
from mmlearn.data import MultimodalDataset
from mmlearn.fusion import GatedCrossAttention


class ImageOnly(torch.nn.Module):
    def __init__(self, gated):
        super().__init__()
        self.gated = gated

    def forward(self, image, audio=None):
        return self.gated.frozen_forward(image)


def gated_run(seed):
    torch.manual_seed(seed)
    gated = GatedCrossAttention([8, 32], 10, **SMALL, n_layers=1)
    gated.frozen.requires_grad_(True)  # 1. "pretraining": the frozen path alone, on images
    fit(ImageOnly(gated), tok_train, tok_val, epochs=EPOCHS, lr=1e-2, seed=seed, progress=False)
    gated.frozen.requires_grad_(False)
    frozen_acc = evaluate(ImageOnly(gated), tok_test)["accuracy"]
    image, audio = tok_test.modalities
    with torch.no_grad():  # 2. the gates are closed: the output is the frozen model's, exactly
        assert torch.equal(gated(image, audio), gated.frozen_forward(image))
    before = {k: v.clone() for k, v in gated.frozen.state_dict().items()}
    model = MultimodalClassifier([torch.nn.Identity(), torch.nn.Identity()], gated)
    fit(model, tok_train, tok_val, epochs=EPOCHS, lr=1e-2, seed=seed, progress=False)  # 3. gates and cross-attention
    assert all(torch.equal(before[k], v) for k, v in gated.frozen.state_dict().items())
    gate = float(torch.tanh(gated.gated[0].alpha_attention).abs())  # how far the attention gate opened
    return frozen_acc, evaluate(model, tok_test)["accuracy"], gate


gated_results = [gated_run(s) for s in SEEDS]
frozen_accs, gated_accs, gates = map(list, zip(*gated_results))
gain = paired_diff_ci(gated_accs, frozen_accs)
assert gain[0] - gain[1] > 0  # adding the audio through the gates helps, on every split on average
glue("frozen_acc", format_ci(frozen_accs), display=False)
glue("gated_acc", format_ci(gated_accs), display=False)
glue("gated_gain", f"{gain[0]:+.3f} ± {gain[1]:.3f}", display=False)
print("frozen image model:", format_ci(frozen_accs), " with gated audio:", format_ci(gated_accs))

# %% [markdown]
# In every seed the assertion in the cell checks that, with the gates at zero, the combined model's
# outputs are *equal* to the frozen model's, and that training the gated blocks leaves every frozen
# weight untouched. The frozen image model reaches {glue:text}`frozen_acc`; with the audio read
# through the gates, {glue:text}`gated_acc` (paired gain {glue:text}`gated_gain`).
#
# ## A learned-query resampler
#
# A frozen language model accepts a limited number of input tokens, while an image encoder or an
# audio front end emits as many as its input is long. BLIP-2's Q-Former {cite}`li2023blip2` (here
# simplified, `QueryResampler`) turns any number of context tokens into $Q$ tokens: $Q$ learned
# queries read the context by cross-attention, and share a self-attention with the text. Its
# output size does not depend on the context length, which the cell checks.

# %%
from mmlearn.fusion import QueryResampler

torch.manual_seed(0)
resampler = QueryResampler([8, 32], 10, **SMALL, n_queries=4)
text = torch.randn(3, 5, 8)
shapes = {n: tuple(resampler.resample(text, torch.randn(3, n, 32)).shape) for n in (6, 24, 96)}
print(shapes)
assert set(shapes.values()) == {(3, 4, SMALL["mm_dim"])}
glue("n_queries", 4, display=False)

# %% [markdown]
# Whatever the context's length, the language model receives {glue:text}`n_queries` tokens.
#
# ## A projector into a frozen language model
#
# LLaVA {cite}`liu2023visual` goes further in simplicity: a linear map (an MLP in later versions)
# turns the image encoder's features into a few vectors of the language model's width, which are
# put in front of the text as if they were word embeddings; only the projector is trained, with the
# language model's own next-word loss. To see the mechanics on a CPU, `mmlearn.models.TinyLM` is a
# one-layer causal transformer trained here, on text alone, on captions of the digits such as
# "seven : this is a seven" (a topic word, then a description that repeats it). It is then frozen.
# A `PrefixProjector` maps the $8\times 8$ image to **one** vector that takes the place of the
# topic word; the captions it is trained on, ": this is a seven", no longer name the digit before
# the end.
#
# ```{admonition} Book construction — not from a paper
# :class: note
# The tiny language model, its caption corpus and the topic-word trick are this book's
# construction, built from LLaVA's recipe (frozen language model, trained projector, next-token
# loss) at the smallest size at which the mechanics are real: a large pretrained model has learned
# to use its context from its corpus, and the topic word gives the tiny one a reason to do the same.
# ```

# %%
from mmlearn.models import PrefixProjector, TinyLM, Vocabulary, digit_captions, digit_word_accuracy, train_lm, train_projector
from mmlearn.models.tiny_lm import DIGIT_WORDS

digits_train, digits_test = load_av_digits("train"), load_av_digits("test")
vocab = Vocabulary.for_digits()
torch.manual_seed(0)
lm = TinyLM(len(vocab))
N_LM = len(digits_train) if FULL else 500
lm_history = train_lm(lm, vocab.encode(digit_captions(digits_train.labels[:N_LM], topic=True)), epochs=8)
y_test = digits_test.labels
no_prefix = digit_word_accuracy(lm, vocab, y_test)
word_prefix = lm.embed.weight[[vocab.id(w) for w in DIGIT_WORDS]][y_test][:, None].detach()
copy_acc = digit_word_accuracy(lm, vocab, y_test, word_prefix)
assert no_prefix < 0.2 and copy_acc > 0.8  # text alone: chance; the true topic word: copied

frozen_state = {k: v.clone() for k, v in lm.state_dict().items()}
img_train, img_test = digits_train.modalities[0] / 16, digits_test.modalities[0] / 16
captions = vocab.encode(digit_captions(digits_train.labels))
projected_acc, nearest_share = [], []
for seed in SEEDS:
    torch.manual_seed(seed)
    projector = PrefixProjector(64, lm.dim, n_prefix=1)
    train_projector(lm, projector, img_train, captions, epochs=4, seed=seed)
    with torch.no_grad():
        prefix = projector(img_test)  # (n, 1, dim)
        projected_acc.append(digit_word_accuracy(lm, vocab, y_test, prefix))
        words = lm.embed.weight[[vocab.id(w) for w in DIGIT_WORDS]]  # (10, dim)
        nearest = torch.cdist(prefix[:, 0], words).argmin(dim=1)
        nearest_share.append(float((nearest == y_test).double().mean()))
assert all(torch.equal(frozen_state[k], v) for k, v in lm.state_dict().items())  # the LM never moved
lo = mean_ci(projected_acc)[0] - mean_ci(projected_acc)[1]
assert lo > 0.6
print(f"LM alone {no_prefix:.3f} | topic word {copy_acc:.3f} | projected image {format_ci(projected_acc)}")
print("nearest word embedding is the right digit:", format_ci(nearest_share))
with torch.no_grad():
    sample = lm.generate(vocab.encode([": this is a"])[:, :-1].repeat(3, 1), projector(img_test[:3]), max_new=2)
examples = [f"{vocab.decode(r)} (label {int(y)})" for r, y in zip(sample.tolist(), y_test[:3])]
print(examples)
glue("lm_params", lm.n_params, display=False)
glue("proj_params", projector.n_params, display=False)
glue("lm_alone", no_prefix, display=False)
glue("lm_copy", copy_acc, display=False)
glue("lm_projected", format_ci(projected_acc), display=False)
glue("lm_nearest", format_ci(nearest_share), display=False)
glue("lm_example", examples[0], display=False)

# %% [markdown]
# The frozen language model has {glue:text}`lm_params` parameters, the projector
# {glue:text}`proj_params`. Prompted with ": this is a", the language model alone names the right
# digit for a fraction {glue:text}`lm_alone:.3f` of the test images (chance: it cannot know), and
# {glue:text}`lm_copy:.3f` when the true topic word is put in front. With the projected image in
# front it names the right digit for {glue:text}`lm_projected` of the test images (over
# {glue:text}`n_seeds` projector seeds), e.g. "{glue:text}`lm_example`". The projector has learned
# to speak the language model's embedding language: the word embedding nearest to the projected
# image is the right digit's name for {glue:text}`lm_nearest` of them. Not one weight of the
# language model changed (asserted).
#
# ## Summary
#
# * FiLM and dynamic parameters are bilinear maps with structured cores; gates are the modulations
#   that only attenuate.
# * Token fusions differ in which tokens attend to which. The measured FLOPs grow quadratically for
#   full attention and for bottlenecks (a constant factor cheaper), linearly for Perceiver latents.
# * A frozen model can be given a new modality through zero-initialised gates (its function is
#   unchanged at the start, exactly), a resampler that fixes the number of tokens, or a projector
#   into its embedding space.
#
# ## Further reading
#
# * {cite}`perez2018film`: FiLM, and why feature-wise affine conditioning suffices for visual reasoning.
# * {cite}`dumoulin2018feature`: a survey of feature-wise transformations across tasks.
# * {cite}`noh2016image`: predicting a layer's weights from the question (DPPnet) and the hashing that keeps it small.
# * {cite}`lu2019vilbert` and {cite}`chen2020uniter`: the dual- and single-stream designs, pretraining objectives.
# * {cite}`nagrani2021attention`: attention bottlenecks, where to start fusing, and the cost argument.
# * {cite}`jaegle2021perceiver`: latent arrays for inputs of any length and any modality.
# * {cite}`alayrac2022flamingo`: gated cross-attention and the perceiver resampler into a frozen language model.
# * {cite}`li2023blip2`: the Q-Former and its two-stage training with frozen encoder and language model.
# * {cite}`liu2023visual`: visual instruction tuning with a linear projector.

# %% tags=["remove-cell"]
print(f"chapter executed in {time.time() - T0:.1f} s")

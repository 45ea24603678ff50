# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Losses compared
#
# Four looks at the losses of the slides (000/001 part 2, 004), each number
# computed by `dlnotes.losses` and checked when the site is built:
#
# 1. the NN1/NN2 table: classification error cannot tell the two networks
#    apart, mean squared error and cross-entropy can (L2, L4, L5);
# 2. the margin losses on one plot, with the slide's squared hinge as printed
#    (erratum L7) (L6, L7, L11, L12);
# 3. a loss of our own, with its gradient checked by finite differences (L16);
# 4. why a GAN's generator uses the non-saturating loss (L15).

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from dlnotes.activations import softmax, softmax_vjp
from dlnotes.losses import (
    absolute_margin,
    categorical_cross_entropy,
    classification_error,
    exponential,
    gan_generator_loss,
    gan_generator_loss_grad,
    hinge,
    mse,
    mse_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
    squared_hinge,
)

# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)

# %% [markdown]
# ## 1. NN1 and NN2 (001)
#
# Two networks classify the same three pictures as dog or cat. Both get row #3
# wrong, so both have a classification error of 1/3. But NN1 is confident where
# it is right and only slightly wrong on #3, while NN2 is hesitant where it is
# right and badly wrong on #3. The losses that look at the probabilities see it.
#
# The mean squared error here sums the squared errors over the two classes of
# a row and averages over the rows (`axis=-1`); averaging over all six cells
# would halve it. The cross-entropy is $-\frac1n\sum_i\sum_c \tilde y_{ic}\log\hat y_{ic}$.

# %%
y = np.array([[1, 0], [0, 1], [1, 0]], dtype=float)  # (dog, cat) targets
nets = {
    "NN1": np.array([[0.9, 0.1], [0.1, 0.9], [0.4, 0.6]]),
    "NN2": np.array([[0.6, 0.4], [0.3, 0.7], [0.1, 0.9]]),
}
scores = {
    name: (
        float(classification_error(y, p)),
        float(mse(y, p, axis=-1)),
        float(categorical_cross_entropy(y, p)),
    )
    for name, p in nets.items()
}

rows = [f"| {name} | 1/3 | {m:.2f} | {c:.2f} |" for name, (e, m, c) in scores.items()]
display(
    Markdown("| network | error | MSE | cross-entropy |\n|---|--:|--:|--:|\n" + "\n".join(rows))
)

# %% tags=["hide"]
assert [round(v, 2) for v in scores["NN1"]] == [0.33, 0.25, 0.38]
assert [round(v, 2) for v in scores["NN2"]] == [0.33, 0.71, 1.06]
assert scores["NN1"][0] == scores["NN2"][0] == 1 / 3

# %% [markdown]
# Cross-entropy separates the two the most: NN2's 0.1 on the true class of
# row #3 costs $-\log 0.1 = 2.30$ on its own, against NN1's $-\log 0.4 = 0.92$.

# %%
row3 = {name: -math.log(p[2, 0]) for name, p in nets.items()}

# %% tags=["fold"] alt="Bars of classification error, mean squared error and cross-entropy for NN1 and NN2: equal errors, NN2's losses higher"
fig, ax = plt.subplots(figsize=(6, 3.2))
width = 0.38
names = ["classification error", "mean squared error", "cross-entropy"]
for k, (name, vals) in enumerate(scores.items()):
    ax.bar(np.arange(3) + (k - 0.5) * width, vals, width, label=name)
ax.set_xticks(np.arange(3), names)
ax.set_ylabel("loss")
ax.set_title("Same error rate, different losses")
ax.legend()
plt.tight_layout()
plt.show()

# %% tags=["hide"]
assert round(row3["NN1"], 2) == 0.92 and round(row3["NN2"], 2) == 2.30

# %% [markdown]
# ## 2. Margin losses (000)
#
# For a binary classifier with labels $y\in\{-1,+1\}$ and a score $f(x)$, the
# margin $z = y\,f(x)$ is positive when the answer is right and large when it
# is confidently right. The 0-1 loss counts mistakes; the others are smooth
# or convex stand-ins that training can follow:
#
# | loss | $L(z)$ | |
# | --- | --- | --- |
# | hinge (L6) | $\max(0, 1 - z)$ | 0 once $z \ge 1$ |
# | squared hinge (L7) | $\max(0, 1 - z)^2$ | 0 once $z \ge 1$, smooth at 1 |
# | absolute margin (L11) | $\lvert 1 - z\rvert$ | also punishes $z > 1$ |
# | exponential / AdaBoost (L12) | $e^{-z}$ | never 0, explodes for $z \ll 0$ |
#
# **Erratum L7.** The slide prints the squared hinge as $\max(0, (1-x)^2)$. A
# square is never negative, so that maximum never clips: the printed formula
# is just $(1-z)^2$, a parabola that punishes confidently right answers too
# (dashed below). The square belongs outside: $\max(0, 1-z)^2$.

# %%
z = np.linspace(-2, 3, 501)
ones = np.ones_like(z)  # y = +1, so f(x) = z
curves = {
    "0-1": (z <= 0).astype(float),
    "hinge": hinge(ones, z, reduction="none"),
    "squared hinge": squared_hinge(ones, z, reduction="none"),
    "absolute margin": absolute_margin(ones, z, reduction="none"),
    "exponential": exponential(ones, z, reduction="none"),
}
printed = np.maximum(0, (1 - z) ** 2)  # the slide's formula, as printed

# the curves coincide in places (hinge and absolute margin for z < 1): wide and thin lines keep both visible
styles = {
    "0-1": {"color": "k", "lw": 1.2, "drawstyle": "steps-mid"},
    "hinge": {"color": "tab:orange", "lw": 5, "alpha": 0.45},
    "squared hinge": {"color": "tab:green", "lw": 2.5},
    "absolute margin": {"color": "tab:red", "lw": 1.2, "ls": ":"},
    "exponential": {"color": "tab:purple", "lw": 1.5},
}

# %% tags=["fold"] alt="Classification losses against the margin z: 0-1, hinge, squared hinge, absolute margin and exponential, with the slide's printed squared hinge (erratum L7)"
fig, ax = plt.subplots(figsize=(7, 4.2))
for name, values in curves.items():
    ax.plot(z, values, label=name, **styles[name])
ax.plot(
    z, printed, color="tab:green", ls="--", lw=1.2, label=r"slide's $\max(0,(1-z)^2)$ (erratum L7)"
)
ax.set_ylim(0, 4.2)
ax.set_xlabel(r"margin $z = y\,f(x)$")
ax.set_ylabel("loss")
ax.axvline(1, color="grey", lw=0.5)
ax.legend(loc="upper right")
plt.tight_layout()
plt.show()

# %% tags=["hide"]
for name in ("hinge", "squared hinge", "exponential"):
    assert np.all(curves[name] >= curves["0-1"])  # upper bounds of the 0-1 loss
assert np.array_equal(printed, (1 - z) ** 2)  # the max(0, .) never acts
assert np.all(curves["squared hinge"][z >= 1] == 0) and printed[-1] == 4.0  # at z = 3

# %% [markdown]
# ## 3. Design your own loss (L16)
#
# The slides end part 2 with "let's design our own custom loss". Here is one
# built from the pieces: cross-entropy against *label-smoothed* targets
# $\tilde y^{\varepsilon} = (1-\varepsilon)\,\tilde y + \varepsilon/C$, plus
# $\beta$ times the squared error of the predicted probabilities (the Brier
# score, which keeps probabilities calibrated):
#
# $$L(z) = \mathrm{CE}\bigl(\tilde y^{\varepsilon}, \operatorname{softmax}(z)\bigr)
# + \beta\,\frac1n\sum_i\sum_c\bigl(\operatorname{softmax}(z)_{ic} - \tilde y_{ic}\bigr)^2$$
#
# Its gradient comes from the pieces' gradients and the chain rule: the first
# term's is `softmax_cross_entropy_grad` with the smoothed targets; for the
# second, `mse_grad` gives $g = \partial L/\partial p$, and the softmax's
# Jacobian $\operatorname{diag}(p) - pp^\top$ turns it into
# $p \odot (g - \langle g, p\rangle)$ per row: the vector-Jacobian product
# `softmax_vjp` (A5).

# %%
EPS, BETA = 0.1, 0.5


def custom_loss(y_onehot, logits):
    classes = y_onehot.shape[-1]
    smoothed = (1 - EPS) * y_onehot + EPS / classes
    p = softmax(logits)
    return softmax_cross_entropy(smoothed, logits) + BETA * mse(y_onehot, p, axis=-1)


def custom_loss_grad(y_onehot, logits):
    classes = y_onehot.shape[-1]
    smoothed = (1 - EPS) * y_onehot + EPS / classes
    g = mse_grad(y_onehot, softmax(logits), axis=-1)  # dL/dp of the Brier term
    return softmax_cross_entropy_grad(smoothed, logits) + BETA * softmax_vjp(logits, g)


rng = np.random.default_rng(0)
logits = rng.normal(scale=2, size=(4, 3))
targets = np.eye(3)[rng.integers(0, 3, size=4)]

h = 1e-6
numeric = np.zeros_like(logits)
for i in np.ndindex(logits.shape):
    step = np.zeros_like(logits)
    step[i] = h
    numeric[i] = (
        float(custom_loss(targets, logits + step)) - float(custom_loss(targets, logits - step))
    ) / (2 * h)
analytic = custom_loss_grad(targets, logits)
worst = float(np.max(np.abs(analytic - numeric)))
print(
    f"loss {float(custom_loss(targets, logits)):.4f}; largest |analytic - finite difference| = {worst:.1e}"
)

# %% tags=["hide"]
assert worst < 1e-8

# %% [markdown]
# The analytic gradient and the finite differences agree to better than
# $10^{-8}$ (checked when the site is built): the loss is ready for a training loop. The focal loss (L14), the slides'
# own example of a designed loss, is built the same way from the binary
# cross-entropy: `dlnotes.losses.focal_loss`.
#
# ## 4. The GAN generator's two losses (L15)
#
# The discriminator $D$ outputs $D = \sigma(a)$ from a logit $a$. The generator
# can minimise $\log(1 - D(G(z)))$ (the minimax game) or $-\log D(G(z))$ (the
# non-saturating loss). Both push $D(G(z))$ up, but their gradients with
# respect to $a$, the signal that flows back into the generator, are
#
# $$\frac{\partial}{\partial a}\log(1-\sigma(a)) = -D,\qquad
# \frac{\partial}{\partial a}\bigl(-\log\sigma(a)\bigr) = -(1-D).$$
#
# Early in training the generator is bad, the discriminator wins and
# $D(G(z))\approx 0$: there the minimax gradient vanishes, while the
# non-saturating one is at its largest.

# %%
d = np.linspace(0.001, 0.999, 999)
a = np.log(d) - np.log1p(-d)  # the logits with sigma(a) = d
grads = {
    mode: -gan_generator_loss_grad(a, mode=mode, reduction="none")
    for mode in ("minimax", "non_saturating")
}

rejected = np.log(0.01 / 0.99)  # D(G(z)) = 0.01: the discriminator wins
weak = -float(gan_generator_loss_grad([rejected], mode="minimax")[0])
strong = -float(gan_generator_loss_grad([rejected], mode="non_saturating")[0])
print(f"at D(G(z)) = 0.01: |gradient| minimax {weak:.2f}, non-saturating {strong:.2f}")

# %% tags=["fold"] alt="Left: the minimax and non-saturating generator losses against D(G(z)); right: the size of their gradients, the minimax one vanishing where the discriminator wins"
fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.4))
left.plot(d, gan_generator_loss(a, mode="minimax", reduction="none"), label=r"minimax $\log(1-D)$")
left.plot(
    d,
    gan_generator_loss(a, mode="non_saturating", reduction="none"),
    label=r"non-saturating $-\log D$",
)
left.set_xlabel(r"$D(G(z))$")
left.set_ylabel("generator loss")
left.legend()
right.plot(d, grads["minimax"], label="minimax")
right.plot(d, grads["non_saturating"], label="non-saturating")
right.axvspan(0, 0.1, color="tab:red", alpha=0.1, label="D wins")
right.set_xlabel(r"$D(G(z))$")
right.set_ylabel(r"$|\partial L_G / \partial a|$")
right.legend()
plt.tight_layout()
plt.show()

# %% tags=["hide"]
assert np.allclose(grads["minimax"], d) and np.allclose(grads["non_saturating"], 1 - d)
assert round(weak, 2) == 0.01 and round(strong, 2) == 0.99

# %% [markdown]
# Both losses have the same fixed point, but only the non-saturating one gives
# the generator something to learn from when it starts out losing.

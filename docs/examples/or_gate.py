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
# # The OR gate and the perceptron
#
# The workshop deck (000, part 5, "Weight Updates") demonstrates weight updates
# on the OR gate with a single layer **without bias and without activation**:
# four samples, batch size 1, the loss $\tfrac12(t - p)^2$ and the delta rule
#
# $$p = w^\top x,\qquad \Delta w_j = (t - p)\,x_j,\qquad w_j \leftarrow w_j + \Delta w_j .$$
#
# This notebook replays that table for three epochs, points out the misprinted
# loss (erratum N6), and then trains a real perceptron, *with* bias and step
# activation, on OR (it converges) and on XOR (it cannot). Every number shown
# is checked when the site is built.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from dlnotes.activations import step
from dlnotes.neuron import delta_rule, forward, perceptron_train

gates = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # the slides' order
t_or = np.array([0.0, 1.0, 1.0, 1.0])
t_xor = np.array([0.0, 1.0, 1.0, 0.0])

# %% tags=["hide"]
plt.rcParams.update(
    {
        "figure.dpi": 100,
        "font.size": 11,
        "legend.fontsize": 10,
        "axes.titlesize": 11,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "figure.constrained_layout.use": True,
    }
)


def r3(v):
    """Round for display; + 0.0 turns -0.0 into 0.0."""
    return round(float(v), 3) + 0.0


def cell(v):
    """A number or tuple of numbers, short: 1.0 -> 1, (0.1, -0.2) -> (0.1, -0.2)."""
    if isinstance(v, str):
        return v
    return f"({', '.join(f'{u:g}' for u in v)})" if isinstance(v, tuple) else f"{v:g}"


def markdown_table(header, rows):
    """A Markdown table with right-aligned columns."""
    lines = ["| " + " | ".join(header) + " |", "|--:" * len(header) + "|"]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return Markdown("\n".join(lines))


# %% [markdown]
# ## Where the example starts
#
# > **The start is reconstructed.** The slides printed the weights only in a
# > figure that did not survive, just the losses: 0.72 before the update of
# > sample (0, 1) and 0.405 before that of (1, 0), each 0 after. Sample (0, 1)
# > predicts $w_2$, so $\tfrac12(1 - w_2)^2 = 0.72$ gives $w_2 \in \{-0.2, 2.2\}$;
# > sample (1, 0) predicts $w_1$, so $0.405$ gives $w_1 \in \{0.1, 1.9\}$. All
# > four combinations reproduce the printed losses; we start from
# > $w = (0.1, -0.2)$.

# %%
starts = [(w1, w2) for w1 in (0.1, 1.9) for w2 in (-0.2, 2.2)]
all_losses = [
    [(r3(r.loss_before), r3(r.loss_after)) for r in delta_rule(gates, t_or, s).history]
    for s in starts
]
rows = [(s, *(f"{b:g} → {a:g}" for b, a in losses)) for s, losses in zip(starts, all_losses)]
display(markdown_table(["start w", "(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"], rows))
w_start = (0.1, -0.2)

# %% tags=["hide"]
assert all(losses == [(0.0, 0.0), (0.72, 0.0), (0.405, 0.0), (0.5, 0.5)] for losses in all_losses)

# %% [markdown]
# ## The delta-rule table, three epochs
#
# One row per update: the sample, its target, the prediction and loss before
# the update, the weights after it, and the prediction and loss after it.

# %%
result = delta_rule(gates, t_or, w_start, epochs=3)
table = [
    (
        r.epoch,
        r.x,
        r.target,
        r3(r.prediction_before),
        r3(r.loss_before),
        tuple(r3(v) for v in r.weights_after),
        r3(r.prediction_after),
        r3(r.loss_after),
    )
    for r in result.history
]

display(markdown_table(["epoch", "x", "t", "p", "L", "w after", "p after", "L after"], table))

# %% tags=["hide"]
first_epoch = [
    (1, (0.0, 0.0), 0.0, 0.0, 0.0, (0.1, -0.2), 0.0, 0.0),
    (1, (0.0, 1.0), 1.0, -0.2, 0.72, (0.1, 1.0), 1.0, 0.0),
    (1, (1.0, 0.0), 1.0, 0.1, 0.405, (1.0, 1.0), 1.0, 0.0),
    (1, (1.0, 1.0), 1.0, 2.0, 0.5, (0.0, 0.0), 0.0, 0.5),
]
later_epoch = [
    ((0.0, 0.0), 0.0, 0.0, 0.0, (0.0, 0.0), 0.0, 0.0),
    ((0.0, 1.0), 1.0, 0.0, 0.5, (0.0, 1.0), 1.0, 0.0),
    ((1.0, 0.0), 1.0, 0.0, 0.5, (1.0, 1.0), 1.0, 0.0),
    ((1.0, 1.0), 1.0, 2.0, 0.5, (0.0, 0.0), 0.0, 0.5),
]
assert table[:4] == first_epoch
assert table[4:8] == [(2, *row) for row in later_epoch]
assert table[8:] == [(3, *row) for row in later_epoch]

# %% [markdown]
# **Erratum N6.** The slide for the fourth sample, (1, 1), prints "Loss before
# update: 0.405", the number of the slide before. With $w = (1, 1)$ the
# prediction is $1 + 1 = 2$ and the loss $\tfrac12(1 - 2)^2 = 0.5$; the update
# $\Delta w = (1 - 2)\cdot(1, 1)$ takes the weights to $(0, 0)$ and the loss
# after it is again 0.5, as the slide says.

# %%
fourth = result.history[3]
print(
    f"before the 4th update: w = {fourth.weights_before}, p = {fourth.prediction_before}, "
    f"loss = {r3(fourth.loss_before)} (the slide prints 0.405)"
)

# %% tags=["hide"]
assert fourth.weights_before == (1.0, 1.0) and fourth.prediction_before == 2.0
assert r3(fourth.loss_before) == 0.5 != 0.405

# %% [markdown]
# ## The weights cycle
#
# From the second epoch on, every epoch is the same: $(0, 0) \to (0, 1) \to
# (1, 1) \to (0, 0)$. With learning rate 1 each update fits its sample exactly,
# and the update for (1, 1) overshoots (its input has squared length 2), so the
# weights never settle. A linear unit without bias cannot fit OR anyway: it
# must predict 0 at (0, 0) and can only be right on the other three samples if
# $w_1 = w_2 = 1$ *and* $w_1 + w_2 = 1$. With a smaller learning rate the cycle
# shrinks around the least-squares weights $(2/3, 2/3)$: with $\eta = 0.1$ the
# epochs end at $w_1 = w_2 = 9/14 \approx 0.643$.

# %%
slow = delta_rule(gates, t_or, w_start, lr=0.1, epochs=300)
print(f"lr = 0.1, after 300 epochs: w = {np.round(slow.weights, 3).tolist()}")

steps = np.arange(1, len(result.history) + 1)
path = np.array([w_start] + [r.weights_after for r in result.history])

# %% alt="Left: losses before and after each delta-rule update, the same every epoch; right: the weights cycling (0, 0), (0, 1), (1, 1), (0, 0) around the least-squares point (2/3, 2/3)"
fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.4))
left.bar(steps - 0.2, [r.loss_before for r in result.history], 0.4, label="before update")
left.bar(steps + 0.2, [r.loss_after for r in result.history], 0.4, label="after update")
left.set(xlabel="update", ylabel="loss", title="lr = 1: the same losses every epoch")
left.legend()
right.plot(path[:, 0], path[:, 1], "o-", label="weights from (0.1, -0.2)")
right.plot(2 / 3, 2 / 3, "*", ms=14, label="least squares (2/3, 2/3)")
right.set(xlabel="$w_1$", ylabel="$w_2$", title="(0, 0) → (0, 1) → (1, 1) → (0, 0) ...")
right.legend(loc="lower right")
plt.show()

# %% tags=["hide"]
assert np.allclose(slow.weights, 9 / 14, atol=1e-9)

# %% [markdown]
# ## The perceptron learns OR
#
# **Erratum N7.** The slide says it is "impossible to solve 'OR' gate problem
# w/ single layer" because OR "is nonlinear function". OR is linearly separable:
# one straight line puts (0, 0) on one side and the other three points on the
# other. What the demonstration above lacks is a *bias* (and a threshold). The
# perceptron has both,
#
# $$p = \operatorname{step}(w^\top x + b),\qquad w \leftarrow w + \eta(t - p)\,x,
# \qquad b \leftarrow b + \eta(t - p),$$
#
# and the perceptron convergence theorem guarantees that it stops making
# mistakes on separable data. From $w = 0$, $b = 0$ with $\eta = 1$ it makes
# 2, 2, 1 and then 0 mistakes: it has converged after the fourth epoch, at
# $w = (1, 1)$, $b = -1$ (points exactly on the line count as 1, since
# $\operatorname{step}(0) = 1$).

# %%
p_or = perceptron_train(gates, t_or)
print(
    f"OR: converged = {p_or.converged} after {p_or.epochs} epochs, mistakes per epoch {p_or.errors}"
)
print(f"w = {p_or.weights.tolist()}, b = {float(p_or.bias)}")

# %% tags=["hide"]
assert p_or.converged and p_or.epochs == 4 and p_or.errors == (2, 2, 1, 0)
assert p_or.weights.tolist() == [1.0, 1.0] and float(p_or.bias) == -1.0
assert forward(gates, p_or.weights, p_or.bias, activation=step).tolist() == t_or.tolist()

# %% [markdown]
# ## XOR: what no single layer can fit
#
# XOR wants (0, 1) and (1, 0) on one side and (0, 0), (1, 1) on the other; no
# line does that, so the perceptron keeps making mistakes: 3, 3, then 4 in
# every epoch, and `converged` stays false. This is the gate that needs a
# hidden layer.

# %%
p_xor = perceptron_train(gates, t_xor, max_epochs=20)
print(
    f"XOR: converged = {p_xor.converged} after {p_xor.epochs} epochs, mistakes per epoch {p_xor.errors}"
)

# %% tags=["fold"] alt="Left: the perceptron's decision regions for OR with the line x1 + x2 - 1 = 0; right: misclassified samples per epoch, OR reaching 0 after 4 epochs, XOR never"
fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.5))
xx, yy = np.meshgrid(np.linspace(-0.5, 1.5, 201), np.linspace(-0.5, 1.5, 201))
plane = np.stack([xx.ravel(), yy.ravel()], axis=1)
region = np.asarray(forward(plane, p_or.weights, p_or.bias, activation=step))
left.contourf(
    xx, yy, region.reshape(xx.shape), levels=[-0.5, 0.5, 1.5], cmap="coolwarm_r", alpha=0.3
)
left.scatter(gates[:, 0], gates[:, 1], c=t_or, cmap="coolwarm_r", edgecolors="k", s=90)
left.set(xlabel="$x_1$", ylabel="$x_2$", title="OR: decision regions of $x_1 + x_2 - 1$")
right.plot(range(1, p_or.epochs + 1), p_or.errors, "o-", label="OR: converges in 4 epochs")
right.plot(range(1, p_xor.epochs + 1), p_xor.errors, "s-", label="XOR: never converges")
right.set(xlabel="epoch", ylabel="misclassified samples")
right.legend()
plt.show()

# %% tags=["hide"]
assert not p_xor.converged and p_xor.epochs == 20
assert p_xor.errors == (3, 3) + (4,) * 18
assert not perceptron_train(gates, t_xor, max_epochs=500).converged

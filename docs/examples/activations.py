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
# # Activations and their derivatives
#
# Lecture 004 shows sigmoid, tanh and ReLU with their derivatives; the workshop
# deck (000, part 3) adds softmax and leaky ReLU and asks for an activation of
# your own. This notebook plots each of them with its derivative, puts the two
# misprinted formulas of slide 004 beside the true ones, shows why softmax
# subtracts the maximum, and checks the derivative of the designed activation,
# swish, by finite differences. Every number shown is checked when the site is built.
#
# All `*_grad` functions take the input $x$ (not the activation's output).

# %%
import matplotlib.pyplot as plt
import numpy as np

from dlnotes import activations as act

x = np.linspace(-5, 5, 1001)

# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)

# %% [markdown]
# ## Each activation with its derivative
#
# Solid: $a(x)$; dashed: $a'(x)$. The saturating ones (sigmoid, tanh) have a
# derivative that vanishes on both sides; ReLU's is 0 for every negative input
# (a "dead" unit learns nothing), leaky ReLU keeps a small slope there, and swish
# is smooth with a dip below zero.

# %%
panels = [
    ("sigmoid", act.sigmoid, act.sigmoid_grad),
    ("tanh", act.tanh, act.tanh_grad),
    ("ReLU", act.relu, act.relu_grad),
    (
        "leaky ReLU (slope 0.1)",
        lambda z: act.leaky_relu(z, negative_slope=0.1),
        lambda z: act.leaky_relu_grad(z, negative_slope=0.1),
    ),
    ("swish (beta = 1)", act.swish, act.swish_grad),
    ("step and identity", act.step, act.step_grad),
]

# %% tags=["fold"] alt="Six panels: sigmoid, tanh, ReLU, leaky ReLU, swish and step with identity, each function drawn solid with its derivative dashed"
fig, axes = plt.subplots(2, 3, figsize=(7.2, 3.9), sharex=True)
for ax, (title, f, grad) in zip(axes.flat, panels):
    ax.plot(x, f(x), label="$a(x)$")
    ax.plot(x, grad(x), "--", label="$a'(x)$")
    ax.set_title(title)
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.grid(alpha=0.3)
last = axes.flat[-1]  # two activations share the last panel: name their curves
for line, label in zip(last.get_lines()[:2], ["step $a(x)$", "step $a'(x) = 0$"]):
    line.set_label(label)
last.plot(x, act.identity(x), ":", label="identity $a(x) = x$")
last.plot(x, act.identity_grad(x), "-.", label="identity $a'(x) = 1$")
last.set_ylim(-1.5, 2)
for ax in axes.flat:
    ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# The values the plots show, at a few points:

# %%
points = np.array([-2.0, 0.0, 2.0])
table = {
    "sigmoid'": act.sigmoid_grad(points),
    "tanh'": act.tanh_grad(points),
    "relu'": act.relu_grad(points),
    "leaky_relu'": act.leaky_relu_grad(points),
    "swish'": act.swish_grad(points),
}
for name, values in table.items():
    print(f"{name:12s}", np.round(values, 4).tolist())

# %% tags=["hide"]
assert np.round(table["sigmoid'"], 4).tolist() == [0.105, 0.25, 0.105]  # largest slope 1/4
assert np.round(table["tanh'"], 4).tolist() == [0.0707, 1.0, 0.0707]
assert table["relu'"].tolist() == [0.0, 0.0, 1.0]  # 0 at x = 0, like PyTorch
assert table["leaky_relu'"].tolist() == [0.01, 0.01, 1.0]  # default slope 0.01
assert np.round(table["swish'"], 4).tolist() == [-0.0908, 0.5, 1.0908]

# %% [markdown]
# ## Two misprints on slide 004
#
# **Erratum A1.** The slide prints the sigmoid as $a(x) = 1 - \frac{1}{1+e^{-x}}$.
# That is $\sigma(-x)$, the mirror image, falling from 1 to 0. Its derivative is
# $-a(1-a)$, so the printed $a' = (1-a)\,a$ has the wrong sign for it; it is the
# derivative of the true $\sigma(x) = \frac{1}{1+e^{-x}}$.
#
# **Erratum A2.** The slide prints tanh as $a(x) = 1 - \frac{1}{e^{2x}+1}$. That
# is $\sigma(2x)$, with range $(0, 1)$ and $a(0) = \tfrac12$; tanh is
# $1 - \frac{2}{e^{2x}+1}$, with range $(-1, 1)$ and $\tanh(0) = 0$.

# %%
printed_sigmoid = 1 - 1 / (1 + np.exp(-x))
printed_tanh = 1 - 1 / (np.exp(2 * x) + 1)

# %% tags=["fold"] alt="Two panels: the true sigmoid beside the slide's mirrored sigmoid (erratum A1), and the true tanh beside the slide's printed formula, which is a sigmoid (erratum A2)"
fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.3))
left.plot(x, act.sigmoid(x), label=r"true $\sigma(x) = 1/(1+e^{-x})$")
left.plot(x, printed_sigmoid, "--", label=r"printed $1 - 1/(1+e^{-x}) = \sigma(-x)$")
left.set_title("Erratum A1: the printed sigmoid is mirrored")
right.plot(x, act.tanh(x), label=r"true $\tanh x = 1 - 2/(e^{2x}+1)$")
right.plot(x, printed_tanh, "--", label=r"printed $1 - 1/(e^{2x}+1) = \sigma(2x)$")
right.set_title("Erratum A2: the printed tanh is a sigmoid")
for ax in (left, right):
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.grid(alpha=0.3)
    ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The printed formulas really are $\sigma(-x)$ and $\sigma(2x)$, and the printed
# sigmoid's slope has the opposite sign of $(1-a)\,a$:

# %%
np.testing.assert_allclose(printed_sigmoid, act.sigmoid(-x), atol=1e-15)
np.testing.assert_allclose(printed_tanh, act.sigmoid(2 * x), atol=1e-15)
np.testing.assert_allclose(1 - 2 / (np.exp(2 * x) + 1), act.tanh(x), atol=1e-15)

a = 1 - 1 / (1 + np.exp(-1.0))  # the printed sigmoid at x = 1
h = 1e-6
slope = ((1 - 1 / (1 + np.exp(-(1 + h)))) - (1 - 1 / (1 + np.exp(-(1 - h))))) / (2 * h)
print(f"printed a(1) = {a:.4f}, its slope = {slope:.4f}, printed a' = (1-a)a = {(1 - a) * a:.4f}")
print(f"printed tanh at 0 = {printed_tanh[500]:.2f}, true tanh(0) = {float(act.tanh(0.0)):.2f}")

# %% tags=["hide"]
assert round(a, 4) == 0.2689 and round(slope, 4) == -0.1966 and round((1 - a) * a, 4) == 0.1966
assert printed_tanh[500] == 0.5 and float(act.tanh(0.0)) == 0.0

# %% [markdown]
# ## Softmax of large logits
#
# $\hat y_i = e^{y_i} / \sum_j e^{y_j}$ taken literally overflows: $e^{1000}$ is
# infinite in float64 and $\infty/\infty$ is NaN. Subtracting the maximum logit
# first multiplies numerator and denominator by the same $e^{-m}$, so the result
# is unchanged and every exponential is at most 1.

# %%
logits = np.array([1000.0, 999.0, 998.0])
with np.errstate(over="ignore", invalid="ignore"):  # the naive formula's warnings, on purpose
    naive = np.exp(logits) / np.sum(np.exp(logits))
stable = act.softmax(logits)
print("naive :", naive.tolist())
print("stable:", np.round(stable, 4).tolist())
np.testing.assert_allclose(stable, act.softmax([2.0, 1.0, 0.0]))  # shift-invariant

# %% tags=["hide"]
assert np.isnan(naive).all()
assert np.round(stable, 4).tolist() == [0.6652, 0.2447, 0.09]
assert abs(float(np.sum(stable)) - 1) < 1e-15

# %% [markdown]
# Its Jacobian $J = \mathrm{diag}(s) - ss^\top$ at these logits, and the
# vector-Jacobian product used by backpropagation, which gives the same numbers
# as multiplying by $J$:

# %%
jac = act.softmax_grad(logits)
v = np.array([1.0, 0.0, -1.0])
print(np.round(jac, 4))
print("v @ J =", np.round(act.softmax_vjp(logits, v), 4).tolist())
np.testing.assert_allclose(act.softmax_vjp(logits, v), v @ jac, atol=1e-15)
np.testing.assert_allclose(jac.sum(axis=1), 0, atol=1e-15)

# %% tags=["hide"]
assert np.round(np.diag(jac), 4).tolist() == [0.2227, 0.1848, 0.0819]

# %% [markdown]
# ## An activation of our own: swish
#
# $\operatorname{swish}(x) = x\,\sigma(\beta x)$ (Ramachandran et al., 2017)
# combines ReLU's unbounded positive side with a non-zero gradient for negative
# input and a smooth curve. Its derivative, from the product rule,
# $\sigma(\beta x) + \beta x\,\sigma(\beta x)(1-\sigma(\beta x))$, against
# central finite differences $\frac{f(x+h) - f(x-h)}{2h}$ in float64:

# %%
grid = np.linspace(-6, 6, 241)
h = 1e-6
errors = {}
for beta in (0.5, 1.0, 4.0):
    numeric = (act.swish(grid + h, beta=beta) - act.swish(grid - h, beta=beta)) / (2 * h)
    errors[beta] = float(np.max(np.abs(act.swish_grad(grid, beta=beta) - numeric)))
    print(f"beta = {beta}: largest |analytic - numeric| = {errors[beta]:.1e}")

# %% alt="Swish curves for growing beta approaching the ReLU curve"
fig, ax = plt.subplots(figsize=(6, 4))
for beta in (0.5, 1.0, 4.0):
    ax.plot(grid, act.swish(grid, beta=beta), label=rf"swish, $\beta = {beta}$")
ax.plot(grid, act.relu(grid), ":", color="black", label="ReLU")
ax.set_title(r"Swish $x\,\sigma(\beta x)$ approaches ReLU as $\beta$ grows")
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %% tags=["hide"]
assert max(errors.values()) < 1e-8

# %% [markdown]
# Its minimum for $\beta = 1$, and its behaviour at $\pm 1000$ (no overflow):

# %%
fine = np.linspace(-3, 0, 300001)
low = act.swish(fine)
print(f"minimum {low.min():.3f} at x = {fine[low.argmin()]:.3f}")
print(
    "swish(±1000) =",
    act.swish([-1000.0, 1000.0]).tolist(),
    " swish'(±1000) =",
    act.swish_grad([-1000.0, 1000.0]).tolist(),
)

# %% tags=["hide"]
assert round(float(low.min()), 3) == -0.278 and round(float(fine[low.argmin()]), 3) == -1.278
assert act.swish([-1000.0, 1000.0]).tolist() == [-0.0, 1000.0]
assert act.swish_grad([-1000.0, 1000.0]).tolist() == [0.0, 1.0]

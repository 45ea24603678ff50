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
# # The optimizer race
#
# The slides compare gradient descent, momentum, AdaGrad, RMSProp and Adam in
# words (000 part 5). Here they race on one surface, Rosenbrock's banana valley
#
# $$f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2,$$
#
# whose minimum $f(1, 1) = 0$ lies at the end of a long, curved, flat-bottomed
# valley with steep walls: the steep walls force a small step, the flat floor
# punishes it. Every optimizer starts at $(-1.2, 1)$ and takes 3,000 steps,
# each with a learning rate that keeps it stable.

# %%
import matplotlib.pyplot as plt
import numpy as np

from dlnotes.optim import adagrad_step, adam_step, gd_step, momentum_step, rmsprop_step


def f(p):
    x, y = p
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def grad(p):
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


# each one: (param, grad, state) -> (new param, new state)
optimizers = {
    "gradient descent, lr 1e-3": lambda p, g, s: (gd_step(p, g, lr=1e-3), None),
    "momentum 0.9, lr 2e-4": lambda p, g, s: momentum_step(p, g, s, lr=2e-4),
    "AdaGrad, lr 0.5": lambda p, g, s: adagrad_step(p, g, s, lr=0.5),
    "RMSProp, lr 2e-3": lambda p, g, s: rmsprop_step(p, g, s, lr=2e-3),
    "Adam, lr 0.02": lambda p, g, s: adam_step(p, g, s, lr=0.02),
}
STEPS, start = 3000, np.array([-1.2, 1.0])
paths, losses, states = {}, {}, {}
for name, step in optimizers.items():
    p, state, path = start, None, [start]
    for _ in range(STEPS):
        p, state = step(p, grad(p), state)
        path.append(np.asarray(p))
    paths[name], states[name] = np.array(path), state
    losses[name] = np.array([f(q) for q in path])

# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)

# %% [markdown]
# ## Trajectories and loss curves

# %% tags=["fold"] alt="Left: paths of the optimizers on the Rosenbrock valley from (-1.2, 1) toward the minimum; right: the function value on a log scale over 3,000 steps"
fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.4))
xs, ys = np.meshgrid(np.linspace(-1.6, 1.6, 300), np.linspace(-0.4, 1.6, 300))
left.contour(xs, ys, f((xs, ys)), levels=np.logspace(-1, 3, 15), cmap="Greys", linewidths=0.7)
for name, path in paths.items():
    left.plot(path[:, 0], path[:, 1], lw=1.5, label=name.split(",")[0])
left.plot(1, 1, "k*", ms=12)
left.set_xlabel("$x$")
left.set_ylabel("$y$")
left.set_title("3,000 steps from (-1.2, 1) toward the minimum ★")
left.legend()
for name, curve in losses.items():
    right.semilogy(curve + 1e-16, label=name)
right.set_xlabel("step")
right.set_ylabel("$f$ (log scale)")
right.legend()
right.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %%
from IPython.display import Markdown

Markdown(
    "| optimizer | final $(x, y)$ | final loss |\n| --- | --- | --- |\n"
    + "\n".join(
        f"| {name} | ({paths[name][-1][0]:.3f}, {paths[name][-1][1]:.3f}) | {losses[name][-1]:.2e} |"
        for name in optimizers
    )
)

# %% tags=["hide"]
final = {name: curve[-1] for name, curve in losses.items()}
assert final["Adam, lr 0.02"] < 1e-5  # Adam reaches the minimum
assert final["momentum 0.9, lr 2e-4"] < final["gradient descent, lr 1e-3"]
assert max(final.values()) < 0.05 < losses["Adam, lr 0.02"][0]  # every one gets into the valley

# %% [markdown]
# Plain gradient descent crawls along the valley floor: the step it can afford
# on the steep walls is tiny on the flat floor. Momentum with a rate five times
# smaller gets further, because the velocity builds up along the floor, where
# successive gradients agree, and cancels across it, where they flip sign
# (the slide's "ball rolling down a hill"). RMSProp and Adam divide each
# coordinate's step by the root mean square of its recent gradients, so the
# steep and the flat direction move at comparable speeds; Adam adds momentum
# on top and reaches the minimum.
#
# ## AdaGrad's shrinking learning rate
#
# AdaGrad divides by the root of the *sum* of all squared gradients so far, so
# its effective rate $\eta/(\sqrt{G_t} + \epsilon)$ can only fall. The slide's
# warning, "learning rate always decreases that causes to 'no learning' after
# some point", is visible here: the first gradients, on the steep wall, already
# cut the rate from $\eta = 0.5$ to about a hundredth of it, and it keeps falling
# on the flat floor, where the steps are needed.

# %%
G, rates = np.zeros(2), []
for point in paths["AdaGrad, lr 0.5"][:-1]:
    G = G + grad(point) ** 2
    rates.append(0.5 / (np.sqrt(G) + 1e-10))
rates = np.array(rates)

# %% alt="AdaGrad's effective learning rate for x and for y over 3,000 steps, on log scales: both only shrink"
fig, ax = plt.subplots(figsize=(7, 4))
ax.loglog(np.arange(1, STEPS + 1), rates[:, 0], label="$x$")
ax.loglog(np.arange(1, STEPS + 1), rates[:, 1], label="$y$")
ax.set_xlabel("step")
ax.set_ylabel(r"effective rate $\eta / (\sqrt{G_t} + \epsilon)$")
ax.set_title("AdaGrad: each coordinate's learning rate only shrinks")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %%
print(
    f"effective rates after 1 step: {rates[0].round(5).tolist()}, "
    f"after {STEPS}: {rates[-1].round(5).tolist()}"
)

# %% tags=["hide"]
assert np.all(np.diff(rates, axis=0) <= 0)  # never rises
assert np.all(rates[0] < 0.5 / 50) and np.all(rates[-1] < rates[0])
np.testing.assert_allclose(np.sqrt(G), np.sqrt(states["AdaGrad, lr 0.5"].sum_sq), rtol=1e-12)

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
# # Local and global minima
#
# The slides' univariate, non-linear loss (000 part 5, "Global/Local Minima") is
#
# $$f(x) = \frac{\cos(3\pi x)}{x},\qquad
# f'(x) = -\frac{3\pi x\sin(3\pi x) + \cos(3\pi x)}{x^2}.$$
#
# It has a minimum near every $x$ where $\cos(3\pi x) = -1$, that is near
# $x = 1/3, 1, 5/3, \dots$, each deeper the closer it is to 0. Gradient descent
# only sees the slope where it stands, so where it ends depends on where it
# starts. Six starts, 2,000 steps of `gd_step` each at learning rate 0.002:

# %%
import matplotlib.pyplot as plt
import numpy as np

from dlnotes.optim import gd_step


def f(x):
    return np.cos(3 * np.pi * x) / x


def f_grad(x):
    return -(3 * np.pi * x * np.sin(3 * np.pi * x) + np.cos(3 * np.pi * x)) / x**2


starts = [0.25, 0.5, 0.75, 1.2, 1.45, 1.9]
paths = {}
for x0 in starts:
    x, path = np.array(x0), [x0]
    for _ in range(2000):
        x = gd_step(x, f_grad(x), lr=0.002)
        path.append(float(x))
    paths[x0] = np.array(path)

grid = np.linspace(0.2, 2.0, 2000)

# %% tags=["fold"] alt="The function cos(3 pi x)/x with gradient descent paths from six starts, each ending in the nearest local minimum"
fig, ax = plt.subplots(figsize=(7.2, 3.6))
ax.plot(grid, f(grid), color="0.3", label=r"$f(x) = \cos(3\pi x)/x$")
for i, (x0, path) in enumerate(paths.items()):
    ax.plot(path[0], f(path[0]), "o", color=f"C{i}", mfc="none", ms=9)
    ax.plot(path[-1], f(path[-1]), "o", color=f"C{i}", ms=7, label=f"start {x0} → {path[-1]:.3f}")
    ax.annotate(
        "",
        (path[-1], f(path[-1])),
        (path[0], f(path[0])),
        arrowprops={"arrowstyle": "->", "color": f"C{i}", "alpha": 0.6},
    )
ax.set_xlabel("$x$")
ax.set_ylabel("$f(x)$")
ax.set_ylim(-3.5, 4.5)
ax.set_title("gradient descent from six starts (open: start, filled: end)")
ax.legend(ncol=2)
ax.grid(alpha=0.3)
plt.show()

# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)

# %%
ends = sorted({round(float(p[-1]), 3) for p in paths.values()})
for x_end in ends:
    print(f"minimum at x = {x_end:.3f}: f = {f(x_end):.3f}")

# %% tags=["hide"]
assert len(ends) == 3  # three different minima from six starts
for path in paths.values():
    x_end = path[-1]
    assert abs(f_grad(x_end)) < 1e-8  # a stationary point
    assert f(x_end - 1e-3) > f(x_end) < f(x_end + 1e-3)  # a minimum
deepest = grid[np.argmin(f(grid))]
assert abs(min(ends) - deepest) < 1e-3  # the start at 0.25 finds the global one in [0.2, 2]
assert abs(ends[0] - 1 / 3) < 0.05 and abs(ends[1] - 1) < 0.05 and abs(ends[2] - 5 / 3) < 0.05

# %% [markdown]
# Each pair of starts in one valley ends in that valley's minimum: where a
# start lies decides the answer, not how good the answer is. On $[0.2, 2]$ only
# the starts 0.25 and 0.5 find the deepest minimum (at $x \approx 0.297$,
# $f \approx -3.17$, a little left of $1/3$ because of the $1/x$); the others
# settle in shallower ones, at $x \approx 0.989$ and $1.660$. For a network
# the loss lives in as many dimensions as there are weights, but the slides'
# conclusion is the same: from a random initialization "the goal is to find
# the global minima, but it is still okay to converge to local minima in deep
# learning", a value of the loss that is "very low but not necessarily minimal".

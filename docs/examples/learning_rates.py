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
# # Learning rates: too small, right, too large
#
# The slides' keynote: "learning rate: smaller → slower, larger → faster". Up to
# a point. This notebook fits a straight line by batch gradient descent (the
# slides' LMS rule, `optim.batch_gd`) with four rates and plots the loss per
# update. The data: 50 points of $y = 1 + 2x$ with noise, $x \in [0, 2]$.

# %%
import matplotlib.pyplot as plt
import numpy as np

from dlnotes.optim import batch_gd

rng = np.random.default_rng(0)
x = rng.uniform(0, 2, 50)
y = 1 + 2 * x + rng.normal(scale=0.3, size=50)

# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)

# %% [markdown]
# For least squares the loss is a quadratic bowl, and gradient descent
# converges exactly when the rate is below $2/\lambda_{\max}$, where
# $\lambda_{\max}$ is the largest eigenvalue of the Hessian. batch_gd's summed
# update is gradient descent on $\frac12\sum_i(y^{(i)} - h_\theta(x^{(i)}))^2$,
# whose Hessian is $X^\top X$ (with the column of ones for the bias):

# %%
X = np.column_stack([np.ones_like(x), x])
limit = 2 / np.linalg.eigvalsh(X.T @ X).max()
print(f"largest stable rate 2 / lambda_max = {limit:.4f}")
rates = {
    "too small": 0.0002,
    "right": 0.008,
    "large: oscillates": 0.016,
    "too large: diverges": 0.019,
}

# %% [markdown]
# The loss over the updates for each learning rate, on a log scale:

# %%
curves = {}
for label, lr in rates.items():
    _, losses = batch_gd(x, y, lr=lr, epochs=60)
    curves[label] = np.asarray(losses)

# %% alt="Mean squared error on a log scale over 60 updates for four learning rates: 0.0002 creeps down, 0.008 and 0.016 converge, 0.019 diverges"
fig, ax = plt.subplots(figsize=(7.2, 4))
for label, lr in rates.items():
    ax.semilogy(curves[label], "o-", ms=3, label=f"{label}, lr = {lr}")
ax.set_xlabel("update")
ax.set_ylabel("mean squared error (log scale)")
ax.set_title(f"batch gradient descent; stable below lr = {limit:.4f}")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %%
for label, curve in curves.items():
    print(f"{label:>20}: loss {curve[0]:.3g} -> {curve[-1]:.3g} after {len(curve)} updates")

# %% tags=["hide"]
best = np.mean((y - X @ np.linalg.lstsq(X, y, rcond=None)[0]) ** 2)
assert 0.016 < limit < 0.019
assert curves["right"][-1] < 1.01 * best  # converged to the least-squares loss
assert curves["too small"][-1] > 5 * best  # still far after 60 updates
assert np.all(np.diff(curves["too small"]) < 0)
assert curves["too large: diverges"][-1] > 100 * curves["too large: diverges"][0]
assert curves["large: oscillates"][-1] < curves["large: oscillates"][0]

# %% [markdown]
# Too small, each update is safe but tiny: after 60 updates the loss is still
# far from its minimum. Right, it converges in a few dozen updates. Just below
# the limit $2/\lambda_{\max}$ each update overshoots the bottom of the bowl and
# lands on the other side of it, a little lower each time, so the loss still
# falls. Above it, each overshoot lands higher than the last, and the loss
# grows geometrically: divergence. Which rate is "right" depends on the
# curvature of the loss, here on the data (the summed update makes it grow with
# the number of samples); the adaptive methods of the
# [optimizer race](optimizer_race.py) scale the step per parameter for this reason.

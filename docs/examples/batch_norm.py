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
# # Batch norm, train and eval
#
# Batch normalization (000 part 4, "Batchnorm") rescales each channel of a
# layer's activations, batch by batch, to mean 0 and variance 1, and then to
# the scale $\gamma$ and shift $\beta$ the network learns. We follow one layer's
# activations through `batch_norm`:
#
# 1. their distribution before and after, in training mode;
# 2. the running statistics it keeps for evaluation, and how they converge;
# 3. training mode against evaluation mode: why a sample's output must not
#    depend on its batch at test time.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown

from dlnotes.regularization import batch_norm

rng = np.random.default_rng(0)
C = 3  # channels (units) of the layer
MEAN = np.array([4.0, -1.0, 0.5])  # each channel's own mean and spread,
STD = np.array([3.0, 0.5, 1.5])  # as a previous layer might produce them


def batch(size):
    """One batch of the layer's pre-activations, shape (size, C)."""
    return MEAN + STD * rng.standard_normal((size, C))


gamma, beta = np.ones(C), np.zeros(C)  # the initial scale and shift
z = batch(256)
y, _, _ = batch_norm(z, gamma, beta)

# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)

# %% [markdown]
# ## 1. Before and after
#
# Before, every channel lives on its own scale; after, each one has mean 0 and
# standard deviation 1 over the batch (up to the $\epsilon = 10^{-5}$ added to
# the variance). The shape of each distribution is unchanged: batch norm only
# shifts and scales.

# %% tags=["fold"] alt="Histograms of three channels' activations before batch normalization, at different means and spreads, and after it, all centred at 0 with spread 1"
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2), sharey=True)
bins = np.linspace(-8, 14, 60)
for c in range(C):
    axes[0].hist(z[:, c], bins=bins, alpha=0.6, label=f"channel {c}")
    axes[1].hist(np.asarray(y)[:, c], bins=np.linspace(-4, 4, 40), alpha=0.6)
axes[0].set_title("before: the layer's activations")
axes[1].set_title("after batch_norm (training mode)")
for ax in axes:
    ax.set_xlabel("activation")
axes[0].set_ylabel("count in a batch of 256")
axes[0].legend()
plt.tight_layout()
plt.show()

# %%
rows = [
    f"| {c} | {z[:, c].mean():.3f} | {z[:, c].std():.3f} "
    f"| {np.asarray(y)[:, c].mean():.3f} | {np.asarray(y)[:, c].std():.3f} |"
    for c in range(C)
]
Markdown(
    "| channel | mean before | std before | mean after | std after |\n|---|---|---|---|---|\n"
    + "\n".join(rows)
)

# %% tags=["hide"]
after = np.asarray(y)
assert np.allclose(after.mean(axis=0), 0, atol=1e-12)
sigma2 = z.var(axis=0)  # biased: the batch is normalised with it
assert np.allclose(after.std(axis=0), np.sqrt(sigma2 / (sigma2 + 1e-5)), rtol=1e-12)

# %% [markdown]
# ## 2. Running statistics
#
# In training, `batch_norm` also returns the running averages
# $\hat\mu \leftarrow 0.9\,\hat\mu + 0.1\,\mu_{\text{batch}}$ and
# $\hat\sigma^2 \leftarrow 0.9\,\hat\sigma^2 + 0.1\,\frac{m}{m-1}\sigma^2_{\text{batch}}$
# (the unbiased batch variance: it estimates the population's). They start
# at PyTorch's 0 and 1. Over 100 batches of 64 they forget that start and
# settle around the layer's true mean and variance, which here we know.

# %%
running_mean = running_var = None
history = []
for _ in range(100):
    _, running_mean, running_var = batch_norm(batch(64), gamma, beta, running_mean, running_var)
    history.append((np.asarray(running_mean), np.asarray(running_var)))
means, variances = (np.array(h) for h in zip(*history))

# %% tags=["fold"] alt="Running mean and running variance of three channels over training batches, converging to the dashed true values"
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2))
for c in range(C):
    axes[0].plot(means[:, c], color=f"C{c}", label=f"channel {c}")
    axes[0].axhline(MEAN[c], color=f"C{c}", ls="--", lw=0.8)
    axes[1].semilogy(variances[:, c], color=f"C{c}")
    axes[1].axhline(STD[c] ** 2, color=f"C{c}", ls="--", lw=0.8)
axes[0].set_title("running mean (dashed: the true mean)")
axes[1].set_title("running variance (dashed: the true variance)")
for ax in axes:
    ax.set_xlabel("training batch")
axes[0].legend()
plt.tight_layout()
plt.show()

# %%
rows = [
    f"| {c} | {MEAN[c]:.2f} | {means[-1, c]:.3f} | {STD[c] ** 2:.2f} | {variances[-1, c]:.3f} |"
    for c in range(C)
]
Markdown(
    "| channel | true mean | running mean | true variance | running variance |\n"
    "|---|---|---|---|---|\n" + "\n".join(rows)
)

# %% tags=["hide"]
# After 100 steps the start (0, 1) weighs 0.9**100 = 3e-5. In the stationary regime an
# exponential average with weight a of independent batch means (variance s^2 / m) has
# variance a / (2 - a) * s^2 / m; the unbiased batch variance has variance 2 s^4 / (m - 1).
# Six standard deviations of each (plus the start's weight) bound the error.
a, m = 0.1, 64
spread = np.sqrt(a / (2 - a))
assert np.all(np.abs(means[-1] - MEAN) < 6 * spread * STD / np.sqrt(m) + 1e-4 * np.abs(MEAN))
var_err = 6 * spread * STD**2 * np.sqrt(2 / (m - 1)) + 1e-4 * (STD**2 + 1)
assert np.all(np.abs(variances[-1] - STD**2) < var_err)

# %% [markdown]
# ## 3. Training mode and evaluation mode
#
# In training mode a sample is normalised with the statistics of *its batch*,
# so its output depends on which other samples came with it. Put the same
# sample in two batches of 8: it comes out different. In evaluation mode
# (`training=False`) the running statistics are used instead: the output is a
# fixed function of the sample alone, the same in every batch, and a batch of
# one works too (training mode refuses it: one value has no variance).

# %%
sample = MEAN + STD * np.array([[1.0, 1.0, 1.0]])  # one standard deviation above each mean
batch_a, batch_b = np.vstack([sample, batch(7)]), np.vstack([sample, batch(7)])
stats = (running_mean, running_var)
outputs = {
    "training, batch A": batch_norm(batch_a, gamma, beta)[0][0],
    "training, batch B": batch_norm(batch_b, gamma, beta)[0][0],
    "eval, batch A": batch_norm(batch_a, gamma, beta, *stats, training=False)[0][0],
    "eval, batch B": batch_norm(batch_b, gamma, beta, *stats, training=False)[0][0],
    "eval, alone": batch_norm(sample, gamma, beta, *stats, training=False)[0][0],
}
rows = [
    f"| {k} | " + " | ".join(f"{v:.3f}" for v in np.asarray(o)) + " |" for k, o in outputs.items()
]
Markdown("| mode | channel 0 | channel 1 | channel 2 |\n|---|---|---|---|\n" + "\n".join(rows))

# %% tags=["hide"]
out = {k: np.asarray(v) for k, v in outputs.items()}
assert not np.allclose(out["training, batch A"], out["training, batch B"], atol=0.05)
assert np.array_equal(out["eval, batch A"], out["eval, batch B"])
assert np.allclose(out["eval, alone"], out["eval, batch A"], rtol=1e-15)
# with converged running statistics, eval maps "one std above the mean" close to 1
assert np.allclose(out["eval, alone"], 1.0, atol=0.25)
try:
    batch_norm(sample, gamma, beta)
    raise AssertionError("training mode must refuse a batch of one")
except ValueError as err:
    assert "more than one value per channel" in str(err)

# %% [markdown]
# With the running statistics close to the truth, evaluation maps a sample one
# standard deviation above each channel's mean to about 1 in every channel,
# which is what training-mode normalisation does on average. That is the
# contract: train on batch statistics (they are what the gradients see), and
# evaluate with the running ones. Forgetting to switch a model to evaluation
# mode is a classic bug: predictions then change with the batch they are
# computed in.

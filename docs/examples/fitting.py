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
# # Under- and over-fitting
#
# The slides (000 part 5, "Is it really learning?") define the two failures:
#
# - **underfitting**: "poor performance on the training data and poor
#   generalization to other data", solved by a more complex model;
# - **overfitting**: "good performance on the training data, poor
#   generalization to other data", solved by "regularization, BN, dropout".
#
# Both show up in the oldest model there is: a polynomial fitted by least
# squares. We fit polynomials of rising degree to 20 noisy points, measure the
# mean squared error on them and on 20 points held out for validation, and then
# see how an L2 penalty and dropout pull the validation error back down.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown
from numpy.polynomial import legendre

from dlnotes.data import train_val_test_split
from dlnotes.losses import mse, mse_grad
from dlnotes.regularization import dropout, l2_penalty, l2_penalty_grad

rng = np.random.default_rng(1)
x = rng.uniform(-1, 1, 40)
y = np.sin(np.pi * x) + rng.normal(scale=0.25, size=40)  # the truth, plus noise
train, val, _ = train_val_test_split(40, fractions=(0.5, 0.5, 0.0), seed=0)
x_train, y_train, x_val, y_val = x[train], y[train], x[val], y[val]
len(train), len(val)

# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)

# %% [markdown]
# A polynomial of degree $d$ is a linear model of the features
# $1, x, x^2, \dots, x^d$; we use the Legendre polynomials $P_0, \dots, P_d$
# instead of the raw powers (the same models, better-conditioned arithmetic).
# Least squares minimises the training MSE.

# %%
DEGREES = range(13)


def features(x, degree):
    return legendre.legvander(x, degree)  # columns P_0(x) = 1, P_1(x) = x, ..., P_d(x)


def least_squares(x, y, degree, penalty=None):
    """argmin ||y - X w||^2 + w' diag(penalty) w: the normal equations."""
    X = features(x, degree)
    penalty = np.zeros(degree + 1) if penalty is None else penalty
    return np.linalg.solve(X.T @ X + np.diag(penalty), X.T @ y)


def errors(w):
    degree = len(w) - 1
    return (
        float(mse(y_train, features(x_train, degree) @ w)),
        float(mse(y_val, features(x_val, degree) @ w)),
    )


plain = {d: least_squares(x_train, y_train, d) for d in DEGREES}
curves = {"plain": np.array([errors(plain[d]) for d in DEGREES])}

rows = [f"| {d} | {curves['plain'][d, 0]:.3f} | {curves['plain'][d, 1]:.3f} |" for d in DEGREES]
Markdown("| degree | training MSE | validation MSE |\n|---|---|---|\n" + "\n".join(rows))

# %% tags=["hide"]
train_err, val_err = curves["plain"].T
assert np.all(np.diff(train_err) <= 1e-12)  # nested models: the training error never rises
best = int(np.argmin(val_err))
assert best in (3, 4), best
assert train_err[1] > 0.2 and val_err[1] > 0.3  # underfitting: both high
assert train_err[12] < train_err[3] and val_err[12] > 100 * val_err[3]  # overfitting

# %% [markdown]
# The training error falls with every degree: each model contains the
# previous one. The validation error falls, then climbs by orders of
# magnitude. Degree 1 underfits (a line cannot bend like a sine: both errors
# are high), degree 3 fits, degree 12 overfits: 13 coefficients for 20 points
# let the curve chase the noise and swing wildly between the points.

# %% tags=["fold"] alt="Polynomial fits of growing degree through the training points, with the validation points: a low degree underfits, a high degree overfits"
grid = np.linspace(-1, 1, 400)
fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.8), sharey=True)
for ax, (d, title) in zip(axes, [(1, "underfitted"), (3, "good fit"), (12, "overfitted")]):
    ax.plot(grid, features(grid, d) @ plain[d], color="C3", label=f"degree {d}")
    ax.scatter(x_train, y_train, s=18, label="training points")
    ax.scatter(x_val, y_val, s=18, marker="x", color="C2", label="validation points")
    ax.set_title(f"{title}: degree {d}")
    ax.set_xlabel("x")
    ax.set_ylim(-2, 2)
axes[0].set_ylabel("y")
axes[0].legend(loc="lower right")
plt.tight_layout()
plt.show()

# %% [markdown]
# The errors of every degree, on the training and on the validation points:

# %% alt="Training and validation mean squared error against polynomial degree: training error falls, validation error turns back up"
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.semilogy(DEGREES, curves["plain"][:, 0], "o-", label="training")
ax.semilogy(DEGREES, curves["plain"][:, 1], "s-", label="validation")
ax.set_xlabel("polynomial degree")
ax.set_ylabel("mean squared error")
ax.set_title("Training error falls, validation error turns back up")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## An L2 penalty
#
# Add $\frac{\lambda}{2}\sum_{j\ge1} w_j^2$ (`l2_penalty`, the bias $w_0$ left
# out) to the training MSE. Setting the gradient of
# $\frac1m\lVert y - Xw\rVert^2 + \frac{\lambda}{2}\lVert w\rVert^2$ to zero gives
# the normal equations with $\frac{m\lambda}{2}$ added to the diagonal: large
# coefficients now cost something, and the wild swings are no longer worth it.

# %%
LAM = 1e-2
m = len(train)


def ridge_penalty(degree):
    return np.r_[0.0, np.full(degree, m * LAM / 2)]


ridge = {d: least_squares(x_train, y_train, d, ridge_penalty(d)) for d in DEGREES}
curves["L2 penalty"] = np.array([errors(ridge[d]) for d in DEGREES])
w12 = ridge[12]
objective = float(mse(y_train, features(x_train, 12) @ w12) + l2_penalty(w12[1:], lam=LAM))
round(objective, 4)

# %% tags=["hide"]
X12 = features(x_train, 12)
gradient = X12.T @ np.asarray(mse_grad(y_train, X12 @ w12))
gradient[1:] += np.asarray(l2_penalty_grad(w12[1:], lam=LAM))
assert np.max(np.abs(gradient)) < 1e-10  # the closed form is the penalised minimum
assert curves["L2 penalty"][12, 1] < curves["plain"][12, 1] / 1000
assert curves["L2 penalty"][12, 0] > curves["plain"][12, 0]  # it fits the training set less

# %% [markdown]
# ## Dropout
#
# Dropout zeroes each feature $P_1(x), \dots, P_d(x)$ of each sample with
# probability $p$ and divides the kept ones by $1 - p$, a new mask at every
# training step. For a linear model its *expected* training loss has a closed
# form: the plain MSE plus a penalty on each coefficient weighted by its
# feature's size,
#
# $$\mathbb{E}_{\text{mask}}\,\text{MSE} = \text{MSE}(w) + \frac{p}{1 - p}\,
# \frac1m\sum_{j\ge 1} w_j^2 \sum_i X_{ij}^2 .$$
#
# Check it with `dropout`'s own masks, averaged over 2,000 of them, for the
# degree-12 least-squares fit:

# %%
P = 0.2


def dropout_loss(w, seed):
    X = features(x_train, len(w) - 1)
    dropped, _ = dropout(X[:, 1:], P, seed=seed)  # the bias column is kept
    return float(mse(y_train, X[:, 0] * w[0] + dropped @ w[1:]))


w = plain[12]
losses = np.array([dropout_loss(w, seed) for seed in range(2000)])
X = features(x_train, 12)
formula = float(mse(y_train, X @ w)) + P / (1 - P) * np.sum(w[1:] ** 2 * np.mean(X[:, 1:] ** 2, 0))
round(losses.mean()), round(formula), round(losses.std() / np.sqrt(len(losses)))

# %% tags=["hide"]
# the average of 2000 independent losses lies within 6 standard errors of its expectation
assert abs(losses.mean() - formula) < 6 * losses.std() / np.sqrt(len(losses))
assert formula > 1000 * float(mse(y_train, X @ w))

# %% [markdown]
# The average over the masks and the formula agree to within the average's
# standard error (the third number). Both are in the thousands, against a
# training MSE of 0.014 without dropout: the huge, mutually cancelling
# coefficients of the overfitted polynomial are exactly what dropout punishes,
# since one dropped feature is enough to break the cancellation.

# %% [markdown]
# Minimising that expected loss is again a penalised least-squares problem,
# now with $\frac{p}{1-p}\sum_i X_{ij}^2$ on the diagonal.

# %%


def dropout_penalty(degree):
    X = features(x_train, degree)
    return np.r_[0.0, P / (1 - P) * np.sum(X[:, 1:] ** 2, axis=0)]


dropped = {d: least_squares(x_train, y_train, d, dropout_penalty(d)) for d in DEGREES}
curves[f"dropout p = {P}"] = np.array([errors(dropped[d]) for d in DEGREES])

# %% alt="Training and validation error against polynomial degree with and without regularization: regularization flattens the validation curve"
fig, ax = plt.subplots(figsize=(6.5, 3.8))
for k, (name, curve) in enumerate(curves.items()):
    ax.semilogy(DEGREES, curve[:, 1], "o-", color=f"C{k}", label=f"{name}: validation")
    ax.semilogy(DEGREES, curve[:, 0], ":", color=f"C{k}", label=f"{name}: training")
ax.set_xlabel("polynomial degree")
ax.set_ylabel("mean squared error")
ax.set_title("Regularization flattens the validation curve")
ax.legend(ncol=2)
plt.tight_layout()
plt.show()

# %%
rows = [
    f"| {name} | {c[3, 0]:.3f} | {c[3, 1]:.3f} | {c[12, 0]:.3f} | {c[12, 1]:.3f} |"
    for name, c in curves.items()
]
Markdown(
    "| model | degree 3, training | degree 3, validation | degree 12, training "
    "| degree 12, validation |\n|---|---|---|---|---|\n" + "\n".join(rows)
)

# %% tags=["hide"]
drop = curves[f"dropout p = {P}"]
assert drop[12, 1] < curves["plain"][12, 1] / 1000
assert np.all(drop[4:, 1] < 0.2) and np.all(curves["L2 penalty"][3:, 1] < 0.2)
assert np.all(drop[1:, 0] >= curves["plain"][1:, 0])  # both trade training error for validation

# %% [markdown]
# Both penalties raise the training error a little (the dotted lines) and keep
# the validation error of the large models close to the best one: the model
# may still have 13 coefficients, but it can no longer afford to spend them on
# the noise. Dropout's penalty is larger than this $\lambda$ for the low
# degrees, so it underfits degree 3 slightly; its strength, like $\lambda$, is
# chosen on the validation set.

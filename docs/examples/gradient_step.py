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
# # The gradient step 14 → 10.16
#
# Lecture 004 trains one neuron by one step of gradient descent, by hand: input
# $x = (1, 1, 3)$, weights $w = (2, 2, 2)$, bias $b = 4$, identity activation,
# target $\tilde y = 10$. This notebook repeats every number of that example
# with dlnotes, shows the two slips of the slides (errata N4 and X1) beside
# the right formulas, and checks the step against PyTorch's autograd. Every
# number shown is checked when the site is built.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from dlnotes.losses import mse
from dlnotes.neuron import forward, gradients
from dlnotes.optim import gd_step

x = np.array([1.0, 1.0, 3.0])
w = np.array([2.0, 2.0, 2.0])
b = 4.0
y_true = 10.0
lr = 0.04

# %% tags=["hide"]
plt.rcParams.update(
    {
        "figure.dpi": 100,
        "font.size": 11,
        "legend.fontsize": 10,
        "axes.titlesize": 11,
        "axes.grid": True,
        "grid.alpha": 0.3,
    }
)

# %% [markdown]
# ## Forward pass
#
# $s = w_0x_0 + w_1x_1 + w_2x_2 + b = 2 + 2 + 6 + 4 = 14$, and with the
# identity activation $\hat y = a(s) = 14$. The squared-error loss of this one
# sample is $L = (\tilde y - \hat y)^2 = (10 - 14)^2 = 16$.

# %%
y_pred, s = forward(x, w, b, return_preactivation=True)
loss = mse(y_true, y_pred)
print(f"s = {float(s)}, y_pred = {float(y_pred)}, L = {float(loss)}")

# %% tags=["hide"]
assert float(s) == 14.0 and float(y_pred) == 14.0
assert float(loss) == 16.0

# %% [markdown]
# ## Backward pass: the chain rule
#
# $$\frac{\partial L}{\partial w_i} = \frac{\partial s}{\partial w_i}\cdot
# \frac{\partial \hat y}{\partial s}\cdot\frac{\partial L}{\partial \hat y}
# = x_i \cdot 1 \cdot \big(-2(\tilde y - \hat y)\big)$$
#
# The last factor is $-2(10 - 14) = 8$, the identity contributes 1, and each
# weight gets its input as the first factor: $\partial L/\partial w = (8, 8, 24)$.
# The bias acts like a weight whose input is 1: $\partial L/\partial b = 8$.

# %%
g = gradients(x, w, b, y_true)
print(f"dL/dy_pred = {float(g.d_y_pred)}, dL/ds = {float(g.d_s)}")
print(f"dL/dw = {g.d_w.tolist()}, dL/db = {float(g.d_b)}")

# %% tags=["hide"]
assert float(g.d_y_pred) == 8.0 and float(g.d_s) == 8.0
assert g.d_w.tolist() == [8.0, 8.0, 24.0] and float(g.d_b) == 8.0

# %% [markdown]
# **Erratum N4.** One slide of 004 writes the chain for $w_0$ as
# $x_0 \cdot 1 \cdot 2\sum(\tilde y - \hat y)^2$: the error is squared a second
# time and the minus sign of the inner derivative is gone. Evaluated, that
# expression gives 32, four times too much. The derivative of
# $(\tilde y - \hat y)^2$ with respect to $\hat y$ is $-2(\tilde y - \hat y)$,
# which gives the 8 that the following slides use. A finite difference of the
# loss settles it.

# %%
error = y_true - float(y_pred)
slide_expression = x[0] * 1 * 2 * error**2  # as printed: squared, sign lost
right_expression = x[0] * 1 * (-2 * error)


def loss_at(w0):
    return float(mse(y_true, forward(x, [w0, w[1], w[2]], b)))


h = 1e-6
finite_difference = (loss_at(w[0] + h) - loss_at(w[0] - h)) / (2 * h)
print(
    f"slide's expression: {slide_expression}, right: {right_expression}, "
    f"finite difference: {finite_difference:.6f}"
)

# %% tags=["hide"]
assert slide_expression == 32.0 and right_expression == 8.0
assert abs(finite_difference - 8.0) < 1e-5

# %% [markdown]
# **Erratum X1.** The overview slide of the workshop deck (000, part 1)
# "obtains the cost" as $\Delta w = \partial(y_i - \hat y_i)/\partial w$, the
# derivative of the raw error. That derivative is just $-x = (-1, -1, -3)$: it
# does not depend on how wrong the prediction is (it would be the same if
# $\hat y$ were already 10) and it has no learning rate. The update is minus the
# learning rate times the gradient of the *loss*:
# $\Delta w = -\eta\,\partial L/\partial w = -0.04\cdot(8, 8, 24) = (-0.32, -0.32, -0.96)$.

# %%
raw_error_derivative = -x  # d(y_true - (w.x + b))/dw
delta_w = -lr * g.d_w
print(
    f"d(error)/dw = {raw_error_derivative.tolist()}, "
    f"delta w = -lr dL/dw = {np.round(delta_w, 2).tolist()}"
)
# at the target the loss gradient vanishes, the raw error's derivative does not
at_target = gradients(x, [2.0, 2.0, 2.0], 0.0, 10.0)  # s = 10 = target

# %% tags=["hide"]
assert raw_error_derivative.tolist() == [-1.0, -1.0, -3.0]
assert np.allclose(delta_w, [-0.32, -0.32, -0.96])
assert at_target.d_w.tolist() == [0.0, 0.0, 0.0]

# %% [markdown]
# ## The update
#
# With learning rate $\eta = 0.04$:
# $w_0 \leftarrow 2 - 0.04\cdot 8 = 1.68$, $w_1 = 1.68$,
# $w_2 \leftarrow 2 - 0.04\cdot 24 = 1.04$, $b \leftarrow 4 - 0.04\cdot 8 = 3.68$.
# The next forward pass gives $\hat y = 1.68 + 1.68 + 3.12 + 3.68 = 10.16$ and
# the loss drops from 16 to $(10 - 10.16)^2 = 0.0256$.

# %%
w_new = gd_step(w, g.d_w, lr=lr)
b_new = gd_step(b, g.d_b, lr=lr)
y_next = forward(x, w_new, b_new)
loss_next = mse(y_true, y_next)
print(f"w = {np.round(w_new, 2).tolist()}, b = {round(float(b_new), 2)}")
print(f"y_pred = {round(float(y_next), 2)}, L = {round(float(loss_next), 4)}")

# %% tags=["hide"]
assert np.allclose(w_new, [1.68, 1.68, 1.04]) and abs(float(b_new) - 3.68) < 1e-12
assert abs(float(y_next) - 10.16) < 1e-12
assert abs(float(loss_next) - 0.0256) < 1e-12

# %% [markdown]
# ## The same step with PyTorch's autograd
#
# PyTorch builds the same graph, differentiates it and takes the step with
# `torch.optim.SGD`; the numbers agree.

# %%
tw = torch.tensor(w, requires_grad=True)
tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
t_loss = (y_true - (torch.tensor(x) @ tw + tb)) ** 2
t_loss.backward()
print(f"torch: dL/dw = {tw.grad.tolist()}, dL/db = {tb.grad.item()}")
torch.optim.SGD([tw, tb], lr=lr).step()
print(
    f"torch after SGD: w = {np.round(tw.detach().numpy(), 2).tolist()}, b = {round(tb.item(), 2)}"
)

# %% tags=["hide"]
assert tw.grad.tolist() == g.d_w.tolist() and tb.grad.item() == float(g.d_b)
assert np.allclose(tw.detach().numpy(), w_new) and abs(tb.item() - float(b_new)) < 1e-12

# %% [markdown]
# ## More steps
#
# Every step here shrinks the error $\hat y - \tilde y$ by the same factor:
# the step changes $s$ by $-\eta\,\partial L/\partial s\,(\lVert x\rVert^2 + 1)
# = -0.04 \cdot 2(\hat y - \tilde y)\cdot 12$, so the error is multiplied by
# $1 - 0.96 = 0.04$ (4 → 0.16 → 0.0064 …) and the loss by $0.04^2 = 0.0016$.
# Left: the loss as a parabola in $\hat y$ with the first two points; right:
# the loss over five steps.

# %%
params, bias, losses, preds = w, b, [], []
for _ in range(6):
    gk = gradients(x, params, bias, y_true)
    preds.append(float(gk.y_pred))
    losses.append(float(mse(y_true, gk.y_pred)))
    params, bias = gd_step(params, gk.d_w, lr=lr), gd_step(bias, gk.d_b, lr=lr)
print("errors:", [f"{p - y_true:.4g}" for p in preds])
print("losses:", [f"{v:.4g}" for v in losses])

# %% [markdown]
# Left, the loss as a parabola in $\hat y$ with the points before and after the
# first step; right, the loss over the steps on a log scale.

# %% alt="Left: the loss parabola in the prediction with the points before (14, loss 16) and after the step (10.16, loss 0.0256); right: the loss on a log scale falling over five steps"
fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.4), layout="tight")
grid = np.linspace(8, 15, 200)
left.plot(grid, (y_true - grid) ** 2, label=r"$L = (10 - \hat y)^2$")
left.plot([14.0, 10.16], [16.0, 0.0256], "o", color="C3")
left.annotate("before: ŷ = 14, L = 16", (14.0, 16.0), xytext=(8.2, 20), arrowprops={})
left.annotate("after: ŷ = 10.16,\nL = 0.0256", (10.16, 0.0256), xytext=(11, 8), arrowprops={})
left.set(xlabel=r"prediction $\hat y$", ylabel="loss", ylim=(-1, 26))
right.semilogy(range(6), losses, "o-")
right.set(xlabel="gradient steps", ylabel="loss (log scale)", title="× 0.0016 per step")
plt.show()

# %% tags=["hide"]
expected_errors = [4.0 * 0.04**k for k in range(6)]
assert np.allclose(np.array(preds) - y_true, expected_errors, rtol=1e-6, atol=1e-12)
assert np.allclose(losses, np.square(expected_errors), rtol=1e-6, atol=1e-20)
assert losses[0] == 16.0 and abs(losses[1] - 0.0256) < 1e-12

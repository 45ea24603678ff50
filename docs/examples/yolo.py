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
# # YOLO: anchors by k-means, the loss term by term, box decoding
#
# Lecture 003 presents YOLO in two steps. YOLOv1 splits the image into
# $S \times S$ cells, each predicting $B$ boxes with a confidence, and trains
# them with a sum of squared errors (the YOLO loss). YOLOv2 predicts each box
# as a correction of one of 5 "good shape priors found via clustering" and
# keeps its centre inside its cell. This example does the three pieces with
# `dlnotes.detection`: `kmeans_anchors`, `yolo_loss` and `yolo_decode`.

# %%
import itertools

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from matplotlib.patches import Rectangle

from dlnotes.backend import to_numpy
from dlnotes.detection import kmeans_anchors, wh_iou, yolo_decode, yolo_loss

# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)

# %% [markdown]
# ## Anchor shapes by k-means
#
# Generate the widths and heights of 1,500 training boxes in a 416 × 416 image:
# five typical shapes (small squares, tall people, wide cars, ...) with random
# variation. k-means with the distance $d = 1 - \mathrm{IoU}$ of two boxes
# placed at the same corner should find the five shapes back. Euclidean distance
# would let the big boxes dominate: an error of 10 pixels matters for a 20-pixel
# box, not for a 300-pixel one; IoU is relative.

# %%
rng = np.random.default_rng(0)
shapes = np.array([[20.0, 28.0], [50.0, 110.0], [110.0, 60.0], [140.0, 210.0], [320.0, 280.0]])
wh = np.concatenate([s * np.exp(rng.normal(0, 0.15, (300, 2))) for s in shapes])
anchors = to_numpy(kmeans_anchors(wh, k=5, seed=0))
print("anchors (w, h), by area:")
print(np.round(anchors, 1))

# %% tags=["hide"]
assert np.allclose(anchors, shapes, rtol=0.05)  # the planted shapes, found back
assert np.round(anchors, 1).tolist() == [
    [20.0, 28.5],
    [50.1, 110.7],
    [113.0, 59.8],
    [140.0, 213.2],
    [321.8, 279.1],
]

# %% [markdown]
# The training boxes' widths and heights, and the five anchor shapes k-means
# finds among them:

# %%
fit = to_numpy(wh_iou(wh, anchors))
cluster = fit.argmax(axis=1)
mean_iou = float(fit.max(axis=1).mean())
print(f"mean IoU between a box and its anchor: {mean_iou:.3f}")

# %% alt="Scatter of training box widths against heights with the 5 anchor shapes found by k-means on 1 - IoU"
fig, ax = plt.subplots(figsize=(6, 5))
ax.scatter(wh[:, 0], wh[:, 1], c=cluster, cmap="tab10", vmax=9, s=6, alpha=0.6)
ax.scatter(
    anchors[:, 0], anchors[:, 1], marker="*", s=300, c="black", label="anchors (k-means, 1 - IoU)"
)
ax.set_xlabel("box width (pixels)")
ax.set_ylabel("box height (pixels)")
ax.legend(loc="upper left")
ax.set_title("Training box sizes and the 5 anchor shapes")
plt.show()

# %% tags=["hide"]
assert round(mean_iou, 3) == 0.797

# %% [markdown]
# How many anchors? YOLOv2 plots the mean IoU against $k$ and picks 5 as a
# trade-off between fit and model size. On these boxes the curve bends at the
# 5 planted shapes:

# %%
ks = list(range(1, 10))
curve = [
    float(to_numpy(wh_iou(wh, kmeans_anchors(wh, k=k, seed=0))).max(axis=1).mean()) for k in ks
]
print(" ".join(f"k={k}: {v:.3f}" for k, v in zip(ks, curve)))

# %% alt="Mean IoU with the closest anchor rising with the number of anchors k"
fig, ax = plt.subplots(figsize=(5, 3.2))
ax.plot(ks, curve, "o-")
ax.axvline(5, color="grey", ls=":")
ax.set_xlabel("number of anchors k")
ax.set_ylabel("mean IoU with the closest anchor")
plt.show()

# %% tags=["hide"]
assert [round(v, 3) for v in curve] == [
    0.301,
    0.465,
    0.605,
    0.693,
    0.797,
    0.805,
    0.812,
    0.816,
    0.826,
]
assert all(b > a for a, b in itertools.pairwise(curve))  # more anchors always fit better
assert curve[4] - curve[3] > 5 * (curve[5] - curve[4])  # ... but little beyond 5

# %% [markdown]
# ## The YOLO loss on a 2 × 2 grid, term by term
#
# $S = 2$ cells per side, $B = 2$ boxes per cell, $C = 2$ classes. One object
# has its centre in cell (0, 0), at the cell's middle $(x, y) = (0.5, 0.5)$, with
# size $(w, h) = (0.36, 0.64)$ of the image, class 1. Targets are per cell
# $(x, y, w, h, \mathbb 1^{obj}, p(1), p(2))$; predictions per cell two boxes
# $(\hat x, \hat y, \hat w, \hat h, \hat C)$, then $\hat p(1), \hat p(2)$.

# %%
y_true = np.zeros((2, 2, 7))
y_true[0, 0] = [0.5, 0.5, 0.36, 0.64, 1.0, 1.0, 0.0]
y_pred = np.zeros((2, 2, 12))
y_pred[0, 0] = [
    0.4,
    0.6,
    0.16,
    0.36,
    0.5,  # box 0: inside the object's box
    0.0,
    0.0,
    0.04,
    0.04,
    0.2,  # box 1: a tiny box at the cell's corner
    0.7,
    0.3,
]  # class probabilities
y_pred[0, 1, 4], y_pred[1, 0, 4], y_pred[1, 1, 9] = 0.1, 0.2, 0.4  # confidences in empty cells

# %% [markdown]
# **Who is responsible?** In image units the object spans $x \in [0.07, 0.43]$,
# $y \in [-0.07, 0.57]$ (centre $(0.5/S, 0.5/S) = (0.25, 0.25)$). Box 0 spans
# $[0.12, 0.28] \times [0.12, 0.48]$, inside it: IoU $= 0.16 \cdot 0.36 / (0.36
# \cdot 0.64) = 0.25$. Box 1 spans $[-0.02, 0.02]^2$ and misses it: IoU 0. Box 0
# is responsible ($\mathbb 1^{obj}_{00} = 1$), and its target confidence is its
# IoU, $C = 0.25$; box 1 and every box of the empty cells are
# $\mathbb 1^{noobj}$, with target 0.

# %% tags=["fold"] alt="A 2x2 grid with an object box and YOLO's two predicted boxes of cell (0, 0), one with IoU 0.25, one with IoU 0"
fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.axvline(0.5, color="grey")  # the cell borders of the 2 x 2 grid, in image units
ax.axhline(0.5, color="grey")
ax.add_patch(
    Rectangle((0.07, -0.07), 0.36, 0.64, fill=False, lw=2, edgecolor="tab:green", label="object")
)
ax.add_patch(
    Rectangle(
        (0.12, 0.12), 0.16, 0.36, fill=False, lw=2, edgecolor="tab:red", label="box 0 (IoU 0.25)"
    )
)
ax.add_patch(
    Rectangle(
        (-0.02, -0.02), 0.04, 0.04, fill=False, lw=2, edgecolor="tab:purple", label="box 1 (IoU 0)"
    )
)
ax.plot(0.25, 0.25, "+", color="tab:green", ms=12)
ax.set_xlim(-0.1, 1)
ax.set_ylim(1, -0.1)
ax.set_aspect("equal")
ax.legend(loc="lower right")
ax.set_title("2 x 2 grid, cell (0, 0)")
plt.show()

# %% [markdown]
# With $\lambda_{coord} = 5$ and $\lambda_{noobj} = 0.5$:
#
# | term | by hand | value |
# | --- | --- | --- |
# | centre | $5\,[(0.5 - 0.4)^2 + (0.5 - 0.6)^2]$ | 0.1 |
# | size | $5\,[(\sqrt{0.36} - \sqrt{0.16})^2 + (\sqrt{0.64} - \sqrt{0.36})^2]$ | 0.4 |
# | confidence, responsible | $(C - \hat C)^2 = (0.25 - 0.5)^2$ | 0.0625 |
# | confidence, not responsible | $0.5\,(0.2^2 + 0.1^2 + 0.2^2 + 0.4^2)$ | 0.125 |
# | class | $(1 - 0.7)^2 + (0 - 0.3)^2$ | 0.18 |
# | **total** | | **0.8675** |

# %%
by_hand = {
    "xy": 5 * ((0.5 - 0.4) ** 2 + (0.5 - 0.6) ** 2),
    "wh": 5 * ((0.6 - 0.4) ** 2 + (0.8 - 0.6) ** 2),
    "obj": (0.25 - 0.5) ** 2,
    "noobj": 0.5 * (0.2**2 + 0.1**2 + 0.2**2 + 0.4**2),
    "class": (1 - 0.7) ** 2 + (0 - 0.3) ** 2,
}
loss, terms = yolo_loss(y_true, y_pred, return_terms=True)
rows = [f"| {k} | {by_hand[k]:.4f} | {float(terms[k]):.4f} |" for k in by_hand]
rows.append(f"| **total** | | **{float(loss):.4f}** |")
display(Markdown("| term | by hand | `yolo_loss` |\n|---|--:|--:|\n" + "\n".join(rows)))

rounded = {k: round(v, 4) for k, v in by_hand.items()}

# %% tags=["hide"]
assert rounded == {"xy": 0.1, "wh": 0.4, "obj": 0.0625, "noobj": 0.125, "class": 0.18}
assert all(abs(float(terms[k]) - by_hand[k]) < 1e-12 for k in by_hand)
assert round(float(loss), 4) == 0.8675

# %% [markdown]
# The first loss slide of 003 writes the confidence target as $\hat C_i$, a
# prediction; the later slide's $C_i$ is the ground truth's (erratum X6). With
# the target 1 instead of the IoU (`confidence_target="one"`), the responsible
# term is $(1 - 0.5)^2 = 0.25$:

# %%
loss_one = float(yolo_loss(y_true, y_pred, confidence_target="one"))
print(f"total with target 1: {loss_one:.4f}")

# %% tags=["hide"]
assert round(loss_one, 4) == 1.055

# %% [markdown]
# ## YOLOv2 decoding: the centre stays in its cell
#
# For the cell in column $c_x$, row $c_y$ and a prior $(p_w, p_h)$ the
# network's outputs $t$ become
#
# $$b_x = \sigma(t_x) + c_x, \quad b_y = \sigma(t_y) + c_y, \quad
# b_w = p_w e^{t_w}, \quad b_h = p_h e^{t_h}$$
#
# in grid units. Below, a 4 × 4 grid with two priors, and predictions in cell
# (row 1, column 2) only. With $t = 0$ a box is its prior at the cell's centre
# (box 0: the dashed prior lies under the decoded box). Even $t_x = 10$ leaves
# the centre inside the cell (box 1).

# %%
priors = np.array([[1.0, 2.0], [2.5, 1.2]])  # grid units
t = np.zeros((4, 4, 2, 4))
t[1, 2, 0] = [0.0, 0.0, 0.0, 0.0]  # the prior itself, centred in the cell
t[1, 2, 1] = [10.0, -1.0, np.log(1.2), -np.log(2.0)]  # far right, a bit up; wider, half as tall
decoded = to_numpy(yolo_decode(t, priors))
for a in range(2):
    print(
        f"prior {a}: t = {t[1, 2, a].round(3).tolist()} -> b = {decoded[1, 2, a].round(5).tolist()}"
    )

# %% tags=["hide"]
assert decoded[1, 2, 0].tolist() == [2.5, 1.5, 1.0, 2.0]
assert np.allclose(decoded[1, 2, 1], [2 + 1 / (1 + np.exp(-10.0)), 1 + 1 / (1 + np.e), 3.0, 0.6])
assert decoded[1, 2, 1].round(5).tolist() == [2.99995, 1.26894, 3.0, 0.6]
assert 2 <= decoded[1, 2, 1, 0] <= 3  # sigma(10) = 0.99995: still in column 2

# %% [markdown]
# The two priors of the cell (dashed) and the boxes decoded from them:

# %% tags=["fold"] alt="Anchor priors (dashed) and the decoded boxes around cell (row 1, column 2)"
fig, ax = plt.subplots(figsize=(5, 5))
for k in range(5):
    ax.axvline(k, color="lightgrey")
    ax.axhline(k, color="lightgrey")
ax.add_patch(Rectangle((2, 1), 1, 1, color="tab:blue", alpha=0.15, label="cell (row 1, col 2)"))
for a, color in enumerate(("tab:red", "tab:purple")):
    bx, by, bw, bh = decoded[1, 2, a]
    pw, ph = priors[a]
    prior_corner = (2.5 - pw / 2, 1.5 - ph / 2)
    ax.add_patch(
        Rectangle(prior_corner, pw, ph, fill=False, ls="--", edgecolor=color, label=f"prior {a}")
    )
    ax.add_patch(
        Rectangle(
            (bx - bw / 2, by - bh / 2),
            bw,
            bh,
            fill=False,
            lw=2,
            edgecolor=color,
            label=f"decoded {a}",
        )
    )
    ax.plot(bx, by, "o", color=color)
ax.set_xlim(-0.2, 4.8)
ax.set_ylim(4.2, -0.2)
ax.set_aspect("equal")
ax.legend(loc="lower left")
ax.set_title("Priors (dashed) and decoded boxes")
plt.show()

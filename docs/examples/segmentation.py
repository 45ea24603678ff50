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
# # A small fully convolutional network segments shapes
#
# Semantic segmentation (lecture 003, C7) classifies every pixel. A fully
# convolutional network does it with convolutions only: no dense layer, so
# the output is a map of class scores the size of the input. We generate
# images of squares and disks on a noisy background, train a three-layer
# network built from dlnotes' `conv2d` and `conv2d_backward` with the
# per-pixel loss `softmax_cross_entropy` over the class axis, and measure it
# with `mean_iou`:
#
# $$L = -\frac{1}{N H W}\sum_{n,i,j} \log \operatorname{softmax}(z_{n,:,i,j})_{y_{n,i,j}},
# \qquad \mathrm{mIoU} = \frac{1}{K}\sum_{k=1}^{K} \frac{TP_k}{TP_k + FP_k + FN_k}$$
#
# with $z$ the network's scores of shape $(N, K, H, W)$ and $y$ the true class
# of every pixel.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown

from dlnotes.activations import relu, relu_grad
from dlnotes.conv import conv2d, conv2d_backward
from dlnotes.losses import softmax_cross_entropy_and_grad
from dlnotes.metrics import mean_iou
from dlnotes.optim import adam_step

rng = np.random.default_rng(0)
SIZE, CLASSES = 24, ("background", "square", "disk")


def make_images(n):
    """n noisy images with one square and one disk each, and their per-pixel labels."""
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    images, labels = np.zeros((n, 1, SIZE, SIZE)), np.zeros((n, SIZE, SIZE), dtype=np.int64)
    for i in range(n):
        r, c, h = rng.integers(2, SIZE - 9), rng.integers(2, SIZE - 9), rng.integers(4, 8)
        labels[i, r : r + h, c : c + h] = 1
        cy, cx, rad = rng.uniform(5, SIZE - 5), rng.uniform(5, SIZE - 5), rng.uniform(2.5, 4.5)
        labels[i][(rows - cy) ** 2 + (cols - cx) ** 2 < rad**2] = 2  # the disk on top
        images[i, 0] = (labels[i] > 0) + 0.3 * rng.standard_normal((SIZE, SIZE))
    return images, labels


train_x, train_y = make_images(64)
test_x, test_y = make_images(16)

# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)

# %% [markdown]
# ## The network
#
# Both shapes are equally bright, so a pixel's class depends on its
# surroundings: is the edge nearby straight or round? A 3x3 convolution, then
# a 3x3 convolution with **dilation 2** (it widens the receptive field to
# 7x7 without pooling, as DeepLabV3's atrous layers do), then a 1x1
# convolution to three class scores per pixel. Padding keeps every map
# 24x24.

# %%
LAYERS = [(8, 1, 3, 1), (16, 8, 3, 2), (3, 16, 1, 1)]  # (out, in, kernel, dilation)
params = []
for c_out, c_in, k, _ in LAYERS:
    params += [rng.normal(size=(c_out, c_in, k, k)) * np.sqrt(2 / (c_in * k * k)), np.zeros(c_out)]


def forward(x, params):
    """The logits (N, 3, H, W) and every layer's input, for the backward pass."""
    inputs, pre = [], []
    for i, (_, _, k, d) in enumerate(LAYERS):
        inputs.append(x)
        z = conv2d(x, params[2 * i], params[2 * i + 1], padding=d * (k - 1) // 2, dilation=d)
        pre.append(z)
        x = relu(z) if i < len(LAYERS) - 1 else z
    return x, inputs, pre


def loss_and_grads(x, y, params):
    logits, inputs, pre = forward(x, params)
    loss, grad = softmax_cross_entropy_and_grad(y, logits, axis=1)  # per pixel, class axis 1
    grads = [None] * len(params)
    for i in reversed(range(len(LAYERS))):
        _, _, k, d = LAYERS[i]
        if i < len(LAYERS) - 1:
            grad = grad * relu_grad(pre[i])
        gx, grads[2 * i], grads[2 * i + 1] = conv2d_backward(
            grad, inputs[i], params[2 * i], padding=d * (k - 1) // 2, dilation=d
        )
        grad = gx
    return float(loss), grads


def predict(x, params):
    return np.argmax(forward(x, params)[0], axis=1)


# %% [markdown]
# ## Training
#
# Adam on mini-batches of 16 of the 64 training images, 100 epochs; the
# mean IoU is measured on 16 test images after each epoch.

# %%
EPOCHS = 100
states = [None] * len(params)
losses, ious = [], []
for _ in range(EPOCHS):
    order = rng.permutation(len(train_x))
    for start in range(0, len(order), 16):
        batch = order[start : start + 16]
        loss, grads = loss_and_grads(train_x[batch], train_y[batch], params)
        for j, g in enumerate(grads):
            params[j], states[j] = adam_step(params[j], g, states[j], lr=0.01)
        losses.append(loss)
    ious.append(float(mean_iou(test_y, predict(test_x, params), n_classes=3)))

# %% alt="Left: the per-pixel cross-entropy falling over updates; right: the mean IoU on the test images rising over epochs"
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2))
axes[0].plot(losses)
axes[0].set_xlabel("update")
axes[0].set_ylabel("per-pixel cross-entropy")
axes[1].plot(np.arange(1, EPOCHS + 1), ious)
axes[1].set_xlabel("epoch")
axes[1].set_ylabel("mean IoU on the test images")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Result
#
# Test images, their true labels and the network's per-pixel prediction.
# Shape against background is nearly perfect; square against disk is where
# the errors are. The network's receptive field is 7x7 (3x3, then 3x3 with
# dilation 2), smaller than most shapes, so a pixel deep inside a shape sees
# no edge to tell it which one it is in, and with 64 training images the
# training loss falls much further than the test IoU rises. A wider field
# (another dilated layer) or pooling with upsampling, as in the segmentation
# networks of the lecture, is the cure.

# %%
pred = predict(test_x, params)

# %% tags=["fold"] alt="Four test images of shapes, with their true label maps and the network's predicted label maps below them"
fig, axes = plt.subplots(3, 4, figsize=(7.2, 5.4))
for j in range(4):
    for row, (img, title) in enumerate(
        [(test_x[j, 0], "image"), (test_y[j], "true labels"), (pred[j], "prediction")]
    ):
        style = {"cmap": "gray"} if row == 0 else {"cmap": "viridis", "vmin": 0, "vmax": 2}
        axes[row, j].imshow(img, **style)
        axes[row, j].set_title(title)
        axes[row, j].set_xticks([])
        axes[row, j].set_yticks([])
plt.tight_layout()
plt.show()

# %%
per_class = mean_iou(test_y, pred, n_classes=3, average=None)
Markdown(
    "| class | IoU on the test images |\n|---|---|\n"
    + "\n".join(f"| {name} | {float(v):.3f} |" for name, v in zip(CLASSES, per_class))
    + f"\n| **mean IoU** | **{ious[-1]:.3f}** |"
)

# %% tags=["hide"]
assert losses[-1] < 0.5 * losses[0]
assert ious[-1] > 0.6, ious[-1]
assert np.isclose(ious[-1], float(np.mean(per_class)))

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
# # Looking inside a small CNN
#
# Lecture 003 opens a trained CNN in two ways. **Gradient ascent in the input
# space** keeps the weights frozen and changes the image instead: towards what
# one class likes most (V1), what one filter likes most (V2), or more of
# whatever a layer already sees (Deep Dream, V3). **Grad-CAM and CAM** (V4, V5)
# explain one prediction with a heatmap: which positions of the final
# convolutional layer spoke for the class.
#
# All of it needs one thing from the network: gradients with respect to the
# input and to the final feature maps. We get them from the small CNN of
# `dlnotes.cnn`, written with dlnotes' own `conv2d`, `relu`, `max_pool2d`
# and their backward functions, trained here on generated images of four
# shapes. Nothing is downloaded.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown

from dlnotes.cnn import init_small_cnn, small_cnn_backward, small_cnn_forward
from dlnotes.losses import softmax_cross_entropy, softmax_cross_entropy_grad
from dlnotes.optim import adam_step
from dlnotes.visualize import (
    cam,
    deep_dream_step,
    filter_ascent_step,
    grad_cam,
    gradient_ascent_step,
)

rng = np.random.default_rng(0)
SIZE, CLASSES = 16, ("square", "circle", "horizontal stripes", "vertical stripes")


def make_images(n):
    """n noisy 16x16 images, one shape each at a random place and size, and their classes."""
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    labels = rng.integers(0, len(CLASSES), size=n)
    images = 0.3 * rng.standard_normal((n, 1, SIZE, SIZE))
    for i, label in enumerate(labels):
        s = rng.integers(6, 10)  # the shape's size
        r, c = rng.integers(0, SIZE - s, size=2)
        inside = (rows >= r) & (rows < r + s) & (cols >= c) & (cols < c + s)
        if label == 1:  # a ring of width about 1.5 pixels
            d = np.hypot(rows - r - (s - 1) / 2, cols - c - (s - 1) / 2)
            inside = (d < s / 2) & (d > s / 2 - 1.5)
        elif label == 2:
            inside &= (rows - r) % 3 == 0
        elif label == 3:
            inside &= (cols - c) % 3 == 0
        images[i, 0][inside] += 1.0
    return images, labels


train_x, train_y = make_images(512)
test_x, test_y = make_images(128)

# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "axes.titlesize": 11, "legend.fontsize": 10}
)


def show(ax, image, title, **style):
    ax.imshow(image, **({"cmap": "gray"} | style))
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


# %% [markdown]
# Four training images of each class: a filled square, a circle, and horizontal
# or vertical stripes, on a noisy background.

# %% alt="Four noisy 16 by 16 training images of each class: filled squares, circles, horizontal and vertical stripes"
fig, axes = plt.subplots(4, 4, figsize=(7.2, 7.2))
for k, name in enumerate(CLASSES):
    for j, i in enumerate(np.flatnonzero(train_y == k)[:4]):
        show(axes[j, k], train_x[i, 0], name if j == 0 else "")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The network and its training
#
# conv 3x3 (8 filters) → ReLU → max-pool 2x2 → conv 3x3 (16 filters) → ReLU →
# global average pool → linear: `init_small_cnn` draws the parameters,
# `small_cnn_forward` gives the class scores (the logits, before the softmax)
# and `small_cnn_backward` the gradients. One training step is the softmax
# cross-entropy's gradient sent back through the network, then Adam on every
# parameter:


# %%
def train(x, y, params, epochs=8, batch=32, lr=0.01, seed=1):
    """Adam on mini-batches; returns the trained parameters and the loss of each update."""
    order_rng, states, losses = np.random.default_rng(seed), {}, []
    for _ in range(epochs):
        order = order_rng.permutation(x.shape[0])
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            logits, cache = small_cnn_forward(params, x[idx])
            losses.append(float(softmax_cross_entropy(y[idx], logits)))
            grads = small_cnn_backward(params, cache, softmax_cross_entropy_grad(y[idx], logits))
            for key in params:
                params[key], states[key] = adam_step(
                    params[key], grads[key], states.get(key), lr=lr
                )
    return params, losses


def accuracy(params, x, y):
    logits, _ = small_cnn_forward(params, x)
    return float((np.argmax(np.asarray(logits), axis=1) == np.asarray(y)).mean())


start = time.perf_counter()
params, losses = train(train_x, train_y, init_small_cnn(n_classes=4, seed=0))
seconds_numpy = time.perf_counter() - start
test_accuracy = accuracy(params, test_x, test_y)

# %% [markdown]
# The same function trains on torch tensors: the dlnotes functions take any
# array-API backend, so only the inputs change.

# %%
t_params = {k: torch.asarray(v) for k, v in init_small_cnn(n_classes=4, seed=0).items()}
start = time.perf_counter()
t_params, t_losses = train(torch.asarray(train_x), torch.asarray(train_y), t_params)
seconds_torch = time.perf_counter() - start
t_accuracy = accuracy(t_params, torch.asarray(test_x), torch.asarray(test_y))

Markdown(
    f"| backend | training time ({len(losses)} updates of 32 images) | test accuracy |\n"
    "|---|---|---|\n"
    f"| NumPy | {seconds_numpy:.1f} s | {test_accuracy:.1%} |\n"
    f"| torch (CPU) | {seconds_torch:.1f} s | {t_accuracy:.1%} |"
)

# %% tags=["hide"]
assert test_accuracy > 0.9, test_accuracy
assert abs(t_accuracy - test_accuracy) < 0.02
assert np.allclose(losses, t_losses, rtol=1e-6, atol=1e-9)  # the same float64 numbers
assert losses[-1] < 0.3 * losses[0]

# %% [markdown]
# The training loss per update, NumPy and torch on top of each other (both
# compute in float64, from the same seed):

# %% alt="Cross-entropy loss per update falling from about 1.4 to near 0.1; the NumPy and torch curves coincide"
fig, ax = plt.subplots(figsize=(7.2, 2.6))
ax.plot(losses, label="NumPy")
ax.plot(t_losses, "--", label="torch")
ax.set_xlabel("update")
ax.set_ylabel("cross-entropy")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## V1: the input that maximises a class
#
# $I \leftarrow I + \eta\,\nabla f_c(I)$, with $f_c$ the class score **before**
# the softmax and the weights frozen (`gradient_ascent_step`). The gradient is
# `small_cnn_backward` of a one-hot ``grad_logits``. We start from faint noise
# (an all-zero image would give zero ReLU gradients) and, as Simonyan et al.
# do, subtract an L2 penalty $\lambda\lVert I\rVert^2$ and keep the pixels in
# the data's range, so that the image cannot grow without bound.


# %%
def class_gradient(image, c):
    """The gradient of the class score f_c with respect to the images, the weights fixed."""
    logits, cache = small_cnn_forward(params, image)
    one_hot = np.zeros(logits.shape)
    one_hot[:, c] = 1.0
    return small_cnn_backward(params, cache, one_hot)["input"]


start_image = 0.01 * rng.standard_normal((1, 1, SIZE, SIZE))
class_images = []
for c in range(len(CLASSES)):
    image = start_image.copy()
    for _ in range(100):
        step = gradient_ascent_step(image, class_gradient(image, c) - 0.1 * image, lr=0.5)
        image = np.clip(step, -1.0, 2.0)  # and within the pixel range of the data
    class_images.append(image)

# %% tags=["hide"]
for c, image in enumerate(class_images):
    logits, _ = small_cnn_forward(params, image)
    start_logits, _ = small_cnn_forward(params, start_image)
    assert logits[0, c] > start_logits[0, c] + 5.0, (c, logits)
    if c == 1:  # the page says: the circle's image raises the square's score more
        assert logits[0, 0] > logits[0, 1], logits
    else:
        assert np.argmax(logits[0]) == c, (c, logits)

# %% [markdown]
# Each class's maximising image: what the network looks for. The stripe
# classes come out as stripes of their orientation and the square as a bright
# patch. The circle's image, a bright field with dark borders, raises the
# square's score even more than the circle's: V1 climbs one score, not the
# softmax probability, and what a circle detector likes is also bright.

# %% alt="Four images that maximise the square, circle, horizontal-stripes and vertical-stripes scores"
fig, axes = plt.subplots(1, 4, figsize=(7.2, 2.2))
for c, image in enumerate(class_images):
    show(axes[c], image[0, 0], CLASSES[c], cmap="magma")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## V2: a filter's maximal input
#
# The same ascent on one filter's mean activation in the last convolutional
# layer, ``features[:, n]``: its gradient enters `small_cnn_backward` as
# ``grad_features`` (1/|I×J| on channel $n$, zero elsewhere), with zero
# ``grad_logits``. `filter_ascent_step` divides the gradient by its root mean
# square, the slide's "trick": every step moves the pixels by about $\eta$.


# %%
def filter_gradient(image, n):
    logits, cache = small_cnn_forward(params, image)
    seed = np.zeros(cache["features"].shape)
    seed[:, n] = 1.0 / (seed.shape[-2] * seed.shape[-1])  # d mean(features[:, n]) / d features
    grads = small_cnn_backward(params, cache, np.zeros(logits.shape), grad_features=seed)
    return grads["input"], float(cache["features"][:, n].mean())


_, test_cache = small_cnn_forward(params, test_x)
busiest = np.argsort(-test_cache["features"].mean(axis=(0, 2, 3)))[:8]  # the most active filters
random_image = 0.5 * rng.standard_normal((1, 1, SIZE, SIZE))  # the slide's "random image"
filter_images, gains = [], []
for n in busiest:
    image = random_image.copy()
    _, before = filter_gradient(image, n)
    for _ in range(30):
        grad, _ = filter_gradient(image, n)
        image = np.clip(filter_ascent_step(image, grad, lr=0.05), -2.0, 2.0)
    filter_images.append(image)
    gains.append(filter_gradient(image, n)[1] - before)

# %% tags=["hide"]
assert all(g > 0 for g in gains), gains

# %% [markdown]
# The maximal inputs of the eight filters (of sixteen) most active on the test
# images: edges, blobs and stripes of one orientation.

# %% alt="Eight small images, each the input that most activates one filter of the last convolutional layer"
fig, axes = plt.subplots(1, 8, figsize=(7.2, 1.4))
for j, (n, image) in enumerate(zip(busiest, filter_images)):
    show(axes[j], image[0, 0], f"filter {n}", cmap="magma")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## V3: Deep Dream
#
# Start from a real image and ascend all the layer's activations at once, here
# $\frac12\sum A^2$, whose gradient with respect to the features is the
# features themselves. `deep_dream_step` scales the gradient by its inverse L1
# norm (the mean absolute value); the slide's $\epsilon_{iter}$, the
# randomness of each iteration, is a random shift of the image before the
# step, undone after it.

# %%
dream = test_x[:4].copy()
energy = []
for _ in range(20):
    shift = rng.integers(-2, 3, size=2)
    jittered = np.roll(dream, shift, axis=(2, 3))
    logits, cache = small_cnn_forward(params, jittered)
    energy.append(float(0.5 * (cache["features"] ** 2).sum()))
    grad = small_cnn_backward(
        params, cache, np.zeros(logits.shape), grad_features=cache["features"]
    )["input"]
    dream = np.roll(deep_dream_step(jittered, grad, lr=0.02), -shift, axis=(2, 3))

# %% tags=["hide"]
assert energy[-1] > 2 * energy[0], energy

# %% [markdown]
# Four test images (top) and their dreams (bottom). The square swells into a
# smooth bright blob, and a bright blob grows where the first image's stripes
# are brightest: bright regions are what this layer responds to most strongly,
# so they are what the dream reinforces.

# %% alt="Top row: four test images; bottom row: the same images after 20 Deep Dream steps, the square grown into a bright blob"
fig, axes = plt.subplots(2, 4, figsize=(7.2, 3.8))
for j in range(4):
    show(axes[0, j], test_x[j, 0], CLASSES[test_y[j]])
    show(axes[1, j], dream[j, 0], "dreamed")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## V4, V5: Grad-CAM and CAM
#
# For each test image, the class the network predicts, $c$: Grad-CAM weighs
# the 16 feature maps $A^{(L)}_k$ (8x8) by the spatial mean of
# $\partial f_c/\partial A^{(L)}_k$, sums, keeps the positive part and divides
# by the maximum (`grad_cam`). CAM weighs them by the linear head's weights of
# class $c$ (`cam`). For this network, global average pooling then a linear
# layer, the two are the same map up to Grad-CAM's ReLU: the gradient is
# $w^c_k/|I\times J|$ at every position.

# %%
images = test_x[:6]
logits, cache = small_cnn_forward(params, images)
predicted = np.argmax(logits, axis=1)
one_hot = np.eye(len(CLASSES))[predicted]
d_features = small_cnn_backward(params, cache, one_hot)["features"]
grad_cams = grad_cam(cache["features"], d_features)
cams = cam(cache["features"], params["linear_weight"][predicted])

# %% tags=["hide"]
same = grad_cam(cache["features"], d_features, relu=False)
assert np.allclose(same, cams), "CAM must equal Grad-CAM (before its ReLU) for GAP + linear"
positive = np.maximum(
    cam(cache["features"], params["linear_weight"][predicted], normalize=False), 0
)
assert np.allclose(grad_cams, positive / positive.max(axis=(1, 2), keepdims=True))
assert grad_cams.min() >= 0 and np.allclose(grad_cams.max(axis=(1, 2)), 1)

# %% [markdown]
# Six test images, their Grad-CAM heatmap and their CAM heatmap, side by side
# (the 8x8 maps stretched over the 16x16 image): both light up the shape.

# %% alt="Six test images with their Grad-CAM and CAM heatmaps overlaid; the heat sits on the shape in each"
fig, axes = plt.subplots(3, 6, figsize=(7.2, 4.0))
extent = (-0.5, SIZE - 0.5, SIZE - 0.5, -0.5)
for j in range(6):
    title = f"{CLASSES[test_y[j]]}"
    show(axes[0, j], images[j, 0], title.replace(" stripes", "\nstripes"))
    for row, heat, name in ((1, grad_cams[j], "Grad-CAM"), (2, cams[j], "CAM")):
        show(axes[row, j], images[j, 0], name)
        axes[row, j].imshow(heat, cmap="jet", alpha=0.5, extent=extent, interpolation="bilinear")
plt.tight_layout()
plt.show()

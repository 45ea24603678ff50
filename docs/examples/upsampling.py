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
# # Upsampling: insert zeros, then convolve
#
# A segmentation network ends at a coarse map and must return to the image's
# resolution. The lecture's aside (003): integer upsampling by nearest
# neighbour, linear or cubic interpolation "are all equivalent to inserting
# zeros and applying a convolutional filter", and a **transposed
# convolution** is the same recipe with a *learned* filter. We follow the
# slide's 4x4 grid, then compare the four on an image.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown

from dlnotes.conv import (
    conv2d,
    conv_transpose2d,
    upsample_bicubic,
    upsample_bilinear,
    upsample_nearest,
    zero_insert,
)

# %% tags=["hide"]
plt.rcParams.update(
    {
        "figure.dpi": 100,
        "font.size": 11,
        "legend.fontsize": 10,
        "axes.titlesize": 10,
        "image.cmap": "viridis",
        "figure.constrained_layout.use": True,
    }
)


def table(a, fmt="{:g}"):
    """A 2-D array as a Markdown table (blank header row)."""
    head = "|" + " |" * a.shape[1] + "\n|" + "---|" * a.shape[1] + "\n"
    return head + "\n".join("| " + " | ".join(fmt.format(v) for v in row) + " |" for row in a)


# %% [markdown]
# ## 1. The slide's grid, step by step
#
# Zero insertion puts one zero between neighbours: the 4x4 grid 1..16
# becomes 7x7, the originals at the even positions.

# %%
grid = np.arange(1.0, 17.0).reshape(4, 4)
zeros = zero_insert(grid)
Markdown(table(zeros))

# %% [markdown]
# Then the slide's bilinear filter,
# $K = \begin{bmatrix}.25&.5&.25\\.5&1&.5\\.25&.5&.25\end{bmatrix}$. An
# original meets the centre weight 1 and zeros around it: it is **kept**. A
# point between two originals meets two weights 0.5: their **average**. The
# centre of four originals meets four weights 0.25.

# %%
K = np.array([[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])
filtered = conv2d(zeros[None, None], K[None, None], padding=1)[0, 0]
Markdown(table(filtered))

# %% tags=["hide"]
assert np.array_equal(filtered, upsample_bilinear(grid))
assert np.array_equal(filtered[::2, ::2], grid)
assert np.allclose(filtered[::2, 1::2], (grid[:, :-1] + grid[:, 1:]) / 2)
assert np.allclose(filtered[1::2, 1::2], (grid[:-1, :-1] + grid[1:, 1:]) / 2)
assert filtered[1, 1] == 3.5

# %% [markdown]
# That is `upsample_bilinear(grid)`, and PyTorch's
# `interpolate(x, size=(7, 7), mode="bilinear", align_corners=True)`: the
# corners of input and output coincide, so 4 pixels give 7 samples.
# PyTorch's `scale_factor=2` (with its default `align_corners=False`)
# instead aligns pixel centres and gives 8: quarter points inside, the
# border pixel repeated at each end.
#
# ## 2. The same recipe as a transposed convolution
#
# A transposed convolution with stride 2 *is* zero insertion followed by a
# convolution. Give it the bilinear kernel as its weight (FCN initialises its
# upsampling layers this way, then learns from there) and padding 1: it
# reproduces `upsample_bilinear` exactly.

# %%
learned_start = conv_transpose2d(grid[None, None], K[None, None], stride=2, padding=1)[0, 0]
print("max |conv_transpose2d - upsample_bilinear| =", np.abs(learned_start - filtered).max())

# %% tags=["hide"]
assert np.allclose(learned_start, filtered, atol=1e-15)

# %% [markdown]
# ## 3. On an image
#
# A 12x12 test image (a disk, a bar and a smooth ramp) upsampled 4 times by
# each method. Nearest neighbour repeats pixels as blocks; bilinear joins
# them with straight lines (a tent filter of width 7 after zero insertion);
# bicubic (PyTorch's Keys kernel, $a = -0.75$) is sharper and overshoots a
# little at edges; the transposed convolution with a random 7x7 kernel shows
# what an *untrained* learned upsampler does: the same zero-insertion grid,
# filtered by whatever the weights are (its checkerboard is the classic
# artefact of stride-4 transposed convolutions).

# %%
rows, cols = np.mgrid[0:12, 0:12]
image = ((rows - 5.5) ** 2 + (cols - 4) ** 2 < 10).astype(float)
image[2:10, 9] = 1.0
image += 0.5 * cols / 11
f = 4
rng = np.random.default_rng(0)
random_kernel = rng.uniform(0, 1, size=(1, 1, 7, 7))
random_kernel /= random_kernel.sum() / f**2  # keep the mean brightness
ups = {
    "nearest": upsample_nearest(image, f),
    "bilinear": upsample_bilinear(image, f),
    "bicubic": upsample_bicubic(image, f),
    "random transposed conv": conv_transpose2d(
        image[None, None], random_kernel, stride=f, padding=3
    )[0, 0],
}

# %% alt="A 12x12 input image and its upsampled versions by each method, as grey-level grids"
fig, axes = plt.subplots(1, 5, figsize=(7.2, 1.9))
for ax, (name, up) in zip(axes, {"input": image, **ups}.items()):
    ax.imshow(up, vmin=0, vmax=1.6)
    ax.set_title(f"{name}\n{up.shape[0]}x{up.shape[1]}")
plt.show()

# %% [markdown]
# One row through the disk's centre shows the difference in numbers: where
# each method puts the original samples, and how it fills between them.

# %%
row = 5

# %% alt="One row of input pixels and its nearest, bilinear (corners aligned) and bicubic upsampled curves"
fig, ax = plt.subplots(figsize=(7.2, 3.2))
ax.plot(np.arange(12), image[row], "ko", label="input pixels")
ax.step(np.arange(48) / f - 0.375, ups["nearest"][f * row], where="mid", label="nearest")
ax.plot(np.arange(45) / f, ups["bilinear"][f * row], label="bilinear (corners aligned)")
ax.plot((np.arange(48) + 0.5) / f - 0.5, ups["bicubic"][f * row + 1], label="bicubic (centres)")
ax.set(xlabel="position in input pixels", ylabel="value")
ax.legend()
plt.show()

# %%
Markdown(
    "| method | output size | equals `torch.nn.functional.interpolate(x, ...)` |\n"
    "|---|---|---|\n"
    f"| nearest | {ups['nearest'].shape} | `scale_factor={f}, mode='nearest'` |\n"
    f"| bilinear | {ups['bilinear'].shape} | `size=({f * 11 + 1}, {f * 11 + 1}), "
    "mode='bilinear', align_corners=True` |\n"
    f"| bicubic | {ups['bicubic'].shape} | `scale_factor={f}, mode='bicubic'` |"
)

# %% tags=["hide"]
assert ups["nearest"].shape == (48, 48) and ups["bicubic"].shape == (48, 48)
assert ups["bilinear"].shape == (45, 45)
assert np.array_equal(ups["bilinear"][::f, ::f], image)  # originals kept
assert np.array_equal(ups["nearest"][::f, ::f], image)
assert ups["bicubic"].max() > image.max()  # the overshoot the text mentions
assert ups["bilinear"].max() <= image.max() + 1e-12  # linear never overshoots
assert ups["random transposed conv"].shape == (45, 45)

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
# # The receptive field of dilated convolution
#
# A segmentation network needs context (is this pixel part of a car?) and
# resolution (where exactly is the car's edge?). Pooling buys context by
# throwing resolution away. DeepLabV3 (lecture 003) uses **dilated**
# ("atrous") convolutions instead: a 3x3 kernel whose taps are $d$ pixels
# apart, so it sees a $(2d + 1) \times (2d + 1)$ neighbourhood with the same 9
# weights, and with padding $d$ the feature map keeps its size. We measure
# the receptive field the way it is defined: feed a single bright pixel and
# see which outputs it reaches.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown

from dlnotes.conv import conv2d

SIZE = 33
impulse = np.zeros((1, 1, SIZE, SIZE))
impulse[0, 0, SIZE // 2, SIZE // 2] = 1.0
ones = np.ones((1, 1, 3, 3))  # a 3x3 kernel of ones: the footprint, without cancellations


def paths(dilations):
    """Through 3x3 layers of ones with these dilations: how many paths reach each output."""
    out = impulse
    for d in dilations:
        out = conv2d(out, ones, padding=d, dilation=d)
    return out[0, 0]


def footprint(dilations):
    """Which outputs one input pixel reaches."""
    return paths(dilations) > 0


def extent(mask):
    rows = np.nonzero(mask.any(axis=1))[0]
    return int(rows.max() - rows.min() + 1)


# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)

# %% [markdown]
# ## 1. One layer
#
# Through one layer the pixel reaches the 9 positions of the kernel's taps:
# adjacent for $d = 1$, spread $d$ apart otherwise. The output is still
# 33x33.

# %% alt="The pixels a 3x3 kernel reads at dilation 1, 2 and 4: a solid 3x3 block, then 9 dots spread over 5x5 and over 9x9"
fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.6))
for ax, d in zip(axes, (1, 2, 4)):
    ax.imshow(footprint([d]), cmap="Greys")
    ax.set_title(f"dilation {d}: covers {2 * d + 1}x{2 * d + 1}")
    ax.set_xlabel("column")
axes[0].set_ylabel("row")
plt.tight_layout()
plt.show()

# %% tags=["hide"]
for d in (1, 2, 4):
    mask = footprint([d])
    assert mask.shape == (SIZE, SIZE) and mask.sum() == 9 and extent(mask) == 2 * d + 1

# %% [markdown]
# ## 2. Stacked layers
#
# Stacking plain 3x3 layers grows the field by 2 per layer; doubling the
# dilation at each layer (1, 2, 4, 8) doubles it, and the holes of one layer
# are filled by the next, so the field is dense. Both stacks have the same
# 9 weights per layer and keep the full 33x33 map; a stack of 2x2 poolings
# would reach far too, but at 1/2, 1/4, 1/8 of the resolution. On the
# right, how many paths lead from the pixel to each output after three
# dilated layers: every position of the 15x15 field is reached.

# %%
layers = np.arange(1, 5)
plain = [extent(footprint([1] * n)) for n in layers]
dilated = [extent(footprint([2**i for i in range(n)])) for n in layers]

# %% tags=["fold"] alt="Left: receptive field width against the number of layers, plain 3x3 against dilations 1, 2, 4, 8; right: the number of paths from one pixel after dilations 1, 2, 4"
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.3))
axes[0].plot(layers, plain, "o-", label="plain 3x3 (dilation 1)")
axes[0].plot(layers, dilated, "s-", label="dilations 1, 2, 4, 8")
axes[0].set_xlabel("layers")
axes[0].set_ylabel("receptive field (pixels across)")
axes[0].set_xticks(layers)
axes[0].legend()
shown = axes[1].imshow(paths([1, 2, 4]), cmap="magma")
plt.colorbar(shown, ax=axes[1], label="paths from the pixel")
axes[1].set_title("one pixel after dilations 1, 2, 4")
axes[1].set_xlabel("column")
axes[1].set_ylabel("row")
plt.tight_layout()
plt.show()

# %%
Markdown(
    "| layers | plain 3x3 | dilations 1, 2, 4, ... | map size |\n|---|---|---|---|\n"
    + "\n".join(f"| {n} | {p} | {d} | {SIZE}x{SIZE} |" for n, p, d in zip(layers, plain, dilated))
)

# %% tags=["hide"]
assert plain == [3, 5, 7, 9]
assert dilated == [3, 7, 15, 31]  # 2 ** (n + 1) - 1
assert footprint([1, 2, 4, 8])[1:-1, 1:-1].all()  # dense: no holes left
assert footprint([1, 2, 4])[9:24, 9:24].all() and footprint([1, 2, 4]).sum() == 15 * 15

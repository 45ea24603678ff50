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
# # Max pooling and unpooling
#
# The segmentation slides (003) pool a 4×4 input with 2×2 windows and say
# "**Remember which element was max!**": the decoder's max *unpooling* puts
# each value back at that position. We follow the slide's arrays through
# `max_pool2d` and `max_unpool2d`, draw the positions, and then let windows
# overlap to see why the backward pass must **sum** repeated positions.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown

from dlnotes.pooling import max_pool2d, max_pool2d_backward, max_unpool2d

x = np.array([[1.0, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]])
out, indices = max_pool2d(x[None], 2)  # a (C, H, W) input: one channel
out, indices = out[0], indices[0]
z = max_unpool2d(np.array([[[1.0, 2.0], [3.0, 4.0]]]), indices[None], (4, 4))[0]


# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)


def show(ax, a, title, circled=()):
    """A small array as a grid of numbers, with some cells circled."""
    ax.imshow(a, cmap="Blues", vmin=0, vmax=max(9, a.max()))
    for (r, c), v in np.ndenumerate(a):
        ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=13)
    for r, c in circled:
        ax.add_patch(plt.Circle((c, r), 0.38, fill=False, color="crimson", lw=2.5))
    ax.set_xticks(range(a.shape[1]))
    ax.set_yticks(range(a.shape[0]))
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_title(title)


# %% [markdown]
# ## 1. Pooling, and where each maximum was
#
# For a window $R_{ij}$ of the input, pooling keeps the largest value and
# remembers where it was:
#
# $$y_{ij} = \max_{(p, q) \in R_{ij}} x_{pq}, \qquad
# \text{index}_{ij} = \operatorname*{arg\,max}_{(p, q) \in R_{ij}} x_{pq}.$$
#
# `indices` holds one flat position per window, `row * W + col` within the
# 4×4 plane, as PyTorch's `return_indices=True`. The red circles are those
# positions, the white lines the windows.

# %%
positions = [divmod(int(i), 4) for i in indices.ravel()]

# %% alt="The 4x4 input with each window's maximum circled, the 2x2 max-pooled output, and the 4x4 unpooled output with 1 to 4 at the circled positions"
fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.5))
show(axes[0], x, "input 4×4 (argmax circled)", positions)
for k in (1.5,):
    axes[0].axhline(k, color="white", lw=3)
    axes[0].axvline(k, color="white", lw=3)
show(axes[1], out, "max_pool2d: output 2×2")
show(axes[2], z, "max_unpool2d of [[1, 2], [3, 4]]", positions)
plt.tight_layout()
plt.show()

# %%
rows = [
    f"| ({r}, {c}) | {out[r, c]:g} | {int(indices[r, c])} | {divmod(int(indices[r, c]), 4)} |"
    for r in range(2)
    for c in range(2)
]
Markdown("| window | max | index | (row, col) |\n|---|---|---|---|\n" + "\n".join(rows))

# %% tags=["hide"]
assert out.tolist() == [[5.0, 6.0], [7.0, 8.0]]
assert indices.tolist() == [[5, 2], [12, 15]]
assert z.tolist() == [[0, 0, 2, 0], [0, 1, 0, 0], [0, 0, 0, 0], [3, 0, 0, 4]]

# %% [markdown]
# Unpooling puts 1, 2, 3, 4 where 5, 6, 7, 8 were, zeros elsewhere: the
# slide's 4×4 output. It is not a "deconvolution" (the slide is firm about
# that); followed by a learned convolution, it upsamples a decoder's maps.
#
# ## 2. Overlapping windows: the gradient adds up
#
# The backward pass sends each window's gradient to its argmax. With 3×3
# windows and stride 1 on a 7×7 map, windows overlap, and a large value is
# the maximum of several windows: its gradient is the sum of theirs. With an
# upstream gradient of ones, `max_pool2d_backward` therefore **counts** how
# many windows chose each element.

# %%
rng = np.random.default_rng(3)
image = rng.normal(size=(1, 7, 7))
pooled, where = max_pool2d(image, 3, stride=1)
counts = max_pool2d_backward(np.ones_like(pooled), where, image.shape)[0]

# %% alt="Left: a 7x7 input map of values; right: for each element, how many overlapping 3x3 windows chose it as their maximum"
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3))
show(axes[0], np.round(image[0], 1), "input 7×7 (values)")
axes[0].images[0].set(cmap="coolwarm", clim=(-2.5, 2.5))
show(axes[1], counts, "gradient of ones: windows per argmax")
plt.tight_layout()
plt.show()

# %%
Markdown(
    f"{pooled.size} windows, {int((counts > 0).sum())} distinct argmax positions; "
    f"the most popular element is the maximum of {int(counts.max())} windows."
)

# %% tags=["hide"]
assert counts.sum() == pooled.size == 25
assert counts.max() > 1  # some positions repeat: the sum is needed
naive = np.zeros(49)
naive[np.asarray(where).ravel()] += 1.0  # fancy assignment keeps one update per position
assert naive.max() == 1 and naive.sum() < counts.sum()
assert np.array_equal(counts.ravel() > 0, naive > 0)

# %% [markdown]
# The line `grad[idx] += g` would have written a 1 at each of those
# positions: it reads every `grad[idx]` first and writes each repeated
# position twice from the same old value, so repeats are lost. That is why
# `max_pool2d_backward` sorts each plane's indices and sums each run of
# equal ones instead (see the [Pooling and unpooling](../../pooling/) page).

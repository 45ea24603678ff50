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
# # Convolution as a matrix
#
# A convolution is linear, so it is a matrix. The segmentation lecture (003)
# uses that to explain the **transposed convolution**: write the convolution
# as a matrix $C$, and the layer that upsamples is $C^\top$. We rebuild the
# slide's tables with SymPy, draw the matrices, and check in 1-D and 2-D that
# the transpose is the adjoint: $\langle Cx, y\rangle = \langle x, C^\top y\rangle$.

# %%
import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Markdown

from dlnotes.conv import conv2d, conv_matrix, conv_transpose2d

x, y, z, a, b, c = sp.symbols("x y z a b c")


def latex(*parts):
    """Show SymPy objects (and plain strings) as one display formula."""
    return Markdown("$$" + " ".join(p if isinstance(p, str) else sp.latex(p) for p in parts) + "$$")


# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)

# %% [markdown]
# ## 1. The slide's tables
#
# `conv_matrix(kernel, n, stride=, padding=)` is a cross-correlation, like
# every deep-learning library's "convolution". The slide multiplies the
# kernel $(x, y, z)$ as a true convolution (flipped), so its matrix is
# `conv_matrix` of the reversed kernel $(z, y, x)$. Applied to the padded
# signal $[0, a, b, c, 0]$, with padding 1 so that the output keeps length 5:

# %%
signal = sp.Matrix([0, a, b, c, 0])
C = sp.Matrix(conv_matrix([z, y, x], 5, padding=1))
latex(C, r"\times", signal, "=", C * signal)

# %% [markdown]
# Its transpose on the same vector, as on the slide:

# %%
latex(C.T, r"\times", signal, "=", C.T * signal)

# %% [markdown]
# With stride 2 only every other row remains: a $3 \times 5$ matrix that
# halves the signal, and a $5 \times 3$ transpose that doubles a length-3
# signal back, each input spread over the kernel's footprint.

# %%
S = sp.Matrix(conv_matrix([z, y, x], 5, stride=2, padding=1))
latex(S, r"\times", signal, "=", S * signal)

# %%
short = sp.Matrix([a, b, c])
latex(S.T, r"\times", short, "=", S.T * short)

# %% tags=["hide"]
assert list(C * signal) == [a * x, a * y + b * x, a * z + b * y + c * x, b * z + c * y, c * z]
assert list(C.T * signal) == [a * z, a * y + b * z, a * x + b * y + c * z, b * x + c * y, c * x]
assert list(S * signal) == [a * x, a * z + b * y + c * x, c * z]
assert list(S.T * short) == [a * y, a * x + b * z, b * y, b * x + c * z, c * y]

# %% [markdown]
# ## 2. The matrices, drawn
#
# With numbers, kernel $(1, 2, 3)$ on a signal of length 12: the stride-1
# matrix is a band (the kernel slides one step per row); stride 2 keeps
# every other row; the transpose of the strided matrix is tall, an
# upsampler from 6 samples to 12.

# %%
kernel = np.array([1.0, 2.0, 3.0])
mats = {
    "C, stride 1": conv_matrix(kernel, 12, padding=1),
    "C, stride 2": conv_matrix(kernel, 12, stride=2, padding=1),
    "C.T, stride 2 (transposed conv)": conv_matrix(kernel, 12, stride=2, padding=1).T,
}

# %% alt="Three matrices as heat maps, output index against input index: the 12x12 banded matrix C of stride 1, the 6x12 matrix of stride 2, and its 12x6 transpose"
fig, axes = plt.subplots(1, 3, figsize=(6.6, 2.6), gridspec_kw={"width_ratios": [12, 12, 6]})
for ax, (title, m) in zip(axes, mats.items()):
    ax.imshow(m, cmap="Blues", vmin=0, vmax=3)
    ax.set_title(f"{title}: {m.shape[0]}x{m.shape[1]}", fontsize=10)
    ax.set_xlabel("input index")
    ax.set_ylabel("output index")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 3. The transpose is the adjoint
#
# For random $u$ and $v$ the two inner products agree to rounding. In 2-D the
# same holds for `conv2d` and `conv_transpose2d` (stride 2, padding 1, a 3x3
# kernel, 3 channels in and 2 out), which is how `conv_transpose2d` is
# written: as the input gradient of `conv2d`.

# %%
rng = np.random.default_rng(0)
M = mats["C, stride 2"]
u, v = rng.normal(size=12), rng.normal(size=M.shape[0])
one_d = ((M @ u) @ v, u @ (M.T @ v))

U = rng.normal(size=(1, 3, 8, 8))
W = rng.normal(size=(2, 3, 3, 3))
Y = conv2d(U, W, stride=2, padding=1)  # (1, 2, 4, 4)
V = rng.normal(size=Y.shape)
back = conv_transpose2d(V, W, stride=2, padding=1, output_padding=1)  # (1, 3, 8, 8)
two_d = (float(np.sum(Y * V)), float(np.sum(U * back)))
Markdown(
    "| | ⟨Cu, v⟩ | ⟨u, Cᵀv⟩ |\n|---|---|---|\n"
    f"| 1-D, conv_matrix | {one_d[0]:.12f} | {one_d[1]:.12f} |\n"
    f"| 2-D, conv2d / conv_transpose2d | {two_d[0]:.12f} | {two_d[1]:.12f} |"
)

# %% tags=["hide"]
assert np.isclose(*one_d, rtol=1e-12) and np.isclose(*two_d, rtol=1e-12)
assert back.shape == U.shape

# %% [markdown]
# The 2-D convolution has a matrix too: apply `conv2d` to each basis image and
# stack the results as columns. Its transpose, applied to $V$, is
# `conv_transpose2d(V, W)`: the same numbers, no matrix ever formed.

# %%
basis = np.eye(U.size).reshape(-1, *U.shape[1:])
big = conv2d(basis, W, stride=2, padding=1).reshape(U.size, -1).T  # (32, 192)
print(
    "matrix of conv2d:",
    big.shape,
    " max |C.T v - conv_transpose2d(v)| =",
    f"{np.abs(big.T @ V.ravel() - back.ravel()).max():.1e}",
)

# %% tags=["hide"]
assert np.allclose(big @ U.ravel(), Y.ravel(), atol=1e-12)
assert np.allclose(big.T @ V.ravel(), back.ravel(), atol=1e-12)

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
# # Debiasing word embeddings
#
# Lecture 003 shows the *hard debiasing* of Bolukbasi et al. (2016): find the
# direction along which gendered word pairs differ, remove it from words that
# should be neutral (**neutralize**), and move gendered pairs so that neutral
# words cannot tell them apart (**equalize**). A real embedding (word2vec,
# GloVe) is a download of hundreds of megabytes; here we build a small one
# whose bias we plant ourselves, so that we can check that the method finds
# it and removes it.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown

from dlnotes.embeddings import bias_subspace, equalize, neutralize

plt.rcParams.update({"font.size": 11, "figure.dpi": 100})

D = 12
rng = np.random.default_rng(3)
axes = np.linalg.qr(rng.normal(size=(D, D)))[0].T  # orthonormal directions of meaning
gender = axes[0]  # the direction we plant; the method is not told it
occupation, family = axes[1], axes[2]  # two directions of meaning


def word(meaning, lean, noise=0.03):
    """A unit vector: a meaning, a lean along the planted gender direction, some noise."""
    v = meaning + lean * gender + noise * rng.normal(size=D)
    return v / np.linalg.norm(v)


def meaning(family_part, *parts):
    """A random meaning with this much "family" and none of the gender direction."""
    m = rng.normal(size=D) * 0.3
    m -= (m @ gender) * gender + (m @ family) * family
    return m + family_part * family + sum(parts)


# %% [markdown]
# ## The embedding
#
# **Defining pairs** differ by definition (he, she); their words share a
# meaning and lean to opposite sides. **Occupations** should be neutral, but
# we give them the stereotyped leans a news corpus teaches: *programmer* and
# *engineer* towards *he*, *nurse* and *homemaker* towards *she*.
# *grandfather* and *grandmother* are a gendered pair too, but *grandmother*
# also sits closer to *babysitter* than *grandfather* does.

# %%
defining_pairs = {}
for male, female in [("he", "she"), ("man", "woman"), ("boy", "girl"), ("father", "mother")]:
    shared = meaning(0.5 if male == "father" else 0.0)
    defining_pairs[male, female] = np.stack([word(shared, 0.6), word(shared, -0.6)])

occupations = {  # name: (family part, lean towards "he")
    "programmer": (-0.4, 0.35),
    "engineer": (-0.1, 0.25),
    "doctor": (0.15, 0.12),
    "nurse": (0.4, -0.3),
    "homemaker": (0.7, -0.4),
}
occupations = {n: word(meaning(f, occupation), lean) for n, (f, lean) in occupations.items()}
babysitter_meaning = meaning(1.0, 0.4 * occupation)
occupations["babysitter"] = word(babysitter_meaning, -0.2)
grand = meaning(1.2)
grandparents = np.stack([word(grand, 0.5), word(grand + 0.3 * babysitter_meaning, -0.5)])

# %% [markdown]
# ## 1. The bias direction (E1, E2)
#
# `bias_subspace` centres each defining pair on its mean $\mu_i$, adds up the
# outer products of the centred words into $C$, and returns the top singular
# direction of $C$: the direction along which the pairs differ most. It
# points towards the first word of the first pair (*he*). How much of each
# pair's difference lies along it:

# %%
b = bias_subspace(list(defining_pairs.values()))[0]
rows = []
for (male, female), pair in defining_pairs.items():
    difference = pair[0] - pair[1]
    rows.append(f"| {male} − {female} | {difference @ b / np.linalg.norm(difference):.3f} |")
Markdown("| pair | cosine with the bias direction |\n|---|---|\n" + "\n".join(rows))

# %% [markdown]
# We planted the bias ourselves, so we can see how close the method comes:

# %%
angle = np.degrees(np.arccos(abs(b @ gender)))
Markdown(f"The planted and the recovered bias direction are **{angle:.1f}°** apart.")

# %% tags=["hide"]
assert angle < 5.0
assert b @ gender > 0  # it points towards "he"
assert abs(np.linalg.norm(b) - 1) < 1e-12

# %% [markdown]
# ## 2. Neutralize (E3)
#
# Each occupation loses its component along $b$ and is scaled back to unit
# length: $\vec w := (\vec w - \vec w_B)/\lVert\vec w - \vec w_B\rVert$.
# Their projections on the bias direction, before and after:

# %%
basis = b[None, :]
names = list(occupations)
before = np.stack([occupations[n] for n in names])
after = neutralize(before, basis)
Markdown(
    "| word | projection before | projection after | norm after |\n|---|---|---|---|\n"
    + "\n".join(
        f"| {n} | {p:+.3f} | {round(q, 3) + 0.0:+.3f} | {r:.3f} |"
        for n, p, q, r in zip(names, before @ b, after @ b, np.linalg.norm(after, axis=1))
    )
)

# %% tags=["hide"]
assert np.all(np.abs(after @ b) < 1e-12)
assert np.allclose(np.linalg.norm(after, axis=1), 1.0)
assert (before @ b)[names.index("programmer")] > 0.2 > -0.2 > (before @ b)[names.index("nurse")]

# %% [markdown]
# ## 3. Equalize (E4)
#
# *babysitter* is now neutral, but it is still nearer to *grandmother* than to
# *grandfather*: the pair differs outside the bias direction too. `equalize`
# gives both words the pair's mean component $\nu$ outside $B$ and splits
# them symmetrically inside it,
# $\vec w := \nu + \sqrt{1-\lVert\nu\rVert^2}\,(\vec w_B-\mu_B)/\lVert\vec w_B-\mu_B\rVert$,
# so that both stay unit vectors. Distances from the neutralized words:

# %%
equalized = equalize(grandparents, basis)


def distances(pair):
    return np.linalg.norm(pair[:, None, :] - after[None, :, :], axis=-1)


old, new = distances(grandparents), distances(equalized)
Markdown(
    "| neutral word | grandfather before | grandmother before | grandfather after "
    "| grandmother after |\n|---|---|---|---|---|\n"
    + "\n".join(
        f"| {n} | {a:.3f} | {c:.3f} | {e:.3f} | {f:.3f} |"
        for n, a, c, e, f in zip(names, old[0], old[1], new[0], new[1])
    )
)

# %% tags=["hide"]
i = names.index("babysitter")
assert old[1, i] < old[0, i] - 0.05  # grandmother was nearer
assert np.allclose(new[0], new[1], atol=1e-12)  # equidistant from every neutral word
assert np.allclose(np.linalg.norm(equalized, axis=1), 1.0)
assert equalized[0] @ b > 0 > equalized[1] @ b  # still gendered, symmetrically

# %% [markdown]
# ## 4. In the plane of the bias direction and the family direction
#
# The horizontal axis is the recovered bias direction $b$ (towards *he* on
# the right), the vertical one the planted "family" direction of meaning,
# made orthogonal to $b$. Faded points are the words before debiasing, solid
# ones after: the occupations move onto the vertical line $b = 0$; the
# grandparents, which started at different heights, end up at one height,
# mirror images of each other across that line.

# %%
up = family - (family @ b) * b
up /= np.linalg.norm(up)


def plane(v):
    return v @ b, v @ up


# %% tags=["fold"] alt="Words in the plane of the bias direction and the family direction: the occupations move from both sides onto the vertical axis, and grandfather and grandmother move to one height, mirror images across it"
fig, ax = plt.subplots(figsize=(7.5, 5))
groups = [(names, before, after, "o", "tab:blue", (6, -4))]
groups.append((["grandfather", "grandmother"], grandparents, equalized, "s", "tab:red", (6, 6)))
for labels, olds, news, marker, colour, offset in groups:
    for label, v, w in zip(labels, olds, news):
        ax.annotate("", plane(w), plane(v), arrowprops={"arrowstyle": "->", "color": colour})
        ax.plot(*plane(v), marker, color=colour, alpha=0.3)
        ax.plot(*plane(w), marker, color=colour)
        side = 1 if plane(v)[0] >= 0 else -1  # labels away from the axis
        ax.annotate(
            label,
            plane(v),
            xytext=(side * offset[0], offset[1]),
            fontsize=10,
            textcoords="offset points",
            ha="left" if side > 0 else "right",
        )
ax.axvline(0, color="0.3", lw=0.8)
ax.margins(x=0.12)
ax.set_xlabel("projection on the bias direction b (he → right)")
ax.set_ylabel("family direction, orthogonal to b")
ax.set_title("Before (faded, labelled) and after (solid)")
plt.tight_layout()
plt.show()

# %% [markdown]
# The method only removes what lies in $B$: with $k = 1$ it is one direction,
# found from four pairs. Bolukbasi et al. use ten pairs and check that one
# direction carries most of their variance; a bias that the defining sets do
# not span is not removed.

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
# # Average precision 0.81, and why it should be 0.59
#
# The metrics part of the workshop deck (000, part 6) ranks five face
# detections by score, marks which ones found a face, and computes an average
# precision (AP) of **0.81**. This example recomputes every number of that
# slide with `dlnotes.detection`, draws the precision–recall curve and its
# envelope, and compares the slide's rule with the standard definitions:
# VOC 2007 (0.59), VOC 2010+ "all-point" (0.55), COCO (0.554) and
# scikit-learn's step AP (0.55). It ends with a floating-point trap that turns
# 0.59 into 0.52 in widely copied code.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from dlnotes.backend import to_numpy
from dlnotes.detection import AP_METHODS, average_precision, precision_recall

scores = [0.9, 0.7, 0.6, 0.3, 0.2]
correct = [True, True, False, True, False]
n_faces = 5  # ground-truth faces in the images

# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)

# %% [markdown]
# ## The rank table
#
# Sort the detections by score. At rank $n$, precision is the share of the top
# $n$ detections that are right, $P_n = TP_n / n$, and recall the share of the
# 5 faces found so far, $R_n = TP_n / 5$.

# %%
precision, recall = (to_numpy(a) for a in precision_recall(scores, correct, n_faces))
rows = [
    f"| {n} | {s} | {'yes' if c else 'no'} | {p:.2f} | {r:.1f} |"
    for n, (s, c, p, r) in enumerate(zip(scores, correct, precision, recall), start=1)
]
display(
    Markdown(
        "| rank | score | face? | precision | recall |\n|--:|--:|:-:|--:|--:|\n" + "\n".join(rows)
    )
)

# %% tags=["hide"]
assert np.round(precision, 2).tolist() == [1.0, 1.0, 0.67, 0.75, 0.6]
assert np.round(recall, 2).tolist() == [0.2, 0.4, 0.4, 0.6, 0.6]

# %% [markdown]
# The slide prints 0.66 at rank 3: that is $2/3 = 0.666\ldots$ truncated; rounded
# it is 0.67 (erratum X2).

# %% [markdown]
# ## The curve and its envelope
#
# AP is "the average of the maximum precisions at different recall values". The
# maximum precision at recall $r$ is the **interpolated precision**
# $p_{\mathrm{interp}}(r) = \max_{n:\,R_n \ge r} P_n$: the best precision
# reachable at recall $r$ or more. It is the non-increasing envelope of the
# zig-zag curve. The 11-point AP reads it at $r = 0, 0.1, \ldots, 1$.
#
# The list stops at recall 0.6: two faces are never found. At the levels 0.7 to
# 1.0 there is no rank to take a maximum over.

# %%
levels = np.arange(11) / 10  # 0.0, 0.1, ..., 1.0 (exact tenths for display)
tp = np.cumsum(np.array(correct)[np.argsort(-np.array(scores), kind="stable")])


def envelope_at(k):
    """p_interp at level k/10, or None when the list never reaches it (exact test)."""
    reached = tp * 10 >= k * n_faces
    return precision[reached].max() if reached.any() else None


interp = [envelope_at(k) for k in range(11)]
voc2007_points = [p if p is not None else 0.0 for p in interp]
slide_points = [p if p is not None else precision[-1] for p in interp]
display(
    Markdown(
        "| recall | "
        + " | ".join(f"{r:.1f}" for r in levels)
        + " |\n"
        + "|---" * 12
        + "|\n"
        + "| slide | "
        + " | ".join(f"{p:.2f}" for p in slide_points)
        + " |\n"
        + "| VOC 2007 | "
        + " | ".join(f"{p:.2f}" for p in voc2007_points)
        + " |"
    )
)

# %% tags=["hide"]
assert slide_points == [1.0] * 5 + [0.75] * 2 + [0.6] * 4  # the slide's table, exactly
assert voc2007_points == [1.0] * 5 + [0.75] * 2 + [0.0] * 4

# %% [markdown]
# The zig-zag curve of the five ranks, its envelope, and the points that the
# 11-point rules read off it: VOC 2007's (unreached levels 0) and the slide's
# (unreached levels 0.6).

# %% tags=["fold"] alt="Precision against recall for the slide's five ranked detections, with the interpolated envelope, the 11 VOC 2007 points and the slide's unreached levels at 0.6"
fig, ax = plt.subplots(figsize=(6.5, 4.2))
ax.plot(recall, precision, "o-", color="tab:blue", label="precision at each rank")
for n, (r, p) in enumerate(zip(recall, precision), start=1):
    ax.annotate(str(n), (r, p), textcoords="offset points", xytext=(6, 4))
env_r = np.concatenate([[0.0], recall])
env_p = [max(precision[i:]) for i in range(len(precision))]
ax.step(env_r, [env_p[0]] + env_p, where="pre", color="tab:green", label="envelope $p_{interp}$")
ax.plot(levels, voc2007_points, "s", color="tab:red", label="11 points, VOC 2007 (0.59)")
ax.plot(
    levels[7:],
    slide_points[7:],
    "^",
    color="tab:orange",
    ms=9,
    label="the slide's unreached levels (0.81)",
)
ax.axvline(0.6, color="grey", ls=":", lw=1)
ax.text(0.62, 0.3, "recall never\ngets past 0.6", color="grey")
ax.set_xlabel("recall")
ax.set_ylabel("precision")
ax.set_xlim(-0.03, 1.03)
ax.set_ylim(-0.05, 1.1)
ax.legend(loc="lower left")
ax.set_title("Precision–recall down the slide's ranked list")
plt.show()

# %% [markdown]
# ## Five definitions of AP
#
# `average_precision(scores, correct, n_ground_truth, method=...)`:
#
# | method | rule | value |
# | --- | --- | --- |
# | `"slide"` | 11 points, unreached levels get the last precision (0.6) | 8.9/11 = 0.81 |
# | `"voc2007"` | 11 points, unreached levels get 0 | 6.5/11 = 0.59 |
# | `"all-point"` | area under the envelope (VOC 2010+) | 0.55 |
# | `"coco"` | 101 points, unreached levels get 0 | 56/101 = 0.554 |
# | `"step"` | $\sum_n (R_n - R_{n-1}) P_n$, no envelope (scikit-learn) | 0.55 |

# %%
ap = {m: float(average_precision(scores, correct, n_faces, method=m)) for m in AP_METHODS}
display(
    Markdown(
        "| method | AP |\n|---|--:|\n" + "\n".join(f"| `{m}` | {v:.4f} |" for m, v in ap.items())
    )
)

# %% tags=["hide"]
assert round(ap["slide"], 2) == 0.81 and abs(ap["slide"] - 8.9 / 11) < 1e-12
assert round(ap["voc2007"], 2) == 0.59 and abs(ap["voc2007"] - 6.5 / 11) < 1e-12
assert round(ap["all-point"], 2) == 0.55
assert round(ap["coco"], 3) == 0.554 and abs(ap["coco"] - 56 / 101) < 1e-12
assert round(ap["step"], 2) == 0.55

# %% [markdown]
# **Why they differ.** Everything hinges on the two faces the detector never
# finds. VOC 2007 and COCO give the recall levels it never reaches a precision
# of 0; the slide gives them the precision of its last rank, 0.6, as if the
# missing faces could still be found at that precision. That rule is not a
# standard one, and it rewards a detector for objects it misses: this is
# **erratum D4**, and dlnotes returns 0.59 unless you ask for `method="slide"`.
#
# All-point and COCO both sample the envelope finely (every recall step, or
# 101 levels) and nearly agree, 0.55 and 0.554; 11 points sample it coarsely,
# which here favours the detector (0.59). The step AP drops the envelope, but on
# this list the envelope equals the raw precision wherever recall grows (ranks
# 1, 2 and 4), so it equals all-point.

# %% [markdown]
# ## The 0.52 trap
#
# The 11-point AP is usually coded with the levels `np.arange(0, 1.1, 0.1)` and
# the test `recall >= t`. Those levels are built by repeated floating-point
# addition:

# %%
float_levels = np.arange(0, 1.1, 0.1)
print(float_levels.tolist())

trap = 0.0
for t in float_levels:
    reached = recall >= t
    trap += (precision[reached].max() if reached.any() else 0.0) / 11
print(f"float levels: {trap:.4f}   exact levels: {ap['voc2007']:.4f}")

# %% tags=["hide"]
assert float_levels[6] == 0.6000000000000001 and float_levels[6] > 0.6
assert round(trap, 2) == 0.52 and abs(trap - 5.75 / 11) < 1e-12

# %% [markdown]
# Recall $3/5 = 0.6$ is below `0.6000000000000001`, so the level 0.6 loses its
# precision 0.75 and AP drops from 6.5/11 = 0.59 to 5.75/11 = **0.52**. dlnotes
# compares in integers instead, $TP_n \cdot 10 \ge k \cdot G$, which is exact
# for every list.

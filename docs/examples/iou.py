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
# # Intersection over union, and non-maximum suppression
#
# $$\mathrm{IoU} = \frac{\text{area of overlap}}{\text{area of union}}$$
#
# The slide (000, part 6) shows three detections of one object labelled
# "poor" (IoU 0.4034), "good" (0.7330) and "excellent" (0.9264). Then this
# example uses IoU the way the slide says it is used: in non-maximum
# suppression (NMS), to keep one box per object.
#
# Boxes are $(x_1, y_1, x_2, y_2)$ with $y$ pointing down, as in images.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from matplotlib.patches import Rectangle

from dlnotes.backend import to_numpy
from dlnotes.detection import box_area, box_convert, box_iou, nms

# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)


def draw(ax, box, **style):
    """One xyxy box as an unfilled rectangle."""
    x1, y1, x2, y2 = box
    ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=2, **style))


# %% [markdown]
# ## The slide's three detections, reconstructed
#
# > **These boxes are a reconstruction.** The slide's figure, and with it its
# > boxes, did not survive; only the three IoU values did. The boxes below are
# > chosen so that their IoU with a 200 × 200 ground-truth box gives the slide's
# > numbers to four decimals.

# %%
truth = np.array([[40.0, 30.0, 240.0, 230.0]])  # 200 x 200
detections = {
    "poor": [110.0, 54.0, 308.0, 254.0],
    "good": [48.0, 52.0, 252.0, 252.0],
    "excellent": [41.0, 27.0, 240.0, 219.0],
}
iou = {name: float(box_iou(truth, [box])[0, 0]) for name, box in detections.items()}
for name, value in iou.items():
    print(f"{name:9}  IoU = {value:.4f}")

# %% tags=["hide"]
assert [round(v, 4) for v in iou.values()] == [0.4034, 0.7330, 0.9264]
assert abs(iou["poor"] - 22880 / 56720) < 1e-12  # overlap 130 x 176, union 40000 + 39600 - 22880

# %% [markdown]
# Each IoU by hand: the overlap is
# $\max(0, \min(x_2, x_2') - \max(x_1, x_1')) \times \max(0, \min(y_2, y_2') - \max(y_1, y_1'))$
# and the union is the sum of the two areas minus the overlap. For "poor":
# $130 \times 176 = 22880$ over $40000 + 39600 - 22880 = 56720$, which is 0.4034.
#
# The ground truth is green, the detection red, their overlap orange.

# %% alt="Three panels: a green 200 by 200 ground-truth box and a red detection overlapping it with IoU 0.40, 0.73 and 0.93; the overlap is shaded orange"
fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.9))
for ax, (name, box) in zip(axes, detections.items()):
    draw(ax, truth[0], edgecolor="tab:green")
    draw(ax, box, edgecolor="tab:red")
    lo, hi = np.maximum(truth[0, :2], box[:2]), np.minimum(truth[0, 2:], box[2:])
    ax.add_patch(Rectangle(lo, *(hi - lo), color="tab:orange", alpha=0.35))
    ax.set(xlim=(20, 320), ylim=(270, 10), aspect="equal", title=f"{name}: {iou[name]:.4f}")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The "+1 pixel" convention
#
# The PASCAL VOC devkit, older detectors and much widely copied IoU code treat
# coordinates as pixel *indices*, both corners inside the box: a box from pixel
# 0 to pixel 9 is 10 pixels wide, $w = x_2 - x_1 + 1$. torchvision and COCO
# treat them as points, $w = x_2 - x_1$ (the dlnotes default).
# `box_iou(..., pixel_inclusive=True)` and `box_area(..., pixel_inclusive=True)`
# use the VOC rule. On the 200-pixel boxes above it moves the IoU by 0.002 at
# most (0.4034 becomes 0.4053); on small boxes it matters. Here a square box is compared with the same box
# moved one pixel right and one down:

# %%
rows = []
for size in (4, 8, 16, 32, 200):
    a, b = [[0.0, 0.0, size, size]], [[1.0, 1.0, size + 1.0, size + 1.0]]
    plain = float(box_iou(a, b)[0, 0])
    voc = float(box_iou(a, b, pixel_inclusive=True)[0, 0])
    rows.append(f"| {size} | {plain:.3f} | {voc:.3f} | {voc - plain:+.3f} |")
display(
    Markdown(
        "| size | IoU | IoU, +1 pixel | shift |\n| --: | --: | --: | --: |\n" + "\n".join(rows)
    )
)

# %% tags=["hide"]
plain4 = float(box_iou([[0.0, 0, 4, 4]], [[1.0, 1, 5, 5]])[0, 0])
voc4 = float(box_iou([[0.0, 0, 4, 4]], [[1.0, 1, 5, 5]], pixel_inclusive=True)[0, 0])
assert abs(plain4 - 9 / 23) < 1e-12 and abs(voc4 - 16 / 34) < 1e-12
assert float(box_area([[0.0, 0.0, 9.0, 9.0]], pixel_inclusive=True)[0]) == 100.0
voc_slide = [float(box_iou(truth, [b], pixel_inclusive=True)[0, 0]) for b in detections.values()]
assert round(voc_slide[0], 4) == 0.4053
assert max(abs(v - w) for v, w in zip(voc_slide, iou.values())) < 0.002

# %% [markdown]
# A 4-pixel box one pixel off scores 0.39 one way and 0.47 the other: enough to
# cross a 0.5 matching threshold for slightly larger boxes. Compare detectors
# only with one convention.
#
# ## Box formats
#
# Datasets store boxes differently: COCO and OpenCV use the top-left corner
# with width and height ("xywh"), YOLO the centre with width and height
# ("cxcywh"). `box_convert` goes between them; IoU needs corners.

# %%
for fmt in ("xyxy", "xywh", "cxcywh"):
    print(f"{fmt:7}", to_numpy(box_convert(truth, "xyxy", fmt))[0].tolist())

# %% tags=["hide"]
assert to_numpy(box_convert(truth, "xyxy", "xywh"))[0].tolist() == [40.0, 30.0, 200.0, 200.0]
assert to_numpy(box_convert(truth, "xyxy", "cxcywh"))[0].tolist() == [140.0, 130.0, 200.0, 200.0]
assert float(box_area(box_convert(truth, "xyxy", "cxcywh"), fmt="cxcywh")[0]) == 40000.0

# %% [markdown]
# ## Non-maximum suppression
#
# A detector fires many times around each object. NMS sorts the boxes by
# score, keeps the best one, drops every box whose IoU with it is **greater
# than** the threshold, and repeats with the best box left. Equal scores keep
# their input order. Here three objects each get eight noisy detections.

# %%
rng = np.random.default_rng(0)
objects = np.array(
    [[20.0, 20.0, 120.0, 100.0], [150.0, 40.0, 230.0, 160.0], [60.0, 130.0, 140.0, 210.0]]
)
boxes = (objects[:, None, :] + rng.normal(0, 4, (3, 8, 4))).reshape(-1, 4)
scores = rng.uniform(0.3, 0.95, len(boxes))
keep = to_numpy(nms(boxes, scores, iou_threshold=0.5))
print("kept boxes:", keep.tolist(), "scores:", np.round(scores[keep], 3).tolist())

# %% tags=["hide"]
assert len(keep) == 3  # one box per object: the best-scored detection of each cluster
assert sorted(keep.tolist()) == [
    int(np.argmax(scores[8 * i : 8 * i + 8])) + 8 * i for i in range(3)
]
assert np.all(np.diff(scores[keep]) < 0)  # returned by decreasing score

# %% [markdown]
# Before and after: each box is coloured by its score, from dark (low) to
# yellow (high).

# %% alt="Left: 24 jittered boxes in three clusters, coloured by score; right: the three boxes NMS keeps, one per cluster, labelled with their scores"
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.6))
for ax, shown in zip(axes, (range(len(boxes)), keep)):
    for i in shown:
        draw(ax, boxes[i], edgecolor=plt.cm.viridis(scores[i]))
        if len(shown) < 10:  # label the survivors only
            ax.text(boxes[i, 0], boxes[i, 1] - 4, f"{scores[i]:.2f}")
    ax.set(xlim=(0, 250), ylim=(230, 0), aspect="equal", title=f"{len(shown)} boxes")
axes[1].set_title("after NMS (IoU > 0.5 suppressed): 3 boxes")
plt.tight_layout()
plt.show()

# %% [markdown]
# The suppressed boxes overlap their cluster's winner with IoU well above 0.5:

# %%
winners = np.sort(keep)
overlaps = to_numpy(box_iou(boxes[winners], boxes))
for i, w in enumerate(winners):
    others = np.delete(overlaps[i, 8 * i : 8 * i + 8], w - 8 * i)
    print(f"object {i}: winner {w}, IoU with the other 7: {others.min():.2f} to {others.max():.2f}")

# %% tags=["hide"]
for i, w in enumerate(winners):
    assert np.delete(overlaps[i, 8 * i : 8 * i + 8], w - 8 * i).min() > 0.5

# %% [markdown]
# One exception to OpenCV's NMS rules: two **zero-area** boxes. OpenCV's
# `cv2.dnn.NMSBoxes` counts their IoU as 1 wherever they are, so one point
# suppresses another far away; dlnotes, like torchvision, counts IoU 0 for a
# zero union and keeps both.

# %%
points = [[10.0, 10.0, 10.0, 10.0], [200.0, 200.0, 200.0, 200.0]]
print(nms(points, [0.9, 0.8], 0.5).tolist())

# %% tags=["hide"]
assert nms(points, [0.9, 0.8], 0.5).tolist() == [0, 1]

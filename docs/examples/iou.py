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
# "poor" (IoU 0.4034), "good" (0.7330) and "excellent" (0.9264). The pictures
# did not survive, so this example draws boxes of its own with such overlaps,
# then uses IoU the way the slide says it is used: in non-maximum suppression
# (NMS), to keep one box per object.
#
# Boxes are $(x_1, y_1, x_2, y_2)$ with $y$ pointing down, as in images.

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from dlnotes.backend import to_numpy
from dlnotes.detection import box_area, box_convert, box_iou, nms

truth = np.array([[50.0, 40.0, 150.0, 140.0]])  # a 100 x 100 ground-truth box
detections = {
    "poor": [80.0, 60.0, 180.0, 160.0],
    "good": [60.0, 45.0, 160.0, 145.0],
    "excellent": [52.0, 43.0, 152.0, 138.0],
}
iou = {name: float(box_iou(truth, [box])[0, 0]) for name, box in detections.items()}
for name, value in iou.items():
    print(f"{name:9}  IoU = {value:.4f}")

assert round(iou["poor"], 4) == 0.3889  # overlap 70 x 80 = 5600, union 20000 - 5600
assert round(iou["good"], 4) == 0.7467  # overlap 90 x 95 = 8550, union 11450
assert round(iou["excellent"], 4) == 0.9136  # overlap 98 x 95 = 9310, union 10190

# %% [markdown]
# Each IoU by hand: the overlap is
# $\max(0, \min(x_2, x_2') - \max(x_1, x_1')) \times \max(0, \min(y_2, y_2') - \max(y_1, y_1'))$
# and the union is the sum of the two areas minus the overlap. For "poor":
# $70 \times 80 = 5600$ over $10000 + 10000 - 5600 = 14400$, which is 0.3889.


# %%
def draw(ax, box, **style):
    x1, y1, x2, y2 = box
    ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=2, **style))


fig, axes = plt.subplots(1, 3, figsize=(10, 3.6))
for ax, (name, box) in zip(axes, detections.items()):
    draw(ax, truth[0], edgecolor="tab:green", label="ground truth")
    draw(ax, box, edgecolor="tab:red", label="detection")
    ix1, iy1 = max(truth[0, 0], box[0]), max(truth[0, 1], box[1])
    ix2, iy2 = min(truth[0, 2], box[2]), min(truth[0, 3], box[3])
    ax.add_patch(
        Rectangle((ix1, iy1), ix2 - ix1, iy2 - iy1, color="tab:orange", alpha=0.35, label="overlap")
    )
    ax.set_xlim(30, 200)
    ax.set_ylim(180, 20)  # y down, as in an image
    ax.set_aspect("equal")
    ax.set_title(f"{name}: IoU {iou[name]:.2f}")
axes[0].legend(loc="lower left", fontsize=7)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Box formats
#
# Datasets store boxes differently: COCO and OpenCV use the top-left corner
# with width and height ("xywh"), YOLO the centre with width and height
# ("cxcywh"). `box_convert` goes between them; IoU needs corners.

# %%
as_xywh = to_numpy(box_convert(truth, "xyxy", "xywh"))
as_cxcywh = to_numpy(box_convert(truth, "xyxy", "cxcywh"))
print("xyxy  ", truth[0].tolist())
print("xywh  ", as_xywh[0].tolist())
print("cxcywh", as_cxcywh[0].tolist())
assert as_xywh[0].tolist() == [50.0, 40.0, 100.0, 100.0]
assert as_cxcywh[0].tolist() == [100.0, 90.0, 100.0, 100.0]
assert float(box_area(as_cxcywh, fmt="cxcywh")[0]) == 10000.0

# %% [markdown]
# ## Non-maximum suppression
#
# A detector fires many times around each object. NMS sorts the boxes by
# score, keeps the best one, drops every box whose IoU with it is **greater
# than** the threshold, and repeats with the best box left. Equal scores keep
# their input order. Here three objects each get eight noisy detections
# (colour: score, from dark = low to yellow = high).

# %%
rng = np.random.default_rng(0)
objects = np.array(
    [[20.0, 20.0, 120.0, 100.0], [150.0, 40.0, 230.0, 160.0], [60.0, 130.0, 140.0, 210.0]]
)
jitter = rng.normal(0, 4, (3, 8, 4))
boxes = (objects[:, None, :] + jitter).reshape(-1, 4)
scores = rng.uniform(0.3, 0.95, len(boxes))
keep = to_numpy(nms(boxes, scores, iou_threshold=0.5))
print("kept boxes:", keep.tolist(), "scores:", np.round(scores[keep], 3).tolist())

# one box per object: the best-scored detection of each cluster
assert len(keep) == 3
assert sorted(keep.tolist()) == [
    int(np.argmax(scores[8 * i : 8 * i + 8])) + 8 * i for i in range(3)
]
assert np.all(np.diff(scores[keep]) < 0)  # returned by decreasing score

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
for ax, title, shown in (
    (axes[0], f"before NMS: {len(boxes)} boxes", range(len(boxes))),
    (axes[1], f"after NMS (IoU > 0.5 suppressed): {len(keep)} boxes", keep),
):
    for i in shown:
        draw(ax, boxes[i], edgecolor=plt.cm.viridis(scores[i]), alpha=0.9)
        if len(shown) < 10:  # label the survivors only: 24 labels would overlap
            ax.text(boxes[i, 0], boxes[i, 1] - 3, f"score {scores[i]:.2f}", fontsize=8)
    ax.set_xlim(0, 250)
    ax.set_ylim(230, 0)
    ax.set_aspect("equal")
    ax.set_title(title)
plt.tight_layout()
plt.show()

# %% [markdown]
# The suppressed boxes overlap their cluster's winner with IoU well above 0.5:

# %%
winners = np.sort(keep)
overlaps = to_numpy(box_iou(boxes[winners], boxes))
for i, w in enumerate(winners):
    cluster = slice(8 * i, 8 * i + 8)
    others = np.delete(overlaps[i, cluster], w - 8 * i)
    print(f"object {i}: winner {w}, IoU with the other 7: {others.min():.2f} to {others.max():.2f}")
    assert others.min() > 0.5

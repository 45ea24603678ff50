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
# # COCO evaluation
#
# Slide 002 asks for two numbers when reporting a detector: Average Precision
# (AP) and Average Recall (AR). The COCO benchmark turns them into twelve:
# AP averaged over the IoU thresholds 0.50, 0.55, ..., 0.95, AP at 0.50 and
# 0.75, AP for small, medium and large objects, and AR with at most 1, 10 and
# 100 detections per image, overall and by size (see
# [COCO evaluation](../../coco/) for the rules).
#
# This notebook evaluates two detectors with `dlnotes.coco.coco_evaluate` and
# puts the twelve numbers beside those of pycocotools, the reference
# implementation:
#
# 1. **real data**: 100 images of COCO val2014 with the official demo
#    detections that ship with pycocotools;
# 2. **a generated set** built to contain every corner case of the rules.
#
# Then it reads per-class precision-recall curves from the returned arrays,
# tries the parameters (IoU thresholds, detection limits, class-agnostic
# evaluation), and shows the places where dlnotes deliberately differs from
# pycocotools.

# %%
import contextlib
import copy
import io
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from dlnotes.coco import SUMMARY_NAMES, coco_evaluate
from dlnotes.datasets import make_coco_dataset


def pycocotools_eval(ground_truth, detections, **params):
    """pycocotools' COCOeval (bbox) on copies of the records, its printing silenced."""
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = copy.deepcopy(ground_truth)
        gt.createIndex()
        evaluation = COCOeval(gt, gt.loadRes(copy.deepcopy(detections)), "bbox")
        for key, value in params.items():  # iouThrs, maxDets, areaRng, useCats...
            setattr(evaluation.params, key, value)
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return evaluation


def table(header, rows):
    """A Markdown table: a header row and rows of cells (floats with 3 decimals)."""
    cell = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return Markdown("\n".join(lines))


# %% tags=["hide"]
plt.rcParams.update(
    {"figure.dpi": 100, "font.size": 11, "legend.fontsize": 10, "axes.titlesize": 11}
)


def find_peer_data():
    """The val2014 files: the repository's copy (docs/examples/data), else ../shared."""
    places = [Path("docs/examples/data")]  # examples run from the project root
    places += [
        folder / "shared/data/detection-peers" for folder in [Path.cwd(), *Path.cwd().parents]
    ]
    for candidate in places:
        if (candidate / "cocoapi_instances_val2014_100.json").is_file():
            return candidate
    return None


PEERS = find_peer_data()

# %% [markdown]
# ## Real data: 100 images of COCO val2014
#
# The ground truth is the COCO val2014 annotation of the 100 images with the
# lowest ids (faster-coco-eval and torchmetrics test on the same file); the
# detections are pycocotools' own demo results,
# `instances_val2014_fakebbox100_results.json`. Both are plain COCO json: a
# dict of `images`, `annotations` and `categories`, and a list of detections.

# %%
if PEERS is None:
    print("The shared peer data is not here: the real-data section is skipped.")
else:
    val_gt = json.loads((PEERS / "cocoapi_instances_val2014_100.json").read_text())
    val_dets = json.loads(
        (PEERS / "cocoapi_instances_val2014_fakebbox100_results.json").read_text()
    )
    val_anns = val_gt["annotations"]
    display(
        table(
            ["images", "classes", "ground truths", "crowds", "detections"],
            [
                [
                    len(val_gt["images"]),
                    len(val_gt["categories"]),
                    len(val_anns),
                    sum(a["iscrowd"] for a in val_anns),
                    len(val_dets),
                ]
            ],
        )
    )

# %% [markdown]
# `coco_evaluate` takes the records (or the paths of their json files) and
# returns the twelve numbers by name; pycocotools keeps them in `stats`.

# %%
if PEERS is not None:
    val = coco_evaluate(val_gt, val_dets)
    val_reference = pycocotools_eval(val_gt, val_dets)
    display(
        table(
            ["", "dlnotes", "pycocotools"],
            [[name, val[name], float(v)] for name, v in zip(SUMMARY_NAMES, val_reference.stats)],
        )
    )

# %% tags=["hide"]
if PEERS is not None:
    np.testing.assert_allclose(val["stats"], val_reference.stats, rtol=0, atol=1e-12)
    np.testing.assert_allclose(val["precision"], val_reference.eval["precision"], atol=1e-12)
    np.testing.assert_allclose(val["recall"], val_reference.eval["recall"], atol=1e-12)
    assert np.round(val["stats"], 3).tolist() == [
        0.505, 0.697, 0.573, 0.586, 0.519, 0.501, 0.387, 0.594, 0.595, 0.640, 0.566, 0.564
    ]  # fmt: skip

# %% [markdown]
# Equal to the last digit, and equal in the full precision array behind them.
# That array has shape [T, R, K, A, M]: 10 IoU thresholds, 101 recall
# thresholds, K classes, 4 area ranges ("all", "small", "medium", "large")
# and 3 detection limits (1, 10, 100). Each entry is the *interpolated*
# precision, the best precision at this recall or beyond. Here are the curves
# of the four classes with the most objects, at the IoU thresholds 0.50 and
# 0.75:

# %% tags=["fold"] alt="Precision-recall curves of the four most frequent COCO val2014 classes in the 100 images, at IoU 0.50 (solid) and 0.75 (dashed)"
if PEERS is not None:
    names = {c["id"]: c["name"] for c in val_gt["categories"]}
    counts = np.bincount([a["category_id"] for a in val_anns if not a["iscrowd"]])
    frequent = np.argsort(-counts, kind="stable")[:4]
    ids = val["category_ids"].tolist()
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    for colour, category in zip(plt.cm.tab10.colors, frequent):
        k = ids.index(int(category))
        for t, style in ((0, "-"), (5, "--")):
            ax.plot(val["recall_thresholds"], val["precision"][t, :, k, 0, 2], style,
                    color=colour, label=f"{names[int(category)]} ({counts[category]})"
                    if t == 0 else None)  # fmt: skip
    ax.set(xlabel="recall", ylabel="interpolated precision", ylim=(-0.02, 1.02),
           title="COCO val2014, 100 images: IoU 0.50 solid, 0.75 dashed")  # fmt: skip
    ax.legend(title="class (objects)", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    plt.tight_layout()
    plt.show()

# %% [markdown]
# At IoU 0.50 these demo detections find most objects with high precision;
# at 0.75 only the boxes that fit well count, and every curve stops earlier
# (at 0.95 almost nothing is left). AP averages the ten thresholds from 0.50
# to 0.95, which is why it is well below AP50.
#
# ## A generated set with every corner case
#
# `make_coco_dataset` (from `dlnotes.datasets`) writes COCO json records:
# 200 images and 8 classes, with crowd regions, objects whose area is
# exactly $32^2$ or $96^2$, scores rounded to two decimals (many ties), a
# class that has detections but no ground truth, a class with neither,
# images without detections and an image with more than 100 detections of
# one class.

# %%
ground_truth, detections = make_coco_dataset(200, 8, seed=0)
annotations = ground_truth["annotations"]
result = coco_evaluate(ground_truth, detections)
reference = pycocotools_eval(ground_truth, detections)
display(
    table(
        ["", "dlnotes", "pycocotools"],
        [[name, result[name], float(v)] for name, v in zip(SUMMARY_NAMES, reference.stats)],
    )
)

# %% tags=["hide"]
assert len(ground_truth["images"]) == 200 and len(ground_truth["categories"]) == 8
np.testing.assert_allclose(result["stats"], reference.stats, rtol=0, atol=1e-9)
np.testing.assert_allclose(result["precision"], reference.eval["precision"], rtol=0, atol=1e-12)
np.testing.assert_allclose(result["recall"], reference.eval["recall"], rtol=0, atol=1e-12)
assert round(result["AP"], 4) == 0.2960 and round(result["AP50"], 4) == 0.5222

# %% [markdown]
# AP50 is about twice AP: half of the matches at IoU 0.5 no longer count at
# the stricter thresholds. AR1 is low because it keeps only the best-scored
# detection per image and class.
#
# ## Per-class AP and precision-recall curves
#
# `result["per_class_AP"]` and `result["per_class_AR"]` hold each class's
# AP@[.5:.95] and AR100, -1 for a class without ground truth (left out of
# every average). Their mean is COCO's "AP": what the slides call mAP, the
# mean over the classes of each class's AP.

# %%
display(
    table(
        ["class", "AP@[.5:.95]", "AR100"],
        [
            [c, float(ap), float(ar)] if ap > -1 else [c, "no ground truth", ""]
            for c, ap, ar in zip(
                result["category_ids"].tolist(), result["per_class_AP"], result["per_class_AR"]
            )
        ],
    )
)

# %% tags=["hide"]
defined = result["per_class_AP"] > -1
assert defined.sum() == 6  # two classes have no ground truth
assert np.isclose(result["per_class_AP"][defined].mean(), result["AP"], rtol=0, atol=1e-12)
assert np.isclose(result["per_class_AR"][defined].mean(), result["AR100"], rtol=0, atol=1e-12)

# %% tags=["fold"] alt="Left: interpolated precision against recall at IoU 0.50 for the six classes with ground truth in the generated set; right: one class's curves at the ten IoU thresholds from 0.50 to 0.95"
precision, recall_thresholds = result["precision"], result["recall_thresholds"]
fig, axes = plt.subplots(1, 2, figsize=(7.4, 3.6), sharey=True)
for k, category in enumerate(result["category_ids"].tolist()):
    if defined[k]:
        curve = precision[0, :, k, 0, 2]  # IoU 0.50, area "all", 100 detections
        axes[0].plot(recall_thresholds, curve, label=f"class {category}")
axes[0].set(title="IoU 0.50, each class", xlabel="recall", ylabel="precision")
axes[0].legend(fontsize=10)
for t, threshold in enumerate(result["iou_thresholds"]):
    axes[1].plot(recall_thresholds, precision[t, :, 0, 0, 2], color=plt.cm.viridis(t / 9),
                 label=f"{threshold:.2f}" if t in (0, 9) else None)  # fmt: skip
axes[1].set(title=f"class {result['category_ids'][0]}, 10 IoU thresholds", xlabel="recall")
axes[1].legend(title="IoU", fontsize=10)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Parameters
#
# The evaluation's parameters are pycocotools' `Params`, under their own
# names: `iou_thresholds=` (`iouThrs`), `max_detections=` (`maxDets`),
# `area_ranges=` (`areaRng` with its labels) and `use_categories=`
# (`useCats`). Each gives pycocotools' arrays. One differs in the summary:
# pycocotools' AP looks for a limit of exactly 100 detections, so with
# `maxDets=[1, 10, 50]` its first number is -1; dlnotes reads the AP numbers
# at the largest limit and names each AR after its limit.

# %%
limited = coco_evaluate(ground_truth, detections, max_detections=[1, 10, 50])
limited_reference = pycocotools_eval(ground_truth, detections, maxDets=[1, 10, 50])
agnostic = coco_evaluate(ground_truth, detections, use_categories=False)
agnostic_reference = pycocotools_eval(ground_truth, detections, useCats=0)
display(
    table(
        [
            "",
            "dlnotes, limits 1, 10, 50",
            "pycocotools, maxDets 1, 10, 50",
            "dlnotes, class-agnostic",
            "pycocotools, useCats=0",
        ],
        [
            [f"{name} / {name_50}", limited[name_50], float(a), agnostic[name], float(b)]
            for name, name_50, a, b in zip(
                SUMMARY_NAMES,
                limited["summary_names"],
                limited_reference.stats,
                agnostic_reference.stats,
            )
        ],
    )
)

# %% tags=["hide"]
assert limited_reference.stats[0] == -1.0 and limited["AP"] > 0.29
np.testing.assert_allclose(
    limited["precision"], limited_reference.eval["precision"], rtol=0, atol=1e-12
)
np.testing.assert_allclose(limited["stats"][1:], limited_reference.stats[1:], atol=1e-9)
np.testing.assert_allclose(agnostic["stats"], agnostic_reference.stats, rtol=0, atol=1e-9)
np.testing.assert_allclose(
    agnostic["precision"], agnostic_reference.eval["precision"], rtol=0, atol=1e-12
)

# %% [markdown]
# Class-agnostic evaluation asks whether the boxes are right regardless of
# the class: a box with the wrong label can now match, so every number rises.
#
# ## Two rules for the recall levels
#
# pycocotools' recall levels are `np.linspace(0, 1, 101)` floats; ten of them
# lie just above $k/100$ (0.7 is 0.7000000000000001). Seven perfect
# detections of ten objects reach recall 0.7 exactly, which misses that
# level: AP50 is 70/101 instead of 71/101. `recall_levels="exact"` compares
# the levels exactly; the default follows pycocotools.

# %%
boxes = [[20.0 * i, 0.0, 10.0, 10.0] for i in range(10)]
ten = {
    "images": [{"id": 1}],
    "categories": [{"id": 1}],
    "annotations": [
        {"id": i + 1, "image_id": 1, "category_id": 1, "bbox": b, "area": 100.0, "iscrowd": 0}
        for i, b in enumerate(boxes)
    ],
}
seven = [{"image_id": 1, "category_id": 1, "bbox": b, "score": 0.9} for b in boxes[:7]]
rules = {
    rule: coco_evaluate(ten, seven, recall_levels=rule)["AP50"] for rule in ("pycocotools", "exact")
}
display(
    table(
        ["AP50", "dlnotes, pycocotools' levels", "dlnotes, exact levels", "pycocotools"],
        [
            [
                "7 of 10 found",
                rules["pycocotools"],
                rules["exact"],
                float(pycocotools_eval(ten, seven).stats[1]),
            ]
        ],
    )
)

# %% tags=["hide"]
assert round(rules["pycocotools"], 4) == 0.6931 and round(rules["exact"], 4) == 0.7030
assert np.isclose(pycocotools_eval(ten, seven).stats[1], rules["pycocotools"], atol=1e-12)

# %% [markdown]
# ## pycocotools' annotation-id-0 bug
#
# pycocotools stores each detection's match as the *id* of the ground truth,
# with 0 meaning "no match". An annotation whose id is 0 is legal json, but a
# detection matched to it is then counted as a false positive (and the ground
# truth as missed). dlnotes keeps matches by position and counts it right.
# **The smallest case**: one box with id 0, found exactly.

# %%
box = [10, 10, 20, 20]
tiny = {
    "images": [{"id": 1}],
    "categories": [{"id": 1}],
    "annotations": [
        {"id": 0, "image_id": 1, "category_id": 1, "bbox": box, "area": 400, "iscrowd": 0}
    ],
}
tiny_dets = [{"image_id": 1, "category_id": 1, "bbox": box, "score": 0.9}]
tiny_shifted = copy.deepcopy(tiny)
tiny_shifted["annotations"][0]["id"] = 1
ours, theirs, theirs_shifted = (
    coco_evaluate(tiny, tiny_dets)["AP"],
    pycocotools_eval(tiny, tiny_dets).stats[0],
    pycocotools_eval(tiny_shifted, tiny_dets).stats[0],
)
display(
    table(
        ["AP", "dlnotes", "pycocotools, id 0", "pycocotools, id 1"],
        [["one box, found", float(ours), float(theirs), float(theirs_shifted)]],
    )
)

# %% tags=["hide"]
assert round(ours, 12) == 1.0 and theirs == 0.0 and theirs_shifted == ours

# %% [markdown]
# **On the generated set**, numbered from 0 instead of 1 (the first
# annotation, found precisely, gets id 0): dlnotes gives the same numbers for
# both numberings, which are pycocotools' numbers for ids from 1; pycocotools
# on ids from 0 turns that annotation's detection into a false positive (at
# every IoU threshold) and the annotation into a miss.

# %%
from_zero, _ = make_coco_dataset(200, 8, seed=0, first_annotation_id=0)
ours = coco_evaluate(from_zero, detections)["stats"]
buggy = pycocotools_eval(from_zero, detections).stats
display(
    table(
        ["", "dlnotes", "pycocotools, ids from 0", "difference"],
        [
            [name, float(a), float(b), f"{a - b:.6f}"]
            for name, a, b in zip(SUMMARY_NAMES, ours, buggy)
        ],
    )
)

# %% tags=["hide"]
np.testing.assert_array_equal(ours, result["stats"])
assert round(ours[0], 6) == 0.296042 and round(buggy[0], 6) == 0.295161

# %% [markdown]
# How `coco_evaluate` gets the same numbers as pycocotools many times
# faster, in NumPy alone, is on the [COCO evaluation](../../coco/) page.

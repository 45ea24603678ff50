"""Synthetic COCO data (dlnotes.datasets): the corner cases it promises, its argument checks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dlnotes.datasets import make_coco_dataset


def test_generated_data_has_every_corner_case():
    gt, dets = make_coco_dataset(120, 6, seed=0)
    anns = gt["annotations"]
    assert any(a["iscrowd"] for a in anns)
    assert any(a["area"] == 32**2 for a in anns) and any(a["area"] == 96**2 for a in anns)
    assert any(a["area"] < a["bbox"][2] * a["bbox"][3] for a in anns)  # area field, not the box
    boxes = [(a["image_id"], a["category_id"], tuple(a["bbox"])) for a in anns]
    assert len(set(boxes)) < len(boxes)  # objects annotated twice: equal IoUs
    det_areas = [d["bbox"][2] * d["bbox"][3] for d in dets]
    assert 32**2 in det_areas and 96**2 in det_areas
    scores = [d["score"] for d in dets]
    assert len(set(scores)) < len(scores) / 10  # tied scores
    det_boxes = [(d["image_id"], d["category_id"], tuple(d["bbox"]), d["score"]) for d in dets]
    assert len(set(det_boxes)) < len(det_boxes)  # identical boxes with identical scores
    cats_with_gt = {a["category_id"] for a in anns}
    cats_with_dets = {d["category_id"] for d in dets}
    all_cats = {c["id"] for c in gt["categories"]}
    assert cats_with_dets - cats_with_gt  # detections of a class without ground truth
    assert all_cats - cats_with_gt - cats_with_dets  # a class with neither
    image_ids = [i["id"] for i in gt["images"]]
    assert set(image_ids) - {d["image_id"] for d in dets}  # images without detections
    assert set(image_ids) - {a["image_id"] for a in anns}  # images without ground truth
    assert image_ids != sorted(image_ids)
    assert sorted(all_cats) != list(range(min(all_cats), min(all_cats) + len(all_cats)))
    per_group = {}
    for d in dets:
        key = (d["image_id"], d["category_id"])
        per_group[key] = per_group.get(key, 0) + 1
    assert max(per_group.values()) > 100


@pytest.mark.parametrize(("n_images", "n_categories"), [(3, 1), (4, 2), (40, 3), (60, 12)])
def test_sizes_and_json(n_images, n_categories):
    gt, dets = make_coco_dataset(n_images, n_categories, seed=n_images)
    assert len(gt["images"]) == n_images and len(gt["categories"]) == n_categories
    assert len({a["id"] for a in gt["annotations"]}) == len(gt["annotations"])
    assert json.loads(json.dumps([gt, dets])) == [gt, dets]  # plain Python values only
    assert all(type(a["iscrowd"]) is int for a in gt["annotations"])


def test_same_seed_same_data_and_first_annotation_id():
    gt0, dets0 = make_coco_dataset(30, 3, seed=3, first_annotation_id=0)
    gt1, dets1 = make_coco_dataset(30, 3, seed=np.random.default_rng(3))
    assert dets0 == dets1
    assert [a["id"] for a in gt0["annotations"]] == [a["id"] - 1 for a in gt1["annotations"]]
    assert make_coco_dataset(30, 3, seed=4) != make_coco_dataset(30, 3, seed=5)


@pytest.mark.parametrize("name", ["n_images", "n_categories", "first_annotation_id"])
@pytest.mark.parametrize("value", [True, 3.0, "5", None])
def test_counts_must_be_integers(name, value):
    with pytest.raises(TypeError, match=name):
        make_coco_dataset(**{name: value})


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"n_images": 2}, "n_images"), ({"n_categories": 0}, "n_categories"),
     ({"first_annotation_id": -1}, "first_annotation_id"), ({"seed": -1}, "seed")],
)  # fmt: skip
def test_counts_out_of_range(kwargs, name):
    with pytest.raises(ValueError, match=name):
        make_coco_dataset(**kwargs)


@pytest.mark.parametrize("seed", [True, 1.5, "0"])
def test_seed_type(seed):
    with pytest.raises(TypeError, match="seed"):
        make_coco_dataset(10, 2, seed=seed)

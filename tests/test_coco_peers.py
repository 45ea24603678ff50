"""`coco_evaluate` against pycocotools on the real evaluation data of other projects.

Every file of ``../shared/data/detection-peers/`` (sources in its README) that
pycocotools can read is evaluated by both (boxes, ``iouType="bbox"``): the 12
numbers and the full precision and recall arrays must be equal. Inputs that
are not COCO records (torchmetrics' and review_object_detection_metrics' own
formats) are converted to COCO records first, as their users would. Where
pycocotools cannot read a file, the test says why.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from dlnotes import coco
from dlnotes.coco import SUMMARY_NAMES, coco_evaluate
from tests._helpers import run_pycocotools

DATA = Path(__file__).parents[1].parent / "shared/data/detection-peers"

pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"the shared peer data is not here ({DATA})"
)


def load(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def assert_equal_to_pycocotools(ground_truth, detections, *, params=None, **kwargs):
    """dlnotes and pycocotools on the same data: 12 numbers, precision and recall arrays."""
    result = coco_evaluate(ground_truth, detections, **kwargs)
    theirs = run_pycocotools(ground_truth, detections, **(params or {}))
    ours = [result[name] for name in SUMMARY_NAMES]  # by name: AR300 is not among pycocotools'
    np.testing.assert_allclose(ours, theirs.stats, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result["precision"], theirs.eval["precision"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(result["recall"], theirs.eval["recall"], rtol=0, atol=1e-12)
    return result, theirs


def shift_annotation_ids(ground_truth):
    """The same records with annotation ids + 1 (pycocotools reads id 0 as "no match")."""
    shifted = copy.deepcopy(ground_truth)
    for record in shifted["annotations"]:
        record["id"] += 1
    return shifted


# --------------------------------------------------------------------------
# COCO val2014, the official demo detections


def test_val2014_100_images_with_the_official_detections():
    gt = load("cocoapi_instances_val2014_100.json")
    dets = load("cocoapi_instances_val2014_fakebbox100_results.json")
    result, _ = assert_equal_to_pycocotools(gt, dets)
    # pycocotools' printed summary of this pair (its README's demo numbers, 3 decimals)
    assert np.round(result["stats"], 3).tolist() == [
        0.505, 0.697, 0.573, 0.586, 0.519, 0.501, 0.387, 0.594, 0.595, 0.640, 0.566, 0.564
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("option", "param"),
    [
        ({"iou_thresholds": [0.5, 0.75]}, {"iouThrs": np.array([0.5, 0.75])}),
        ({"area_ranges": {"all": (0, 1e10), "small": (0, 500.0), "medium": (500.0, 5e3),
                          "large": (5e3, 1e10)}},
         {"areaRng": [[0, 1e10], [0, 500.0], [500.0, 5e3], [5e3, 1e10]]}),
        ({"use_categories": False}, {"useCats": 0}),
        ({"max_detections": [1, 10, 100, 300]}, {"maxDets": [1, 10, 100, 300]}),
    ],
    ids=["iou_thresholds", "area_ranges", "class-agnostic", "max_detections"],
)  # fmt: skip
def test_val2014_with_parameters(option, param):
    gt = load("cocoapi_instances_val2014_100.json")
    dets = load("cocoapi_instances_val2014_fakebbox100_results.json")
    assert_equal_to_pycocotools(gt, dets, params=param, **option)


def test_val2014_detections_as_an_array():
    gt = load("cocoapi_instances_val2014_100.json")
    dets = load("cocoapi_instances_val2014_fakebbox100_results.json")
    rows = np.array([[d["image_id"], *d["bbox"], d["score"], d["category_id"]] for d in dets])
    assert_equal_to_pycocotools(gt, rows)


def test_review_sampled_ground_truth_with_box_areas():
    """The same 100 images without the crowds and with area = w * h."""
    gt = load("review_sampled_gts_bbox_area.json")
    assert_equal_to_pycocotools(gt, load("cocoapi_instances_val2014_fakebbox100_results.json"))


# --------------------------------------------------------------------------
# faster-coco-eval's test sets


def test_faster_coco_eval_shapes():
    assert_equal_to_pycocotools(load("fce_gt_dataset.json"), load("fce_dt_dataset.json"))


def test_faster_coco_eval_keypoint_set_as_boxes():
    assert_equal_to_pycocotools(load("fce_keypoints_gt.json"), load("fce_keypoints_dt.json"))


def test_faster_coco_eval_ignore_set():
    """Image id "2299" (a string) in images and in one annotation, 2299 (an integer) in the
    other annotations and all detections. pycocotools cannot read the detections as they are
    (loadRes asserts 'Results do not correspond to current coco set'), nor can dlnotes
    (ValueError): with the detections' ids as strings both evaluate, and both leave out the
    annotations of the integer id 2299, an image that is not listed."""
    pytest.importorskip("pycocotools", reason="pycocotools is the reference for COCO evaluation")
    gt, dets = load("fce_gt_ignore_test.json"), load("fce_dt_ignore_test.json")
    with pytest.raises(AssertionError, match="do not correspond"):
        run_pycocotools(gt, dets)
    with pytest.raises(ValueError, match="image_id 2299, which is not an image"):
        coco_evaluate(gt, dets)
    as_strings = [dict(d, image_id=str(d["image_id"])) for d in dets]
    result, _ = assert_equal_to_pycocotools(gt, as_strings)
    assert result["recall"][0, 0, 0, 2] == 1.0  # one annotation evaluated, found
    # every id a string: the 13 annotations and the crowd are evaluated
    all_strings = copy.deepcopy(gt)
    for record in all_strings["annotations"]:
        record["image_id"] = "2299"
    assert_equal_to_pycocotools(all_strings, as_strings)


def test_faster_coco_eval_iou_matrix():
    """faster-coco-eval's stored IoU matrix of image 2299 (the 36 highest-scored detections
    against the 14 annotations, the last a crowd) is bit-identical to dlnotes' IoU."""
    ious = np.load(DATA / "fce_2299_1.npy")
    gt, dets = load("fce_gt_ignore_test.json"), load("fce_dt_ignore_test.json")
    order = np.argsort([-d["score"] for d in dets], kind="stable")[: len(ious)]
    d_box = np.array([dets[i]["bbox"] for i in order])
    g_box = np.array([a["bbox"] for a in gt["annotations"]])
    crowd = np.array([a["iscrowd"] for a in gt["annotations"]]) == 1
    di, gi = np.meshgrid(np.arange(len(d_box)), np.arange(len(g_box)), indexing="ij")
    ours = coco._pair_iou(d_box[di.ravel()], g_box[gi.ravel()], crowd[gi.ravel()])
    np.testing.assert_array_equal(ours.reshape(ious.shape), ious)


# --------------------------------------------------------------------------
# detectron2


def test_detectron2_fast_eval_case():
    data = load("detectron2_coco_eval_small.json")
    assert_equal_to_pycocotools(data["gt_annotations"], data["detections"])


# --------------------------------------------------------------------------
# review_object_detection_metrics (Padilla et al.)


def test_review_toy_example():
    """Its ground truth numbers an annotation 0: pycocotools counts the detection matched to
    it as a false positive (the id-0 bug dlnotes does not copy), so the reference is
    pycocotools on the same records with the ids shifted by one."""
    gt = load("review_toy_example_gt.json")
    dets = load("review_toy_example_dets.json")["annotations"]  # records with a "score"
    assert min(a["id"] for a in gt["annotations"]) == 0
    result = coco_evaluate(gt, dets)
    shifted = shift_annotation_ids(gt)
    assert_equal_to_pycocotools(shifted, dets)
    np.testing.assert_array_equal(coco_evaluate(shifted, dets)["stats"], result["stats"])
    buggy = run_pycocotools(gt, dets)
    assert not np.allclose(buggy.stats, result["stats"], rtol=0, atol=1e-9)


def test_review_voc100():
    """100 VOC2007 images; the two files number images and classes differently: joined by
    file name and class name, as the project's script does."""
    gt, det_file = load("review_voc100_gt.json"), load("review_voc100_dets.json")
    image = {i["file_name"]: i["id"] for i in gt["images"]}
    category = {c["name"]: c["id"] for c in gt["categories"]}
    det_image = {i["id"]: image[i["file_name"]] for i in det_file["images"]}
    det_category = {c["id"]: category[c["name"]] for c in det_file["categories"]}
    dets = [
        {"image_id": det_image[d["image_id"]], "category_id": det_category[d["category_id"]],
         "bbox": d["bbox"], "score": d["score"]}
        for d in det_file["annotations"]
    ]  # fmt: skip
    if min(a["id"] for a in gt["annotations"]) == 0:  # pragma: no cover - not in this file
        gt = shift_annotation_ids(gt)
    result, _ = assert_equal_to_pycocotools(gt, dets)
    assert 0 < result["AP"] < result["AP50"] < 1


def test_review_test_case_1():
    """Seven images of one class, from text files (absolute x, y, w, h) as COCO records."""
    images = load("review_test_case_1.json")["images"]
    gt = {"images": [{"id": i + 1} for i in range(len(images))],
          "categories": [{"id": 1, "name": "object"}], "annotations": []}  # fmt: skip
    dets = []
    for i, record in enumerate(images):
        for box in record["gt_xywh"]:
            gt["annotations"].append({"id": len(gt["annotations"]) + 1, "image_id": i + 1,
                                      "category_id": 1, "bbox": box, "area": box[2] * box[3],
                                      "iscrowd": 0})  # fmt: skip
        for box, score in zip(record["det_xywh"], record["det_score"]):
            dets.append({"image_id": i + 1, "category_id": 1, "bbox": box, "score": score})
    assert_equal_to_pycocotools(gt, dets)


# --------------------------------------------------------------------------
# torchmetrics' MeanAveragePrecision test inputs (xyxy boxes per image)


def torchmetrics_to_coco(preds, targets):
    """torchmetrics' per-image dicts (boxes x1, y1, x2, y2) as COCO records, area = w * h,
    the categories every label that occurs."""
    gt = {"images": [], "categories": [], "annotations": []}
    dets, labels = [], set()
    for image, (pred, target) in enumerate(zip(preds, targets)):
        gt["images"].append({"id": image})
        for (x1, y1, x2, y2), label in zip(target["boxes"], target["labels"]):
            gt["annotations"].append({"id": len(gt["annotations"]) + 1, "image_id": image,
                                      "category_id": label, "bbox": [x1, y1, x2 - x1, y2 - y1],
                                      "area": (x2 - x1) * (y2 - y1), "iscrowd": 0})  # fmt: skip
        for (x1, y1, x2, y2), label, score in zip(pred["boxes"], pred["labels"], pred["scores"]):
            dets.append({"image_id": image, "category_id": label,
                         "bbox": [x1, y1, x2 - x1, y2 - y1], "score": score})  # fmt: skip
        labels |= set(target["labels"]) | set(pred["labels"])
    gt["categories"] = [{"id": label} for label in sorted(labels)]
    return gt, dets


@pytest.mark.parametrize("name", ["_inputs", "_inputs2", "_inputs3"])
def test_torchmetrics_batched_inputs(name):
    case = load("torchmetrics_map_inputs.json")[name]
    preds = [image for batch in case["preds"] for image in batch]
    targets = [image for batch in case["target"] for image in batch]
    assert_equal_to_pycocotools(*torchmetrics_to_coco(preds, targets))


@pytest.mark.parametrize("name", ["missing_pred", "missing_gt"])
def test_torchmetrics_missing_predictions_or_targets(name):
    case = load("torchmetrics_map_inputs.json")[name]
    assert_equal_to_pycocotools(*torchmetrics_to_coco(case["preds"], case["target"]))


def single_pair(pred, target, score=0.5, n=1):
    """One image, one class: ``n`` copies of the detection ``pred`` and one ground truth,
    both x1, y1, x2, y2."""
    box = [{"boxes": [target], "labels": [0]}]
    return torchmetrics_to_coco([{"boxes": [pred] * n, "labels": [0] * n, "scores": [score] * n}],
                                box)  # fmt: skip


def test_torchmetrics_empty_predictions():
    """No detection at all: pycocotools' loadRes cannot take an empty list (IndexError), so
    there is no reference; dlnotes gives AP 0 and AR 0, as torchmetrics does."""
    case = load("torchmetrics_map_inputs.json")["empty_preds"]
    gt, _ = single_pair(case["xyxy"], case["xyxy"])
    result = coco_evaluate(gt, [])
    assert result["AP"] == 0.0 and result["AR100"] == 0.0


def test_torchmetrics_box_format_case():
    """Its one-box case at IoU threshold 0.2 (IoU 0.25 between the two boxes)."""
    case = load("torchmetrics_map_inputs.json")["box_format"]
    gt, dets = single_pair(case["pred"], case["target"])
    thresholds = case["iou_thresholds"]
    result, _ = assert_equal_to_pycocotools(
        gt, dets, params={"iouThrs": np.array(thresholds)}, iou_thresholds=thresholds
    )
    assert result["AP"] == pytest.approx(case["expected"]["xyxy"][1])


def test_torchmetrics_many_detections_case():
    """101 equal detections on one box: the 101st is beyond the 100 per image."""
    case = load("torchmetrics_map_inputs.json")["many_detections"]
    gt, dets = single_pair(case["pred"], case["target"], case["score"], case["n"])
    assert len(dets) == 101
    assert_equal_to_pycocotools(gt, dets)


def test_torchmetrics_issue_943_case():
    case = load("torchmetrics_map_inputs.json")["issue943_single"]
    assert_equal_to_pycocotools(*single_pair(case["pred"], case["target"], case["score"]))

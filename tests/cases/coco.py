"""Valid calls of dlnotes.coco (see tests/cases/__init__.py).

COCO evaluation reads json records (dicts and lists of Python numbers), not
arrays: the backends' conversions leave them as they are, and the results
are NumPy arrays and Python floats by design.
"""

from tests.cases import case

BOX = {"image_id": 1, "category_id": 1, "area": 100, "iscrowd": 0}
GROUND_TRUTH = {
    "images": [{"id": 1}, {"id": 2}],
    "categories": [{"id": 1}, {"id": 4}],
    "annotations": [
        dict(BOX, id=1, bbox=[0, 0, 10, 10]),
        dict(BOX, id=2, bbox=[20, 20, 10, 10]),
        dict(BOX, id=3, image_id=2, category_id=4, bbox=[0, 0, 50, 50], area=2500),
        dict(BOX, id=4, image_id=2, bbox=[60, 60, 120, 120], area=14400, iscrowd=1),
    ],
}
DETECTIONS = [
    {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9},
    {"image_id": 1, "category_id": 1, "bbox": [20, 20, 10, 7.2], "score": 0.8},
    {"image_id": 2, "category_id": 4, "bbox": [2, 1, 50, 48], "score": 0.7},
    {"image_id": 2, "category_id": 1, "bbox": [70, 70, 20, 20], "score": 0.6},
    {"image_id": 2, "category_id": 4, "bbox": [100, 0, 30, 30], "score": 0.6},
]


CASES = {
    "coco_evaluate": [
        case(GROUND_TRUTH, DETECTIONS),
        case(GROUND_TRUTH, DETECTIONS[:2], iou_type="bbox"),
        case(
            GROUND_TRUTH,
            DETECTIONS,
            iou_thresholds=[0.5, 0.6, 0.75],
            max_detections=[1, 2],
            area_ranges={"all": (0, 1e10), "tiny": (0, 200.0), "rest": (200.0, 1e10)},
            use_categories=False,
            recall_levels="exact",
        ),
    ],
}
# NumPy only: json records in, NumPy arrays and Python floats out; syncs do not apply.
SYNCS = {"coco_evaluate": None}

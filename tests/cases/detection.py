"""Valid calls of dlnotes.detection (see tests/cases/__init__.py)."""

import numpy as np

from tests.cases import XP, case

_BOXES = np.array(
    [
        [0.0, 0.0, 10.0, 10.0],
        [1.0, 1.0, 11.0, 11.0],
        [20.0, 20.0, 30.0, 30.0],
        [0.0, 0.0, 10.0, 9.0],
        [21.0, 19.0, 31.0, 29.0],
        [50.0, 50.0, 52.0, 60.0],
    ]
)
_SCORES = np.array([0.9, 0.8, 0.7, 0.9, 0.75, 0.3])
_FACES = np.array([[20.0 * i, 0.0, 20.0 * i + 10, 10.0] for i in range(5)])
_DETS = np.array(
    [
        [1.0, 0.0, 11.0, 10.0],
        [20.0, 1.0, 30.0, 11.0],
        [41.0, 1.0, 51.0, 11.0],
        [0.0, 30.0, 10.0, 40.0],
        [0.0, 0.0, 10.0, 10.0],  # a duplicate of face 0: a false positive
        [60.0, 2.0, 70.0, 12.0],
    ]
)
_DET_SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.8, 0.8])
_RANKED = (np.array([0.9, 0.7, 0.6, 0.3, 0.2]), np.array([1.0, 1.0, 0.0, 1.0, 0.0]), 5)
_CXCYWH = np.array([[5.0, 5.0, 4.0, 2.0], [0.0, 0.0, 1.0, 1.0], [3.0, -1.0, 2.0, 0.5]])
_PRED = np.array([[6.0, 3.0, 2.0, 2.0], [9.0, 9.0, 9.0, 9.0], [2.5, -1.0, 1.0, 1.0]])


def _yolo_2x2():
    """The hand-checked 2x2 grid of tests/test_detection.py, and a batch of two images."""
    y_true = np.zeros((2, 2, 7))
    y_true[0, 0] = [0.5, 0.5, 0.36, 0.64, 1.0, 1.0, 0.0]
    y_pred = np.zeros((2, 2, 12))
    y_pred[0, 0] = [0.4, 0.6, 0.16, 0.36, 0.5, 0.0, 0.0, 0.04, 0.04, 0.2, 0.7, 0.3]
    y_pred[0, 1, 4], y_pred[1, 0, 4], y_pred[1, 1, 9] = 0.1, 0.2, 0.4
    return y_true, y_pred


_YT, _YP = _yolo_2x2()
_WH = np.array([[1.0, 1.0], [1.1, 0.9], [0.9, 1.1], [4.0, 8.0], [4.2, 7.8], [3.8, 8.2], [2.0, 2.5]])

CASES = {
    "box_area": [
        case(_BOXES),
        case(_CXCYWH, fmt="cxcywh"),
        case(_BOXES, pixel_inclusive=True),
    ],
    "box_convert": [
        case(_BOXES, "xyxy", "cxcywh"),
        case(_CXCYWH, "cxcywh", "xywh"),
        case(_BOXES[:2], "xyxy", "xyxy"),
    ],
    "box_iou": [
        case(_BOXES, _DETS),
        case(np.zeros((0, 4)), _BOXES),
        case(_BOXES, _DETS, pixel_inclusive=True),
    ],
    "nms": [case(_BOXES, _SCORES, 0.5), case(_DETS, _DET_SCORES, 0.1)],
    "match_detections": [
        case(_FACES, _DETS, _DET_SCORES),
        case(_FACES[:2], _DETS, _DET_SCORES, iou_threshold=0.3),
        case(_FACES, _DETS[:0], _DET_SCORES[:0]),
    ],
    "precision_recall": [case(*_RANKED), case(_DET_SCORES, np.array([True] * 3 + [False] * 3), 4)],
    "average_precision": [
        case(*_RANKED),
        case(*_RANKED, method="all-point"),
        case(*_RANKED, method="slide"),
    ],
    "mean_average_precision": [
        case(np.array([0.5, 0.7, 0.9])),
        case([_RANKED, (_DET_SCORES, np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0]), 4)], method="coco"),
    ],
    "rcnn_box_loss": [
        case(_CXCYWH, _PRED),
        case(_CXCYWH, _PRED, positive=np.array([1.0, 0.0, 1.0]), anchors=_PRED, reduction="mean"),
    ],
    "rcnn_class_loss": [
        case(np.array([0, 1, 2]), np.array([[2.0, 0.0, 1.0], [0.0, 2.0, -1.0], [5.0, 1.0, 0.5]])),
        case(np.array([1, 0]), np.array([[1000.0, -1000.0], [0.0, 1.0]]), reduction="none"),
    ],
    "yolo_loss": [
        case(_YT, _YP),
        case(
            np.stack([_YT, np.zeros_like(_YT)]),
            np.stack([_YP, _YP]),
            reduction="none",
            confidence_target="one",
            return_terms=True,
        ),
    ],
    "yolo_decode": [
        case(np.linspace(-3, 3, 48).reshape(2, 3, 2, 4), np.array([[1.0, 2.0], [0.5, 0.5]])),
    ],
    "wh_iou": [case(_WH, _WH[:3]), case(np.array([[0.0, 0.0]]), _WH[:2])],
    "kmeans_anchors": [
        case(_WH, k=2, seed=0),
        case(_WH.tolist(), k=2, update="median", seed=1, xp=XP),
    ],
}

SYNCS = {
    "nms": None,  # the number of kept boxes is the data's
    "kmeans_anchors": 3,  # its convergence test: 3 runs (n_init), each stable at the first test
}

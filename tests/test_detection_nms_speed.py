"""NMS's sparse suppression step (only intersecting pairs get an IoU) against dense references."""

from __future__ import annotations

import numpy as np
import pytest

from dlnotes import detection as det
from dlnotes.backend import to_numpy


def _dense_nms(boxes, scores, threshold):
    """Greedy NMS over the full IoU matrix of `box_iou`, one kept box at a time."""
    order = np.argsort(-scores, kind="stable")
    iou = to_numpy(det.box_iou(boxes[order], boxes[order]))
    alive, keep = np.ones(len(order), dtype=bool), []
    for i in range(len(order)):
        if alive[i]:
            keep.append(i)
            alive[i + 1 :] &= iou[i, i + 1 :] <= threshold
    return order[keep].tolist()


def _boxes(rng, n, *, integer):
    """Integer boxes (touching, nested, equal, zero-width) or random float boxes."""
    if integer:
        xy = rng.integers(0, 40, (n, 2))
        return np.concatenate([xy, xy + rng.integers(0, 15, (n, 2))], axis=1).astype(float)
    xy = rng.uniform(0, 300, (n, 2))
    return np.concatenate([xy, xy + rng.uniform(0, 80, (n, 2))], axis=1)


@pytest.mark.parametrize("integer", [True, False])
@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.7, 1.0])
def test_sparse_suppression_equals_dense_nms(integer, threshold):
    rng = np.random.default_rng(11)
    for n in [1, 31, 33, 200, 1500]:
        boxes = _boxes(rng, n, integer=integer)
        scores = rng.integers(0, 6, n).astype(float)  # many ties
        assert det.nms(boxes, scores, threshold).tolist() == _dense_nms(boxes, scores, threshold)


def test_sparse_suppression_equals_opencv_and_torch_on_many_boxes():
    cv2 = pytest.importorskip("cv2", reason="OpenCV is the reference NMS")
    torch = pytest.importorskip("torch", reason="torch runs dlnotes on tensors")
    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 1000, (5000, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(10, 100, (5000, 2))], axis=1)
    scores32 = rng.random(5000).astype(np.float32)
    scores = scores32.astype(np.float64)
    xywh = to_numpy(det.box_convert(boxes, "xyxy", "xywh"))
    want = np.asarray(cv2.dnn.NMSBoxes(xywh, scores32, 0.0, 0.5)).ravel().tolist()
    assert det.nms(boxes, scores, 0.5).tolist() == want
    assert det.nms(torch.from_numpy(boxes), torch.from_numpy(scores), 0.5).tolist() == want


def test_sparse_suppression_when_every_pair_intersects():
    rng = np.random.default_rng(3)
    centre = rng.uniform(45, 55, (400, 2))
    boxes = np.concatenate([centre - 40, centre + rng.uniform(0, 40, (400, 2))], axis=1)
    scores = rng.random(400)
    for threshold in [0.0, 0.6, 0.9]:
        assert det.nms(boxes, scores, threshold).tolist() == _dense_nms(boxes, scores, threshold)


def test_sparse_suppression_on_array_api_strict():
    xps = pytest.importorskip("array_api_strict", reason="the strict namespace checks the ops")
    rng = np.random.default_rng(9)
    boxes, scores = _boxes(rng, 300, integer=True), rng.random(300)
    got = det.nms(xps.asarray(boxes), xps.asarray(scores), 0.4)
    assert to_numpy(got).tolist() == _dense_nms(boxes, scores, 0.4)


@pytest.mark.parametrize("n", [127, 128, 129, 255, 256, 257, 400])
def test_block_boundaries_equal_dense_nms(n):
    rng = np.random.default_rng(n)
    for integer in [True, False]:
        boxes = _boxes(rng, n, integer=integer)
        scores = rng.integers(0, 4, n).astype(float)  # many ties
        for threshold in [0.0, 0.5]:
            want = _dense_nms(boxes, scores, threshold)
            assert det.nms(boxes, scores, threshold).tolist() == want


def test_a_chain_across_blocks_keeps_every_other_box():
    # box i overlaps box i + 1 with IoU 8 / 12 and box i + 2 with IoU 6 / 14
    x = np.arange(300.0) * 2
    boxes = np.stack([x, np.zeros(300), x + 10, np.full(300, 10.0)], axis=1)
    scores = np.linspace(1.0, 0.0, 300)
    got = det.nms(boxes, scores, 0.5).tolist()
    assert got == list(range(0, 300, 2)) == _dense_nms(boxes, scores, 0.5)


def test_blocks_on_torch_tensors_equal_numpy():
    torch = pytest.importorskip("torch", reason="torch runs dlnotes on tensors")
    rng = np.random.default_rng(21)
    boxes, scores = _boxes(rng, 700, integer=True), rng.random(700)
    want = det.nms(boxes, scores, 0.3).tolist()
    assert det.nms(torch.from_numpy(boxes), torch.from_numpy(scores), 0.3).tolist() == want
    assert want == _dense_nms(boxes, scores, 0.3)

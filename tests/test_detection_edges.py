"""Detection edge cases: zero-area boxes in NMS (vs OpenCV), VOC "+1 pixel" IoU, the IoU slide."""

from __future__ import annotations

import numpy as np
import pytest

from dlnotes import detection as det
from dlnotes.backend import to_numpy


def _random_int_boxes(rng, n, *, extent=30, max_size=12):
    """Integer pixel boxes, some a single pixel wide (x2 == x1), as VOC annotations are."""
    xy = rng.integers(0, extent, (n, 2))
    wh = rng.integers(0, max_size, (n, 2))
    return np.concatenate([xy, xy + wh], axis=1).astype(float)


def _voc_devkit_iou(bb, gt):
    """The overlap of the PASCAL VOC devkit (VOCevaldet.m), written out for one pair."""
    bi = [max(bb[0], gt[0]), max(bb[1], gt[1]), min(bb[2], gt[2]), min(bb[3], gt[3])]
    iw = bi[2] - bi[0] + 1
    ih = bi[3] - bi[1] + 1
    if iw > 0 and ih > 0:
        ua = (
            (bb[2] - bb[0] + 1) * (bb[3] - bb[1] + 1)
            + (gt[2] - gt[0] + 1) * (gt[3] - gt[1] + 1)
            - iw * ih
        )
        return iw * ih / ua
    return 0.0


def _pointwise_iou(a, b):
    """torchvision's rule for one pair: widths x2 - x1, IoU 0 for a zero union."""
    iw = max(min(a[2], b[2]) - max(a[0], b[0]), 0.0)
    ih = max(min(a[3], b[3]) - max(a[1], b[1]), 0.0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - iw * ih
    return iw * ih / union if union > 0 else 0.0


# ------------------------------------------------------------ NMS vs OpenCV


def test_nms_zero_area_boxes_differ_from_opencv_by_design():
    cv2 = pytest.importorskip("cv2", reason="OpenCV is the reference NMS")
    points = np.array([[0.0, 0.0, 0.0, 0.0], [50.0, 50.0, 50.0, 50.0], [0.0, 0.0, 10.0, 10.0]])
    scores = [0.9, 0.8, 0.7]
    xywh = to_numpy(det.box_convert(points, "xyxy", "xywh")).tolist()
    opencv = np.asarray(cv2.dnn.NMSBoxes(xywh, scores, 0.0, 0.5)).ravel().tolist()
    # OpenCV: two zero-area boxes have IoU 1 however far apart, so box 1 goes
    assert opencv == [0, 2]
    # dlnotes (like torchvision): a zero union is IoU 0, nothing is suppressed
    assert det.nms(points, scores, 0.5).tolist() == [0, 1, 2]
    assert det.box_iou(points[:2], points[:2]).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_nms_agrees_with_opencv_on_boxes_with_area():
    cv2 = pytest.importorskip("cv2", reason="OpenCV is the reference NMS")
    rng = np.random.default_rng(7)
    for threshold in (0.1, 0.3, 0.5, 0.7):
        xy = rng.uniform(0, 100, (60, 2))
        wh = rng.uniform(5, 40, (60, 2))
        scores = rng.permutation(60) / 60 + 0.01  # distinct scores: no tie-breaking question
        keep = to_numpy(det.nms(np.concatenate([xy, xy + wh], axis=1), scores, threshold))
        boxes = np.concatenate([xy, wh], axis=1).tolist()
        opencv = np.asarray(cv2.dnn.NMSBoxes(boxes, scores.tolist(), 0.0, threshold)).ravel()
        assert keep.tolist() == opencv.tolist()


# ------------------------------------------------------------ "+1 pixel" (VOC devkit)


def test_pixel_inclusive_iou_is_the_voc_devkit_formula():
    rng = np.random.default_rng(3)
    a, b = _random_int_boxes(rng, 40), _random_int_boxes(rng, 30)
    got = to_numpy(det.box_iou(a, b, pixel_inclusive=True))
    want = np.array([[_voc_devkit_iou(p, q) for q in b] for p in a])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    assert (want > 0).mean() > 0.1  # the boxes do overlap


def test_default_iou_is_torchvision_style_not_voc():
    rng = np.random.default_rng(4)
    a, b = _random_int_boxes(rng, 40), _random_int_boxes(rng, 30)
    got = to_numpy(det.box_iou(a, b))
    np.testing.assert_allclose(got, [[_pointwise_iou(p, q) for q in b] for p in a], rtol=1e-12)
    voc = to_numpy(det.box_iou(a, b, pixel_inclusive=True))
    assert not np.allclose(got, voc)


def test_pixel_inclusive_area_in_every_format():
    boxes = np.array([[0.0, 0.0, 9.0, 9.0], [3.0, 4.0, 3.0, 4.0], [1.0, 2.0, 5.0, 4.0]])
    want = [(x2 - x1 + 1) * (y2 - y1 + 1) for x1, y1, x2, y2 in boxes]
    assert det.box_area(boxes, pixel_inclusive=True).tolist() == want == [100.0, 1.0, 15.0]
    assert det.box_area(boxes).tolist() == [81.0, 0.0, 8.0]
    for fmt in ("xywh", "cxcywh"):
        other = det.box_convert(boxes, "xyxy", fmt)
        assert det.box_area(other, fmt=fmt, pixel_inclusive=True).tolist() == want


def test_pixel_inclusive_moves_small_boxes_most():
    def shifted_by_one(size):  # a size x size box and the same box one pixel right
        a = [[0.0, 0.0, size, size]]
        b = [[1.0, 0.0, size + 1.0, size]]
        plain = float(det.box_iou(a, b)[0, 0])
        return plain, float(det.box_iou(a, b, pixel_inclusive=True)[0, 0])

    plain, voc = shifted_by_one(4.0)
    assert plain == pytest.approx(3 / 5) and voc == pytest.approx(4 / 6)
    plain, voc = shifted_by_one(200.0)
    assert abs(voc - plain) < 1e-4


@pytest.mark.parametrize("bad", [1, "yes", None])
def test_pixel_inclusive_must_be_a_bool(bad):
    with pytest.raises(TypeError, match="pixel_inclusive"):
        det.box_iou([[0.0, 0.0, 1.0, 1.0]], [[0.0, 0.0, 1.0, 1.0]], pixel_inclusive=bad)
    with pytest.raises(TypeError, match="pixel_inclusive"):
        det.box_area([[0.0, 0.0, 1.0, 1.0]], pixel_inclusive=bad)


# ------------------------------------------------------------ the IoU slide, reconstructed


def test_reconstructed_slide_boxes_give_the_slide_numbers():
    truth = [[40.0, 30.0, 240.0, 230.0]]
    boxes = [[110.0, 54.0, 308.0, 254.0], [48.0, 52.0, 252.0, 252.0], [41.0, 27.0, 240.0, 219.0]]
    iou = det.box_iou(truth, boxes)[0].tolist()
    assert [round(v, 4) for v in iou] == [0.4034, 0.7330, 0.9264]
    assert iou == pytest.approx([22880 / 56720, 34176 / 46624, 37611 / 40597], rel=1e-12)

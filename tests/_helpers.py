"""Small assertions shared by the test modules."""

from __future__ import annotations

import contextlib
import copy
import io
import warnings

import numpy as np
import pytest

from dlnotes.backend import to_numpy


def assert_close(actual, expected, *, rtol=1e-7, atol=1e-12):
    """Compare any backend's array with a NumPy or array-like expectation."""
    np.testing.assert_allclose(to_numpy(actual), to_numpy(expected), rtol=rtol, atol=atol)


def numerical_grad(f, x, eps=1e-6):
    """Central finite-difference gradient of a scalar function of a float64 NumPy array."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (float(f(x + step)) - float(f(x - step))) / (2 * eps)
    return grad


def run_pycocotools(ground_truth, detections, **params):
    """pycocotools' COCOeval (bbox) on copies of the records, its printing silenced;
    ``params`` set attributes of its ``params`` (iouThrs, maxDets, areaRng, useCats...)."""
    pytest.importorskip("pycocotools", reason="pycocotools is the reference for COCO evaluation")
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its own numpy warnings are not ours
        gt = COCO()
        gt.dataset = copy.deepcopy(ground_truth)
        gt.createIndex()
        dt = gt.loadRes(copy.deepcopy(detections))  # a list of dicts or an (N, 7) array
        evaluation = COCOeval(gt, dt, "bbox")
        for key, value in params.items():
            setattr(evaluation.params, key, value)
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return evaluation

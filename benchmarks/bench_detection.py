"""Detection: pairwise IoU and non-maximum suppression against the references.

- ``box_iou`` on 4,000 x 4,000 and 8,000 x 8,000 random float64 boxes: dlnotes
  on NumPy arrays, plain NumPy written for speed (in-place updates of three
  full-size arrays, one division), dlnotes on torch tensors, and pairwise IoU
  written in torch ops (the formula of ``torchvision.ops.box_iou``;
  torchvision cannot be installed beside this torch). Each row's ratio is to
  the fastest code of its own backend: plain NumPy for NumPy input, the torch
  ops for tensors.
- ``nms`` on 1,000, 10,000 and 40,000 random boxes at IoU threshold 0.5:
  dlnotes on NumPy and OpenCV's ``cv2.dnn.NMSBoxes`` (C++); at 1,000 and
  10,000 also a greedy NMS in torch ops that loops over kept boxes.

Every case runs in its own fresh Python process, in alternating rounds
(`_timing.fresh_process_results`); the table shows the best wall-clock time
per call, the user and system CPU time and minor page faults of that
process's timed calls, and the peak memory they added. Before timing, the
results are checked equal (the kept indices exactly, the IoU to 1e-12).

Run from the project root: ``python benchmarks/bench_detection.py``.
It writes ``benchmarks/results/detection.md``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from _timing import (
    CASE_HEADER,
    case_cells,
    fresh_process_results,
    measure_steps,
    sized,
    versions,
    write_table,
)

THRESHOLD = 0.5
ROUNDS = 3  # fresh processes per case, alternating
REPEAT = 3  # timed calls per process, after one warm-up call
IOU_SIZES = sized((4000, 8000), (40, 80))
NMS_SIZES = sized((1000, 10_000, 40_000), (100, 300))
LOOP_SIZES = sized((1000, 10_000), (100,))  # the torch-ops greedy loop: not at the largest
IOU_CASES = {
    "numpy": "dlnotes on NumPy",
    "fast": "plain NumPy, written for speed",
    "torch": "dlnotes on torch tensors",
    "ref": "torch ops",
}
NMS_CASES = {
    "numpy": "dlnotes on NumPy",
    "cv2": "OpenCV `dnn.NMSBoxes`",
    "ref": "torch-ops greedy loop",
}
CASES = [f"iou{n}_{c}" for n in IOU_SIZES for c in IOU_CASES] + [
    f"nms{n}_{c}" for n in NMS_SIZES for c in NMS_CASES if c != "ref" or n in LOOP_SIZES
]


def random_boxes(rng, n):
    """xyxy boxes in a 1000 x 1000 image, 10 to 100 pixels a side."""
    xy = rng.uniform(0, 1000, (n, 2))
    return np.concatenate([xy, xy + rng.uniform(10, 100, (n, 2))], axis=1)


def torch_iou(a, b):
    import torch

    lt = torch.maximum(a[:, None, :2], b[None, :, :2])
    rb = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(dim=-1)
    area_a = (a[:, 2:] - a[:, :2]).prod(dim=-1)
    area_b = (b[:, 2:] - b[:, :2]).prod(dim=-1)
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def numpy_iou(a, b):
    """Pairwise IoU in plain NumPy, written for speed: three (N, M) arrays, updated in place."""
    ax1, ay1, ax2, ay2 = (np.ascontiguousarray(a[:, k : k + 1]) for k in range(4))  # (N, 1)
    bx1, by1, bx2, by2 = (np.ascontiguousarray(b[:, k]) for k in range(4))  # (M,)
    inter = np.minimum(ax2, bx2)
    low = np.maximum(ax1, bx1)
    inter -= low
    np.maximum(inter, 0.0, out=inter)  # the intersection's width
    high = np.minimum(ay2, by2, out=low)
    low = np.maximum(ay1, by1)
    high -= low
    np.maximum(high, 0.0, out=high)
    inter *= high  # width times height
    union = np.add((ax2 - ax1) * (ay2 - ay1), (bx2 - bx1) * (by2 - by1), out=low)
    union -= inter
    # a zero union only for two zero-area boxes, whose intersection is 0: IoU 0 stays
    return np.divide(inter, union, out=inter, where=union > 0)


def torch_nms(boxes, scores, threshold):
    """Greedy NMS in torch ops: each kept box suppresses the later boxes it overlaps."""
    import torch

    order = torch.sort(scores, descending=True, stable=True).indices
    b = boxes[order]
    alive = torch.ones(len(b), dtype=torch.bool)
    keep = []
    for i in range(len(b)):
        if alive[i]:
            keep.append(i)
            alive[i + 1 :] &= torch_iou(b[i : i + 1], b[i + 1 :])[0] <= threshold
    return order[keep]


def prepared(case):
    """The call of ``case`` (e.g. ``"nms10000_cv2"``) as a function of no arguments."""
    what, impl = case.split("_")
    n, rng = int(what[3:]), np.random.default_rng(0)
    if what.startswith("iou"):
        a, b = random_boxes(rng, n), random_boxes(rng, n)
        if impl == "fast":
            return lambda: numpy_iou(a, b)
        if impl == "numpy":
            from dlnotes.detection import box_iou

            return lambda: box_iou(a, b)
        import torch

        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        if impl == "torch":
            from dlnotes.detection import box_iou

            return lambda: box_iou(ta, tb)
        return lambda: torch_iou(ta, tb)
    boxes, scores32 = random_boxes(rng, n), rng.random(n).astype(np.float32)
    scores = scores32.astype(np.float64)  # the same scores in both precisions: identical ranking
    if impl == "cv2":
        import cv2

        xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)
        # OpenCV keeps scores > score_threshold, which must be >= 0: every score here is above 0
        return lambda: np.asarray(cv2.dnn.NMSBoxes(xywh, scores32, 0.0, THRESHOLD)).ravel()
    if impl == "ref":
        import torch

        tboxes, tscores = torch.from_numpy(boxes), torch.from_numpy(scores)
        return lambda: torch_nms(tboxes, tscores, THRESHOLD)
    from dlnotes.detection import nms

    return lambda: nms(boxes, scores, THRESHOLD)


def check() -> None:
    """dlnotes' results against every reference's, before anything is timed."""
    from dlnotes.backend import to_numpy

    n = IOU_SIZES[0]
    want = to_numpy(prepared(f"iou{n}_ref")())
    for impl in ("numpy", "torch"):
        got = to_numpy(prepared(f"iou{n}_{impl}")())
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    got, mine = prepared(f"iou{n}_fast")(), to_numpy(prepared(f"iou{n}_numpy")())
    np.testing.assert_allclose(got, mine, rtol=1e-12, atol=1e-15)
    for n in NMS_SIZES:
        kept = to_numpy(prepared(f"nms{n}_numpy")()).tolist()
        assert kept == prepared(f"nms{n}_cv2")().tolist(), n
        if n in LOOP_SIZES:
            assert kept == to_numpy(prepared(f"nms{n}_ref")()).tolist(), n


def run_case(case):
    print(json.dumps(measure_steps(prepared(case), REPEAT)))


def main() -> None:
    from dlnotes.backend import to_numpy

    check()
    results = fresh_process_results(__file__, CASES, ROUNDS)
    rows = []
    for case in CASES:
        what, impl = case.split("_")
        n = int(what[3:])
        if what.startswith("iou"):
            label = f"box_iou, {n:,} x {n:,}: {IOU_CASES[impl]}"
            theirs = f"iou{n}_fast" if impl in ("numpy", "fast") else f"iou{n}_ref"
        else:
            kept = len(to_numpy(prepared(f"nms{n}_numpy")()))
            label = f"nms, {n:,} boxes ({kept:,} kept): {NMS_CASES[impl]}"
            theirs = f"nms{n}_cv2"
        ratio = results[case]["best"] / results[theirs]["best"]
        rows.append([label, *case_cells(results[case]), f"{ratio:.2f}"])
        print(f"{case}: {results[case]['best'] * 1e3:.1f} ms, {ratio:.2f} x {theirs}")
    write_table(
        "detection",
        "Detection: pairwise IoU and NMS on float64 boxes, each case in a fresh process",
        [
            "operation: implementation",
            *CASE_HEADER,
            "ratio to plain NumPy or torch ops (IoU, same backend) / OpenCV (NMS)",
        ],
        rows,
        note=f"Best of {ROUNDS * REPEAT} calls each: {ROUNDS} alternating rounds of a fresh "
        f"process timing {REPEAT} calls after a warm-up, on the same random boxes (a "
        "1000 x 1000 image, sides 10 to 100), results checked equal first; "
        f"{versions('numpy', 'torch', 'cv2')}. box_iou on NumPy input is compared "
        "with plain NumPy written for speed (in-place updates, one division), on tensors with "
        "the torch-ops formula. dlnotes' NMS takes 128 unsuppressed boxes at a time and "
        "finds which of them overlap each other and the later boxes (corner comparisons on "
        "boolean arrays find the pairs that intersect, and only those get an IoU), solves "
        "the greedy pass inside the block with a few whole-block sweeps, then lets the "
        "block's kept boxes suppress the later boxes. OpenCV loops in C++ over pairs with an "
        "early exit. Peak memory: the largest growth of the process's resident set over the "
        "rounds (the 8,000 x 8,000 IoU matrix alone takes 512 MB).",
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        run_case(sys.argv[2])
    else:
        main()

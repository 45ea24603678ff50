"""The metrics' counting: confusion matrix and macro F1 of 10⁶ labels, 10 classes.

Every classification metric of dlnotes is a ratio of counts from one confusion
matrix, so its counting is the hot path. 10⁶ true and predicted labels drawn
uniformly from the classes 0 .. 9 (int64), one step being one call:

- plain NumPy, the fastest counting we know: ``np.bincount(y_true * k + y_pred,
  minlength=k * k)`` reshaped to ``(k, k)`` (it needs labels 0 .. k - 1), and
  macro F1 from that matrix;
- scikit-learn's ``confusion_matrix`` and ``f1_score(average="macro")``;
- dlnotes' ``confusion_matrix`` and ``f1_score(average="macro")`` on NumPy: with
  the classes found in the data (the default, as in scikit-learn), with
  ``n_classes=10`` (``labels=`` for F1), and with the data checks off
  (``dlnotes.checks(False)``);
- on torch tensors: ``torch.bincount`` (torch's own counting) against dlnotes'
  ``confusion_matrix``.

The array API standard has no ``bincount``; dlnotes gives each sample a cell
index from its labels' places among the classes (up to 16 classes by comparing
each label with every class, O(n k) in int8; beyond, ``searchsorted``), sorts
the cells and reads each cell's run length with ``searchsorted``: O(n log n)
where ``bincount`` is O(n), but for labels of any value (negative, 10¹²,
strings).

A case on NumPy input is compared with plain NumPy, a case on torch tensors
with torch's own op: the best code of the same backend. Each case runs in a
fresh process (``python benchmarks/bench_metrics.py --case NAME``), in
alternating rounds; every case's matrix (or F1) is checked against plain
NumPy's first. Run from the project root: ``python benchmarks/bench_metrics.py``;
it writes ``benchmarks/results/metrics.md``.
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

N_SAMPLES, N_CLASSES = sized(10**6, 1000), 10
ROUNDS = 3  # fresh processes per case, alternating
REPEAT = 5  # timed steps per process, after one warm-up step
CASES = {
    "numpy_bincount": "plain NumPy `np.bincount(y_true * k + y_pred)`",
    "sklearn": "scikit-learn `confusion_matrix`",
    "dlnotes_numpy": "dlnotes on NumPy, classes found in the data",
    "dlnotes_numpy_n_classes": "dlnotes on NumPy, `n_classes=10`",
    "dlnotes_numpy_unchecked": "dlnotes on NumPy, `n_classes=10`, `checks(False)`",
    "f1_numpy_bincount": "plain NumPy: macro F1 from `np.bincount`",
    "f1_sklearn": "scikit-learn `f1_score(average='macro')`",
    "f1_dlnotes_numpy": "dlnotes `f1_score(average='macro')`, classes found",
    "f1_dlnotes_numpy_labels": "dlnotes `f1_score(average='macro', labels=range(10))`",
    "f1_dlnotes_numpy_unchecked": "dlnotes F1, `labels=`, `zero_division=0.0`, `checks(False)`",
    "torch_bincount": "torch `torch.bincount(y_true * k + y_pred)`",
    "dlnotes_torch": "dlnotes on torch tensors, `n_classes=10`",
    "dlnotes_torch_unchecked": "dlnotes on torch tensors, `n_classes=10`, `checks(False)`",
}
REFERENCE = {  # the best code of the same backend and task, the ratio's denominator
    case: "torch_bincount"
    if "torch" in case
    else ("f1_numpy_bincount" if case.startswith("f1") else "numpy_bincount")
    for case in CASES
}


def make_data():
    rng = np.random.default_rng(0)
    return rng.integers(0, N_CLASSES, N_SAMPLES), rng.integers(0, N_CLASSES, N_SAMPLES)


def numpy_matrix(y_true, y_pred, k=N_CLASSES):
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def numpy_f1(y_true, y_pred):
    cm = numpy_matrix(y_true, y_pred)
    tp = np.diag(cm)
    return np.mean(2 * tp / (cm.sum(axis=0) + cm.sum(axis=1)))  # every class occurs here


def prepared(case):
    """The step of ``case`` as a function of no arguments, on its own copy of the data."""
    import dlnotes
    from dlnotes.metrics import confusion_matrix, f1_score

    y_true, y_pred = make_data()
    labels = np.arange(N_CLASSES)
    if "torch" in case:
        import torch

        y_true, y_pred = torch.from_numpy(y_true), torch.from_numpy(y_pred)
    if case in ("sklearn", "f1_sklearn"):
        from sklearn import metrics

    steps = {
        "numpy_bincount": lambda: numpy_matrix(y_true, y_pred),
        "sklearn": lambda: metrics.confusion_matrix(y_true, y_pred),
        "dlnotes_numpy": lambda: confusion_matrix(y_true, y_pred),
        "dlnotes_numpy_n_classes": lambda: confusion_matrix(y_true, y_pred, n_classes=N_CLASSES),
        "f1_numpy_bincount": lambda: numpy_f1(y_true, y_pred),
        "f1_sklearn": lambda: metrics.f1_score(y_true, y_pred, average="macro"),
        "f1_dlnotes_numpy": lambda: f1_score(y_true, y_pred, average="macro"),
        "f1_dlnotes_numpy_labels": lambda: f1_score(y_true, y_pred, average="macro", labels=labels),
        "torch_bincount": lambda: torch.bincount(
            y_true * N_CLASSES + y_pred, minlength=N_CLASSES**2
        ).reshape(N_CLASSES, N_CLASSES),
        "dlnotes_torch": lambda: confusion_matrix(y_true, y_pred, n_classes=N_CLASSES),
    }
    if case.endswith("unchecked"):
        if case.startswith("f1"):
            kwargs = {"average": "macro", "labels": labels, "zero_division": 0.0}

            def inner():
                return f1_score(y_true, y_pred, **kwargs)
        else:

            def inner():
                return confusion_matrix(y_true, y_pred, n_classes=N_CLASSES)

        def unchecked():
            with dlnotes.checks(False):
                return inner()

        return unchecked
    return steps[case]


def check_results():
    """Every case's output equals plain NumPy's (the matrix exactly, F1 to 1e-12)."""
    from dlnotes.backend import to_numpy

    want_cm = numpy_matrix(*make_data())
    want_f1 = numpy_f1(*make_data())
    for case in CASES:
        got = np.asarray(to_numpy(prepared(case)()))
        if case.startswith("f1"):
            np.testing.assert_allclose(got, want_f1, rtol=1e-12, err_msg=case)
        else:
            np.testing.assert_array_equal(got, want_cm, err_msg=case)


def run_case(case):
    print(json.dumps(measure_steps(prepared(case), REPEAT)))


def main() -> None:
    check_results()
    results = fresh_process_results(__file__, CASES, ROUNDS)
    rows = []
    for case, label in CASES.items():
        ratio = results[case]["best"] / results[REFERENCE[case]]["best"]
        rows.append([label, *case_cells(results[case]), f"{ratio:.2f}"])
        print(f"{case}: {results[case]['best'] * 1e3:.1f} ms, {ratio:.2f} x {REFERENCE[case]}")
    write_table(
        "metrics",
        f"Confusion matrix and macro F1 of {N_SAMPLES:,} labels, {N_CLASSES} classes (int64)",
        [
            "implementation",
            *CASE_HEADER,
            "ratio to the best code of the backend (NumPy or torch `bincount`)",
        ],
        rows,
        note=f"Best of {ROUNDS * REPEAT} steps each: {ROUNDS} alternating rounds of a fresh "
        f"process timing {REPEAT} steps after a warm-up; "
        f"{versions('numpy', 'sklearn', 'torch')}. Every matrix equals NumPy's `bincount` "
        "exactly, every F1 to 1e-12. The ratio divides by plain NumPy's `bincount` (its "
        "macro F1 for the F1 rows) for NumPy input, by `torch.bincount` for torch tensors.",
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        run_case(sys.argv[2])
    else:
        main()

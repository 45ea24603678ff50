"""Valid calls of dlnotes.metrics (see tests/cases/__init__.py).

Every call names its classes (``average="binary"``, ``labels=`` or
``n_classes=``), so that the result's size does not depend on the data and
the checks-off calls make no sync but the ones pinned in ``SYNCS``. Without
them the classes are the labels that occur: finding them is one sync (the
result's size depends on it), tested in tests/test_metrics.py.
"""

import numpy as np

from tests.cases import case

GT = np.array([1, 0, 1, 1, 0, 1, 0])
PRED = np.array([1, 0, 0, 0, 1, 0, 1])
T3 = np.array([0, 0, 0, 0, 0, 0, 1, 1, 2, 2])
P3 = np.array([0, 0, 0, 0, 1, 2, 1, 0, 2, 2])
MASK_T = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 2, 2], [2, 2, 2, 255]])
MASK_P = np.array([[0, 0, 0, 1], [0, 0, 1, 1], [2, 2, 1, 2], [2, 2, 2, 0]])
# Labels of any value: negative, huge ids; {-1, 1}; weights of the samples
ODD_T = np.array([-7, -7, 10**12, 3, 3, 3, -7, 10**12, 3, -7])
ODD_P = np.array([-7, 3, 10**12, 3, -7, 3, -7, -7, 10**12, 3])
ODD_LABELS = np.array([10**12, -7, 3])
SIGN_T, SIGN_P = 2 * GT - 1, 2 * PRED - 1
W7 = np.array([1.0, 0.5, 2.0, 1.0, 0.0, 3.0, 1.0])
W10 = np.array([1.0, 2.0, 0.5, 1.0, 1.0, 0.25, 3.0, 1.0, 1.0, 2.0])


def _rate_cases():
    return [
        case(GT, PRED),
        case(T3, P3, average="macro", labels=np.array([0, 1, 2])),
        case(T3, P3, average=None, labels=np.array([2, 0]), zero_division="warn"),
        case(SIGN_T, SIGN_P, pos_label=-1, sample_weight=W7),
        case(ODD_T, ODD_P, average="weighted", labels=ODD_LABELS, sample_weight=W10),
    ]


CASES = {
    "confusion_counts": [
        case(GT, PRED),
        case(T3, P3, pos_label=None, n_classes=3),
        case(ODD_T, ODD_P, pos_label=None, labels=ODD_LABELS, sample_weight=W10),
        case(SIGN_T, SIGN_P, pos_label=-1),
    ],
    "confusion_matrix": [
        case(T3, P3, n_classes=3),
        case(T3, P3, labels=np.array([2, 0])),
        case(ODD_T, ODD_P, labels=ODD_LABELS, normalize="true"),
        case(T3, P3, n_classes=3, normalize="pred", sample_weight=W10),
        case(ODD_T, ODD_P, labels=ODD_LABELS[:2], normalize="all"),
    ],
    "accuracy": [
        case(GT, PRED),
        case(GT.astype(np.float64), PRED.astype(np.float64)),  # whole-valued float labels
        case(ODD_T, ODD_P, sample_weight=W10),
    ],
    "precision": _rate_cases(),
    "recall": _rate_cases(),
    "sensitivity": _rate_cases(),
    "specificity": _rate_cases(),
    "f1_score": _rate_cases(),
    "mean_iou": [
        case(MASK_T[:3], MASK_P[:3], n_classes=3),
        case(MASK_T, MASK_P, n_classes=3, ignore_index=255, average="weighted"),
        case(MASK_T, MASK_P, n_classes=4, ignore_index=255, average=None),
        case(MASK_T, MASK_P, labels=np.array([2, 0]), ignore_index=255, average=None),
        case(ODD_T.reshape(2, 5), ODD_P.reshape(2, 5), labels=ODD_LABELS),
    ],
}

# zero_division="warn" (the default) reads whether a 0/0 occurred, to decide
# whether to warn: one sync. zero_division=0.0, 1.0 or nan make none.
SYNCS = {name: 1 for name in ("precision", "recall", "sensitivity", "specificity", "f1_score")}

FLOAT64 = set()

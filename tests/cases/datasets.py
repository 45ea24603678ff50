"""Valid calls of dlnotes.datasets (see tests/cases/__init__.py).

The data sets are json records (Python lists, dicts and numbers) drawn by
NumPy's generator from the seed: the same on every backend.
"""

from tests.cases import case

CASES = {
    "make_coco_dataset": [
        case(5, 3, seed=0),
        case(12, 1, seed=7, first_annotation_id=0),
    ],
}
# Python records out, no arrays: nothing is read from a device.
SYNCS = {"make_coco_dataset": None}

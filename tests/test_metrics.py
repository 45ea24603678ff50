"""Tests of dlnotes.metrics: the slides' numbers, scikit-learn agreement,
backends, errata X4/X5 and bad input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlnotes import metrics
from dlnotes.backend import to_numpy
from dlnotes.metrics import (
    UndefinedMetricWarning,
    accuracy,
    confusion_counts,
    confusion_matrix,
    f1_score,
    mean_iou,
    precision,
    recall,
    sensitivity,
    specificity,
)
from tests._helpers import assert_close

GT = [1, 0, 1, 1, 0, 1, 0]
# The slides' four predictions (000 part 6) with what each metric must give.
# precision of the all-0 row is 0/0: 0.0 with a warning (see the test below).
SLIDE_ROWS = {
    "all 0": ([0] * 7, dict(acc=3 / 7, prec=0.0, rec=0.0, f1=0.0, spec=1.0, counts=(0, 0, 3, 4))),
    "all 1": (
        [1] * 7,
        dict(acc=4 / 7, prec=4 / 7, rec=1.0, f1=8 / 11, spec=0.0, counts=(4, 3, 0, 0)),
    ),
    "1000101": (
        [1, 0, 0, 0, 1, 0, 1],
        dict(acc=2 / 7, prec=1 / 3, rec=1 / 4, f1=2 / 7, spec=1 / 3, counts=(1, 2, 1, 3)),
    ),
    "1011000": (
        [1, 0, 1, 1, 0, 0, 0],
        dict(acc=6 / 7, prec=1.0, rec=3 / 4, f1=6 / 7, spec=1.0, counts=(3, 0, 3, 1)),
    ),
}
AVERAGES = ["micro", "macro", "weighted", None]
ZERO_DIVISIONS = ["warn", 0.0, 1.0, math.nan]
PRF = [(precision, "precision_score"), (recall, "recall_score"), (f1_score, "f1_score")]


@pytest.fixture
def skm():
    return pytest.importorskip(
        "sklearn.metrics", reason="scikit-learn is the reference; pip install scikit-learn"
    )


def _quiet(func, *args, **kwargs):
    """Call with 0/0 warnings (ours and scikit-learn's) silenced; they are tested separately."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return func(*args, **kwargs)


def _random_labels(rng, n_classes, n):
    return rng.integers(0, n_classes, n), rng.integers(0, n_classes, n)


# --------------------------------------------------------------------------- #
# The slides


@pytest.mark.parametrize("row", SLIDE_ROWS, ids=list(SLIDE_ROWS))
def test_slide_rows(row):
    pred, want = SLIDE_ROWS[row]
    assert float(accuracy(GT, pred)) == pytest.approx(want["acc"])
    assert float(_quiet(precision, GT, pred)) == pytest.approx(want["prec"])
    assert float(recall(GT, pred)) == pytest.approx(want["rec"])
    assert float(sensitivity(GT, pred)) == pytest.approx(want["rec"])
    assert float(f1_score(GT, pred)) == pytest.approx(want["f1"])
    assert float(specificity(GT, pred)) == pytest.approx(want["spec"])
    assert tuple(int(c) for c in confusion_counts(GT, pred)) == want["counts"]


def test_slide_all_zero_precision_is_undefined_and_warns():
    with pytest.warns(UndefinedMetricWarning, match="precision is 0/0") as record:
        value = precision(GT, [0] * 7)
    assert float(value) == 0.0
    assert record[0].filename == __file__  # the warning points at the caller
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the explicit choices are silent
        assert float(precision(GT, [0] * 7, zero_division=1.0)) == 1.0
        assert float(precision(GT, [0] * 7, zero_division=0.0)) == 0.0
        assert math.isnan(float(precision(GT, [0] * 7, zero_division=math.nan)))


def test_slide_all_one_recall_is_one():
    # 000 part 6: "If your prediction is all 1 => recall = 1.0" (no false negative)
    assert float(recall(GT, [1] * 7)) == 1.0


def test_tp_fp_words_follow_the_slide():
    # "True/False" = agrees with the ground truth, "Positive/Negative" = prediction
    counts = confusion_counts([1, 0, 1, 0], [1, 1, 0, 0])
    assert [int(c) for c in counts] == [1, 1, 1, 1]
    assert counts._fields == ("tp", "fp", "tn", "fn")
    assert int(confusion_counts([0], [1]).fp) == 1  # predicted positive, truly negative
    assert int(confusion_counts([1], [0]).fn) == 1  # predicted negative, truly positive


def test_erratum_x5_one_positive_prediction():
    # "all 0 with at least one 1 => precision ~ 1.0" holds only if that 1 is right.
    assert float(precision(GT, [1, 0, 0, 0, 0, 0, 0])) == 1.0
    assert float(precision(GT, [0, 1, 0, 0, 0, 0, 0])) == 0.0
    # and neither warns: one positive prediction makes TP + FP = 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        precision(GT, [0, 0, 0, 0, 0, 0, 1])


def test_erratum_x4_recall_and_precision_are_not_map():
    # Slide 000 part 6 labels both "mean Average Precision". They are TP/(TP+FN)
    # and TP/(TP+FP): the face-detection slide's 5 faces, 4 detections of
    # which 3 are faces give recall 0.6 and precision 0.75 - two numbers.
    # Each detection or missed face is one sample: (1, 1) found, (1, 0) missed,
    # (0, 1) a detection that is no face.
    truth = [1, 1, 1, 1, 1, 0]
    found = [1, 1, 1, 0, 0, 1]
    assert float(recall(truth, found)) == pytest.approx(0.6)
    assert float(precision(truth, found)) == pytest.approx(0.75)
    # 3 of 5 faces and no false detection: recall 0.6, precision 1.0
    assert float(recall(truth[:5], found[:5])) == pytest.approx(0.6)
    assert float(precision(truth[:5], found[:5])) == 1.0
    # mean average precision belongs to detection, not to this module
    assert not hasattr(metrics, "mean_average_precision")


# --------------------------------------------------------------------------- #
# scikit-learn agreement


@pytest.mark.parametrize("pos_label", [0, 1])
def test_binary_agrees_with_sklearn(skm, pos_label):
    rng = np.random.default_rng(pos_label)
    for n in [1, 2, 5, 13, 50]:
        for _ in range(8):
            t, p = _random_labels(rng, 2, n)
            for zd in ZERO_DIVISIONS:
                for ours, name in PRF:
                    want = _quiet(getattr(skm, name), t, p, pos_label=pos_label, zero_division=zd)
                    got = _quiet(ours, t, p, pos_label=pos_label, zero_division=zd)
                    np.testing.assert_allclose(to_numpy(got), want, err_msg=f"{name} {t} {p} {zd}")
            assert float(accuracy(t, p)) == pytest.approx(skm.accuracy_score(t, p))


@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize("average", AVERAGES)
def test_multiclass_agrees_with_sklearn(skm, n_classes, average):
    rng = np.random.default_rng(n_classes)
    for n in [1, 3, 10, 40]:
        for _ in range(5):
            t, p = _random_labels(rng, n_classes, n)
            for zd in ZERO_DIVISIONS:
                for ours, name in PRF:
                    want = _quiet(getattr(skm, name), t, p, average=average, zero_division=zd)
                    got = _quiet(ours, t, p, average=average, zero_division=zd)
                    np.testing.assert_allclose(to_numpy(got), want, err_msg=f"{name} {t} {p} {zd}")


@pytest.mark.parametrize("average", AVERAGES)
def test_labels_option_agrees_with_sklearn(skm, average):
    rng = np.random.default_rng(7)
    for _ in range(30):
        t, p = _random_labels(rng, 5, 20)
        labels = [int(c) for c in rng.permutation(6)[: int(rng.integers(1, 6))]]
        for ours, name in PRF:
            want = _quiet(
                getattr(skm, name), t, p, average=average, labels=labels, zero_division=0.0
            )
            got = ours(t, p, average=average, labels=labels, zero_division=0.0)
            np.testing.assert_allclose(to_numpy(got), want)
        np.testing.assert_array_equal(
            to_numpy(confusion_matrix(t, p, labels=labels)),
            _quiet(skm.confusion_matrix, t, p, labels=labels),
        )


def test_confusion_matrix_and_accuracy_agree_with_sklearn(skm):
    rng = np.random.default_rng(3)
    for _ in range(50):
        k = int(rng.integers(1, 7))
        t, p = _random_labels(rng, k, int(rng.integers(1, 60)))
        got = confusion_matrix(t, p, n_classes=k)
        want = _quiet(skm.confusion_matrix, t, p, labels=list(range(k)))
        np.testing.assert_array_equal(to_numpy(got), want)
        assert float(accuracy(t, p)) == pytest.approx(skm.accuracy_score(t, p))


def test_zero_division_warnings_match_sklearn(skm):
    # class 2 is predicted but never true: recall 0/0; class 1 true, never predicted: precision 0/0
    t, p = [0, 1, 0, 1], [0, 0, 2, 0]
    for ours, name in PRF[:2]:
        with pytest.warns(UndefinedMetricWarning):
            got = ours(t, p, average=None)
        want = _quiet(getattr(skm, name), t, p, average=None)
        np.testing.assert_allclose(to_numpy(got), want)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f1_score(t, p, average=None)  # every class occurs somewhere: F1 is defined


def test_specificity_is_recall_of_the_negative_class(skm):
    rng = np.random.default_rng(11)
    for _ in range(40):
        t, p = _random_labels(rng, 2, int(rng.integers(1, 30)))
        want = _quiet(skm.recall_score, t, p, pos_label=0)
        assert float(_quiet(specificity, t, p)) == pytest.approx(want)
        assert float(_quiet(specificity, t, p)) == pytest.approx(
            float(_quiet(recall, t, p, pos_label=0))
        )


def test_multiclass_specificity_one_vs_rest(skm):
    rng = np.random.default_rng(12)
    for _ in range(30):
        t, p = _random_labels(rng, 4, 25)
        classes = np.union1d(t, p)
        per_class = [_quiet(skm.recall_score, t != c, p != c, zero_division=0.0) for c in classes]
        np.testing.assert_allclose(to_numpy(_quiet(specificity, t, p, average=None)), per_class)
        assert float(_quiet(specificity, t, p, average="macro")) == pytest.approx(
            np.mean(per_class)
        )
        support = [np.sum(t == c) for c in classes]
        assert float(_quiet(specificity, t, p, average="weighted")) == pytest.approx(
            np.average(per_class, weights=support)
        )
        # micro: pool the one-vs-rest problems of every class, then one recall
        pooled_t = np.concatenate([t != c for c in classes])
        pooled_p = np.concatenate([p != c for c in classes])
        assert float(specificity(t, p, average="micro")) == pytest.approx(
            skm.recall_score(pooled_t, pooled_p)
        )


@pytest.mark.parametrize("average", ["macro", "weighted", None])
def test_mean_iou_agrees_with_sklearn_jaccard(skm, average):
    rng = np.random.default_rng(5)
    for _ in range(30):
        k = int(rng.integers(2, 6))
        t, p = rng.integers(0, k, (2, 6, 7)), rng.integers(0, k, (2, 6, 7))
        got = to_numpy(mean_iou(t, p, n_classes=k, average=average))
        present = np.union1d(t, p)
        want = skm.jaccard_score(t.ravel(), p.ravel(), labels=present, average=average)
        if average is None:
            np.testing.assert_allclose(got[present], want)
            assert np.all(np.isnan(np.delete(got, present)))  # absent classes: NaN
        else:
            np.testing.assert_allclose(got, want)


def test_mean_iou_ignore_index_agrees_with_sklearn(skm):
    rng = np.random.default_rng(6)
    for _ in range(20):
        t, p = rng.integers(0, 3, (8, 8)), rng.integers(0, 3, (8, 8))
        t[rng.random((8, 8)) < 0.3] = 255
        keep = t != 255
        want = skm.jaccard_score(t[keep], p[keep], average="macro")
        assert float(mean_iou(t, p, ignore_index=255)) == pytest.approx(want)


def test_mean_iou_ignore_index_inside_the_classes():
    # class 0 ignored: its pixels are dropped and it leaves the mean
    t = np.array([[0, 1], [2, 2]])
    p = np.array([[1, 1], [2, 0]])
    per_class = to_numpy(mean_iou(t, p, ignore_index=0, average=None))
    assert math.isnan(per_class[0])
    np.testing.assert_allclose(per_class[1:], [1.0, 0.5])
    assert float(mean_iou(t, p, ignore_index=0)) == pytest.approx(0.75)


# --------------------------------------------------------------------------- #
# Laws


label_pairs = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(label_pairs)
def test_counts_add_up_and_micro_equals_accuracy(pair):
    t, p = pair
    counts = confusion_counts(t, p, pos_label=None)
    assert np.all(sum(to_numpy(c) for c in counts) == len(t))
    cm = to_numpy(confusion_matrix(t, p))
    assert cm.sum() == len(t)
    np.testing.assert_array_equal(np.diag(cm), to_numpy(counts.tp)[: cm.shape[0]])
    acc = float(accuracy(t, p))
    assert float(precision(t, p, average="micro")) == pytest.approx(acc)
    assert float(recall(t, p, average="micro")) == pytest.approx(acc)
    assert float(f1_score(t, p, average="micro")) == pytest.approx(acc)


@settings(max_examples=60, deadline=None)
@given(label_pairs)
def test_f1_is_the_harmonic_mean(pair):
    t, p = pair
    prec = to_numpy(precision(t, p, average=None, zero_division=math.nan))
    rec = to_numpy(recall(t, p, average=None, zero_division=math.nan))
    f1 = to_numpy(f1_score(t, p, average=None, zero_division=math.nan))
    both = ~np.isnan(prec) & ~np.isnan(rec) & (prec + rec > 0)
    np.testing.assert_allclose(f1[both], 2 * prec[both] * rec[both] / (prec[both] + rec[both]))
    assert np.all((f1 >= 0) & (f1 <= 1))


def test_sensitivity_is_recall():
    rng = np.random.default_rng(2)
    t, p = _random_labels(rng, 3, 30)
    for average in AVERAGES:
        np.testing.assert_array_equal(
            to_numpy(sensitivity(t, p, average=average)), to_numpy(recall(t, p, average=average))
        )


# --------------------------------------------------------------------------- #
# Backends


def test_results_stay_in_the_input_namespace(xp):
    t, p = xp.asarray(GT), xp.asarray([1, 0, 0, 0, 1, 0, 1])
    kind = type(t)
    for value, want in [
        (accuracy(t, p), 2 / 7),
        (precision(t, p), 1 / 3),
        (recall(t, p), 1 / 4),
        (sensitivity(t, p), 1 / 4),
        (specificity(t, p), 1 / 3),
        (f1_score(t, p), 2 / 7),
        (precision(t, p, average="macro"), (1 / 3 + 1 / 4) / 2),
        (mean_iou(t, p), 1 / 6),  # both classes: TP 1, FP + FN 5
    ]:
        assert type(value) is kind and value.ndim == 0
        assert value.dtype == xp.float64
        assert_close(value, want)
    per_class = recall(t, p, average=None)
    assert type(per_class) is kind and per_class.shape == (2,)
    assert_close(per_class, [1 / 3, 1 / 4])
    cm = confusion_matrix(t, p)
    assert type(cm) is kind and xp.isdtype(cm.dtype, "integral")
    assert to_numpy(cm).tolist() == [[1, 2], [3, 1]]
    counts = confusion_counts(t, p)
    assert all(type(c) is kind and c.ndim == 0 for c in counts)
    assert [int(c) for c in counts] == [1, 2, 1, 3]


def test_backend_multiclass_and_masks(xp):
    rng = np.random.default_rng(9)
    t, p = _random_labels(rng, 4, 50)
    for average in AVERAGES:
        got = _quiet(f1_score, xp.asarray(t), xp.asarray(p), average=average)
        assert_close(got, to_numpy(_quiet(f1_score, t, p, average=average)))
    masks_t, masks_p = rng.integers(0, 3, (2, 5, 5)), rng.integers(0, 3, (2, 5, 5))
    masks_t[0, 0, :] = 255
    got = mean_iou(xp.asarray(masks_t), xp.asarray(masks_p), ignore_index=255, average=None)
    assert type(got) is type(xp.asarray(t))
    assert_close(got, mean_iou(masks_t, masks_p, ignore_index=255, average=None))


def test_bool_uint8_and_whole_float_labels(xp):
    want = float(precision(GT, [1, 0, 0, 0, 1, 0, 1]))
    for dtype in (xp.bool, xp.uint8, xp.float32):
        t = xp.astype(xp.asarray(GT), dtype)
        p = xp.astype(xp.asarray([1, 0, 0, 0, 1, 0, 1]), dtype)
        assert float(precision(t, p)) == pytest.approx(want)


def test_plain_lists_mix_with_arrays(xp):
    value = accuracy(xp.asarray(GT), [1, 0, 1, 1, 0, 0, 0])
    assert type(value) is type(xp.asarray(GT))
    assert float(value) == pytest.approx(6 / 7)


def test_inputs_are_not_modified(torch):
    t = np.array([[0, 1, 255], [2, 2, 1]])
    p = np.array([[0, 1, 1], [2, 0, 1]])
    before = t.copy(), p.copy()
    mean_iou(t, p, ignore_index=255)
    f1_score(t.ravel(), p.ravel(), average="weighted")
    confusion_matrix(t[1], p[1], labels=[2, 1])
    np.testing.assert_array_equal(t, before[0])
    np.testing.assert_array_equal(p, before[1])
    tt, pp = torch.tensor([1.0, 0.0, 1.0]), torch.tensor([1.0, 1.0, 0.0])
    recall(tt, pp)
    assert tt.tolist() == [1.0, 0.0, 1.0] and pp.tolist() == [1.0, 1.0, 0.0]
    assert tt.dtype == torch.float32


# --------------------------------------------------------------------------- #
# Bad input


@pytest.mark.parametrize(
    "func",
    [
        accuracy,
        precision,
        recall,
        sensitivity,
        specificity,
        f1_score,
        confusion_matrix,
        confusion_counts,
    ],
)
def test_bad_labels_are_rejected(func):
    with pytest.raises(ValueError, match="y_true and y_pred must have the same shape"):
        func([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="y_true must not be empty"):
        func([], [])
    with pytest.raises(ValueError, match="y_pred must hold integers"):
        func([0.0, 1.0], [0.0, math.nan])
    with pytest.raises(ValueError, match="y_true must hold integers"):
        func([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="y_true must be 1-D"):
        func([[0, 1], [1, 0]], [[0, 1], [1, 0]])
    with pytest.raises(TypeError, match="y_pred must hold strings like y_true, got numbers"):
        func(["a", "b"], [0, 1])
    with pytest.raises(TypeError, match="y_pred must hold numbers like y_true, got strings"):
        func(np.array([0, 1]), np.array(["a", "b"]))
    with pytest.raises(TypeError, match="y_true mixes strings with other values"):
        func(np.array(["a", 1], dtype=object), ["a", "b"])
    with pytest.raises(TypeError, match="y_true must hold integers"):
        func(np.array([{}, {}], dtype=object), [0, 1])


@pytest.mark.parametrize("func", [precision, recall, sensitivity, specificity, f1_score])
def test_bad_options_are_rejected(func):
    with pytest.raises(ValueError, match="average must be one of"):
        func([0, 1], [0, 1], average="samples")
    with pytest.raises(ValueError, match="average='binary' needs at most two classes"):
        func([0, 1, 2], [0, 1, 1])
    with pytest.raises(ValueError, match="pos_label=1 is not one of"):
        func([0, 2], [2, 0])
    with pytest.raises(ValueError, match="pos_label=-1 is not one of"):
        func([0, 1], [0, 1], pos_label=-1)
    with pytest.raises(ValueError, match="zero_division must be"):
        func([0, 1], [0, 1], zero_division=0.5)
    with pytest.raises(ValueError, match="labels must hold integers"):
        func([0, 1], [0, 1], average="macro", labels=[0.5, 1.0])
    with pytest.raises(ValueError, match="labels must not be empty"):
        func([0, 1], [0, 1], average="macro", labels=[])
    with pytest.raises(TypeError, match="labels"):
        func([0, 1], [0, 1], average="macro", labels=["a"])


@pytest.mark.parametrize("func", [precision, recall, sensitivity, specificity, f1_score])
@pytest.mark.parametrize(
    "option, value",
    [
        ("average", True),
        ("average", 3),
        ("pos_label", True),
        ("pos_label", 1.0),
        ("pos_label", "1"),
        ("pos_label", None),
        ("zero_division", True),
        ("zero_division", "0.0"),
        ("zero_division", None),
        ("zero_division", np.array(0.0)),
    ],
)
def test_options_of_the_wrong_type_are_type_errors(func, option, value):
    with pytest.raises(TypeError, match=option):
        func([0, 1], [0, 1], **{option: value})


def test_whole_float_labels_options_and_numpy_zero_division():
    # labels given as whole floats are class indices (the Ints rule)
    assert precision([0, 1, 1], [0, 1, 0], average=None, labels=[1.0, 0.0]).tolist() == [1.0, 0.5]
    # a NumPy NaN or float is a valid zero_division, and comes back as a plain value
    assert math.isnan(float(precision(GT, [0] * 7, zero_division=np.float64("nan"))))
    assert float(precision(GT, [0] * 7, zero_division=np.float32(1.0))) == 1.0


def test_numpy_integer_options_are_class_indices(skm):
    # a pos_label taken from np.unique(y) is a NumPy integer, as scikit-learn accepts
    t, p = np.array([0, 1, 1, 0, 1]), np.array([0, 1, 0, 0, 1])
    pos = np.unique(t)[1]
    assert float(precision(t, p, pos_label=pos)) == pytest.approx(
        skm.precision_score(t, p, pos_label=pos)
    )
    assert int(confusion_counts(t, p, pos_label=np.int64(0)).tp) == 2
    assert to_numpy(confusion_matrix(t, p, n_classes=np.int32(3))).shape == (3, 3)
    assert float(mean_iou(t, p, ignore_index=np.int64(0))) == pytest.approx(2 / 3)
    with pytest.raises(TypeError, match="pos_label must be an integer"):
        precision(t, p, pos_label=True)
    with pytest.raises(TypeError, match="ignore_index must be an integer"):
        mean_iou(t, p, ignore_index=0.5)
    with pytest.raises(TypeError, match="n_classes must be an integer"):
        mean_iou(t, p, n_classes=np.array(3))


def test_bad_n_classes_and_mean_iou_options():
    with pytest.raises(ValueError, match=r"y_true holds a class index outside 0 \.\. n_classes"):
        confusion_matrix([3, 0], [0, 0], n_classes=3)
    with pytest.raises(ValueError, match=r"y_pred holds a class index outside 0 \.\. n_classes"):
        confusion_matrix([1, 0], [-1, 0], n_classes=3)
    with pytest.raises(ValueError, match=r"labels holds a class index outside 0 \.\. n_classes"):
        confusion_matrix([1, 0], [0, 0], n_classes=3, labels=[4])
    with pytest.raises(ValueError, match=r"y_pred holds a class index outside 0 \.\. 1"):
        mean_iou([[0, 1]], [[0, 255]], n_classes=2)
    with pytest.raises(ValueError, match=r"pos_label=2 is not in 0 \.\. n_classes - 1 = 1"):
        confusion_counts([0, 1], [0, 1], pos_label=2, n_classes=2)
    with pytest.raises(ValueError, match="n_classes must be an integer >= 1"):
        confusion_matrix([0, 1], [0, 1], n_classes=0)
    with pytest.raises(ValueError, match="every pixel of y_true is ignore_index"):
        mean_iou([255, 255], [0, 1], ignore_index=255)
    with pytest.raises(ValueError, match=r"y_true holds a class index outside 0 \.\. 1"):
        mean_iou([-1, 0], [0, 1], n_classes=2)
    with pytest.raises(ValueError, match="average must be one of"):
        mean_iou([0, 1], [0, 1], average="micro")
    with pytest.raises(TypeError, match="average must be one of"):
        mean_iou([0, 1], [0, 1], average=False)
    with pytest.raises(ValueError, match="same shape"):
        mean_iou(np.zeros((2, 3), dtype=int), np.zeros((3, 2), dtype=int))
    with pytest.raises(TypeError, match="n_classes must be an integer"):
        confusion_counts([0, 1], [0, 1], pos_label=None, n_classes=2.5)
    with pytest.raises(TypeError, match="n_classes must be an integer"):
        confusion_counts([0, 1], [0, 1], pos_label=None, n_classes=True)


def test_mean_iou_negative_ignore_index():
    # torch's losses mark void pixels with -100: the kept pixels alone are checked
    t, p = np.array([[0, -100], [1, 1]]), np.array([[0, 7], [1, 1]])
    assert float(mean_iou(t, p, ignore_index=-100)) == 1.0
    assert float(mean_iou(t, p, ignore_index=-100, n_classes=2)) == 1.0


def test_results_are_arrays_not_numpy_scalars():
    for value in (
        accuracy(GT, [1] * 7),
        precision(GT, [1] * 7),
        f1_score(GT, [1] * 7, average="micro"),
        mean_iou([0, 1], [0, 1]),
        *confusion_counts(GT, [1] * 7),
    ):
        assert type(value) is np.ndarray and value.ndim == 0


def test_ratios_keep_the_devices_float_on_no_float64():
    strict = pytest.importorskip("array_api_strict")
    device = strict.Device("no_float64")
    t = strict.asarray(GT, device=device)
    p = strict.asarray([1, 0, 0, 0, 1, 0, 1], device=device)
    for value in (accuracy(t, p), precision(t, p), mean_iou(t, p), recall(t, p, average=None)):
        assert value.dtype == strict.float32 and value.device == device


# --------------------------------------------------------------------------
# Host-device syncs (counted on torch): the general test is tests/test_syncs.py


def _syncs(func, *args, **kwargs):
    torch = pytest.importorskip("torch", reason="syncs are counted on torch tensors")
    import dlnotes
    from tests.test_syncs import SyncCounter

    args = [torch.asarray(np.asarray(a)) for a in args]
    with dlnotes.checks(False), SyncCounter() as counter, warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        func(*args, **kwargs)
    return counter.count


@pytest.mark.parametrize("func", [precision, recall, sensitivity, specificity, f1_score])
def test_zero_division_warn_is_the_only_sync(func):
    t, p = [0, 0, 1, 1, 2], [0, 1, 1, 2, 2]
    assert _syncs(func, GT, [0] * 7) == 1  # "warn": read whether a 0/0 occurred
    for zero_division in (0.0, 1.0, math.nan):
        assert _syncs(func, GT, [0] * 7, zero_division=zero_division) == 0
        assert (
            _syncs(func, t, p, average="macro", labels=[0, 1, 2], zero_division=zero_division) == 0
        )
        assert _syncs(func, t, p, average=None, labels=[2, 0], zero_division=zero_division) == 0
    # without labels the classes are read from the data (the per-class result's size)
    assert _syncs(func, t, p, average=None, zero_division=0.0) >= 1


def test_known_classes_need_no_sync():
    t, p = [0, 0, 1, 1, 2], [0, 1, 1, 2, 2]
    assert _syncs(confusion_matrix, t, p, n_classes=3) == 0
    assert _syncs(confusion_matrix, t, p, labels=[2, 0]) == 0
    assert _syncs(confusion_counts, t, p, pos_label=None, n_classes=3) == 0
    assert _syncs(confusion_counts, t, p, pos_label=2) == 0
    assert _syncs(accuracy, t, p) == 0
    assert _syncs(mean_iou, [[0, 255]], [[0, 1]], n_classes=2, ignore_index=255) == 0
    # the number of classes read from the data: one sync, documented
    assert _syncs(confusion_matrix, t, p) == 1
    assert _syncs(mean_iou, [[0, 255]], [[0, 1]], ignore_index=255) == 1


# --------------------------------------------------------------------------
# Labels of any size and kind (issue 8): counted over the labels that occur

# Stand-ins for the class indices 0 .. 4 of the random tests: negative labels,
# huge ids, and a value between them; scikit-learn sorts them the same way.
ODD_VALUES = np.array([-(10**15), -7, 3, 10**12, 2**62])


def _relabel(rng, n_classes, n):
    t, p = _random_labels(rng, n_classes, n)
    return ODD_VALUES[t], ODD_VALUES[p]


@pytest.mark.parametrize("average", AVERAGES)
def test_labels_of_any_value_agree_with_sklearn(skm, average):
    rng = np.random.default_rng(21)
    for n in [1, 5, 40]:
        for _ in range(5):
            t, p = _relabel(rng, 5, n)
            for ours, name in PRF:
                want = _quiet(getattr(skm, name), t, p, average=average, zero_division=0.0)
                got = ours(t, p, average=average, zero_division=0.0)
                np.testing.assert_allclose(to_numpy(got), want, err_msg=f"{name} {t} {p}")
            np.testing.assert_array_equal(
                to_numpy(confusion_matrix(t, p)), skm.confusion_matrix(t, p)
            )
            assert float(accuracy(t, p)) == pytest.approx(skm.accuracy_score(t, p))


def test_the_issues_labels(skm):
    # precision([0, 10**5], [0, 1]) used to ask for a 10**5 x 10**5 table
    for big in (10**5, 10**12):
        t, p = [0, big, 1, big], [0, 1, 1, big]
        want = skm.precision_score(t, p, average="macro")
        assert float(precision(t, p, average="macro")) == pytest.approx(want)
        np.testing.assert_array_equal(to_numpy(confusion_matrix(t, p)), skm.confusion_matrix(t, p))
        counts = confusion_counts(t, p, pos_label=None)
        np.testing.assert_array_equal(
            np.stack([to_numpy(c) for c in counts], axis=-1),
            skm.multilabel_confusion_matrix(t, p).reshape(-1, 4)[:, [3, 1, 0, 2]],
        )
    # {-1, 1} labels: binary with either class as the positive one
    t, p = [-1, 1, 1, -1, 1], [1, 1, -1, -1, 1]
    for pos_label in (1, -1):
        for ours, name in PRF:
            want = getattr(skm, name)(t, p, pos_label=pos_label)
            assert float(ours(t, p, pos_label=pos_label)) == pytest.approx(want)
    # bool labels
    tb, pb = np.array(t) > 0, np.array(p) > 0
    for ours, name in PRF:
        assert float(ours(tb, pb)) == pytest.approx(getattr(skm, name)(tb, pb))
    np.testing.assert_array_equal(to_numpy(confusion_matrix(tb, pb)), skm.confusion_matrix(tb, pb))


odd_label_pairs = st.lists(
    st.integers(-(2**62), 2**62), min_size=1, max_size=4, unique=True
).flatmap(
    lambda pool: st.integers(1, 30).flatmap(
        lambda n: st.tuples(
            st.lists(st.sampled_from(pool), min_size=n, max_size=n),
            st.lists(st.sampled_from(pool), min_size=n, max_size=n),
        )
    )
)


@settings(max_examples=60, deadline=None)
@given(odd_label_pairs)
def test_any_int64_labels_count_as_sklearn(pair):
    skm = pytest.importorskip("sklearn.metrics", reason="scikit-learn is the reference")
    t, p = (np.array(v, dtype=np.int64) for v in pair)
    want = _quiet(skm.confusion_matrix, t, p)  # it warns when one label occurs
    np.testing.assert_array_equal(to_numpy(confusion_matrix(t, p)), want)
    np.testing.assert_allclose(
        to_numpy(f1_score(t, p, average=None, zero_division=0.0)),
        _quiet(skm.f1_score, t, p, average=None, zero_division=0.0),
    )


def test_memory_grows_with_distinct_labels_not_their_values():
    import tracemalloc

    n = 20_000
    rng = np.random.default_rng(0)
    t = rng.choice([-(10**12), 5, 10**12], n)
    p = rng.choice([-(10**12), 5, 10**12], n)
    tracemalloc.start()
    try:
        confusion_matrix(t, p)
        f1_score(t, p, average="macro")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 8 * n  # a few arrays of n int64, nothing of size 10**12


def test_string_labels_agree_with_sklearn(skm):
    rng = np.random.default_rng(4)
    names = np.array(["bird", "cat", "dog"])
    t, p = names[rng.integers(0, 3, 30)], names[rng.integers(0, 3, 30)]
    for average in AVERAGES:
        for ours, name in PRF:
            want = _quiet(getattr(skm, name), t, p, average=average, zero_division=0.0)
            np.testing.assert_allclose(
                to_numpy(ours(t, p, average=average, zero_division=0.0)), want
            )
    two = np.array(["no", "yes"])
    tb, pb = two[rng.integers(0, 2, 25)], two[rng.integers(0, 2, 25)]
    for ours, name in PRF:
        want = getattr(skm, name)(tb, pb, pos_label="yes")
        assert float(ours(tb, pb, pos_label="yes")) == pytest.approx(want)
    assert float(specificity(tb, pb, pos_label="yes")) == pytest.approx(
        skm.recall_score(tb, pb, pos_label="no")
    )
    # every way strings arrive: NumPy str or bytes, a list, a pandas-like object column
    for tt, pp in [
        (t, p),
        (t.tolist(), p.tolist()),
        (t.astype(object), p.astype(object)),
        (np.char.encode(t), np.char.encode(p)),
    ]:
        np.testing.assert_array_equal(
            to_numpy(confusion_matrix(tt, pp)), skm.confusion_matrix(t, p)
        )
        assert float(accuracy(tt, pp)) == pytest.approx(skm.accuracy_score(t, p))
    labels = ["dog", "bird"]
    np.testing.assert_array_equal(
        to_numpy(confusion_matrix(t, p, labels=labels)), skm.confusion_matrix(t, p, labels=labels)
    )
    np.testing.assert_allclose(
        to_numpy(recall(t, p, average=None, labels=labels)),
        skm.recall_score(t, p, average=None, labels=labels),
    )
    counts = confusion_counts(t, p, pos_label="cat")
    assert int(counts.tp) == int(np.sum((t == "cat") & (p == "cat")))


def test_string_labels_are_numpy_only_and_checked(torch):
    with pytest.raises(TypeError, match="string labels need NumPy input"):
        precision(torch.tensor([0, 1]), ["a", "b"])
    with pytest.raises(ValueError, match="pos_label=1 is not one of the two classes"):
        precision(["a", "b"], ["a", "a"])
    with pytest.raises(TypeError, match="pos_label must be an integer label"):
        precision([0, 1], [0, 1], pos_label="a")
    with pytest.raises(TypeError, match="labels must hold strings like y_true"):
        confusion_matrix(["a", "b"], ["a", "a"], labels=[0, 1])
    with pytest.raises(TypeError, match="n_classes needs integer labels"):
        confusion_matrix(["a", "b"], ["a", "a"], n_classes=2)
    with pytest.raises(ValueError, match="none of labels occurs in y_true"):
        confusion_matrix(["a", "b"], ["a", "a"], labels=["c"])


def test_confusion_matrix_labels_none_in_y_true_raise_as_sklearn(skm):
    t, p = [0, 1, 1], [0, 1, 5]
    with pytest.raises(ValueError, match="At least one label"):
        skm.confusion_matrix(t, p, labels=[5, 7])
    with pytest.raises(ValueError, match="none of labels occurs in y_true"):
        confusion_matrix(t, p, labels=[5, 7])
    # one label that occurs is enough, as in scikit-learn
    np.testing.assert_array_equal(
        to_numpy(confusion_matrix(t, p, labels=[7, 1])), skm.confusion_matrix(t, p, labels=[7, 1])
    )


@pytest.mark.parametrize("normalize", ["true", "pred", "all", None])
def test_normalize_and_sample_weight_agree_with_sklearn(skm, normalize):
    rng = np.random.default_rng(8)
    for _ in range(20):
        t, p = _relabel(rng, 4, int(rng.integers(1, 40)))
        w = rng.random(t.shape[0]) * 3
        labels = [int(v) for v in rng.permutation(ODD_VALUES)[:4]]  # one may never occur
        if not np.isin(labels, t).any():
            labels[0] = int(t[0])
        for kwargs in ({}, {"sample_weight": w}, {"labels": labels}):
            want = skm.confusion_matrix(t, p, normalize=normalize, **kwargs)
            got = to_numpy(confusion_matrix(t, p, normalize=normalize, **kwargs))
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
            counting = normalize is None and "sample_weight" not in kwargs
            assert got.dtype == (np.int64 if counting else np.float64)


@pytest.mark.parametrize("average", AVERAGES)
def test_sample_weight_agrees_with_sklearn(skm, average):
    rng = np.random.default_rng(13)
    for _ in range(15):
        t, p = _relabel(rng, 3, int(rng.integers(2, 40)))
        w = rng.random(t.shape[0])
        w[rng.random(t.shape[0]) < 0.2] = 0.0
        w[0] = 1.0
        for ours, name in PRF:
            want = _quiet(
                getattr(skm, name), t, p, average=average, zero_division=0.0, sample_weight=w
            )
            got = ours(t, p, average=average, zero_division=0.0, sample_weight=w)
            np.testing.assert_allclose(to_numpy(got), want, rtol=1e-12, atol=1e-12)
        assert float(accuracy(t, p, sample_weight=w)) == pytest.approx(
            skm.accuracy_score(t, p, sample_weight=w)
        )
        mcm = skm.multilabel_confusion_matrix(t, p, sample_weight=w)
        got = confusion_counts(t, p, pos_label=None, sample_weight=w)
        np.testing.assert_allclose(
            np.stack([to_numpy(c) for c in got], axis=-1), mcm.reshape(-1, 4)[:, [3, 1, 0, 2]]
        )


def test_integer_sample_weight_counts_samples_again(skm):
    # a weight of 2 is the sample counted twice
    t, p, w = np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), np.array([2, 1, 3, 1])
    rt, rp = np.repeat(t, w), np.repeat(p, w)
    np.testing.assert_array_equal(
        to_numpy(confusion_matrix(t, p, sample_weight=w)), to_numpy(confusion_matrix(rt, rp))
    )
    for func in (precision, recall, specificity, f1_score):
        np.testing.assert_allclose(
            to_numpy(func(t, p, average=None, sample_weight=w)),
            to_numpy(func(rt, rp, average=None)),
        )
    assert float(specificity(t > 0, p > 0, sample_weight=w)) == pytest.approx(
        skm.recall_score(t > 0, p > 0, pos_label=0, sample_weight=w)
    )


def test_bad_sample_weight_is_rejected():
    for func in (accuracy, precision, confusion_matrix, confusion_counts):
        with pytest.raises(ValueError, match="sample_weight must hold finite weights >= 0"):
            func([0, 1], [0, 1], sample_weight=[1.0, -1.0])
        with pytest.raises(ValueError, match="sample_weight must hold finite weights >= 0"):
            func([0, 1], [0, 1], sample_weight=[1.0, math.nan])
        with pytest.raises(ValueError, match="sample_weight must hold finite weights >= 0"):
            func([0, 1], [0, 1], sample_weight=[0, 0])
        with pytest.raises(ValueError, match="y_true and sample_weight must have the same shape"):
            func([0, 1], [0, 1], sample_weight=[1.0])
        with pytest.raises(TypeError, match="sample_weight"):
            func([0, 1], [0, 1], sample_weight="1")
        with pytest.raises(TypeError, match="sample_weight"):
            func([0, 1], [0, 1], sample_weight=[None, 1])
    with pytest.raises(ValueError, match="normalize must be one of"):
        confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(TypeError, match="normalize must be one of"):
        confusion_matrix([0, 1], [0, 1], normalize=True)


@pytest.mark.parametrize(
    "func",
    [
        accuracy,
        precision,
        recall,
        sensitivity,
        specificity,
        f1_score,
        confusion_matrix,
        confusion_counts,
        mean_iou,
    ],
)
def test_sparse_input_is_a_type_error(func):
    sparse = pytest.importorskip("scipy.sparse", reason="SciPy makes the sparse matrices")
    dense = np.array([[0, 1, 1, 0]])
    for make in (sparse.csr_matrix, sparse.coo_matrix, sparse.csr_array):
        with pytest.raises(
            TypeError, match=r"y_true is a sparse matrix.*sparse input is not supported"
        ):
            func(make(dense), dense[0])
        with pytest.raises(TypeError, match="y_pred is a sparse matrix"):
            func(dense[0], make(dense))


def test_torch_sparse_input_is_a_type_error(torch):
    with pytest.raises(TypeError, match="sparse input is not supported"):
        f1_score(torch.tensor([0, 1, 1]).to_sparse(), torch.tensor([0, 1, 0]))


def test_mean_iou_refuses_a_multilabel_indicator_matrix(skm):
    rng = np.random.default_rng(17)
    t, p = rng.integers(0, 2, (12, 4)), rng.integers(0, 2, (12, 4))
    with pytest.raises(ValueError, match="multilabel indicator"):
        mean_iou(t, p)
    # the recipe of the message: each label on its own, as scikit-learn scores them
    per_label = [float(mean_iou(t[:, j], p[:, j], labels=[1])) for j in range(4)]
    np.testing.assert_allclose(per_label, skm.jaccard_score(t, p, average=None))
    assert np.mean(per_label) == pytest.approx(skm.jaccard_score(t, p, average="macro"))
    # naming the classes says "this is a binary mask"
    expected = skm.jaccard_score(t.ravel(), p.ravel(), average="macro")
    assert float(mean_iou(t, p, n_classes=2)) == pytest.approx(expected)
    assert float(mean_iou(t, p, labels=[0, 1])) == pytest.approx(expected)
    assert float(mean_iou(t[None], p[None])) == pytest.approx(expected)  # (1, H, W): a mask
    with dlnotes_checks_off():
        mean_iou(t, p)  # a data check: skipped with the checks off


def dlnotes_checks_off():
    import dlnotes

    return dlnotes.checks(False)


@pytest.mark.parametrize("average", ["macro", "weighted", None])
def test_mean_iou_labels_and_odd_values_agree_with_sklearn(skm, average):
    rng = np.random.default_rng(19)
    for _ in range(20):
        t, p = _relabel(rng, 4, 30)
        t, p = t.reshape(5, 6), p.reshape(5, 6)
        present = np.union1d(t, p)
        labels = rng.permutation(present)[: int(rng.integers(1, present.size + 1))]
        want = skm.jaccard_score(t.ravel(), p.ravel(), labels=labels, average=average)
        np.testing.assert_allclose(to_numpy(mean_iou(t, p, labels=labels, average=average)), want)
        want = skm.jaccard_score(t.ravel(), p.ravel(), average=average)  # the labels present
        np.testing.assert_allclose(to_numpy(mean_iou(t, p, average=average)), want)


def test_backends_odd_labels_weights_and_normalize(xp):
    rng = np.random.default_rng(23)
    t, p = _relabel(rng, 4, 60)
    w = rng.random(60)
    tx, px, wx = xp.asarray(t), xp.asarray(p), xp.asarray(w)
    for average in AVERAGES:
        got = _quiet(f1_score, tx, px, average=average, sample_weight=wx)
        assert_close(got, to_numpy(_quiet(f1_score, t, p, average=average, sample_weight=w)))
    for normalize in ("true", "pred", "all"):
        got = confusion_matrix(tx, px, normalize=normalize, sample_weight=wx)
        assert type(got) is type(tx)
        assert_close(got, confusion_matrix(t, p, normalize=normalize, sample_weight=w))
    got = confusion_matrix(tx, px)
    assert type(got) is type(tx) and xp.isdtype(got.dtype, "integral")
    np.testing.assert_array_equal(to_numpy(got), to_numpy(confusion_matrix(t, p)))
    assert_close(accuracy(tx, px, sample_weight=wx), accuracy(t, p, sample_weight=w))
    masks_t, masks_p = t.reshape(6, 10), p.reshape(6, 10)
    got = mean_iou(xp.asarray(masks_t), xp.asarray(masks_p), average=None)
    assert_close(got, mean_iou(masks_t, masks_p, average=None))


def test_occurring_labels_cost_one_sync():
    t, p = [-5, 0, 10**12, 10**12, 2], [0, 0, 10**12, 2, 2]
    assert _syncs(confusion_matrix, t, p) == 1
    assert _syncs(confusion_counts, t, p, pos_label=None) == 1
    assert _syncs(f1_score, t, p, average="macro", zero_division=0.0) == 1
    assert _syncs(mean_iou, [[0, 255], [7, 7]], [[0, 1], [7, 0]], ignore_index=255) == 1
    assert _syncs(mean_iou, [[0, 255], [7, 7]], [[0, 1], [7, 0]]) == 1
    # classes named, weights and normalize: none
    w = [1.0, 2.0, 0.5, 1.0, 1.0]
    assert _syncs(confusion_matrix, t, p, labels=[2, -5], normalize="true", sample_weight=w) == 0
    assert (
        _syncs(f1_score, t, p, average=None, labels=[2, 0], zero_division=0.0, sample_weight=w) == 0
    )
    assert _syncs(accuracy, t, p, sample_weight=w) == 0
    assert _syncs(mean_iou, [[0, 255], [7, 7]], [[0, 1], [7, 0]], labels=[0, 7]) == 0


# --------------------------------------------------------------------------- #
# The counting kernel: the two ways of finding each label's class agree


@pytest.mark.parametrize("k", [1, 2, 16, 17])  # 16 and 17: either side of the cross-over
def test_compared_and_searched_places_count_alike(xp, k):
    rng = np.random.default_rng(k)
    # other labels too (k, -1, 10**12), a class listed twice, classes out of order
    values = np.concatenate([rng.permutation(k), [k, -1, 10**12]])
    t, p = rng.choice(values, 500), rng.choice(values, 500)
    classes = rng.permutation(k)
    if k > 1:
        classes = np.concatenate([classes, classes[:1]])
    w = rng.random(500)
    args = [xp.asarray(a) for a in (t, p, classes)]
    for weight in (None, xp.asarray(w)):
        compared = metrics._confusion(xp, *args, weight, compare_max=16)
        searched = metrics._confusion(xp, *args, weight, compare_max=0)
        assert compared.dtype == searched.dtype
        np.testing.assert_array_equal(to_numpy(compared), to_numpy(searched))
    # against a plain count: rows the true class, its first place; last: any other label
    place = {c: i for i, c in reversed(list(enumerate(classes.tolist())))}
    want = np.zeros((len(classes) + 1,) * 2, dtype=np.int64)
    for a, b in zip(t.tolist(), p.tolist()):
        want[place.get(a, len(classes)), place.get(b, len(classes))] += 1
    np.testing.assert_array_equal(to_numpy(metrics._confusion(xp, *args)), want)


def test_compared_places_of_strings():
    t = np.array(["cat", "dog", "emu", "dog", "ant"])
    p = np.array(["dog", "dog", "cat", "yak", "ant"])
    classes = np.array(["dog", "cat", "ant", "emu"])
    for compare_max in (16, 0):
        got = metrics._confusion(metrics.array_namespace(t), t, p, classes, compare_max=compare_max)
        assert got.tolist() == [
            [1, 0, 0, 0, 1],
            [1, 0, 0, 0, 0],
            [0, 0, 1, 0, 0],
            [0, 1, 0, 0, 0],
            [0, 0, 0, 0, 0],
        ]

r"""Synthetic data sets for tests, benchmarks and worked examples (no slide formula).

`make_coco_dataset` writes COCO-format json records with every corner case
that COCO evaluation (`dlnotes.coco.coco_evaluate`) has to get right.
"""

from __future__ import annotations

import numpy as np

from dlnotes._checks import Count, Seed, checked
from dlnotes.backend import random_generator

__all__ = ["make_coco_dataset"]


@checked(n_images=Count(3), n_categories=Count(1), seed=Seed(), first_annotation_id=Count(0))
def make_coco_dataset(n_images=200, n_categories=8, *, seed=None, first_annotation_id=1):
    r"""A synthetic COCO-format set with the corner cases of COCO evaluation.

    Slide formula: D8 (test data for `coco_evaluate`, no formula of its own).

    About 7.5 ground truths and 23 detections per image, with: crowd boxes
    (and detections inside them), objects whose ``"area"`` is exactly $32^2$
    or $96^2$, detection boxes of exactly those areas, an ``"area"`` field
    smaller than the box (as for segmentation areas), objects annotated twice
    (equal IoUs), scores rounded to two decimals (many ties, some on
    identical boxes), detections of the wrong class, a category with
    detections but no ground truth and one with neither, images without
    detections (and without ground truth), an image with more than 100
    detections of one category, unsorted and non-contiguous image and
    category ids, and records in shuffled order.

    Parameters
    ----------
    n_images : int, default=200
        Number of images (at least 3).
    n_categories : int, default=8
        Number of categories; with 3 or more, the two last have no ground truth.
    seed : int, Generator or None
        Seed of NumPy's random generator.
    first_annotation_id : int, default=1
        Id of the first annotation (>= 0), the others follow; 0 shows
        pycocotools' id-0 bug (the ids are all that changes with it).

    Returns
    -------
    ground_truth : dict
        ``{"images", "annotations", "categories"}`` (json-serialisable).
    detections : list of dict
        ``{"image_id", "category_id", "bbox", "score"}`` records.

    Raises
    ------
    TypeError
        If a count is not an integer (bools are not) or ``seed`` is neither
        None, an integer nor a NumPy ``Generator``.
    ValueError
        If ``n_images < 3``, ``n_categories < 1``, ``first_annotation_id < 0``
        or ``seed < 0``.

    Notes
    -----
    The records follow the COCO format that `coco_evaluate` reads:

    $$\text{bbox} = [x, y, w, h], \qquad \text{area} \le w\,h .$$

    Examples
    --------
    >>> gt, dets = make_coco_dataset(50, 4, seed=0)
    >>> len(gt["images"]), len(gt["categories"]), sorted(gt["annotations"][0])
    (50, 4, ['area', 'bbox', 'category_id', 'id', 'image_id', 'iscrowd'])
    >>> sorted(dets[0])
    ['bbox', 'category_id', 'image_id', 'score']
    """
    rng = random_generator(seed)
    image_ids = rng.choice(10 * n_images, n_images, replace=False) + 1
    category_ids = np.sort(rng.choice(3 * n_categories, n_categories, replace=False) + 1)
    per_image = np.where(rng.random(n_images) < 0.03, 0, rng.poisson(7.75, n_images))
    per_image[0], per_image[1] = max(per_image[0], 1), 0  # image 1: no ground truth
    img = np.repeat(np.arange(n_images), per_image)
    cat = rng.integers(0, max(n_categories - 2, 1) if n_categories >= 3 else n_categories, len(img))
    crowd = (rng.random(len(img)) < 0.04) & (np.arange(len(img)) > 0)
    size = np.exp(rng.uniform(np.log(6.0), np.log(350.0), len(img))) * np.where(crowd, 2.0, 1.0)
    aspect = np.sqrt(np.exp(rng.uniform(np.log(0.5), np.log(2.0), len(img))))[:, None]
    wh = np.round(np.clip(size[:, None] * np.hstack([aspect, 1 / aspect]), 1, [639, 479]), 1)
    border = rng.choice([32.0, 96.0, 0.0], len(img), p=[0.05, 0.05, 0.9]) * ~crowd
    wh = np.where(border[:, None] > 0, border[:, None], wh)  # "area" exactly 32² or 96²
    area = wh.prod(1) * np.where(border > 0, 1.0, rng.choice([1.0, 0.6, 0.8, 0.95], len(img)))
    xy = np.round(rng.uniform(0, [640, 480] - wh), 1)
    # some objects annotated twice: IoU ties
    both = np.r_[np.arange(len(img)), np.flatnonzero(~crowd & (rng.random(len(img)) < 0.02))]
    img, cat, crowd, xy, wh, area = (v[both] for v in (img, cat, crowd, xy, wh, area))

    def near(src, sigma):  # boxes around the objects src
        shift = rng.normal(0, 1, (len(src), 2)) * sigma[:, None] * wh[src]
        scale = np.exp(rng.normal(0, 1, (len(src), 2)) * sigma[:, None])
        return np.hstack([xy[src] + shift, np.maximum(wh[src] * scale, 1.0)])

    def scores(mean):
        return np.round(np.clip(mean + rng.normal(0, 0.15, len(mean)), 0.01, 1.0), 2)

    found = np.flatnonzero(~crowd & (rng.random(len(img)) < 0.85) | (np.arange(len(img)) == 0))
    sigma = rng.choice([0.03, 0.08, 0.2], len(found))
    sigma[0] = 0.03  # the first object is found precisely (it becomes the first annotation)
    wrong = (rng.random(len(found)) < 0.08) & (np.arange(len(found)) > 0)
    f_cat = np.where(wrong, rng.integers(0, n_categories, len(found)), cat[found])
    f_box, f_score = near(found, sigma), scores(0.95 - 2 * sigma)
    dup = found[rng.random(len(found)) < 0.25]  # a second, rougher detection
    same = np.flatnonzero(rng.random(len(found)) < 0.05)  # identical box and score
    inside = np.repeat(np.flatnonzero(crowd), 4)  # detections in the crowds
    part = rng.uniform(0.1, 0.4, (len(inside), 2)) * wh[inside]
    fp_img = np.repeat(np.arange(n_images), rng.poisson(15.9, n_images))  # false positives
    log_wh = np.cumsum(rng.uniform([1.8, -0.7], [5.7, 0.7], (len(fp_img), 2)), axis=1)
    side = rng.choice([32.0, 96.0, 0.0], (len(fp_img), 1), p=[0.04, 0.04, 0.92])
    fp_wh = np.where(side > 0, side, np.exp(log_wh))  # some of area 32² or 96²
    many = rng.choice(np.flatnonzero((img == 0) & (cat == cat[0])), 130)  # > 100 on image 0
    d_img = np.concatenate([img[found], img[dup], img[found[same]], img[inside], fp_img, img[many]])
    d_cat = np.concatenate([f_cat, cat[dup], f_cat[same], cat[inside],
                            rng.integers(0, n_categories, len(fp_img)), cat[many]])  # fmt: skip
    d_box = np.round(np.concatenate([
        f_box, near(dup, np.full(len(dup), 0.1)), f_box[same],
        np.hstack([xy[inside] + rng.random(part.shape) * (wh[inside] - part), part]),
        np.hstack([rng.uniform(0, [634, 474], (len(fp_img), 2)), fp_wh]),
        near(many, np.full(130, 0.15)),
    ]), 2)  # fmt: skip
    d_score = np.concatenate([f_score, scores(np.full(len(dup), 0.5)), f_score[same],
                              scores(np.full(len(inside), 0.6)),
                              np.round(rng.uniform(0.0, 0.7, len(fp_img)), 2),
                              np.round(rng.uniform(0, 1, 130), 1)])  # fmt: skip
    silent = (rng.random(n_images) < 0.05) & (np.arange(n_images) > 1) | (np.arange(n_images) == 2)
    keep = ~silent[d_img] & ((d_cat != n_categories - 2) | (n_categories < 3))  # a class: neither
    shuffle = rng.permutation(np.flatnonzero(keep))
    g_order = np.concatenate([found[:1], rng.permutation(np.delete(np.arange(len(img)), found[0]))])
    ids, cats = image_ids.tolist(), category_ids.tolist()
    ground_truth = {
        "images": [{"id": i, "width": 640, "height": 480, "file_name": f"{i}.jpg"} for i in ids],
        "annotations": [
            {"id": first_annotation_id + k, "image_id": ids[i], "category_id": cats[c], "bbox": b,
             "area": a, "iscrowd": int(cr)}
            for k, (i, c, b, a, cr) in enumerate(zip(img[g_order].tolist(), cat[g_order].tolist(),
                np.hstack([xy, wh])[g_order].tolist(), np.round(area[g_order], 2).tolist(),
                crowd[g_order].tolist()))
        ],
        "categories": [{"id": c, "name": f"class {c}"} for c in cats],
    }  # fmt: skip
    detections = [
        {"image_id": ids[i], "category_id": cats[c], "bbox": b, "score": s}
        for i, c, b, s in zip(d_img[shuffle].tolist(), d_cat[shuffle].tolist(),
                              d_box[shuffle].tolist(), d_score[shuffle].tolist())
    ]  # fmt: skip
    return ground_truth, detections

r"""A small CNN written out from dlnotes' own layers, forward and backward.

The network the *Visualizing CNNs* page looks inside:

    conv 3×3 → ReLU → max-pool 2×2 → conv 3×3 → ReLU → global average pool → linear

Every layer is a dlnotes function (`dlnotes.conv.conv2d`, `dlnotes.activations.relu`,
`dlnotes.pooling.max_pool2d`, ...), and so is every backward step
(`dlnotes.conv.conv2d_backward`, `dlnotes.pooling.max_pool2d_backward`, ...):

* `init_small_cnn` draws the parameters (He-normal convolutions, a
  Xavier-uniform head, zero biases) as a dict of arrays;
* `small_cnn_forward` returns the logits (the class scores **before** the
  softmax) and a cache of the intermediate arrays, among them ``"features"``,
  the final convolutional layer's activations $A^{(L)}$;
* `small_cnn_backward` takes $\partial f/\partial\,\text{logits}$ (and, for
  an objective on the feature maps, $\partial f/\partial A^{(L)}$) and returns
  the gradient of every parameter, of the features and of the **input**: what
  the visualizations of `dlnotes.visualize` ascend.

Training uses the same backward pass with the softmax cross-entropy's
gradient (`dlnotes.losses.softmax_cross_entropy_grad`) and an optimizer
step such as `dlnotes.optim.adam_step`. ``tests/test_cnn.py`` checks every
gradient against torch autograd on the same weights.

Layout: images ``(N, C, H, W)`` with even ``H`` and ``W``; the parameters
``{"conv1_weight": (C1, C, k, k), "conv1_bias": (C1,), "conv2_weight":
(C2, C1, k, k), "conv2_bias": (C2,), "linear_weight": (n_classes, C2),
"linear_bias": (n_classes,)}``, odd ``k``, padded to keep the size ("same"
convolutions).
"""

from __future__ import annotations

import numbers

import array_api_compat

from dlnotes._checks import (
    Count,
    Floats,
    Optional,
    Seed,
    Spec,
    backend_argument,
    checked,
    require_same_library,
)
from dlnotes.activations import relu, relu_grad
from dlnotes.backend import (
    default_float,
    float_arrays,
    get_backend,
    random_generator,
    resolve_backend,
)
from dlnotes.conv import conv2d, conv2d_backward
from dlnotes.optim import he_normal, xavier_uniform
from dlnotes.pooling import max_pool2d, max_pool2d_backward

__all__ = ["init_small_cnn", "small_cnn_backward", "small_cnn_forward"]

PARAMS = (
    "conv1_weight",
    "conv1_bias",
    "conv2_weight",
    "conv2_bias",
    "linear_weight",
    "linear_bias",
)
CACHE = ("input", "conv1", "pool1", "pool1_indices", "conv2", "features")


# --------------------------------------------------------------------------
# Argument specs and the rules that tie arguments together (no snippet carries them)
# --------------------------------------------------------------------------


class _Arrays(Spec):
    """A dict holding (at least) the arrays ``keys``, of the call's library and device.

    ``floating``: those keys must also have the dtype of ``like``'s array
    (``like`` is the argument that fixed the call's namespace); the others are
    integer arrays. Shapes are checked by the function's rule.
    """

    def __init__(self, keys, like, *, integer=()):
        self.keys, self.like, self.integer = keys, like, integer

    def check(self, name, value, call):
        if not isinstance(value, dict):
            raise TypeError(f"{name} must be a dict of arrays, got {type(value).__name__}")
        missing = [k for k in self.keys if k not in value]
        if missing:
            raise ValueError(f"{name} lacks {missing} (it must hold {list(self.keys)})")
        ref, xp = call.args[self.like], call.xp
        for key in self.keys:
            v, where = value[key], f"{name}[{key!r}]"
            require_same_library(where, v, ref, xp, self.like)
            if key in self.integer:
                if not xp.isdtype(v.dtype, "integral"):
                    raise TypeError(f"{where} must hold integers, got dtype {v.dtype}")
            elif v.dtype != ref.dtype:
                raise TypeError(f"{where} must have {self.like}'s dtype {ref.dtype}, got {v.dtype}")
        return value


def _shape(name, a):
    return f"{name} {tuple(a.shape)}"


def _params_rule(call, x_shape):
    """The parameters' shapes fit each other and an input of ``x_shape``."""
    p = call.args["params"]
    w1, b1, w2, b2 = p["conv1_weight"], p["conv1_bias"], p["conv2_weight"], p["conv2_bias"]
    wl, bl = p["linear_weight"], p["linear_bias"]
    if w1.ndim != 4 or w1.shape[-1] != w1.shape[-2] or w1.shape[-1] % 2 == 0:
        raise ValueError(f"params: {_shape('conv1_weight', w1)} must be (C1, C, k, k), k odd")
    c1, k = w1.shape[0], w1.shape[-1]
    if tuple(w2.shape[1:]) != (c1, k, k) or w2.ndim != 4:
        raise ValueError(f"params: {_shape('conv2_weight', w2)} must be (C2, {c1}, {k}, {k})")
    c2 = w2.shape[0]
    if wl.ndim != 2 or wl.shape[1] != c2:
        raise ValueError(f"params: {_shape('linear_weight', wl)} must be (n_classes, {c2})")
    for bias, n in ((b1, c1), (b2, c2), (bl, wl.shape[0])):
        if tuple(bias.shape) != (n,):
            raise ValueError(f"params: a bias of shape {tuple(bias.shape)} must be ({n},)")
    n, c, h, w = x_shape
    if c != w1.shape[1]:
        raise ValueError(f"params: {_shape('conv1_weight', w1)} needs {w1.shape[1]} channels")
    if h % 2 or w % 2 or h < 2 or w < 2:
        raise ValueError(f"the images must have even H and W >= 2, got ({h}, {w})")
    if call.enabled:
        xp = call.xp
        finite = [xp.isfinite(xp.sum(p[key])) for key in PARAMS]
        ok = finite[0]
        for f in finite[1:]:
            ok = ok & f
        call.require(ok, "params must be finite, got NaN or infinity")


def _forward_rule(call):
    _params_rule(call, tuple(call.args["x"].shape))


def _backward_rule(call):
    cache, grad = call.args["cache"], call.args["grad_logits"]
    x = cache["input"]
    if x.ndim != 4:
        raise ValueError(f"cache: {_shape('input', x)} must be (N, C, H, W)")
    _params_rule(call, tuple(x.shape))
    p = call.args["params"]
    n, _, h, w = x.shape
    c1, c2 = p["conv1_weight"].shape[0], p["conv2_weight"].shape[0]
    want = {
        "conv1": (n, c1, h, w),
        "pool1": (n, c1, h // 2, w // 2),
        "pool1_indices": (n, c1, h // 2, w // 2),
        "conv2": (n, c2, h // 2, w // 2),
        "features": (n, c2, h // 2, w // 2),
    }
    for key, shape in want.items():
        if tuple(cache[key].shape) != shape:
            raise ValueError(
                f"cache: {_shape(key, cache[key])} must be {shape} (the cache of "
                f"small_cnn_forward with these params)"
            )
    if tuple(grad.shape) != (n, p["linear_weight"].shape[0]):
        raise ValueError(
            f"grad_logits must have the logits' shape {(n, p['linear_weight'].shape[0])}, "
            f"got {tuple(grad.shape)}"
        )
    gf = call.args["grad_features"]
    if gf is not None and tuple(gf.shape) != want["features"]:
        raise ValueError(
            f"grad_features must have the features' shape {want['features']}, got {tuple(gf.shape)}"
        )


def _init_rule(call):
    backend_argument(call.args["xp"])
    channels = call.args["channels"]
    if (
        not isinstance(channels, (tuple, list))
        or len(channels) != 2
        or any(isinstance(c, bool) or not isinstance(c, numbers.Integral) for c in channels)
    ):
        raise TypeError(f"channels must be a pair of ints (C1, C2), got {channels!r}")
    if min(channels) < 1:
        raise ValueError(f"channels must be >= 1, got {channels!r}")
    if call.args["kernel_size"] % 2 == 0:
        raise ValueError(f"kernel_size must be odd, got {call.args['kernel_size']}")


# --------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------


@checked(
    n_classes=Count(2),
    in_channels=Count(1),
    kernel_size=Count(1),
    seed=Seed(),
    extra=_init_rule,
)
def init_small_cnn(
    *, n_classes, in_channels=1, channels=(8, 16), kernel_size=3, seed=None, xp=None
):
    r"""Random parameters of the small CNN: He-normal convolutions, Xavier head, zero biases.

    Slide formula: O1.

    Parameters
    ----------
    n_classes : int
        Number of classes (>= 2): the logits' length.
    in_channels : int, default 1
        Channels of the input images.
    channels : pair of int, default (8, 16)
        Filters of the two convolutions, $C_1$ and $C_2$ ($C_2$ feature maps
        reach the head).
    kernel_size : int, default 3
        Odd size $k$ of the square kernels.
    seed : int, Generator or None
        Seed of NumPy's generator; one seed gives the same numbers on every
        backend.
    xp : str or namespace, optional
        The backend of the arrays (default: dlnotes' default backend).

    Returns
    -------
    dict of arrays
        ``conv1_weight`` $(C_1, C, k, k)$, ``conv1_bias`` $(C_1,)$,
        ``conv2_weight`` $(C_2, C_1, k, k)$, ``conv2_bias`` $(C_2,)$,
        ``linear_weight`` $(n_\text{classes}, C_2)$, ``linear_bias``
        $(n_\text{classes},)$, in the backend's default floating dtype.

    Raises
    ------
    TypeError
        If a count is not an int, ``channels`` is not a pair of ints or
        ``seed``/``xp`` is of the wrong kind.
    ValueError
        If a count is too small or ``kernel_size`` is even.

    Notes
    -----
    $$w_\text{conv} \sim \mathcal N\!\left(0, \tfrac{2}{C k^2}\right), \qquad
    w_\text{linear} \sim \mathcal U\!\left(\pm\sqrt{\tfrac{6}{C_2 + n_\text{classes}}}\right)$$

    He's variance for the convolutions, each followed by a ReLU; Glorot's for
    the head, which is not.

    Examples
    --------
    >>> params = init_small_cnn(n_classes=3, seed=0)
    >>> {name: tuple(a.shape) for name, a in params.items()}["conv2_weight"]
    (16, 8, 3, 3)
    """
    rng = random_generator(seed)  # one generator draws every array in turn
    xp = get_backend() if xp is None else resolve_backend(xp)
    c1, c2, k = channels[0], channels[1], kernel_size
    dtype = default_float(xp)
    return {
        "conv1_weight": he_normal((c1, in_channels, k, k), seed=rng, xp=xp),
        "conv1_bias": xp.zeros((c1,), dtype=dtype),
        "conv2_weight": he_normal((c2, c1, k, k), seed=rng, xp=xp),
        "conv2_bias": xp.zeros((c2,), dtype=dtype),
        "linear_weight": xavier_uniform((n_classes, c2), seed=rng, xp=xp),
        "linear_bias": xp.zeros((n_classes,), dtype=dtype),
    }


@checked(x=Floats(ndim=4), params=_Arrays(PARAMS, "x"), extra=_forward_rule)
def small_cnn_forward(params, x):
    r"""The small CNN's forward pass: the logits and the cache the backward pass needs.

    Slide formula: C5, C1 (its layers); its logits are V1's $f_c$, its
    ``features`` V4's $A^{(L)}$.

    Parameters
    ----------
    params : dict of arrays
        As `init_small_cnn` returns them, of ``x``'s library and dtype.
    x : array of shape (N, C, H, W)
        The images, ``H`` and ``W`` even.

    Returns
    -------
    logits : array of shape (N, n_classes)
        The class scores **before** the softmax.
    cache : dict of arrays
        ``input`` (x), ``conv1`` (first convolution, before its ReLU),
        ``pool1`` and ``pool1_indices`` (the max-pool and where its maxima
        are), ``conv2`` (second convolution, before its ReLU) and
        ``features``: $A^{(L)} = \mathrm{ReLU}(\text{conv2})$, shape
        ``(N, C2, H/2, W/2)``, the maps Grad-CAM and CAM weigh.

    Raises
    ------
    TypeError
        If ``params`` is not a dict of arrays of ``x``'s library and dtype.
    ValueError
        If the shapes do not fit each other, ``H`` or ``W`` is odd, or an
        input is not finite.

    Notes
    -----
    $$A^{(L)} = \mathrm{ReLU}\bigl(W_2 * \mathrm{maxpool}(\mathrm{ReLU}(W_1 * x + b_1)) + b_2\bigr),
    \qquad f = W_\ell \,\frac{1}{\lvert I\times J\rvert}\sum_{i,j} A^{(L)}_{:, i,j} + b_\ell$$

    Examples
    --------
    >>> import numpy as np
    >>> params = {"conv1_weight": np.full((2, 1, 3, 3), 0.1), "conv1_bias": np.zeros(2),
    ...           "conv2_weight": np.full((3, 2, 3, 3), 0.1), "conv2_bias": np.zeros(3),
    ...           "linear_weight": np.ones((2, 3)), "linear_bias": np.array([0.0, 1.0])}
    >>> logits, cache = small_cnn_forward(params, np.ones((1, 1, 4, 4)))
    >>> [round(v, 4) for v in logits[0].tolist()], cache["features"].shape
    ([2.16, 3.16], (1, 3, 2, 2))
    """
    xp, x = float_arrays(x)
    w1, w2 = params["conv1_weight"], params["conv2_weight"]
    pad = w1.shape[-1] // 2  # "same" convolutions
    z1 = conv2d(x, w1, params["conv1_bias"], padding=pad)
    p1, indices = max_pool2d(relu(z1), 2)
    z2 = conv2d(p1, w2, params["conv2_bias"], padding=pad)
    features = relu(z2)
    pooled = xp.mean(features, axis=(-2, -1))  # global average pooling, (N, C2)
    logits = pooled @ params["linear_weight"].T + params["linear_bias"]
    cache = {"input": x, "conv1": z1, "pool1": p1, "pool1_indices": indices}
    cache.update(conv2=z2, features=features)
    return logits, cache


@checked(
    grad_logits=Floats(ndim=2),
    grad_features=Optional(Floats(ndim=4)),
    params=_Arrays(PARAMS, "grad_logits"),
    cache=_Arrays(CACHE, "grad_logits", integer=("pool1_indices",)),
    extra=_backward_rule,
)
def small_cnn_backward(params, cache, grad_logits, *, grad_features=None):
    r"""The small CNN's backward pass: every parameter's gradient, the features' and the input's.

    Slide formula: C5, O9 (its backward steps); ``input`` is the
    $\nabla f(I)$ of V1–V3, ``features`` the $\partial f_c/\partial A^{(L)}$ of V4.

    Parameters
    ----------
    params : dict of arrays
        The parameters the forward pass used.
    cache : dict of arrays
        What `small_cnn_forward` returned with them.
    grad_logits : array of shape (N, n_classes)
        $\partial f/\partial\,\text{logits}$: the loss's gradient for training
        (`softmax_cross_entropy_grad`), or a one-hot row for the class score
        $f_c$ (weights frozen: the parameter gradients are then unused).
    grad_features : array of shape (N, C2, H/2, W/2), optional
        $\partial f/\partial A^{(L)}$ of an objective on the feature maps
        themselves (a filter's mean activation, Deep Dream's), added to what
        flows back from the logits. Pass zero ``grad_logits`` for it alone.

    Returns
    -------
    dict of arrays
        One gradient per key of ``params`` (same shapes), plus ``features``
        ($\partial f/\partial A^{(L)}$) and ``input`` ($\partial f/\partial x$,
        of the images' shape).

    Raises
    ------
    TypeError
        If ``params`` or ``cache`` is not a dict of arrays of
        ``grad_logits``' library and dtype.
    ValueError
        If a shape does not fit (a cache of other parameters), or an input is
        not finite.

    Notes
    -----
    $$\frac{\partial f}{\partial A^{(L)}_{n,k,i,j}} = \frac{1}{\lvert I\times
    J\rvert}\sum_c \frac{\partial f}{\partial\,\text{logit}_{n,c}}\, W_{\ell,ck}$$

    and from there back through each layer's own backward function: ReLU's
    derivative, `conv2d_backward`, `max_pool2d_backward` (the gradient goes to
    where each maximum was), ReLU's derivative, `conv2d_backward` again.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"conv1_weight": np.full((2, 1, 3, 3), 0.1), "conv1_bias": np.zeros(2),
    ...           "conv2_weight": np.full((3, 2, 3, 3), 0.1), "conv2_bias": np.zeros(3),
    ...           "linear_weight": np.ones((2, 3)), "linear_bias": np.array([0.0, 1.0])}
    >>> edge = np.array([[0.4, 0.6, 0.6, 0.4], [0.6, 0.9, 0.9, 0.6]])  # conv1 of ones((4, 4))
    >>> conv1 = np.stack([np.concatenate([edge, edge[::-1]])] * 2)[None]
    >>> indices = np.array([[[[5, 6], [9, 10]]] * 2])  # where each 2x2 maximum 0.9 is
    >>> cache = {"input": np.ones((1, 1, 4, 4)), "conv1": conv1,  # small_cnn_forward's cache
    ...          "pool1": np.full((1, 2, 2, 2), 0.9), "pool1_indices": indices,
    ...          "conv2": np.full((1, 3, 2, 2), 0.72), "features": np.full((1, 3, 2, 2), 0.72)}
    >>> grads = small_cnn_backward(params, cache, np.array([[1.0, 0.0]]))
    >>> grads["features"][0, 0].tolist(), round(float(grads["input"].sum()), 4)
    ([[0.25, 0.25], [0.25, 0.25]], 2.16)
    """
    xp = array_api_compat.array_namespace(grad_logits)
    w1, w2, wl = params["conv1_weight"], params["conv2_weight"], params["linear_weight"]
    pad, features = w1.shape[-1] // 2, cache["features"]
    h, w = features.shape[-2], features.shape[-1]
    grads = {"linear_weight": grad_logits.T @ xp.mean(features, axis=(-2, -1))}
    grads["linear_bias"] = xp.sum(grad_logits, axis=0)
    d_features = xp.zeros_like(features) + (grad_logits @ wl)[:, :, None, None] / (h * w)
    if grad_features is not None:
        d_features = d_features + grad_features
    d_z2 = d_features * relu_grad(cache["conv2"])
    d_p1, grads["conv2_weight"], grads["conv2_bias"] = conv2d_backward(
        d_z2, cache["pool1"], w2, padding=pad
    )
    shape = tuple(cache["conv1"].shape)
    d_a1 = max_pool2d_backward(d_p1, cache["pool1_indices"], shape, kernel_size=2)
    d_z1 = d_a1 * relu_grad(cache["conv1"])
    d_x, grads["conv1_weight"], grads["conv1_bias"] = conv2d_backward(
        d_z1, cache["input"], w1, padding=pad
    )
    return {**grads, "features": d_features, "input": d_x}

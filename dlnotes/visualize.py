r"""Visualizing CNNs (003): gradient ascent in the input space, Grad-CAM and CAM.

The slides look inside a trained CNN in two ways. The first changes the
**input** by gradient ascent while the weights stay frozen: towards an image
that maximises one class score before the softmax (class model
visualization), one filter's activation (with a normalised gradient), or all
activations of a layer (Deep Dream, with the inverse L1 norm of the gradient).
The second explains a prediction: Grad-CAM weighs the final convolutional
layer's feature maps $A^{(L)}_k$ by the spatial mean of the class score's
gradient, CAM by the linear head's weights.

Each formula is one pure function here: the gradient is an **argument**, so
any network that gives it will do. The worked example takes it from the small
CNN of `dlnotes.cnn`, written with dlnotes' own forward and backward passes.

Feature maps are ``(K, H, W)`` for one image or ``(N, K, H, W)`` for a batch;
a heatmap is ``(H, W)`` or ``(N, H, W)``.
"""

from __future__ import annotations

from dlnotes._checks import Flag, Floats, Real, checked
from dlnotes.backend import float_arrays

__all__ = [
    "cam",
    "deep_dream_step",
    "filter_ascent_step",
    "grad_cam",
    "grad_cam_weights",
    "gradient_ascent_step",
]


# --------------------------------------------------------------------------
# Rules that tie arguments together (no snippet carries them)
# --------------------------------------------------------------------------


def _class_weights_rule(call):
    a, w = call.args["activations"], call.args["class_weights"]
    if tuple(w.shape) != tuple(a.shape[:-2]):
        raise ValueError(
            f"class_weights must have shape {tuple(a.shape[:-2])} (one weight per channel "
            f"of activations {tuple(a.shape)}), got {tuple(w.shape)}"
        )


# --------------------------------------------------------------------------
# Helpers shared by the formulas
# --------------------------------------------------------------------------


def _max_abs(xp, g):
    """The largest ``|g|``, or 1 for an all-zero ``g``: a scale that keeps ``g**2`` finite."""
    m = xp.max(xp.abs(g))
    return xp.where(m > 0, m, xp.ones_like(m))


def _by_maximum(xp, s):
    """Each ``(H, W)`` map divided by its maximum where that maximum is positive."""
    m = xp.max(s, axis=(-2, -1), keepdims=True)
    return s / xp.where(m > 0, m, xp.ones_like(m))


# --------------------------------------------------------------------------
# Gradient ascent in the input space
# --------------------------------------------------------------------------


@checked(image=Floats(), grad=Floats(like="image"), lr=Real(0, open="low"))
def gradient_ascent_step(image, grad, *, lr):
    r"""One step of class model visualization, $I \leftarrow I + \eta\,\nabla f_c(I)$.

    Slide formula: V1.

    Parameters
    ----------
    image : array-like
        The input image $I$ (any shape, e.g. ``(C, H, W)``). Not modified.
    grad : array-like of the same shape
        $\nabla f_c(I)$: the gradient of class $c$'s score **before the
        softmax** with respect to the image, the network's weights frozen.
    lr : float
        Step size $\eta > 0$.

    Returns
    -------
    array
        The new image, of ``image``'s shape, namespace and floating dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or ``lr`` is not a number.
    ValueError
        If the shapes differ, an input holds NaN or infinity, or ``lr`` is
        not positive.

    Notes
    -----
    $$I \leftarrow I + \eta\,\nabla_I f_c(I)$$

    Ascent, not descent: the plus sign climbs the class score. The score is
    taken before the softmax because the softmax probability can also grow by
    making the *other* classes' scores smaller; the raw score grows only by
    showing more of class $c$. The slide starts from zeros or a random image
    (for a ReLU network, zeros often give a zero gradient: start from small
    noise).

    Examples
    --------
    >>> gradient_ascent_step([0.0, 1.0], [2.0, -1.0], lr=0.5).tolist()
    [1.0, 0.5]
    """
    xp, image, grad = float_arrays(image, grad)
    return xp.asarray(image + lr * grad)


@checked(image=Floats(), grad=Floats(like="image"), lr=Real(0, open="low"), eps=Real(0, open="low"))
def filter_ascent_step(image, grad, *, lr, eps=1e-8):
    r"""One step towards a filter's maximal input, with the gradient normalised by its RMS.

    Slide formula: V2.

    Parameters
    ----------
    image : array-like
        The input image $I$. Not modified.
    grad : array-like of the same shape
        $\nabla_I \sum_{i,j} f_n(I)_{i,j}$: the gradient of filter $n$'s
        activations (summed or averaged over the positions) with respect to
        the image.
    lr : float
        Step size $\eta > 0$.
    eps : float, default 1e-8
        Added to the RMS so that a zero gradient gives a zero step (> 0).

    Returns
    -------
    array
        The new image, of ``image``'s shape, namespace and floating dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or an option is not a number.
    ValueError
        If the shapes differ, an input holds NaN or infinity, or ``lr`` or
        ``eps`` is not positive.

    Notes
    -----
    $$I \leftarrow I + \eta\,\frac{g}{\sqrt{\operatorname{mean}(g^2)} + \epsilon},
    \qquad g = \nabla_I \sum_{i,j} f_n(I)_{i,j}$$

    The slide's "trick": use the norm of the gradient. Dividing by the root
    mean square (Chollet's normalisation, the mean over the whole array)
    makes each step about $\eta$ per pixel, however small or large the
    filter's raw gradient is. The RMS is computed on $g/\max|g|$, so that
    $g^2$ cannot overflow.

    Examples
    --------
    >>> step = filter_ascent_step([0.0, 0.0], [3.0, -4.0], lr=1.0)  # RMS 3.5355
    >>> [round(v, 4) for v in step.tolist()]
    [0.8485, -1.1314]
    """
    xp, image, grad = float_arrays(image, grad)
    scale = _max_abs(xp, grad)
    rms = scale * xp.sqrt(xp.mean((grad / scale) ** 2))
    return xp.asarray(image + lr * grad / (rms + eps))


@checked(image=Floats(), grad=Floats(like="image"), lr=Real(0, open="low"), eps=Real(0, open="low"))
def deep_dream_step(image, grad, *, lr, eps=1e-8):
    r"""One Deep Dream step: gradient ascent scaled by the inverse L1 norm of the gradient.

    Slide formula: V3.

    Parameters
    ----------
    image : array-like
        The image $I$ being dreamed (the slide starts from some input image).
        Not modified.
    grad : array-like of the same shape
        $\nabla_I \sum_{i,j} f_A(I)_{i,j}$: the gradient of all activations
        of layer $A$ (e.g. the sum of their squares) with respect to the image.
    lr : float
        Step size $\eta > 0$.
    eps : float, default 1e-8
        Added to the mean absolute value so that a zero gradient gives a zero
        step (> 0).

    Returns
    -------
    array
        The new image, of ``image``'s shape, namespace and floating dtype.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or an option is not a number.
    ValueError
        If the shapes differ, an input holds NaN or infinity, or ``lr`` or
        ``eps`` is not positive.

    Notes
    -----
    $$I \leftarrow I + \eta\,\frac{g}{\operatorname{mean}|g| + \epsilon},
    \qquad g = \nabla_I \sum_{i,j} f_A(I)_{i,j}$$

    The mean absolute value is the L1 norm divided by the number of
    elements: with it, the average step is $\eta$ per pixel. The slide's
    $\epsilon_{iter}$, the noise that each iteration adds (random shifts,
    rescaled octaves), is the caller's: this function is the update alone.

    Examples
    --------
    >>> step = deep_dream_step([1.0, 1.0], [3.0, -1.0], lr=0.5)  # mean |g| = 2
    >>> [round(v, 4) for v in step.tolist()]
    [1.75, 0.75]
    """
    xp, image, grad = float_arrays(image, grad)
    scale = _max_abs(xp, grad)
    l1_mean = scale * xp.mean(xp.abs(grad / scale))
    return xp.asarray(image + lr * grad / (l1_mean + eps))


# --------------------------------------------------------------------------
# Grad-CAM and CAM
# --------------------------------------------------------------------------


@checked(gradients=Floats(ndim=(3, 4)))
def grad_cam_weights(gradients):
    r"""Grad-CAM's channel weights: the spatial mean of the class score's gradient.

    Slide formula: V4.

    Parameters
    ----------
    gradients : array-like of shape (K, H, W) or (N, K, H, W)
        $\partial f_c(I)/\partial A^{(L)}_{i,j,k}$: the gradient of class
        $c$'s score with respect to the final convolutional layer's feature
        maps.

    Returns
    -------
    array of shape (K,) or (N, K)
        $\alpha^c_k$, one weight per channel (and image).

    Raises
    ------
    TypeError
        If ``gradients`` does not hold real numbers.
    ValueError
        If ``gradients`` is not 3-D or 4-D, is empty or not finite.

    Notes
    -----
    $$\alpha_k^c = \frac{1}{\lvert I \times J\rvert}\sum_{i,j}
    \frac{\partial f_c(I)}{\partial A^{(L)}_{i,j,k}}$$

    How sensitive the class score is to channel $k$ as a whole: the mean over
    the $I \times J$ positions.

    Examples
    --------
    >>> g = [[[1.0, 2.0], [3.0, 6.0]], [[-1.0, 1.0], [0.0, 0.0]]]  # K=2 maps of 2x2
    >>> grad_cam_weights(g).tolist()
    [3.0, 0.0]
    """
    xp, gradients = float_arrays(gradients)
    return xp.mean(gradients, axis=(-2, -1))


@checked(
    activations=Floats(ndim=(3, 4)),
    gradients=Floats(like="activations"),
    relu=Flag(),
    normalize=Flag(),
)
def grad_cam(activations, gradients, *, relu=True, normalize=True):
    r"""The Grad-CAM heatmap: the feature maps weighted by $\alpha^c_k$, ReLU, over the maximum.

    Slide formula: V5.

    Parameters
    ----------
    activations : array-like of shape (K, H, W) or (N, K, H, W)
        $A^{(L)}$: the final convolutional layer's feature maps for the image(s).
    gradients : array-like of the same shape
        $\partial f_c/\partial A^{(L)}$ for the class of interest $c$.
    relu : bool, default True
        Keep only the positive evidence (Grad-CAM's ReLU).
    normalize : bool, default True
        Divide each map by its maximum $S_{max}$ (where that is positive: an
        all-zero map stays zero).

    Returns
    -------
    array of shape (H, W) or (N, H, W)
        The heatmap $S$, in $[0, 1]$ with both options on.

    Raises
    ------
    TypeError
        If an input does not hold real numbers or an option is not a bool.
    ValueError
        If the shapes differ, are not 3-D or 4-D, or an input is empty or
        not finite.

    Notes
    -----
    $$S_{i,j} = \frac{1}{S_{max}}\,\mathrm{ReLU}\Bigl(\sum_k \alpha_k^c
    A^{(L)}_{i,j,k}\Bigr), \qquad \alpha_k^c = \frac{1}{\lvert I\times J\rvert}
    \sum_{i,j}\frac{\partial f_c}{\partial A^{(L)}_{i,j,k}}$$

    The slide's heatmap is the weighted sum over the maximum; Grad-CAM
    applies the ReLU first, so that the map shows where the image speaks
    *for* the class, and $S_{max}$ is the maximum after it. The map has the
    final layer's resolution; upsample it to lay it over the input.

    Examples
    --------
    >>> a = [[[1.0, 0.0], [0.0, 2.0]], [[0.0, 1.0], [1.0, 0.0]]]
    >>> g = [[[1.0, 1.0], [1.0, 1.0]], [[-2.0, -2.0], [-2.0, -2.0]]]  # alpha = (1, -2)
    >>> grad_cam(a, g).tolist()
    [[0.5, 0.0], [0.0, 1.0]]
    """
    xp, activations, gradients = float_arrays(activations, gradients)
    alpha = xp.mean(gradients, axis=(-2, -1))
    s = xp.sum(alpha[..., None, None] * activations, axis=-3)
    if relu:
        s = xp.maximum(s, xp.zeros_like(s))
    return _by_maximum(xp, s) if normalize else s


@checked(
    activations=Floats(ndim=(3, 4)),
    class_weights=Floats(),
    normalize=Flag(),
    extra=_class_weights_rule,
)
def cam(activations, class_weights, *, normalize=True):
    r"""The class activation map: the feature maps weighted by the linear head's class weights.

    Slide formula: V5.

    Parameters
    ----------
    activations : array-like of shape (K, H, W) or (N, K, H, W)
        $A^{(L)}$: the feature maps that a global average pooling turns into
        the linear head's input.
    class_weights : array-like of shape (K,) or (N, K)
        $w^c_k$: the head's weights of the class of interest (a row of its
        weight matrix; one row per image for a batch).
    normalize : bool, default True
        Divide each map by its maximum $S_{max}$ where that maximum is
        positive.

    Returns
    -------
    array of shape (H, W) or (N, H, W)
        The map $S$ (no ReLU: negative where the image speaks against the class).

    Raises
    ------
    TypeError
        If an input does not hold real numbers or ``normalize`` is not a bool.
    ValueError
        If ``class_weights`` does not have one weight per channel, or an
        input is empty or not finite.

    Notes
    -----
    $$S_{i,j} = \frac{1}{S_{max}}\sum_k w^c_k A^{(L)}_{i,j,k}$$

    For a head $f_c = \sum_k w^c_k \frac{1}{\lvert I\times J\rvert}\sum_{i,j}
    A_{i,j,k} + b_c$ (global average pooling, then linear), the gradient is
    $\partial f_c/\partial A_{i,j,k} = w^c_k/\lvert I\times J\rvert$ at every
    position, so Grad-CAM's $\alpha^c_k = w^c_k/\lvert I\times J\rvert$: the
    two maps differ by a constant factor, which the division by the maximum
    removes. CAM is Grad-CAM for that head (before Grad-CAM's ReLU); Grad-CAM
    also works for any other head.

    Examples
    --------
    >>> a = [[[1.0, 0.0], [0.0, 2.0]], [[0.0, 1.0], [1.0, 0.0]]]
    >>> cam(a, [1.0, -2.0]).tolist()
    [[0.5, -1.0], [-1.0, 1.0]]
    """
    xp, activations, class_weights = float_arrays(activations, class_weights)
    s = xp.sum(class_weights[..., None, None] * activations, axis=-3)
    return _by_maximum(xp, s) if normalize else s

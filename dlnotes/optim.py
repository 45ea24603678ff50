r"""Parameter updates (slides 004; 000 part 5).

For now this module holds the plain gradient-descent step of the 14 → 10.16
example. The optimizers of catalogue group O (SGD with momentum, AdaGrad,
RMSProp, Adam, ...) come later, each as a pure function that returns new
parameters (and new optimizer state) instead of modifying its inputs.
"""

from __future__ import annotations

from dlnotes._checks import Floats, Real, checked
from dlnotes.backend import float_arrays

__all__ = ["gd_step"]


@checked(param=Floats(), grad=Floats(like="param"), lr=Real(0, open="low"))
def gd_step(param, grad, *, lr):
    r"""One gradient-descent step, $\theta \leftarrow \theta - \eta\,\nabla_\theta L$.

    Slide formula: N5, O2.

    Parameters
    ----------
    param : array-like
        Current parameters $\theta$ (weights, or a scalar bias). Not modified.
    grad : array-like of the same shape
        $\partial L/\partial \theta$ at ``param``.
    lr : float
        Learning rate $\eta > 0$.

    Returns
    -------
    array
        The updated parameters, a new array of ``param``'s shape, namespace
        and floating dtype (a 0-d array for a scalar).

    Raises
    ------
    TypeError
        If an input does not hold real numbers or ``lr`` is not a number.
    ValueError
        If the shapes differ, an input holds NaN or infinity, or ``lr`` is
        not positive.

    Notes
    -----
    $$\theta_{\text{new}} = \theta - \eta\,\frac{\partial L}{\partial \theta}$$

    The minus sign is the point: the gradient points uphill, the step goes
    the other way (erratum X1: the update is not "the derivative of the
    error" but minus the learning rate times the derivative of the loss).

    Examples
    --------
    The slide's step with lr = 0.04: weights (2, 2, 2) and bias 4.

    >>> [round(v, 2) for v in gd_step([2.0, 2.0, 2.0], [8.0, 8.0, 24.0], lr=0.04).tolist()]
    [1.68, 1.68, 1.04]
    >>> round(float(gd_step(4.0, 8.0, lr=0.04)), 2)
    3.68
    """
    xp, param, grad = float_arrays(param, grad)
    return xp.asarray(param - lr * grad)  # NumPy would give a scalar for 0-d input

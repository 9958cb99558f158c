"""Pairwise squared Euclidean distances with gradients that stay finite at zero distance."""


def pairwise_squared_distances(x, y):
    """``||x_i - y_j||^2`` of shape ``(len(x), len(y))``.

    Computed by expansion and clamped at zero; unlike ``torch.cdist(x, y) ** 2`` its gradient is
    finite when two points coincide (the square root of ``cdist`` has an infinite derivative
    there).
    """
    return (x.square().sum(1, keepdim=True) + y.square().sum(1) - 2.0 * x @ y.T).clamp_min(0.0)

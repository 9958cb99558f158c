"""k-nearest-neighbour affinity graphs for graph-regularised clustering (DGG §3.3).

DGG (Yang et al., ICCV 2019) treats the samples as the nodes of a directed graph whose edge
weights are (Eq. 32)

.. math::

    w_{ij} = \\frac{1}{a_i} \\exp\\Big(-\\frac{\\lVert x_i - x_j \\rVert^2}{2 s_i^2}\\Big)
    \\quad \\text{for } x_j \\in \\mathcal{N}(x_i), \\qquad 0 \\text{ otherwise},

with ``a_i`` making every row sum to one. The graph is stored densely per row: the column
indices of the ``n_neighbors`` edges of every sample and their weights. Everything runs on the
device of the input tensor, in row chunks, so a 70,000-sample graph is built in seconds on a GPU
without a ``(n, n)`` matrix in memory.
"""

from typing import NamedTuple

import torch

# Rows of the distance matrix computed at once: bounds memory at CHUNK_ROWS x n floats.
CHUNK_ROWS = 2048


class AffinityGraph(NamedTuple):
    """The neighbours of every sample and the weights of those edges.

    Attributes
    ----------
    indices : torch.Tensor of shape (n_samples, n_neighbors), dtype int64
        ``indices[i]`` are the neighbours ``j`` of sample ``i`` (never ``i`` itself).
    weights : torch.Tensor of shape (n_samples, n_neighbors)
        ``w_ij`` of Eq. (32); every row sums to one.
    """

    indices: torch.Tensor
    weights: torch.Tensor


def nearest_neighbors(X, n_neighbors, *, chunk_rows=CHUNK_ROWS):
    """Exact Euclidean k nearest neighbours of every row of ``X``, the row itself excluded.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
    n_neighbors : int
        At most ``n_samples - 1``.
    chunk_rows : int, default=2048

    Returns
    -------
    distances : torch.Tensor of shape (n_samples, n_neighbors)
        Ascending along each row.
    indices : torch.Tensor of shape (n_samples, n_neighbors), dtype int64
    """
    n_samples = X.shape[0]
    if not 0 <= n_neighbors < n_samples:
        raise ValueError(
            f"n_neighbors must be in [0, n_samples - 1] = [0, {n_samples - 1}]; got {n_neighbors}."
        )
    squared_norms = X.square().sum(1)
    distances, indices = [], []
    for start in range(0, n_samples, chunk_rows):
        rows = X[start : start + chunk_rows]
        squared = squared_norms[start : start + chunk_rows, None] - 2 * rows @ X.T
        squared = (squared + squared_norms[None]).clamp_min_(0)
        own_column = torch.arange(start, start + rows.shape[0], device=X.device)
        squared[torch.arange(rows.shape[0], device=X.device), own_column] = float("inf")
        values, columns = torch.topk(squared, n_neighbors, dim=1, largest=False)
        distances.append(values.sqrt())
        indices.append(columns)
    return torch.cat(distances), torch.cat(indices)


def gaussian_affinity_weights(distances):
    """Row-normalised Gaussian-kernel weights of Eq. (32) from neighbour distances.

    The bandwidth ``s_i`` of each row is the median distance to its neighbours (the lower
    median for an even count; a local, self-tuning scale, where the paper leaves ``s_i`` as a
    predefined scalar). A row whose neighbours
    all coincide with the sample gets equal weights.

    Parameters
    ----------
    distances : torch.Tensor of shape (n_samples, n_neighbors)

    Returns
    -------
    torch.Tensor of shape (n_samples, n_neighbors)
        Non-negative, every row summing to one.
    """
    scale = distances.median(dim=1, keepdim=True).values
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    logits = -distances.square() / (2 * scale.square())
    return torch.softmax(logits, dim=1)


def affinity_graph(X, n_neighbors, *, n_candidates=None, generator=None):
    """The kNN affinity graph of Eq. (32) on the rows of ``X``.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
        Points in the space that defines the neighbourhoods (the input, an autoencoder
        embedding, or a Siamese embedding).
    n_neighbors : int
        Edges per sample, ``N_s`` of the paper.
    n_candidates : int, optional
        When given, the ``n_neighbors`` edges of each sample are drawn at random, without
        replacement, among its ``n_candidates`` nearest neighbours (the paper draws 20 of 100).
        ``None`` keeps the ``n_neighbors`` nearest.
    generator : torch.Generator, optional
        On ``X``'s device; drives that draw.

    Returns
    -------
    AffinityGraph
    """
    pool = n_neighbors if n_candidates is None else n_candidates
    if pool < n_neighbors:
        raise ValueError(
            f"n_candidates ({n_candidates}) must be at least n_neighbors ({n_neighbors})."
        )
    distances, indices = nearest_neighbors(X, pool)
    if n_neighbors == 0:
        return AffinityGraph(indices, distances)  # both (n_samples, 0): no edges
    if pool > n_neighbors:
        scores = torch.rand(indices.shape, device=X.device, generator=generator)
        chosen = torch.topk(scores, n_neighbors, dim=1).indices
        distances = torch.gather(distances, 1, chosen)
        indices = torch.gather(indices, 1, chosen)
    return AffinityGraph(indices, gaussian_affinity_weights(distances))

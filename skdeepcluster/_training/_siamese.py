"""A Siamese network whose output distances measure similarity (DGG §3.3, SpectralNet).

DGG builds its graph on distances learned by a Siamese network (Hadsell et al., 2006; Shaham
et al., 2018): pairs of nearest neighbours are positives, random pairs negatives, and the
contrastive loss pulls positives together and pushes negatives beyond a margin. The learned
embedding is then searched for the graph's neighbours.
"""

from torch import nn

from ..neighbors import nearest_neighbors
from ..nn import MLPStack
from ._inference import apply_in_chunks, evaluating
from ._phases import fit_phase


class ContrastiveCriterion(nn.Module):
    """Hadsell et al.'s contrastive loss on tuple batches ``(anchors, their positives)``.

    Positives are the rows after the ``m`` anchors (``n_positives`` per anchor, see
    :class:`~skdeepcluster._training._data.DeviceBatchIterator`). Negatives pair every anchor
    with the next anchor of the shuffled batch, i.e. a random sample.

    .. math::

        L = \\frac{1}{|P|} \\sum_{(a, b) \\in P} d_{ab}^2
          + \\frac{1}{|N|} \\sum_{(a, b) \\in N} \\max(0, m - d_{ab})^2

    Parameters
    ----------
    margin : float, default=1.0
    """

    def __init__(self, margin=1.0):
        super().__init__()
        self.margin = margin

    def forward(self, output, x, index):
        n_anchors = index.shape[0]
        anchors = output[:n_anchors]
        positives = output[n_anchors:].view(n_anchors, -1, output.shape[1])
        positive = (positives - anchors[:, None]).square().sum(-1).mean()
        negative_distance = (anchors - anchors.roll(1, dims=0)).norm(dim=1)
        negative = (self.margin - negative_distance).clamp_min(0).square().mean()
        loss = positive + negative
        return {"loss": loss, "positive": positive, "negative": negative}


def siamese_embedding(X, *, output_dim, hidden_dims, n_positives, epochs, config):
    """Train a Siamese MLP on ``X``'s nearest-neighbour pairs and return its embedding of ``X``.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
        On ``config.device``.
    output_dim : int
    hidden_dims : tuple of int
    n_positives : int
        Nearest neighbours of each sample used as its positive pairs (SpectralNet uses 2).
    epochs : int
    config : TrainingConfig

    Returns
    -------
    embedding : torch.Tensor of shape (n_samples, output_dim)
        On ``config.device``.
    net : PhaseNet
        The fitted Siamese net (its history is the ``"siamese"`` phase).
    """
    _, positives = nearest_neighbors(X, n_positives)
    network = MLPStack((X.shape[1], *hidden_dims, output_dim)).to(config.device)
    net = fit_phase(
        network,
        ContrastiveCriterion(),
        X,
        phase="siamese",
        config=config,
        epochs=epochs,
        partners=positives,
    )
    with evaluating(network):
        embedding = apply_in_chunks(network, X, config.device, to_numpy=False)
    return embedding, net

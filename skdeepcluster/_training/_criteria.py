"""Training criteria as skorch criterion modules: ``criterion(output, x, index) -> terms``."""

from torch import nn

from ..losses import dec_kl_divergence, reconstruction_loss


class ReconstructionCriterion(nn.Module):
    """Autoencoder pretraining: reconstruct ``x`` from ``output = (z, x_hat)``.

    Parameters
    ----------
    kind : {"mse", "bce"}
    """

    def __init__(self, kind="mse"):
        super().__init__()
        self.kind = kind

    def forward(self, output, x, index):
        _, x_hat = output
        loss = reconstruction_loss(x_hat, x, self.kind)
        return {"loss": loss, "reconstruction": loss}


class SelfTrainingCriterion(nn.Module):
    """DEC / IDEC objective on ``output = (q, x_hat)``: ``L = w_r L_r + w_c KL(P || Q)``.

    DEC is ``w_r = 0, w_c = 1`` (Xie et al., 2016, Eq. 2); IDEC is ``w_r = 1, w_c = gamma``
    (Guo et al., 2017, Eq. 3). ``target`` holds ``P`` for every sample and is set by
    :class:`~skdeepcluster._training._callbacks.TargetDistributionRefresh`.

    Parameters
    ----------
    clustering_weight, reconstruction_weight : float
    kind : {"mse", "bce"}
        Reconstruction loss, used when ``reconstruction_weight > 0``.
    """

    def __init__(self, clustering_weight=1.0, reconstruction_weight=0.0, kind="mse"):
        super().__init__()
        self.clustering_weight = clustering_weight
        self.reconstruction_weight = reconstruction_weight
        self.kind = kind
        self.target = None

    def forward(self, output, x, index):
        q, x_hat = output
        clustering = dec_kl_divergence(self.target[index], q)
        terms = {"clustering": clustering, "loss": self.clustering_weight * clustering}
        if self.reconstruction_weight > 0:
            terms["reconstruction"] = reconstruction_loss(x_hat, x, self.kind)
            terms["loss"] = terms["loss"] + self.reconstruction_weight * terms["reconstruction"]
        return terms

"""A phase net with a second optimiser for a latent discriminator (WEC-GAN, Algorithm 1)."""

import torch
from skorch.utils import TeeGenerator

from ._net import PhaseNet


class AdversarialPhaseNet(PhaseNet):
    """:class:`PhaseNet` whose criterion owns a discriminator trained by its own optimiser.

    The criterion's ``penalty`` must provide ``discriminator`` (a module) and
    ``discriminator_loss(z)``. Each training step follows WEC's Algorithm 1: the discriminator
    first takes one step on prior draws against the detached embeddings (line 15), then the
    centroids, decoder and encoder take one step on the full objective, whose adversarial term
    uses the updated discriminator (lines 16-18).

    ``optimizer`` (``lr``, ``optimizer__*``) drives the module's parameters only;
    ``optimizer_discriminator`` (``optimizer_discriminator__lr``, ``__betas``, ...) drives the
    discriminator's. Both are ordinary skorch optimisers, so ``set_params`` reaches them.
    """

    def __init__(self, *args, optimizer_discriminator=torch.optim.Adam, **kwargs):
        super().__init__(*args, **kwargs)
        self.optimizer_discriminator = optimizer_discriminator

    @property
    def _discriminator(self):
        return self.criterion_.penalty.discriminator

    def initialize_optimizer(self, *args, **kwargs):
        args, kwargs = self.get_params_for_optimizer(
            "optimizer", self.module_.named_parameters()
        )
        self.optimizer_ = self.optimizer(*args, **kwargs)
        args, kwargs = self.get_params_for_optimizer(
            "optimizer_discriminator", self._discriminator.named_parameters()
        )
        self.optimizer_discriminator_ = self.optimizer_discriminator(*args, **kwargs)
        return self

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        x, index = batch
        output = self.infer(x, **fit_params)
        embedding = output[2]

        self.optimizer_discriminator_.zero_grad(set_to_none=True)
        discriminator_loss = self.criterion_.penalty.discriminator_loss(embedding)
        discriminator_loss.backward()
        self.optimizer_discriminator_.step()

        self.optimizer_.zero_grad(set_to_none=True)
        terms = self.criterion_(output, x, index)
        terms["loss"].backward()
        self.notify(
            "on_grad_computed",
            named_parameters=TeeGenerator(self.module_.named_parameters()),
            batch=batch,
            training=True,
        )
        self.optimizer_.step()
        terms["discriminator"] = discriminator_loss.detach()
        return {"loss": terms["loss"], "y_pred": output, "terms": terms}

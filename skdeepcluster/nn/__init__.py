"""Pure torch building blocks: encoders, decoders, autoencoders and clustering layers."""

from ._autoencoder import Autoencoder
from ._clustering import ClusteringAutoencoder, StudentTAssignment, student_t_assignment
from ._conv import ConvDecoder, ConvEncoder
from ._gaussian import (
    GaussianEncoder,
    GaussianMixturePrior,
    GaussianMixtureVAE,
    GMVAEOutput,
    cluster_classifier,
    mixture_joint_log_prob,
    reparameterize,
)
from ._latent_penalties import AdversarialPenalty, MMDPenalty, sample_gaussian_prior
from ._mlp import MLPStack, mlp_decoder, mlp_encoder

__all__ = [
    "AdversarialPenalty",
    "Autoencoder",
    "ClusteringAutoencoder",
    "ConvDecoder",
    "ConvEncoder",
    "GMVAEOutput",
    "GaussianEncoder",
    "GaussianMixturePrior",
    "GaussianMixtureVAE",
    "MLPStack",
    "MMDPenalty",
    "StudentTAssignment",
    "cluster_classifier",
    "mlp_decoder",
    "mixture_joint_log_prob",
    "mlp_encoder",
    "reparameterize",
    "sample_gaussian_prior",
    "student_t_assignment",
]

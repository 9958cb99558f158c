"""Pure torch building blocks: encoders, decoders, autoencoders and clustering layers."""

from ._autoencoder import Autoencoder
from ._clustering import ClusteringAutoencoder, StudentTAssignment, student_t_assignment
from ._conv import ConvDecoder, ConvEncoder
from ._mlp import MLPStack, mlp_decoder, mlp_encoder

__all__ = [
    "Autoencoder",
    "ClusteringAutoencoder",
    "ConvDecoder",
    "ConvEncoder",
    "MLPStack",
    "StudentTAssignment",
    "mlp_decoder",
    "mlp_encoder",
    "student_t_assignment",
]

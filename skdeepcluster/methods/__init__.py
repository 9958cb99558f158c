"""The estimators, one private module per method family, re-exported at the package top."""

from ._ae_kmeans import AEKMeans
from ._dec import DEC, IDEC
from ._dgg import DGG
from ._dvae import DVAE
from ._vade import VaDE
from ._wec import WECGAN, WECMMD

__all__ = ["AEKMeans", "DEC", "DGG", "DVAE", "IDEC", "VaDE", "WECGAN", "WECMMD"]

"""skdeepcluster: scikit-learn compatible deep generative clustering on PyTorch.

Estimators follow the scikit-learn API (``fit``, ``predict``, ``fit_predict``, ``transform``,
``predict_proba``) and train skorch-managed torch modules, on CUDA when it is available.
"""

from .methods import DEC, DGG, DVAE, IDEC, WECGAN, WECMMD, AEKMeans, VaDE

__version__ = "0.1.0.dev0"

__all__ = ["AEKMeans", "DEC", "DGG", "DVAE", "IDEC", "VaDE", "WECGAN", "WECMMD", "__version__"]

"""Features for the clusterers: pretrained-CNN embeddings of images, and flattened pixels.

:class:`ResNetFeatures` and :class:`MoCoFeatures` map image arrays to a ResNet's pooled
features (torchvision is imported only when a network is built: ``pip install
'skdeepcluster[features]'``). :class:`ImageFlattener` turns raw images into the scaled pixel
vectors the MLP clusterers take. All three are scikit-learn transformers for ``Pipeline``.
"""

from ._flatten import ImageFlattener
from ._moco import MoCoFeatures
from ._resnet import ResNetFeatures

__all__ = ["ImageFlattener", "MoCoFeatures", "ResNetFeatures"]

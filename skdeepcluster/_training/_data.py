"""Device-resident mini-batches: the data lives on the training device, batches are slices.

A torch ``DataLoader`` collates every mini-batch on the host and copies it to the device. For
in-memory data that fits on the device it is faster to move the data once and cut each batch out
of a device-side permutation: no collation, no host-to-device copy per batch and no host
synchronisation.

Graph-regularised methods train on tuples (a sample and its neighbours, DGG Algorithm 1). The
neighbour table lives on the device too, so a tuple batch is one more gather, still with no
host work.
"""

import torch
from torch.utils.data import Dataset


class DeviceDataset(Dataset):
    """An in-memory tensor on the training device plus the generator that shuffles it.

    Items are ``(x_i, i)``: the sample and its row index, so that losses can look up per-sample
    state such as DEC's target distribution.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
        Already on the training device.
    generator : torch.Generator
        On the same device as ``X``; drives the epoch permutations.
    partners : torch.Tensor of shape (n_samples, n_partners), dtype int64, optional
        Rows that travel with every sample (its graph neighbours), on the same device.
    """

    def __init__(self, X, generator, partners=None):
        self.X = X
        self.generator = generator
        self.partners = partners

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, index):
        return self.X[index], index


class DeviceBatchIterator:
    """Iterate over a :class:`DeviceDataset` in batches ``(X[rows], idx)`` without host work.

    ``idx`` are the ``m`` sampled row indices. Without partners ``rows = idx``; with partners
    the batch is a tuple batch: ``rows`` is ``idx`` followed by ``partners[idx]`` flattened
    row-major, so row ``m + b * n_partners + p`` of the batch is partner ``p`` of sample ``b``.

    skorch builds it through ``iterator_train`` with the dataset and the net's ``batch_size``.

    Parameters
    ----------
    dataset : DeviceDataset
    batch_size : int
    shuffle : bool, default=False
        Draw a fresh permutation on the device at the start of every epoch.
    """

    def __init__(self, dataset, batch_size, shuffle=False):
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        X = self.dataset.X
        n_samples = X.shape[0]
        if self.shuffle:
            order = torch.randperm(
                n_samples, device=X.device, generator=self.dataset.generator
            )
        else:
            order = torch.arange(n_samples, device=X.device)
        for start in range(0, n_samples, self.batch_size):
            index = order[start : start + self.batch_size]
            rows = index
            if self.dataset.partners is not None:
                rows = torch.cat([index, self.dataset.partners[index].reshape(-1)])
            yield X[rows], index

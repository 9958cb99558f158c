"""Initial clusters in the latent space of a pretrained autoencoder."""

import numpy as np
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture


def fit_latent_clusterer(Z, n_clusters, *, method, seed, n_init):
    """Fit KMeans or a diagonal Gaussian mixture on embeddings ``Z``.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, latent_dim)
    n_clusters : int
    method : {"kmeans", "gmm"}
    seed : int
    n_init : int
        Restarts; the best (lowest inertia / highest likelihood) is kept. DEC uses 20.

    Returns
    -------
    KMeans or GaussianMixture
        Fitted on ``Z``; ``cluster_centers_`` or ``means_`` are the latent centroids.
    """
    random_state = seed % (2**32)
    if method == "kmeans":
        return KMeans(n_clusters, n_init=n_init, random_state=random_state).fit(Z)
    # scikit-learn estimates diagonal variances as E[z^2] - E[z]^2, which cancels badly in
    # float32 when the embedding lies far from the origin: a constant input made every
    # variance negative and the fit fail. EM on the centred embedding in float64, with the
    # means shifted back, is the same mixture on Z.
    Z = np.asarray(Z, dtype=np.float64)
    offset = Z.mean(axis=0)
    mixture = GaussianMixture(
        n_clusters, covariance_type="diag", n_init=n_init, reg_covar=1e-5,
        random_state=random_state,
    ).fit(Z - offset)
    mixture.means_ = mixture.means_ + offset
    return mixture


def initial_mixture(Z, n_components, *, method, seed, n_init):
    """Weights, means and diagonal variances of a mixture initialising a latent prior.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, latent_dim)
    n_components : int
    method : {"gmm", "kmeans"}
        ``"gmm"``: a diagonal Gaussian mixture fitted by EM. ``"kmeans"``: KMeans clusters,
        with each cluster's share of the samples, centre and per-dimension variance (the
        variance of all of ``Z`` for a cluster of one sample).
    seed, n_init : int

    Returns
    -------
    weights : ndarray of shape (n_components,)
    means, variances : ndarray of shape (n_components, latent_dim)
    labels : ndarray of shape (n_samples,)
        The initial cluster of every sample (pseudo-labels for a classifier).
    """
    if method == "gmm":
        mixture = fit_latent_clusterer(Z, n_components, method="gmm", seed=seed, n_init=n_init)
        return mixture.weights_, mixture.means_, mixture.covariances_, mixture.predict(Z)
    kmeans = fit_latent_clusterer(Z, n_components, method="kmeans", seed=seed, n_init=n_init)
    labels = kmeans.labels_
    weights = np.bincount(labels, minlength=n_components) / Z.shape[0]
    overall = Z.var(axis=0) + 1e-6
    variances = np.stack([
        Z[labels == k].var(axis=0) + 1e-6 if np.sum(labels == k) > 1 else overall
        for k in range(n_components)
    ])
    return weights, kmeans.cluster_centers_, variances, labels

"""Initial clusters in the latent space of a pretrained autoencoder."""

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
    return GaussianMixture(
        n_clusters, covariance_type="diag", n_init=n_init, reg_covar=1e-5,
        random_state=random_state,
    ).fit(Z)

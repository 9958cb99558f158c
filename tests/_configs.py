"""Tiny, fast configurations of every public estimator (CPU only)."""

from skdeepcluster import DEC, IDEC, AEKMeans

TINY = dict(hidden_dims=(16,), latent_dim=2, pretrain_epochs=2, batch_size=32, device="cpu")


def tiny_estimators():
    """One tiny instance of every public estimator (seeded, CPU)."""
    return [
        AEKMeans(n_clusters=3, **TINY, random_state=0),
        AEKMeans(n_clusters=3, **TINY, clusterer="gmm", random_state=0),
        DEC(n_clusters=3, **TINY, max_epochs=2, random_state=0),
        IDEC(n_clusters=3, **TINY, max_epochs=2, random_state=0),
    ]

"""Tiny, fast configurations of every public estimator (CPU only)."""

from skdeepcluster import DEC, DGG, DVAE, IDEC, WECGAN, WECMMD, AEKMeans, VaDE

TINY = dict(hidden_dims=(16,), latent_dim=2, pretrain_epochs=2, batch_size=32, device="cpu")


def tiny_estimators():
    """One tiny instance of every public estimator (seeded, CPU)."""
    return [
        AEKMeans(n_clusters=3, **TINY, random_state=0),
        AEKMeans(n_clusters=3, **TINY, clusterer="gmm", random_state=0),
        DEC(n_clusters=3, **TINY, max_epochs=2, random_state=0),
        IDEC(n_clusters=3, **TINY, max_epochs=2, random_state=0),
        WECMMD(n_clusters=3, **TINY, max_epochs=2, random_state=0),
        WECGAN(n_clusters=3, **TINY, max_epochs=2, random_state=0),
        # EM on the 2-epoch embedding of check_clustering's blobs plus 5 uniform outliers
        # gives two outliers a component each, which then empty: KMeans initialisation
        # does not (the default "gmm" is tested elsewhere).
        VaDE(n_clusters=3, **TINY, max_epochs=2, init="kmeans", random_state=0),
        DVAE(n_clusters=3, **TINY, max_epochs=2, warmup_epochs=1, random_state=0),
        DGG(n_clusters=3, **TINY, max_epochs=2, n_neighbors=3, random_state=0),
    ]


ESTIMATOR_CLASSES = [AEKMeans, DEC, IDEC, WECMMD, WECGAN, VaDE, DVAE, DGG]


def make_tiny(cls, *, max_epochs=2, **params):
    """A tiny seeded CPU instance of ``cls`` with 3 clusters; ``params`` override anything."""
    base = dict(TINY, n_clusters=3, random_state=0)
    if cls is not AEKMeans:
        base["max_epochs"] = max_epochs
    if cls is DVAE:  # apply the similarity loss within the tiny schedule
        base["warmup_epochs"] = max(max_epochs - 1, 0)
    base.update(params)
    return cls(**base)

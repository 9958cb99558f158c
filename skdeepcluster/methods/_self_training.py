"""The shared pipeline of DEC, IDEC and WEC: pretrain, initialise centroids, self-train."""

import torch

from ..base import BaseDeepClusterer, FitResult
from ..nn import ClusteringAutoencoder, StudentTAssignment, student_t_assignment
from ..utils._torch import child_seed
from .._training._callbacks import TargetDistributionRefresh
from .._training._cluster_init import fit_latent_clusterer
from .._training._phases import fit_phase
from ._autoencoding import build_and_pretrain, embed


class StudentTSelfTraining(BaseDeepClusterer):
    """Private base of the methods that self-train a Student's t clustering layer.

    The fit is the same for all of them:

    1. pretrain the autoencoder (:func:`build_and_pretrain`);
    2. initialise the centroids ``mu_j`` by KMeans (``n_init`` restarts) on its embedding;
    3. train encoder, centroids and (when the objective uses it) decoder on the method's
       :class:`SelfTrainingCriterion` for ``max_epochs`` epochs, refreshing the target
       distribution on the whole data set on the method's schedule;
    4. when the objective has no clustering term (WEC's ``gamma=0`` ablation), refit KMeans on
       the final embedding and use its centroids.

    Subclasses supply the objective (:meth:`_criterion`) and, where they differ from DEC, the
    hooks below.
    """

    # ------------------------------------------------------------- method hooks
    def _criterion(self, latent_dim):
        """The :class:`SelfTrainingCriterion` of the clustering phase."""
        raise NotImplementedError

    def _pretrain_strategy(self):
        return self.pretrain

    def _degrees_of_freedom(self):
        """``alpha`` of the Student's t kernel."""
        return self.alpha

    def _refresh_schedule(self):
        return TargetDistributionRefresh(self.update_interval, self.tol)

    def _cluster_phase_options(self):
        """Extra :func:`fit_phase` arguments of the clustering phase (``net_class``, ...)."""
        return {}

    # ---------------------------------------------------------------- pipeline
    def _fit_torch(self, X, config):
        latent_dim = self._embedding_dim()
        autoencoder, _, history = build_and_pretrain(
            self, X, config, latent_dim=latent_dim, strategy=self._pretrain_strategy(),
            reconstruction=self.reconstruction,
        )
        assignment = StudentTAssignment(self.n_clusters, latent_dim, self._degrees_of_freedom())
        self._set_centers_by_kmeans(assignment, autoencoder, X, config, stream="kmeans")
        criterion = self._criterion(latent_dim).to(config.device)
        model = ClusteringAutoencoder(
            autoencoder, assignment.to(config.device), decode=criterion.reconstruction_weight > 0
        )
        callbacks = []
        refresh = None
        if criterion.clustering_weight > 0:
            refresh = self._refresh_schedule()
            callbacks.append(("target_refresh", refresh))
        net = fit_phase(
            model,
            criterion,
            X,
            phase="cluster",
            config=config,
            epochs=self.max_epochs,
            callbacks=callbacks,
            **self._cluster_phase_options(),
        )
        history["cluster"] = net.history
        if refresh is None:
            self._set_centers_by_kmeans(assignment, autoencoder, X, config, stream="kmeans_final")
        return FitResult(
            net=net,
            history=history,
            n_iter=len(net.history),
            attributes={
                "cluster_centers_": assignment.centers.detach().cpu().numpy(),
                "converged_": bool(getattr(refresh, "converged_", False)),
            },
        )

    def _set_centers_by_kmeans(self, assignment, autoencoder, X, config, *, stream):
        kmeans = fit_latent_clusterer(
            embed(autoencoder.encoder, X, config.device),
            self.n_clusters,
            method="kmeans",
            seed=child_seed(config.seed, stream),
            n_init=self.n_init,
        )
        with torch.no_grad():
            assignment.centers.copy_(torch.as_tensor(kmeans.cluster_centers_))

    def _proba_from_embedding(self, Z):
        # The trained layer's alpha, not ``alpha``, which set_params may have changed since.
        alpha = self.net_.module_.assignment.alpha
        return student_t_assignment(
            torch.from_numpy(Z), torch.from_numpy(self.cluster_centers_), alpha
        ).numpy()

"""WEC-MMD and WEC-GAN: the latent penalties against known answers, and the estimators."""

import numpy as np
import pytest
import torch
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError

from skdeepcluster import IDEC, WECGAN, WECMMD
from skdeepcluster.losses import (
    KERNELS,
    discriminator_loss,
    encoder_adversarial_loss,
    kernel_matrix,
    mmd_squared,
)
from skdeepcluster.nn import (
    AdversarialPenalty,
    Autoencoder,
    ClusteringAutoencoder,
    MMDPenalty,
    StudentTAssignment,
    mlp_decoder,
    mlp_encoder,
)
from skdeepcluster._training._criteria import SelfTrainingCriterion
from skdeepcluster.metrics import clustering_accuracy

from ._configs import make_tiny


# ------------------------------------------------------------------------- kernels and MMD
@pytest.mark.parametrize("kernel", KERNELS)
def test_mmd_of_a_sample_with_itself_is_zero(kernel):
    x = torch.randn(50, 4, dtype=torch.float64)
    assert mmd_squared(x, x, kernel, scale=8.0).item() == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("kernel", KERNELS)
def test_mmd_grows_with_a_shift(kernel):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(200, 3, generator=generator, dtype=torch.float64)
    y = torch.randn(200, 3, generator=generator, dtype=torch.float64)
    same = mmd_squared(x, y, kernel, scale=6.0).item()
    shifted = mmd_squared(x, y + 1.0, kernel, scale=6.0).item()
    far = mmd_squared(x, y + 3.0, kernel, scale=6.0).item()
    assert 0 <= same < shifted < far


@pytest.mark.parametrize("kernel", KERNELS)
def test_kernel_is_symmetric_and_positive_semidefinite(kernel):
    x = torch.randn(40, 5, dtype=torch.float64) * 3
    K = kernel_matrix(x, x, kernel, scale=10.0)
    torch.testing.assert_close(K, K.T)
    assert torch.linalg.eigvalsh(K).min().item() > -1e-10


def test_imq_kernel_matches_eq_14():
    x, y = torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0]])
    d, sigma = 2, 1.5
    scale = 2 * d * sigma**2
    expected = scale / (scale + 25.0)
    assert kernel_matrix(x, y, "imq", scale=scale).item() == pytest.approx(expected)
    multiscale = sum(scale * s / (scale * s + 25.0) for s in (0.1, 0.2, 0.5, 1, 2, 5, 10))
    assert kernel_matrix(x, y, "imq_multiscale", scale=scale).item() == pytest.approx(multiscale)
    assert kernel_matrix(x, y, "rbf", scale=scale).item() == pytest.approx(np.exp(-25 / scale))


def test_unknown_kernel_is_a_value_error():
    with pytest.raises(ValueError, match="kernel"):
        kernel_matrix(torch.zeros(2, 2), torch.zeros(2, 2), "linear", scale=1.0)


def test_mmd_gradient_is_finite_for_coinciding_points():
    z = torch.zeros(4, 3, requires_grad=True)
    mmd_squared(z, torch.randn(4, 3), "imq", scale=6.0).backward()
    assert torch.isfinite(z.grad).all()


# ---------------------------------------------------------------------- adversarial losses
def test_discriminator_loss_at_the_optimum_is_log4_minus_twice_js():
    # Two distributions on the points {a, b}: prior (0.5, 0.5), embeddings (0.9, 0.1).
    prior = np.array([0.5, 0.5])
    embedding = np.array([0.9, 0.1])
    optimal = prior / (prior + embedding)  # D*(x) = p(x) / (p(x) + q(x))
    logit = torch.tensor(np.log(optimal / (1 - optimal)))
    prior_logits = logit[[0] * 5 + [1] * 5]
    embedding_logits = logit[[0] * 9 + [1] * 1]
    middle = (prior + embedding) / 2
    js = 0.5 * np.sum(prior * np.log(prior / middle)) + 0.5 * np.sum(
        embedding * np.log(embedding / middle)
    )
    loss = discriminator_loss(prior_logits, embedding_logits).item()
    assert loss == pytest.approx(np.log(4) - 2 * js)


def test_discriminator_loss_is_log4_when_undecided_and_zero_when_perfect():
    undecided = torch.zeros(7)
    assert discriminator_loss(undecided, undecided).item() == pytest.approx(np.log(4))
    perfect = discriminator_loss(torch.full((7,), 50.0), torch.full((7,), -50.0)).item()
    assert perfect == pytest.approx(0.0, abs=1e-12)


def test_encoder_adversarial_loss_is_minus_log_d():
    logits = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64)
    expected = -torch.log(torch.sigmoid(logits)).mean()
    torch.testing.assert_close(encoder_adversarial_loss(logits), expected)


def test_adversarial_penalty_discriminator_is_d_128_1():
    penalty = AdversarialPenalty(latent_dim=6, sigma_z=1.0)
    shapes = [tuple(layer.weight.shape) for layer in penalty.discriminator.linears]
    assert shapes == [(128, 6), (1, 128)]


# -------------------------------------------------------------------------- gradient flow
def _wec_model_and_criterion(penalty):
    torch.manual_seed(0)
    autoencoder = Autoencoder(mlp_encoder(8, (16,), 3), mlp_decoder(3, (16,), 8))
    assignment = StudentTAssignment(4, 3)
    with torch.no_grad():
        assignment.centers.normal_()
    criterion = SelfTrainingCriterion(
        clustering_weight=0.5, reconstruction_weight=1.0, penalty=penalty, penalty_weight=0.1
    )
    return ClusteringAutoencoder(autoencoder, assignment), criterion


@pytest.mark.parametrize(
    "penalty", [MMDPenalty(3, 1.0), AdversarialPenalty(3, 1.0)], ids=["mmd", "gan"]
)
def test_gradients_reach_encoder_decoder_and_centroids(penalty):
    model, criterion = _wec_model_and_criterion(penalty)
    x = torch.randn(20, 8)
    output = model(x)
    criterion.target = torch.softmax(torch.randn(20, 4), dim=1)
    terms = criterion(output, x, torch.arange(20))
    assert set(terms) == {"loss", "clustering", "reconstruction", "penalty"}
    expected = terms["reconstruction"] + 0.1 * terms["penalty"] + 0.5 * terms["clustering"]
    torch.testing.assert_close(terms["loss"], expected)
    terms["loss"].backward()
    for module in (model.autoencoder.encoder, model.autoencoder.decoder, model.assignment):
        for parameter in module.parameters():
            assert parameter.grad is not None and parameter.grad.abs().sum() > 0


def test_penalty_alone_moves_the_encoder_only():
    model, _ = _wec_model_and_criterion(None)
    penalty = MMDPenalty(3, 1.0)
    criterion = SelfTrainingCriterion(0.0, 0.0, penalty=penalty, penalty_weight=1.0)
    x = torch.randn(20, 8)
    criterion(model(x), x, torch.arange(20))["loss"].backward()
    assert all(p.grad.abs().sum() > 0 for p in model.autoencoder.encoder.parameters())
    assert all(p.grad is None for p in model.autoencoder.decoder.parameters())


# ------------------------------------------------------------------------------ estimators
@pytest.mark.parametrize("cls", [WECMMD, WECGAN])
def test_defaults_follow_the_paper(cls):
    model = cls()
    assert model.hidden_dims == (500, 500, 1000)
    assert model.latent_dim is None
    assert model.max_epochs == 200 and model.lr == 1e-3
    low, high = {WECMMD: (0.05, 0.1), WECGAN: (0.5, 1.0)}[cls]
    assert low <= model.gamma <= high


@pytest.mark.parametrize("cls", [WECMMD, WECGAN])
def test_latent_dim_none_means_n_clusters(cls, blobs):
    X, _ = blobs
    model = make_tiny(cls, latent_dim=None).fit(X)
    assert model.transform(X).shape == (X.shape[0], 3)
    assert model.cluster_centers_.shape == (3, 3)


@pytest.mark.parametrize("cls", [WECMMD, WECGAN])
def test_seeded_fits_are_identical_on_cpu(cls, blobs):
    X, _ = blobs
    first = make_tiny(cls, max_epochs=3).fit(X)
    second = make_tiny(cls, max_epochs=3).fit(X)
    np.testing.assert_array_equal(first.labels_, second.labels_)
    np.testing.assert_array_equal(first.transform(X), second.transform(X))


@pytest.mark.parametrize("cls", [WECMMD, WECGAN])
def test_recovers_separated_blobs(cls, blobs):
    X, y = blobs
    model = make_tiny(cls, hidden_dims=(32,), pretrain_epochs=30, max_epochs=10)
    assert clustering_accuracy(y, model.fit_predict(X)) > 0.9


@pytest.mark.parametrize("cls", [WECMMD, WECGAN])
def test_history_terms_and_weights(cls, blobs):
    X, _ = blobs
    model = make_tiny(cls, beta=0.3, gamma=0.7, max_epochs=3).fit(X)
    last = model.history_["cluster"][-1]
    expected = last["train_reconstruction"] + 0.3 * last["train_penalty"] + 0.7 * last[
        "train_clustering"
    ]
    assert last["train_loss"] == pytest.approx(expected, rel=1e-4)
    assert ("train_discriminator" in last) == (cls is WECGAN)


@pytest.mark.parametrize("cls", [WECMMD, WECGAN])
def test_beta_zero_drops_the_penalty(cls, blobs):
    X, _ = blobs
    model = make_tiny(cls, beta=0.0).fit(X)
    assert "train_penalty" not in model.history_["cluster"][-1]


@pytest.mark.parametrize("cls", [WECMMD, WECGAN])
def test_gamma_zero_labels_come_from_kmeans_on_the_final_embedding(cls, blobs):
    X, _ = blobs
    model = make_tiny(cls, gamma=0.0, max_epochs=3).fit(X)
    assert "train_clustering" not in model.history_["cluster"][-1]
    assert "target_refresh" not in dict(model.net_.callbacks_)
    Z = model.transform(X)
    kmeans = KMeans(3, n_init=20, random_state=0).fit(Z)
    assert clustering_accuracy(kmeans.labels_, model.labels_) == 1.0
    distances = ((Z[:, None] - model.cluster_centers_[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(model.labels_, distances.argmin(1))


@pytest.mark.parametrize("cls", [WECMMD, WECGAN])
def test_update_interval_counts_mini_batches(cls, blobs):
    # 90 samples / batch 32 = 3 batches per epoch: 4 epochs are 12 batches, a refresh every 5
    # is at batches 0, 5 and 10, and the last two each record a label change.
    X, _ = blobs
    model = make_tiny(cls, max_epochs=4, update_interval=5).fit(X)
    refresh = dict(model.net_.callbacks_)["target_refresh"]
    assert len(refresh.label_change_) == 2


def test_tol_stops_early(blobs):
    X, _ = blobs
    model = make_tiny(WECMMD, pretrain_epochs=20, max_epochs=50, update_interval=1, tol=0.5)
    model.fit(X)
    assert model.converged_ and model.n_iter_ < 50


def test_wecgan_trains_the_discriminator_with_its_own_optimizer(blobs):
    X, _ = blobs
    torch.manual_seed(0)
    model = make_tiny(WECGAN, discriminator_lr=0.02, discriminator_betas=(0.5, 0.9)).fit(X)
    net = model.net_
    discriminator = net.criterion_.penalty.discriminator
    group = net.optimizer_discriminator_.param_groups[0]
    assert group["lr"] == 0.02 and group["betas"] == (0.5, 0.9)
    discriminator_params = set(map(id, discriminator.parameters()))
    module_params = {id(p) for g in net.optimizer_.param_groups for p in g["params"]}
    assert discriminator_params.isdisjoint(module_params)
    assert discriminator_params == {
        id(p) for g in net.optimizer_discriminator_.param_groups for p in g["params"]
    }
    net.set_params(optimizer_discriminator__lr=0.005)
    assert net.optimizer_discriminator_.param_groups[0]["lr"] == 0.005


def test_wecgan_discriminator_changes_during_training(blobs, monkeypatch):
    X, _ = blobs
    snapshots = []
    original = AdversarialPenalty.discriminator_loss

    def recording(self, z):
        snapshots.append(self.discriminator.linears[0].weight.detach().clone())
        return original(self, z)

    monkeypatch.setattr(AdversarialPenalty, "discriminator_loss", recording)
    make_tiny(WECGAN, max_epochs=2).fit(X)
    assert len(snapshots) == 2 * 3  # one discriminator step per mini-batch
    assert not torch.equal(snapshots[0], snapshots[-1])


@pytest.mark.parametrize("bad", [(0.5,), (0.5, 1.5), ("a", 0.9)])
def test_wecgan_rejects_bad_discriminator_betas(bad, blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="discriminator_betas"):
        make_tiny(WECGAN, discriminator_betas=bad).fit(X)


@pytest.mark.parametrize("params", [{"sigma_z": 0.0}, {"beta": -1.0}, {"kernel": "linear"}])
def test_wecmmd_rejects_bad_parameters(params, blobs):
    X, _ = blobs
    with pytest.raises(ValueError):
        make_tiny(WECMMD, **params).fit(X)


@pytest.mark.parametrize("cls", [WECMMD, WECGAN])
def test_sample_decodes_prior_draws(cls, blobs):
    X, _ = blobs
    model = make_tiny(cls).fit(X)
    samples = model.sample(5)
    assert samples.shape == (5, X.shape[1]) and samples.dtype == np.float32
    np.testing.assert_array_equal(samples, model.sample(5))  # int random_state
    state = torch.random.get_rng_state()
    model.sample(3)
    assert torch.equal(state, torch.random.get_rng_state())


def test_sample_with_bce_lies_in_unit_interval(blobs):
    X, _ = blobs
    X = (X - X.min(0)) / (X.max(0) - X.min(0))
    samples = make_tiny(WECMMD, reconstruction="bce").fit(X).sample(50)
    assert samples.min() >= 0 and samples.max() <= 1


def test_sample_errors():
    with pytest.raises(NotFittedError):
        WECMMD().sample(2)


@pytest.mark.parametrize("n_samples, error", [(0, ValueError), (2.5, TypeError)])
def test_sample_rejects_bad_n_samples(n_samples, error, blobs):
    X, _ = blobs
    model = make_tiny(WECMMD).fit(X)
    with pytest.raises(error, match="n_samples"):
        model.sample(n_samples)


def test_wec_without_penalty_is_idec_with_other_defaults(blobs):
    # beta=0: Eq. (9) reduces to IDEC's Eq. (3); with the same schedule the fits coincide.
    X, _ = blobs
    shared = dict(hidden_dims=(16,), latent_dim=2, pretrain_epochs=3, max_epochs=3, tol=0.0,
                  update_interval=2)
    wec = make_tiny(WECMMD, beta=0.0, gamma=0.1, n_init=20, **shared).fit(X)
    idec = make_tiny(IDEC, gamma=0.1, pretrain="end_to_end", **shared).fit(X)
    np.testing.assert_allclose(wec.transform(X), idec.transform(X), rtol=1e-5, atol=1e-5)


def test_sample_uses_the_fitted_prior_not_a_later_parameter(blobs):
    X, _ = blobs
    model = make_tiny(WECMMD).fit(X)
    before = model.sample(4)
    np.testing.assert_array_equal(model.set_params(sigma_z=100.0).sample(4), before)


def test_label_changes_are_plain_floats_after_fit(blobs):
    # Without tol the fractions stay on the device during training; fit hands back floats.
    X, _ = blobs
    model = make_tiny(WECMMD, max_epochs=4, update_interval=5, tol=0.0).fit(X)
    changes = dict(model.net_.callbacks_)["target_refresh"].label_change_
    assert len(changes) == 2 and all(type(c) is float and 0.0 <= c <= 1.0 for c in changes)

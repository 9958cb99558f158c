"""Modules and losses against direct evaluations of their formulas."""

import numpy as np
import pytest
import torch
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

from skdeepcluster._training._cluster_init import fit_latent_clusterer, initial_mixture
from skdeepcluster.losses import (
    dec_kl_divergence,
    reconstruction_loss,
    reconstruction_output,
    target_distribution,
)
from skdeepcluster.nn import (
    Autoencoder,
    ClusteringAutoencoder,
    ConvDecoder,
    ConvEncoder,
    StudentTAssignment,
    mlp_decoder,
    mlp_encoder,
    student_t_assignment,
)


def test_student_t_matches_formula():
    rng = np.random.RandomState(0)
    z, mu = rng.randn(6, 3), rng.randn(4, 3)
    alpha = 1.5
    kernel = (1 + ((z[:, None] - mu[None]) ** 2).sum(-1) / alpha) ** (-(alpha + 1) / 2)
    expected = kernel / kernel.sum(1, keepdims=True)
    got = student_t_assignment(torch.tensor(z), torch.tensor(mu), alpha).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_student_t_far_points_do_not_underflow():
    z = torch.tensor([[1e4, 1e4]], dtype=torch.float32)
    q = student_t_assignment(z, torch.tensor([[0.0, 0.0], [1.0, 1.0]]))
    assert torch.isfinite(q).all() and q.sum().item() == pytest.approx(1.0)


def test_target_distribution_matches_formula():
    q = torch.softmax(torch.randn(8, 3, dtype=torch.float64), dim=1)
    weight = q**2 / q.sum(0)
    expected = weight / weight.sum(1, keepdim=True)
    torch.testing.assert_close(target_distribution(q), expected)


def test_target_distribution_sharpens():
    q = torch.tensor([[0.6, 0.4], [0.4, 0.6]], dtype=torch.float64)
    p = target_distribution(q)
    assert p[0, 0] > q[0, 0] and p[1, 1] > q[1, 1]


def test_kl_divergence_known_values():
    p = torch.tensor([[0.5, 0.5], [1.0, 0.0]], dtype=torch.float64)
    q = torch.tensor([[0.25, 0.75], [0.5, 0.5]], dtype=torch.float64)
    expected = ((0.5 * np.log(2) + 0.5 * np.log(0.5 / 0.75)) + np.log(2)) / 2
    assert dec_kl_divergence(p, q).item() == pytest.approx(expected)
    assert dec_kl_divergence(q, q).item() == pytest.approx(0.0, abs=1e-12)


def test_reconstruction_losses():
    x = torch.rand(5, 4, dtype=torch.float64)
    logits = torch.randn(5, 4, dtype=torch.float64)
    assert reconstruction_loss(x, x, "mse").item() == 0.0
    p = torch.sigmoid(logits)
    expected = -(x * p.log() + (1 - x) * (1 - p).log()).mean()
    torch.testing.assert_close(reconstruction_loss(logits, x, "bce"), expected)
    torch.testing.assert_close(reconstruction_output(logits, "bce"), p)
    with pytest.raises(ValueError, match="mse"):
        reconstruction_loss(x, x, "l1")


def test_mlp_autoencoder_shapes_and_relu_placement():
    encoder = mlp_encoder(7, (5, 4), 2)
    decoder = mlp_decoder(2, (5, 4), 7)
    assert [m.out_features for m in encoder.linears] == [5, 4, 2]
    assert [m.out_features for m in decoder.linears] == [4, 5, 7]
    z, x_hat = Autoencoder(encoder, decoder)(torch.randn(3, 7))
    assert z.shape == (3, 2) and x_hat.shape == (3, 7)
    assert [encoder.activated(i) for i in range(3)] == [True, True, False]
    assert [decoder.activated(i) for i in range(3)] == [True, True, False]
    with torch.no_grad():
        encoder.linears[-1].bias.fill_(-100.0)
    assert (encoder(torch.randn(3, 7)) < 0).all(), "the embedding layer must be linear"


@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32), (1, 16, 15)])
def test_conv_autoencoder_round_trips_shapes(shape):
    encoder = ConvEncoder(shape, (8, 16), latent_dim=5)
    decoder = ConvDecoder(encoder)
    x = torch.rand(2, int(np.prod(shape)))
    z, x_hat = Autoencoder(encoder, decoder)(x)
    assert z.shape == (2, 5) and x_hat.shape == x.shape


def test_clustering_autoencoder_gradients_reach_encoder_and_centroids():
    autoencoder = Autoencoder(mlp_encoder(6, (5,), 2), mlp_decoder(2, (5,), 6))
    assignment = StudentTAssignment(3, 2)
    with torch.no_grad():
        assignment.centers.copy_(torch.randn(3, 2))
    model = ClusteringAutoencoder(autoencoder, assignment, decode=False)
    q, x_hat, _ = model(torch.randn(10, 6))
    assert x_hat is None
    dec_kl_divergence(target_distribution(q).detach(), q).backward()
    assert assignment.centers.grad.abs().sum() > 0
    assert autoencoder.encoder.linears[0].weight.grad.abs().sum() > 0
    assert autoencoder.decoder.linears[0].weight.grad is None


def test_soft_assignment_equals_forward_without_running_the_decoder():
    torch.manual_seed(0)
    autoencoder = Autoencoder(mlp_encoder(6, (5,), 2), mlp_decoder(2, (5,), 6))
    model = ClusteringAutoencoder(autoencoder, StudentTAssignment(3, 2), decode=True)
    decoder_calls = []
    autoencoder.decoder.register_forward_hook(lambda *args: decoder_calls.append(1))
    x = torch.randn(10, 6)
    q = model.soft_assignment(x)
    assert decoder_calls == []
    torch.testing.assert_close(q, model(x)[0])
    assert decoder_calls == [1]


def test_mlp_layers_start_glorot_uniform_with_zero_bias():
    torch.manual_seed(0)
    stack = mlp_encoder(300, (200,), 10)
    for linear in stack.linears:
        fan_out, fan_in = linear.weight.shape
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        assert linear.weight.abs().max().item() <= bound
        assert linear.weight.abs().max().item() > 0.95 * bound  # uniform over the full range
        assert torch.count_nonzero(linear.bias) == 0


@pytest.mark.parametrize("offset", [0.0, 1e3])
def test_latent_mixture_does_not_depend_on_where_the_embedding_lies(offset):
    rng = np.random.RandomState(0)
    Z = np.concatenate([rng.normal(0, 0.1, (50, 2)), rng.normal(3, 0.1, (50, 2))])
    reference = fit_latent_clusterer(Z, 2, method="gmm", seed=0, n_init=1)
    shifted = fit_latent_clusterer((Z + offset).astype(np.float32), 2, method="gmm", seed=0,
                                   n_init=1)
    np.testing.assert_allclose(shifted.means_, reference.means_ + offset, rtol=1e-6, atol=1e-3)
    np.testing.assert_allclose(shifted.covariances_, reference.covariances_, rtol=1e-2)
    np.testing.assert_array_equal(shifted.predict(Z + offset), reference.predict(Z))


def test_latent_mixture_is_one_em_run_from_kmeans_centres_as_in_vades_code():
    # VaDE's code: the former mixture.GMM's defaults (KMeans means, uniform weights, every
    # component with the data's variances, EM <= 100 iterations to a 1e-3 change).
    rng = np.random.RandomState(0)
    Z = np.concatenate([rng.normal(c, s, (60, 3)) for c, s in [(0, 1.0), (4, 0.3), (9, 2.0)]])
    mixture = fit_latent_clusterer(Z, 3, method="gmm", seed=7, n_init=4)
    centred = Z - Z.mean(axis=0)
    kmeans = KMeans(3, n_init=4, random_state=7).fit(centred)
    expected = GaussianMixture(
        3, covariance_type="diag", reg_covar=1e-5, max_iter=100, tol=1e-3,
        weights_init=np.full(3, 1 / 3), means_init=kmeans.cluster_centers_,
        precisions_init=np.tile(1 / (centred.var(axis=0) + 1e-5), (3, 1)),
    ).fit(centred)
    np.testing.assert_allclose(mixture.means_, expected.means_ + Z.mean(axis=0))
    np.testing.assert_allclose(mixture.weights_, expected.weights_)
    assert mixture.n_iter_ == expected.n_iter_ > 1


def test_latent_mixture_of_a_constant_embedding_far_from_the_origin():
    Z = np.full((20, 3), 50.0, dtype=np.float32)  # E[z^2] - E[z]^2 < 0 in float32
    weights, means, variances, labels = initial_mixture(Z, 2, method="gmm", seed=0, n_init=1)
    assert np.all(variances > 0) and np.all(np.isfinite(means))
    np.testing.assert_allclose(means, 50.0)
    assert labels.shape == (20,)

"""DVAE: the similarity loss against direct evaluations, and the estimator."""

import warnings

import numpy as np
import pytest
import torch
from scipy.linalg import sqrtm

from skdeepcluster import DGG, DVAE
from skdeepcluster.losses import diagonal_gaussian_w2_squared, similarity_loss, transition_weights
from skdeepcluster.methods._gmvae import MIN_CLASSIFIER_STEPS
from skdeepcluster.metrics import clustering_accuracy
from skdeepcluster.nn import cluster_classifier

from ._configs import make_tiny


def test_w2_closed_form_matches_the_general_formula():
    # Eq. (3.11) with full matrices against the diagonal closed form of Eq. (3.13).
    rng = np.random.RandomState(0)
    mu, logvar = rng.randn(4, 3), rng.randn(4, 3)
    got = diagonal_gaussian_w2_squared(torch.tensor(mu), torch.tensor(logvar)).numpy()
    for i in range(4):
        for j in range(4):
            s1, s2 = np.diag(np.exp(logvar[i])), np.diag(np.exp(logvar[j]))
            root = sqrtm(sqrtm(s1) @ s2 @ sqrtm(s1)).real
            expected = np.sum((mu[i] - mu[j]) ** 2) + np.trace(s1 + s2 - 2 * root)
            assert got[i, j] == pytest.approx(expected, abs=1e-9)


def test_transition_weights_are_symmetric_and_follow_eq_3_8():
    gamma = torch.softmax(torch.randn(6, 3, dtype=torch.float64), dim=1)
    W = transition_weights(gamma)
    expected = np.einsum("ik,jk->ij", gamma.numpy() / gamma.numpy().sum(0), gamma.numpy())
    np.testing.assert_allclose(W.numpy(), expected, rtol=1e-12)
    # Column sums: sum_i w_ij = sum_k gamma_jk = 1.
    np.testing.assert_allclose(W.sum(0).numpy(), 1.0, rtol=1e-12)


def test_similarity_loss_is_eq_3_9_times_the_batch_size():
    rng = np.random.RandomState(1)
    mu, logvar = rng.randn(5, 2), rng.randn(5, 2)
    gamma = rng.dirichlet(np.ones(3), size=5)
    sigma = np.exp(0.5 * logvar)
    d = ((mu[:, None] - mu[None]) ** 2).sum(-1) + ((sigma[:, None] - sigma[None]) ** 2).sum(-1)
    Q = 1 / (1 + d)
    w = np.einsum("ik,jk->ij", gamma / gamma.sum(0), gamma)
    eq_3_9 = -np.sum(w * np.log(np.exp(Q) / Q.sum(1, keepdims=True))) / 5**2
    expected = 5 * eq_3_9
    got = similarity_loss(*map(torch.tensor, (mu, logvar, gamma))).item()
    assert got == pytest.approx(expected, rel=1e-10)


def test_similarity_loss_rewards_close_posteriors_within_a_cluster():
    gamma = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], dtype=torch.float64)
    logvar = torch.zeros(4, 2, dtype=torch.float64)
    together = torch.tensor([[0, 0], [0, 0.1], [5, 5], [5, 5.1]], dtype=torch.float64)
    mixed = torch.tensor([[0, 0], [5, 5], [0, 0.1], [5, 5.1]], dtype=torch.float64)
    assert similarity_loss(together, logvar, gamma) < similarity_loss(mixed, logvar, gamma)


@pytest.mark.parametrize("depth, shapes", [(1, [(4, 10)]), (2, [(4, 10), (4, 4)])])
def test_classifier_shapes(depth, shapes):
    classifier = cluster_classifier(10, 4, depth)
    assert [tuple(layer.weight.shape) for layer in classifier.linears] == shapes


def test_dvae_defaults_follow_the_paper():
    model = DVAE()
    assert (model.batch_size, model.lr, model.lr_decay, model.lr_decay_epochs) == (
        300, 2e-3, 0.9, 10
    )
    assert model.warmup_epochs == 50 and model.init == "kmeans"


def test_dvae_warmup_and_posterior_from_the_classifier(blobs):
    X, y = blobs
    model = make_tiny(DVAE, hidden_dims=(32,), pretrain_epochs=30, max_epochs=4,
                      warmup_epochs=2, beta=0.5).fit(X)
    rows = model.history_["elbo"]
    assert ["train_similarity" in row for row in rows] == [False, False, True, True]
    last = rows[-1]
    assert last["train_loss"] == pytest.approx(
        last["train_reconstruction"] + last["train_prior"] + 0.5 * last["train_similarity"],
        rel=1e-5,
    )
    assert list(model.history_) == ["pretrain", "classifier", "elbo"]
    assert clustering_accuracy(y, model.labels_) > 0.9
    module = model.net_.module_
    with torch.no_grad():
        Z = torch.as_tensor(model.transform(X))
        expected = torch.softmax(module.classifier(Z), dim=1).numpy()
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("warmup_epochs, beta, warns", [(2, 1.0, True), (3, 1.0, True),
                                                        (1, 1.0, False), (2, 0.0, False)])
def test_dvae_warns_when_the_warmup_outlasts_training(blobs, warmup_epochs, beta, warns):
    X, _ = blobs
    model = make_tiny(DVAE, max_epochs=2, warmup_epochs=warmup_epochs, beta=beta)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X)
    never_applied = [w for w in caught if "similarity loss is never applied" in str(w.message)]
    assert len(never_applied) == int(warns)
    if warns:
        assert never_applied[0].category is UserWarning
        assert never_applied[0].filename == __file__


@pytest.mark.parametrize(
    "latent_dim, n_layers",
    [(4, 2), (3, 1), (2, 2)],  # 3 clusters: fewer than, as many as, more than latent_dim
)
def test_dvae_classifier_depth_is_one_layer_only_with_as_many_clusters_as_latent_dims(
    blobs, latent_dim, n_layers
):
    X, _ = blobs
    model = make_tiny(DVAE, latent_dim=latent_dim).fit(X)
    assert len(model.net_.module_.classifier.linears) == n_layers


def test_dvae_classifier_learns_the_pseudo_labels(blobs):
    X, _ = blobs
    model = make_tiny(DVAE, hidden_dims=(32,), pretrain_epochs=30, classifier_epochs=30).fit(X)
    history = model.history_["classifier"]
    assert history[-1, "train_loss"] < 0.5 * history[0, "train_loss"]


@pytest.mark.parametrize("cls", [DVAE, DGG])
def test_classifier_training_takes_at_least_min_steps(cls, blobs):
    # One mini-batch per epoch: 30 epochs would be 30 steps, too few to fit the pseudo-labels.
    X, _ = blobs
    model = make_tiny(cls, batch_size=len(X), classifier_epochs=30, max_epochs=1).fit(X)
    assert len(model.history_["classifier"]) == MIN_CLASSIFIER_STEPS
    # Where an epoch already has enough steps, classifier_epochs is kept as given.
    model = make_tiny(cls, batch_size=4, classifier_epochs=20, max_epochs=1).fit(X[:72])
    assert len(model.history_["classifier"]) == 20  # 18 steps per epoch


def test_dvae_is_seeded(blobs):
    X, _ = blobs
    first = make_tiny(DVAE, warmup_epochs=1, max_epochs=3).fit(X)
    second = make_tiny(DVAE, warmup_epochs=1, max_epochs=3).fit(X)
    np.testing.assert_array_equal(first.transform(X), second.transform(X))
    np.testing.assert_array_equal(first.labels_, second.labels_)

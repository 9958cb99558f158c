"""The mixture-of-Gaussians VAE pieces against direct evaluations, and the VaDE estimator."""

import warnings

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback
from scipy.stats import norm
from sklearn.mixture import GaussianMixture

from skdeepcluster import DGG, DVAE, VaDE
from skdeepcluster.losses import gaussian_mixture_kl, negative_log_likelihood
from skdeepcluster.methods import _gmvae as gmvae
from skdeepcluster.methods._gmvae import initial_posterior_logvar
from skdeepcluster.metrics import clustering_accuracy
from skdeepcluster.nn import GaussianEncoder, GaussianMixturePrior, mlp_encoder, reparameterize

from ._configs import make_tiny


def _random_terms(seed=0, n=5, K=3, M=4):
    rng = np.random.RandomState(seed)
    mu, logvar = rng.randn(n, M), rng.randn(n, M)
    gamma = rng.dirichlet(np.ones(K), size=n)
    weights = rng.dirichlet(np.ones(K))
    means, variances = rng.randn(K, M), rng.uniform(0.2, 3.0, size=(K, M))
    return mu, logvar, gamma, weights, means, variances


def test_prior_terms_equal_expected_gaussian_kl_plus_categorical_kl():
    # An independent derivation: E_gamma[KL(q(z|x) || p(z|c))] + KL(gamma || pi).
    mu, logvar, gamma, weights, means, variances = _random_terms()
    expected = np.zeros(len(mu))
    for i in range(len(mu)):
        for k in range(len(weights)):
            kl_gauss = 0.5 * np.sum(
                np.log(variances[k]) - logvar[i] + np.exp(logvar[i]) / variances[k]
                + (mu[i] - means[k]) ** 2 / variances[k] - 1
            )
            expected[i] += gamma[i, k] * (kl_gauss + np.log(gamma[i, k] / weights[k]))
    got = gaussian_mixture_kl(*map(torch.tensor, (mu, logvar, gamma)),
                              torch.tensor(np.log(weights)), torch.tensor(means),
                              torch.tensor(variances))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-9)


def test_prior_terms_match_a_monte_carlo_estimate():
    # -ELBO prior part = E_q(z|x)[ sum_c gamma log(gamma / pi p(z|c)) ] + E_q[log q(z|x)].
    mu, logvar, gamma, weights, means, variances = _random_terms(1, n=1)
    rng = np.random.RandomState(0)
    z = mu[0] + np.exp(0.5 * logvar[0]) * rng.randn(400_000, mu.shape[1])
    log_q = norm.logpdf(z, mu[0], np.exp(0.5 * logvar[0])).sum(1)
    log_p = np.stack([norm.logpdf(z, means[k], np.sqrt(variances[k])).sum(1)
                      for k in range(len(weights))], axis=1)
    g = gamma[0]
    estimate = np.mean(log_q - (g * (np.log(weights) + log_p - np.log(g))).sum(1))
    got = gaussian_mixture_kl(*map(torch.tensor, (mu, logvar, gamma)),
                              torch.tensor(np.log(weights)), torch.tensor(means),
                              torch.tensor(variances)).item()
    assert got == pytest.approx(estimate, abs=0.02)


def test_negative_log_likelihoods():
    rng = np.random.RandomState(0)
    x, logits = rng.uniform(size=(4, 6)), rng.randn(4, 6)
    p = 1 / (1 + np.exp(-logits))
    bernoulli = -(x * np.log(p) + (1 - x) * np.log(1 - p)).sum(1)
    got = negative_log_likelihood(torch.tensor(logits), torch.tensor(x), "bernoulli")
    np.testing.assert_allclose(got.numpy(), bernoulli, rtol=1e-9)
    gaussian = -norm.logpdf(x, logits, np.sqrt(0.3)).sum(1)
    got = negative_log_likelihood(torch.tensor(logits), torch.tensor(x), "gaussian", 0.3)
    np.testing.assert_allclose(got.numpy(), gaussian, rtol=1e-9)
    with pytest.raises(ValueError, match="likelihood"):
        negative_log_likelihood(torch.tensor(logits), torch.tensor(x), "poisson")


def test_responsibilities_match_scikit_learn_mixture():
    rng = np.random.RandomState(0)
    Z = np.concatenate([rng.randn(100, 2), rng.randn(100, 2) + 4, rng.randn(50, 2) * 0.5 - 3])
    mixture = GaussianMixture(3, covariance_type="diag", random_state=0).fit(Z)
    prior = GaussianMixturePrior(3, 2).double()
    prior.set_from_mixture(mixture.weights_, mixture.means_, mixture.covariances_)
    gamma = prior.responsibilities(torch.tensor(Z)).detach()
    np.testing.assert_allclose(gamma.sum(1).numpy(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(gamma.numpy(), mixture.predict_proba(Z), atol=1e-6)


def test_no_nan_for_extreme_log_variances():
    prior = GaussianMixturePrior(3, 2)
    with torch.no_grad():
        prior.log_variances.copy_(torch.tensor([[-80.0, -80.0], [0.0, 0.0], [40.0, 40.0]]))
        prior.pi_logits.copy_(torch.tensor([-60.0, 0.0, 60.0]))
    mu = torch.tensor([[0.0, 0.0], [1e3, -1e3]], requires_grad=True)
    logvar = torch.tensor([[-30.0, 30.0], [20.0, -20.0]], requires_grad=True)
    z = reparameterize(mu, logvar)
    gamma = prior.responsibilities(z)
    loss = gaussian_mixture_kl(mu, logvar, gamma, prior.log_weights, prior.means,
                               prior.variances).sum()
    loss.backward()
    assert torch.isfinite(gamma).all() and torch.isfinite(loss)
    for tensor in (mu.grad, logvar.grad, prior.log_variances.grad, prior.means.grad):
        assert torch.isfinite(tensor).all()


def test_prior_sampling_follows_the_components():
    prior = GaussianMixturePrior(2, 1)
    prior.set_from_mixture([0.25, 0.75], [[-5.0], [5.0]], [[0.25], [1.0]])
    z, c = prior.sample(20_000, generator=torch.Generator().manual_seed(0))
    c, z = c.numpy(), z.detach().numpy()[:, 0]
    assert np.mean(c == 1) == pytest.approx(0.75, abs=0.02)
    assert z[c == 0].std() == pytest.approx(0.5, rel=0.05)
    assert z[c == 1].mean() == pytest.approx(5.0, abs=0.05)
    z, c = prior.sample(10, cluster=0)
    assert (c == 0).all()


def test_gaussian_encoder_keeps_the_pretrained_mean():
    stack = mlp_encoder(6, (8,), 2)
    encoder = GaussianEncoder(stack)
    x = torch.randn(5, 6)
    mu, logvar = encoder(x)
    torch.testing.assert_close(mu, stack(x))
    torch.testing.assert_close(logvar, torch.zeros(5, 2))


def test_gaussian_encoder_starts_at_a_per_dimension_variance():
    encoder = GaussianEncoder(mlp_encoder(6, (8,), 2), initial_logvar=np.array([-3.0, 0.5]))
    _, logvar = encoder(torch.randn(4, 6))
    torch.testing.assert_close(logvar, torch.tensor([[-3.0, 0.5]]).expand(4, 2))


def test_initial_posterior_variance_follows_tight_components_and_is_at_most_one():
    variances = [[0.01, 4.0, 0.5], [0.03, 2.0, 3.0]]
    np.testing.assert_allclose(
        initial_posterior_logvar(variances), [np.log(0.02), 0.0, 0.0]
    )


# One epoch of a tiny net on shrunken blobs can merge clusters; only the wiring is checked here.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_mixture_vaes_start_the_posterior_at_the_initial_components_scale(
    blobs, monkeypatch
):
    captured = {}

    def spy(variances):
        captured["variances"] = np.asarray(variances)
        captured["logvar"] = initial_posterior_logvar(variances)
        return captured["logvar"]

    monkeypatch.setattr(gmvae, "initial_posterior_logvar", spy)
    X, _ = blobs
    # Shrinking the data shrinks the embedding and its clusters, to variances far below 1.
    model = make_tiny(VaDE, max_epochs=1, likelihood_variance=1e-6).fit(X * 1e-3)
    assert (captured["variances"].mean(0) < 1).all()
    assert (captured["logvar"] < 0).all()
    trained = model.net_.module_.encoder.logvar_head.bias.detach().numpy()
    np.testing.assert_allclose(trained, captured["logvar"], atol=0.05)  # one epoch of Adam


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("cls", [VaDE, DVAE, DGG])
def test_vae_pretraining_trains_the_autoencoder_against_a_frozen_standard_normal(
    cls, blobs, monkeypatch
):
    fitted = []
    original = gmvae.MixtureVAEClustering._pretrain_as_vae

    def spy(self, autoencoder, X, config, history):
        encoder = original(self, autoencoder, X, config, history)
        fitted.append((autoencoder, encoder))
        return encoder

    monkeypatch.setattr(gmvae.MixtureVAEClustering, "_pretrain_as_vae", spy)
    X, _ = blobs
    plain = make_tiny(cls, max_epochs=1).fit(X)
    assert "vae" not in plain.history_ and not fitted
    model = make_tiny(cls, max_epochs=1, vae_pretrain_epochs=4).fit(X)
    assert list(model.history_)[:2] == ["pretrain", "vae"] and len(model.history_["vae"]) == 4
    assert {"train_reconstruction", "train_prior"} <= set(model.history_["vae"][-1])
    autoencoder, encoder = fitted[0]
    # The ELBO phase continues from the VAE-trained encoder, not from a fresh posterior head.
    assert model.net_.module_.encoder is encoder
    assert model.net_.module_.encoder.stack is autoencoder.encoder
    vae = model.history_["vae"]
    assert vae[-1]["train_prior"] < vae[0]["train_prior"]  # codes are pulled towards N(0, I)


def test_standard_normal_prior_of_the_vae_stage_stays_frozen(blobs, monkeypatch):
    priors = []
    original = gmvae.GaussianMixtureVAE.__init__

    def spy(self, encoder, decoder, prior, classifier=None):
        original(self, encoder, decoder, prior, classifier)
        priors.append(prior)

    monkeypatch.setattr(gmvae.GaussianMixtureVAE, "__init__", spy)
    X, _ = blobs
    make_tiny(VaDE, max_epochs=1, vae_pretrain_epochs=3).fit(X)
    standard_normal = priors[0]
    assert not any(p.requires_grad for p in standard_normal.parameters())
    assert standard_normal.log_weights.exp().item() == pytest.approx(1.0)
    np.testing.assert_array_equal(standard_normal.means.numpy(), 0.0)
    np.testing.assert_allclose(standard_normal.variances.numpy(), 1.0, atol=1e-5)


# ------------------------------------------------------------------------------ estimator
def test_vade_defaults_follow_the_paper():
    model = VaDE()
    assert (model.batch_size, model.lr, model.lr_decay, model.lr_decay_epochs) == (
        100, 2e-3, 0.9, 10
    )
    assert model.hidden_dims == (500, 500, 2000) and model.latent_dim == 10


def test_vade_recovers_blobs_and_exposes_the_mixture(blobs):
    X, y = blobs
    model = make_tiny(VaDE, hidden_dims=(32,), pretrain_epochs=30, max_epochs=10).fit(X)
    assert clustering_accuracy(y, model.labels_) > 0.9
    assert model.likelihood_ == "gaussian"  # blobs are not in [0, 1]
    assert model.weights_.sum() == pytest.approx(1.0, abs=1e-5)
    assert model.covariances_.shape == model.cluster_centers_.shape == (3, 2)
    np.testing.assert_allclose(model.predict_proba(X).sum(1), 1.0, rtol=1e-6)
    with torch.no_grad():
        mu = model.net_.module_.encoder(torch.as_tensor(X, dtype=torch.float32))[0]
    np.testing.assert_allclose(model.transform(X), mu.numpy(), rtol=1e-5, atol=1e-6)


def test_vade_likelihood_auto_and_bernoulli_range(blobs):
    X, _ = blobs
    X01 = (X - X.min(0)) / (X.max(0) - X.min(0))
    assert make_tiny(VaDE).fit(X01).likelihood_ == "bernoulli"
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        make_tiny(VaDE, likelihood="bernoulli").fit(X)
    assert make_tiny(VaDE, likelihood="gaussian").fit(X01).likelihood_ == "gaussian"


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("cls", [VaDE, DVAE, DGG])
def test_pretrain_loss_auto_matches_the_likelihood_and_an_explicit_loss_overrides_it(
    cls, blobs, monkeypatch
):
    X, _ = blobs
    X01 = (X - X.min(0)) / (X.max(0) - X.min(0))
    used = []
    original = gmvae.build_and_pretrain

    def recording(*args, reconstruction, **kwargs):
        used.append(reconstruction)
        return original(*args, reconstruction=reconstruction, **kwargs)

    monkeypatch.setattr(gmvae, "build_and_pretrain", recording)
    fits = {
        (likelihood, loss): make_tiny(cls, likelihood=likelihood, pretrain_loss=loss).fit(X01)
        for likelihood, loss in [("bernoulli", "auto"), ("gaussian", "auto"),
                                 ("bernoulli", "mse"), ("bernoulli", "bce")]
    }
    assert used == ["bce", "mse", "mse", "bce"]
    # The likelihood, and with it how the decoder's output is read, is not the pretraining's.
    assert fits["bernoulli", "mse"].likelihood_ == "bernoulli"
    np.testing.assert_array_equal(
        fits["bernoulli", "bce"].labels_, fits["bernoulli", "auto"].labels_
    )
    assert not np.array_equal(
        fits["bernoulli", "mse"].transform(X01), fits["bernoulli", "auto"].transform(X01)
    )
    X_new, _ = fits["bernoulli", "mse"].sample(20)
    assert X_new.min() >= 0 and X_new.max() <= 1  # Bernoulli means, whatever the pretraining


@pytest.mark.parametrize("cls", [VaDE, DVAE, DGG])
def test_cross_entropy_pretraining_needs_the_unit_interval(cls, blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match=r"pretrain_loss='bce' needs X in \[0, 1\]"):
        make_tiny(cls, likelihood="gaussian", pretrain_loss="bce").fit(X)


@pytest.mark.parametrize("cls", [VaDE, DVAE, DGG])
@pytest.mark.parametrize("factor", [100.0, 0.01])
def test_gaussian_likelihood_warns_when_features_are_off_its_scale(cls, blobs, factor):
    # Unstandardized features (wine's proline has std ~300) overflow or dominate the
    # reconstruction term; features far below sqrt(lambda) let the posterior collapse.
    X, _ = blobs
    with pytest.warns(UserWarning, match=r"Standardize X .*" + cls.__name__):
        make_tiny(cls, max_epochs=1).fit(X * factor)
    # On the likelihood's scale, by data or by likelihood_variance, nothing is said.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*Standardize X")
        make_tiny(cls, max_epochs=1, likelihood_variance=factor**2).fit(X * factor)
        make_tiny(cls, max_epochs=1).fit(X)


def test_vade_is_seeded_and_decays_the_learning_rate(blobs):
    X, _ = blobs
    params = dict(max_epochs=3, lr_decay_epochs=1, lr_decay=0.5, lr_warmup_steps=0)
    first = make_tiny(VaDE, **params).fit(X)
    second = make_tiny(VaDE, **params).fit(X)
    np.testing.assert_array_equal(first.transform(X), second.transform(X))
    lr = first.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(first.lr * 0.5**3)
    last = first.history_["elbo"][-1]
    assert last["train_loss"] == pytest.approx(
        last["train_reconstruction"] + last["train_prior"], rel=1e-5
    )


@pytest.mark.parametrize("cls", [VaDE, DVAE, DGG])
def test_the_elbo_phase_warms_the_learning_rate_up_per_step(cls, blobs):
    # blobs: 90 samples in batches of 16, 6 steps per epoch; 8 warm-up steps end in epoch 2,
    # the decay halves the rate after epoch 3 (step 18).
    X, _ = blobs
    rates = []

    class RecordRate(Callback):
        def on_batch_begin(self, net, training=False, **kwargs):
            if training and hasattr(net.module_, "prior"):
                rates.append(net.optimizer_.param_groups[0]["lr"])

    model = make_tiny(
        cls, batch_size=16, max_epochs=4, lr=1e-3, lr_warmup_steps=8, lr_decay=0.5,
        lr_decay_epochs=3, callbacks=[RecordRate()],
    ).fit(X)
    expected = [1e-3 * min(1, step / 8) * 0.5 ** ((step - 1) // 18) for step in range(1, 25)]
    np.testing.assert_allclose(rates, expected, rtol=1e-6)
    assert model.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.5)


def test_vade_sample(blobs):
    X, _ = blobs
    model = make_tiny(VaDE).fit(X)
    X_new, y_new = model.sample(7)
    assert X_new.shape == (7, X.shape[1]) and y_new.shape == (7,)
    np.testing.assert_array_equal(X_new, model.sample(7)[0])
    assert (model.sample(5, cluster=1)[1] == 1).all()
    with pytest.raises(ValueError, match="cluster"):
        model.sample(2, cluster=3)
    with pytest.raises(ValueError, match="n_samples"):
        model.sample(0)


@pytest.mark.parametrize(
    "params", [dict(likelihood="poisson"), dict(init="random"), dict(lr_decay=0.0),
               dict(lr_decay_epochs=0), dict(lr_warmup_steps=-1), dict(likelihood_variance=0.0),
               dict(pretrain="greedy"), dict(vae_pretrain_epochs=-1),
               dict(pretrain_loss="l1")],
)
def test_vade_rejects_bad_parameters(params, blobs):
    from sklearn.utils._param_validation import InvalidParameterError

    X, _ = blobs
    with pytest.raises(InvalidParameterError):
        make_tiny(VaDE, **params).fit(X)


def test_kmeans_initialisation_of_the_prior(blobs):
    X, y = blobs
    model = make_tiny(VaDE, init="kmeans", hidden_dims=(32,), pretrain_epochs=30,
                      max_epochs=5).fit(X)
    assert clustering_accuracy(y, model.labels_) > 0.9

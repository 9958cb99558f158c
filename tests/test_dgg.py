"""DGG: the kNN graph, the graph-embedding objective and pi update against direct evaluations,
the tuple batches, and the estimator."""

import numpy as np
import pytest
import torch
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import InvalidParameterError

from skdeepcluster import DGG, VaDE
from skdeepcluster.losses import gaussian_mixture_kl, negative_log_likelihood
from skdeepcluster.metrics import clustering_accuracy
from skdeepcluster.neighbors import affinity_graph, gaussian_affinity_weights, nearest_neighbors
from skdeepcluster.nn import GMVAEOutput
from skdeepcluster._training._callbacks import SampleMixtureWeightsUpdate
from skdeepcluster._training._criteria import GraphEmbeddingELBOCriterion
from skdeepcluster._training._data import DeviceBatchIterator, DeviceDataset
from skdeepcluster._training._siamese import ContrastiveCriterion

from ._configs import make_tiny


# ------------------------------------------------------------------------------- the graph
def test_nearest_neighbors_match_scikit_learn_and_exclude_the_sample():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 5)
    distances, indices = nearest_neighbors(torch.tensor(X), 7, chunk_rows=64)
    expected_distances, expected_indices = (
        NearestNeighbors(n_neighbors=7).fit(X).kneighbors(X, n_neighbors=8)
    )
    np.testing.assert_array_equal(indices.numpy(), expected_indices[:, 1:])
    np.testing.assert_allclose(distances.numpy(), expected_distances[:, 1:], rtol=1e-7)
    assert not (indices.numpy() == np.arange(300)[:, None]).any()


def test_nearest_neighbors_rejects_too_many_neighbours():
    with pytest.raises(ValueError, match="n_neighbors"):
        nearest_neighbors(torch.randn(5, 2), 5)


def test_affinity_rows_sum_to_one_and_follow_eq_32():
    rng = np.random.RandomState(1)
    X = torch.tensor(rng.randn(100, 3))
    graph = affinity_graph(X, 6)
    weights = graph.weights.numpy()
    np.testing.assert_allclose(weights.sum(1), 1.0, rtol=1e-12)
    assert (weights > 0).all()
    # Eq. (32) with s_i the (lower) median neighbour distance, by hand for one row.
    distances = np.linalg.norm(X.numpy()[graph.indices[0].numpy()] - X.numpy()[0], axis=1)
    scale = np.sort(distances)[(len(distances) - 1) // 2]
    kernel = np.exp(-(distances**2) / (2 * scale**2))
    np.testing.assert_allclose(weights[0], kernel / kernel.sum(), rtol=1e-10)


def test_closer_neighbours_weigh_more():
    weights = gaussian_affinity_weights(torch.tensor([[0.5, 1.0, 2.0, 3.0]], dtype=torch.float64))
    assert (torch.diff(weights[0]) < 0).all()


def test_duplicate_points_get_finite_equal_weights():
    graph = affinity_graph(torch.zeros(10, 2), 3)
    np.testing.assert_allclose(graph.weights.numpy(), 1 / 3)


def test_neighbours_drawn_among_candidates_are_seeded_and_among_the_nearest():
    X = torch.tensor(np.random.RandomState(2).randn(200, 4))
    _, candidates = nearest_neighbors(X, 30)
    first = affinity_graph(X, 5, n_candidates=30, generator=torch.Generator().manual_seed(0))
    second = affinity_graph(X, 5, n_candidates=30, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(first.indices, second.indices)
    for row, pool in zip(first.indices.numpy(), candidates.numpy()):
        assert set(row) <= set(pool) and len(set(row)) == 5
    # Not simply the 5 nearest.
    assert not torch.equal(first.indices, candidates[:, :5])
    with pytest.raises(ValueError, match="n_candidates"):
        affinity_graph(X, 5, n_candidates=4)


def test_graph_without_edges():
    graph = affinity_graph(torch.randn(8, 2), 0)
    assert graph.indices.shape == (8, 0) and graph.weights.shape == (8, 0)


# ------------------------------------------------------------------------------ tuple batches
def test_tuple_batches_bring_the_neighbours_in_order():
    X = torch.arange(10, dtype=torch.float32)[:, None]
    partners = torch.tensor([[(i + 1) % 10, (i + 2) % 10] for i in range(10)])
    dataset = DeviceDataset(X, torch.Generator().manual_seed(0), partners)
    batches = list(DeviceBatchIterator(dataset, batch_size=4, shuffle=True))
    assert [len(index) for _, index in batches] == [4, 4, 2]
    seen = torch.cat([index for _, index in batches])
    assert sorted(seen.tolist()) == list(range(10))
    x, index = batches[0]
    m = len(index)
    np.testing.assert_array_equal(x[:m, 0].numpy(), index.numpy())
    expected = partners[index].reshape(-1)
    np.testing.assert_array_equal(x[m:, 0].numpy(), expected.numpy())


# ------------------------------------------------------------------ objective and pi update
def _tuple_output(rng, n_centres, n_neighbors, K=3, M=2, D=4):
    rows = n_centres * (1 + n_neighbors)

    def t(a):
        return torch.tensor(a)

    return GMVAEOutput(
        mu=t(rng.randn(rows, M)), logvar=t(rng.randn(rows, M)), z=t(rng.randn(rows, M)),
        x_hat=t(rng.randn(rows, D)), gamma=t(rng.dirichlet(np.ones(K), size=rows)),
        log_weights=t(np.log(np.full(K, 1 / K))), means=t(rng.randn(K, M)),
        variances=t(rng.uniform(0.3, 2.0, size=(K, M))),
    )


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_graph_objective_matches_eq_19_evaluated_sample_by_sample(likelihood):
    rng = np.random.RandomState(3)
    n_samples, n_centres, S, K = 9, 3, 2, 3
    output = _tuple_output(rng, n_centres, S, K=K)
    x = torch.tensor(rng.uniform(size=(n_centres * (1 + S), 4)))
    index = torch.tensor([4, 0, 7])
    w = torch.tensor(rng.dirichlet(np.ones(S), size=n_samples))
    pi = torch.tensor(rng.dirichlet(np.ones(K), size=n_samples))
    criterion = GraphEmbeddingELBOCriterion(likelihood, 2.0, w, pi)
    terms = criterion(output, x, index)

    def neg_elbo(row, target, centre):
        nll = negative_log_likelihood(output.x_hat[row : row + 1], target[None], likelihood, 2.0)
        kl = gaussian_mixture_kl(
            output.mu[row : row + 1], output.logvar[row : row + 1],
            output.gamma[row : row + 1], torch.log(pi[centre]), output.means, output.variances,
        )
        return (nll + kl).item()

    expected = []
    for b in range(n_centres):
        i = index[b].item()
        own = neg_elbo(b, x[b], i)  # L(x_i), Eq. (21)
        cross = sum(  # L(x_i, x_j), Eq. (26): neighbour j's code reconstructs x_i
            w[i, s].item() * neg_elbo(n_centres + b * S + s, x[b], i) for s in range(S)
        )
        expected.append(0.5 * (own + cross))
    assert terms["loss"].item() == pytest.approx(np.mean(expected), rel=1e-10)
    assert terms["loss"].item() == pytest.approx(
        (terms["reconstruction"] + terms["prior"]).item(), rel=1e-12
    )


def test_without_neighbours_the_objective_is_the_elbo():
    rng = np.random.RandomState(4)
    output = _tuple_output(rng, 5, 0)
    x = torch.tensor(rng.uniform(size=(5, 4)))
    pi = torch.tensor(rng.dirichlet(np.ones(3), size=5))
    criterion = GraphEmbeddingELBOCriterion("bernoulli", 1.0, torch.zeros(5, 0), pi)
    got = criterion(output, x, torch.arange(5))["loss"].item()
    expected = (
        negative_log_likelihood(output.x_hat, x, "bernoulli")
        + gaussian_mixture_kl(output.mu, output.logvar, output.gamma, torch.log(pi),
                              output.means, output.variances)
    ).mean().item()
    assert got == pytest.approx(expected, rel=1e-12)


class _FakeNet:
    def __init__(self, criterion):
        self.criterion_ = criterion


def test_pi_update_maximises_eq_30():
    rng = np.random.RandomState(5)
    n_samples, S, K = 6, 2, 3
    output = _tuple_output(rng, 2, S, K=K)
    w = torch.tensor(rng.dirichlet(np.ones(S), size=n_samples))
    pi = torch.full((n_samples, K), 1 / K, dtype=torch.float64)
    criterion = GraphEmbeddingELBOCriterion("bernoulli", 1.0, w, pi)
    index = torch.tensor([5, 1])
    SampleMixtureWeightsUpdate().on_batch_end(
        _FakeNet(criterion), batch=(None, index), training=True, y_pred=output
    )
    gamma = output.gamma.numpy()
    for b, i in enumerate(index.tolist()):
        neighbours = gamma[2 + b * S : 2 + (b + 1) * S]
        expected = 0.5 * (gamma[b] + (w[i].numpy()[:, None] * neighbours).sum(0))
        np.testing.assert_allclose(pi[i].numpy(), expected, rtol=1e-12)
        # The maximiser of sum_j w_ij sum_k (gamma_ik + gamma_jk) log pi_k on the simplex.
        objective = lambda p: sum(  # noqa: E731
            w[i, s].item() * np.sum((gamma[b] + neighbours[s]) * np.log(p)) for s in range(S)
        )
        for other in rng.dirichlet(np.ones(K), size=50):
            assert objective(pi[i].numpy()) >= objective(other)
    np.testing.assert_allclose(pi.sum(1).numpy(), 1.0, rtol=1e-12)
    assert (pi[[0, 2, 3, 4]] == 1 / K).all()  # rows outside the batch untouched


def test_contrastive_loss_pulls_positives_and_pushes_random_pairs():
    anchors = torch.tensor([[0.0, 0.0], [3.0, 0.0]])
    positives = torch.tensor([[0.0, 1.0], [3.0, 0.0]])
    loss = ContrastiveCriterion(margin=4.0)(torch.cat([anchors, positives]), None,
                                            torch.arange(2))
    assert loss["positive"].item() == pytest.approx(0.5)  # (1 + 0) / 2
    assert loss["negative"].item() == pytest.approx(1.0)  # (4 - 3)^2 for both pairs


# ----------------------------------------------------------------------------- the estimator
def test_dgg_recovers_blobs_with_a_classifier_posterior(blobs):
    X, y = blobs
    model = make_tiny(DGG, hidden_dims=(32,), pretrain_epochs=30, max_epochs=5,
                      n_neighbors=5).fit(X)
    assert list(model.history_) == ["pretrain", "classifier", "elbo"]
    assert clustering_accuracy(y, model.labels_) > 0.9
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)
    module = model.net_.module_
    with torch.no_grad():
        expected = torch.softmax(module.classifier(torch.as_tensor(model.transform(X))), 1)
    np.testing.assert_allclose(proba, expected.numpy(), rtol=1e-5, atol=1e-6)
    assert model.weights_.sum() == pytest.approx(1.0, rel=1e-5)
    # weights_ is the mean of the per-sample pi_i after training.
    sample_weights = model.net_.criterion_.sample_weights
    np.testing.assert_allclose(model.weights_, sample_weights.mean(0).numpy(), rtol=1e-5)
    X_new, y_new = model.sample(6, cluster=2)
    assert X_new.shape == (6, X.shape[1]) and (y_new == 2).all()


def test_dgg_records_the_graph_objective(blobs):
    X, _ = blobs
    model = make_tiny(DGG, n_neighbors=4, max_epochs=3).fit(X)
    last = model.history_["elbo"][-1]
    assert last["train_loss"] == pytest.approx(
        last["train_reconstruction"] + last["train_prior"], rel=1e-5
    )
    # Batch sizes count tuples (samples), not the rows their neighbours add.
    assert sum(b["train_batch_size"] for b in last["batches"]) == X.shape[0]


@pytest.mark.parametrize(
    "params",
    [dict(graph_space="input"), dict(affinity="siamese", siamese_epochs=2),
     dict(n_neighbors=0), dict(n_neighbors=3, n_candidates=10)],
)
def test_dgg_graph_options_run_and_are_seeded(params, blobs):
    X, _ = blobs
    first = make_tiny(DGG, **params).fit(X)
    second = make_tiny(DGG, **params).fit(X)
    np.testing.assert_array_equal(first.transform(X), second.transform(X))
    np.testing.assert_array_equal(first.labels_, second.labels_)
    if params.get("affinity") == "siamese":
        assert "siamese" in first.history_


def test_dgg_without_graph_differs_from_vade_only_by_classifier_and_pi(blobs):
    X, _ = blobs
    model = make_tiny(DGG, n_neighbors=0).fit(X)
    assert model.net_.module_.classifier is not None
    assert make_tiny(VaDE).fit(X).net_.module_.classifier is None


@pytest.mark.parametrize(
    "params, message",
    [(dict(n_neighbors=90), "at least 91 samples"),
     (dict(n_neighbors=3, n_candidates=200), "at least 201 samples"),
     (dict(n_neighbors=5, n_candidates=3), "n_candidates")],
)
def test_dgg_rejects_a_graph_larger_than_the_data(params, message, blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match=message):
        make_tiny(DGG, **params).fit(X)


@pytest.mark.parametrize(
    "params", [dict(n_neighbors=-1), dict(graph_space="latent"), dict(affinity="cosine"),
               dict(siamese_epochs=0), dict(n_candidates=0)],
)
def test_dgg_rejects_bad_parameters(params, blobs):
    X, _ = blobs
    with pytest.raises(InvalidParameterError):
        make_tiny(DGG, **params).fit(X)

"""The benchmark scripts' own logic (not their numbers): model selection and result rows."""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import skdeepcluster.methods._autoencoding as autoencoding
from skdeepcluster import IDEC, WECGAN, WECMMD, VaDE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import _reproduction  # noqa: E402
import elbo_phase_from_cache  # noqa: E402
import graph_purity  # noqa: E402
import kmeans_restarts  # noqa: E402
import merge_results  # noqa: E402
import reproduce_idec  # noqa: E402
import self_training_speed  # noqa: E402
import tabular_defaults  # noqa: E402

MODELS = [("VaDE", VaDE, {}), ("VaDE beta", VaDE, {})]


def test_an_unknown_model_label_stops_the_run_before_any_fit():
    # A mistyped label (or an ablation label without --ablations) must not be skipped silently.
    args = argparse.Namespace(models=["VaDE", "DVAE w/o similarity (beta=0)"], datasets=[])
    with pytest.raises(SystemExit, match="unknown model label.*--ablations"):
        _reproduction.run(MODELS, args, overrides={})


def test_dec_keras_pretraining_option_sets_the_recipe_and_names_it_as_a_deviation():
    parser = _reproduction.common_arguments("test", ["usps"], "out")
    overrides, protocol = _reproduction.overrides_and_protocol(
        parser.parse_args([]), paper_epochs=300
    )
    assert overrides == {} and protocol == "paper's, defaults"
    args = parser.parse_args(["--pretraining", "dec-keras", "--set", "beta=0.5"])
    overrides, protocol = _reproduction.overrides_and_protocol(args, paper_epochs=300)
    assert overrides == {"pretrain_epochs": 300, "pretrain_optimizer": "sgd", "pretrain_lr": 1.0,
                         "weight_init": "fan_in_uniform", "beta": 0.5}
    assert protocol.startswith("deviations: DEC-Keras pretraining (pretrain_epochs=300, ")
    args = parser.parse_args(["--pretraining", "dec-keras", "--pretrain-epochs", "50"])
    overrides, protocol = _reproduction.overrides_and_protocol(args, paper_epochs=300)
    assert overrides["pretrain_epochs"] == 50 and overrides["pretrain_optimizer"] == "sgd"
    assert "pretrain_epochs=300" not in protocol and "pretrain_epochs=50" in protocol


def test_models_sharing_a_pretraining_through_memory_say_which_read_it(tmp_path):
    tiny = dict(hidden_dims=(8,), pretrain_epochs=1, max_epochs=1)
    models = [("WEC-MMD", WECMMD, tiny), ("WEC-GAN", WECGAN, tiny)]
    args = _reproduction.common_arguments("test", ["digits"], "out").parse_args(
        ["--n-samples", "120", "--seeds", "0", "1", "--device", "cpu",
         "--memory", str(tmp_path)]
    )
    runs, summaries = _reproduction.run(models, args, overrides={})
    assert [(r["model"], r["seed"], r["pretraining_from_cache"]) for r in runs] == [
        ("WEC-MMD", 0, False), ("WEC-MMD", 1, False), ("WEC-GAN", 0, True), ("WEC-GAN", 1, True)
    ]
    assert [s["pretrainings_from_cache"] for s in summaries] == [0, 2]
    table = _reproduction.markdown(summaries, "cpu", "test", {})
    assert "2 of 2 without pretraining: read from the cache" in table


def test_a_pretraining_that_replaces_a_cleared_cache_entry_is_not_read_from_the_cache(tmp_path):
    # joblib clears a function's entries when its code changed, then stores the new one
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "output.pkl").write_bytes(b"")
    before = _reproduction.cached_pretrainings(tmp_path)
    (tmp_path / "old" / "output.pkl").unlink()
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "output.pkl").write_bytes(b"")
    assert len(_reproduction.cached_pretrainings(tmp_path)) == len(before) == 1
    assert not _reproduction.cached_pretrainings(tmp_path) <= before


def test_a_clustering_phase_from_a_stored_pretraining_repeats_the_fit_that_stored_it(
    tmp_path, monkeypatch
):
    tiny = ["--set", "hidden_dims=(8,)", "--set", "pretrain_epochs=1", "--max-epochs", "2"]
    common = ["--datasets", "digits", "--n-samples", "120", "--seeds", "0", "--device", "cpu",
              "--models", "VaDE", *tiny]
    parser = _reproduction.common_arguments("test", ["digits"], "out")
    args = parser.parse_args([*common, "--memory", str(tmp_path / "cache")])
    overrides, _ = _reproduction.overrides_and_protocol(args, paper_epochs=300)
    (original,), _ = _reproduction.run([("VaDE", VaDE, {})], args, overrides)
    (entry,) = (tmp_path / "cache").rglob("output.pkl")
    # The script replaces the pretraining function for the rest of its process.
    monkeypatch.setattr(autoencoding, "pretrained_snapshot", autoencoding.pretrained_snapshot)

    def no_pretraining(*args, **kwargs):
        raise AssertionError("pretrained again instead of reading the cache entry")

    monkeypatch.setattr(autoencoding, "pretrain_autoencoder", no_pretraining)
    elbo_phase_from_cache.main([*common, "--cache-entry", str(entry),
                                "--output", str(tmp_path / "rerun")])
    (rerun,) = json.loads((tmp_path / "rerun.json").read_text())["runs"]
    assert (rerun["acc"], rerun["nmi"]) == (original["acc"], original["nmi"])
    with pytest.raises(SystemExit, match="holds a pretraining with"):
        elbo_phase_from_cache.main([*common, "--set", "batch_size=50", "--cache-entry",
                                    str(entry), "--output", str(tmp_path / "other")])


def test_a_run_stopped_by_sigint_keeps_its_last_traced_epoch_and_the_finished_runs(
    tmp_path, monkeypatch
):
    tiny = dict(hidden_dims=(8,), pretrain_epochs=1, max_epochs=6)
    args = _reproduction.common_arguments("test", ["digits"], "out").parse_args(
        ["--n-samples", "120", "--seeds", "0", "1", "2", "--device", "cpu", "--trace-every", "2"]
    )
    trace_epoch = _reproduction.ClusteringProgress.on_epoch_end
    fits = []

    def sigint_at_epoch_3_of_the_second_fit(progress, net, **kwargs):
        trace_epoch(progress, net, **kwargs)
        if not fits or fits[-1] is not progress:
            fits.append(progress)
        if len(fits) == 2 and progress.trace and len(net.history) == 3:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(_reproduction.ClusteringProgress, "on_epoch_end",
                        sigint_at_epoch_3_of_the_second_fit)
    previous_handler = signal.getsignal(signal.SIGINT)
    # As in a run started with `nohup ... &`, which ignores SIGINT: `run` must listen again.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        runs, (summary,) = _reproduction.run([("VaDE", VaDE, tiny)], args, overrides={})
    finally:
        signal.signal(signal.SIGINT, previous_handler)
    finished, stopped = runs  # seed 2 never started
    assert finished["seed"] == 0 and "stopped_after_epoch" not in finished
    assert finished["acc_trace"][-1] == [6, finished["acc"]]
    assert (stopped["seed"], stopped["stopped_after_epoch"]) == (1, 2)
    assert stopped["acc"] == fits[1].trace[-1][1] and stopped["nmi"] == fits[1].nmi
    assert stopped["acc_trace"] == [[2, stopped["acc"]]] and stopped["device"] == "cpu"
    assert summary["seeds"] == 2 and summary["stopped_after_epochs"] == [2]
    table = _reproduction.markdown([summary], "cpu", "test", {})
    assert "2 (1 stopped after epoch 2: scored there)" in table


def test_a_run_stopped_before_its_first_traced_epoch_records_nothing(monkeypatch):
    args = _reproduction.common_arguments("test", ["digits"], "out").parse_args(
        ["--n-samples", "120", "--seeds", "0", "--device", "cpu", "--trace-every", "2"]
    )

    def interrupt(progress, net, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(_reproduction.ClusteringProgress, "on_epoch_end", interrupt)
    with pytest.raises(KeyboardInterrupt):
        _reproduction.run(
            [("VaDE", VaDE, dict(hidden_dims=(8,), pretrain_epochs=1, max_epochs=4))],
            args, overrides={},
        )


@pytest.mark.parametrize("clusterer, objective, best", [
    ("kmeans", "inertia", min), ("gmm", "log_likelihood", max),
])
def test_restarts_read_each_cached_pretraining_and_report_the_clusterers_optima(
    tmp_path, clusterer, objective, best
):
    tiny = dict(hidden_dims=(8,), pretrain_epochs=1, max_epochs=1)
    args = _reproduction.common_arguments("test", ["digits"], "out").parse_args(
        ["--n-samples", "150", "--seeds", "0", "1", "--device", "cpu", "--memory", str(tmp_path)]
    )
    _reproduction.run([("WEC-MMD", WECMMD, tiny)], args, overrides={})
    kmeans_restarts.main(["--memory", str(tmp_path), "--dataset", "digits", "--n-samples", "150",
                          "--clusterer", clusterer, "--n-init", "1", "5", "--repeats", "2",
                          "--single-restarts", "4", "--output", str(tmp_path / "report")])
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["n_samples"] == 150 and len(report["pretrainings"]) == 2  # one per seed
    assert sorted(re.search(r"\bseed=(\d+)", found["config"])[1]
                  for found in report["pretrainings"].values()) == ["0", "1"]
    for found in report["pretrainings"].values():
        assert found["objective"] == objective
        assert [(f["n_init"], f["random_state"]) for f in found["fits"]] == [
            (1, 0), (1, 1), (5, 0), (5, 1)
        ]
        values = [r[objective] for r in found["single_restarts"]]
        assert len(values) == 4 and values[0] == best(values)
        assert found["best"][objective] == best(f[objective] for f in found["fits"])
        confusion = np.array(found["confusion_of_best"])
        assert confusion.shape == (10, 10) and confusion.sum() == 150


def test_idec_protocol_caps_clustering_at_20000_mini_batches_of_each_data_set():
    assert reproduce_idec.paper_protocol(70_000)["max_epochs"] == 73  # 274 batches an epoch
    assert reproduce_idec.paper_protocol(9_298)["max_epochs"] == 541  # USPS: 37 batches


def test_idec_script_runs_the_papers_clustering_after_the_chosen_pretraining(tmp_path):
    common = ["--datasets", "digits", "--n-samples", "120", "--seeds", "0", "--device", "cpu",
              "--max-epochs", "1", "--pretrain-epochs", "1"]
    reproduce_idec.main(common + ["--output", str(tmp_path / "paper")])
    reproduce_idec.main(common + ["--pretraining", "dec-keras", "--models", "IDEC",
                                  "--output", str(tmp_path / "keras")])
    paper = json.loads((tmp_path / "paper.json").read_text())
    keras = json.loads((tmp_path / "keras.json").read_text())
    assert [r["model"] for r in paper["runs"]] == ["IDEC", "DEC"]
    for row in paper["runs"] + keras["runs"]:
        assert {k: row["params"][k] for k in ("update_interval", "batch_size", "tol", "max_epochs",
                                                "pretrain_epochs")} == {
            "update_interval": "140", "batch_size": "256", "tol": "0.001", "max_epochs": "1",
            "pretrain_epochs": "1"}
        assert row["epochs"] == 1 and row["converged"] in (True, False)
    assert paper["runs"][0]["params"]["pretrain_optimizer"] == "'adam'"
    assert keras["runs"][0]["params"]["pretrain_optimizer"] == "'sgd'"
    assert keras["protocol"].startswith("deviations: DEC-Keras pretraining (pretrain_optimizer=")


@pytest.mark.parametrize("make_model", [
    lambda cb: IDEC(n_clusters=3, hidden_dims=(8,), latent_dim=2, pretrain_epochs=2,
                    max_epochs=3, tol=0.0, device="cpu", random_state=0, callbacks=[cb]),
    lambda cb: VaDE(n_clusters=3, hidden_dims=(8,), latent_dim=2, pretrain_epochs=2,
                    max_epochs=3, device="cpu", random_state=0, callbacks=[cb]),
], ids=["IDEC", "VaDE"])
def test_clustering_progress_scores_the_start_and_each_traced_epoch(blobs, make_model):
    X, y = blobs
    X = X.astype(np.float32)
    progress = _reproduction.ClusteringProgress(X, y, trace_every=1)
    model = make_model(progress).fit(X)
    # Pretraining epochs are not traced: only the clustering phase's three.
    assert [epoch for epoch, _ in progress.trace] == [1, 2, 3]
    assert 0 < progress.acc <= 1
    # The last point scores the fitted model's own labels.
    assert progress.trace[-1][1] == pytest.approx(
        _reproduction.clustering_accuracy(y, model.labels_))
    untraced = _reproduction.ClusteringProgress(X, y)
    make_model(untraced).fit(X)
    assert untraced.trace == [] and untraced.acc == progress.acc


def test_tabular_rows_record_scores_warnings_and_errors(blobs):
    X, y = blobs
    row = tabular_defaults.run(
        "IDEC", lambda: IDEC(n_clusters=3, hidden_dims=(8,), latent_dim=2, pretrain_epochs=1,
                             max_epochs=1, device="cpu", random_state=0), X, y,
    )
    assert 0 <= row["acc"] <= 1 and row["n_clusters_found"] <= 3 and "error" not in row
    failed = tabular_defaults.run("IDEC", lambda: IDEC(n_clusters=0), X, y)
    assert failed["error"].startswith("InvalidParameterError") and "acc" not in failed
    report = {"script": "benchmarks/tabular_defaults.py", "device": "cpu", "processor": "x",
              "torch_threads": 1, "seed": 0,
              "results": [dict(row, data="blobs", input="raw"),
                          dict(failed, data="blobs", input="raw")]}
    table = tabular_defaults.markdown(report)
    assert table.startswith("# Default settings on bundled tabular data "
                            "(benchmarks/tabular_defaults.py)")
    assert "| blobs | raw | IDEC | - | - | - |" in table
    assert np.isfinite(row["fit_seconds"])


def test_defaults_report_lists_kmeans_and_each_model_and_writes_both_files(tmp_path):
    args = argparse.Namespace(seed=0, device="cpu", models=["IDEC", "VaDE"],
                              output=str(tmp_path / "report"))
    names = [name for name, _ in tabular_defaults.candidates(4, args)]
    assert names == ["KMeans", "IDEC", "VaDE"]
    row = {"data": "d", "input": "pixels", "method": "IDEC", "acc": 0.5, "nmi": 0.4,
           "n_clusters_found": 4, "warnings": [], "fit_seconds": 1.0}
    tabular_defaults.write_report([row], args, "image_defaults", title="Images")
    table = (tmp_path / "report.md").read_text()
    assert table.startswith("# Images (benchmarks/image_defaults.py)")
    assert "| d | pixels | IDEC | 0.500 | 0.400 | 4 | 1.0 | - |" in table
    assert json.loads((tmp_path / "report.json").read_text())["results"] == [row]


@pytest.mark.parametrize("label", ["WEC-MMD", "IDEC"])
def test_self_training_speed_times_both_phases_of_each_protocol(label):
    cls, params, *_ = self_training_speed.PROTOCOLS[label]
    X = np.random.RandomState(0).rand(40, 12).astype(np.float32)
    pretrain_s, cluster_s = self_training_speed.epoch_seconds(
        cls, {**params, "hidden_dims": (8,)}, X, "cpu", update_interval=2, epochs=1
    )
    assert pretrain_s > 0 and cluster_s > 0


def test_graph_purity_counts_neighbours_of_the_centres_class():
    # Two tight groups far apart: every neighbour is in the centre's group.
    points = torch.cat([torch.randn(20, 3) * 0.01, torch.randn(20, 3) * 0.01 + 10])
    groups = torch.arange(40) // 20
    assert graph_purity.neighbour_purity(points, groups, 5, None, seed=0) == (1.0, 1.0)
    # Labels alternating inside each group: about half the neighbours share the label.
    alternating = torch.arange(40) % 2
    plain, weighted = graph_purity.neighbour_purity(points, alternating, 5, 10, seed=0)
    assert 0.2 < plain < 0.8 and 0.2 < weighted < 0.8


@pytest.mark.parametrize("script", ["device_checks.sh", "prepare_device_run.sh"])
def test_device_run_scripts_are_valid_bash(script):
    path = Path(__file__).resolve().parents[1] / "benchmarks" / script
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _result_file(path, seeds, acc, *, protocol="paper's, defaults", lr="0.001", extra=None):
    params = {"lr": lr, **(extra or {})}
    runs = [{"model": "WEC-MMD", "dataset": "mnist", "seed": seed, "acc": a, "nmi": a - 0.1,
             "fit_seconds": 10.0 * (seed + 1), "device": "cpu", "init_acc": 0.5,
             "params": {**params, "random_state": str(seed)}} for seed, a in zip(seeds, acc)]
    path.write_text(json.dumps({
        "device": "cpu", "device_name": f"CPU ({path.stem})", "protocol": protocol,
        "versions": {"torch": "x"}, "runs": runs,
        "summaries": [{"model": "WEC-MMD", "dataset": "mnist", "n_samples": 70000}],
        "paper_reference": {"WEC-MMD / mnist": [96.74, 92.23]},
    }))
    return str(path)


def test_merged_seed_files_give_the_median_over_all_seeds(tmp_path):
    files = [_result_file(tmp_path / "a.json", [0], [0.90]),
             _result_file(tmp_path / "b.json", [1, 2], [0.96, 0.94], extra={"tol": "0.001"})]
    merge_results.main(files + ["--output", str(tmp_path / "merged"), "--title", "t"])
    merged = json.loads((tmp_path / "merged.json").read_text())
    assert [r["seed"] for r in merged["runs"]] == [0, 1, 2]
    (summary,) = merged["summaries"]
    assert (summary["seeds"], summary["acc_median"], summary["acc_min"]) == (3, 0.94, 0.90)
    assert summary["n_samples"] == 70000 and merged["merged_from"] == ["a.json", "b.json"]
    table = (tmp_path / "merged.md").read_text()
    assert "CPU (a); CPU (b)" in table and "96.74 / 92.23" in table
    assert "not compared): tol" in table


def test_runs_that_differ_only_in_the_pretraining_cache_folder_are_merged(tmp_path):
    files = [_result_file(tmp_path / "a.json", [0], [0.90], extra={"memory": "None"}),
             _result_file(tmp_path / "b.json", [1], [0.96], extra={"memory": "'/tmp/cache'"})]
    merge_results.main(files + ["--output", str(tmp_path / "merged"), "--title", "t"])
    (summary,) = json.loads((tmp_path / "merged.json").read_text())["summaries"]
    assert summary["seeds"] == 2


def test_runs_that_differ_only_in_verbosity_are_merged_without_it_in_the_protocol(tmp_path):
    protocol = "deviations: DEC-Keras pretraining (a=1, b=2), max_epochs=20 (paper: 200)"
    files = [_result_file(tmp_path / "a.json", [0], [0.90], protocol=protocol),
             _result_file(tmp_path / "b.json", [1], [0.96], protocol=protocol + ", verbose=2",
                          extra={"verbose": "2"})]
    merge_results.main(files + ["--output", str(tmp_path / "merged"), "--title", "t"])
    merged = json.loads((tmp_path / "merged.json").read_text())
    assert merged["protocol"] == protocol and merged["summaries"][0]["seeds"] == 2
    assert merge_results.comparable_protocol("deviations: verbose=2") == "paper's, defaults"


@pytest.mark.parametrize("second, message", [
    (dict(seeds=[0], acc=[0.9]), "seed 0, is in both"),
    (dict(seeds=[1], acc=[0.9], lr="0.01"), r"differ in lr \(0.01 / 0.001\)"),
    (dict(seeds=[1], acc=[0.9], protocol="deviations: x"), "different protocols"),
])
def test_files_of_different_runs_are_not_merged(tmp_path, second, message):
    files = [_result_file(tmp_path / "a.json", [0], [0.9]),
             _result_file(tmp_path / "b.json", **second)]
    with pytest.raises(SystemExit, match=message):
        merge_results.main(files + ["--output", str(tmp_path / "merged"), "--title", "t"])
    assert not (tmp_path / "merged.json").exists()

"""What the paper-reproduction scripts share: data, the seed loop, summaries and result files.

A reproduction script names its models (label, estimator class, parameter overrides), the
datasets and the papers' reference numbers; :func:`run` fits every model on every dataset for
every seed and :func:`write_results` writes ``<output>.json`` and a markdown table
``<output>.md``. Reference numbers are printed in their own column and never mixed into our
results.
"""

import argparse
import ast
import functools
import json
import os
import signal
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from skorch.callbacks import Callback

import skdeepcluster
from skdeepcluster._training._inference import apply_in_chunks, evaluating
from skdeepcluster.datasets import load_coil20, load_mnist, load_reuters_r8, load_usps
from skdeepcluster.metrics import clustering_accuracy, normalized_mutual_info_score

from _machine import cpu_name

RESULTS = Path(__file__).resolve().parent / "results"

# DEC-Keras's MNIST pretraining (SGD lr 1, momentum 0.9, fan-in uniform weights, 300 epochs):
# after it IDEC reached ACC 94.7-95.0 on MNIST-70k (docs/results.md).
DEC_KERAS_PRETRAINING = dict(
    pretrain_epochs=300, pretrain_optimizer="sgd", pretrain_lr=1.0, weight_init="fan_in_uniform"
)


def load_bundled_digits(*, data_home=None, download_if_missing=False, return_X_y=True):
    """scikit-learn's bundled 8x8 digits (no download), pixels scaled from [0, 16] to [0, 1]."""
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


LOADERS = {"mnist": load_mnist, "usps": load_usps, "coil20": load_coil20,
           "reuters_r8": load_reuters_r8, "digits": load_bundled_digits}
# Stored as uint8 pixels: scaled to [0, 1] by x / 255. USPS and Reuters are stored in [0, 1].
PIXEL_DATASETS = {"mnist", "coil20"}


@functools.lru_cache(maxsize=1)  # a script that reads a set's size before run() loads it once
def load(dataset, data_home, n_samples=None):
    """``(X, y)`` of a benchmark set in [0, 1], float32; optionally a seeded subsample.

    The last set loaded is cached: callers share its arrays and must not modify them.
    """
    X, y = LOADERS[dataset](data_home=data_home, download_if_missing=False, return_X_y=True)
    X = (X / 255.0 if dataset in PIXEL_DATASETS else X).astype(np.float32)
    if n_samples is not None and n_samples < X.shape[0]:
        keep = np.random.RandomState(0).choice(X.shape[0], n_samples, replace=False)
        X, y = X[keep], y[keep]
    return X, y


class ClusteringProgress(Callback):
    """ACC of the clustering a model starts its clustering phase from, and optionally during it.

    Read at the start of the clustering phase and, every ``trace_every`` epochs, at the end of
    one: for DEC, IDEC and WEC (modules with an ``autoencoder`` and a Student's t
    ``assignment``) each sample goes to its nearest centroid, the argmax of Eq. (7)'s soft
    assignment; for VaDE, DVAE and DGG (modules with a ``cluster_posterior``) to the argmax of
    the cluster posterior at the posterior mean, which at the start is the initial mixture
    (VaDE) or the classifier trained on its pseudo-labels (DVAE, DGG). Comparing the initial
    ACC with the final one separates what pretraining gives from what the clustering phase
    adds. The estimator copies user callbacks into every phase; this one's copies are itself,
    so ``acc`` and ``trace`` are what it saw. Each reading is also printed as it is taken, with
    the seconds since the fit's first trained phase began (the pretraining, unless read from
    the cache), so a long run that is cut short still shows how far it got and how fast, and
    :func:`run` records such a run from its last traced epoch (``nmi`` is that epoch's NMI).

    Parameters
    ----------
    X, y : ndarray
        The training data and its labels.
    trace_every : int, default=0
        Also record ``(epoch, ACC)`` in ``trace`` every this many epochs (0: never). Each
        point costs one encoder pass over ``X``.
    """

    def __init__(self, X, y, trace_every=0):
        self.X, self.y, self.trace_every = X, y, trace_every
        # Set when the first phase begins: the pretraining cache's key, which holds the
        # callbacks, is taken before that and must not see a clock.
        self.acc, self.trace, self.nmi, self.started, self.device = None, [], None, None, None

    def __deepcopy__(self, memo):
        return self

    def _labels(self, module):
        """Current cluster of every sample, or ``None`` outside a clustering phase."""
        if hasattr(module, "autoencoder") and hasattr(module, "assignment"):
            centers = module.assignment.centers.detach()
            with evaluating(module.autoencoder.encoder) as encoder:
                return apply_in_chunks(
                    lambda x: torch.cdist(encoder(x), centers).argmin(dim=1),
                    self.X, centers.device, to_numpy=True,
                )
        if hasattr(module, "cluster_posterior"):
            device = next(module.parameters()).device
            with evaluating(module), torch.no_grad():
                return apply_in_chunks(
                    lambda x: module.cluster_posterior(module.embed(x)).argmax(dim=1),
                    self.X, device, to_numpy=True,
                )
        return None

    def on_train_begin(self, net, **kwargs):
        if self.started is None:
            self.started = time.perf_counter()
        self.device = str(net.device)
        labels = self._labels(net.module_)
        if labels is not None:
            self.acc = clustering_accuracy(self.y, labels)
            self._print({"init_acc": self.acc})

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if not self.trace_every or epoch % self.trace_every:
            return
        labels = self._labels(net.module_)
        if labels is not None:
            self.trace.append((epoch, clustering_accuracy(self.y, labels)))
            self.nmi = normalized_mutual_info_score(self.y, labels)
            self._print({"epoch": epoch, "acc": self.trace[-1][1], "nmi": self.nmi})

    def _print(self, reading):
        seconds = round(time.perf_counter() - self.started, 1)
        print(json.dumps({**reading, "seconds": seconds}), flush=True)


def parameter_setting(text):
    """``NAME=VALUE`` of ``--set`` as ``(name, value)``, the value read as a Python literal."""
    name, separator, value = text.partition("=")
    if not separator or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value  # a bare string such as kernel=rbf


def common_arguments(description, datasets, default_output):
    """An argument parser with the options every reproduction script has."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--datasets", nargs="+", choices=sorted(LOADERS), default=datasets)
    parser.add_argument("--models", nargs="+", default=None,
                        help="labels of the models to run (default: all)")
    parser.add_argument("--data-home", default=os.environ.get("SKDEEPCLUSTER_DATA"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--pretrain-epochs", type=int, default=None,
                        help="override the default pretraining length (a protocol deviation)")
    parser.add_argument("--pretraining", choices=["default", "dec-keras"], default="default",
                        help="dec-keras: DEC-Keras's MNIST autoencoder pretraining, SGD lr 1 "
                             "with momentum 0.9, fan-in uniform weights, 300 epochs unless "
                             "--pretrain-epochs says otherwise (a protocol deviation)")
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="override the paper's training length (a protocol deviation)")
    parser.add_argument("--n-samples", type=int, default=None,
                        help="random subsample of each dataset (a protocol deviation)")
    parser.add_argument("--set", type=parameter_setting, action="append", default=[],
                        metavar="NAME=VALUE", dest="settings",
                        help="set an estimator parameter of every model that has it, e.g. "
                             "beta=0.1 (a protocol deviation; repeatable)")
    parser.add_argument("--trace-every", type=int, default=0, metavar="N",
                        help="record the ACC every N epochs of the clustering phase in the "
                             "JSON's acc_trace (0: never; each point is one encoder pass)")
    parser.add_argument("--memory", default=None, metavar="DIR",
                        help="joblib cache folder of the pretrained autoencoders (the "
                             "estimators' memory): fits with the same data, seed and "
                             "pretraining, such as WEC-MMD and WEC-GAN or the ablations, "
                             "pretrain once; such a fit's fit time excludes the pretraining")
    parser.add_argument("--output", default=str(RESULTS / default_output),
                        help="path without suffix of the .json and .md results")
    return parser


def overrides_and_protocol(args, paper_epochs):
    """Parameter overrides from the deviation options and a sentence naming them."""
    overrides, deviations = {}, []
    if args.pretraining == "dec-keras":
        overrides.update(DEC_KERAS_PRETRAINING)
        deviations.append("DEC-Keras pretraining (" + ", ".join(
            f"{name}={value!r}" for name, value in DEC_KERAS_PRETRAINING.items()
            if name != "pretrain_epochs" or args.pretrain_epochs is None
        ) + ")")
    if args.pretrain_epochs is not None:
        overrides["pretrain_epochs"] = args.pretrain_epochs
        deviations.append(f"pretrain_epochs={args.pretrain_epochs}")
    if args.max_epochs is not None:
        overrides["max_epochs"] = args.max_epochs
        deviations.append(f"max_epochs={args.max_epochs} (paper: {paper_epochs})")
    if args.n_samples is not None:
        deviations.append(f"random subsample of {args.n_samples} per dataset")
    for name, value in args.settings:
        overrides[name] = value
        deviations.append(f"{name}={value!r}")
    protocol = "paper's, defaults" if not deviations else "deviations: " + ", ".join(deviations)
    return overrides, protocol


def summarize(runs):
    """Median, min and max ACC and NMI, the median fit time and initial ACC of one model's seeds.

    ``init_acc_median`` (of :class:`ClusteringProgress`) is ``None`` unless every run has one.
    """
    accs = [r["acc"] for r in runs]
    nmis = [r["nmi"] for r in runs]
    initial = [r["init_acc"] for r in runs if "init_acc" in r]
    return {
        "seeds": len(runs),
        "acc_median": statistics.median(accs),
        "acc_min": min(accs),
        "acc_max": max(accs),
        "nmi_median": statistics.median(nmis),
        "nmi_min": min(nmis),
        "nmi_max": max(nmis),
        "fit_seconds_median": statistics.median(r["fit_seconds"] for r in runs),
        "init_acc_median": statistics.median(initial) if len(initial) == len(runs) else None,
        "pretrainings_from_cache": sum(bool(r.get("pretraining_from_cache")) for r in runs),
        "stopped_after_epochs": [r["stopped_after_epoch"] for r in runs
                                 if "stopped_after_epoch" in r],
    }


def reported_params(clusterer):
    """The clusterer's parameters as ``repr`` strings, without its callbacks and verbosity."""
    return {k: repr(v) for k, v in clusterer.get_params().items()
            if k not in ("callbacks", "verbose")}


def progress_fields(progress):
    """``init_acc`` and ``acc_trace`` of a result row, those that :class:`ClusteringProgress` saw."""
    fields = {}
    if progress.acc is not None:
        fields["init_acc"] = progress.acc
    if progress.trace:
        fields["acc_trace"] = [[epoch, acc] for epoch, acc in progress.trace]
    return fields


def print_row(row):
    """Print a result row, without its parameters, as one JSON line."""
    print(json.dumps({k: v for k, v in row.items() if k != "params"}), flush=True)


def timed_run(label, dataset, seed, estimator, clusterer, X, y, progress=None):
    """Fit ``estimator`` (the clusterer or a pipeline ending in it) on ``X``; score and time it.

    Returns the result row (scores, fit time, device, the clusterer's parameters, and
    ``init_acc`` and ``acc_trace`` when ``progress``, the clusterer's
    :class:`ClusteringProgress`, recorded them) and prints it without the parameters.
    """
    start = time.perf_counter()
    labels = estimator.fit_predict(X)
    row = {
        "model": label, "dataset": dataset, "seed": seed,
        "acc": clustering_accuracy(y, labels),
        "nmi": normalized_mutual_info_score(y, labels),
        "fit_seconds": time.perf_counter() - start,
        "device": str(clusterer.net_.device),
        "params": reported_params(clusterer),
    }
    if progress is not None:
        row.update(progress_fields(progress))
    print_row(row)
    return row


def stopped_run(label, dataset, seed, clusterer, progress, seconds):
    """The result row of a fit stopped by Ctrl-C (SIGINT), or ``None`` if it traced no epoch.

    Its scores are those of the last epoch :class:`ClusteringProgress` traced, which for the
    last epoch of a finished fit are the fitted model's own (the tests check this), and
    ``stopped_after_epoch`` says which epoch that was. ``fit_seconds`` runs to the stop.
    """
    if not progress.trace:
        print(json.dumps({"model": label, "dataset": dataset, "seed": seed,
                          "stopped": "before its first traced epoch: not recorded"}), flush=True)
        return None
    epoch, acc = progress.trace[-1]
    row = {
        "model": label, "dataset": dataset, "seed": seed, "acc": acc, "nmi": progress.nmi,
        "fit_seconds": seconds, "device": progress.device, "stopped_after_epoch": epoch,
        "params": reported_params(clusterer),
        **progress_fields(progress),
    }
    print_row(row)
    return row


def run(models, args, overrides):
    """Fit every ``(label, cls, params)`` of ``models`` on every dataset and seed of ``args``.

    ``overrides`` (from :func:`overrides_and_protocol`) go to every model that has the
    parameter, under the model's own ``params``; one that no selected model has is an error.

    Ctrl-C, or ``kill -INT`` of a run started in the background (which would otherwise ignore
    SIGINT), stops the fit in progress and every later one: the stopped fit is recorded from
    its last traced epoch (:func:`stopped_run`; ``--trace-every`` sets how often), the finished
    ones as they are, and the results are returned for writing as usual.

    Returns
    -------
    runs : list of dict
        One row per fit (scores, time, device, parameters), also printed as it finishes.
    summaries : list of dict
        One row per model and dataset (:func:`summarize`).
    """
    selected = [m for m in models if not args.models or m[0] in args.models]
    unknown = set(args.models or ()) - {label for label, _, _ in models}
    if unknown:
        raise SystemExit(
            f"unknown model label(s) {sorted(unknown)}; the labels are "
            f"{[label for label, _, _ in models]} (ablation labels need --ablations)"
        )
    unused = set(overrides) - {name for _, cls, _ in selected for name in cls().get_params()}
    if unused:
        raise SystemExit(f"no selected model has the parameter(s) {sorted(unused)}")
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    runs, summaries, stopped = [], [], False
    for dataset in args.datasets:
        X, y = load(dataset, args.data_home, args.n_samples)
        n_clusters = int(np.unique(y).size)
        for label, cls, params in selected:
            own = {k: v for k, v in overrides.items() if k in cls().get_params()}
            model_runs = []
            for seed in args.seeds:
                progress = ClusteringProgress(X, y, args.trace_every)
                model = cls(n_clusters=n_clusters, device=args.device, random_state=seed,
                            callbacks=[progress], memory=args.memory, **{**own, **params})
                cached_before = cached_pretrainings(args.memory)
                started = time.perf_counter()
                try:
                    row = timed_run(label, dataset, seed, model, model, X, y, progress)
                except KeyboardInterrupt:
                    stopped = True
                    row = stopped_run(label, dataset, seed, model, progress,
                                      time.perf_counter() - started)
                    if row is not None:
                        model_runs.append(row)
                    break
                row["pretrain_seconds"] = sum(r["dur"] for r in model.history_["pretrain"])
                if args.memory is not None:
                    row["pretraining_from_cache"] = (
                        cached_pretrainings(args.memory) <= cached_before
                    )
                row["epochs"] = model.n_iter_
                if hasattr(model, "converged_"):  # DEC, IDEC and WEC stop early at tol
                    row["converged"] = bool(model.converged_)
                model_runs.append(row)
            runs += model_runs
            if model_runs:
                summaries.append({"model": label, "dataset": dataset,
                                  "n_samples": int(X.shape[0]), **summarize(model_runs)})
            if stopped:
                if not runs:
                    raise KeyboardInterrupt
                return runs, summaries
    return runs, summaries


def cached_pretrainings(memory):
    """The stored pretrainings (``output.pkl`` paths) in the joblib cache folder ``memory``.

    A fit that adds none read its pretraining from the cache. A count would not do: joblib
    clears a function's stored results when that function's code has changed, so a fit can
    delete one entry and write another.
    """
    return set() if memory is None else set(Path(memory).rglob("output.pkl"))


def markdown(summaries, device_name, protocol, paper):
    """The results table, with the paper's ``(ACC, NMI)`` (``NMI`` may be ``None``) beside.

    "initial ACC" is that of the clustering the clustering phase starts from
    (:class:`ClusteringProgress`).
    """
    lines = [
        f"Device: {device_name}. Protocol: {protocol}.",
        "",
        "| model | data | n | seeds | ACC median [min, max] | NMI median [min, max] "
        "| initial ACC (median) | fit s (median) | paper ACC / NMI |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        reference = paper.get((s["model"], s["dataset"]))
        if reference is None:
            paper_text = "-"
        else:
            acc, nmi = reference
            paper_text = f"{acc:.2f} / " + ("-" if nmi is None else f"{nmi:.2f}")
        initial = s.get("init_acc_median")
        initial_text = "-" if initial is None else f"{100 * initial:.2f}"
        cached = s.get("pretrainings_from_cache", 0)
        fit_text = f"{s['fit_seconds_median']:.0f}" + (
            f" ({cached} of {s['seeds']} without pretraining: read from the cache)"
            if cached else ""
        )
        stopped = s.get("stopped_after_epochs")
        seeds_text = f"{s['seeds']}" + (
            f" ({len(stopped)} stopped after epoch {', '.join(map(str, stopped))}: scored "
            "there)" if stopped else ""
        )
        lines.append(
            f"| {s['model']} | {s['dataset']} | {s['n_samples']} | {seeds_text} "
            f"| {100 * s['acc_median']:.2f} [{100 * s['acc_min']:.2f}, {100 * s['acc_max']:.2f}] "
            f"| {100 * s['nmi_median']:.2f} [{100 * s['nmi_min']:.2f}, {100 * s['nmi_max']:.2f}] "
            f"| {initial_text} | {fit_text} | {paper_text} |"
        )
    return "\n".join(lines) + "\n"


def write_results(runs, summaries, *, protocol, paper, output, title, footnote,
                  device_name=None, extra=None):
    """Print the table and write ``<output>.json`` and ``<output>.md``.

    ``device_name`` defaults to this machine's name of the runs' device; ``extra`` adds
    entries to the JSON file.
    """
    device = runs[0]["device"] if runs else "none"
    if device_name is None:
        device_name = (torch.cuda.get_device_name(torch.device(device))
                       if device.startswith("cuda") else f"CPU ({cpu_name()}, "
                       f"{torch.get_num_threads()} torch threads)")
    table = markdown(summaries, device_name, protocol, paper)
    print("\n" + table)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    json_path, md_path = (Path(f"{output}{suffix}") for suffix in (".json", ".md"))  # "beta0.1"
    json_path.write_text(json.dumps({
        "device": device,
        "device_name": device_name,
        "protocol": protocol,
        "versions": {"skdeepcluster": skdeepcluster.__version__, "torch": torch.__version__,
                     "numpy": np.__version__},
        "summaries": summaries,
        "runs": runs,
        "paper_reference": {f"{m} / {d}": v for (m, d), v in paper.items()},
        **(extra or {}),
    }, indent=2) + "\n")
    md_path.write_text(f"# {title}\n\n{table}\n{footnote}\n")
    print(f"wrote {json_path} and {md_path}")

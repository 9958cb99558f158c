"""Compare ClustPy's IDEC with skdeepcluster's IDEC on scikit-learn's digits, on the CPU.

Both estimators run with their default hyperparameters (only ``n_clusters=10``, the seed and
``device="cpu"`` are set) on ``load_digits().data / 16``. Every fit runs in a fresh worker
process: ClustPy's under the interpreter given by ``--clustpy-python`` (a separate virtual
environment with ``clustpy`` installed), ours under the interpreter running this script. The
workers time ``fit`` alone (wall clock and process CPU time, excluding interpreter start-up and
imports) and return the labels; this process scores them with ACC (Hungarian matching), NMI and
ARI, prints a markdown table and writes a JSON report.

Seeds are interleaved (seed 0 of each library, then seed 1, ...) so that a change in the load of
the machine affects both libraries alike.

ClustPy's ``labels_`` come from a KMeans run on the final embedding; its own IDEC assignment
(argmax of the Student's t soft assignment) is ``dec_labels_``. Both are scored; ours has only
the latter kind (``labels_`` is the argmax of ``predict_proba``).

Examples
--------
Run from the repository root::

    python benchmarks/compare_clustpy.py --clustpy-python /tmp/clustpy-venv/bin/python
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from _machine import cpu_name

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "compare_clustpy_digits_cpu.json"
N_CLUSTERS = 10
LIBRARIES = ("clustpy", "skdeepcluster")
# Epoch counts of --smoke, which only checks that the whole pipeline runs end to end.
SMOKE_PARAMS = {
    "clustpy": {"pretrain_epochs": 1, "clustering_epochs": 1},
    "skdeepcluster": {"pretrain_epochs": 1, "max_epochs": 1},
}


def _jsonable_params(params):
    """Turn an estimator's ``get_params()`` into JSON values, writing other objects as ``repr``.

    Parameters
    ----------
    params : dict
        Parameter names and values.

    Returns
    -------
    dict
        The same keys; values that are not JSON scalars or sequences are replaced by their
        ``repr``.
    """
    plain = (bool, int, float, str, type(None), list, tuple)
    return {key: value if isinstance(value, plain) else repr(value) for key, value in params.items()}


def _timed_fit(estimator, X):
    """Fit ``estimator`` on ``X`` and measure the wall-clock and process CPU time of the fit.

    Parameters
    ----------
    estimator : estimator object
        Has ``fit(X)``.
    X : ndarray of shape (n_samples, n_features)
        Training data.

    Returns
    -------
    fit_seconds : float
        Wall-clock seconds of ``fit``.
    cpu_seconds : float
        CPU seconds of this process (all threads) during ``fit``.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    estimator.fit(X)
    return time.perf_counter() - wall, time.process_time() - cpu


def _fit_clustpy(X, seed, smoke):
    """Fit ClustPy's IDEC with its defaults.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training data.
    seed : int
        ``random_state`` of the estimator.
    smoke : bool
        Use the tiny epoch counts of ``SMOKE_PARAMS``.

    Returns
    -------
    dict
        Timings, labels (``labels_`` and ``dec_labels_``), parameters and library versions.
    """
    import clustpy
    import sklearn
    import torch
    from clustpy.deep import IDEC

    params = SMOKE_PARAMS["clustpy"] if smoke else {}
    estimator = IDEC(n_clusters=N_CLUSTERS, random_state=seed, device="cpu", **params)
    fit_seconds, cpu_seconds = _timed_fit(estimator, X)
    return {
        "fit_seconds": fit_seconds,
        "cpu_seconds": cpu_seconds,
        "labels": {
            "labels_": estimator.labels_.tolist(),
            "dec_labels_": estimator.dec_labels_.tolist(),
        },
        "params": _jsonable_params(estimator.get_params()),
        "torch_threads": torch.get_num_threads(),
        "versions": {
            "clustpy": clustpy.__version__,
            "torch": torch.__version__,
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
            "python": platform.python_version(),
        },
    }


def _git_state():
    """Commit of the repository and whether ``skdeepcluster/`` has uncommitted changes.

    Returns
    -------
    dict
        ``commit`` (str or None when git is unavailable) and ``skdeepcluster_dirty`` (bool or
        None).
    """
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "skdeepcluster"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "skdeepcluster_dirty": None}
    return {"commit": commit, "skdeepcluster_dirty": bool(status.strip())}


def _fit_skdeepcluster(X, seed, smoke):
    """Fit skdeepcluster's IDEC with its defaults.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training data.
    seed : int
        ``random_state`` of the estimator.
    smoke : bool
        Use the tiny epoch counts of ``SMOKE_PARAMS``.

    Returns
    -------
    dict
        Timings, labels, clustering epochs run, parameters and library versions.
    """
    import sklearn
    import skorch
    import torch

    import skdeepcluster
    from skdeepcluster import IDEC

    params = SMOKE_PARAMS["skdeepcluster"] if smoke else {}
    estimator = IDEC(n_clusters=N_CLUSTERS, random_state=seed, device="cpu", **params)
    fit_seconds, cpu_seconds = _timed_fit(estimator, X)
    return {
        "fit_seconds": fit_seconds,
        "cpu_seconds": cpu_seconds,
        "labels": {"labels_": estimator.labels_.tolist()},
        "clustering_epochs_run": int(estimator.n_iter_),
        "converged": bool(estimator.converged_),
        "params": _jsonable_params(estimator.get_params()),
        "torch_threads": torch.get_num_threads(),
        "versions": {
            "skdeepcluster": skdeepcluster.__version__,
            **_git_state(),
            "torch": torch.__version__,
            "skorch": skorch.__version__,
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
            "python": platform.python_version(),
        },
    }


def _worker(argv):
    """Entry point of a worker process: fit one library for one seed and write a JSON result.

    Parameters
    ----------
    argv : list of str
        ``LIBRARY DATA_NPY SEED RESULT_JSON SMOKE`` where ``SMOKE`` is ``0`` or ``1``.
    """
    library, data_path, seed, result_path, smoke = argv
    X = np.load(data_path)
    fit = _fit_clustpy if library == "clustpy" else _fit_skdeepcluster
    result = fit(X, int(seed), smoke == "1")
    Path(result_path).write_text(json.dumps(result))


def _run_worker(python, library, data_path, seed, smoke, workdir):
    """Run :func:`_worker` in a fresh process of ``python`` and return its result.

    Parameters
    ----------
    python : str
        Interpreter of the worker.
    library : {"clustpy", "skdeepcluster"}
        Library to fit.
    data_path : Path
        ``.npy`` file holding the training data.
    seed : int
        Random seed of the estimator.
    smoke : bool
        Use the tiny epoch counts of ``SMOKE_PARAMS``.
    workdir : Path
        Directory for the worker's result file.

    Returns
    -------
    dict
        The worker's result (see :func:`_fit_clustpy` and :func:`_fit_skdeepcluster`), with the
        interpreter added.

    Raises
    ------
    RuntimeError
        If the worker exits with a non-zero status.
    """
    result_path = workdir / f"{library}_{seed}.json"
    command = [python, str(Path(__file__).resolve()), "--worker", library, str(data_path)]
    command += [str(seed), str(result_path), str(int(smoke))]
    # ClustPy draws tqdm bars; ours (verbose=0) draws none, so silence them for a fair timing.
    env = {**os.environ, "TQDM_DISABLE": "1"}
    completed = subprocess.run(command, capture_output=True, text=True, env=env)
    if completed.returncode != 0:
        raise RuntimeError(
            f"{library} worker (seed {seed}, {python}) failed with exit status "
            f"{completed.returncode} (is {library} importable there? see --clustpy-python):\n"
            f"{completed.stderr[-4000:]}"
        )
    result = json.loads(result_path.read_text())
    result["python_executable"] = python
    return result


def _scores(y, labels):
    """ACC, NMI and ARI of ``labels`` against the classes ``y``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        True classes.
    labels : array-like of shape (n_samples,)
        Cluster labels.

    Returns
    -------
    dict
        ``acc``, ``nmi`` and ``ari``.
    """
    from skdeepcluster.metrics import clustering_accuracy

    return {
        "acc": clustering_accuracy(y, labels),
        "nmi": float(normalized_mutual_info_score(y, labels)),
        "ari": float(adjusted_rand_score(y, labels)),
    }


def _mean_std(values):
    """Mean and population standard deviation of ``values``.

    Parameters
    ----------
    values : list of float

    Returns
    -------
    dict
        ``mean`` and ``std``.
    """
    return {"mean": float(np.mean(values)), "std": float(np.std(values))}


def _summarize(runs):
    """Aggregate per-seed runs into one row per library and kind of labels.

    Parameters
    ----------
    runs : list of dict
        Per-seed records with ``library``, ``fit_seconds``, ``cpu_seconds`` and ``scores``
        (kind of labels to ACC/NMI/ARI).

    Returns
    -------
    list of dict
        Rows with ``library``, ``labels``, ``n_seeds`` and mean/std of every timing and score.
    """
    rows = []
    for library in LIBRARIES:
        own = [run for run in runs if run["library"] == library]
        if not own:
            continue
        for kind in own[0]["scores"]:
            row = {"library": library, "labels": kind, "n_seeds": len(own)}
            for key in ("fit_seconds", "cpu_seconds"):
                row[key] = _mean_std([run[key] for run in own])
            for metric in ("acc", "nmi", "ari"):
                row[metric] = _mean_std([run["scores"][kind][metric] for run in own])
            rows.append(row)
    return rows


def _markdown_table(rows):
    """Format summary rows as a markdown table.

    Parameters
    ----------
    rows : list of dict
        Output of :func:`_summarize`.

    Returns
    -------
    str
    """

    def cell(stats, digits):
        return f"{stats['mean']:.{digits}f} ± {stats['std']:.{digits}f}"

    lines = [
        "| library | labels | seeds | fit wall s | fit CPU s | ACC | NMI | ARI |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['library']} | `{row['labels']}` | {row['n_seeds']} "
            f"| {cell(row['fit_seconds'], 1)} | {cell(row['cpu_seconds'], 1)} "
            f"| {cell(row['acc'], 3)} | {cell(row['nmi'], 3)} | {cell(row['ari'], 3)} |"
        )
    return "\n".join(lines)


def _parse_args(argv):
    """Parse the command line of the comparison.

    Parameters
    ----------
    argv : list of str

    Returns
    -------
    argparse.Namespace
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clustpy-python",
        default=sys.executable,
        help="Python interpreter with clustpy installed (default: this interpreter).",
    )
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0, 1, 2], help="Seeds (default: 0 1 2)."
    )
    parser.add_argument(
        "--only",
        choices=["clustpy", "ours", "both"],
        default="both",
        help="Libraries to run (default: both).",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"JSON report (default: {DEFAULT_OUTPUT.relative_to(REPO_ROOT)}; with --smoke, a "
        "file in the temporary directory).",
    )
    # One epoch per phase: checks the pipeline end to end, the numbers mean nothing.
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    """Run the comparison, print a markdown table and write the JSON report.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments; ``sys.argv[1:]`` when None.
    """
    args = _parse_args(argv)
    libraries = {"clustpy": ["clustpy"], "ours": ["skdeepcluster"], "both": list(LIBRARIES)}
    libraries = libraries[args.only]
    pythons = {"clustpy": args.clustpy_python, "skdeepcluster": sys.executable}
    output = args.output
    if output is None:
        output = Path(tempfile.gettempdir()) / DEFAULT_OUTPUT.name if args.smoke else DEFAULT_OUTPUT
    digits = load_digits()
    X, y = digits.data / 16.0, digits.target

    runs, workers = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        data_path = workdir / "digits.npy"
        np.save(data_path, X)
        for seed in args.seeds:
            for library in libraries:
                print(f"fitting {library} IDEC, seed {seed} ...", file=sys.stderr, flush=True)
                result = _run_worker(pythons[library], library, data_path, seed, args.smoke, workdir)
                labels = result.pop("labels")
                run = {
                    "library": library,
                    "seed": seed,
                    "fit_seconds": result.pop("fit_seconds"),
                    "cpu_seconds": result.pop("cpu_seconds"),
                    "scores": {kind: _scores(y, pred) for kind, pred in labels.items()},
                }
                if library == "skdeepcluster":
                    run["clustering_epochs_run"] = result.pop("clustering_epochs_run")
                    run["converged"] = result.pop("converged")
                runs.append(run)
                workers[library] = result

    summary = _summarize(runs)
    mean_time = {row["library"]: row["fit_seconds"]["mean"] for row in summary}
    ratio = None
    if len(mean_time) == 2:
        ratio = mean_time["clustpy"] / mean_time["skdeepcluster"]
    report = {
        "benchmark": "IDEC with default settings on sklearn.datasets.load_digits, X / 16, CPU",
        "smoke": args.smoke,
        "seeds": args.seeds,
        "n_clusters": N_CLUSTERS,
        "data": {
            "name": "sklearn.datasets.load_digits",
            "scaling": "X / 16",
            "n_samples": int(X.shape[0]),
            "n_features": int(X.shape[1]),
            "n_classes": int(np.unique(y).size),
        },
        "machine": {
            "processor": platform.processor(),
            "cpu_model": cpu_name(),
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "thread_env": {
                name: os.environ.get(name)
                for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE")
            },
        },
        "libraries": workers,
        "runs": runs,
        "summary": summary,
        "time_ratio_clustpy_over_skdeepcluster": ratio,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")

    if args.smoke:
        print("SMOKE RUN: one epoch per phase; the numbers below are not a benchmark.\n")
    print(_markdown_table(summary))
    if ratio is not None:
        print(f"\nfit wall-time ratio clustpy / skdeepcluster: {ratio:.2f}")
    print(f"\nwrote {output}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        if sys.argv[2] == "skdeepcluster":
            sys.path.insert(0, str(REPO_ROOT))
        _worker(sys.argv[2:])
    else:
        sys.path.insert(0, str(REPO_ROOT))
        main()

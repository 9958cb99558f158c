"""Merge the result files of one reproduction protocol run seed by seed into one table.

A CPU fit of WEC or IDEC on MNIST-70k takes hours, so the seeds of a protocol are often run
as separate commands (``--seeds 0``, ``--seeds 1``, ...), each writing its own
``<output>.json``. This script reads such files, checks that they ran the same protocol with
the same parameters (only ``random_state``, ``memory``, the pretraining cache folder whose
hits give the same fit, and ``verbose`` may differ; a parameter that an older file lacks is
listed, not compared) and that no seed of a model appears twice, recomputes the median,
min and max over all seeds, and writes ``<output>.json`` and ``<output>.md`` in the format of
the reproduction scripts, with the source files and every device they ran on named.

Example::

    python benchmarks/merge_results.py --title "WEC, MNIST-70k, DEC-Keras pretraining" \\
        --output benchmarks/results/wec_mnist_dec_keras_pretraining_seeds_cpu \\
        benchmarks/results/wec_mnist_mmd_dec_keras_pretraining_cpu.json \\
        benchmarks/results/wec_mnist_mmd_dec_keras_pretraining_seed1_cpu.json
"""

import argparse
import json
import re
from pathlib import Path

from _reproduction import summarize, write_results

# Parameters that may differ between merged runs: the seed, the pretraining cache folder
# (``--memory``; a fit that reads its pretraining from the cache is the fit that wrote it) and
# ``verbose`` (``--set verbose=2`` changes what a fit prints, not what it computes).
NOT_COMPARED = ("random_state", "memory", "verbose")
PROTOCOL_DEVIATIONS = "deviations: "


def comparable_protocol(protocol):
    """``protocol`` without the ``--set`` deviations of the parameters in ``NOT_COMPARED``.

    >>> comparable_protocol("deviations: max_epochs=20 (paper: 200), verbose=2")
    'deviations: max_epochs=20 (paper: 200)'
    >>> comparable_protocol("deviations: verbose=2")
    "paper's, defaults"
    """
    if not protocol.startswith(PROTOCOL_DEVIATIONS):
        return protocol
    deviations = re.split(r", (?![^(]*\))", protocol[len(PROTOCOL_DEVIATIONS):])  # not in (...)
    kept = [d for d in deviations if d.split("=", 1)[0] not in NOT_COMPARED]
    return PROTOCOL_DEVIATIONS + ", ".join(kept) if kept else "paper's, defaults"


def read(paths):
    """The parsed result files, in the order given."""
    return [json.loads(Path(path).read_text()) for path in paths]


def check_compatible(results, paths):
    """Raise ``SystemExit`` unless the files share a protocol, parameters and distinct seeds.

    Returns
    -------
    unshared : list of str
        Parameters that some runs of a model record and others do not (older files).
    """
    protocols = {comparable_protocol(r["protocol"]) for r in results}
    if len(protocols) > 1:
        raise SystemExit(f"the files ran different protocols: {sorted(protocols)}")
    by_model, unshared = {}, set()
    for path, result in zip(paths, results):
        for row in result["runs"]:
            key = (row["model"], row["dataset"])
            params = {k: v for k, v in row["params"].items() if k not in NOT_COMPARED}
            first = by_model.setdefault(key, {"params": params, "seeds": {}, "path": path})
            if row["seed"] in first["seeds"]:
                raise SystemExit(
                    f"{key[0]} on {key[1]}, seed {row['seed']}, is in both "
                    f"{first['seeds'][row['seed']]} and {path}"
                )
            first["seeds"][row["seed"]] = path
            shared = params.keys() & first["params"].keys()
            unshared |= params.keys() ^ first["params"].keys()
            differing = sorted(k for k in shared if params[k] != first["params"][k])
            if differing:
                raise SystemExit(
                    f"{key[0]} on {key[1]}: {path} and {first['path']} differ in "
                    + ", ".join(f"{k} ({params[k]} / {first['params'][k]})" for k in differing)
                )
    return sorted(unshared)


def merge(results):
    """All runs, sorted by model, dataset and seed, and one summary per model and dataset."""
    runs = sorted((row for r in results for row in r["runs"]),
                  key=lambda row: (row["model"], row["dataset"], row["seed"]))
    sizes = {(s["model"], s["dataset"]): s["n_samples"] for r in results for s in r["summaries"]}
    summaries = []
    for model, dataset in dict.fromkeys((row["model"], row["dataset"]) for row in runs):
        model_runs = [row for row in runs if (row["model"], row["dataset"]) == (model, dataset)]
        summaries.append({"model": model, "dataset": dataset,
                          "n_samples": sizes[(model, dataset)], **summarize(model_runs)})
    return runs, summaries


def paper_reference(results):
    """The papers' numbers of the files, keyed ``(model, dataset)`` as the scripts key them."""
    reference = {}
    for result in results:
        for key, value in result.get("paper_reference", {}).items():
            model, dataset = key.rsplit(" / ", 1)
            reference[(model, dataset)] = tuple(value)
    return reference


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+",
                        help="result files (.json) of the reproduction scripts")
    parser.add_argument("--output", required=True, help="path of the merged files, no suffix")
    parser.add_argument("--title", required=True, help="first line of the markdown file")
    args = parser.parse_args(argv)
    results = read(args.files)
    unshared = check_compatible(results, args.files)
    runs, summaries = merge(results)
    device_names = list(dict.fromkeys(r["device_name"] for r in results))
    footnote = (
        "Merged by `benchmarks/merge_results.py` from "
        + ", ".join(f"`{Path(p).name}`" for p in args.files)
        + ". Fit times come from every device named above."
        + (f" Parameters not recorded by every file (not compared): {', '.join(unshared)}."
           if unshared else "")
        + "\nThe last column is the paper's number, for reference only."
    )
    write_results(
        runs, summaries, protocol=comparable_protocol(results[0]["protocol"]),
        paper=paper_reference(results),
        output=args.output, title=args.title, footnote=footnote,
        device_name="; ".join(device_names),
        extra={"merged_from": [Path(p).name for p in args.files],
               "versions_of_sources": [r["versions"] for r in results]},
    )


if __name__ == "__main__":
    main()

"""Rerun only the clustering phase of VaDE, DVAE or DGG from a pretraining stored by ``--memory``.

A pretraining on MNIST-70k takes 45 to 90 minutes on a CPU; the clustering phases that start
from it take a few seconds per epoch. This script fits a model whose pretraining is read from
one entry of a ``reproduce_gmvae.py --memory DIR`` cache (the ``output.pkl`` of
``pretrained_snapshot``), whatever the rest of its parameters, so that changes to the
clustering phase (``lr``, ``beta``, the likelihood, ...) can be compared from one start.

The estimators' own cache would miss here: its key holds every callback, and this script's
progress callback differs with ``--trace-every``. The entry must come from a fit on the same
data, seed and pretraining parameters as the ones given here (``--pretraining``, and
``--set`` of ``batch_size``, ``pretrain_loss`` ...); the script checks the stored settings
against the model's. What a fit then does after the pretraining is what an uncached fit with
the same parameters does: the stored torch RNG state is put back, as on a cache hit.
``fit_seconds`` in the results therefore excludes the pretraining.

Example (the 2026-12-05 MNIST-70k runs of ``docs/results.md``)::

    python benchmarks/elbo_phase_from_cache.py --datasets mnist --models DVAE \\
        --pretraining dec-keras --set pretrain_loss=mse --set batch_size=300 \\
        --set lr=0.0005 --set beta=1.0 --set warmup_epochs=17 --max-epochs 100 \\
        --trace-every 1 --cache-entry DIR/joblib/.../pretrained_snapshot/<hash>/output.pkl
"""

import json
from pathlib import Path

import joblib

import skdeepcluster.methods._autoencoding as autoencoding
from skdeepcluster.utils._torch import set_torch_rng_state

from _reproduction import common_arguments, overrides_and_protocol, run, write_results
from reproduce_gmvae import PAPER, configurations


def read_pretraining_from(path):
    """Make every pretraining of this process the one stored at ``path``.

    Replaces the function that ``build_and_pretrain`` calls (and caches) by one that returns
    the stored ``(net, history, rng_state)`` and puts the stored torch RNG state back, after
    checking against the entry's ``metadata.json`` that it was pretrained with the settings,
    seed and batch size the fit asks for.
    """
    path = Path(path)
    stored = json.loads((path.parent / "metadata.json").read_text())["input_args"]
    net, history, rng_state = joblib.load(path)

    def stored_pretraining(X_key, X, config, verbose, settings):
        asked = f"seed={config.seed}, batch_size={config.batch_size}"
        if stored["settings"] != repr(settings) or asked not in stored["config"]:
            raise SystemExit(
                f"{path} holds a pretraining with {stored['settings']} and "
                f"{stored['config']}; this fit asks for {settings!r} with {asked}"
            )
        set_torch_rng_state(rng_state, config.device)
        return net, history, rng_state

    autoencoding.pretrained_snapshot = stored_pretraining


def main(argv=None):
    parser = common_arguments(__doc__.splitlines()[0], ["mnist"], "elbo_phase")
    parser.add_argument("--cache-entry", required=True,
                        help="the output.pkl of a pretrained_snapshot cache entry")
    args = parser.parse_args(argv)
    if args.memory is not None:
        parser.error("--memory does not apply: the pretraining comes from --cache-entry")
    read_pretraining_from(args.cache_entry)
    overrides, protocol = overrides_and_protocol(args, paper_epochs="300 VaDE / DVAE")
    if args.max_epochs is not None:
        protocol += f", DVAE warmup_epochs={round(args.max_epochs * 50 / 300)} unless set"
    protocol += f"; pretraining read from {args.cache_entry} (fit times exclude it)"
    runs, summaries = run(configurations(False, args.max_epochs), args, overrides)
    write_results(runs, summaries, protocol=protocol, paper=PAPER, output=args.output,
                  title="Clustering phase from a stored pretraining",
                  footnote="Fit times exclude the pretraining, read from the cache entry.")


if __name__ == "__main__":
    main()

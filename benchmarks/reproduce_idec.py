"""IDEC and DEC with the IDEC paper's protocol on real benchmark data.

Protocol of Guo et al. (IJCAI 2017) and their public code: autoencoder ``d-500-500-2000-10``
pretrained end to end for 200 epochs (Adam, lr 1e-3, batch 256); clustering with Adam lr 1e-3,
batch 256, gamma 0.1 (IDEC), target distribution refreshed every 140 mini-batches, stop when
fewer than 0.1% of labels change or after 20,000 mini-batches (the epoch cap is worked out
from each data set's size). MNIST is scaled to [0, 1] (x / 255); USPS is used as stored in
[0, 1]. DEC runs the same protocol without the reconstruction term.

``--pretraining dec-keras`` replaces that pretraining with the one Guo's later DEC-Keras code
uses on MNIST (``run_exp.py`` there): weights ``U(+-sqrt(1/fan_in))``, zero biases, SGD with
lr 1 and momentum 0.9, 300 epochs, batch 256, squared error. Its ``results/exp1/results.csv``
reports KMeans on that embedding at ACC 0.879 (mean of 10 trials, 0.807-0.921) and DEC after
it at 0.912. The IDEC code itself asks for autoencoder weights pretrained with DEC's Caffe code
(or downloaded); this recipe is the one its author published with code and per-trial results.

With ``--memory DIR`` IDEC and DEC of one seed share one pretraining. ``--trace-every 1``
records the ACC after every clustering epoch; every run records the ACC of its initial
centroids (KMeans on the pretrained embedding).

Published numbers are printed in their own column (and, for IDEC on MNIST, the other papers'
in the footnote); they are never written into our results. Writes ``<output>.json`` and a
markdown table ``<output>.md`` in the format of the other reproduction scripts, so seeds run
as separate commands merge with ``merge_results.py``.

Example::

    python benchmarks/reproduce_idec.py --data-home ../shared/data --datasets mnist --seeds 0
"""

import argparse
import math

from skdeepcluster import DEC, IDEC

from _reproduction import common_arguments, load, overrides_and_protocol, run, write_results

# Published (ACC, NMI) in percent, reference only: Guo et al. 2017 for IDEC on MNIST (no NMI
# there), the WEC paper's Table III for DEC on MNIST, the DVAE paper's Tables 2-3 for USPS.
PAPER = {
    ("IDEC", "mnist"): (88.06, None),
    ("DEC", "mnist"): (84.46, 80.91),
    ("IDEC", "usps"): (75.90, 80.50),
}
OTHER_REPORTS = ("Other reports of IDEC on MNIST: 84.92 / 82.37 (WEC paper, Table III), "
                 "77.24 / 76.34 (DVAE paper, Tables 2-3).")
MAX_BATCHES = 20_000
BATCH_SIZE = 256


def paper_protocol(n_samples):
    """Guo et al.'s settings for a data set of ``n_samples`` (cap: 20,000 mini-batches)."""
    return dict(
        pretrain="end_to_end", pretrain_epochs=200, pretrain_optimizer="adam", pretrain_lr=None,
        weight_init="glorot_uniform", update_interval=140, tol=1e-3, batch_size=BATCH_SIZE,
        lr=1e-3, max_epochs=math.ceil(MAX_BATCHES / math.ceil(n_samples / BATCH_SIZE)),
    )


def main(argv=None):
    parser = common_arguments(__doc__.splitlines()[0], ["mnist"], "idec")
    args = parser.parse_args(argv)
    deviations, protocol = overrides_and_protocol(args, paper_epochs="20,000 mini-batches")
    models = [("IDEC", IDEC, {}), ("DEC", DEC, {})]
    runs, summaries = [], []
    for dataset in args.datasets:
        n_samples = load(dataset, args.data_home, args.n_samples)[1].size
        one_dataset = argparse.Namespace(**{**vars(args), "datasets": [dataset]})
        dataset_runs, dataset_summaries = run(
            models, one_dataset, {**paper_protocol(n_samples), **deviations}
        )
        runs += dataset_runs
        summaries += dataset_summaries
    write_results(
        runs, summaries, protocol=protocol, paper=PAPER, output=args.output,
        title="IDEC / DEC reproduction (benchmarks/reproduce_idec.py)",
        footnote="The last column is a published number, for reference only."
        + (" " + OTHER_REPORTS if "mnist" in args.datasets else ""),
    )


if __name__ == "__main__":
    main()

"""``gradwise tune``: search a network for a CSV file (or a bundled dataset) and keep the best one.

Steps: read the rows; split off the held-out test rows; fit the preprocessing on the
training rows; run a Tuner over the default search space (EarlyStopping inside every
trial, median pruning); evaluate the best trial's saved model on the test rows once; write
runs/NAME/ (the study, best.gw with its preprocessing, summary.json, trials.csv, plots).
"""

import argparse
import functools
import os
import time

from .datasets import DATASETS, load_dataset
from .preprocess import IMPUTE_STRATEGIES
from .table import read_csv
from .target import TASKS

DATA_KEY = "gradwise:data"
EXAMPLES = """examples:
  gradwise tune --dataset pima
  gradwise tune --dataset digits --trials 40 --workers 2
  gradwise tune --data houses.csv --target price --impute median --name houses
  gradwise tune --dataset pima --storage postgresql://user:password@db-host/studies --name pima-shared

Running the same command again resumes the study in runs/NAME; --overwrite starts over.
View a study with:  optuna-dashboard runs/NAME/study.journal"""


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "tune", help="search hyperparameters and architecture for a CSV file or a bundled dataset",
        description="Search a network " + __doc__.split("\n\n")[0].split(": search a network ", 1)[1], epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", metavar="FILE", help="CSV file with a header row")
    source.add_argument("--dataset", choices=DATASETS, help="a bundled dataset instead of --data")
    parser.add_argument("--target", metavar="COLUMN", help="the column to predict (required with --data)")
    parser.add_argument("--task", choices=TASKS, help="override the task inferred from the target")
    parser.add_argument("--impute", choices=IMPUTE_STRATEGIES, help="fill missing feature values (default: error)")
    parser.add_argument("--trials", type=_positive, default=60, help="trials in the study (default 60)")
    parser.add_argument("--epochs", type=_positive, default=100, help="most epochs per trial (default 100)")
    parser.add_argument("--patience", type=_positive, default=10, help="EarlyStopping patience (default 10)")
    parser.add_argument("--batch-size", type=_positive, default=32, help="batch size (default 32)")
    parser.add_argument("--workers", type=_positive, default=1, help="trials run at once, one process each (default 1)")
    parser.add_argument("--threads", type=_positive, default=1, help="BLAS threads per worker (default 1)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="start no trial after this many seconds")
    parser.add_argument("--storage", metavar="URL", help="database URL shared by many machines (default: journal file)")
    parser.add_argument("--name", help="study name and folder under --runs-dir (default: dataset or file name)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the sampler and every trial (default 0)")
    parser.add_argument("--objective", default="val_loss",
                        help="logged key to optimize (default val_loss: smoother than val_accuracy on small "
                             "validation sets)")
    parser.add_argument("--sampler", choices=["tpe", "random"], default="tpe", help="Optuna sampler (default tpe)")
    parser.add_argument("--pruner", choices=["median", "hyperband", "none"], default="median",
                        help="Optuna pruner (default median)")
    parser.add_argument("--test-size", type=float, default=0.2, help="fraction of rows held out for the test (default 0.2)")
    parser.add_argument("--runs-dir", default="runs", help="parent folder of the run folders (default runs)")
    parser.add_argument("--overwrite", action="store_true", help="delete a stored study of this name and start over")
    parser.add_argument("--no-refit", dest="refit", action="store_false",
                        help="save the best trial's model as trained in the search, instead of training its "
                             "configuration again on train + validation rows")
    parser.set_defaults(handler=run)
    return parser


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _load(args):
    if args.dataset:
        table, target = load_dataset(args.dataset)
        return table, args.target or target, args.name or args.dataset
    if not args.target:
        raise ValueError("--target COLUMN is required with --data (the column to predict).")
    table = read_csv(args.data)
    return table, args.target, args.name or os.path.splitext(os.path.basename(args.data))[0]


def _check_same_data(tuner, fingerprint):
    stored = tuner.study.user_attrs.get(DATA_KEY)
    if stored is None:
        tuner.study.set_user_attr(DATA_KEY, fingerprint)
    elif stored != fingerprint:
        raise ValueError(f"Study '{tuner.project_name}' was run on other data or settings ({stored}); now "
                         f"{fingerprint}. Use --overwrite to start over, or another --name.")


def run(args):
    """Run the search; returns the exit status."""
    from ..callbacks import EarlyStopping
    from ..tuning import Tuner
    from .data import prepare
    from .report import Reporter
    from .space import build_default_model

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # the command prints its own progress
    started = time.time()
    table, target, name = _load(args)
    if not 0 < args.test_size < 1:
        raise ValueError(f"--test-size must be between 0 and 1, got {args.test_size}.")
    prepared = prepare(table, target, args.task, args.impute, args.test_size, seed=args.seed)
    objective = args.objective
    classes = len(prepared.classes) if prepared.task == "multiclass" else None
    build = functools.partial(build_default_model, features=prepared.x_train.shape[1], task=prepared.task,
                              classes=classes)
    tuner = Tuner(build, objective=objective, max_trials=args.trials, sampler=args.sampler,
                  pruner=None if args.pruner == "none" else args.pruner, directory=args.runs_dir, project_name=name,
                  seed=args.seed, workers=args.workers, storage=args.storage, overwrite=args.overwrite,
                  threads_per_worker=args.threads)
    fingerprint = {"source": table.source, "rows": table.rows, "columns": table.names, "target": target,
                   "task": prepared.task, "seed": args.seed, "test_size": args.test_size, "impute": args.impute}
    _check_same_data(tuner, fingerprint)
    reporter = Reporter(tuner, prepared, name, args)
    reporter.header(table)
    stop = EarlyStopping(monitor=objective, patience=args.patience, restore_best_weights=True)
    tuner.search(prepared.x_train, prepared.y_train, epochs=args.epochs, batch_size=args.batch_size,
                 validation_data=(prepared.x_val, prepared.y_val), callbacks=[stop], timeout=args.timeout,
                 on_trial=reporter.trial_line)
    return reporter.finish(time.time() - started)

"""``gradwise tune``: search a network for a CSV file (or a bundled dataset) and keep the best one.

Steps: read the rows; split off the held-out test rows; screen the columns and fit the
preprocessing on the training rows; fit the baselines on the same folds; run the search
(each trial cross-validated on the training rows, see ``search``) until the trials or the
time budget run out; choose the best trial or an ensemble of the best few (``ensemble``),
whose fold networks are the final model; score it and the baselines on the test rows once; write
runs/NAME/ (the study, best.gw with its preprocessing, summary.json, trials.csv, plots).
"""

import argparse
import os
import time

from .datasets import DATASETS, load_dataset
from .preprocess import IMPUTE_STRATEGIES
from .table import read_csv
from .target import TASKS

DATA_KEY = "gradwise:data"
DEFAULT_BUDGET = 45.0
BASELINE_SHARE = 0.3  # the baselines stop once this fraction of the budget has passed
EPOCHS = 100  # most epochs of a fit (--epochs); each stops early after PATIENCE epochs without improvement
PATIENCE = 10
MOST_WORKERS = 8  # the default's bound: only 2 cores were ever measured (``default_workers``)
EXAMPLES = """examples:
  gradwise tune --dataset pima
  gradwise tune --data customers.csv --target churned --drop email --time-budget 120
  gradwise tune --dataset digits --trials 40 --workers 2
  gradwise tune --dataset pima --storage postgresql://user:password@db-host/studies --name pima-shared

Running the same command again resumes the study in runs/NAME; --overwrite starts over.
Each run writes runs/NAME/report.html (rebuild it with: gradwise report runs/NAME).
Watch a study live with:  gradwise dashboard runs/NAME"""


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
    parser.add_argument("--impute", choices=[*IMPUTE_STRATEGIES, "none"], default="median",
                        help="fill missing feature values: numbers with this statistic, text with its most "
                             "frequent value (default median); none: missing values are an error")
    parser.add_argument("--drop", type=_names, default=[], metavar="COL,...", help="columns not to learn from")
    parser.add_argument("--keep", type=_names, default=[], metavar="COL,...",
                        help="columns to keep although they look like IDs, constants or free text")
    parser.add_argument("--group", metavar="COLUMN",
                        help="a column whose rows belong together (a patient, a store): the test rows and every "
                             "fold are whole groups, so the scores are those of new groups; not a feature")
    parser.add_argument("--group-rows", type=_block_rows, metavar="K",
                        help="the rows come in blocks of K consecutive rows, one unit's each (a panel written one "
                             "unit after another, no column naming it): kept whole as --group keeps a column's groups")
    parser.add_argument("--group-runs", type=_run_columns, metavar="COL,...",
                        help="the rows come in runs of consecutive rows equal in these columns, one unit's each (a "
                             "panel written one unit after another in blocks of different lengths): kept whole as "
                             "--group keeps a column's groups; the columns stay features")
    parser.add_argument("--group-copies", action="store_true",
                        help="rows that are exact copies of each other (one observation written twice) are kept "
                             "whole as --group keeps a column's groups, so no test row has a copy in training")
    parser.add_argument("--time-budget", type=_seconds("--time-budget"), default=DEFAULT_BUDGET, metavar="SECONDS",
                        help=f"wall-clock seconds for the whole run, search and final fit included "
                             f"(default {DEFAULT_BUDGET:.0f})")
    parser.add_argument("--trials", type=_positive, default=100, help="most trials in the study (default 100)")
    parser.add_argument("--epochs", type=_positive, default=EPOCHS, help=f"most epochs per fit (default {EPOCHS})")
    parser.add_argument("--patience", type=_positive, default=PATIENCE,
                        help=f"EarlyStopping patience (default {PATIENCE})")
    parser.add_argument("--batch-size", type=_positive, help="batch size (default: 32, 64 or 128 by table size)")
    parser.add_argument("--workers", type=_positive,
                        help=f"trials run at once, one process each (default: one per core this process may use, "
                             f"at most {MOST_WORKERS})")
    parser.add_argument("--threads", type=_positive, default=1, help="BLAS threads per worker (default 1)")
    parser.add_argument("--timeout", type=_seconds("--timeout"), metavar="SECONDS",
                        help="start no trial after this many seconds of search")
    parser.add_argument("--storage", metavar="URL", help="database URL shared by many machines (default: journal file)")
    parser.add_argument("--name", help="study name and folder under --runs-dir (default: dataset or file name)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the sampler and every trial (default 0)")
    parser.add_argument("--sampler", choices=["tpe", "random"], default="tpe", help="Optuna sampler (default tpe)")
    parser.add_argument("--pruner", choices=["median", "hyperband", "none"], default="median",
                        help="Optuna pruner over the folds of a trial (default median)")
    parser.add_argument("--test-size", type=float, default=0.2, help="fraction of rows held out for the test (default 0.2)")
    parser.add_argument("--no-baselines", dest="baselines", action="store_false",
                        help="skip the scikit-learn baselines (LogisticRegression/Ridge, HistGradientBoosting)")
    parser.add_argument("--runs-dir", default="runs", help="parent folder of the run folders (default runs)")
    parser.add_argument("--overwrite", action="store_true", help="delete a stored study of this name and start over")
    parser.set_defaults(handler=run)
    return parser


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _block_rows(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--group-rows must be a whole number of rows, got {text!r}") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"--group-rows must be at least 2 (rows per unit), got {text}")
    return value


def _run_columns(text):
    names = _names(text)
    if not names:
        raise argparse.ArgumentTypeError(f"--group-runs must name at least one column (COL,...), got {text!r}")
    return names


def _seconds(flag):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be a number of seconds, got {text!r}") from None
        if not value > 0 or value == float("inf"):
            raise argparse.ArgumentTypeError(f"{flag} must be a positive number of seconds, got {text}")
        return value
    return parse


def _names(text):
    return [name.strip() for name in text.split(",") if name.strip()]


# At most this much of the time before gradwise's import is counted as the interpreter's own start.
INTERPRETER_START_ALLOWANCE = 2.0


def process_started():
    """When this command started, as a ``time.time()`` value: the process start read from Linux's
    /proc, but no earlier than INTERPRETER_START_ALLOWANCE before gradwise's import began.

    /proc gives the time the process was forked, and a shell that runs ``a && b && gradwise tune``
    (``bash -c``, a subshell, the README's one-liner) execs its last command in its own process,
    forked before ``a``: a bare /proc start would charge a venv's creation and a pip install to the
    search. Where /proc does not tell (not Linux), gradwise's import start."""
    import gradwise

    imported = gradwise._IMPORT_STARTED
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        with open("/proc/uptime", encoding="ascii") as uptime:
            since_boot = float(uptime.read().split()[0])
        age = since_boot - int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime, in clock ticks
    except (OSError, ValueError, IndexError, AttributeError):
        return imported
    return max(time.time() - max(age, 0.0), imported - INTERPRETER_START_ALLOWANCE)


def _load(args):
    if args.dataset:
        table, target = load_dataset(args.dataset)
        return table, args.target or target, args.name or args.dataset
    if not args.target:
        raise ValueError("--target COLUMN is required with --data (the column to predict).")
    table = read_csv(args.data)
    return table, args.target, args.name or os.path.splitext(os.path.basename(args.data))[0]


def _grouped(table, args, target):
    """(table, the run's group column or None): --group's column, or with --group-rows K a column numbering the
    blocks of K rows (``groups.with_row_blocks``), with --group-runs one numbering the runs of rows equal in
    its columns (``groups.with_row_runs``), or with --group-copies one numbering the distinct rows
    (``groups.with_row_copies``), added to `table`."""
    runs = getattr(args, "group_runs", None)
    copies = getattr(args, "group_copies", False)
    given = [f"{flag} {shown}".strip() for flag, value, shown in (
        ("--group", args.group, repr(args.group)), ("--group-rows", args.group_rows, args.group_rows),
        ("--group-runs", runs, ",".join(runs or ())), ("--group-copies", copies, "")) if value]
    if len(given) > 1:
        raise ValueError(f"{' and '.join(given)} {'both' if len(given) == 2 else 'all'} say which rows belong "
                         "together: give one of them.")
    if runs:
        return _runs(table, runs, target)
    if copies:
        from .groups import with_row_copies

        return with_row_copies(table)
    if not args.group_rows:
        return table, args.group
    from .groups import MIN_GROUPS, with_row_blocks

    if table.rows < MIN_GROUPS * args.group_rows:
        raise ValueError(f"--group-rows {args.group_rows}: {table.source} holds {table.rows} rows, fewer than "
                         f"{MIN_GROUPS} blocks of {args.group_rows}; give the rows per unit.")
    return with_row_blocks(table, args.group_rows)


def _runs(table, names, target):
    """--group-runs `names`: `table` with a column numbering its runs (``groups.with_row_runs``), and that column's
    name."""
    from .groups import MIN_GROUPS, with_row_runs

    if target in names:
        raise ValueError(f"--group-runs names the target {target!r}: the runs must be read from the features "
                         "(runs of equal targets would split the rows by their answers).")
    table, name = with_row_runs(table, names)
    runs = int(table[name].max()) if table.rows else 0
    if runs < MIN_GROUPS:
        raise ValueError(f"--group-runs: {table.source} holds {runs} run(s) of consecutive rows equal in "
                         f"{', '.join(map(repr, names))}, fewer than {MIN_GROUPS}; name the columns that "
                         "never change within one unit's rows.")
    return table, name


def _check_same_data(tuner, fingerprint):
    stored = tuner.study.user_attrs.get(DATA_KEY)
    if stored is None:
        tuner.study.set_user_attr(DATA_KEY, fingerprint)
    elif stored != fingerprint:
        raise ValueError(f"Study '{tuner.project_name}' was run on other data or settings ({stored}); now "
                         f"{fingerprint}. Use --overwrite to start over, or another --name.")


def default_workers():
    """Trials run at once without --workers: one process per core this process may use, at most ``MOST_WORKERS``.

    Why: the search is bound by its time budget, and one process leaves the other cores idle. On the project's
    2-core machine two workers completed more trials in the same 45 s (``bench/tabular``, BENCHMARKS.md,
    twenty-ninth session, seeds 0-1: Pima 12 -> 25, plm's Wages 9 -> 13, Ecdat's Heating 20 -> 49), and the mean
    gap to the best scikit-learn default rose on 10 calibration tables (-0.0303 -> -0.0272) and on 8 held out
    (+0.0094 -> +0.0101). Each worker trains on one BLAS thread (``--threads``), so the workers share the cores
    instead of oversubscribing them."""
    from ..ops.threads import usable_cores

    return max(1, min(usable_cores(), MOST_WORKERS))


def batch_size_for(rows):
    """The batch size of a search on `rows` training rows (without --batch-size)."""
    return 32 if rows <= 2000 else 64 if rows <= 5000 else 128


def run(args):
    """Run the search; returns the exit status."""
    # The budget counts the imports below too (2-3 s on a busy machine) and, run as the command, the
    # interpreter's start and gradwise's import before them: the wall time a user measures around it.
    started = (process_started() if getattr(args, "whole_process", False) else None) or time.time()
    from ..report.runinfo import remember_run
    from .baselines import run_baselines
    from .data import prepare
    from .report import Reporter
    from optuna.trial import TrialState

    from .search import STOPPING_SHARE, TabularTuner, make_folds, stopping_splits
    from .space import default_builder, portfolio

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # the command prints its own progress
    budget = args.time_budget
    table, target, name = _load(args)
    table, group = _grouped(table, args, target)
    if not 0 < args.test_size < 1:
        raise ValueError(f"--test-size must be between 0 and 1, got {args.test_size}.")
    impute = None if args.impute == "none" else args.impute
    prepared = prepare(table, target, args.task, impute, args.test_size, seed=args.seed, drop=args.drop,
                       keep=args.keep, report=lambda line: print(f"Test rows: {line}"), group=group)
    folds = make_folds(prepared.y_train, prepared.task, args.seed, prepared.groups)
    batch_size = args.batch_size or batch_size_for(len(prepared.x_train))
    build = default_builder(prepared)
    reporter = Reporter(prepared, name, args, folds, started, budget,
                        training={"epochs": args.epochs, "batch_size": batch_size, "patience": args.patience},
                        group=group)
    reporter.header(table)
    # their share of the budget, but never past what the search needs to end in time: where reading the table took
    # the budget (30,000 rows in 8 s), they do not start
    baseline_end = min(time.time() + BASELINE_SHARE * budget, started + budget - reporter.reserve())
    baselines = run_baselines(prepared, folds, args.seed, args.threads, baseline_end) if args.baselines else []
    search_end = started + budget - reporter.reserve()
    if args.timeout is not None:
        search_end = min(search_end, time.time() + args.timeout)
    last_call = started + budget - reporter.reserve(final=False)
    stopping = stopping_splits(folds, prepared.y_train, prepared.task, args.seed, prepared.groups)
    tuner = TabularTuner(build, folds, deadline=search_end, last_call=last_call, patience=args.patience,
                         stopping=stopping,
                         max_trials=args.trials, sampler=args.sampler, pruner=None if args.pruner == "none" else args.pruner,
                         directory=args.runs_dir, project_name=name, seed=args.seed,
                         workers=args.workers or default_workers(),
                         storage=args.storage, overwrite=args.overwrite, threads_per_worker=args.threads)
    fingerprint = {"source": table.source, "rows": table.rows, "columns": table.names, "target": target,
                   "task": prepared.task, "seed": args.seed, "test_size": args.test_size, "impute": impute,
                   "drop": args.drop, "keep": args.keep, "folds": len(folds), "batch_size": batch_size,
                   "early_stopping_rows": STOPPING_SHARE, **({"group": group} if group else {})}
    _check_same_data(tuner, fingerprint)
    remember_run(tuner.study, args, prepared)  # for the report: the resume command, the columns
    numbers = build.keywords["numbers"]
    tuner.enqueue_portfolio(portfolio(len(prepared.x_train), numbers=numbers is not None,
                                      fine=numbers is not None and "fine_edges" in numbers))
    reporter.search_header(tuner)
    for timeout in (search_end - time.time(), 5.0):
        tuner.search(prepared.x_train, prepared.y_train, epochs=args.epochs, batch_size=batch_size,
                     timeout=max(0.0, timeout), on_trial=reporter.trial_line)
        if tuner.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            break  # else the budget ran out before a trial started (queueing it, on a loaded machine): one more
            # search, on the trials queued now; its first trial keeps at least one fold, so a run ends with a model.
        tuner.workers = 1  # that one trial is all the rescue is for: the first queued, in this process
    return reporter.finish(tuner, baselines)

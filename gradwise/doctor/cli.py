"""The ``gradwise doctor`` command: diagnose a saved model on a CSV file.

    gradwise doctor --model model.gw --data diabetes.csv --target Outcome [--repair]
    gradwise doctor --model model.gw --data diabetes.csv --target Outcome --find-lr [--figure lr.png]
    gradwise doctor --model runs/pima/best.gw --data train.csv --target Outcome   # a tuned model

A model written by ``gradwise tune`` carries its preprocessing: the doctor applies it to
the raw rows (text columns, gaps, dropped columns, as ``tune`` read them), diagnoses the
network behind it (the heaviest one of an ensemble), and saves a repaired network with
the same preprocessing, so the repaired file works with ``gradwise predict`` and
``gradwise.load_model`` as before. A plain model file takes numeric columns; ``--impute``
fills their gaps.

``add_parser(subparsers)`` adds the sub-command to an argparse parser (gradwise's CLI
calls it); ``run(args)`` executes it and returns the exit status: 0 when no problem of
severity warning or worse was found, 1 when some was, 2 when the model or the data
could not be read. ``--find-lr`` runs the learning-rate range test instead and prints the
suggested rate (status 0, or 1 when no rate could be read from the curve).
"""

import math
import sys

import numpy as np


def add_parser(subparsers):
    """Add the ``doctor`` sub-command to `subparsers` (from ``ArgumentParser.add_subparsers``)."""
    parser = subparsers.add_parser(
        "doctor", help="diagnose a saved model's training on a CSV data set",
        description="Train a copy of a saved model briefly on a CSV file and report what goes wrong: "
                    "the problems found, their evidence and the code changes that fix them.")
    parser.add_argument("--model", required=True, help="model file written by model.save() or `gradwise tune`")
    parser.add_argument("--data", required=True,
                        help="CSV file with a header row (numeric columns for a plain model; the columns `gradwise "
                             "tune` read for a tuned one)")
    parser.add_argument("--impute", choices=["mean", "median", "most_frequent"],
                        help="fill missing numbers of a plain model's CSV with this column statistic (a tuned "
                             "model fills them as it did in training)")
    parser.add_argument("--target", required=True, help="name of the column to predict")
    parser.add_argument("--repair", action="store_true", help="apply the remedies, retrain, report before/after")
    parser.add_argument("--find-lr", action="store_true",
                        help="run the learning-rate range test (Smith 2017) instead and print the suggested rate")
    parser.add_argument("--epochs", type=int,
                        help="epochs of the probe training (default 20; a tuned model's: as many as `gradwise tune` "
                             "allowed, stopping early as it did)")
    parser.add_argument("--batch-size", type=int,
                        help="batch size of the probe (default 32; a tuned model's: the search's)")
    parser.add_argument("--validation-split", type=float, default=0.2, help="held-out fraction (default 0.2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the report as JSON to this file")
    parser.add_argument("--figure", help="also save the report's figure to this file (PNG, SVG, PDF)")
    parser.add_argument("--save-repaired", help="with --repair: save the repaired model to this file")
    parser.add_argument("--report", metavar="PATH",
                        help="also write the diagnosis as one HTML page, with the learning-rate finder's curve")
    parser.set_defaults(handler=run)
    return parser


def read_csv(path, target):
    """(x, y, feature names) from a CSV file with a header row (as ``gradwise.tabular.read_csv`` reads it);
    empty cells become NaN.

    Raises
    ------
    ValueError
        If the target column is missing, or a cell is not a number (naming row and column).
    """
    from ..tabular import read_csv as read_table

    table = read_table(path)
    if target not in table.names:
        raise ValueError(f"{path}: no column named {target!r} for `--target`; the columns are {', '.join(table.names)}.")
    values = np.empty((table.rows, len(table.names)))
    for column, name in enumerate(table.names):
        for row, (line, cell) in enumerate(zip(table.lines, table[name])):
            try:
                values[row, column] = float(cell) if cell else math.nan
            except ValueError:
                raise ValueError(f"{path}, line {line}, column {name!r}: {cell!r} is not a number; "
                                 "the doctor needs numeric columns (encode categories first).") from None
    index = table.names.index(target)
    features = [name for name in table.names if name != target]
    return np.delete(values, index, axis=1), values[:, index], features


def _targets(y, model):
    """Class labels as integers for the sparse and binary cross-entropies; the rest as given."""
    if model.loss.name in ("sparse_categorical_crossentropy", "binary_crossentropy") and np.all(np.mod(y, 1) == 0):
        return y.astype(np.int64)
    return y


def _impute(x, strategy):
    from sklearn.impute import SimpleImputer

    return SimpleImputer(strategy=strategy, keep_empty_features=True).fit_transform(x) if strategy else x


def _tuned_data(model, args, note):
    """(network, x, y, feature names) of a tuned model: its stored preprocessing applied to the raw rows.

    Rows whose target is missing are left out, as `gradwise tune` leaves them out (a row without a
    target can neither train nor score a model); `note` is told how many and where.
    """
    from ..tabular import read_csv as read_table
    from ..tabular.data import labelled_rows

    table = read_table(args.data)
    if model.target != args.target:
        raise ValueError(f"--target {args.target!r}: the model predicts '{model.target}'.")
    if args.target not in table.names:
        raise ValueError(f"{args.data}: no column named {args.target!r} for `--target`; the columns are "
                         f"{', '.join(table.names)}.")
    cells, labelled = labelled_rows(table, args.target, model.task)
    if len(labelled) < table.rows:
        first = next(line for line, cell in zip(table.lines, cells) if cell is None)
        note(f"gradwise doctor: {table.rows - len(labelled)} row(s) of {args.data} without a '{args.target}' left "
             f"out (the first on line {first}), as `gradwise tune` leaves them out.")
    table = table.take(labelled)
    x = model.transform(table, report=lambda line: None)
    y = model.encoder.transform([cells[i] for i in labelled])
    network = model.networks[int(np.argmax(model.weights))]
    return network, x, y, model.preprocessor.output_names


def _probe_settings(args, model, rows):
    """(epochs, batch size, from scratch, patience) of the probe. A tuned model's training is over: continued,
    any early-stopped network's validation loss rises again (OVERFITTING, "add early stopping", on a network
    that had it), on CSV rows it partly trained on. So its network is trained afresh as the search trained it
    (``preprocessing['training']``; a file from before it was stored: the search's defaults) unless the flags
    say otherwise; a plain model's probe goes on from its weights, 20 epochs of 32 rows."""
    def given(value, default):  # a flag given is used as it is (0 or less: diagnose says what it expects)
        return default if value is None else value

    if not hasattr(model, "networks"):
        return given(args.epochs, 20), given(args.batch_size, 32), False, None
    from ..tabular.tune import EPOCHS, PATIENCE, batch_size_for

    training = model.preprocessing.get("training") or {}
    epochs = given(args.epochs, training.get("epochs", EPOCHS))
    batch_size = given(args.batch_size, training.get("batch_size") or batch_size_for(rows))
    return epochs, batch_size, True, training.get("patience", PATIENCE)


def _save_repaired(model, repaired, path):
    if hasattr(model, "networks"):  # a tuned model: the repaired network keeps its preprocessing
        from ..tabular import TabularModel

        TabularModel(model.preprocessing, [repaired]).save(path)
    else:
        repaired.save(path)


def run(args, stdout=None, stderr=None):
    """Run ``gradwise doctor`` with parsed `args`; returns the exit status (0, 1 or 2)."""
    from ..saving import load_model
    from .diagnose import diagnose

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        model = load_model(args.model)
        if hasattr(model, "networks"):
            network, x, y, features = _tuned_data(model, args, lambda line: print(line, file=stderr))
        else:
            x, y, features = read_csv(args.data, args.target)
            network, x, y = model, _impute(x, getattr(args, "impute", None)), _targets(y, model)
    except (OSError, ValueError) as error:
        print(f"gradwise doctor: {error}", file=stderr)
        return 2
    epochs, args.batch_size, from_scratch, patience = _probe_settings(args, model, len(x))
    if args.find_lr:
        return _find_lr(args, network, x, y, stdout, stderr)
    if from_scratch:
        print(f"gradwise doctor: the tuned model's network trained afresh as `gradwise tune` trained it: batches of "
              f"{args.batch_size}, at most {epochs} epochs, stopping after {patience} without a lower validation loss "
              "(--epochs and --batch-size change the first two).", file=stderr)
    try:
        report = diagnose(network, x, y, epochs=epochs, batch_size=args.batch_size,
                          validation_split=args.validation_split, repair=args.repair, seed=args.seed,
                          feature_names=features, from_scratch=from_scratch, patience=patience)
    except ValueError as error:
        print(f"gradwise doctor: {error}", file=stderr)
        return 2
    print(report.text(), file=stdout)
    if getattr(args, "report", None):
        _write_page(args, report, network, x, y, stdout)
    if args.json:
        with open(args.json, "w") as handle:
            handle.write(report.to_json(indent=1))
    if args.figure:
        report.figure().savefig(args.figure)
    if args.save_repaired:
        if report.repaired_model is None:
            print("gradwise doctor: no repaired model to save (use --repair).", file=stderr)
        else:
            _save_repaired(model, report.repaired_model, args.save_repaired)
            print(f"Repaired model saved to {args.save_repaired}.", file=stdout)
    return 1 if report.codes("warning") else 0


def _find_lr(args, model, x, y, stdout, stderr):
    """``--find-lr``: the range test on the rows with finite values; the curve to --json, the plot to --figure."""
    import json

    from .lr_finder import find_learning_rate

    rows = np.isfinite(x).all(axis=1) & np.isfinite(y)
    try:
        result = find_learning_rate(model, x[rows], y[rows], batch_size=args.batch_size, seed=args.seed)
    except ValueError as error:
        print(f"gradwise doctor: {error}", file=stderr)
        return 2
    stopped = "the loss diverged" if result.diverged else "the sweep ended"
    rate = "none (the curve is too short)" if result.suggestion is None else f"{result.suggestion:.3g}"
    print(f"Learning-rate range test ({result.optimizer}, {len(result.losses)} batches of {args.batch_size}, "
          f"{result.learning_rates[0]:.3g} to {result.learning_rates[-1]:.3g}; {stopped}).\n"
          f"Suggested learning rate ({result.rule} rule): {rate}", file=stdout)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result.to_dict(), handle, indent=1)
    if args.figure:
        result.figure().savefig(args.figure)
    if getattr(args, "report", None):
        _write_page(args, None, model, x, y, stdout, result)
    return 0 if result.suggestion is not None else 1


def _write_page(args, report, model, x, y, stdout, lr_result=None):
    """``--report``: the diagnosis page; the range test is run for it when --find-lr did not run it."""
    from ..report.diagnosis import write_diagnosis
    from .lr_finder import find_learning_rate

    if lr_result is None:
        rows = np.isfinite(x).all(axis=1) & np.isfinite(y)
        try:
            lr_result = find_learning_rate(model, x[rows], y[rows], batch_size=args.batch_size, seed=args.seed)
        except ValueError as error:  # the page still shows the diagnosis
            print(f"gradwise doctor: no learning-rate test on the page: {error}", file=stdout)
    size = write_diagnosis(args.report, report, lr_result, lead=f"{args.model} on {args.data} (target {args.target})")
    print(f"Wrote {args.report} ({size / 1e6:.2f} MB).", file=stdout)

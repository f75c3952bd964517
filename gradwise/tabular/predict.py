"""``gradwise predict``: raw CSV rows in, labels and class probabilities (or values) out.

The model file written by ``gradwise tune`` carries its preprocessing, so the CSV needs
the training columns only (the target column may be present; it is ignored). The columns tune
dropped as identifiers (or grouped by), where present, are copied beside each prediction.
"""

import argparse
import sys

import numpy as np

EXAMPLES = """examples:
  gradwise predict --model runs/pima/best.gw --data new_patients.csv
  gradwise predict --model runs/pima/best.gw --data new_patients.csv --output predictions.csv"""


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "predict", help="predict with a model written by `gradwise tune`", description=__doc__.split("\n\n")[0],
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, metavar="FILE", help="runs/NAME/best.gw written by `gradwise tune`")
    parser.add_argument("--data", required=True, metavar="FILE", help="CSV file with the training columns")
    parser.add_argument("--output", metavar="FILE", help="write predictions to this CSV (default: standard output)")
    parser.add_argument("--strict", action="store_true",
                        help="a category not seen in training is an error (default: reported on standard error "
                             "and mapped to the unknown bucket)")
    parser.set_defaults(handler=run)
    return parser


def identifier_columns(model, table):
    """The columns of `table` that tune dropped as identifiers or used as --group: copied beside each prediction."""
    from .columns import names_rows

    return [entry["name"] for entry in model.preprocessor.config.get("dropped", [])
            if entry["name"] in table.names and names_rows(entry)]


def predict_rows(model, table, strict=False):
    """(header, rows) of the predictions of `model` (a TabularModel) for the raw rows of `table`.

    Each row starts with its file line and the values of its identifier columns (a customer
    number, the row index pandas writes), so that predictions join back to their records.
    """
    names = identifier_columns(model, table)
    keys = [[line, *[table[name][index] for name in names]] for index, line in enumerate(table.lines)]
    if model.task == "regression":
        values = model.predict(table, strict=strict)
        return ["line", *names, "prediction"], [[*key, float(value)] for key, value in zip(keys, values)]
    probabilities = model.predict(table, strict=strict)
    labels = np.array(model.classes, dtype=object)[probabilities.argmax(axis=1)]
    header = ["line", *names, "prediction", *[f"probability_{label}" for label in model.classes]]
    rows = [[*key, label, *np.round(row, 6).tolist()] for key, label, row in zip(keys, labels, probabilities)]
    return header, rows


def run(args):
    from .modelfile import load_tabular_model
    from .table import read_csv, write_csv

    model = load_tabular_model(args.model)
    table = read_csv(args.data)
    for note in table.notes:
        print(f"gradwise: {note}", file=sys.stderr)
    header, rows = predict_rows(model, table, strict=args.strict)
    write_csv(args.output or "-", header, rows)
    if args.output:
        print(f"Wrote {len(rows)} predictions to {args.output}")
    return 0

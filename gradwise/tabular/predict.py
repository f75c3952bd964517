"""``gradwise predict``: raw CSV rows in, labels and class probabilities (or values) out.

The model file written by ``gradwise tune`` carries its preprocessing, so the CSV needs
the training columns only (the target column may be present; it is ignored).
"""

import argparse

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
    parser.set_defaults(handler=run)
    return parser


def predict_rows(model, preprocessing, table):
    """(header, rows) of the predictions for the raw rows of `table`."""
    from .preprocess import TabularPreprocessor
    from .target import TargetEncoder

    preprocessor = TabularPreprocessor.from_config(preprocessing["features"])
    preprocessor.check_columns(table, ignore=[preprocessing["target"]])
    encoder = TargetEncoder.from_config(preprocessing["target_encoding"])
    outputs = model.predict(preprocessor.transform(table))
    predictions = encoder.decode(outputs)
    if encoder.task == "regression":
        return ["line", "prediction"], [[line, float(value)] for line, value in zip(table.lines, predictions)]
    probabilities = encoder.probabilities(outputs)
    header = ["line", "prediction", *[f"probability_{label}" for label in encoder.classes]]
    rows = [[line, label, *np.round(row, 6).tolist()] for line, label, row in zip(table.lines, predictions, probabilities)]
    return header, rows


def run(args):
    from .modelfile import load_with_preprocessing
    from .table import read_csv, write_csv

    model, preprocessing = load_with_preprocessing(args.model)
    table = read_csv(args.data)
    header, rows = predict_rows(model, preprocessing, table)
    write_csv(args.output or "-", header, rows)
    if args.output:
        print(f"Wrote {len(rows)} predictions to {args.output}")
    return 0

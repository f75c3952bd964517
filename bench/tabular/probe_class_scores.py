"""Balanced accuracy and ROC AUC of kept tuned models beside scikit-learn's defaults, on the same test rows.

For each run kept by ``bench.tabular.run --keep FOLDER`` (FOLDER/<table>.csv and FOLDER/runs/<table>-<seed>/best.gw)
of a binary table, the kept network's test rows are split again as tune split them (seed from the run's name), and
LogisticRegression (standardized), RandomForest and HistGradientBoosting at their defaults are fitted on the
training rows as tune encoded them. Printed: each model's balanced accuracy (threshold 0.5) and ROC AUC, per run
and on average. The thirty-eighth session ran it on round H's imbalanced tables (BENCHMARKS.md).

    python -m bench.tabular.probe_class_scores KEPT_FOLDER [KEPT_FOLDER ...] [--target class]
"""

import argparse
import contextlib
import glob
import io
import os

import numpy as np

MODELS = ("gradwise", "LogisticRegression", "RandomForest", "HistGradientBoosting")


def scores(folder, run, target):
    """{model: (balanced accuracy, ROC AUC)} on the test rows of kept `run` (a folder of `folder`/runs)."""
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import gradwise
    from gradwise.tabular import read_csv
    from gradwise.tabular.data import prepare

    name, seed = os.path.basename(run).rsplit("-", 1)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        table = read_csv(os.path.join(folder, name + ".csv"))
        prepared = prepare(table, target, impute="median", seed=int(seed))
        network = gradwise.load_model(os.path.join(run, "best.gw"))
    truth = (np.array(prepared.test_cells) == prepared.classes[1]).astype(int)
    probabilities = {"gradwise": np.asarray(network.network_outputs(prepared.x_test)).reshape(len(truth), -1)[:, -1]}
    peers = (make_pipeline(StandardScaler(), LogisticRegression()), RandomForestClassifier(random_state=0),
             HistGradientBoostingClassifier())
    for label, model in zip(MODELS[1:], peers):
        model.fit(prepared.x_train, prepared.y_train.reshape(-1).astype(int))
        probabilities[label] = model.predict_proba(prepared.x_test)[:, 1]
    both = 0 < truth.sum() < len(truth)
    return {label: (balanced_accuracy_score(truth, p > 0.5), roc_auc_score(truth, p) if both else np.nan)
            for label, p in probabilities.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--target", default="class")
    args = parser.parse_args(argv)
    table = []
    for folder in args.folders:
        for run in sorted(glob.glob(os.path.join(folder, "runs", "*-*"))):
            found = scores(folder, run, args.target)
            table.append([found[label] for label in MODELS])
            print(os.path.basename(run), "  ".join(f"{label} {b:.3f} / {a:.3f}" for label, (b, a) in found.items()),
                  flush=True)
    values = np.array(table, dtype=float)  # runs x models x (balanced accuracy, ROC AUC)
    for index, score in enumerate(("balanced accuracy", "ROC AUC")):
        means = np.nanmean(values[:, :, index], axis=0)
        print(f"mean {score} over {len(values)} runs: " + ", ".join(f"{m} {v:.3f}" for m, v in zip(MODELS, means)))


if __name__ == "__main__":
    main()

"""Where a `gradwise tune` run loses its test score: per-trial CV against test, refit against bagged folds.

    python -m bench.tabular.diagnose --run runs/pima-1 --data pima.csv --target Outcome --seed 1

For the best complete trials of a finished run (its study and out-of-fold predictions), prints
each trial's cross-validated score, the test score of the network refitted on all training
rows for its mean best epoch (what the final model did), and the test score of the average of
its fold networks (retrained with the fold seeds and early-stopping rows: the networks the
CV score describes and the final model is made of). This
reads the test rows: a diagnosis after the fact, never part of a search.
"""

import argparse

import numpy as np

from gradwise.tabular import prepare, read_csv
from gradwise.tabular.ensemble import select
from gradwise.tabular.scores import fold_score
from gradwise.tabular.search import TabularTuner, fit_member, make_folds, stopping_splits
from gradwise.tabular.space import default_builder, telling_params


def _score(task, outputs, y):
    return fold_score(task, outputs, y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", required=True, help="the run folder (runs/NAME)")
    parser.add_argument("--data", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    import os

    prepared = prepare(read_csv(args.data), args.target, None, "median", 0.2, seed=args.seed)
    task = prepared.task
    folds = make_folds(prepared.y_train, task, args.seed)
    build = default_builder(prepared)
    directory, name = os.path.split(os.path.abspath(args.run))
    tuner = TabularTuner(build, folds, directory=directory, project_name=name, seed=args.seed)
    best = tuner.best_trials(args.top)
    x, y, xt, yt = prepared.x_train, prepared.y_train, prepared.x_test, prepared.y_test
    rows = []
    print(f"{'trial':>5} {'val_loss':>8} {'cv':>7} {'refit':>7} {'bagged':>7}  hyperparameters")
    for trial in best:
        values, seed = trial.user_attrs["hp_values"], trial.user_attrs["seed"]
        oof = tuner.load_oof(trial)
        cv = _score(task, oof, y)
        epochs = max(1, int(trial.user_attrs.get("best_epoch") or 1))
        refit, _, _ = fit_member(build, values, seed, x, y, epochs, args.batch_size)
        refit_out = np.asarray(refit.predict(xt, verbose=0), dtype=np.float64)
        bag = []
        for fold, (fit, stopping) in enumerate(stopping_splits(folds, y, task, args.seed)):
            from gradwise.callbacks import EarlyStopping

            stop = EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)
            model, _, _ = fit_member(build, values, seed + fold, x[fit], y[fit], 100, args.batch_size,
                                     (x[stopping], y[stopping]), [stop])
            bag.append(np.asarray(model.predict(xt, verbose=0), dtype=np.float64))
        bagged = np.mean(bag, axis=0)
        rows.append((trial, oof, refit_out, bagged))
        print(f"{trial.number:>5} {trial.values[0]:>8.4f} {cv:>7.4f} {_score(task, refit_out, yt):>7.4f} "
              f"{_score(task, bagged, yt):>7.4f}  {telling_params(values)}")
    oofs = [r[1] for r in rows]
    weights, chosen, single = select(task, oofs, y)
    mix = lambda outs: sum(w * o for w, o in zip(weights, outs))  # noqa: E731
    print(f"ensemble weights {np.round(weights, 2).tolist()}: cv {_score(task, mix(oofs), y):.4f} "
          f"refit test {_score(task, mix([r[2] for r in rows]), yt):.4f} "
          f"bagged test {_score(task, mix([r[3] for r in rows]), yt):.4f}")


if __name__ == "__main__":
    main()

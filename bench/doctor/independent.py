"""An evaluation of the training doctor on set-ups written apart from its own suite.

37 faulty and 10 healthy training set-ups, written for issue 14's table without reading
``cases.py`` again: their own data recipes (digits, breast_cancer, iris-like Gaussian
blobs, two rings, a nonlinear regression target), their own sizes and fault strengths,
one injected fault each, and for every faulty set-up its *textbook fix*: the same set-up
with the fault removed the way a tutorial would remove it (He kernels and ReLU for a
sigmoid stack, StandardScaler for raw features, a learning rate of 1e-3 for Adam, ...).

A third of the set-ups (``held_out=True``) stay out of calibration: their figures are
reported apart, and nothing in the doctor is tuned on them.

Scored per set-up and seed (the model's seed; the data split is fixed):

- *named*: the report's root cause is one of the set-up's ``names`` (the codes that
  name its fault; a BAD_INITIALIZATION root cause counts when a code of ``names`` is
  also reported);
- *healthy quiet*: no finding of warning or worse on a healthy set-up;
- *diagnose level*: ``diagnose(..., repair=True)`` hands back a model whose validation
  score (accuracy, R² for regression) is at least the textbook fix's minus ``LEVEL``;
- *healthy repairs*: repairs ``diagnose(..., repair=True)`` applies to a healthy set-up;
- *live level*: the faulty set-up trained by ``fit(..., callbacks=[Doctor(repair=True)])``
  scores at least the textbook fix's minus ``LEVEL`` (the fix trained as long).

    python -m bench.doctor.independent                    # calibration set-ups, seed 0
    python -m bench.doctor.independent --held-out --seeds 0,1,2
    python -m bench.doctor.independent --cases lr --verbose --jobs 2
    python -m bench.doctor.independent --all --functional   # the same networks built as functional models
"""

import argparse
import functools
import json
import math
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

LEVEL = 0.02  # of accuracy or R²: the spread of a textbook fix's score over seeds on these sets is about this
GRAPH = {"functional": False}  # --functional: every network (fault, fix) built with the Functional API


# ----- data ------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _source(name):
    from sklearn import datasets

    if name == "digits":
        bunch = datasets.load_digits()
        return bunch.data / 16.0, bunch.target
    if name == "cancer":
        bunch = datasets.load_breast_cancer()
        return bunch.data, bunch.target
    if name == "blobs":  # iris-like: four features, three overlapping classes
        return datasets.make_blobs(n_samples=360, centers=3, n_features=4, cluster_std=2.2, random_state=7)
    if name == "rings":
        return datasets.make_circles(n_samples=800, noise=0.1, factor=0.45, random_state=3)
    if name == "friedman":  # a nonlinear regression target
        return datasets.make_friedman1(n_samples=900, n_features=8, noise=0.3, random_state=5)
    raise KeyError(name)


def dataset(name, raw=False, train_rows=None, shift=0.0, scale=1.0, nan_inputs=False, inf_targets=False):
    """(x_train, y_train, x_val, y_val): a fixed 70/30 split; features standardized unless `raw`
    (then multiplied by `scale` and moved by `shift`); regression targets standardized."""
    from sklearn.model_selection import train_test_split

    x, y = _source(name)
    regression = name == "friedman"
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.3, random_state=11,
                                                      stratify=None if regression else y)
    if train_rows is not None:
        x_train, y_train = x_train[:train_rows], y_train[:train_rows]
    if raw:
        x_train, x_val = x_train * scale + shift, x_val * scale + shift
    elif name != "digits":
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
    if regression:
        mean, std = y_train.mean(), y_train.std()
        y_train, y_val = (y_train - mean) / std, (y_val - mean) / std
        if inf_targets:
            y_train, y_val = y_train.copy(), y_val.copy()
            y_train[::40] = -np.inf  # a log of zero upstream
    if nan_inputs:
        rng = np.random.default_rng(4)
        x_train, x_val = x_train.copy(), x_val.copy()
        x_train[rng.random(x_train.shape) < 0.03] = np.nan
        x_val[rng.random(x_val.shape) < 0.03] = np.nan
    return x_train, y_train.astype(np.float64 if regression else np.int64), x_val, y_val.astype(
        np.float64 if regression else np.int64)


def _impute(x_train, x_val):
    fill = np.nanmean(x_train, axis=0)
    return np.where(np.isnan(x_train), fill, x_train), np.where(np.isnan(x_val), fill, x_val)


# ----- models ----------------------------------------------------------------------------------
def network(hidden=(32, 32), activation="relu", optimizer="adam", learning_rate=1e-3, kernel="glorot_uniform",
            bias="zeros", output="auto", loss="auto", l2=None, dropout=0.0, batch_norm=False, momentum=None):
    """A recipe for a Dense network: ``build(features, task, seed)`` -> compiled Sequential."""

    def build(features, task, seed):
        import gradwise as gw
        from gradwise import regularizers

        layers = [gw.Input((features,))]
        for units in hidden:
            layers.append(gw.Dense(units, activation=None if batch_norm else activation, kernel_initializer=kernel,
                                   bias_initializer=bias,
                                   kernel_regularizer=None if l2 is None else regularizers.L2(l2)))
            if batch_norm:
                layers += [gw.BatchNormalization(), gw.Activation(activation)]
            if dropout:
                layers.append(gw.Dropout(dropout))
        units, out_activation, out_loss = {"binary": (1, "sigmoid", "binary_crossentropy"),
                                           "regression": (1, None, "mse")}.get(
            task, (task, "softmax", "sparse_categorical_crossentropy"))
        layers.append(gw.Dense(units, activation=out_activation if output == "auto" else output))
        if GRAPH["functional"]:  # the same chain of layers as a graph: gw.Model(inputs, outputs)
            tensor = layers[0]
            for layer in layers[1:]:
                tensor = layer(tensor)
            model = gw.Model(layers[0], tensor, seed=seed)
        else:
            model = gw.Sequential(layers, seed=seed)
        args = {"learning_rate": learning_rate}
        if momentum is not None:
            args["momentum"] = momentum
        opt = {"adam": gw.optimizers.Adam, "sgd": gw.optimizers.SGD, "rmsprop": gw.optimizers.RMSprop}[optimizer]
        model.compile(opt(**args), out_loss if loss == "auto" else loss,
                      metrics=None if task == "regression" else ["accuracy"])
        return model

    return build


@dataclass
class SetUp:
    name: str
    data: dict  # keyword arguments of ``dataset``
    model: dict  # keyword arguments of ``network``
    names: tuple = ()  # codes that name the fault (empty: healthy)
    fix_data: dict = None  # the textbook fix: data and model arguments replaced
    fix_model: dict = None
    epochs: int = 20
    batch_size: int = 32
    held_out: bool = False
    fix_callbacks: tuple = ()
    note: str = ""
    tags: tuple = field(default_factory=tuple)


VG, EG, DR, SA = "VANISHING_GRADIENT", "EXPLODING_GRADIENT", "DYING_RELU", "SATURATION"
HI, LO, PL, OF, UF = "LR_TOO_HIGH", "LR_TOO_LOW", "PLATEAU", "OVERFITTING", "UNDERFITTING"
UN, NI, MM, BI = "UNNORMALIZED_INPUT", "NAN_INF", "LOSS_ACTIVATION_MISMATCH", "BAD_INITIALIZATION"
HE = {"activation": "relu", "kernel": "he_normal"}


def _normal(stddev, mean=0.0):
    return {"class_name": "RandomNormal", "config": {"mean": mean, "stddev": stddev}}


def _uniform(low, high):
    return {"class_name": "RandomUniform", "config": {"minval": low, "maxval": high}}


def _constant(value):
    return {"class_name": "Constant", "config": {"value": value}}


D, C, B, R, F = ({"name": "digits"}, {"name": "cancer"}, {"name": "blobs"}, {"name": "rings"},
                 {"name": "friedman"})

FAULTY = [
    # vanishing gradients: deep sigmoid / tanh stacks under plain SGD
    SetUp("deep_sigmoid_blobs", B, dict(hidden=(24,) * 9, activation="sigmoid", optimizer="sgd", learning_rate=0.05),
          (VG, SA, PL), fix_model=dict(HE), epochs=25),
    SetUp("deep_sigmoid_digits", D, dict(hidden=(48,) * 8, activation="sigmoid", optimizer="sgd", learning_rate=0.1),
          (VG, SA, PL), fix_model=dict(HE)),
    SetUp("deep_sigmoid_rings", R, dict(hidden=(16,) * 10, activation="sigmoid", optimizer="sgd", learning_rate=0.1),
          (VG, SA, PL), fix_model=dict(HE), epochs=30, held_out=True),
    # exploding gradients / a large initialization of ReLU stacks
    SetUp("relu_normal2_friedman", F, dict(hidden=(64,) * 5, kernel=_normal(2.0), optimizer="sgd", learning_rate=0.01),
          (EG, BI, NI, HI), fix_model=dict(kernel="he_normal")),
    SetUp("relu_normal3_cancer", C, dict(hidden=(48,) * 5, kernel=_normal(3.0)), (EG, BI, NI),
          fix_model=dict(kernel="he_normal")),
    SetUp("relu_normal2_digits_sgd", D, dict(hidden=(64,) * 4, kernel=_normal(2.0), optimizer="sgd", learning_rate=0.05),
          (EG, BI, NI, HI), fix_model=dict(kernel="he_normal"), held_out=True),
    # dead ReLU units from a negative bias
    SetUp("relu_bias_minus4_digits", D, dict(hidden=(64, 64), bias=_constant(-4.0)), (DR, BI),
          fix_model=dict(bias="zeros")),
    SetUp("relu_bias_minus3_blobs", B, dict(hidden=(32, 32), bias=_constant(-3.0)), (DR, BI),
          fix_model=dict(bias="zeros")),
    SetUp("relu_bias_minus3_friedman", F, dict(hidden=(64, 64), bias=_constant(-3.0)), (DR, BI),
          fix_model=dict(bias="zeros"), held_out=True),
    # saturated sigmoid / tanh units from a large initialization
    SetUp("tanh_normal4_cancer", C, dict(hidden=(32, 32), activation="tanh", kernel=_normal(4.0)), (SA, BI),
          fix_model=dict(kernel="glorot_uniform")),
    SetUp("sigmoid_normal6_blobs", B, dict(hidden=(32, 32), activation="sigmoid", kernel=_normal(6.0)), (SA, BI),
          fix_model=dict(kernel="glorot_uniform")),
    SetUp("tanh_normal5_digits", D, dict(hidden=(64, 32), activation="tanh", kernel=_normal(5.0)), (SA, BI),
          fix_model=dict(kernel="glorot_uniform"), held_out=True),
    # learning rate too high
    SetUp("adam_lr03_digits", D, dict(learning_rate=0.3), (HI, NI, DR), fix_model=dict(learning_rate=1e-3)),
    SetUp("sgd_lr8_blobs", B, dict(optimizer="sgd", learning_rate=8.0), (HI, NI, EG, DR),
          fix_model=dict(learning_rate=0.05)),
    SetUp("rmsprop_lr05_cancer", C, dict(optimizer="rmsprop", learning_rate=0.5), (HI, NI, DR),
          fix_model=dict(learning_rate=1e-3)),
    SetUp("sgd_lr2_friedman", F, dict(optimizer="sgd", learning_rate=2.0), (HI, NI, EG),
          fix_model=dict(learning_rate=0.01), held_out=True),
    # learning rate too low
    SetUp("sgd_lr1e-4_digits", D, dict(optimizer="sgd", learning_rate=1e-4), (LO, PL, UF),
          fix_model=dict(learning_rate=0.1)),
    SetUp("adam_lr1e-6_blobs", B, dict(learning_rate=1e-6), (LO, PL, UF), fix_model=dict(learning_rate=1e-3)),
    SetUp("adam_lr3e-6_friedman", F, dict(learning_rate=3e-6), (LO, PL, UF), fix_model=dict(learning_rate=1e-3)),
    SetUp("rmsprop_lr1e-6_cancer", C, dict(optimizer="rmsprop", learning_rate=1e-6), (LO, PL, UF),
          fix_model=dict(learning_rate=1e-3), held_out=True),
    # plateaus: a saddle from a tiny initialization
    SetUp("tiny_init_tanh_rings", R, dict(hidden=(16, 16), activation="tanh", kernel=_normal(1e-3), optimizer="sgd",
                                          learning_rate=0.05), (PL, BI, VG), fix_model=dict(kernel="glorot_uniform"),
          epochs=30),
    SetUp("tiny_init_relu_digits", D, dict(hidden=(32, 32, 32), kernel=_normal(1e-3), optimizer="sgd",
                                           learning_rate=0.05), (PL, BI, VG), fix_model=dict(kernel="he_normal")),
    SetUp("tiny_init_sigmoid_blobs", B, dict(hidden=(16, 16), activation="sigmoid", kernel=_normal(1e-4),
                                             optimizer="sgd", learning_rate=0.1), (PL, BI, VG),
          fix_model=dict(kernel="glorot_uniform"), held_out=True, epochs=25),
    # overfitting: few training rows, a big model, long training
    SetUp("few_rows_digits", {**D, "train_rows": 110}, dict(hidden=(256, 256), learning_rate=3e-3), (OF,),
          fix_model=dict(dropout=0.5), fix_callbacks=("early_stopping",), epochs=60, batch_size=16),
    SetUp("few_rows_cancer", {**C, "train_rows": 50}, dict(hidden=(256, 256), learning_rate=3e-3), (OF,),
          fix_model=dict(dropout=0.5), fix_callbacks=("early_stopping",), epochs=80, batch_size=10),
    SetUp("few_rows_friedman", {**F, "train_rows": 60}, dict(hidden=(256, 256), learning_rate=3e-3), (OF,),
          fix_model=dict(dropout=0.3), fix_callbacks=("early_stopping",), epochs=80, batch_size=10, held_out=True),
    # underfitting: too little capacity or a crushing penalty
    SetUp("one_unit_digits", D, dict(hidden=(1,)), (UF, PL), fix_model=dict(hidden=(64,))),
    SetUp("heavy_l2_blobs", B, dict(hidden=(32, 32), l2=3.0), (UF, PL), fix_model=dict(l2=None)),
    SetUp("two_units_friedman", F, dict(hidden=(2,), activation="tanh"), (UF, PL), fix_model=dict(hidden=(64, 64)),
          epochs=30, held_out=True),
    # unnormalized inputs
    SetUp("raw_cancer", {**C, "raw": True}, dict(hidden=(32, 16)), (UN,), fix_data=dict(raw=False)),
    SetUp("shifted_blobs", {**B, "raw": True, "shift": 400.0, "scale": 30.0}, dict(hidden=(32, 32), activation="tanh"),
          (UN, SA), fix_data=dict(raw=False)),
    SetUp("scaled_friedman", {**F, "raw": True, "scale": 800.0}, dict(hidden=(64, 64)), (UN, HI, NI, EG),
          fix_data=dict(raw=False), held_out=True),
    # non-finite data
    SetUp("nan_inputs_blobs", {**B, "nan_inputs": True}, dict(hidden=(32, 32)), (NI,), fix_data=dict(impute=True)),
    SetUp("inf_targets_friedman", {**F, "inf_targets": True}, dict(hidden=(64, 64)), (NI,),
          fix_data=dict(drop_nonfinite=True), held_out=True),
    # the output activation does not match the loss
    SetUp("linear_output_sparse_ce_blobs", B, dict(output=None), (MM,), fix_model=dict(output="auto")),
    SetUp("softmax_one_unit_cancer", C, dict(output="softmax"), (MM,), fix_model=dict(output="auto")),
    # a bad initialization: constant kernels
    SetUp("constant_kernels_rings", R, dict(hidden=(32, 32), kernel=_constant(0.2)), (BI, PL, UF),
          fix_model=dict(kernel="he_normal"), epochs=40),
]

HEALTHY = [
    SetUp("ok_digits_adam", D, dict(hidden=(64, 32))),
    SetUp("ok_cancer_dropout", C, dict(hidden=(32, 16), dropout=0.2)),
    SetUp("ok_blobs_sgd_momentum", B, dict(hidden=(16,), activation="tanh", optimizer="sgd", learning_rate=0.05,
                                           momentum=0.9)),
    SetUp("ok_rings_relu", R, dict(hidden=(32, 32), learning_rate=1e-2), epochs=40),
    SetUp("ok_friedman_relu", F, dict(hidden=(64, 64)), epochs=40),
    SetUp("ok_digits_bn", D, dict(hidden=(64, 64), batch_norm=True), held_out=True),
    SetUp("ok_cancer_rmsprop", C, dict(hidden=(16,), optimizer="rmsprop"), held_out=True),
    SetUp("ok_blobs_batch1", B, dict(hidden=(16,), optimizer="sgd", learning_rate=0.01, momentum=0.9), epochs=8,
          batch_size=1),
    SetUp("ok_rings_tanh_sgd", R, dict(hidden=(32,), activation="tanh", optimizer="sgd", learning_rate=0.2,
                                       momentum=0.9), epochs=40, held_out=True),
    SetUp("ok_friedman_sgd", F, dict(hidden=(32, 32), optimizer="sgd", learning_rate=0.02, momentum=0.9), epochs=40),
]


# ----- running ---------------------------------------------------------------------------------
def _task(setup, y):
    if setup.data["name"] == "friedman":
        return "regression"
    classes = int(y.max()) + 1
    return "binary" if classes == 2 else classes


def _labels(task, y):
    return y.astype(np.float64) if task == "binary" else y


def score(model, x_val, y_val, task):
    """Validation accuracy (classification) or R² (regression); None when the model predicts NaN/Inf."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            outputs = np.asarray(model.predict(x_val, verbose=0), dtype=np.float64).reshape(len(x_val), -1)
        except (ValueError, TypeError):
            return None
    if not np.isfinite(outputs).all():
        return None
    if task == "regression":
        truth = np.asarray(y_val, dtype=np.float64).reshape(len(y_val), -1)
        return float(1.0 - ((truth - outputs) ** 2).sum() / ((truth - truth.mean()) ** 2).sum())
    if outputs.shape[1] == 1:
        threshold = 0.5 if (outputs.min() >= 0 and outputs.max() <= 1) else 0.0
        return float(((outputs[:, 0] > threshold) == (np.asarray(y_val) > 0.5)).mean())
    return float((outputs.argmax(axis=1) == np.asarray(y_val)).mean())


def _fit(model, data, setup, callbacks=()):
    x_train, y_train, x_val, y_val = data
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            model.fit(x_train, y_train, epochs=setup.epochs, batch_size=setup.batch_size, verbose=0,
                      validation_data=(x_val, y_val), callbacks=list(callbacks))
            return None
        except (ValueError, TypeError, FloatingPointError) as error:
            return f"{type(error).__name__}: {error}"


def textbook(setup, seed):
    """The fixed set-up's validation score, trained as long as the faulty one."""
    import gradwise as gw

    options = {**setup.data, **(setup.fix_data or {})}
    impute, drop = options.pop("impute", False), options.pop("drop_nonfinite", False)
    x_train, y_train, x_val, y_val = dataset(**options)
    if impute:
        x_train, x_val = _impute(x_train, x_val)
    if drop:
        rows = np.isfinite(y_train)
        x_train, y_train = x_train[rows], y_train[rows]
    task = _task(setup, y_train)
    model = network(**{**setup.model, **(setup.fix_model or {})})(x_train.shape[1], task, seed)
    callbacks = [gw.callbacks.EarlyStopping(monitor="val_loss", patience=8, restore_best_weights=True)
                 for name in setup.fix_callbacks if name == "early_stopping"]
    data = (x_train, _labels(task, y_train), x_val, _labels(task, y_val))
    _fit(model, data, setup, callbacks)
    return score(model, x_val, y_val, task)


def run_one(name, seed, live=True, repair=True):
    """Every measure for set-up `name` with model seed `seed`, as a JSON-ready dict."""
    from gradwise.doctor import Doctor, diagnose
    from gradwise.doctor.findings import severity_rank

    setup = next(item for item in FAULTY + HEALTHY if item.name == name)
    x_train, y_train, x_val, y_val = dataset(**setup.data)
    task = _task(setup, y_train)
    build = network(**setup.model)
    data = (x_train, _labels(task, y_train), x_val, _labels(task, y_val))
    start = time.perf_counter()
    result = {"name": name, "seed": seed, "names": list(setup.names), "held_out": setup.held_out,
              "healthy": not setup.names}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        report = diagnose(build(x_train.shape[1], task, seed), data[0], data[1], validation_data=(x_val, data[3]),
                          epochs=setup.epochs, batch_size=setup.batch_size, repair=repair)
    warnings_ = sorted(report.codes("warning"))
    root = getattr(report.root_cause, "code", None)
    result.update(codes=warnings_, root_cause=root)
    if setup.names:
        named = root in setup.names or (root == BI and any(code in setup.names for code in warnings_))
        result["named"] = bool(named)
    else:
        result["quiet"] = not warnings_
    if repair:
        applied = [entry for entry in report.repairs if entry.get("applied", True) and entry.get("kept", True)]
        result["repairs"] = [f"{entry['finding']}: {entry.get('change', entry.get('code'))}" for entry in applied]
        if setup.names:
            result["diagnose_score"] = _diagnosed_score(report, x_val, y_val, task)
        else:
            result["healthy_repairs"] = len(applied)
    if setup.names:
        result["fix_score"] = textbook(setup, seed)
        plain = build(x_train.shape[1], task, seed)
        _fit(plain, data, setup)
        result["fault_score"] = score(plain, x_val, y_val, task)
        if live:
            model = build(x_train.shape[1], task, seed)
            doctor = Doctor(repair=True, verbose=0)
            result["live_error"] = _fit(model, data, setup, [doctor])
            result["live_score"] = score(model, x_val, y_val, task)
            result["live_repairs"] = [f"{entry['finding']}: {entry.get('action')}"
                                      + ("" if entry.get("applied") else " (proposed)")
                                      for entry in doctor.report.repairs]
            kept = ((doctor.report.after or {}).get("original") or {}).get("kept")
            result["live_kept_original"] = bool(kept)
        fix = result["fix_score"]
        for key in ("diagnose", "live"):
            value = result.get(f"{key}_score")
            if f"{key}_score" in result:
                result[f"{key}_level"] = bool(value is not None and fix is not None and value >= fix - LEVEL)
    elif live:
        model = build(x_train.shape[1], task, seed)
        doctor = Doctor(repair=True, verbose=0)
        _fit(model, data, setup, [doctor])
        result["live_healthy_repairs"] = sum(1 for entry in doctor.report.repairs if entry.get("applied"))
        result["callback_quiet"] = not any(finding.rank >= severity_rank("warning")
                                           for finding in doctor.report.findings)
    result["seconds"] = round(time.perf_counter() - start, 1)
    return result


def _diagnosed_score(report, x_val, y_val, task):
    """The validation score of the model diagnose hands back (the original's probe when it kept it)."""
    model = report.repaired_model
    if model is None:
        before = report.before or {}
        return before.get("val_r2" if task == "regression" else "val_accuracy")
    preparation = report.preparation
    inputs = preparation.inputs(x_val) if preparation is not None else x_val
    value = score(model, inputs, y_val, task)
    if task == "regression" and preparation is not None and preparation.y_mean is not None:
        with np.errstate(all="ignore"):
            outputs = preparation.predictions(model.predict(inputs, verbose=0)).reshape(len(y_val), -1)
        truth = y_val.reshape(len(y_val), -1)
        value = float(1.0 - ((truth - outputs) ** 2).sum() / ((truth - truth.mean()) ** 2).sum())
    return value


# ----- the table -------------------------------------------------------------------------------
def table(results):
    """Issue 14's rows from a list of run_one results."""
    faulty = [item for item in results if not item["healthy"]]
    healthy = [item for item in results if item["healthy"]]

    def count(items, key, value=True):
        have = [item for item in items if key in item]
        return sum(1 for item in have if item[key] == value), len(have)

    rows = [("faulty set-ups whose top finding names the fault", count(faulty, "named")),
            ("healthy set-ups with no finding of warning or worse", count(healthy, "quiet")),
            ("diagnose(repair=True): repaired model reaches the textbook fix's level", count(faulty, "diagnose_level")),
            ("Doctor(repair=True) inside fit reaches the textbook fix's level", count(faulty, "live_level")),
            ("Doctor() inside fit on healthy set-ups: no warning", count(healthy, "callback_quiet"))]
    applied = sum(item.get("healthy_repairs", 0) for item in healthy)
    live_applied = sum(item.get("live_healthy_repairs", 0) for item in healthy)
    lines = ["| measure | measured |", "| --- | ---: |"]
    lines += [f"| {label} | {hits} of {total} |" for label, (hits, total) in rows if total]
    lines.append(f"| diagnose(repair=True) on healthy set-ups: repairs applied | {applied} "
                 f"(over {len(healthy)} runs) |")
    lines.append(f"| Doctor(repair=True) on healthy set-ups: repairs applied | {live_applied} "
                 f"(over {len(healthy)} runs) |")
    costly = [item for item in faulty if item.get("fix_score") is not None and item.get("fault_score") is not None
              and item["fix_score"] - item["fault_score"] > LEVEL]
    lines.append(f"| faulty set-ups where the fault costs more than {LEVEL} against the fix | "
                 f"{len(costly)} of {len(faulty)} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--held-out", action="store_true", help="the held-out set-ups (default: calibration)")
    parser.add_argument("--all", action="store_true", help="every set-up")
    parser.add_argument("--seeds", default="0", help="comma-separated model seeds")
    parser.add_argument("--cases", help="comma-separated substrings of set-up names")
    parser.add_argument("--no-live", action="store_true")
    parser.add_argument("--functional", action="store_true",
                        help="build every network as a functional model (gw.Model) instead of a Sequential")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    chosen = [item for item in FAULTY + HEALTHY if args.all or item.held_out == args.held_out]
    if args.cases:
        parts = args.cases.split(",")
        chosen = [item for item in chosen if any(part in item.name for part in parts)]
    seeds = [int(value) for value in args.seeds.split(",")]
    jobs = [(item.name, seed, not args.no_live, args.functional) for seed in seeds for item in chosen]
    start = time.perf_counter()
    results = []
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            for result in pool.map(_run, jobs):
                results.append(_show(result, args.verbose))
    else:
        for job in jobs:
            results.append(_show(_run(job), args.verbose))
    print(table(results))
    print(f"set-ups: {len(chosen)}, seeds: {seeds}, time: {time.perf_counter() - start:.0f} s")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=1)


def _run(job):
    name, seed, live, functional = job
    GRAPH["functional"] = functional
    return run_one(name, seed, live=live)


def _show(result, verbose):
    if verbose:
        keys = ("named", "quiet", "root_cause", "fault_score", "fix_score", "diagnose_score", "live_score",
                "repairs", "live_repairs", "healthy_repairs", "live_healthy_repairs", "seconds")
        print(result["name"], result["seed"], {key: result[key] for key in keys if key in result}, flush=True)
    return result


if __name__ == "__main__":
    main()

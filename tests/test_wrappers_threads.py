"""The scikit-learn wrappers under joblib's threading backend: same results as n_jobs=1, no global seed touched."""

import threading

import numpy as np
from joblib import Parallel, delayed, parallel_backend
from sklearn.base import clone
from sklearn.model_selection import cross_val_predict

from gradwise import Dense, Input, Sequential, backend
from gradwise.optimizers import Adam
from gradwise.wrappers import NeuralClassifier

RUNS = 6
_arrived = threading.Barrier(RUNS, timeout=30)


def build_after_work(n_features_in, n_classes, meet=False):
    """Work before the model: a scratch model (it draws a seed too) and, in threads, a rendezvous."""
    scratch = Sequential([Input((n_features_in,)), Dense(3)])
    if meet:
        _arrived.wait()  # every thread has drawn its scratch model before any builds its own
    model = Sequential([Input((n_features_in,)), Dense(8, activation="relu"), Dense(n_classes, activation="softmax")])
    model.compile(optimizer=Adam(0.01), loss="sparse_categorical_crossentropy")
    del scratch
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    return x, (x[:, 0] - x[:, 1] > 0).astype(int)


def _fit_predict(estimator, x, y):
    return estimator.fit(x, y).predict_proba(x)


def test_threaded_fits_match_sequential_fits_and_leave_the_global_seed_alone():
    x, y = _data()
    backend.set_random_seed(123)
    try:
        _check_threads_against_one_job(x, y)
        # The global stream was not advanced or replaced by the wrappers' seeding.
        assert np.array_equal(backend._global_seed.integers(2**63, size=2),
                              np.random.default_rng(123).integers(2**63, size=2))
    finally:
        backend.set_random_seed(None)


def _check_threads_against_one_job(x, y):
    estimators = [NeuralClassifier(model=build_after_work, epochs=3, random_state=seed, verbose=0) for seed in range(RUNS)]
    sequential = [_fit_predict(clone(e), x, y) for e in estimators]
    threaded_estimators = [clone(e).set_params(model__meet=True) for e in estimators]
    with parallel_backend("threading", n_jobs=RUNS):
        threaded = Parallel()(delayed(_fit_predict)(e, x, y) for e in threaded_estimators)
    assert sum(np.array_equal(a, b) for a, b in zip(sequential, threaded)) == RUNS  # before: 0 of 6
    assert len({a.tobytes() for a in sequential}) == RUNS  # each seed its own model


def test_cross_val_predict_with_threads_equals_one_job():
    x, y = _data()
    estimator = NeuralClassifier(model=build_after_work, epochs=2, random_state=7, verbose=0)
    one = cross_val_predict(estimator, x, y, cv=3, method="predict_proba", n_jobs=1)
    with parallel_backend("threading"):
        three = cross_val_predict(estimator, x, y, cv=3, method="predict_proba", n_jobs=3)
    assert np.array_equal(one, three)

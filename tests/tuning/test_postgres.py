"""Optuna's RDB storage on a real PostgreSQL server: three worker processes, one study, exact counts.

The fixture starts its own server on loopback (see ``postgres_server``). It fails, never
skips, when PostgreSQL is missing: run ``bash scripts/ensure-postgres.sh`` first.
"""

import os

import optuna
import pytest
from optuna.trial import TrialState

from gradwise.tuning import Tuner

from .builders import Rendezvous, SlowEpochs, binary_data, build_tiny
from .postgres_server import running_server

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.fixture(scope="module")
def postgres_url():
    with running_server() as server:
        yield server.url


def test_three_workers_on_postgresql_run_exactly_max_trials(tmp_path, postgres_url):
    x, y = binary_data()
    tuner = Tuner(build_tiny, objective="val_accuracy", max_trials=9, seed=4, workers=3, threads_per_worker=1,
                  storage=postgres_url, directory=str(tmp_path), project_name="shared", pruner=None)
    tuner.search(x, y, epochs=2, validation_split=0.25, verbose=0,
                 callbacks=[Rendezvous(str(tmp_path), 3), SlowEpochs(0.05)])

    # Read back through a fresh connection, as another machine would.
    study = optuna.load_study(study_name="shared", storage=postgres_url)
    trials = study.trials
    assert [t.number for t in trials] == list(range(9))
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 9
    assert len({t._trial_id for t in trials}) == 9
    assert len({t.user_attrs["pid"] for t in trials}) == 3
    files = [t.user_attrs["model_file"] for t in trials]
    assert len(set(files)) == 9 and all(os.path.exists(tmp_path / "shared" / f) for f in files)

    # A second search joining the same study (as from another machine) tops it up to exactly 12.
    joined = Tuner(build_tiny, objective="val_accuracy", max_trials=12, workers=1, storage=postgres_url,
                   directory=str(tmp_path), project_name="shared", pruner=None)
    assert joined.seed == 4  # the study's seed, stored in the database
    joined.search(x, y, epochs=2, validation_split=0.25, verbose=0)
    assert [t.state for t in optuna.load_study(study_name="shared", storage=postgres_url).trials] == \
        [TrialState.COMPLETE] * 12

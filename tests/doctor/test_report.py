"""Report: ordering, root cause, text, JSON and the figure."""

import json

import pytest

from gradwise.doctor import Finding, Remedy, Report

from .traces import add_epoch, mlp, new_trace


def _finding(code, step, severity="error", epoch=0):
    return Finding(code, code.lower(), severity, "why", {"value": 1.0}, [Remedy("lower_learning_rate", "d", "c")],
                   epoch=epoch, step=step)


def _trace():
    trace = new_trace(mlp())
    for epoch in range(3):
        add_epoch(trace, {"loss": 1.0 - 0.1 * epoch, "val_loss": 1.1 - 0.1 * epoch},
                  samples={"hidden_0": {"grad_norm": 0.5, "update_ratio": 1e-3},
                           "hidden_1": {"grad_norm": 0.4, "update_ratio": 1e-3, "inactive_fraction": 0.1}},
                  layers={"hidden_1": {"dead_fraction": 0.1 * epoch}})
    return trace


def test_the_earliest_cause_is_the_root_and_its_symptoms_say_so():
    findings = [_finding("NAN_INF", 40, "critical"), _finding("DYING_RELU", 20), _finding("LR_TOO_HIGH", 3)]
    report = Report(findings, _trace())
    assert report.root_cause.code == "LR_TOO_HIGH"
    assert [finding.code for finding in report.findings] == ["NAN_INF", "LR_TOO_HIGH", "DYING_RELU"]
    nan = report.findings[0]
    assert nan.caused_by == ["LR_TOO_HIGH"]  # dead units do not make NaNs
    assert report.findings[2].caused_by == ["LR_TOO_HIGH"]
    assert "Root cause: LR_TOO_HIGH" in report.text()
    assert "came first" in report.text()


def test_set_up_problems_come_before_anything_training_shows():
    findings = [_finding("SATURATION", 0), _finding("UNNORMALIZED_INPUT", -1, "warning", epoch=None)]
    report = Report(findings, _trace())
    assert report.root_cause.code == "UNNORMALIZED_INPUT"
    assert report.findings[0].caused_by == ["UNNORMALIZED_INPUT"]


def test_the_gradient_of_a_batch_comes_before_its_update():
    # an exploding gradient on batch 0 explains the huge first step, not the other way round
    report = Report([_finding("LR_TOO_HIGH", 0), _finding("EXPLODING_GRADIENT", 0)], _trace())
    assert report.root_cause.code == "EXPLODING_GRADIENT"


def test_unrelated_findings_are_independent():
    report = Report([_finding("OVERFITTING", 50, "warning"), _finding("LR_TOO_LOW", 0, "warning")], _trace())
    assert report.root_cause.code == "LR_TOO_LOW"
    assert all(finding.caused_by == [] for finding in report.findings)


def test_info_findings_never_become_the_root():
    report = Report([_finding("PLATEAU", 0, "info")], _trace())
    assert report.root_cause is None
    assert report.codes() == set() and report.codes("info") == {"PLATEAU"}


def test_to_dict_is_json_ready():
    finding = _finding("EXPLODING_GRADIENT", 2)
    finding.evidence["infinite"] = float("inf")
    data = json.loads(Report([finding], _trace()).to_json())
    assert data["root_cause"] == "EXPLODING_GRADIENT"
    assert data["findings"][0]["evidence"]["infinite"] == "inf"
    assert data["findings"][0]["remedies"][0]["action"] == "lower_learning_rate"
    assert "trace" in Report([finding], _trace()).to_dict(include_trace=True)


def test_empty_report_text():
    assert Report([], _trace()).text().startswith("gradwise doctor: no problems found.")


def test_figure_has_the_four_panels(tmp_path):
    from matplotlib.figure import Figure

    figure = Report([_finding("DYING_RELU", 5)], _trace()).figure()
    assert isinstance(figure, Figure)
    titles = [axis.get_title() for axis in figure.axes]
    assert titles[0] == "loss" and "gradient norm" in titles[1] and "dead" in titles[3]
    assert len(figure.axes[1].get_lines()) == 2  # one line per sampled kernel
    assert len(figure.axes[3].get_lines()) == 1  # the dead fraction of the hidden ReLU layer with data
    figure.savefig(tmp_path / "doctor.png")
    assert (tmp_path / "doctor.png").stat().st_size > 0


def test_finding_rejects_unknown_codes_and_severities():
    with pytest.raises(ValueError, match="`code` must be one of"):
        Finding("SLOW", "t", "error", "e")
    with pytest.raises(ValueError, match="`severity` must be one of"):
        Finding("PLATEAU", "t", "fatal", "e")


def test_where_is_one_based():
    assert _finding("NAN_INF", 3, epoch=2).where() == "epoch 3"
    finding = Finding("NAN_INF", "t", "critical", "e", epoch=0, batch=4, layer="dense")
    assert finding.where() == "epoch 1, batch 5, layer dense"
    assert Finding("UNNORMALIZED_INPUT", "t", "warning", "e").where() == "before training"

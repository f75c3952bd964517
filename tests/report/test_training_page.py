"""write_run and the HTMLReport callback: a training run's page, with and without the doctor, in Chromium."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.callbacks import Callback, HTMLReport
from gradwise.doctor import Doctor
from gradwise.layers import Dense, Input
from gradwise.report import write_run
from gradwise.report.page import number

from .checks import check_page


def _model(learning_rate=1e-2, optimizer="adam"):
    model = gw.Sequential([Input((6,)), Dense(16, activation="relu"), Dense(1, activation="sigmoid")], seed=0)
    optimizer = gw.optimizers.Adam(learning_rate) if optimizer == "adam" else gw.optimizers.SGD(learning_rate)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _data(rows=240):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 6))
    return x, (x[:, 0] + x[:, 1] > 0).astype(np.int64)


class _Snapshots(Callback):
    """Keeps the page as it was after each epoch (it runs after HTMLReport in the list)."""

    def __init__(self, path):
        super().__init__()
        self.path, self.pages = path, []

    def on_epoch_end(self, epoch, logs=None):
        self.pages.append(self.path.read_text() if self.path.exists() else None)


def test_html_report_rewrites_the_page_while_training_and_shows_the_doctor(tmp_path, browser):
    x, y = _data()
    path = tmp_path / "run.html"
    doctor = Doctor(verbose=0)
    snapshots = _Snapshots(path)
    model = _model()
    history = model.fit(x, y, epochs=5, batch_size=32, validation_split=0.25, verbose=0,
                        callbacks=[doctor, HTMLReport(str(path), doctor=doctor, refresh=1), snapshots])
    assert 'http-equiv="refresh"' in snapshots.pages[0] and "1 epoch(s)" in snapshots.pages[0]
    final = path.read_text()
    assert 'http-equiv="refresh"' not in final and "5 epoch(s), finished" in final
    rendered = browser.render(str(path), pdf=True)
    logs = history.history
    numbers = [number(logs["loss"][-1]), number(logs["val_loss"][-1]), number(logs["val_accuracy"][-1]),
               "Total params: 129", "Gradient norm (kernel)", "Update / weight ratio", "Dead ReLU units",
               "Learning rate", "Doctor's findings"]
    check_page(path, rendered, numbers)


def test_write_run_shows_each_finding_with_its_evidence_and_remedy(tmp_path, browser):
    x, y = _data()
    x = x * 100.0 + 50.0  # unscaled inputs: the doctor has something to say
    doctor = Doctor(verbose=0)
    model = _model(learning_rate=1e-3)
    history = model.fit(x, y, epochs=3, batch_size=32, validation_split=0.25, verbose=0, callbacks=[doctor])
    findings = doctor.report.findings
    assert findings
    path = tmp_path / "run.html"
    write_run(str(path), model, history, doctor=doctor)
    rendered = browser.render(str(path))
    assert rendered.errors() == [] and rendered.ink() > 0.02
    for finding in findings:
        assert finding.code in rendered.text and finding.title in rendered.text
        assert finding.remedies[0].code in rendered.text  # the remedy as code
        for key, value in finding.evidence.items():
            if isinstance(value, float) and np.isfinite(value):
                assert number(value) in rendered.text
                break


def test_write_run_refuses_what_is_not_a_history(tmp_path):
    with pytest.raises(TypeError, match="write_run: `history` must be a History"):
        write_run(str(tmp_path / "run.html"), _model(), [0.5, 0.4])
    with pytest.raises(TypeError, match="`doctor` must be a gradwise.doctor.Doctor"):
        HTMLReport(str(tmp_path / "run.html"), doctor="yes")
    with pytest.raises(ValueError, match="`refresh` must be a positive int"):
        HTMLReport(str(tmp_path / "run.html"), refresh=0)


def test_the_browser_check_catches_console_errors_and_remote_loads(tmp_path, browser):
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html><head><meta charset="utf-8"><title>bad</title>'
                    '<link rel="stylesheet" href="https://cdn.example.com/x.css"></head><body><h1>x</h1>'
                    '<script>console.error("boom"); missing_function();</script></body></html>')
    errors = " ".join(str(entry) for entry in browser.render(str(page)).errors())
    assert "boom" in errors and "missing_function" in errors and "cdn.example.com" in errors

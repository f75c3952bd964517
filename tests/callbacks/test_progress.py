"""Progress output (verbose 0/1/2, terminal or not) and LoggingCallback."""

import io
import logging
import re
import sys

import pytest

from gradwise.callbacks import LoggingCallback, ProgressBar, ProgressLogger
from gradwise.callbacks.progress import format_logs, progress_callback

from .scripted import tiny_classifier, tiny_data


class Terminal(io.StringIO):
    def isatty(self):
        return True


def _fit(verbose, epochs=3, **kwargs):
    x, y = tiny_data()
    model = tiny_classifier()
    return model.fit(x, y, epochs=epochs, batch_size=10, verbose=verbose, **kwargs)


def test_verbose_0_is_silent(capsys):
    _fit(0)
    assert capsys.readouterr() == ("", "")


def test_verbose_1_off_a_terminal_prints_one_plain_line_per_epoch(capsys):
    history = _fit(1, validation_split=0.25)
    out = capsys.readouterr().out
    assert "\r" not in out and "\x1b" not in out
    lines = out.splitlines()
    assert len(lines) == 3
    for epoch, line in enumerate(lines):
        assert line.startswith(f"Epoch {epoch + 1}/3 - 3/3 steps - ")
        assert f"loss: {history.history['loss'][epoch]:.4f}" in line
        assert f"val_accuracy: {history.history['val_accuracy'][epoch]:.4f}" in line
        assert re.search(r"\d+ms/step", line)


def test_verbose_auto_is_1(capsys):
    _fit("auto", epochs=2)
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_verbose_2_prints_one_line_per_epoch_without_steps(capsys):
    history = _fit(2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for epoch, line in enumerate(lines):
        assert re.fullmatch(rf"Epoch {epoch + 1}/3 - \d+\.\d\ds - loss: \S+ - accuracy: \S+ - learning_rate: \S+", line)
        assert f"accuracy: {history.history['accuracy'][epoch]:.4f}" in line


def test_verbose_1_in_a_terminal_draws_a_live_bar(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert isinstance(progress_callback(1), ProgressBar)
    assert isinstance(progress_callback(2), ProgressLogger)
    _fit(1, epochs=2)
    out = terminal.getvalue()
    assert "\r" in out  # redrawn in place
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "4/4" in out and "<" in out  # steps done and tqdm's elapsed<remaining (ETA)
    assert "loss: " in out and "accuracy: " in out


def test_off_a_terminal_no_progress_callback_observes_batches():
    assert isinstance(progress_callback(1, io.StringIO()), ProgressLogger)
    assert progress_callback(0) is None


def test_verbose_must_be_0_1_2_or_auto():
    with pytest.raises(ValueError, match="`verbose` must be 'auto', 0, 1 or 2, got 3"):
        _fit(3)


def test_format_logs_keeps_small_rates_readable():
    assert format_logs({"loss": 0.25, "learning_rate": 1e-5, "epoch": 3}) == "loss: 0.2500 - learning_rate: 1.000e-05 - epoch: 3"


def test_logging_callback_reports_every_n_epochs_and_the_last(caplog):
    caplog.set_level(logging.INFO, logger="gradwise")
    history = _fit(0, epochs=5, callbacks=[LoggingCallback(every=2)])
    messages = [record.getMessage() for record in caplog.records if record.name == "gradwise"]
    assert [m.split(" - ")[0] for m in messages] == ["Epoch 2/5", "Epoch 4/5", "Epoch 5/5"]
    assert f"loss: {history.history['loss'][1]:.4f}" in messages[0]
    assert all(record.levelno == logging.INFO for record in caplog.records)


def test_logging_callback_uses_the_given_logger_and_reports_why_training_stopped(caplog):
    from gradwise.callbacks import EarlyStopping

    logger = logging.getLogger("my.training")
    caplog.set_level(logging.DEBUG, logger="my.training")
    stop = EarlyStopping(monitor="loss", min_delta=100.0, patience=1)
    _fit(0, epochs=10, callbacks=[stop, LoggingCallback(every=1, logger=logger, level=logging.DEBUG)])
    messages = [record.getMessage() for record in caplog.records if record.name == "my.training"]
    assert [m.split(" - ")[0] for m in messages[:-1]] == ["Epoch 1/10", "Epoch 2/10"]
    assert messages[-1].startswith("Training stopped: EarlyStopping: loss did not improve")


@pytest.mark.parametrize("arguments, match", [
    ({"every": 0}, "`every` must be a positive int, got 0"),
    ({"logger": 3}, "`logger` must be a logging.Logger, a logger name or None, got 3"),
])
def test_logging_callback_bad_arguments(arguments, match):
    with pytest.raises((ValueError, TypeError), match=match):
        LoggingCallback(**arguments)

"""CSVLogger: content, append, separator; and unwritable paths failing before the first epoch."""

import csv
import os
import stat

import pytest

from gradwise.callbacks import CSVLogger, LambdaCallback, ModelCheckpoint

from .scripted import tiny_classifier, tiny_data, weights_equal


def _fit(callback, epochs=3, **kwargs):
    x, y = tiny_data()
    model = tiny_classifier()
    return model.fit(x, y, epochs=epochs, batch_size=10, verbose=0, callbacks=[callback], **kwargs).history


def _rows(path, separator=","):
    with open(path, newline="") as handle:
        return list(csv.reader(handle, delimiter=separator))


def test_rows_hold_every_logged_value_exactly(tmp_path):
    path = tmp_path / "log.csv"
    history = _fit(CSVLogger(path), validation_split=0.25)
    rows = _rows(path)
    keys = sorted(history)
    assert rows[0] == ["epoch", *keys] == ["epoch", "accuracy", "learning_rate", "loss", "val_accuracy", "val_loss"]
    assert [row[0] for row in rows[1:]] == ["0", "1", "2"]
    for epoch, row in enumerate(rows[1:]):
        assert [float(cell) for cell in row[1:]] == [history[key][epoch] for key in keys]


def test_append_adds_rows_under_the_existing_header(tmp_path):
    path = tmp_path / "log.csv"
    first = _fit(CSVLogger(path), epochs=2)
    second = _fit(CSVLogger(path, append=True), epochs=3)
    rows = _rows(path)
    assert len(rows) == 1 + 2 + 3 and rows.count(rows[0]) == 1
    assert [float(row[3]) for row in rows[1:]] == first["loss"] + second["loss"]


def test_without_append_the_file_is_overwritten(tmp_path):
    path = tmp_path / "log.csv"
    _fit(CSVLogger(path), epochs=3)
    history = _fit(CSVLogger(path), epochs=2)
    rows = _rows(path)
    assert len(rows) == 3 and [float(row[3]) for row in rows[1:]] == history["loss"]


def test_appending_other_columns_is_an_error(tmp_path):
    path = tmp_path / "log.csv"
    _fit(CSVLogger(path), epochs=1)
    with pytest.raises(ValueError, match=r"cannot append to .*log\.csv.*its columns are .* but this training logs"):
        _fit(CSVLogger(path, append=True), epochs=1, validation_split=0.25)


def test_separator(tmp_path):
    path = tmp_path / "log.tsv"
    history = _fit(CSVLogger(path, separator="\t"), epochs=2)
    rows = _rows(path, "\t")
    assert rows[0][0] == "epoch" and float(rows[2][3]) == history["loss"][1]


def test_bad_arguments():
    with pytest.raises(ValueError, match="`separator` must be a single character, got ', '"):
        CSVLogger("log.csv", separator=", ")
    with pytest.raises(TypeError, match="`filename` must be a str or path, got NoneType"):
        CSVLogger(None)


def _parent_is_a_file(tmp_path):
    (tmp_path / "plain").write_text("not a folder")
    return tmp_path / "plain" / "sub" / "out"


def _existing_directory(tmp_path):
    (tmp_path / "out").mkdir()
    return tmp_path / "out"


def _read_only_folder(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return folder / "out"


def _csv(path):
    return CSVLogger(path)


def _checkpoint(path):
    return ModelCheckpoint(str(path))


def _checkpoint_with_fields(path):
    return ModelCheckpoint(os.path.join(path, "{epoch:02d}", "m-{val_loss:.3f}.gw"))


UNWRITABLE = {
    "csv, parent is a file": (_csv, _parent_is_a_file, "cannot be created or written"),
    "csv, path is a folder": (_csv, _existing_directory, "is an existing directory"),
    "csv, read-only folder": (_csv, _read_only_folder, "cannot be created or written .*read-only"),
    "checkpoint, parent is a file": (_checkpoint, _parent_is_a_file, "cannot be created or written"),
    "checkpoint, path is a folder": (_checkpoint, _existing_directory, "is an existing directory"),
    "checkpoint, read-only folder": (_checkpoint, _read_only_folder, "cannot be created or written .*read-only"),
    "formatted checkpoint, parent is a file": (_checkpoint_with_fields, _parent_is_a_file, "cannot be created"),
    "formatted checkpoint, read-only folder": (_checkpoint_with_fields, _read_only_folder, "read-only"),
}


@pytest.mark.parametrize("make, place, match", UNWRITABLE.values(), ids=UNWRITABLE.keys())
def test_an_unwritable_path_fails_before_the_first_epoch(tmp_path, make, place, match):
    path = place(tmp_path)
    x, y = tiny_data()
    model = tiny_classifier()
    before = model.get_weights()
    epochs_begun = []
    spy = LambdaCallback(on_epoch_begin=lambda epoch, logs: epochs_begun.append(epoch))
    try:
        with pytest.raises(ValueError, match=match):
            model.fit(x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[make(path), spy])
    finally:
        if (tmp_path / "locked").exists():
            (tmp_path / "locked").chmod(stat.S_IRWXU)
    assert epochs_begun == []
    assert weights_equal(model.get_weights(), before)

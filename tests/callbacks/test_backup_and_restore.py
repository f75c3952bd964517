"""BackupAndRestore: a fit killed mid-way resumes from its last backup and ends where an
uninterrupted fit ends, bit for bit; the backup is deleted after a normal end, kept after a crash."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.callbacks import BackupAndRestore, Callback


class Killed(Exception):
    pass


class KillAtEpoch(Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise Killed(f"killed at epoch {epoch}")


def _model():
    model = gw.Sequential([gw.Input((4,)), gw.layers.Dense(8, activation="relu"), gw.layers.Dropout(0.2),
                           gw.layers.Dense(1)], seed=3)
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="mse")
    return model


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4))
    return x, x @ np.array([1.0, -2.0, 0.5, 0.0])


@pytest.mark.parametrize("kill_at", [1, 4])
def test_a_killed_fit_resumes_and_ends_as_an_uninterrupted_one(tmp_path, data, kill_at):
    x, y = data
    uninterrupted = _model()
    full = uninterrupted.fit(x, y, epochs=6, batch_size=16, verbose=0)
    backup = tmp_path / "backup"
    with pytest.raises(Killed):
        _model().fit(x, y, epochs=6, batch_size=16, verbose=0,
                     callbacks=[BackupAndRestore(backup), KillAtEpoch(kill_at)])
    assert sorted(os.listdir(backup)) == ["backup.gw", "backup.json"]  # kept after the crash
    resumed_model = _model()  # a new process would build the model afresh
    resumed = resumed_model.fit(x, y, epochs=6, batch_size=16, verbose=0, callbacks=[BackupAndRestore(backup)])
    assert len(resumed.history["loss"]) == 6 - kill_at  # only the epochs not run before
    np.testing.assert_array_equal(resumed.history["loss"], full.history["loss"][kill_at:])
    for got, expected in zip(resumed_model.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_array_equal(got, expected)
    assert os.listdir(backup) == []  # deleted after the normal end


def test_backup_every_n_batches_restarts_the_epoch_it_was_in(tmp_path, data):
    x, y = data
    backup = tmp_path / "backup"

    class KillAtBatch(Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if self.model.optimizer.iterations == 6:  # epoch 1 (4 batches an epoch), batch 2
                raise Killed("killed mid-epoch")

    with pytest.raises(Killed):
        _model().fit(x, y, epochs=3, batch_size=16, verbose=0,
                     callbacks=[BackupAndRestore(backup, save_freq=3, delete_checkpoint=False), KillAtBatch()])
    model = _model()
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0,
                        callbacks=[BackupAndRestore(backup, save_freq=3, delete_checkpoint=False)])
    # backed up after step 6, in epoch 1: epochs 1 and 2 run whole from there (4 + 4 steps)
    assert len(history.history["loss"]) == 2 and model.optimizer.iterations == 6 + 8
    assert sorted(os.listdir(backup)) == ["backup.gw", "backup.json"]  # delete_checkpoint=False keeps it


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="`save_freq` must be 'epoch' or a positive int"):
        BackupAndRestore(tmp_path, save_freq=0)
    with pytest.raises(TypeError, match="`backup_dir` must be a folder path"):
        BackupAndRestore(None)

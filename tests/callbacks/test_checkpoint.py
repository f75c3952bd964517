"""ModelCheckpoint: file names, save_best_only, weights only, batch frequency, bad fields."""

import os

import pytest

import gradwise as gw
from gradwise.callbacks import LambdaCallback, LearningRateScheduler, ModelCheckpoint

from .scripted import tiny_classifier, tiny_data, weights_equal


def _fit(checkpoint, epochs=6, bad_phase=True, **kwargs):
    """SGD that gets worse after epoch 3 (val_loss rises); returns model, history and per-epoch weights."""
    x, y = tiny_data(60)
    model = tiny_classifier(optimizer=gw.optimizers.SGD(learning_rate=0.2))
    captured = []
    callbacks = [LearningRateScheduler(lambda epoch, lr: 0.2 if epoch < 4 or not bad_phase else 8.0), checkpoint,
                 LambdaCallback(on_epoch_end=lambda epoch, logs: captured.append(model.get_weights()))]
    history = model.fit(x, y, epochs=epochs, batch_size=10, validation_split=0.25, verbose=0, callbacks=callbacks,
                        **kwargs)
    return model, history.history, captured


def test_every_epoch_is_saved_under_its_formatted_name(tmp_path):
    pattern = str(tmp_path / "ckpt" / "model-{epoch:02d}-{val_loss:.4f}.gw")
    _, history, captured = _fit(ModelCheckpoint(pattern), epochs=3)
    expected = [f"model-{epoch + 1:02d}-{loss:.4f}.gw" for epoch, loss in enumerate(history["val_loss"])]
    assert sorted(os.listdir(tmp_path / "ckpt")) == expected  # the folder was created
    for epoch, name in enumerate(expected):
        loaded = gw.models.load_model(tmp_path / "ckpt" / name)
        assert weights_equal(loaded.get_weights(), captured[epoch])


def test_save_best_only_saves_the_improving_epochs(tmp_path):
    pattern = str(tmp_path / "best-{epoch}.gw")
    model, history, captured = _fit(ModelCheckpoint(pattern, save_best_only=True))
    improving, best = [], None
    for epoch, loss in enumerate(history["val_loss"]):
        if best is None or loss < best:
            improving.append(epoch)
            best = loss
    assert improving[-1] < 5  # the bad phase made the last epochs worse
    assert sorted(os.listdir(tmp_path)) == sorted(f"best-{epoch + 1}.gw" for epoch in improving)
    loaded = gw.models.load_model(tmp_path / f"best-{improving[-1] + 1}.gw")
    assert weights_equal(loaded.get_weights(), captured[improving[-1]])
    assert not weights_equal(loaded.get_weights(), model.get_weights())


def test_save_best_only_maximizes_accuracy_and_ties_do_not_save(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "acc-{epoch}.gw"), monitor="val_accuracy", save_best_only=True)
    _, history, _ = _fit(checkpoint, bad_phase=False)
    improving, best = [], None
    for epoch, accuracy in enumerate(history["val_accuracy"]):
        if best is None or accuracy > best:
            improving.append(epoch)
            best = accuracy
    assert sorted(os.listdir(tmp_path)) == sorted(f"acc-{epoch + 1}.gw" for epoch in improving)
    assert checkpoint.best == max(history["val_accuracy"])


def test_one_best_file_keeps_the_best_weights(tmp_path):
    path = tmp_path / "best.gw"
    _, history, captured = _fit(ModelCheckpoint(str(path), save_best_only=True))
    best_epoch = min(range(len(history["val_loss"])), key=history["val_loss"].__getitem__)
    assert weights_equal(gw.models.load_model(path).get_weights(), captured[best_epoch])


def test_initial_value_threshold_must_be_beaten(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "m-{epoch}.gw"), save_best_only=True, initial_value_threshold=0.0)
    _fit(checkpoint, epochs=2)
    assert os.listdir(tmp_path) == []


def test_save_weights_only_writes_weights_that_load_into_a_fresh_model(tmp_path):
    _, _, captured = _fit(ModelCheckpoint(str(tmp_path / "w-{epoch}.weights"), save_weights_only=True), epochs=2)
    fresh = tiny_classifier(seed=1)
    fresh.load_weights(tmp_path / "w-2.weights")
    assert weights_equal(fresh.get_weights(), captured[1])


def test_integer_save_freq_saves_every_n_batches(tmp_path):
    # 45 training samples in batches of 10: 5 steps per epoch, 10 in all; saves after steps 4 and 8
    _fit(ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.gw"), save_freq=4), epochs=2)
    assert sorted(os.listdir(tmp_path)) == ["e1-b4.gw", "e2-b3.gw"]


def test_an_unlogged_format_field_lists_the_fields(tmp_path):
    with pytest.raises(ValueError, match=r"names the field 'val_acc', which is not logged\. Available fields: .*val_accuracy"):
        _fit(ModelCheckpoint(str(tmp_path / "m-{val_acc:.2f}.gw")), epochs=2)


def test_save_best_only_with_an_unlogged_monitor_fails_after_the_first_epoch(tmp_path):
    epochs_ended = []
    x, y = tiny_data()
    model = tiny_classifier()
    checkpoint = ModelCheckpoint(str(tmp_path / "m.gw"), save_best_only=True)  # monitor='val_loss', no validation
    with pytest.raises(ValueError, match=r"monitor='val_loss' is not logged by training\. Logged keys: accuracy, "
                                         r"learning_rate, loss\..*need `validation_data` or `validation_split`"):
        model.fit(x, y, epochs=5, verbose=0,
                  callbacks=[LambdaCallback(on_epoch_end=lambda e, logs: epochs_ended.append(e)), checkpoint])
    assert epochs_ended == [0]


def test_without_save_best_only_the_monitor_is_not_needed(tmp_path):
    x, y = tiny_data()
    tiny_classifier().fit(x, y, epochs=2, verbose=0, callbacks=[ModelCheckpoint(str(tmp_path / "m-{epoch}.gw"))])
    assert sorted(os.listdir(tmp_path)) == ["m-1.gw", "m-2.gw"]


@pytest.mark.parametrize("arguments, match", [
    ({"save_freq": 0}, "`save_freq` must be 'epoch' or a positive int, got 0"),
    ({"save_freq": "batch"}, "`save_freq` must be 'epoch' or a positive int, got 'batch'"),
    ({"filepath": 3}, "`filepath` must be a str or path, got int"),
    ({"save_best_only": True, "monitor": "score"}, "cannot tell from its name"),
])
def test_bad_arguments_are_named(arguments, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ModelCheckpoint(**{"filepath": "m.gw", **arguments})


def test_format_fields_may_name_new_folders(tmp_path):
    _fit(ModelCheckpoint(str(tmp_path / "run" / "{epoch:02d}" / "model.gw")), epochs=2)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.gw")) == ["run/01/model.gw",
                                                                                         "run/02/model.gw"]

"""A compiled chain observed by a callback that reads some steps (models/chain_step.py with
``Callback.wants_step_data``): the layers' step on the batches the observer said it wants,
the compiled step on the others, training as if unobserved; a non-finite compiled step run
again by the layers; the doctor's forecast equal to what it then asks for."""

import numpy as np
import pytest

import gradwise as gw
from gradwise import ops
from gradwise.callbacks import Callback, NonFiniteLossWarning
from gradwise.doctor import Doctor
from gradwise.layers import Dense, Dropout, Input
from gradwise.models.chain_step import ChainStep

pytestmark = pytest.mark.skipif("numba" not in ops.available_ops(), reason="the kernel is numba's")


class EveryThird(Callback):
    """Reads the layers of every third step, and says so beforehand."""

    def __init__(self):
        super().__init__()
        self.seen = {}

    def wants_step_data(self, step):
        return step % 3 == 0

    def on_train_loss(self, step, loss):
        return step % 3 == 0

    def on_train_step(self, step, data):
        self.seen[step] = {name: array.copy() for name, array in data["layer_outputs"].items()}


class Failures(Callback):
    """Reads the layers of the steps whose loss is not finite, which it cannot foresee."""

    def __init__(self):
        super().__init__()
        self.seen = {}

    def wants_step_data(self, step):
        return False

    def on_train_loss(self, step, loss):
        return not np.isfinite(loss)

    def on_train_step(self, step, data):
        self.seen[step] = {name: array.copy() for name, array in data["layer_outputs"].items()}


class Plain(Callback):
    """Reads every step and cannot say which beforehand."""

    def on_train_step(self, step, data):
        pass


@pytest.fixture
def compiled_steps(monkeypatch):
    """Counts the compiled steps fit runs."""
    count = {"steps": 0}
    run = ChainStep.run

    def counted(self, *args):
        count["steps"] += 1
        return run(self, *args)

    monkeypatch.setattr(ChainStep, "run", counted)
    return count


def _model(dropout=0.25, seed=5):
    model = gw.Sequential([Input((6,)), Dense(16, activation="relu", name="hidden"), Dropout(dropout, name="drop"),
                           Dense(1, activation="sigmoid", name="out")], seed=seed)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _data(rows=120, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 6)).astype(np.float32)
    return x, (x[:, 0] - x[:, 1] > 0).astype(np.float32)


def test_the_observed_batches_run_the_layers_and_the_others_the_compiled_step(compiled_steps):
    x, y = _data()
    observer = EveryThird()
    _model().fit(x, y, epochs=3, batch_size=10, verbose=0, callbacks=[observer])  # 36 steps
    assert sorted(observer.seen) == list(range(0, 36, 3))
    assert all(set(layers) == {"hidden", "drop", "out"} for layers in observer.seen.values())
    assert compiled_steps["steps"] == 36 - 12


def test_an_observer_that_cannot_forecast_keeps_the_layers_step(compiled_steps):
    x, y = _data()
    _model().fit(x, y, epochs=2, batch_size=10, verbose=0, callbacks=[EveryThird(), Plain()])
    assert compiled_steps["steps"] == 0
    _model().fit(x, y, epochs=2, batch_size=10, verbose=0)
    assert compiled_steps["steps"] == 24


def test_observed_training_is_the_unobserved_training():
    # the layers' steps in between draw the same dropout bits and leave the kernel's copy of the
    # generator where it would have been, so the weights end where a plain fit leaves them
    x, y = _data()
    plain, observed = _model(), _model()
    plain.fit(x, y, epochs=4, batch_size=8, verbose=0)
    observed.fit(x, y, epochs=4, batch_size=8, verbose=0, callbacks=[EveryThird()])
    for before, after in zip(plain.get_weights(), observed.get_weights()):
        np.testing.assert_allclose(after, before, rtol=2e-4, atol=2e-6)
    assert (observed.get_layer("drop")._rng.bit_generator.state
            == plain.get_layer("drop")._rng.bit_generator.state)


@pytest.mark.parametrize("rate", [0.3, 0.0])
def test_a_non_finite_compiled_step_is_run_again_by_the_layers(compiled_steps, rate):
    # the 14th row's target overflows float32 in the squared error: its batch's loss is Inf
    x, y = _data(rows=40)
    y = y.copy()
    y[13] = 3e38

    def model():
        built = gw.Sequential([Input((6,)), Dense(8, activation="relu"), Dropout(rate, name="drop"), Dense(1)], seed=2)
        built.compile(optimizer="sgd", loss="mse")
        return built

    plain, observed = model(), model()
    with pytest.warns(NonFiniteLossWarning):
        plain.fit(x, y, epochs=1, batch_size=10, shuffle=False, verbose=0)
    compiled_steps["steps"] = 0
    observer = Failures()
    with pytest.warns(NonFiniteLossWarning), np.errstate(over="ignore"):  # the layers' squared error overflows
        observed.fit(x, y, epochs=1, batch_size=10, shuffle=False, verbose=0, callbacks=[observer])
    assert compiled_steps["steps"] == 2  # the first batch and the failing one; the latter again by the layers
    assert sorted(observer.seen) == [1]
    assert len(observer.seen[1]) == 3  # every layer's outputs, from the layers' step
    # the rerun drew the same dropout bits: the generator ends where the unobserved fit left it
    assert (observed.get_layer("drop")._rng.bit_generator.state
            == plain.get_layer("drop")._rng.bit_generator.state)


def test_a_compiled_step_asked_for_anyway_says_why_it_has_no_layers():
    x, y = _data(rows=20)
    found = {}

    class Unforecast(Callback):
        def wants_step_data(self, step):
            return False

        def on_train_loss(self, step, loss):
            return step == 1

        def on_train_step(self, step, data):
            found["outputs"] = data["outputs"].copy()
            found["keys"] = sorted(data)
            found["get"] = data.get("layer_outputs", "absent")
            with pytest.raises(RuntimeError, match="ran as one compiled call.*wants_step_data"):
                data["layer_outputs"]

    model = _model(dropout=0.0)
    model.fit(x, y, epochs=1, batch_size=10, shuffle=False, verbose=0, callbacks=[Unforecast()])
    assert found["outputs"].shape == (10, 1)
    assert "layer_outputs" not in found["keys"] and "outputs" in found["keys"]
    assert found["get"] == "absent"


@pytest.mark.parametrize("batch_size, dropout", [(10, 0.2), (64, 0.0), (16, 0.0)])
def test_the_doctor_forecasts_exactly_the_batches_it_asks_for(compiled_steps, batch_size, dropout):
    # a forecast that said no where the doctor then asks would hand it a compiled step (more than the
    # batches counted); one that said yes where it does not ask would waste a layers' step (fewer)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(900, 6)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.float32)
    doctor = Doctor(verbose=0)
    _model(dropout).fit(x, y, epochs=6, batch_size=batch_size, verbose=0, validation_split=0.2, callbacks=[doctor])
    batches = len(doctor.trace.batch_losses)
    assert 0 < doctor.recorder.asked < batches
    assert compiled_steps["steps"] + doctor.recorder.asked == batches


def test_a_layer_edited_in_place_between_epochs_is_planned_again(compiled_steps):
    # the doctor's live repairs swap a layer's activation in place between two epochs; the compiled
    # step must train the new one, as the layers' step (kept for the whole fit by Plain) does
    class Swap(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.get_layer("hidden").activation = gw.activations.get("tanh")

    x, y = _data()
    compiled, layered = _model(dropout=0.0), _model(dropout=0.0)
    compiled.fit(x, y, epochs=4, batch_size=10, verbose=0, callbacks=[Swap()])
    assert compiled_steps["steps"] == 48
    layered.fit(x, y, epochs=4, batch_size=10, verbose=0, callbacks=[Swap(), Plain()])
    assert compiled_steps["steps"] == 48
    for a, b in zip(compiled.get_weights(), layered.get_weights()):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-6)


def test_on_a_compiled_chain_the_doctor_counts_dead_units_by_the_pass_over_kept_rows(monkeypatch):
    # a light sample would cost a layers' step there, which the first epoch's timings do not show: the
    # pass is kept even when its first run looked dearer than the light samples (as it does on a busy machine)
    from gradwise.doctor import instruments

    count = instruments.Recorder._count_dead_on_rows

    def slow_first_pass(self, record):
        count(self, record)
        self._probe_cost = 1.0

    monkeypatch.setattr(instruments.Recorder, "_count_dead_on_rows", slow_first_pass)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(900, 6)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.float32)
    doctor = Doctor(verbose=0)
    model = gw.Sequential([Input((6,)), Dense(16, activation="relu", name="hidden"), Dense(1, activation="sigmoid")],
                          seed=5)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=8, batch_size=30, verbose=0, callbacks=[doctor])
    counted = [epoch["layers"]["hidden"]["dead_samples"] for epoch in doctor.trace.epochs[1:]
               if "dead_samples" in epoch["layers"].get("hidden", {})]
    assert counted and set(counted) == {256}  # the pass's rows, never light samples' multiples of 30


def test_the_doctor_is_charged_what_the_layers_step_it_asked_for_costs_beyond_a_usual_batch(monkeypatch):
    from gradwise.doctor import instruments

    clock = {"now": 100.0}
    monkeypatch.setattr(instruments.time, "perf_counter", lambda: clock["now"])
    recorder = instruments.Recorder()
    recorder.begin(_model(dropout=0.0), {"batch_size": 10, "steps": 12, "epochs": 3})
    recorder.epoch_begin(0)
    recorder._reservoir.collecting = False
    recorder._interval_ema = 0.002  # a usual batch: 2 ms
    recorder._countdown, recorder._light_on = 4, False
    for step in range(3):  # batches it does not ask for: nothing charged
        assert not recorder.wants_data(step)
        clock["now"] += 0.002
        assert not recorder.on_loss(step, 0.5)
    before = recorder.overhead_seconds
    assert recorder.wants_data(3)  # the countdown reaches the sampled batch
    clock["now"] += 0.007  # its layers' step took 7 ms
    assert recorder.on_loss(3, 0.5)
    assert recorder.overhead_seconds - before == pytest.approx(0.005)

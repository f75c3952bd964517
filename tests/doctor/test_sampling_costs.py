"""What the doctor asks of fit: the kept rows come from batches spread over the first epoch, but not from
every batch; a calm run is sampled within half the budget. Counts, never timings."""

import warnings

import numpy as np

import gradwise as gw
from gradwise.doctor import Doctor
from gradwise.doctor.instruments import CALM
from gradwise.doctor.reservoir import SPREAD, Reservoir


def test_the_reservoir_takes_the_batches_it_needs_spread_over_the_epoch():
    steps, rows, size = 200, 10, 64
    reservoir = Reservoir(size, steps, np.random.default_rng(0))
    offered = []
    for batch in range(steps):
        if reservoir.wants_next():
            offered.append(batch)
            reservoir.offer(np.full((rows, 1), float(batch)), np.zeros(rows))
    kept_inputs, _ = reservoir.stop()
    filling = -(-size // rows)  # batches until the reservoir is full
    assert offered[:filling] == list(range(filling))
    assert len(offered) <= filling + SPREAD + 1 and len(offered) < steps / 4
    assert max(offered) >= steps - steps // SPREAD  # the later batches reach the end of the epoch
    assert len(kept_inputs) == size and kept_inputs.max() >= steps / 2  # rows from the epoch's second half


def _blobs():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 8))
    y = (x[:, 0] - x[:, 1] > 0).astype(float)
    return x[:480], y[:480], x[480:], y[480:]


def _fit(learning_rate, epochs=12):
    x, y, x_val, y_val = _blobs()
    model = gw.Sequential([gw.Input((8,)), gw.Dense(32, activation="relu"), gw.Dense(1, activation="sigmoid")],
                          seed=0)
    model.compile(gw.optimizers.SGD(learning_rate=learning_rate), "binary_crossentropy")
    doctor = Doctor(print_fn=lambda *args: None)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        model.fit(x, y, epochs=epochs, batch_size=16, verbose=0, validation_data=(x_val, y_val), callbacks=[doctor])
    return doctor


def test_a_calm_run_is_sampled_within_half_the_budget_and_asks_for_few_batches():
    doctor = _fit(0.05)
    recorder = doctor.recorder
    assert not doctor.report.codes("warning")
    assert recorder._budget == CALM * recorder.overhead_budget
    batches = len(recorder.trace.batch_losses)
    assert batches == 12 * 30 and recorder.asked < batches / 2


def test_a_run_with_a_finding_keeps_the_whole_budget():
    doctor = _fit(40.0, epochs=6)  # a learning rate that blows the loss up
    assert doctor.report.codes("warning")
    assert doctor.recorder._budget == doctor.recorder.overhead_budget


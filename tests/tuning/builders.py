"""Build functions, data and callbacks shared by the tuner tests.

They live at module level so worker processes (started with 'spawn') can import them.
"""

import glob
import os
import time

import numpy as np

import gradwise as gw
from gradwise.callbacks import Callback
from gradwise.layers import Dense, Input


def binary_data(samples=160, features=4, seed=0):
    """A separable-but-noisy binary problem: float32 features, labels from a linear rule."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, features)).astype("float32")
    y = (x @ np.linspace(1.0, -0.5, features) + 0.3 * rng.standard_normal(samples) > 0).astype("float32")
    return x, y


def build_small(hp):
    """1-2 hidden layers; units_1 exists only with 2 layers."""
    model = gw.Sequential([Input((4,))])
    for index in range(hp.Int("layers", 1, 2)):
        model.add(Dense(hp.Int(f"units_{index}", 2, 8), activation=hp.Choice("activation", ["relu", "tanh"])))
    model.add(Dense(1, activation="sigmoid"))
    learning_rate = hp.Float("learning_rate", 1e-3, 1e-1, sampling="log")
    model.compile(optimizer=gw.optimizers.Adam(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def build_tiny(hp):
    """One hidden layer and a learning-rate choice: the smallest space for fast process tests."""
    model = gw.Sequential([Input((4,)), Dense(hp.Int("units", 2, 6), activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer=gw.optimizers.Adam(hp.Float("learning_rate", 1e-3, 1e-1, sampling="log")),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


class SlowEpochs(Callback):
    """Sleeps after each epoch so that concurrent workers overlap."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_epoch_end(self, epoch, logs=None):
        time.sleep(self.seconds)


class Rendezvous(Callback):
    """Before its first epoch, each process waits (up to a minute) until `parties` processes have arrived.

    Makes 'every worker ran trials' a certainty instead of a race with process start-up.
    """

    def __init__(self, folder, parties):
        super().__init__()
        self.folder, self.parties = folder, parties

    def on_train_begin(self, logs=None):
        open(os.path.join(self.folder, f"arrived.{os.getpid()}"), "w").close()
        deadline = time.monotonic() + 60
        while len(glob.glob(os.path.join(self.folder, "arrived.*"))) < self.parties and time.monotonic() < deadline:
            time.sleep(0.02)


class HangOnce(Callback):
    """The first trial after `skip` trials to reach epoch `epoch` writes its pid to `marker` and hangs.

    Trials are counted with one file per started training (``marker.train.<pid>.<n>``), so
    the count is shared by processes and survives the deep copy each trial makes.
    """

    def __init__(self, marker, epoch=1, skip=0):
        super().__init__()
        self.marker, self.epoch, self.skip = marker, epoch, skip
        self._started = 0

    def on_train_begin(self, logs=None):
        self._started = len(glob.glob(self.marker + ".train.*"))
        with open(f"{self.marker}.train.{os.getpid()}.{time.monotonic_ns()}", "w"):
            pass

    def on_epoch_begin(self, epoch, logs=None):
        if epoch != self.epoch or self._started < self.skip:
            return
        try:  # the claim file stays, so only the first trial ever hangs
            os.close(os.open(self.marker + ".claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
        with open(self.marker + ".tmp", "w") as handle:
            handle.write(str(os.getpid()))
        os.rename(self.marker + ".tmp", self.marker)
        time.sleep(120)


def search_until_killed(directory, marker):
    """A search (one process) whose third trial hangs: the test kills this process there."""
    import signal

    from gradwise.tuning import Tuner

    # Ctrl-C from a terminal reaches a process with Python's default handler. A spawned child
    # inherits its parent's ignored and blocked signals, and in a full xdist run the worker that
    # starts this child can carry SIGINT ignored or blocked (it hung twice in fresh-clone CI
    # runs, never alone): restore what a terminal user's process has.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    x, y = binary_data()
    tuner = Tuner(build_tiny, objective="val_accuracy", max_trials=3, seed=5, directory=directory,
                  project_name="killed", heartbeat_interval=1, grace_period=2)
    tuner.search(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[HangOnce(marker, skip=2)])


def build_discrete(hp):
    """A space of exactly 8 configurations: 4 widths x 2 activations."""
    model = gw.Sequential([Input((4,)), Dense(hp.Choice("units", [2, 3, 4, 5]), activation=hp.Choice(
        "activation", ["relu", "tanh"])), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def search_shared(directory, trials):
    """One of several processes searching one project at once, each with a single worker."""
    from gradwise.tuning import Tuner

    x, y = binary_data(64)
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=trials, seed=11, directory=directory,
                  project_name="shared", heartbeat_interval=1, grace_period=2)
    tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0, callbacks=[SlowEpochs(0.05)])


def open_study_at_once(url, barrier):
    """One of several processes creating the schema and the study of an empty database at the same moment."""
    import optuna

    from gradwise.tuning.storage import StorageSpec

    barrier.wait(60)
    storage = StorageSpec(url=url).open()
    optuna.create_study(storage=storage, study_name="race", load_if_exists=True)


def search_on_database(url, directory, trials, reconnect_timeout, marker):
    """A one-worker search on `url` whose trials last about half a second; prints a lost database's error."""
    from gradwise.tuning import Tuner
    from gradwise.tuning.storage import StorageUnavailableError

    x, y = binary_data(64)
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=trials, seed=1, directory=directory,
                  project_name="faults", storage=url, heartbeat_interval=1, grace_period=3,
                  reconnect_timeout=reconnect_timeout, pruner=None)
    try:
        tuner.search(x, y, epochs=5, validation_split=0.25, verbose=0, callbacks=[SlowEpochs(0.1)],
                     on_trial=lambda trial: open(f"{marker}.{trial.number}", "w").close())
    except StorageUnavailableError as error:
        with open(marker + ".error", "w") as handle:
            handle.write(str(error))

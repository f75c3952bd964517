"""Doctor: a callback that watches fit, names what goes wrong and shows the evidence.

It uses the epoch hooks, ``on_train_loss`` (every batch's loss) and ``on_train_step``
(the batches it samples, after their update); fit never builds batch logs for it, nor
the step data of the batches it does not sample.

    doctor = gradwise.doctor.Doctor()
    model.fit(x, y, validation_split=0.2, epochs=30, callbacks=[doctor])
    print(doctor.report)            # or doctor.report.to_dict(), doctor.report.figure()

Findings are printed as they appear (at the end of the epoch that shows them) and
collected in ``doctor.report``. With ``repair=True`` the doctor also applies the top
remedy during fit (``live_repair``): optimizer changes in place (learning rates sized by
a range test), and changes to the model (another activation, initializer or output
activation, batch normalization, standardized inputs, dropout, more units or layers) by
rebuilding a Sequential or functional model in place between two epochs (a functional
model's graph is rewired, ``wiring.py``); a subclassed model's call() is user code, so it
gets only the changes that keep its layers' shapes (activation, initializer) on its own
layers, and the others are proposed with that reason. Each is printed and logged with the code
change it stands for and the finding's evidence; what cannot be applied live (another
loss, imputed data, more epochs) is logged as proposed, for
``gradwise.doctor.diagnose(..., repair=True)`` or for the user to apply. A repaired run
that ends worse on validation is put back as it was (never worse).
"""

import time

from ..callbacks import Callback
from .detectors import run_detectors
from .findings import severity_rank
from .instruments import Recorder
from .live_repair import LiveRepairer
from .report import Report


DETECTION_BUDGET = 0.0025  # of the training time, for the detectors run at epoch ends while printing
# The instruments' share of the training time (``overhead_budget=None``): an observing doctor's findings
# come from the whole run, so a third fewer samples cost it little; a repairing one acts on each epoch.
OBSERVING_BUDGET = 0.01
REPAIRING_BUDGET = 0.015
# Within the budget every epoch gets its samples; beyond it, an observing doctor lets up to this many
# epochs pass between two samples (epochs of a few milliseconds: a sample each would cost several
# percent), while a repairing one samples every epoch, since its remedies act on each epoch's findings.
# The detectors pool epochs with fewer than 3 samples anyway (``_signals.per_epoch_median``).
LONGEST_GAP = 3


class Doctor(Callback):
    """Diagnose a training run from inside ``fit``.

    Parameters
    ----------
    repair : bool, default False
        Apply the live remedies described in the module docstring.
    sample_every : int or 'auto', default 'auto'
        Sample every N-th batch; 'auto' keeps the instruments within `overhead_budget`.
    overhead_budget : float or None, default None
        Share of the training time the doctor's timed work (sampled batches, epoch
        summaries, detectors) may take; samples are skipped beyond it (but at least
        one is taken every ``LONGEST_GAP`` = 3 epochs, every epoch with ``repair=True``).
        None: ``OBSERVING_BUDGET`` (1%), or ``REPAIRING_BUDGET`` (1.5%) with
        ``repair=True``, whose remedies act on every epoch's findings. An observing
        doctor works within half of it while its epoch-end detectors find nothing
        (``Recorder.calm``). Untimed: the hook
        calls and the few operations of every batch (the benchmark measures the total).
        1% leaves room for those, the one-off summaries and the detectors'
        ``DETECTION_BUDGET`` within issue 14's 5% (``bench.doctor.overhead``).
    verbose : int, default 1
        0 silent, 1 a line per new finding and per repair, 2 also the full report at the end.
    print_fn : callable, default print
    min_severity : str, default 'warning'
        Findings below it are kept in the report but not printed.

    Attributes
    ----------
    report : Report
        Final after fit. During fit the detectors also run at epoch ends: at every epoch
        with ``repair=True``; when printing, as long as they take under
        ``DETECTION_BUDGET`` (0.25%) of the training time so far. ``report`` then holds the
        latest findings.

    Examples
    --------
    >>> doctor = Doctor()
    >>> model.fit(x, y, epochs=20, validation_split=0.2, callbacks=[doctor])  # doctest: +SKIP
    >>> doctor.report.root_cause  # doctest: +SKIP
    """

    def __init__(self, repair=False, sample_every="auto", overhead_budget=None, verbose=1, print_fn=print,
                 min_severity="warning"):
        super().__init__()
        if verbose not in (0, 1, 2):
            raise ValueError(f"Doctor: `verbose` must be 0, 1 or 2, got {verbose!r}.")
        severity_rank(min_severity)
        self.repair = bool(repair)
        self.verbose = verbose
        self.print_fn = print_fn
        self.min_severity = min_severity
        if overhead_budget is None:
            overhead_budget = REPAIRING_BUDGET if self.repair else OBSERVING_BUDGET
        self.recorder = Recorder(sample_every, overhead_budget, longest_gap=1 if self.repair else LONGEST_GAP)
        self.report = Report([], self.recorder.trace)
        self._printed = set()
        self._non_finite = None

    @property
    def trace(self):
        return self.recorder.trace

    treats_non_finite_data = True  # fit hands NaN/Inf in its arrays to on_non_finite_data instead of refusing them

    def on_non_finite_data(self, data):
        """NaN/Inf in fit's arrays, before training (``gradwise.models.nonfinite``): reported as NAN_INF;
        with ``repair=True`` the rows with a non-finite target are left out and the inputs are imputed
        inside the model (``live_repair.treat_data``). Without repair, training starts and stops at the
        first NaN/Inf loss, as the report explains."""
        self._non_finite = data
        if self.repair and (data.counts["y"] or data.counts["validation y"]):
            data.drop_target_rows()

    def on_train_begin(self, logs=None):
        self.recorder = Recorder(self.recorder.sample_every, self.recorder.overhead_budget,
                                 longest_gap=self.recorder.longest_gap)
        self.recorder.begin(self.model, self.params)
        non_finite, self._non_finite = self._non_finite, None
        if non_finite is not None:
            self.trace.setup["nonfinite_data"] = {"counts": dict(non_finite.counts), "imputed": False,
                                                  "dropped": non_finite.dropped}
        # after every batch fit calls the recorder directly: one Python frame less per batch
        self.on_train_loss = self.recorder.on_loss
        self.on_train_step = self.recorder.on_step
        self.wants_step_data = self.recorder.wants_data
        self._printed = set()
        self._repairer = LiveRepairer(self.model, self._say, self.recorder, self.params) if self.repair else None
        if self._repairer is not None and non_finite is not None:
            self._repairer.treat_data(non_finite, self.trace.setup["nonfinite_data"])
        self._started = time.perf_counter()
        self._detect_seconds = self._detect_last = 0.0
        if self.verbose or self.repair:  # set-up findings (before training): paid once, counted as overhead
            self._update(None)
            self.recorder.note_overhead(time.perf_counter() - self._started, recurring=False)

    def on_epoch_begin(self, epoch, logs=None):
        self.recorder.epoch_begin(epoch)

    def on_train_loss(self, step, loss):
        return self.recorder.on_loss(step, loss)

    def on_train_step(self, step, data):
        self.recorder.on_step(step, data)

    def wants_step_data(self, step):
        return self.recorder.wants_data(step)

    def on_epoch_end(self, epoch, logs=None):
        self.recorder.epoch_end(epoch, logs)
        if self._repairer is not None:
            self._repairer.remember(epoch, logs)
        elapsed = time.perf_counter() - self._started
        within_budget = self._detect_seconds + self._detect_last <= DETECTION_BUDGET * elapsed
        if self.repair or (self.verbose and within_budget):  # repairs need every epoch's findings
            start = time.perf_counter()
            self._update(epoch)
            if not self.repair:  # a repairing doctor keeps its whole budget: its remedies act on each epoch
                self.recorder.calm(not self.report.codes("warning"))
            self._detect_last = time.perf_counter() - start
            self._detect_seconds += self._detect_last
            self.recorder.note_overhead(self._detect_last)

    def on_epoch_failed(self, epoch, logs=None):
        """A NaN/Inf loss stopped fit in this epoch. With ``repair=True`` the findings are treated
        now; when a remedy was applied and epochs are left, training goes on from it."""
        if self._repairer is None:
            return
        start = time.perf_counter()
        self.recorder.mark_failure()
        applied = self._update(epoch)
        left = (self.params or {}).get("epochs", 0) - epoch - 1
        if applied and left > 0:
            self.recorder.resume(epoch, logs)
            self.model.stop_training = False
            self.model.stop_reason = None
        self.recorder.note_overhead(time.perf_counter() - start)

    def on_train_end(self, logs=None):
        self.recorder.end()
        self.trace.setup["finished"] = True
        start = time.perf_counter()
        self._update(None, final=True)
        self.recorder.note_overhead(time.perf_counter() - start)
        self.report.overhead = self.recorder.overhead_seconds / max(self.recorder.train_seconds, 1e-9)
        if self.verbose == 2:
            self.print_fn(self.report.text())
        elif self.verbose == 1 and self.report.root_cause is not None:
            self.print_fn(f"gradwise doctor: root cause {self.report.root_cause.code}; "
                          f"{len(self.report.codes(self.min_severity))} problem(s); see doctor.report")

    def _say(self, message):
        if self.verbose:
            self.print_fn(message)

    def _update(self, epoch, final=False):
        report = Report(run_detectors(self.trace), self.trace)
        floor = severity_rank(self.min_severity)
        for finding in report.findings:
            if finding.rank >= floor and finding.key not in self._printed:
                self._printed.add(finding.key)
                when = "before training" if epoch is None and not final else finding.where()
                self._say(f"gradwise doctor [{when}] {finding.severity.upper()} {finding.code}: {finding.title}. "
                          f"Fix: {finding.remedies[0].code if finding.remedies else 'see the report'}")
        repairer = self._repairer
        applied = 0
        if repairer is not None and (epoch is not None or final):
            applied = repairer.treat(report, None if final else epoch)
        if not final:
            self.report = report
            return applied
        if repairer is not None:
            repairer.finish()
        repairs = repairer.log if repairer is not None else []
        self.report = Report(
            report.findings, self.trace, repairs=repairs,
            before={"codes": sorted({entry["finding"] for entry in repairs})} if repairs else None,
            after=repairer.after(run_detectors, self.trace) if repairer is not None else None)

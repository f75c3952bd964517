"""Text about trials: one progress line per finished trial, and the results summary."""

from optuna.trial import TrialState


def format_value(value):
    if value is None:
        return "-"
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def reported_values(trial):
    """The trial's objective values, or for a pruned trial its last reported value."""
    if trial.values is not None:
        return list(trial.values)
    if trial.intermediate_values:
        return [trial.intermediate_values[max(trial.intermediate_values)]]
    return None


def params_text(params, names=None, limit=6):
    """'units_0=64 optimizer=adam ...' for `names` (default: the first `limit` parameters)."""
    keys = [n for n in names if n in params] if names is not None else list(params)[:limit]
    return " ".join(f"{key}={format_value(params[key])}" for key in keys)


def progress_line(trial, objectives, names=None, params=None, extras=()):
    """'Trial 3  COMPLETE  val_accuracy=0.7812  12 epochs  4.2 s  units_0=64 ...'.

    `params` replaces the trial's hyperparameters in the line (e.g. a shortened selection);
    `extras` names logged keys shown from the trial's best epoch (e.g. 'val_accuracy').
    """
    values = reported_values(trial)
    if values is None:
        shown = "no value"
    else:
        shown = "  ".join(f"{o.name}={format_value(v)}" for o, v in zip(objectives, values))
    epochs = trial.user_attrs.get("epochs")
    seconds = trial.duration.total_seconds() if trial.duration is not None else float("nan")
    logs = trial.user_attrs.get("best_logs", {})
    shown += "".join(f"  ({key}={format_value(logs[key])})" for key in extras if key in logs)
    parts = [f"Trial {trial.number:>3}", f"{trial.state.name:<8}", shown]
    if epochs is not None:
        parts.append(f"{epochs} epochs")
    parts.append(f"{seconds:.1f} s")
    if params is None:
        parts.append(params_text(trial.user_attrs.get("hp_values", trial.params), names))
    else:
        parts.append(params_text(params, list(params)))
    return "  ".join(part for part in parts if part)


def summary_lines(tuner, num_trials=10):
    """KerasTuner-style results summary of the best trials."""
    trials = tuner.study.get_trials(deepcopy=False)
    counts = {state: sum(1 for t in trials if t.state == state) for state in TrialState}
    best = tuner.best_trials(num_trials)
    lines = [
        "Results summary",
        f"Results in {tuner.project_dir}",
        f"Showing {len(best)} best trials",
        "Objective: " + ", ".join(f"{o.name} ({o.direction})" for o in tuner.objectives),
        "Trials: " + ", ".join(f"{counts[s]} {s.name.lower()}" for s in TrialState if counts[s]),
    ]
    for trial in best:
        lines += ["", f"Trial {trial.number} summary", "Hyperparameters:"]
        lines += [f"{key}: {format_value(value)}" for key, value in trial.user_attrs.get("hp_values", trial.params).items()]
        score = ", ".join(f"{o.name}={format_value(v)}" for o, v in zip(tuner.objectives, trial.values))
        lines.append(f"Score: {score}")
    return lines

"""What ``gradwise tune`` keeps for its report beyond its own outputs.

- In the study (so a report of a running or remote study has them): the exact command
  that resumes the search, the columns used and dropped with their reasons, the rows.
- In the run folder: ``doctor.json``, the doctor's findings on the final model's fit.
"""

import json
import os
import shlex

from .study import RUN_KEY

DOCTOR_FILE = "doctor.json"


def _tune_parser():
    import argparse

    from ..tabular.tune import add_parser

    return add_parser(argparse.ArgumentParser().add_subparsers())


def tune_command(args):
    """``gradwise tune ...`` with the options of `args` that differ from the defaults (password hidden)."""
    from ..tuning.storage import _hide_password

    parser = _tune_parser()
    words = ["gradwise", "tune"]
    for action in parser._actions:  # argparse keeps its actions there; the options of this one command
        if not action.option_strings or action.dest in ("help", "overwrite"):
            continue
        value = getattr(args, action.dest, None)
        if value is None or value == action.default:
            continue
        option = action.option_strings[-1] if action.option_strings[-1].startswith("--") else action.option_strings[0]
        if action.nargs == 0:  # a flag
            words.append(option)
        else:
            text = ",".join(value) if isinstance(value, list) else str(value)
            words += [option, _hide_password(text) if action.dest == "storage" else text]
    return shlex.join(words)


def remember_run(study, args, prepared):
    """Store the command, the columns and the rows in the study's user attributes."""
    config = prepared.preprocessor.config
    facts = {"command": tune_command(args), "columns": {"used": config["features"], "dropped": config["dropped"]},
             "rows": {"train": len(prepared.x_train), "test": len(prepared.x_test)}, "classes": prepared.classes}
    study.set_user_attr(RUN_KEY, json.loads(json.dumps(facts, default=str)))


def save_doctor(folder, report):
    """Write the doctor's report (findings, evidence, remedies) to ``folder/doctor.json``."""
    with open(os.path.join(folder, DOCTOR_FILE), "w", encoding="utf-8") as handle:
        json.dump(report.to_dict(), handle, indent=1, default=str)

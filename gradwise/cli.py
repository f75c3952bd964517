"""The ``gradwise`` command: ``gradwise tune``, ``gradwise predict`` (and ``gradwise doctor`` when installed).

``main(argv) -> int`` is the console script declared in pyproject.toml; ``python -m gradwise``
runs it too. Every command has ``--help``. Errors in the data or the files are printed as
one line on standard error with exit status 1; usage errors exit with status 2.
"""

import argparse
import importlib
import sys

from . import __version__


def _optional_commands():
    """Command modules that may not be installed: (name, module) pairs of those that are."""
    found = []
    for name, module_name in (("doctor", "gradwise.doctor.cli"), ("report", "gradwise.report.cli"),
                              ("dashboard", "gradwise.report.dashboard")):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is None or not module_name.startswith(error.name):
                raise  # the command exists but one of its own imports is missing: say so
            continue
        if hasattr(module, "add_parser") and hasattr(module, "run"):
            found.append((name, module))
    return found


def build_parser():
    from .tabular import predict, tune

    parser = argparse.ArgumentParser(
        prog="gradwise", description="Keras-style neural networks on NumPy: search, train and predict from the command line.",
        epilog="Run `gradwise COMMAND --help` for a command's options.")
    parser.add_argument("--version", action="version", version=f"gradwise {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    tune.add_parser(subparsers)
    predict.add_parser(subparsers)
    for name, module in _optional_commands():
        module.add_parser(subparsers)
        subparsers.choices[name].set_defaults(handler=module.run)
    return parser


def main(argv=None):
    """Run the command line with `argv` (default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exit_:  # --help, --version and usage errors
        return exit_.code if isinstance(exit_.code, int) else 2
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    args.whole_process = argv is None  # run as the `gradwise` command: its time began with the process
    try:
        return int(args.handler(args) or 0)
    except (ValueError, TypeError, OSError) as error:
        print(f"gradwise {args.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"gradwise {args.command}: interrupted; run the same command again to resume.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

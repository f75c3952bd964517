"""Run the shell blocks of a documentation page as a reader would type them.

Each command of a page's ```bash blocks runs in bash, in the page's order, in one scratch
folder (the reader's current directory), with the `gradwise` script of the environment the
suite runs in first on PATH and `.venv` standing for that environment. A command must exit
with status 0 (EXPECTED_STATUS lists the one command whose status says something else).

Most commands run exactly as the page prints them. Those that would take minutes, install
software, need the reader's own server or files, or never end, run in a cheap equivalent
form: CHEAP_FORMS lists each, with why; SAMPLE_FILES lists the stand-ins for the reader's
files. tests/docs/test_pages.py fails when a cheap form matches no command of any page, so
the list cannot outlive the pages it is for.
"""

import re
import signal
import subprocess
import sys
import threading
import tomllib
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "hooks"))
import pages  # noqa: E402

TUNE_BUDGET = "--trials 2 --epochs 2 --no-baselines"


class CommandError(AssertionError):
    """A page's command failed; the message names the page, the line, the command and its output."""


@dataclass
class Scratch:
    """Where a page's commands run: the folder, their environment, the throw-away database's URL."""

    page: Path
    folder: Path
    env: dict
    database: str | None


@dataclass(frozen=True)
class CheapForm:
    pattern: str                                   # a regular expression searched in the command
    why: str
    rewrite: Callable[[str, Scratch], str | None]  # the command to run instead; None when done here


def _put_the_database(command, scratch):
    assert scratch.database is not None, "a page writing the database URL runs with pages.database_for"
    return command.replace(pages.DATABASE, scratch.database)


def _check_the_install(command, scratch):
    extra = re.search(r'"\.\[(\w+)\]"', command).group(1)
    missing = [f"{requirement} (installed: {installed})" for requirement, installed in _requirements_of(extra)
               if installed is None or not requirement.specifier.contains(installed, prereleases=True)]
    assert not missing, f"`{command}`: these requirements of the '{extra}' extra are not installed: {missing}"
    return None


def _requirements_of(extra, seen=()):
    """(requirement, installed version or None) for each requirement of `extra`, self-references followed."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert extra in extras, f"pyproject.toml has no extra '{extra}'; it has {sorted(extras)}"
    for line in extras[extra]:
        requirement = Requirement(line)
        if requirement.name == "gradwise":
            for inner in requirement.extras - set(seen):
                yield from _requirements_of(inner, (*seen, extra))
            continue
        try:
            yield requirement, metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            yield requirement, None


def _check_the_suite_command(command, scratch):
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert command == ci, f"the page's test command differs from the one CI runs (.ci/run):\n{command}\n{ci}"
    return f"bash {ROOT}/scripts/ensure-postgres.sh && bash {ROOT}/scripts/ensure-chromium.sh"


def _serve_once(command, scratch):
    """Start the server on a free port, ask it for its page and its studies, stop it with Ctrl-C."""
    errors = open(scratch.folder / "server-stderr.txt", "w+")  # a file: a chatty server never blocks on it
    process = subprocess.Popen(["bash", "-c", f"exec {command} --port 0"], cwd=scratch.folder, env=scratch.env,
                               stdout=subprocess.PIPE, stderr=errors, text=True)
    watchdog = threading.Timer(180, process.kill)  # a server that never prints its address fails, not hangs
    watchdog.start()
    try:
        line = process.stdout.readline()
        address = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert address, f"`{command}` printed no local address: {line!r}"
        with urllib.request.urlopen(address.group(0), timeout=60) as response:
            assert response.status == 200 and "<html" in response.read().decode().lower()
        with urllib.request.urlopen(address.group(0) + "api/studies", timeout=60) as response:
            assert b'"study_name"' in response.read(), f"`{command}` serves no study"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            status = process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            status = process.wait()
        watchdog.cancel()
        errors.seek(0)
        stderr = errors.read()
        errors.close()
    assert status == 0, f"`{command}` ended with status {status} after Ctrl-C:\n{stderr[-3000:]}"
    return None


CHEAP_FORMS = [
    CheapForm(re.escape(pages.DATABASE),
              "db-host is the reader's database server; the test starts a throw-away PostgreSQL server "
              "(tests/tuning/postgres_server.py, with pages.database_for) and puts its URL there.",
              _put_the_database),
    CheapForm(r'^python3 -m venv \.venv && \.venv/bin/pip install -q -e "\.\[\w+\]"$',
              "Creating an environment and installing into it takes minutes and the network. CI runs this same "
              "install (.ci/run, with the 'test' extra, which holds 'tools') to make the environment this suite "
              "runs in, so `.venv` is that environment here, and the test checks that the extra the page names "
              "exists in pyproject.toml and that every requirement in it is installed.",
              _check_the_install),
    CheapForm(r"-m pytest -n 2 -q$",
              "The suite cannot run itself from inside. The page's command must be exactly the one CI runs "
              "(.ci/run, the README's); its two set-up scripts run for real (they find what CI installed and "
              "return at once).",
              _check_the_suite_command),
    CheapForm(r"^(\.venv/bin/)?gradwise tune\b",
              f"A real search runs for --time-budget seconds (45 by default, up to 100 trials of 100 epochs); "
              f"the test appends `{TUNE_BUDGET}` (later options win), which still runs every step of the "
              f"command (split, search, refit, test scores, report) but in seconds.",
              lambda command, scratch: f"{command} {TUNE_BUDGET}"),
    CheapForm(r"^gradwise dashboard\b",
              "A server runs until Ctrl-C. The test starts it on a free port (`--port 0` appended: the default "
              "8080 may be taken on a shared machine), asks it for its page and for its studies (there must be "
              "one), then sends Ctrl-C and expects status 0.",
              _serve_once),
]

# A command whose exit status reports a result: (pattern, the statuses that pass, why).
EXPECTED_STATUS = [
    (r"^gradwise doctor\b(?!.*--find-lr)", {0, 1},
     "Like a linter's, the doctor's status says whether it found a problem: 0 none, 1 some (whether a tuned "
     "model is healthy is the doctor's tests' business). 2, a model or data it could not read, fails."),
]


def _customers(path):
    from gradwise.tabular.messy import customer_table

    header, rows = customer_table(rows=300, seed=0)
    lines = [",".join(header + ["email"])]
    lines += [",".join(row + [f"customer{number}@example.com"]) for number, row in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _pima(path, rows=None, outcome=True):
    lines = (ROOT / "gradwise" / "data" / "diabetes.csv").read_text(encoding="utf-8").splitlines()[:rows]
    path.write_text("\n".join(line if outcome else line.rsplit(",", 1)[0] for line in lines) + "\n",
                    encoding="utf-8")


# Files the pages' commands name as the reader's own, written by the test into the scratch
# folder first: (name, how it is written). Their columns are what the page says they are.
SAMPLE_FILES = [
    ("customers.csv", _customers),                                    # churned yes/no, an email column, gaps
    ("diabetes.csv", _pima),                                          # the Pima table with its Outcome
    ("new_patients.csv", lambda path: _pima(path, rows=6, outcome=False)),  # five rows without the Outcome
]


def command_lines(page):
    """(line number, command) for each command of `page`'s bash blocks: continuations joined, comments dropped."""
    commands = []
    for first, text in pages.command_blocks(page):
        pending, start = "", None
        for offset, line in enumerate(text.splitlines()):
            line = re.sub(r"(^|\s+)#\s.*$|^#$", "", line).rstrip()  # a comment: '#' after a space, to the end
            if not line and not pending:
                continue
            start = first + offset if start is None else start
            if line.endswith("\\"):
                pending += line[:-1].strip() + " "
                continue
            commands.append((start, pending + line.strip()))
            pending, start = "", None
    return commands


def scratch_for(page, folder, database=None):
    """A Scratch in `folder`: the sample files, `.venv` for this environment, `gradwise` on PATH."""
    import os

    script = Path(sys.executable).parent / "gradwise"
    assert script.exists(), f"no gradwise script beside {sys.executable}: install the checkout (pip install -e .)"
    (folder / ".venv").symlink_to(Path(sys.executable).parent.parent, target_is_directory=True)
    for name, write in SAMPLE_FILES:
        write(folder / name)
    env = dict(os.environ, PATH=f"{script.parent}{os.pathsep}{os.environ.get('PATH', '')}", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return Scratch(Path(page), folder, env, database)


def _cheap_form(command, scratch):
    """The command to run for `command` (None when it was done here) after every cheap form that applies."""
    for form in CHEAP_FORMS:
        if re.search(form.pattern, command):
            command = form.rewrite(command, scratch)
            if command is None:
                return None
    return command


def run_commands(page, folder, database=None):
    """Run every command of `page`'s bash blocks in `folder`; raises CommandError on the first that fails."""
    scratch = scratch_for(page, folder, database)
    name = page.relative_to(pages.DOCS) if page.is_relative_to(pages.DOCS) else page.name
    for line, command in command_lines(page):
        try:
            run = _cheap_form(command, scratch)
        except AssertionError as error:
            raise CommandError(f"{name}, line {line}: {error}") from error
        if run is None:
            continue
        done = subprocess.run(["bash", "-o", "pipefail", "-c", run], cwd=folder, env=scratch.env,
                              capture_output=True, text=True, timeout=600)
        passing = next((statuses for pattern, statuses, _ in EXPECTED_STATUS if re.search(pattern, command)), {0})
        if done.returncode not in passing:
            raise CommandError(f"{name}, line {line}: `{command}` (run as `{run}`) ended with status "
                               f"{done.returncode}:\n{(done.stdout + done.stderr)[-4000:]}")

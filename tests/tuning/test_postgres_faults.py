"""PostgreSQL faults: a schema-creation race, a server stopped and restarted mid-search, a server gone.

Each test runs its own throw-away server (see ``postgres_server``) and stops it for real.
"""

import glob
import multiprocessing
import os
import socket
import subprocess
import sys
import time

import optuna
import pytest
from optuna.trial import TrialState

from .builders import open_study_at_once, search_on_database
from .postgres_server import running_server

optuna.logging.set_verbosity(optuna.logging.WARNING)
REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture()
def server():
    with running_server() as running:
        yield running


def _complete(url):
    study = optuna.load_study(study_name="faults", storage=url)
    return [t for t in study.trials if t.state == TrialState.COMPLETE]


def _wait_for(pattern, seconds=60):
    deadline = time.monotonic() + seconds
    while not glob.glob(pattern):
        assert time.monotonic() < deadline, f"{pattern} did not appear"
        time.sleep(0.05)


def test_processes_creating_the_schema_together_all_succeed(server):
    context = multiprocessing.get_context("spawn")
    url = server.create_database("race")  # empty: the first processes to connect create the schema
    barrier = context.Barrier(4)
    processes = [context.Process(target=open_study_at_once, args=(url, barrier)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [process.exitcode for process in processes] == [0, 0, 0, 0]  # before: IntegrityError in 3 of 4
    assert optuna.load_study(study_name="race", storage=url).trials == []


def test_a_server_stopped_and_restarted_mid_search_loses_nothing(server, tmp_path):
    marker = str(tmp_path / "finished")
    search = multiprocessing.get_context("spawn").Process(
        target=search_on_database, args=(server.url, str(tmp_path), 6, 60, marker))
    search.start()
    try:
        _wait_for(marker + ".1")  # two trials are complete, the third is training
        server.halt()
        time.sleep(2)
        server.resume()
        search.join(120)
    finally:
        if search.is_alive():
            search.kill()
    assert search.exitcode == 0 and not os.path.exists(marker + ".error")
    complete = _complete(server.url)
    assert len(complete) == 6  # the trial cut off by the stop was retried; the count is exact


def test_a_server_gone_for_good_stops_the_search_with_one_line(server, tmp_path):
    marker = str(tmp_path / "finished")
    search = multiprocessing.get_context("spawn").Process(
        target=search_on_database, args=(server.url, str(tmp_path), 6, 3, marker))
    search.start()
    try:
        _wait_for(marker + ".0")
        server.halt()
        started = time.monotonic()
        search.join(60)
        stopped_after = time.monotonic() - started
    finally:
        if search.is_alive():
            search.kill()
        server.resume()
    assert search.exitcode == 0
    message = open(marker + ".error").read()
    assert "\n" not in message and f"127.0.0.1:{server.port}/gradwise_test" in message
    assert "could not reconnect within 3 s" in message and "Completed trials are safe" in message
    assert stopped_after < 30
    assert len(_complete(server.url)) >= 1


def test_an_unreachable_database_through_the_cli_is_one_line(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        [sys.executable, "-m", "gradwise", "tune", "--dataset", "pima", "--trials", "2", "--runs-dir", str(tmp_path),
         "--storage", f"postgresql+psycopg2://nobody@127.0.0.1:{port}/studies"],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": REPOSITORY})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # before: 132 lines of traceback
    assert f"Cannot reach the study database at 127.0.0.1:{port}/studies" in lines[0]

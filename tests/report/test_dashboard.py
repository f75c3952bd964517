"""`gradwise dashboard runs/NAME`: optuna-dashboard starts on the study, answers on localhost, stops on Ctrl-C."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

from gradwise.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_dashboard_serves_the_study_and_stops_on_ctrl_c(tuned_run, tmp_path):
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    errors = open(tmp_path / "stderr.txt", "w+")  # a file, not a pipe: a chatty server can never block on it
    process = subprocess.Popen([sys.executable, "-m", "gradwise", "dashboard", str(tuned_run), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=errors, text=True, env=env)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        with urllib.request.urlopen(url, timeout=60) as response:  # redirects to the dashboard's page
            assert response.status == 200 and "<html" in response.read().decode().lower()
        with urllib.request.urlopen(url + "api/studies", timeout=60) as response:
            studies = json.loads(response.read())["study_summaries"]
        assert [study["study_name"] for study in studies] == ["customers"]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            status = process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            status = None
        errors.seek(0)
        stderr = errors.read()
        errors.close()
    assert status == 0 and "stopped" in stderr, f"status {status}; stderr:\n{stderr[-3000:]}"


def test_dashboard_on_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["dashboard", str(tmp_path), "--port", "0"]) == 1
    assert "not a gradwise run folder" in capsys.readouterr().err

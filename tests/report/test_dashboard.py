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


def test_dashboard_serves_the_study_and_stops_on_ctrl_c(tuned_run):
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen([sys.executable, "-m", "gradwise", "dashboard", str(tuned_run), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        with urllib.request.urlopen(url, timeout=30) as response:  # redirects to the dashboard's page
            assert response.status == 200 and "<html" in response.read().decode().lower()
        with urllib.request.urlopen(url + "api/studies", timeout=30) as response:
            studies = json.loads(response.read())["study_summaries"]
        assert [study["study_name"] for study in studies] == ["customers"]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            status = process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
    assert status == 0 and "stopped" in process.stderr.read()


def test_dashboard_on_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["dashboard", str(tmp_path), "--port", "0"]) == 1
    assert "not a gradwise run folder" in capsys.readouterr().err

"""bench/mmap_memory.py runs end to end on a tiny file (so it cannot rot) and deletes its folder."""

import json
import tempfile
from pathlib import Path

from bench import mmap_memory


def test_mmap_benchmark_trains_on_a_small_map_and_cleans_up(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    output = tmp_path / "result.json"
    assert mmap_memory.main(["--gigabytes", "0.002", "--features", "64", "--batch-size", "32",
                             "--json", str(output)]) == 0
    result = json.loads(output.read_text())
    assert result["rows"] == 7812 and result["predictions"] == 7812 and result["met"]
    assert 0 < result["peak_rss_mib"] < 1024 and result["tail_accuracy"] > 0.6
    assert [path.name for path in Path(tmp_path).iterdir()] == ["result.json"]  # the training set is deleted

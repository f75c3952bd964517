#!/usr/bin/env bash
# Run the benchmark with the peers' virtual environment (create it with bench/setup.sh).
#
#   bench/run.sh                      # full run: every workload and tool, results in bench/results/
#   bench/run.sh --quick              # a few seconds per workload and tool
#   bench/run.sh --threads 1 --workloads w1,w2 --tools gradwise,torch
#   bench/run.sh --help
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${BENCH_PYTHON:-$BENCH_DIR/.venv-peers/bin/python}"
if [ ! -x "$PYTHON" ]; then
    echo "no peers environment at $BENCH_DIR/.venv-peers: run bench/setup.sh first" >&2
    exit 1
fi
cd "$(dirname "$BENCH_DIR")"
exec "$PYTHON" -m bench.harness "$@"

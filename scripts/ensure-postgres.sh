#!/usr/bin/env bash
# Make PostgreSQL's server programs (initdb, pg_ctl) available for the test suite.
#
# The tuner's PostgreSQL test starts its own throw-away server on loopback, in a
# temporary folder, with initdb and pg_ctl. This script installs Debian's/Ubuntu's
# 'postgresql' package when those programs are missing, and prints where they are.
# It needs root (or sudo) only when it has to install.
set -euo pipefail

find_bin() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return 0
    fi
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if bin=$(find_bin); then
    echo "PostgreSQL found: $bin"
    exit 0
fi

echo "PostgreSQL's initdb/pg_ctl not found; installing the 'postgresql' package." >&2
if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: apt-get is not available; install PostgreSQL (initdb, pg_ctl) with your system's package manager." >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends postgresql

if bin=$(find_bin); then
    echo "PostgreSQL installed: $bin"
else
    echo "error: the 'postgresql' package was installed but initdb/pg_ctl were not found under /usr/lib/postgresql/*/bin." >&2
    exit 1
fi

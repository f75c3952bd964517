#!/usr/bin/env bash
# Make a headless-capable Chromium available for the browser tests of the HTML reports.
#
# The report tests render each page in headless Chromium (screenshot, DOM, console).
# This script installs Debian's 'chromium' package when no Chromium is found, and
# prints where it is. It needs root (or sudo) only when it has to install.
set -euo pipefail

find_chromium() {
    local name
    for name in chromium chromium-browser; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    if [ -x /usr/bin/chromium ]; then
        echo /usr/bin/chromium
        return 0
    fi
    return 1
}

if path=$(find_chromium); then
    echo "Chromium found: $path"
    exit 0
fi

echo "Chromium not found; installing the 'chromium' package." >&2
if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: apt-get is not available; install Chromium with your system's package manager." >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium

if path=$(find_chromium); then
    echo "Chromium installed: $path"
else
    echo "error: the 'chromium' package was installed but no chromium program was found." >&2
    exit 1
fi

"""Running a Python snippet in a child process under a file-size limit: a full disk, portably.

``RLIMIT_FSIZE`` makes any write past the limit fail with ``EFBIG`` ("File too large")
exactly where a full disk fails with ``ENOSPC``: mid-write, after part of the data went
out. SIGXFSZ is ignored in the child so the write returns the error instead of killing it.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]

_PRELUDE = textwrap.dedent("""
    import resource, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
""")


def run_limited(code, limit_bytes, *args, timeout=120):
    """Run `code` under a `limit_bytes` file-size limit; returns the CompletedProcess (text)."""
    script = _PRELUDE.format(limit=int(limit_bytes)) + textwrap.dedent(code)
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], cwd=REPOSITORY, env=environment,
                          capture_output=True, text=True, timeout=timeout)

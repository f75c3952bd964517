"""A throw-away PostgreSQL server on loopback, in a temporary folder, for the storage tests.

Needs PostgreSQL's initdb and pg_ctl (``bash scripts/ensure-postgres.sh`` installs them).
PostgreSQL refuses to run as root, so under root the server runs as the 'postgres' user
that the distribution's package creates.
"""

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile


def find_binaries():
    """The folder holding initdb and pg_ctl, or None."""
    candidates = []
    if shutil.which("pg_ctl"):
        candidates.append(os.path.dirname(os.path.realpath(shutil.which("pg_ctl"))))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if all(os.access(os.path.join(folder, name), os.X_OK) for name in ("initdb", "pg_ctl", "createdb")):
            return folder
    return None


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """initdb + pg_ctl start on a free loopback port; ``stop()`` removes everything."""

    def __init__(self, binaries, database="gradwise_test", user="gradwise"):
        self.binaries, self.database, self.user = binaries, database, user
        self.root = tempfile.mkdtemp(prefix="gradwise-postgres-")
        self.data = os.path.join(self.root, "data")
        self.port = _free_port()
        self.run_as = None
        if os.geteuid() == 0:
            self.run_as = "postgres"
            account = pwd.getpwnam(self.run_as)
            os.chown(self.root, account.pw_uid, account.pw_gid)

    def _run(self, *args):
        command = [os.path.join(self.binaries, args[0]), *args[1:]]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def start(self):
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", self.user, "-E", "UTF8", "--no-sync")
        self.resume()
        self.create_database(self.database)
        return self

    def create_database(self, name):
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name)
        return f"postgresql+psycopg2://{self.user}@127.0.0.1:{self.port}/{name}"

    def halt(self):
        """Stop the server (its connections are cut), keeping its data for ``resume``."""
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def resume(self):
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.root, "server.log"), "-o", options, "-w",
                  "-t", "60", "start")

    @property
    def url(self):
        return f"postgresql+psycopg2://{self.user}@127.0.0.1:{self.port}/{self.database}"

    def stop(self):
        try:
            if os.path.exists(os.path.join(self.data, "postmaster.pid")):
                self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def running_server():
    """A started throw-away server, stopped at exit; fails the test when PostgreSQL is missing."""
    import pytest  # here, not above: `make docs` starts its servers with this module and needs no pytest

    binaries = find_binaries()
    if binaries is None:
        pytest.fail("PostgreSQL's initdb/pg_ctl were not found: run `bash scripts/ensure-postgres.sh` first.")
    server = PostgresServer(binaries).start()
    try:
        yield server
    finally:
        server.stop()

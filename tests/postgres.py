"""A throw-away PostgreSQL server for the tests: initdb in a temporary directory, listening on 127.0.0.1 at a
free port, stopped and removed after.

The binaries are Debian's (`apt-get install postgresql`, what .ci/run installs): /usr/lib/postgresql/<version>/bin,
or the directory in PG_BIN. PostgreSQL refuses to run as root, so as root the server runs as the unprivileged
user ``nobody`` (its data directory is given to that user).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER_USER = "nobody"
START_TIMEOUT = 60          # seconds for pg_ctl to see the server accept connections


class PostgresMissing(RuntimeError):
    pass


def find_bin_dir() -> Path:
    """Where initdb and pg_ctl are: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin."""
    if os.environ.get("PG_BIN"):
        candidates = [os.environ["PG_BIN"]]
    else:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name),
                            reverse=True)
    for candidate in candidates:
        if (Path(candidate) / "initdb").is_file() and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    raise PostgresMissing("no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or PG_BIN: "
                          "install them (apt-get install -y postgresql), as .ci/run does")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="pg-test-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self._user = pwd.getpwnam(SERVER_USER) if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str) -> None:
        def drop_root() -> None:
            os.setgid(self._user.pw_gid)
            os.setuid(self._user.pw_uid)

        done = subprocess.run([str(self.bin_dir / args[0]), *args[1:]], capture_output=True, text=True,
                              preexec_fn=drop_root if self._user else None, timeout=START_TIMEOUT + 30,
                              cwd=self.dir, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stdout}{done.stderr}"
                               f"{self._log_tail()}")

    def _log_tail(self) -> str:
        log = self.dir / "server.log"
        return "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log.exists() else ""

    def start(self) -> PostgresServer:
        if self._user:
            os.chown(self.dir, self._user.pw_uid, self._user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync",
                  "--no-instructions" if self._initdb_has_no_instructions() else "--no-sync")
        self.resume()
        return self

    def resume(self) -> None:
        """Start the server on its data directory (after start(), and again after pause())."""
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                   "-c full_page_writes=off -c max_connections=40")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "server.log"),
                  "-w", "-t", str(START_TIMEOUT), "start")

    def pause(self) -> None:
        """Stop the server as a crash would (connections cut, no shutdown checkpoint), keeping its data."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def _initdb_has_no_instructions(self) -> bool:
        return int(self.bin_dir.parent.name) >= 14

    def fresh_database(self) -> str:
        """The URL of a new, empty database with a name of its own (one per test or run)."""
        return self.create_database(f"t_{uuid.uuid4().hex[:12]}")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """A server started for the block and stopped after. Missing binaries fail the test that needs it, never skip
    it: install them as .ci/run does (apt-get install -y postgresql)."""
    import pytest

    try:
        server = PostgresServer().start()
    except PostgresMissing as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()

"""A real ``redis-server`` on 127.0.0.1 for the distributed-crawl tests: a free port, no persistence unless
asked (``appendonly``: every write on disk at once, so a server killed and started again has the crawl's
state), stopped after the test.

Where redis-server is not installed the tests using it fail, as the PostgreSQL ones do (a skipped test
would look like a pass): `.ci/run` installs it (Debian's redis-server).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 10.0            # seconds for the server to answer PING


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def redis_server_binary() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (apt-get install -y redis-server; .ci/run does it)")
    return binary


class RedisServer:
    """One redis-server process; ``start`` again after ``kill`` to bring it back on the same port and files."""

    def __init__(self, directory: Path, appendonly: bool = False) -> None:
        self.directory = directory
        self.appendonly = appendonly
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def start(self) -> RedisServer:
        command = [redis_server_binary(), "--port", str(self.port), "--bind", LOOPBACK, "--save", "",
                   "--dir", str(self.directory), "--daemonize", "no", "--loglevel", "warning",
                   "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "always"]
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if self.client().ping():
                    return self
            except redis.exceptions.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                text = (self.directory / "redis.log").read_text(errors="replace")
                self.stop()
                raise RuntimeError(f"redis-server on port {self.port} did not start:\n{text}")
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: Redis gone at once, as a crashed server or a lost machine."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A started redis-server with no persistence, stopped after the test."""
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def durable_redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A started redis-server that writes every change to its append-only file (it can be killed and
    started again with the same data), stopped after the test."""
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory, appendonly=True)
    try:
        yield server.start()
    finally:
        server.stop()

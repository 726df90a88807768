"""Shared test helpers: where the fixtures are, and the reference date the captures were taken against."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
# The captures in fixtures/ were taken on 2026-11-22; yearless dates on them resolve against it.
CAPTURE_DAY = date(2026, 11, 22)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server on 127.0.0.1 for this test session (tests/postgres.py). Missing binaries fail the
    tests that need it, never skip them: install them as .ci/run does (apt-get install -y postgresql)."""
    from tests.postgres import PostgresMissing, PostgresServer

    try:
        server = PostgresServer().start()
    except PostgresMissing as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()

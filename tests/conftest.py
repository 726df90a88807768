"""Shared test helpers: where the fixtures are, and the reference date the captures were taken against."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
# The captures in fixtures/ were taken on 2026-11-22; yearless dates on them resolve against it.
CAPTURE_DAY = date(2026, 11, 22)

# Hypothesis profiles (HYPOTHESIS_PROFILE=long for a deep fuzz run). The default keeps the fuzz suite under a
# minute. No deadline by default: the machine is shared and a slow example is not a failing one; the long
# profile makes any example over 5 s a failure (a hang), as the hostile-input contract asks.
_SLOW_INPUTS_ARE_THE_POINT = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                              HealthCheck.filter_too_much]
settings.register_profile("default", max_examples=25, deadline=None, derandomize=False,
                          suppress_health_check=_SLOW_INPUTS_ARE_THE_POINT)
settings.register_profile("long", max_examples=4000, deadline=5000, suppress_health_check=_SLOW_INPUTS_ARE_THE_POINT)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server on 127.0.0.1 for this test session (tests/postgres.py); missing binaries fail."""
    from tests.postgres import running_postgres

    with running_postgres() as server:
        yield server

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

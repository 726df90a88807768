"""Crawl tests run ``scrapy crawl`` in a subprocess: Twisted's reactor cannot restart within one process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, ROOT, read_jsonl

CAPTURE = "2026-11-22"


def crawl_command(out: Path, *args: str, replay: Path = FIXTURES) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "author", "-s", f"REPLAY_DIR={replay}",
            "-a", f"as_of={CAPTURE}", "-s", "LOG_LEVEL=INFO", "-O", str(out), *args]


def crawl_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_crawl(out: Path, *args: str, replay: Path = FIXTURES, timeout: float = 60) -> list[dict]:
    """Records the crawl wrote; fails the test with the crawl's log when it did not finish."""
    done = subprocess.run(crawl_command(out, *args, replay=replay), cwd=ROOT, env=crawl_env(),
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0 and "Spider closed (finished)" in done.stderr, done.stderr[-4000:]
    return read_jsonl(out)

"""Crawl workers for the distributed tests: `python -m crawlers.enqueue` and several `scrapy crawl author
-s REDIS_URL=...` subprocesses sharing one Redis, each with its own name (REDIS_WORKER), user agent (so the
loopback server's log says which worker fetched what), output file and log file."""

from __future__ import annotations

import pickle
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT
from tests.crawl.crawl_run import CRAWL_TIMEOUT, FAST, CrawlRun, collect, crawl_command, crawl_env

WORKER_SETTINGS = {
    **FAST,
    "FOLLOW_KINDS": "next-page",
    "CONCURRENT_REQUESTS": "4",
    "REDIS_POLL_INTERVAL": "0.1",
    "LOG_LEVEL": "INFO",
}
POLL = 0.01                             # seconds between two looks at a condition a test waits for
WORKERS = ["w0", "w1", "w2"]


def page_requests(server) -> list:
    """The loopback site's page requests: not robots.txt, not the arXiv API's (absolute-form paths, sent to
    the server as a proxy for the API's virtual host)."""
    return [r for r in server.received if not r.path.endswith("/robots.txt") and not r.path.startswith("http")]


def assert_each_page_fetched_once_by_the_workers(server, site, workers: list[str] = WORKERS) -> None:
    """Every page of the site fetched, none twice, and by the workers named (their user agents)."""
    fetched = Counter(r.path for r in page_requests(server))
    assert set(fetched) == site.paths and set(fetched.values()) == {1}, fetched.most_common(3)
    assert {r.user_agent for r in page_requests(server)} == {user_agent(name) for name in workers}


def user_agent(name: str) -> str:
    return f"scholar-scrapers-test/{name} (+https://example.invalid/contact)"


def enqueue(redis_url: str, starts: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawlers.enqueue", "--redis", redis_url, *starts],
                          cwd=ROOT, env=crawl_env(env), capture_output=True, text=True, timeout=60, check=False)


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    output: Path
    log_file: Path

    def finish(self, timeout: float = CRAWL_TIMEOUT) -> CrawlRun:
        """Wait for the worker to end (killed after ``timeout``) and collect what it wrote."""
        try:
            returncode = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            returncode = self.process.wait(timeout=10)
        return collect(self.output, returncode, self.log_file.read_text(encoding="utf-8", errors="replace"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def start_worker(name: str, redis_url: str, out_dir: Path, env: dict[str, str], *, completion: bool,
                 settings: dict[str, str] | None = None, run: str = "") -> Worker:
    output = out_dir / f"{name}{run}.jsonl"
    log_file = out_dir / f"{name}{run}.log"
    command = crawl_command([], output, completion=completion, settings={
        **WORKER_SETTINGS, "REDIS_URL": redis_url, "REDIS_WORKER": name, "USER_AGENT": user_agent(name),
        **(settings or {})})
    with log_file.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=crawl_env(env), stdout=log, stderr=subprocess.STDOUT)
    return Worker(name, process, output, log_file)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not reached in {timeout} s: {what}"
        time.sleep(POLL)


def queued_urls(encoded: list[bytes]) -> set[str]:
    """URLs of requests as scrapy-redis stores them (pickled request dicts)."""
    return {pickle.loads(data)["url"] for data in encoded}

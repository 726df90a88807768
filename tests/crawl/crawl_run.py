"""Run `scrapy crawl author` in a subprocess (cwd the repo root) and collect what it left behind: the records
(-O feed), the end-of-crawl summary (``<stem>.stats.json``: pages fetched, failed pages with their URL,
Scrapy's stats), the invalid records (``<stem>.errors.jsonl``) and the log.

A subprocess keeps each crawl's Twisted reactor and settings apart, so crawl tests can run in parallel.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
CAPTURE_DAY = "2026-11-22"
CRAWL_TIMEOUT = 90          # seconds: a hung crawl fails the test instead of the suite

# Every test crawl: no arXiv API completion (it would ask export.arxiv.org, a live host).
OFFLINE = {"ARXIV_COMPLETION": "False"}
# Fast, not polite: for crawling the loopback server. Politeness tests start from the project defaults.
FAST = {
    **OFFLINE,
    "ALLOW_PRIVATE_HOSTS": "True",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "RETRY_BACKOFF_BASE": "0.1",
    "TELNETCONSOLE_ENABLED": "False",
}


@dataclass
class CrawlRun:
    returncode: int
    records: list[dict]
    stats: dict                 # <stem>.stats.json: the crawl summary, Scrapy's stats under "scrapy_stats"
    failures: list[dict]        # the summary's "errors": pages that failed, {"url", "reason"}
    invalid: list[dict]         # <stem>.errors.jsonl: records that failed validation
    log: str

    @property
    def scrapy_stats(self) -> dict:
        return self.stats.get("scrapy_stats", {})

    def ids(self) -> list[str]:
        return [record["id"] for record in self.records]

    def describe(self) -> str:
        """The end of the log, for assertion messages."""
        return "\n".join(self.log.splitlines()[-40:])


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def crawl_author(urls: list[str], out_dir: Path, env: dict[str, str], settings: dict[str, str] | None = None,
                 args: dict[str, str] | None = None) -> CrawlRun:
    """`scrapy crawl author -a url=<urls, comma-separated> -a as_of=<capture day> -s ... -O out.jsonl`."""
    output = out_dir / "out.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "author", "-a", f"url={','.join(urls)}",
               "-a", f"as_of={CAPTURE_DAY}"]
    for name, value in (args or {}).items():
        command += ["-a", f"{name}={value}"]
    for name, value in {**OFFLINE, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    command += ["-O", str(output)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=CRAWL_TIMEOUT,
                          check=False)
    stats_file = output.with_suffix(".stats.json")
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    return CrawlRun(done.returncode, read_jsonl(output), stats, stats.get("errors", []),
                    read_jsonl(output.with_suffix(".errors.jsonl")), done.stdout + done.stderr)


def expected_ids(*expected_files: str) -> set[str]:
    """Record ids from hand-written expected files (paths under fixtures/); a paper without an id there gets
    the one the record contract defines from its title and arXiv id."""
    from parsers.records import author_id, paper_id

    ids = set()
    for name in expected_files:
        for record in read_jsonl(FIXTURES / name):
            if record.get("id"):
                ids.add(record["id"])
            elif record["type"] == "author":
                ids.add(author_id(record["name"]))
            else:
                ids.add(paper_id(record["title"], record.get("arxiv_id")))
    return ids

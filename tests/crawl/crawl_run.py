"""Run `scrapy crawl author` in a subprocess (cwd the repo root) and collect what it left behind: the records
(-O feed), the end-of-crawl summary (``<output file>.stats.json``: pages fetched, failed pages with their URL,
Scrapy's stats), the invalid records (``<output file>.errors.jsonl``) and the log.

A subprocess keeps each crawl's Twisted reactor and settings apart (a reactor cannot restart within one
process), so crawl tests can run in parallel. The one place crawl tests build a crawl command.

Every crawl says whether arXiv completion is on (``completion=``, no default): on, its API requests are
answered only where the crawl replays them (REPLAY_DIR) or a loopback server serves them; a live host is
never reached (loopback's offline_env refuses it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import CAPTURE_DAY, FIXTURES, ROOT, read_jsonl

CRAWL_TIMEOUT = 90          # seconds: a hung crawl fails the test instead of the suite

# Offline replay of the fixtures' manifest (fixtures/pages.json), arXiv API answers included.
REPLAY = {"REPLAY_DIR": str(FIXTURES)}
# Fast, not polite: for crawling the loopback server. Politeness tests start from the project defaults.
FAST = {
    "ALLOW_PRIVATE_HOSTS": "True",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "RETRY_BACKOFF_BASE": "0.1",
    "TELNETCONSOLE_ENABLED": "False",
}


@dataclass
class CrawlRun:
    returncode: int
    output: Path                # the -O feed
    records: list[dict]
    stats: dict                 # <output>.stats.json: the crawl summary, Scrapy's stats under "scrapy_stats"
    failures: list[dict]        # the summary's "errors": pages that failed, {"url", "reason"}
    invalid: list[dict]         # <output>.errors.jsonl: records that failed validation
    log: str

    @property
    def scrapy_stats(self) -> dict:
        return self.stats.get("scrapy_stats", {})

    @property
    def finished(self) -> bool:
        """Exit code 0 and the crawl ran to its end (not closed early)."""
        return self.returncode == 0 and "Spider closed (finished)" in self.log

    def ids(self) -> list[str]:
        return [record["id"] for record in self.records]

    def describe(self) -> str:
        """The end of the log, for assertion messages."""
        return "\n".join(self.log.splitlines()[-40:])


def read_output(path: Path) -> list[dict]:
    """Lines of a JSON Lines file the crawl may not have written (no records, or it failed to start)."""
    return read_jsonl(path) if path.exists() else []


def crawl_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment with the repo root importable (the crawl's cwd is the root, but be explicit)."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def crawl_command(urls: list[str], output: Path | None, *, completion: bool, settings: dict[str, str] | None = None,
                  args: dict[str, str] | None = None, append: bool = False) -> list[str]:
    """`scrapy crawl author [-a url=<urls, comma-separated>] -a as_of=<capture day> -s ARXIV_COMPLETION=...
    -s ... -O output` (``append``: -o; no output: neither, the default feed). No urls: the replay manifest's
    start pages (with REPLAY_DIR)."""
    if "ARXIV_COMPLETION" in (settings or {}):
        raise ValueError("say whether arXiv completion is on with completion=, not in settings")
    command = [sys.executable, "-m", "scrapy", "crawl", "author", "-a", f"as_of={CAPTURE_DAY.isoformat()}"]
    if urls:
        command += ["-a", f"url={','.join(urls)}"]
    for name, value in (args or {}).items():
        command += ["-a", f"{name}={value}"]
    for name, value in {"ARXIV_COMPLETION": str(completion), **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    return command + ([] if output is None else ["-o" if append else "-O", str(output)])


def crawl_author(urls: list[str], out_dir: Path, env: dict[str, str] | None = None,
                 settings: dict[str, str] | None = None, args: dict[str, str] | None = None, *,
                 completion: bool, output_name: str = "out.jsonl", append: bool = False) -> CrawlRun:
    """Run the crawl to its end (or CRAWL_TIMEOUT) and collect its files; ``env`` defaults to crawl_env().
    ``append``: -o instead of -O."""
    output = out_dir / output_name
    command = crawl_command(urls, output, completion=completion, settings=settings, args=args, append=append)
    done = run_scrapy(command[3:], env)
    return collect(output, done.returncode, done.stdout + done.stderr)


def run_scrapy(arguments: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`scrapy <arguments>` (crawl, parse, ...) from the repo root; its exit code and output."""
    return subprocess.run([sys.executable, "-m", "scrapy", *arguments], cwd=ROOT,
                          env=env if env is not None else crawl_env(), capture_output=True, text=True,
                          timeout=CRAWL_TIMEOUT, check=False)


def beside(output: Path, suffix: str) -> Path:
    """The README's rule for the files beside an output: its whole name plus the suffix."""
    return output.with_name(output.name + suffix)


def collect(output: Path, returncode: int, log: str) -> CrawlRun:
    """What a crawl that wrote to ``output`` left behind."""
    stats_file = beside(output, ".stats.json")
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    errors_file = beside(output, ".errors.jsonl")
    records = read_output(output) if output.suffix in (".jsonl", ".jl") else []     # CSV etc.: read by the test
    return CrawlRun(returncode, output, records, stats, stats.get("errors", []),
                    read_output(errors_file), log)


def expected_ids(*expected_files: str) -> set[str]:
    """Record ids from hand-written expected files (paths under fixtures/); a paper without an id there gets
    the one the record contract defines from its title and first author."""
    from parsers.records import author_id, paper_id

    ids = set()
    for name in expected_files:
        for record in read_jsonl(FIXTURES / name):
            if record.get("id"):
                ids.add(record["id"])
            elif record["type"] == "author":
                ids.add(author_id(record["name"]))
            else:
                ids.add(paper_id(record["title"], (record.get("authors") or [None])[0]))
    return ids


def store_progress(path: Path) -> dict[str, int]:
    """What a crawl's SQLite store holds so far (read while the crawl writes it): source rows, arXiv requests
    asked, and those answered. Zeros before the crawl has created it."""
    import sqlite3

    counts = {"sources": 0, "asked": 0, "answered": 0}
    if not path.exists():
        return counts
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            counts["sources"] = db.execute("select count(*) from sources").fetchone()[0]
            counts["asked"], counts["answered"] = db.execute(
                "select count(*), coalesce(sum(answered), 0) from lookups").fetchone()
    except sqlite3.OperationalError:          # the tables not created yet
        pass
    return counts


def store_rows(url: str, tables: tuple[str, ...]) -> dict[str, list[tuple]]:
    """The rows of the store's tables, without times, crawl numbers and row numbers (Store.rows): two stores
    holding the same records compare equal."""
    from crawlers.store import Store

    store = Store.open(url)
    try:
        return {table: store.rows(table) for table in tables}
    finally:
        store.close()

"""Crawl speed and memory: our `author` crawl against a fetch-only spider over the same pages, in one run.

    python bench/crawl.py [--mix profile,catalyzex,arxiv] [--records 1000[,10000,50000]] [--runs N]
                          [--pages N] [--concurrency C] [--keep-output DIR]
    python bench/crawl.py --loopback [--pages N] [--concurrency C]     # the earlier HTTP bench

For each mix and size it writes a replay directory of distinct pages (bench/pages.py: copies of saved
pages whose titles, arXiv ids and author names differ per copy, so nothing merges) with its pages.json,
every page a start page, and runs, each in its own process and alternating:
  (a) ours: `scrapy crawl author -s REPLAY_DIR=<dir>` (our spider, middlewares, parsers, pipelines, feed),
  (b) fetch-only: `FetchOnly` below, run in the project (same settings, same replay middleware) with the
      item pipelines and our crawl summary off; it yields {"url"} per page to a JSON Lines feed.
Both: ARXIV_COMPLETION off, no delay, no AutoThrottle, no links followed, CONCURRENT_REQUESTS =
CONCURRENT_REQUESTS_PER_DOMAIN = C (default 8). Pages/s from Scrapy's `elapsed_time_seconds` (start-up
not counted), records/s = records written / the same, peak RSS of each crawl process (wait4's ru_maxrss),
and the CPU time each process used (user + system, start-up included): on a machine other work loads, the
elapsed time stretches with the load while the CPU time mostly does not, so ours' CPU seconds against
fetch-only's compare the work done even when the rates move. ``--keep-output DIR`` keeps each mix and
size's records (ours, last run) as DIR/<mix>-<pages>.jsonl, to compare two versions record for record.
It prints one line per mix, size and run, then the median ratio ours / fetch-only per mix and size.
Nothing is asserted: this only measures. Nothing leaves the machine (every page is replayed).

Mixes: `profile` (the scholar profile, 33 records a page: 32 papers and the author), `catalyzex` (its
author page and page 2), `arxiv` (every HTML page of fixtures/pages.json, 46 of 50 arXiv abstract pages).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import scrapy

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
MANIFEST = FIXTURES / "pages.json"
# Scrapy logs its stats as a dict at the end of a crawl; we read the crawl time and our pages' outcome.
ELAPSED = re.compile(r"'elapsed_time_seconds': (?P<value>[\d.]+)")
PARSED = re.compile(r"'pages/parsed/(?P<site>[\w-]+)': (?P<value>\d+)")
FAILED = re.compile(r"'pages/failed': (?P<value>\d+)")
SERVED = re.compile(r"'replay/served': (?P<value>\d+)")
MISSING = re.compile(r"'replay/missing': (?P<value>\d+)")
CRAWL_TIMEOUT = 120  # seconds: a bound on each crawl process, far above a normal run
MIXES = ("profile", "catalyzex", "arxiv")


class FetchOnly(scrapy.Spider):
    """The baseline: fetches every page and yields only {"url"}. Replay mode: the start pages of the
    REPLAY_DIR manifest, with the project's settings and middlewares but no item pipelines and no crawl
    summary. Loopback mode (-a urls_file=...): the URLs listed in that file."""

    name = "fetch-only"
    custom_settings = {"ITEM_PIPELINES": {}, "EXTENSIONS": {}}

    def __init__(self, urls_file: str | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.urls_file = urls_file

    async def start(self):
        if self.urls_file:
            urls = Path(self.urls_file).read_text(encoding="utf-8").split()
        else:
            manifest = Path(self.settings.get("REPLAY_DIR")) / self.settings.get("REPLAY_MANIFEST", "pages.json")
            urls = [row["url"] for row in json.loads(manifest.read_text(encoding="utf-8")) if row.get("start")]
        for url in urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: scrapy.http.Response):
        yield {"url": response.url}


@dataclass(frozen=True)
class CrawlTiming:
    label: str
    pages: int            # page requests the loopback server answered in this crawl, robots.txt not counted
    elapsed: float        # Scrapy's elapsed_time_seconds: engine start to close
    wall: float           # the whole process, start-up included
    log: str

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.elapsed if self.elapsed else 0.0


def common_settings(concurrency: int) -> dict[str, str]:
    """Settings both crawls share, so the only difference is what each does with a page."""
    return {
        "CONCURRENT_REQUESTS": str(concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "ROBOTSTXT_OBEY": "True",
        "TELNETCONSOLE_ENABLED": "False",
        "LOG_LEVEL": "INFO",
    }


def setting_args(settings: dict[str, str]) -> list[str]:
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


def run_crawl(label: str, command: list[str], cwd: Path, server, log: Path) -> CrawlTiming:
    env = server.offline_env()
    seen_before = len(server.received)
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                       timeout=CRAWL_TIMEOUT, check=False)
    wall = time.perf_counter() - started
    text = log.read_text(encoding="utf-8", errors="replace")
    elapsed = ELAPSED.search(text)
    if not elapsed:
        sys.exit(f"bench/crawl.py: {label}: no Scrapy stats in its log {log}; last lines:\n"
                 + "\n".join(text.splitlines()[-15:]))
    pages = [request for request in server.received[seen_before:] if request.path != "/robots.txt"]
    return CrawlTiming(label, len(pages), float(elapsed["value"]), wall, text)


def serve_copies(server, pages: int) -> list[str]:
    """Serve the manifest's HTML pages repeated under /copy-<k>/... until there are `pages` of them.
    Returns the served URLs."""
    rows = [row for row in json.loads(MANIFEST.read_text(encoding="utf-8")) if row["file"].endswith(".html")]
    urls = []
    for number in range(pages):
        row = rows[number % len(rows)]
        path = f"/copy-{number // len(rows)}{_path_and_query(row['url'])}"
        urls.append(server.add_file(path, FIXTURES / row["file"]))
    return urls


def _path_and_query(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def loopback_main(args: argparse.Namespace) -> None:
    """--loopback: the manifest's HTML pages over HTTP from a loopback server, against FetchOnly with
    Scrapy's defaults (outside the project)."""

    sys.path.insert(0, str(ROOT))
    from tests.crawl.loopback import LoopbackServer

    with LoopbackServer(max_lifetime=4 * CRAWL_TIMEOUT) as server, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        start_urls = serve_copies(server, args.pages)
        (work / "start-urls.txt").write_text("\n".join(start_urls), encoding="utf-8")
        settings = common_settings(args.concurrency)

        ours = run_crawl("ours", [sys.executable, "-m", "scrapy", "crawl", "author",
                                  *our_start_args(work / "start-urls.txt", start_urls),
                                  *setting_args({**settings, **our_settings(args.pages)}),
                                  "-O", str(work / "records.jsonl")],
                         ROOT, server, work / "ours.log")
        fetched = [server.url(request.path) for request in server.received
                   if request.method == "GET" and request.path != "/robots.txt"
                   and not request.path.startswith(("http://", "https://"))]
        (work / "fetched-urls.txt").write_text("\n".join(fetched), encoding="utf-8")
        outside = len(server.outside_requests())
        # Run outside the project directory so the baseline gets Scrapy's defaults, not our components.
        baseline = run_crawl("baseline", [sys.executable, "-m", "scrapy", "runspider", str(Path(__file__)),
                                          "-a", f"urls_file={work / 'fetched-urls.txt'}",
                                          *setting_args(settings)],
                             work, server, work / "baseline.log")
        records = sum(1 for line in (work / "records.jsonl").read_text(encoding="utf-8").splitlines()
                      if line.strip()) if (work / "records.jsonl").exists() else 0

    print(f"pages served: {args.pages} HTML fixture pages on {server.origin}; concurrency {args.concurrency}")
    parsed = ", ".join(f"{m['site']} {m['value']}" for m in PARSED.finditer(ours.log)) or "none"
    failed = FAILED.search(ours.log)
    print(f"ours: pages parsed per site: {parsed}; pages failed: {failed['value'] if failed else 0};"
          f" {records} records written; requests refused for live hosts: {outside}")
    for timing in (ours, baseline):
        print(f"{timing.label:9} {timing.pages:5d} pages in {timing.elapsed:6.2f} s"
              f" = {timing.pages_per_second:7.1f} pages/s   (process wall time {timing.wall:5.2f} s)")
    ratio = ours.pages_per_second / baseline.pages_per_second if baseline.pages_per_second else 0.0
    print(f"ratio ours / baseline: {ratio:.2f} (target 0.7 or better)")


def our_start_args(urls_file: Path, urls: list[str]) -> list[str]:
    """The author spider takes its start pages as one comma-separated -a url=."""
    return ["-a", f"url={','.join(urls)}", "-a", "as_of=2026-11-22"]


def our_settings(pages: int) -> dict[str, str]:
    """What our crawl needs on the loopback: private hosts allowed (127.0.0.1), only the listings' own
    next pages followed (paper and arXiv links lead off the served set), no page limit below the set, and
    no arXiv API completion (its requests would go to a live host, 3 s apart, and the baseline makes none)."""
    return {"ALLOW_PRIVATE_HOSTS": "True", "FOLLOW_KINDS": "next-page", "PAGE_LIMIT": str(2 * pages + 100),
            "ARXIV_COMPLETION": "False"}


# -- replay mixes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplayRun:
    label: str
    pages: int            # pages the replay middleware served (replay/served)
    missing: int          # requests it had no page for (replay/missing): 0 when the set is complete
    elapsed: float        # Scrapy's elapsed_time_seconds: engine start to close
    wall: float           # the whole process, start-up included
    peak_rss_mb: float    # the process's peak resident set (ru_maxrss)
    cpu: float            # the process's user + system CPU seconds, start-up included
    records: int          # lines written to the feed
    distinct_ids: int     # distinct "id" values among them (ours only)
    log: str

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.elapsed if self.elapsed else 0.0

    @property
    def records_per_second(self) -> float:
        return self.records / self.elapsed if self.elapsed else 0.0


def replay_settings(replay_dir: Path, concurrency: int) -> dict[str, str]:
    """Settings both crawls get on the command line, so the only difference is what each does with a page."""
    return {
        "REPLAY_DIR": str(replay_dir),
        "ARXIV_COMPLETION": "False",     # its requests would be answered from the replay set, not pages
        "FOLLOW_KINDS": "",              # none: every page is a start page; links lead off the generated set
        "PAGE_LIMIT": "0",
        "CONCURRENT_REQUESTS": str(concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "TELNETCONSOLE_ENABLED": "False",
        "LOG_LEVEL": "INFO",
    }


def run_measured(label: str, command: list[str], output: Path, log: Path, timeout: float) -> ReplayRun:
    """Run one crawl in its own process; its stats from the log, its peak RSS from wait4."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() > deadline:
                process.kill()
                _, status, usage = os.wait4(process.pid, 0)
                process.returncode = os.waitstatus_to_exitcode(status)
                break
            time.sleep(0.05)
    wall = time.perf_counter() - started
    text = log.read_text(encoding="utf-8", errors="replace")
    elapsed = ELAPSED.search(text)
    if not elapsed:
        sys.exit(f"bench/crawl.py: {label}: no Scrapy stats in its log {log} (exit {process.returncode}); "
                 "last lines:\n" + "\n".join(text.splitlines()[-15:]))
    ids, records = set(), 0
    if output.exists():
        with output.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    records += 1
                    ids.add(json.loads(line).get("id"))
    served, missing = SERVED.search(text), MISSING.search(text)
    return ReplayRun(label, int(served["value"]) if served else 0, int(missing["value"]) if missing else 0,
                     float(elapsed["value"]), wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime,
                     records, len(ids - {None}), text)


def measure_mix(mix: str, replay_dir: Path, concurrency: int, pages: int) -> tuple[ReplayRun, ReplayRun]:
    settings = setting_args(replay_settings(replay_dir, concurrency))
    timeout = CRAWL_TIMEOUT + pages  # a loaded machine does well over 10 pages/s even for profiles
    # Every run into a new store: the store beside ours.jsonl (ours.db) kept from the run before would make
    # runs 2 and 3 a re-crawl, every record merged with the one stored (slower, another measure).
    for stale in replay_dir.glob("ours.db*"):
        stale.unlink()
    ours = run_measured("ours", [sys.executable, "-m", "scrapy", "crawl", "author", "-a", "as_of=2026-11-22",
                                 *settings, "-O", str(replay_dir / "ours.jsonl")],
                        replay_dir / "ours.jsonl", replay_dir / "ours.log", timeout)
    fetch = run_measured("fetch-only", [sys.executable, "-m", "scrapy", "runspider", str(Path(__file__)),
                                        *settings, "-O", str(replay_dir / "fetch.jsonl")],
                         replay_dir / "fetch.jsonl", replay_dir / "fetch.log", timeout)
    return ours, fetch


def replay_main(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.pages import records_per_page, write_replay_dir

    mixes = [m.strip() for m in args.mix.split(",") if m.strip()]
    print(f"replayed pages, concurrency {args.concurrency}, {args.runs} run(s) each, ARXIV_COMPLETION off, "
          f"no delay; pages/s and records/s from Scrapy's elapsed_time_seconds")
    summary: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        for size in args.sizes:
            for mix in mixes:
                pages = size if args.pages else max(1, round(size / records_per_page(mix)))
                replay_dir = Path(tmp) / f"{mix}-{pages}"
                generated = write_replay_dir(replay_dir, mix, pages)
                ratios = []
                for run in range(1, args.runs + 1):
                    ours, fetch = measure_mix(mix, replay_dir, args.concurrency, pages)
                    ratio = ours.pages_per_second / fetch.pages_per_second if fetch.pages_per_second else 0.0
                    ratios.append(ratio)
                    failed = FAILED.search(ours.log)
                    print(f"{mix:9} {generated.expected_records:6d} records {pages:5d} pages  run {run}: "
                          f"ours {ours.pages_per_second:6.1f} pages/s {ours.records_per_second:7.0f} records/s "
                          f"peak {ours.peak_rss_mb:5.0f} MB (wall {ours.wall:5.1f} s) | "
                          f"fetch-only {fetch.pages_per_second:6.1f} pages/s peak {fetch.peak_rss_mb:4.0f} MB "
                          f"(wall {fetch.wall:5.1f} s) | ratio {ratio:.3f} | CPU s ours {ours.cpu:5.1f} "
                          f"fetch-only {fetch.cpu:4.1f} | written {ours.records}, "
                          f"distinct ids {ours.distinct_ids} (expected {generated.expected_ids}); "
                          f"pages served {ours.pages}/{fetch.pages} of {pages}, missing {ours.missing}/"
                          f"{fetch.missing}, failed {failed['value'] if failed else 0}", flush=True)
                if args.keep_output:
                    kept = Path(args.keep_output) / f"{mix}-{pages}.jsonl"
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(replay_dir / "ours.jsonl", kept)
                summary.append(f"{mix:9} {generated.expected_records:6d} records: ratio ours / fetch-only "
                               f"median {statistics.median(ratios):.3f} (runs: "
                               f"{', '.join(f'{r:.3f}' for r in ratios)})")
    print("\n".join(["", *summary]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mix", default=",".join(MIXES), help="mixes, comma-separated (default all: "
                        + ", ".join(MIXES) + ")")
    parser.add_argument("--records", default="1000",
                        help="sizes in records, comma-separated, e.g. 1000,10000,50000 (default 1000)")
    parser.add_argument("--pages", type=str, default=None,
                        help="sizes in pages instead of records, comma-separated (with --loopback: one "
                             "number, default 300)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each mix and size (default 1)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent requests in both crawls")
    parser.add_argument("--keep-output", metavar="DIR", default=None,
                        help="copy our records of each mix and size (last run) to DIR/<mix>-<pages>.jsonl")
    parser.add_argument("--loopback", action="store_true",
                        help="the earlier bench: manifest pages over HTTP from a loopback server against "
                             "a fetch-only spider with Scrapy's defaults")
    args = parser.parse_args()
    try:
        sizes = [int(v) for v in (args.pages or args.records).split(",") if v.strip()]
    except ValueError:
        parser.error(f"sizes must be whole numbers: {args.pages or args.records!r}")
    if not sizes or min(sizes) < 1 or args.runs < 1:
        parser.error("sizes and --runs must be at least 1")
    if args.loopback:
        args.pages = sizes[0] if args.pages else 300
        loopback_main(args)
        return
    unknown = set(m.strip() for m in args.mix.split(",")) - set(MIXES)
    if unknown:
        parser.error(f"unknown mix {', '.join(sorted(unknown))}; expected {', '.join(MIXES)}")
    args.sizes = sizes
    replay_main(args)


if __name__ == "__main__":
    main()

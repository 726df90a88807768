"""Crawl speed: our `author` crawl against a do-nothing Scrapy spider over the same pages, in one run.

    python bench/crawl.py [--pages N] [--concurrency C]

It serves the HTML fixtures of fixtures/pages.json from a loopback server on 127.0.0.1, repeated under
distinct paths until there are about N pages, then runs, each in its own process:
  (a) `scrapy crawl author` over them (our spider, middlewares, parsers, pipelines, feed export), and
  (b) a bare Scrapy spider outside the project that fetches exactly the URLs (a) fetched and yields nothing,
with the same concurrency, no delay, no AutoThrottle, robots.txt obeyed by both. It prints pages/second of
each, from Scrapy's own `elapsed_time_seconds` (so process start-up is not counted), and the ratio
ours / baseline (the target is 0.7 or better). Nothing is asserted: this only measures.
Every request to a host other than 127.0.0.1 is sent to the loopback server as a proxy and refused, so
nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import re
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
CRAWL_TIMEOUT = 120  # seconds: a bound on each crawl process, far above a normal run


class FetchOnly(scrapy.Spider):
    """The baseline: fetches the URLs listed in a file and does nothing with the responses."""

    name = "fetch-only"

    def __init__(self, urls_file: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.start_urls = Path(urls_file).read_text(encoding="utf-8").split()

    def parse(self, response: scrapy.http.Response) -> tuple[()]:
        return ()


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300, help="pages to serve (default 300)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent requests in both crawls")
    args = parser.parse_args()

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


if __name__ == "__main__":
    main()

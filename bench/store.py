"""The store's cost: replay crawls of 10k and 100k distinct papers into SQLite (and PostgreSQL) against the same
crawl writing JSON Lines only, in one run.

    python bench/store.py [--records 10000,100000] [--runs N] [--concurrency C] [--no-postgres]

For each size it writes a replay directory of distinct profile pages (bench/pages.py: 33 records a page, every
title, arXiv id and author name unique to its copy, so nothing merges) and runs, each crawl in its own process
and in turn:
  (a) sqlite: `scrapy crawl author -s REPLAY_DIR=<dir> -O out.jsonl -s STORE_URL=sqlite:///<dir>/store.db`, the
      crawl as users run it: every record written to the store as its page is parsed, merged there, the output
      file exported from the store at the end;
  (b) jsonl-only: the same crawl with StoreRecords replaced by `FeedParsedRecords` below, which hands every
      parsed record (normalised by NormaliseRecords, checked by ValidateRecords) straight to the JSON Lines
      feed: no database, no merge. Over these pages nothing merges, so both write the same records;
  (c) postgresql: as (a) into a database of a throw-away PostgreSQL server on 127.0.0.1 (tests/postgres.py;
      skipped with --no-postgres).
Both get bench/crawl.py's replay settings (ARXIV_COMPLETION off, no delay, no links followed, C requests at a
time). Pages/s from Scrapy's `elapsed_time_seconds` (start-up not counted; the store's export at the end
counted), peak RSS of each crawl process (wait4's ru_maxrss) plus its store writer process's (its VmHWM, the crawl's stat
store/writer_peak_rss_mb); the RSS ratios are of that sum. Printed: one line per crawl, then per size the
ratio sqlite / jsonl-only (and postgresql / jsonl-only) of pages/s, and the peak RSS of the largest size over
the smallest's. Nothing is asserted; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.crawl import FAILED, ReplayRun, replay_settings, run_measured, setting_args  # noqa: E402
from crawlers.outputs import MergedRecord  # noqa: E402

WRITER_RSS = re.compile(r"'store/writer_peak_rss_mb': (?P<value>[\d.]+)")
BASELINE_PIPELINES = json.dumps({"crawlers.pipelines.NormaliseRecords": 100, "crawlers.pipelines.ValidateRecords": 300,
                                 "bench.store.FeedParsedRecords": 400})


class FeedParsedRecords:
    """The JSON Lines only baseline's last pipeline: each parsed record goes to the feed as it is (the feed
    takes only MergedRecord items, crawlers.outputs.MergedOnly)."""

    def process_item(self, item, spider=None):
        return MergedRecord(item) if isinstance(item, dict) and item.get("type") else item


def crawl(label: str, replay_dir: Path, concurrency: int, pages: int, settings: dict[str, str]) -> ReplayRun:
    output = replay_dir / f"{label}.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "author", "-a", "as_of=2026-11-22",
               *setting_args({**replay_settings(replay_dir, concurrency), **settings}), "-O", str(output)]
    return run_measured(label, command, output, replay_dir / f"{label}.log", timeout=600 + pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", default="10000,100000", help="sizes in records, comma-separated")
    parser.add_argument("--runs", type=int, default=1, help="runs of each size (default 1)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent requests in every crawl")
    parser.add_argument("--no-postgres", action="store_true", help="no PostgreSQL crawl")
    args = parser.parse_args()
    sizes = [int(v) for v in args.records.split(",") if v.strip()]

    from bench.pages import records_per_page, write_replay_dir

    server = None
    if not args.no_postgres:
        from tests.postgres import PostgresServer

        server = PostgresServer().start()
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))     # killed: the server is still stopped below
    print(f"profile pages, concurrency {args.concurrency}, {args.runs} run(s) each, ARXIV_COMPLETION off, no delay")
    runs: dict[tuple[int, str], list[ReplayRun]] = {}
    memory: dict[tuple[int, str], list[float]] = {}     # peak RSS of the crawl plus that of its writer process
    try:
        with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
            for size in sizes:
                pages = max(1, round(size / records_per_page("profile")))
                replay_dir = Path(tmp) / f"profile-{pages}"
                generated = write_replay_dir(replay_dir, "profile", pages)
                for run in range(1, args.runs + 1):
                    kinds = {"sqlite": {"STORE_URL": f"sqlite:///{replay_dir / f'store-{run}.db'}"},
                             "jsonl-only": {"ITEM_PIPELINES": BASELINE_PIPELINES}}
                    if server is not None:
                        kinds["postgresql"] = {"STORE_URL": server.fresh_database()}
                    for label, settings in kinds.items():
                        result = crawl(label, replay_dir, args.concurrency, pages, settings)
                        runs.setdefault((size, label), []).append(result)
                        failed = FAILED.search(result.log)
                        writer = WRITER_RSS.search(result.log)
                        writer_mb = float(writer["value"]) if writer else 0.0
                        memory.setdefault((size, label), []).append(result.peak_rss_mb + writer_mb)
                        print(f"{generated.expected_records:7d} records {pages:5d} pages run {run} {label:10}: "
                              f"{result.pages_per_second:6.1f} pages/s {result.records_per_second:6.0f} records/s"
                              f" peak {result.peak_rss_mb:5.0f} MB + writer {writer_mb:3.0f} MB (wall {result.wall:6.1f} s);"
                              f" written "
                              f"{result.records}, distinct ids {result.distinct_ids} (expected "
                              f"{generated.expected_ids}); served {result.pages}, failed "
                              f"{failed['value'] if failed else 0}", flush=True)
    finally:
        if server is not None:
            server.stop()
    print()
    rate = {key: statistics.median(r.pages_per_second for r in value) for key, value in runs.items()}
    rss = {key: statistics.median(value) for key, value in memory.items()}
    for size in sizes:
        for label in ("sqlite", "postgresql"):
            if (size, label) in rate:
                print(f"{size:7d} records: {label} / jsonl-only pages/s {rate[size, label] / rate[size, 'jsonl-only']:.2f}"
                      f" ({rate[size, label]:.1f} / {rate[size, 'jsonl-only']:.1f}; aim >= 0.8)")
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        for label in ("sqlite", "postgresql", "jsonl-only"):
            if (large, label) in rss:
                print(f"peak RSS {label}: {large} records / {small} records {rss[large, label] / rss[small, label]:.2f}"
                      f" ({rss[large, label]:.0f} / {rss[small, label]:.0f} MB; aim <= 1.2 for the stores)")


if __name__ == "__main__":
    main()

"""Distributed crawl: pages/s with 1, 2 and 3 workers on one Redis queue, and a kill test.

    python bench/distributed.py [--chains 100] [--latency 0.0] [--concurrency 8] [--repeat 3] [--store shared]

Serves a synthetic site of arXiv-style listing pages on a loopback server (``--chains`` chains of 3 pages,
3 papers each, every paper on one page: tests/crawl/listing_site.py) and starts a redis-server on a free
127.0.0.1 port. For each worker count (1, 2, 3; the counts interleaved, ``--repeat`` rounds) it starts the
workers (`scrapy crawl author -s REDIS_URL=...`, arXiv completion off), waits until all are registered,
enqueues the start pages and measures, on the server's log, pages answered / time from the first page
request to the last: process start-up and the end-of-crawl export are not counted. Printed: the median
pages/s per count and its ratio to 1 worker in the same run. ``--latency`` makes every answer that much late
(a remote site); 0 measures what the workers' own work costs. ``--store shared`` (the default): every
worker writes one PostgreSQL store (a throw-away server on 127.0.0.1, tests/postgres.py; a fresh database
per crawl); ``--store own``: each worker its own SQLite store beside its output.

Then the kill test: 3 workers, one SIGKILLed once it has fetched a third of its share; the other two
finish. Printed: pages lost (never fetched), pages fetched twice (those the killed worker held), records
lost (a paper in no store), and duplicates: with one shared store, papers rows beyond one per paper and
whether its rows equal the last clean 3-worker crawl's; with own stores, papers in two workers' stores.

Nothing is asserted; nothing leaves 127.0.0.1 (other hosts go to the loopback server as a proxy, refused).
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawlers.store import Store  # noqa: E402
from tests.crawl.test_distributed_kill import stored_ids  # noqa: E402
from crawlers.store.schema import USER_TABLES  # noqa: E402
from tests.crawl.crawl_run import store_rows  # noqa: E402
from tests.crawl.distributed_run import enqueue, queued_urls, start_worker, user_agent, wait_until  # noqa: E402
from tests.crawl.listing_site import serve_listing_site  # noqa: E402
from tests.crawl.loopback import LoopbackServer  # noqa: E402
from tests.crawl.redis_server import RedisServer  # noqa: E402
from tests.postgres import PostgresServer  # noqa: E402

START_WITHIN = 120            # seconds for the workers to start
COUNTS = (1, 2, 3)


def page_requests(server: LoopbackServer, since: int = 0) -> list:
    return [r for r in server.received[since:] if not r.path.endswith("/robots.txt")]


class Stores:
    """Where the workers of each crawl write: one fresh PostgreSQL database for all (shared), or their own."""

    def __init__(self, postgres) -> None:
        self.postgres = postgres
        self.made = 0
        self.last_clean: str | None = None

    def settings(self) -> dict:
        if self.postgres is None:
            return {}
        self.made += 1
        return {"STORE_URL": self.postgres.create_database(f"bench_{self.made}")}


def crawl(server, redis: RedisServer, site, workers: int, work: Path, settings: dict, label: str) -> float:
    """One crawl of the whole site by ``workers`` workers; its pages/s."""
    redis.client().flushall()
    since = len(server.received)
    running = [start_worker(f"w{n}", redis.url, work, server.offline_env(), completion=False,
                            settings=settings, run=f".{label}") for n in range(workers)]
    try:
        wait_until(lambda: len(redis.client().smembers("author:workers")) == workers, START_WITHIN,
                   "workers registered")
        done = enqueue(redis.url, site.start_urls, server.offline_env())
        if done.returncode != 0:
            sys.exit(f"bench/distributed.py: enqueue failed: {done.stderr}")
        runs = [worker.finish() for worker in running]
    finally:
        for worker in running:
            worker.stop()
    for run in runs:
        if not run.finished:
            sys.exit(f"bench/distributed.py: a worker did not finish:\n{run.describe()}")
    pages = page_requests(server, since)
    if Counter(r.path for r in pages) != Counter(site.paths):
        sys.exit("bench/distributed.py: the crawl did not fetch every page exactly once")
    return len(pages) / (pages[-1].time - pages[0].time)


def papers_in(url: str) -> list[str]:
    store = Store.open(url)
    try:
        return list(store.conn.exec_driver_sql("select id from papers").scalars())
    finally:
        store.close()


def kill_test(server, redis: RedisServer, site, work: Path, settings: dict, clean_store: str | None) -> dict:
    redis.client().flushall()
    client = redis.client()
    since = len(server.received)
    jobdir = work / "killed.job"
    running = [start_worker(f"w{n}", redis.url, work, server.offline_env(), completion=False, run=".kill",
                            settings={**settings, "REDIS_WORKER_TIMEOUT": "3",
                                      **({"JOBDIR": str(jobdir)} if n == 0 else {})}) for n in range(3)]
    try:
        wait_until(lambda: len(client.smembers("author:workers")) == 3, START_WITHIN, "workers registered")
        enqueue(redis.url, site.start_urls, server.offline_env())
        share = len(site.paths) // 9
        wait_until(lambda: sum(r.user_agent == user_agent("w0") for r in page_requests(server, since)) >= share
                   and client.zcard("author:processing:w0") > 0, START_WITHIN, "w0 a third through its share")
        running[0].process.send_signal(signal.SIGKILL)
        running[0].process.wait(timeout=10)
        held = queued_urls(client.zrange("author:processing:w0", 0, -1))
        survivors = [worker.finish() for worker in running[1:]]
    finally:
        for worker in running:
            worker.stop()
    fetched = Counter(r.path for r in page_requests(server, since))
    if "STORE_URL" in settings:
        seen = Counter(papers_in(settings["STORE_URL"]))
        same = (store_rows(settings["STORE_URL"], tuple(USER_TABLES)) == store_rows(clean_store, tuple(USER_TABLES))
                if clean_store else None)
    else:
        # Each worker's store (<output>.db); the killed one's holds every record it parsed.
        seen = Counter(paper for worker in running for paper in set(stored_ids(worker.output.with_suffix(".db"))))
        same = None
    return {"held": len(held), "pages_lost": len(site.paths - set(fetched)),
            "pages_twice": sum(count > 1 for count in fetched.values()),
            "records_lost": len(site.paper_ids - set(seen)),
            "duplicates": sum(count - 1 for count in seen.values()), "rows_as_clean": same,
            "finished": all(run.finished for run in survivors)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chains", type=int, default=100, help="listing chains of 3 pages (default 100)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds every answer waits (default 0)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent requests per worker")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of 1, 2, 3 workers (default 3)")
    parser.add_argument("--store", choices=("shared", "own"), default="shared",
                        help="one PostgreSQL store for all workers (default), or each its own SQLite store")
    args = parser.parse_args()
    settings = {"CONCURRENT_REQUESTS": str(args.concurrency),
                "CONCURRENT_REQUESTS_PER_DOMAIN": str(args.concurrency), "LOG_LEVEL": "INFO"}
    with tempfile.TemporaryDirectory() as tmp, LoopbackServer(max_lifetime=3600) as server:
        work = Path(tmp)
        (work / "redis").mkdir()
        redis = RedisServer(work / "redis").start()
        postgres = PostgresServer().start() if args.store == "shared" else None
        stores = Stores(postgres)
        try:
            site = serve_listing_site(server, chains=args.chains, pages_per_chain=3, papers_per_page=3)
            server.delay = args.latency
            rates: dict[int, list[float]] = {count: [] for count in COUNTS}
            clean_store = None
            for round_number in range(args.repeat):
                for count in COUNTS:
                    store = stores.settings()
                    rates[count].append(crawl(server, redis, site, count, work, {**settings, **store},
                                              f"{count}x{round_number}"))
                    clean_store = store.get("STORE_URL", clean_store) if count == 3 else clean_store
            killed = kill_test(server, redis, site, work, {**settings, **stores.settings()}, clean_store)
        finally:
            redis.stop()
            if postgres is not None:
                postgres.stop()
    print(f"site: {len(site.paths)} listing pages, {len(site.paper_ids)} papers on {server.origin}; "
          f"latency {args.latency} s; {args.concurrency} requests at a time per worker; {args.repeat} rounds; "
          f"store: {'one PostgreSQL for all workers' if args.store == 'shared' else 'each worker its own SQLite'}")
    base = statistics.median(rates[1])
    for count in COUNTS:
        median = statistics.median(rates[count])
        runs = ", ".join(f"{rate:.0f}" for rate in rates[count])
        print(f"{count} worker{'s' if count > 1 else ' '}: median {median:6.1f} pages/s ({runs})"
              f"   ratio to 1 worker {median / base:.2f}")
    print(f"kill test (3 workers, one SIGKILLed holding {killed['held']} requests): survivors finished: "
          f"{killed['finished']}; pages lost {killed['pages_lost']}, fetched twice {killed['pages_twice']}; "
          f"records lost {killed['records_lost']}, duplicate papers {killed['duplicates']}"
          + ("" if killed["rows_as_clean"] is None else
             f"; store rows equal to a clean 3-worker crawl's: {killed['rows_as_clean']}")
          + ("" if args.store == "shared" else " (own stores: a paper in two stores is one once merged by id)"))


if __name__ == "__main__":
    main()

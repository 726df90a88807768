"""A worker of a three-worker crawl (REDIS_URL) killed with SIGKILL while it holds requests: the other two
finish the crawl, the requests it held among it (they go back to the queue once its heartbeat has expired,
REDIS_WORKER_TIMEOUT = 3 s here), and no page and no record is lost. The site: 120 arXiv-style listing pages,
3 papers each, every paper on one page (tests/crawl/listing_site.py); answers are 0.05 s slow so the crawl
lasts long enough to kill a worker in the middle.

The killed worker's records stay in its store (<output>.db, what a restart with the same store and
JOBDIR writes out): every paper is in an output or there, and only papers of the pages it held when killed
can be in two (their pages were fetched again).
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from tests.crawl.distributed_run import enqueue, queued_urls, start_worker, user_agent, wait_until
from tests.crawl.listing_site import serve_listing_site
from tests.crawl.loopback import LoopbackServer
from tests.crawl.redis_server import RedisServer, redis_server  # noqa: F401 - pytest fixture

WORKERS = ["w0", "w1", "w2"]
START_WITHIN = 60                 # seconds for all workers to be up and asking


def page_requests(server: LoopbackServer) -> list:
    return [r for r in server.received if not r.path.endswith("/robots.txt")]


def stored_ids(store: Path) -> list[str]:
    """Ids of the papers in a killed worker's store (every record it parsed is there, merged)."""
    import sqlite3

    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return [row[0] for row in db.execute("select id from papers")]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_worker_killed_mid_crawl_loses_no_request(redis_server: RedisServer, tmp_path: Path) -> None:
    client = redis_server.client()
    with LoopbackServer() as server:
        site = serve_listing_site(server, chains=40, pages_per_chain=3, papers_per_page=3)
        server.delay = 0.05
        env = server.offline_env()
        server.gate.clear()
        jobdir = tmp_path / "w0.job"
        workers = [start_worker(name, redis_server.url, tmp_path, env, completion=False,
                                settings={"REDIS_WORKER_TIMEOUT": "3", **({"JOBDIR": str(jobdir)} if name == "w0" else {})})
                   for name in WORKERS]
        try:
            wait_until(lambda: len(client.smembers("author:workers")) == 3, START_WITHIN, "all workers registered")
            assert enqueue(redis_server.url, site.start_urls, env).returncode == 0
            agents = {user_agent(name) for name in WORKERS}
            wait_until(lambda: {r.user_agent for r in server.received} >= agents, START_WITHIN,
                       "all three workers asking")
            server.gate.set()
            wait_until(lambda: sum(r.user_agent == user_agent("w0") for r in page_requests(server)) >= 6
                       and client.zcard("author:processing:w0") > 0, 30, "w0 fetched pages and holds requests")
            workers[0].process.send_signal(signal.SIGKILL)
            workers[0].process.wait(timeout=10)
            killed_at = time.monotonic()
            held = {path_of(url) for url in queued_urls(client.zrange("author:processing:w0", 0, -1))}
            survivors = [worker.finish() for worker in workers[1:]]
        finally:
            for worker in workers:
                worker.stop()
    for run in survivors:
        assert run.finished, run.describe()
    assert held, "w0 held no request when killed"
    requests = page_requests(server)
    fetched = Counter(r.path for r in requests)
    assert set(fetched) == site.paths                                   # no page lost
    assert {path for path, count in fetched.items() if count > 1} <= held
    crawled_after = {r.path for r in requests if r.time > killed_at and r.user_agent != user_agent("w0")}
    assert held <= crawled_after                                        # what w0 held, the others crawled
    assert sum(run.scrapy_stats.get("redis/recovered", 0) for run in survivors) == len(held)
    papers = Counter(record["id"] for run in survivors for record in run.records)
    papers.update(stored_ids(workers[0].output.with_suffix(".db")))
    assert set(papers) == site.paper_ids                                # no record lost
    twice = {paper for paper, count in papers.items() if count > 1}
    assert twice <= {paper for path in held for paper in site.papers_by_path[path]}

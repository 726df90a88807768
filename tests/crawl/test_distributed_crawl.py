"""Three `scrapy crawl author` workers on one Redis queue (REDIS_URL) over a loopback site of 120 arXiv-style
listing pages (40 chains of 3 pages, 3 papers each, every paper on one page only: tests/crawl/listing_site.py).

What a user of a distributed crawl counts on, checked on the loopback server's log (which worker fetched
what: each has its own user agent) and on the workers' outputs:
* every page fetched once, by one of the workers, and every paper in exactly one worker's output;
* arXiv asked about each paper once, by whichever worker holds it, and one request every 3 s over all workers.

The workers start before the start URLs are enqueued (they wait for them, and learn the start URLs' host
from Redis), and the loopback server holds its answers until all three workers have asked for something (its
gate), so that all three take part whatever the order they start in.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.crawl.distributed_run import (WORKERS, assert_each_page_fetched_once_by_the_workers, enqueue,
                                         start_worker, user_agent, wait_until)
from tests.crawl.listing_site import serve_listing_site
from tests.crawl.loopback import LoopbackServer
from tests.crawl.redis_server import RedisServer, redis_server  # noqa: F401 - pytest fixture

API = "http://export.arxiv.org/api/query"
START_WITHIN = 60                 # seconds for all workers to be up and asking



def all_workers_asking(server: LoopbackServer) -> bool:
    return {r.user_agent for r in server.received} >= {user_agent(name) for name in WORKERS}


def ids_in(runs) -> Counter:
    return Counter(record["id"] for run in runs for record in run.records)


def test_three_workers_fetch_each_page_once_and_ask_arxiv_once_per_paper_3_s_apart(
        redis_server: RedisServer, tmp_path: Path) -> None:
    with LoopbackServer() as server:
        site = serve_listing_site(server, chains=40, pages_per_chain=3, papers_per_page=3)
        server.virtual_hosts.add("export.arxiv.org")       # the API's requests are answered 404: not completed
        env = server.offline_env()
        server.gate.clear()
        # robots.txt off: each worker's robots.txt request to export.arxiv.org would take a 3 s turn as well.
        workers = [start_worker(name, redis_server.url, tmp_path, env, completion=True,
                                settings={"ARXIV_API_URL": API, "ARXIV_BATCH_SIZE": "1000",
                                          "ROBOTSTXT_OBEY": "False"}) for name in WORKERS]
        try:
            # Enqueued once every worker is up: they learn the start URLs' host from Redis, not at start.
            wait_until(lambda: len(redis_server.client().smembers("author:workers")) == 3, START_WITHIN,
                       "all three workers registered")
            queued = enqueue(redis_server.url, site.start_urls, env)
            assert queued.returncode == 0, queued.stdout + queued.stderr
            wait_until(lambda: all_workers_asking(server), START_WITHIN, "all three workers asking")
            server.gate.set()
            runs = [worker.finish() for worker in workers]
        finally:
            for worker in workers:
                worker.stop()
        assert server.outside_requests() == []
    for run in runs:
        assert run.finished, run.describe()
    assert_each_page_fetched_once_by_the_workers(server, site)
    papers = ids_in(runs)
    assert set(papers) == site.paper_ids and set(papers.values()) == {1}

    api = sorted((r for r in server.received if r.path.startswith(API)), key=lambda r: r.time)
    asked = Counter(arxiv_id for r in api for arxiv_id in parse_qs(urlsplit(r.path).query)["id_list"][0].split(","))
    assert set(asked) == site.arxiv_ids
    assert set(asked.values()) == {1}                     # no paper asked by two workers (or twice)
    assert {r.user_agent for r in api} == {user_agent(name) for name in WORKERS}
    gaps = [later.time - earlier.time for earlier, later in zip(api, api[1:])]
    assert gaps and all(gap >= 2.9 for gap in gaps), gaps

"""Three `scrapy crawl author` workers on one Redis queue writing ONE PostgreSQL store (the set-up README
"Scaling out" describes), over the loopback listing site (tests/crawl/listing_site.py: arXiv-style listing
pages, 3 papers each, every paper on one page only). Real servers, started by the tests: redis-server
(tests/crawl/redis_server.py) and PostgreSQL (tests/postgres.py); either missing fails the test.

What a user of the shared store counts on, checked in the store and on the loopback server's log:
* every paper stored once: one papers row per expected id, one source row per page and paper;
* every page fetched once, arXiv asked about each paper once, one request every 3 s over all workers;
* one worker SIGKILLed mid-crawl: the others finish, and the store holds the same rows as a clean crawl
  of the same site by one process alone;
* PostgreSQL lost mid-crawl: every worker stops with one error line and exit 1, holding nothing (what it
  held is back in the queue); PostgreSQL back, a worker run again finishes the crawl with every paper stored.
"""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from crawlers.store import Store
from crawlers.store.schema import USER_TABLES
from tests.crawl.crawl_run import crawl_author, store_rows
from tests.crawl.distributed_run import (WORKERS, assert_each_page_fetched_once_by_the_workers, enqueue,
                                         page_requests, start_worker, user_agent, wait_until)
from tests.crawl.listing_site import ListingSite, serve_listing_site
from tests.crawl.loopback import LoopbackServer
from tests.crawl.redis_server import RedisServer, redis_server  # noqa: F401 - pytest fixture
from tests.postgres import running_postgres

API = "http://export.arxiv.org/api/query"
START_WITHIN = 60                 # seconds for all workers to be up and asking
TABLES = tuple(USER_TABLES)          # what a user queries: the rows compared


@pytest.fixture
def store_url(postgres_server) -> str:
    """A fresh PostgreSQL database, the one store every worker writes."""
    return postgres_server.fresh_database()





def crawl_with_workers(server: LoopbackServer, redis: RedisServer, site: ListingSite, tmp_path: Path,
                       settings: dict[str, str], *, completion: bool, kill_first_after: int = 0):
    """Three workers, registered before the start URLs are enqueued; the loopback server holds its answers
    until all three ask. ``kill_first_after``: w0 SIGKILLed once it fetched that many pages while holding
    requests. The runs of the workers that ended by themselves."""
    client = redis.client()
    env = server.offline_env()
    server.gate.clear()
    workers = [start_worker(name, redis.url, tmp_path, env, completion=completion, settings=settings)
               for name in WORKERS]
    try:
        wait_until(lambda: len(client.smembers("author:workers")) == 3, START_WITHIN, "all workers registered")
        queued = enqueue(redis.url, site.start_urls, env)
        assert queued.returncode == 0, queued.stdout + queued.stderr
        agents = {user_agent(name) for name in WORKERS}
        wait_until(lambda: {r.user_agent for r in server.received} >= agents, START_WITHIN, "all workers asking")
        server.gate.set()
        if kill_first_after:
            wait_until(lambda: sum(r.user_agent == user_agent("w0") for r in page_requests(server))
                       >= kill_first_after and client.zcard("author:processing:w0") > 0, 30,
                       "w0 fetched pages and holds requests")
            workers[0].process.send_signal(signal.SIGKILL)
            workers[0].process.wait(timeout=10)
        return [worker.finish() for worker in workers[1 if kill_first_after else 0:]]
    finally:
        for worker in workers:
            worker.stop()


def test_three_workers_store_every_paper_once_in_one_postgresql_store(
        redis_server: RedisServer, store_url: str, tmp_path: Path) -> None:
    with LoopbackServer() as server:
        site = serve_listing_site(server, chains=30, pages_per_chain=3, papers_per_page=3)
        server.virtual_hosts.add("export.arxiv.org")       # the API's requests are answered 404: not completed
        # robots.txt off: each worker's robots.txt request to export.arxiv.org would take a 3 s turn as well.
        # 100 ids a request: the 270 papers take 3 requests at least, so the pacing between workers is exercised
        # (with one store shared, the first worker run dry could claim them all in one request).
        runs = crawl_with_workers(server, redis_server, site, tmp_path, completion=True, settings={
            "STORE_URL": store_url, "ARXIV_API_URL": API, "ARXIV_BATCH_SIZE": "100", "ROBOTSTXT_OBEY": "False"})
        assert server.outside_requests() == []
    for run in runs:
        assert run.finished, run.describe()
    assert_each_page_fetched_once_by_the_workers(server, site)

    rows = store_rows(store_url, TABLES)
    paper_ids = [row[0] for row in rows["papers"]]            # the id column comes first
    assert sorted(paper_ids) == sorted(site.paper_ids)                 # every paper stored, once
    store = Store.open(store_url)
    try:
        pages = store.conn.exec_driver_sql("select url, count(*) from sources where type = 'paper' "
                                           "and completes is null group by url").all()
        every_paper = store.conn.exec_driver_sql("select count(*) from papers p where exists "
                                                 "(select 1 from sources s where s.group_id = p.group_id)").scalar()
    finally:
        store.close()
    assert {urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else ""): count
            for url, count in pages} == {path: len(ids) for path, ids in site.papers_by_path.items()}
    assert every_paper == len(site.paper_ids)
    # Each worker's output: the papers its own pages gave (README); together, every paper.
    assert set().union(*({record["id"] for record in run.records} for run in runs)) == site.paper_ids

    api = sorted((r for r in server.received if r.path.startswith(API)), key=lambda r: r.time)
    asked = Counter(arxiv_id for r in api for arxiv_id in parse_qs(urlsplit(r.path).query)["id_list"][0].split(","))
    assert set(asked) == site.arxiv_ids
    assert set(asked.values()) == {1}                     # no paper asked twice, by one worker or two
    gaps = [later.time - earlier.time for earlier, later in zip(api, api[1:])]
    assert len(gaps) >= 2 and all(gap >= 2.9 for gap in gaps), gaps


def test_a_worker_killed_mid_crawl_leaves_the_shared_store_as_a_clean_crawl_does(
        redis_server: RedisServer, postgres_server, tmp_path: Path) -> None:
    shared, alone = (postgres_server.create_database(f"t_{name}_{tmp_path.name[-12:]}".lower().replace("-", "_"))
                     for name in ("shared", "alone"))
    with LoopbackServer() as server:
        site = serve_listing_site(server, chains=40, pages_per_chain=3, papers_per_page=3)
        server.delay = 0.05                # the crawl lasts long enough to kill a worker in the middle
        survivors = crawl_with_workers(server, redis_server, site, tmp_path, completion=False, kill_first_after=6,
                                       settings={"STORE_URL": shared, "REDIS_WORKER_TIMEOUT": "3"})
        server.delay = 0
        clean = crawl_author(site.start_urls, tmp_path, server.offline_env(), completion=False,
                             settings={"STORE_URL": alone, "ALLOW_PRIVATE_HOSTS": "True", "DOWNLOAD_DELAY": "0",
                                       "FOLLOW_KINDS": "next-page", "TELNETCONSOLE_ENABLED": "False"},
                             output_name="alone.jsonl")
    for run in survivors:
        assert run.finished, run.describe()
    assert sum(run.scrapy_stats.get("redis/recovered", 0) for run in survivors) > 0   # w0 held requests
    assert clean.finished, clean.describe()
    rows = store_rows(shared, TABLES)
    assert sorted(row[0] for row in rows["papers"]) == sorted(site.paper_ids)        # nothing lost, none twice
    assert rows == store_rows(alone, TABLES)


def test_postgresql_lost_mid_crawl_stops_every_worker_and_a_rerun_stores_every_paper(
        redis_server: RedisServer, tmp_path: Path) -> None:
    with running_postgres() as postgres:     # this test's own: it is stopped and started again
        url = postgres.create_database("shared")
        client = redis_server.client()
        with LoopbackServer() as server:
            site = serve_listing_site(server, chains=20, pages_per_chain=3, papers_per_page=3)
            server.delay = 0.05
            env = server.offline_env()
            settings = {"STORE_URL": url, "REDIS_WORKER_TIMEOUT": "3"}
            workers = [start_worker(name, redis_server.url, tmp_path, env, completion=False, settings=settings)
                       for name in WORKERS[:2]]
            try:
                wait_until(lambda: len(client.smembers("author:workers")) == 2, START_WITHIN, "workers registered")
                assert enqueue(redis_server.url, site.start_urls, env).returncode == 0
                wait_until(lambda: len(page_requests(server)) >= 10, 30, "10 pages fetched")
                server.gate.clear()                 # answers held while the server goes: the crawl is not over
                postgres.pause()
                server.gate.set()
                stopped = [worker.finish(timeout=60) for worker in workers]
            finally:
                for worker in workers:
                    worker.stop()
            for run in stopped:
                assert run.returncode == 1, run.describe()
                [line] = [line for line in run.log.splitlines() if "error: the store cannot be written" in line]
                assert "back to the queue" in line
            assert [key for key in client.keys("author:processing:*") if client.zcard(key)] == []
            assert client.zcard("author:requests") > 0                      # the rest of the crawl waits
            postgres.resume()
            again = start_worker("w0", redis_server.url, tmp_path, env, completion=False, settings=settings,
                                 run=".again").finish()
        assert again.finished, again.describe()
        assert set(r.path for r in page_requests(server)) == site.paths
        assert sorted(row[0] for row in store_rows(url, TABLES)["papers"]) == sorted(site.paper_ids)

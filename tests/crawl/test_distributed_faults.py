"""Bad input and a Redis that goes away, for crawls on a shared Redis queue (REDIS_URL).

* `python -m crawlers.enqueue` with an unreachable Redis or a bad start URL: one `error:` line, exit 2.
  (`scrapy crawl author -s REDIS_URL=<unreachable>` is in test_usage_errors.py with the other bad values.)
* Redis killed mid-crawl: the worker stops by itself with one error line naming the Redis URL, and writes
  the records it has; Redis started again (its append-only file holds the queue), the worker run again
  finishes the crawl: no page and no record lost.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.conftest import ROOT
from tests.crawl.crawl_run import crawl_env
from tests.crawl.distributed_run import enqueue, queued_urls, start_worker, user_agent, wait_until
from tests.crawl.listing_site import serve_listing_site
from tests.crawl.loopback import LoopbackServer
from tests.crawl.redis_server import (RedisServer, durable_redis_server, free_port,  # noqa: F401 - fixtures
                                      redis_server)
from tests.crawl.test_distributed_kill import path_of


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if "error:" in line]


def run_enqueue(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawlers.enqueue", *arguments], cwd=ROOT, env=crawl_env(),
                          capture_output=True, text=True, timeout=60, check=False)


def test_enqueue_to_an_unreachable_redis_is_one_error_line_and_exit_2() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    done = run_enqueue("--redis", url, "https://www.catalyzex.com/author/Parker%20Schuh")
    assert done.returncode == 2, done.stdout + done.stderr
    [line] = error_lines(done.stdout + done.stderr)
    assert url in line and "cannot be reached" in line
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_enqueue_of_a_bad_url_is_one_error_line_and_exit_2_and_queues_nothing(redis_server: RedisServer) -> None:
    done = run_enqueue("--redis", redis_server.url, "https://www.catalyzex.com/author/A", "www.example.org/b")
    assert done.returncode == 2, done.stdout + done.stderr
    [line] = error_lines(done.stdout + done.stderr)
    assert "'www.example.org/b'" in line and "http(s) URL" in line
    assert redis_server.client().zcard("author:requests") == 0


def test_redis_killed_mid_crawl_stops_the_worker_with_its_records_and_a_rerun_finishes(
        durable_redis_server: RedisServer, tmp_path: Path) -> None:
    redis = durable_redis_server
    with LoopbackServer() as server:
        site = serve_listing_site(server, chains=30, pages_per_chain=3, papers_per_page=3)
        server.delay = 0.05
        env = server.offline_env()
        assert enqueue(redis.url, site.start_urls, env).returncode == 0
        worker = start_worker("w0", redis.url, tmp_path, env, completion=False)
        try:
            wait_until(lambda: sum(not r.path.endswith("/robots.txt") for r in server.received) >= 10, 60,
                       "the worker fetched 10 pages")
            redis.kill()
            stopped = worker.finish()
        finally:
            worker.stop()
        redis.start()                              # the same port and append-only file: the queue is back
        held = {path_of(url) for url in queued_urls(redis.client().zrange("author:processing:w0", 0, -1))}
        fetched_before = Counter(r.path for r in server.received if not r.path.endswith("/robots.txt"))
        rerun = start_worker("w0", redis.url, tmp_path, env, completion=False, run=".rerun").finish()
        assert server.outside_requests() == []
    assert stopped.returncode == 1 and "Spider closed (redis_unavailable)" in stopped.log, stopped.describe()
    assert "Traceback" not in stopped.log
    [line] = error_lines(stopped.log)
    assert redis.url in line and "cannot be reached" in line
    # What it had is written: every paper of the pages it parsed before Redis went away.
    assert stopped.records and {r["id"] for r in stopped.records} <= site.paper_ids
    assert stopped.stats["scrapy_stats"]["finish_reason"] == "redis_unavailable"

    assert rerun.finished, rerun.describe()
    fetched = Counter(r.path for r in server.received if not r.path.endswith("/robots.txt"))
    assert set(fetched) == site.paths                                   # no page lost
    assert {path for path, count in fetched.items() if count > 1} <= held   # only those in flight at the loss
    assert set(fetched_before) < site.paths                             # the rerun had pages left to crawl
    papers = Counter(r["id"] for run in (stopped, rerun) for r in run.records)
    assert set(papers) == site.paper_ids                                # no record lost
    assert {p for p, count in papers.items() if count > 1} <= {p for path in held for p in site.papers_by_path[path]}
    assert {r.user_agent for r in server.received} == {user_agent("w0")}

"""The shared queue's guarantees, on a real redis-server, without a crawl: a popped request stays in Redis
until acked, a worker whose heartbeat expired gives its requests back, the crawl is over only when nothing is
queued or in flight anywhere, and two workers never both claim a paper for arXiv completion."""

from __future__ import annotations

import time

import scrapy
from scrapy.settings import Settings

from crawlers.completion import paper_keys
from crawlers.distributed import claim_papers
from crawlers.distributed.queue import CrawlKeys, ReliableQueue
from tests.crawl.redis_server import RedisServer, redis_server  # noqa: F401 - pytest fixture

SPIDER = scrapy.Spider(name="author")
KEYS = CrawlKeys("author")


def worker_queue(server: RedisServer, name: str, timeout_ms: int = 60_000) -> ReliableQueue:
    queue = ReliableQueue(server.client(), SPIDER, KEYS, name)
    queue.beat(timeout_ms)
    return queue


def test_a_popped_request_stays_in_flight_until_acked(redis_server: RedisServer) -> None:
    queue = worker_queue(redis_server, "a")
    assert not queue.done()                                   # nothing ever queued: wait for the start URLs
    queue.push(scrapy.Request("http://127.0.0.1/1"))
    request, handle = queue.pop_in_flight()
    assert request.url == "http://127.0.0.1/1"
    assert len(queue) == 0 and queue.in_flight() == 1 and not queue.done()
    assert queue.pop_in_flight() is None
    queue.ack(handle)
    assert queue.in_flight() == 0 and queue.done()


def test_a_request_already_seen_is_not_queued_again(redis_server: RedisServer) -> None:
    queue = worker_queue(redis_server, "a")
    assert queue.push(scrapy.Request("http://127.0.0.1/1"), "fingerprint-1")
    assert not queue.push(scrapy.Request("http://127.0.0.1/1"), "fingerprint-1")
    assert queue.push(scrapy.Request("http://127.0.0.1/1", dont_filter=True))      # a retry: no fingerprint
    assert redis_server.client().smembers(KEYS.dupefilter) == {b"fingerprint-1"}


def test_higher_priority_first_as_in_scrapy_redis(redis_server: RedisServer) -> None:
    queue = worker_queue(redis_server, "a")
    queue.push(scrapy.Request("http://127.0.0.1/low", priority=0))
    queue.push(scrapy.Request("http://127.0.0.1/high", priority=5))
    assert [queue.pop_in_flight()[0].url for _ in range(2)] == ["http://127.0.0.1/high", "http://127.0.0.1/low"]


def test_a_dead_workers_requests_go_back_to_the_queue_and_a_live_ones_do_not(redis_server: RedisServer) -> None:
    dying = worker_queue(redis_server, "dying", timeout_ms=100)
    alive = worker_queue(redis_server, "alive")
    for number in range(3):
        alive.push(scrapy.Request(f"http://127.0.0.1/{number}"))
    dying.pop_in_flight(), dying.pop_in_flight()
    alive.pop_in_flight()
    assert alive.recover() == 0                               # the heartbeat has not expired yet
    client = redis_server.client()
    deadline = time.monotonic() + 10
    while client.exists(KEYS.alive("dying")):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert alive.recover() == 2
    assert len(alive) == 2 and alive.in_flight() == 1 and dying.in_flight() == 0
    assert client.smembers(KEYS.workers) == {b"alive"}


def test_a_worker_that_stops_early_gives_back_what_it_holds(redis_server: RedisServer) -> None:
    queue = worker_queue(redis_server, "a")
    queue.push(scrapy.Request("http://127.0.0.1/1"))
    queue.pop_in_flight()
    assert queue.leave() == 1 and len(queue) == 1 and queue.in_flight() == 0


def test_two_workers_holding_the_same_paper_only_one_claims_it(redis_server: RedisServer) -> None:
    settings = Settings({"REDIS_URL": redis_server.url})
    shared_by_id = {"type": "paper", "title": "A Paper", "authors": ["A One"], "arxiv_id": "2401.00001"}
    # The other worker's copy: the same paper from a page without its id (matched by title and first author).
    shared_by_title = {"type": "paper", "title": "A paper", "authors": ["A. One"]}
    only_b = {"type": "paper", "title": "Another Paper", "authors": ["B Two"]}
    first = claim_papers(settings, "author", [shared_by_id], paper_keys)
    second = claim_papers(settings, "author", [shared_by_title, only_b], paper_keys)
    assert first == [shared_by_id] and second == [only_b]


def test_redis_gone_when_completion_claims_papers_is_one_error_line_and_no_request(caplog, monkeypatch):
    # Before, the redis ConnectionError escaped spider_idle (which catches only the store's errors): a traceback,
    # and completion skipped without a word of why. Redis goes away after the worker started: its claim fails.
    import redis
    from scrapy.utils.test import get_crawler

    from crawlers import distributed
    from crawlers.spiders.author import AuthorSpider

    crawler = get_crawler(AuthorSpider, {"ARXIV_TITLE_SEARCH": False})
    spider = AuthorSpider.from_crawler(crawler, url="https://www.catalyzex.com/author/A")

    def redis_gone(*_args):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(distributed, "enabled", lambda _settings: True)
    monkeypatch.setattr(distributed, "claim_papers", redis_gone)
    cut = {"type": "paper", "id": "title:x", "title": "A Paper", "authors": ["A B"], "authors_complete": False,
           "arxiv_id": "2204.02311", "date": "2022-04-05", "source": {"site": "catalyzex", "url": "https://x.test"}}
    assert spider.completion_requests([cut]) == []
    [line] = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert line.startswith("arXiv completion: Redis cannot be reached to claim papers (Error 111")

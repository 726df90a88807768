"""The summary's "declares N papers, M parsed" warning in a crawl over several workers (REDIS_URL), on a real
redis-server: a profile whose pages two workers read between them is not short, however the pages fell; a
profile truly short is, counted over all workers; a page read again (its worker was killed) counts once.

Two CrawlSummary extensions stand for two workers (each reads the counts of every worker through Redis);
the pages are a Scholar profile of 32 papers over 3 pages (10, 10, 12 cards), as the profile heading
"32 Papers" declares them.
"""

from __future__ import annotations

from crawlers.distributed.listings import ListingCounts
from crawlers.distributed.queue import CrawlKeys
from crawlers.extensions import CrawlSummary, render
from tests.crawl.redis_server import RedisServer, redis_server  # noqa: F401 - pytest fixture

PROFILE = "https://profiles.example.org/author/sharan-narang"
PAGES = [(PROFILE, 10), (PROFILE + "?page=2", 10), (PROFILE + "?page=3", 12)]


def worker_summary(redis: RedisServer) -> CrawlSummary:
    summary = CrawlSummary()
    summary.shared = ListingCounts(redis.client(), CrawlKeys("author"))
    return summary


def read(summary: CrawlSummary, url: str, cards: int, listing: str = PROFILE, declared: int = 32) -> None:
    summary.page_parsed(url=url, site="scholar-profile", listing=listing, declared_counts={"paper": declared},
                        parsed_counts={"paper": cards, "author": 1}, problems=[])


def test_a_profile_read_by_two_workers_is_not_short_in_either_summary(redis_server: RedisServer) -> None:
    first, second = worker_summary(redis_server), worker_summary(redis_server)
    read(first, *PAGES[0])
    read(second, *PAGES[1])
    read(second, *PAGES[2])
    for summary in (first, second):
        assert summary.summary()["fewer_than_declared"] == []


def test_a_short_profile_is_counted_over_all_workers_and_a_page_read_again_counts_once(
        redis_server: RedisServer) -> None:
    first, second = worker_summary(redis_server), worker_summary(redis_server)
    read(first, *PAGES[0])
    read(second, *PAGES[0])               # read again by another worker, after the first was killed
    read(second, *PAGES[1])               # the third page never came
    [short] = first.summary()["fewer_than_declared"]
    assert (short["declared"], short["parsed"]) == (32, 20)
    assert f"WARNING {PROFILE} declares 32 papers, 20 parsed by all workers" in render(first.summary(), None)


def test_redis_lost_the_warning_says_it_counts_this_workers_pages_only(redis_server: RedisServer) -> None:
    summary = worker_summary(redis_server)
    read(summary, *PAGES[0])
    redis_server.kill()
    text = render(summary.summary(), None)
    assert "declares 32 papers, 10 parsed by this worker (Redis lost: other workers' pages not counted)" in text

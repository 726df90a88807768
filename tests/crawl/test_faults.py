"""`scrapy crawl author` over the loopback server with faults injected, in one crawl:

    /author/sharan-narang            scholar profile   500 once, then the page
    /author/Parker%20Schuh           CatalyzeX page 1  429 with Retry-After: 1 once, then the page
    /author/Parker%20Schuh?page=2    CatalyzeX page 2  (followed from page 1's next link)
    /paper/2204.02311                paper digest      fine
    /broken/timeout                  held open longer than DOWNLOAD_TIMEOUT, every time
    /broken/truncated                the digest page with a Content-Length longer than its body, every time
    /broken/loop-a, /broken/loop-b   redirect to each other forever
    /broken/unavailable              503 every time
    /broken/missing                  404 (no such page)
    /broken/slow-down                429 with a Retry-After longer than RETRY_AFTER_MAX, every time
    /broken/unknown-layout           a page no site adapter recognises (fixtures/unknown/some-page.html)

What a user needs: every record the good pages carry arrives exactly once, the transient faults end in
success after a retry (that waited as long as the server asked), and each page that failed for good is
named, with its URL and why, in the crawl summary beside the output (``<output>.stats.json``) and the log.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from tests.crawl.crawl_run import FAST, FIXTURES, CrawlRun, crawl_author, expected_ids
from tests.crawl.loopback import Hang, LoopbackServer, RetryAfter, Status, Truncated

SCHOLAR = "/author/sharan-narang"
CATALYZEX = "/author/Parker%20Schuh"
CATALYZEX_PAGE_2 = "/author/Parker%20Schuh?page=2"
DIGEST = "/paper/2204.02311"
TIMEOUT = "/broken/timeout"
TRUNCATED = "/broken/truncated"
LOOP = ("/broken/loop-a", "/broken/loop-b")
UNAVAILABLE = "/broken/unavailable"
MISSING = "/broken/missing"
SLOW_DOWN = "/broken/slow-down"
UNKNOWN_LAYOUT = "/broken/unknown-layout"
FAILING_PAGES = (TIMEOUT, TRUNCATED, UNAVAILABLE, MISSING, SLOW_DOWN, UNKNOWN_LAYOUT)
GOOD_PAGES = (SCHOLAR, CATALYZEX, CATALYZEX_PAGE_2, DIGEST)

RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 1
SETTINGS = {**FAST, "DOWNLOAD_TIMEOUT": str(DOWNLOAD_TIMEOUT), "RETRY_TIMES": str(RETRY_TIMES),
            "REDIRECT_MAX_TIMES": "5", "FOLLOW_KINDS": "next-page", "RETRY_AFTER_MAX": "10"}


def manifest_rows() -> list[dict]:
    return json.loads((FIXTURES / "pages.json").read_text(encoding="utf-8"))


def expected_file(path: str, server: LoopbackServer, served: dict[str, str]) -> str:
    """The hand-written expected records of the manifest page served at `path`."""
    url = server.url(path)
    [row] = [row for row in manifest_rows()
             if served.get(row["url"]) == url and row.get("variant", "html") == "html"]
    return row["file"] + ".expected.jsonl"


@pytest.fixture(scope="module")
def server():
    with LoopbackServer() as server:
        yield server


@pytest.fixture(scope="module")
def served(server: LoopbackServer) -> dict[str, str]:
    served = server.add_manifest(FIXTURES / "pages.json", FIXTURES)
    missing = [path for path in GOOD_PAGES if server.url(path) not in served.values()]
    assert not missing, f"fixtures/pages.json serves no page at {missing}"
    server.fail(SCHOLAR, Status(500), times=1)
    server.fail(CATALYZEX, RetryAfter(1), times=1)
    server.fail(TIMEOUT, Hang(30), times=None)
    server.add_file(TRUNCATED, FIXTURES / "paper_digest" / "palm.html")
    server.fail(TRUNCATED, Truncated(0.5), times=None)
    server.redirect_loop(*LOOP)
    server.fail(UNAVAILABLE, Status(503), times=None)
    server.fail(SLOW_DOWN, RetryAfter(60), times=None)
    server.add_file(UNKNOWN_LAYOUT, FIXTURES / "unknown" / "some-page.html")
    return served


@pytest.fixture(scope="module")
def crawl(server: LoopbackServer, served: dict[str, str],
          tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    starts = [server.url(path) for path in (SCHOLAR, CATALYZEX, DIGEST, *FAILING_PAGES, LOOP[0])]
    return crawl_author(starts, tmp_path_factory.mktemp("faults"), server.offline_env(), SETTINGS,
                        completion=False)


def failures_of(crawl: CrawlRun, url: str) -> list[str]:
    """Why each failed-page entry of the crawl summary for `url` failed: its reason, the URL taken out
    (so words in the URL itself, "timeout", "truncated", cannot pass for an explanation)."""
    return [failure["reason"].replace(url, "<url>")
            for failure in crawl.failures if failure.get("url") == url]


def test_crawl_finishes_and_fetches_nothing_outside_the_loopback(crawl: CrawlRun,
                                                                  server: LoopbackServer) -> None:
    assert crawl.returncode == 0, crawl.describe()
    assert server.outside_requests() == []


def test_every_expected_record_arrives_exactly_once(crawl: CrawlRun, server: LoopbackServer,
                                                    served: dict[str, str]) -> None:
    expected = expected_ids(*(expected_file(path, server, served) for path in GOOD_PAGES))
    counts = Counter(crawl.ids())
    assert [id_ for id_, count in counts.items() if count > 1] == [], "records emitted more than once"
    assert sorted(expected - set(counts)) == [], f"missing records\n{crawl.describe()}"
    assert sorted(set(counts) - expected) == [], "records no fixture page carries"


def test_scholar_profile_gives_its_author_and_32_papers(crawl: CrawlRun) -> None:
    expected = expected_ids("scholar_profile/sharan-narang.html.expected.jsonl")
    assert len(expected) == 33 and "author:sharan-narang" in expected
    assert sorted(expected - set(crawl.ids())) == []


def test_500_then_200_is_retried_and_succeeds(crawl: CrawlRun, server: LoopbackServer) -> None:
    attempts = server.requests_for(SCHOLAR)
    assert len(attempts) == 2
    assert "author:sharan-narang" in crawl.ids()
    assert failures_of(crawl, server.url(SCHOLAR)) == []


def test_429_is_retried_after_the_time_the_server_asked_for(crawl: CrawlRun, server: LoopbackServer) -> None:
    first, second = server.requests_for(CATALYZEX)
    assert second.time - first.time >= 1.0, "retried before Retry-After: 1 had passed"
    assert "author:parker-schuh" in crawl.ids()
    assert failures_of(crawl, server.url(CATALYZEX)) == []


def test_next_page_is_followed_once(crawl: CrawlRun, server: LoopbackServer) -> None:
    assert len(server.requests_for(CATALYZEX_PAGE_2)) == 1


def test_timeout_is_retried_then_reported_with_its_url(crawl: CrawlRun, server: LoopbackServer) -> None:
    assert len(server.requests_for(TIMEOUT)) == RETRY_TIMES + 1
    [reason] = failures_of(crawl, server.url(TIMEOUT))
    assert "took longer than" in reason or "timeout" in reason.lower(), reason


def test_truncated_body_is_reported_with_its_url(crawl: CrawlRun, server: LoopbackServer) -> None:
    assert len(server.requests_for(TRUNCATED)) >= 1
    [reason] = failures_of(crawl, server.url(TRUNCATED))
    explanations = ("data loss", "truncated", "cut short", "incomplete")
    assert any(word in reason.lower() for word in explanations), reason


def test_redirect_loop_is_reported_with_its_url(crawl: CrawlRun, server: LoopbackServer) -> None:
    assert 2 <= len(server.requests_for(LOOP[0]) + server.requests_for(LOOP[1])) <= 7
    [reason] = failures_of(crawl, server.url(LOOP[0])) + failures_of(crawl, server.url(LOOP[1]))
    assert "redirect" in reason.lower(), reason


def test_503_is_retried_then_reported_with_its_status(crawl: CrawlRun, server: LoopbackServer) -> None:
    assert len(server.requests_for(UNAVAILABLE)) == RETRY_TIMES + 1
    [reason] = failures_of(crawl, server.url(UNAVAILABLE))
    assert "503" in reason, reason


def test_404_is_reported_once_without_retrying(crawl: CrawlRun, server: LoopbackServer) -> None:
    assert len(server.requests_for(MISSING)) == 1
    [reason] = failures_of(crawl, server.url(MISSING))
    assert "404" in reason, reason


def test_retry_after_beyond_the_cap_gives_up_at_once_and_is_reported(crawl: CrawlRun,
                                                                     server: LoopbackServer) -> None:
    assert len(server.requests_for(SLOW_DOWN)) == 1
    [reason] = failures_of(crawl, server.url(SLOW_DOWN))
    assert "429" in reason, reason


def test_unknown_layout_is_reported_as_such(crawl: CrawlRun, server: LoopbackServer) -> None:
    [reason] = failures_of(crawl, server.url(UNKNOWN_LAYOUT))
    assert "unrecognised" in reason.lower() or "unknown" in reason.lower(), reason


def test_only_the_broken_pages_are_reported(crawl: CrawlRun, server: LoopbackServer) -> None:
    reported = {path for path in (*FAILING_PAGES, *LOOP, *GOOD_PAGES) if failures_of(crawl, server.url(path))}
    assert reported - set(LOOP) == set(FAILING_PAGES)
    assert reported & set(LOOP)


def test_summary_counts_the_failed_pages(crawl: CrawlRun) -> None:
    assert crawl.stats, f"no <output>.stats.json was written\n{crawl.describe()}"
    failed = len(FAILING_PAGES) + 1                                # and the redirect loop
    assert crawl.scrapy_stats.get("pages/failed") == failed, json.dumps(crawl.stats, indent=1)
    assert len(crawl.failures) == failed


def test_each_failure_reason_is_one_line_naming_the_url(crawl: CrawlRun) -> None:
    assert crawl.failures
    for failure in crawl.failures:
        assert failure["url"] in failure["reason"] and "\n" not in failure["reason"], failure


def test_every_record_written_is_valid(crawl: CrawlRun) -> None:
    assert crawl.invalid == []


def test_log_names_each_failed_url(crawl: CrawlRun, server: LoopbackServer) -> None:
    for path in FAILING_PAGES:
        assert server.url(path) in crawl.log


def test_pages_that_failed_log_no_error_and_no_traceback(crawl: CrawlRun) -> None:
    """Each failure is a summary entry; the only ERROR lines are Scrapy's "Gave up retrying" for pages that
    failed for good. An errback returning its reason once made Scrapy log an ERROR traceback per failed page
    ("No adapter found for objects of type: <class 'str'>")."""
    assert "Traceback" not in crawl.log and "No adapter found" not in crawl.log
    failed = {failure["url"] for failure in crawl.failures}
    errors = [line for line in crawl.log.splitlines() if " ERROR: " in line]
    assert [line for line in errors if not any(f"<GET {url}>" in line for url in failed)] == []

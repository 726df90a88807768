"""A page whose parse raises something no parser should (a bug, not a PageError): the crawl reports it in the
summary with its URL and goes on, and every record of its sibling pages is stored."""

from __future__ import annotations

import json

import pytest

from crawlers.settings import EXTENSIONS
from tests.crawl.crawl_run import REPLAY, CrawlRun, crawl_author, expected_ids

BROKEN = "https://www.catalyzex.com/author/Parker%20Schuh?page=2"     # page 2 of the CatalyzeX listing
SIBLINGS = ("scholar_profile/sharan-narang.html.expected.jsonl",       # the other pages of the replay crawl
            "catalyzex/parker-schuh.html.expected.jsonl",              # page 1 of the same listing
            "paper_digest/palm.html.expected.jsonl")
BROKEN_EXPECTED = "catalyzex/parker-schuh.page2.html.expected.jsonl"


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    extensions = {**EXTENSIONS, "tests.crawl.raising_parse.RaiseOnPage": 0}
    settings = {**REPLAY, "EXTENSIONS": json.dumps(extensions), "RAISE_SITE": "catalyzex", "RAISE_ON_URL": BROKEN}
    return crawl_author([], tmp_path_factory.mktemp("parser-bug"), settings=settings, completion=False)


def test_the_crawl_finishes(crawl: CrawlRun) -> None:
    assert crawl.finished, crawl.describe()


def test_the_broken_page_is_in_the_summary_with_its_url_and_the_error(crawl: CrawlRun) -> None:
    reasons = [failure["reason"] for failure in crawl.failures if failure["url"] == BROKEN]
    assert reasons and all(reason.startswith(BROKEN) for reason in reasons)
    assert any("RuntimeError: injected parser bug" in reason for reason in reasons), reasons


def test_every_record_of_the_sibling_pages_is_stored(crawl: CrawlRun) -> None:
    stored = set(crawl.ids())
    assert sorted(expected_ids(*SIBLINGS) - stored) == [], crawl.describe()
    # The records only the broken page carries are the only ones missing: the bug took that page alone.
    only_broken = expected_ids(BROKEN_EXPECTED) - expected_ids(*SIBLINGS)
    assert only_broken and not only_broken & stored
    assert stored == expected_ids(*SIBLINGS)
    assert crawl.invalid == []

"""A test-only extension: counts, per host, the requests that entered Scrapy's downloader slots.

Scrapy sends ``request_reached_downloader`` only when a request goes on to a download slot (where the
per-domain delay, arXiv's 3 s, is applied); a response given by a downloader middleware (the replay) never
gets there. Counted into the crawl's stats as ``probe/reached_downloader/<host>``, so a crawl test reads it
from the stats file instead of timing the crawl."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from scrapy import signals

from crawlers import settings as project_settings


class CountDownloaderEntries:
    def __init__(self, stats) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler) -> CountDownloaderEntries:
        probe = cls(crawler.stats)
        crawler.signals.connect(probe.request_reached_downloader, signal=signals.request_reached_downloader)
        return probe

    def request_reached_downloader(self, request, spider=None) -> None:
        self.stats.inc_value(f"probe/reached_downloader/{urlsplit(request.url).hostname}")


# The project's own extensions kept (-s EXTENSIONS replaces the project's dict), read from its settings.
EXTENSIONS_WITH_PROBE = json.dumps({**project_settings.EXTENSIONS,
                                    "tests.crawl.downloader_probe.CountDownloaderEntries": 900})

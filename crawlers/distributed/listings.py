"""Listing counts over all workers: how many papers (or authors) a listing declares, and how many its pages gave.

A listing's pages are crawled by whichever workers pop them, so one worker's own count of a listing's
records is short of what the listing declares although no page was missed. Each worker writes, for every
page it reads, the listing's declared count (``<spider>:listing:declared``, first one kept) and that page's
count (``<spider>:listing:parsed``, one field per listing, kind and page: a page read again after a worker
was killed counts once). The summary adds them up when the worker ends, which is after every page of the
crawl has been read (a worker ends only when nothing is queued or in flight on any worker).
"""

from __future__ import annotations

import json
from collections import Counter

from crawlers.distributed import REDIS_DOWN, connect
from crawlers.distributed.queue import CrawlKeys


class ListingCounts:
    def __init__(self, server, keys: CrawlKeys) -> None:
        self.server = server
        self.declared_key = keys.prefix + "listing:declared"
        self.parsed_key = keys.prefix + "listing:parsed"
        self.failed = False             # Redis went away: the summary falls back to this worker's counts

    @classmethod
    def from_settings(cls, settings, spider_name: str) -> ListingCounts:
        return cls(connect(settings), CrawlKeys(spider_name))

    def page_read(self, url: str, listing: str, declared: dict[str, int], parsed: dict[str, int]) -> None:
        if self.failed:
            return
        pipe = self.server.pipeline(transaction=False)
        for kind, count in declared.items():
            pipe.hsetnx(self.declared_key, json.dumps([listing, kind]), count)
        for kind, count in parsed.items():
            pipe.hset(self.parsed_key, json.dumps([listing, kind, url]), count)
        try:
            pipe.execute()
        except REDIS_DOWN:
            self.failed = True

    def totals(self, listings: set[str]) -> tuple[dict[tuple[str, str], int], Counter] | None:
        """(declared, parsed) by (listing, kind), over all workers, for these listings; None when Redis
        cannot be reached."""
        if self.failed:
            return None
        try:
            declared_rows = self.server.hgetall(self.declared_key)
            parsed_rows = self.server.hgetall(self.parsed_key)
        except REDIS_DOWN:
            self.failed = True
            return None
        declared = {}
        for field, count in declared_rows.items():
            listing, kind = json.loads(field)
            if listing in listings:
                declared[(listing, kind)] = int(count)
        parsed: Counter[tuple[str, str]] = Counter()
        for field, count in parsed_rows.items():
            listing, kind, _url = json.loads(field)
            if listing in listings:
                parsed[(listing, kind)] += int(count)
        return declared, parsed

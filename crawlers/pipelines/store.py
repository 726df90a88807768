"""StoreRecords: every record is written to the store (crawlers/store/) the moment it is parsed, and merged
there; the crawl's output file is the store's export, written when the crawl closes.

* Each parsed record (JSON form, from NormaliseRecords) is one source row; its paper or author row is
  recomputed at once. Nothing is held in memory, and a crawl killed at any point (even SIGKILL) has every
  record it parsed in the store: the store is the journal. Run again with the same store (and JOBDIR, for
  Scrapy's queue) and it goes on; merging a page's record twice changes nothing.
* The record goes on down the pipeline (Scrapy counts it as scraped, the summary counts its fields for its
  site), but the feed takes only MergedRecord items (crawlers.outputs.MergedOnly, every feed's item_filter).
* When the crawl first runs dry (``spider_idle``) the spider is asked for arXiv completion requests for the
  stored papers that still want it (``spider.completion_requests(papers, asked, answered)``, see
  crawlers/completion.py); the requests asked and the answers are in the store too (``lookups``), so a rerun
  asks arXiv only for what is still missing. An answer (CompletionResult) is written in one transaction.
* On close (run dry, CLOSESPIDER_*, Ctrl-C) the store's merged records of this crawl are checked by
  ValidateRecords and sent to the feed exporter with ``item_scraped`` (Scrapy's pipelines close before the
  feed exporter closes its files on ``spider_closed``); an invalid one goes to the errors file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DropItem

from crawlers.completion import CompletionAnswer, CompletionMiss, CompletionResult
from crawlers.outputs import MergedRecord, store_url
from crawlers.pipelines.validate import ValidateRecords
from crawlers.store import Store
from parsers.records import RECORD_TYPES, to_dict

logger = logging.getLogger(__name__)


class StoreRecords:
    def __init__(self, url: str, jobdir: str | None = None, validate: ValidateRecords | None = None) -> None:
        self.url = url
        self.jobdir = str(Path(jobdir).resolve()) if jobdir else None
        self.validate = validate or ValidateRecords()
        self.store: Store | None = None
        self.crawler = None
        self.completion_asked = False

    @classmethod
    def from_crawler(cls, crawler) -> StoreRecords:
        pipeline = cls(store_url(crawler.settings), crawler.settings.get("JOBDIR"),
                       ValidateRecords.from_crawler(crawler))
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    def open_spider(self, spider=None) -> None:
        self.store = Store.open(self.url)
        self.store.start_crawl(self.jobdir)
        self.validate.open_spider(spider)
        logger.info("StoreRecords: writing to %s (crawl %d)", self.store.shown_url, self.store.crawl_id)

    def process_item(self, item: Any, spider=None) -> Any:
        if isinstance(item, CompletionResult):
            self.write_completion(item)
            return item
        if isinstance(item, MergedRecord):
            return item
        if isinstance(item, RECORD_TYPES):
            item = to_dict(item)
        if isinstance(item, dict) and item.get("type"):
            self.store.add(item)
            self._stats("store/records_written")
        return item

    def write_completion(self, result: CompletionResult) -> None:
        """One API answer, whole, in one transaction: a crawl killed meanwhile has all of it or asks again."""
        with self.store.transaction():
            for entry in result.items:
                if isinstance(entry, CompletionAnswer):
                    self.store.add(to_dict(entry.record), entry.key)
                    self._stats("store/records_written")
                    if entry.fills:
                        self._stats("arxiv/papers_completed")
                elif isinstance(entry, CompletionMiss):
                    self.store.note(entry.key, entry.problem)
                    self._stats("arxiv/papers_not_completed")
            self.store.lookup_answered(result.request_url)

    def spider_idle(self, spider=None) -> None:
        """The first time the crawl runs dry: ask the spider for arXiv completion requests, once."""
        if self.completion_asked:
            return
        self.completion_asked = True
        ask = getattr(spider or self.crawler.spider, "completion_requests", None)
        if ask is None:
            return
        asked, answered = self.store.lookups()
        requests = list(ask(self.store.wanting_completion(), asked, answered))
        if not requests:
            return
        for request in requests:            # stored before sent: a rerun knows what was asked
            lookup = request.meta.get("arxiv_lookup")
            if lookup:
                self.store.lookup_asked(lookup)
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    async def close_spider(self, spider=None) -> None:
        """The merged records of this crawl, checked, to the feed; then the store is closed."""
        if self.store is None:
            return
        written = invalid = 0
        try:
            for record in self.store.merged(crawl_id=self.store.crawl_id):
                try:
                    output = MergedRecord(self.validate.process_item(record))
                except DropItem as exc:
                    invalid += 1
                    await self._send(signals.item_dropped, item=record, response=None, exception=exc)
                    continue
                await self._send(signals.item_scraped, item=output, response=None)
                written += 1
            self.store.finish_crawl()
            counts = self.store.counts()
        finally:
            self.store.close()
        for table, count in counts.items():
            self._stats(f"store/{table}", count, set_value=True)
        self._stats("store/exported", written)
        logger.info("StoreRecords: %d merged records of this crawl written to the feed (%d invalid); store %s "
                    "holds %s", written, invalid, self.store.shown_url,
                    ", ".join(f"{count} {table}" for table, count in counts.items()))

    async def _send(self, signal, **kwargs) -> None:
        if self.crawler is not None:
            await self.crawler.signals.send_catch_log_async(signal=signal, spider=self.crawler.spider, **kwargs)

    def _stats(self, key: str, count: int = 1, set_value: bool = False) -> None:
        if self.crawler is None:
            return
        if set_value:
            self.crawler.stats.set_value(key, count)
        else:
            self.crawler.stats.inc_value(key, count)

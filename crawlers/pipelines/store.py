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
import time
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
        self.completion_pending: set[str] = set()     # API request URLs sent this run, not answered yet
        self.progress_interval = 60.0                  # seconds between progress lines (LOGSTATS_INTERVAL)
        self._progress_at = time.monotonic()
        self._written_at_progress = 0

    @classmethod
    def from_crawler(cls, crawler) -> StoreRecords:
        pipeline = cls(store_url(crawler.settings), crawler.settings.get("JOBDIR"),
                       ValidateRecords.from_crawler(crawler))
        pipeline.crawler = crawler
        pipeline.progress_interval = crawler.settings.getfloat("LOGSTATS_INTERVAL", 60.0)
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
            self._log_progress()
        return item

    def _log_progress(self) -> None:
        """Every LOGSTATS_INTERVAL seconds (as Scrapy's LogStats): pages, records stored, papers merged, the
        rate. Scrapy's own line counts records received as "scraped items"; this one says what the store has."""
        if self.crawler is None or self.progress_interval <= 0:
            return
        now = time.monotonic()
        if now - self._progress_at < self.progress_interval:
            return
        stats = self.crawler.stats
        written = stats.get_value("store/records_written", 0)
        rate = (written - self._written_at_progress) * 60 / (now - self._progress_at)
        self._progress_at, self._written_at_progress = now, written
        counts = self.store.counts()
        logger.info("progress: %d pages fetched, %d records stored (%d/min), the store holds %d merged papers "
                    "and %d authors, %d pages failed", stats.get_value("response_received_count", 0), written, rate,
                    counts["papers"], counts["authors"], stats.get_value("pages/failed", 0))

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
        if result.request_url in self.completion_pending:
            self.completion_pending.discard(result.request_url)
            if not self.completion_pending:
                stats = self.crawler.stats if self.crawler is not None else None
                get = (lambda key: stats.get_value(key, 0)) if stats is not None else (lambda key: 0)
                logger.info("arXiv completion done: %d API requests answered; %d papers completed, %d not",
                            get("arxiv/api_requests"), get("arxiv/papers_completed"),
                            get("arxiv/papers_not_completed"))

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
        self.completion_pending = {request.url for request in requests}
        logger.info("arXiv completion: %d API requests for %d papers with a cut author list or a partial date",
                    len(requests), sum(len(r.meta.get("arxiv_lookup", {}).get("wanted", ())) for r in requests))
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

"""StoreRecords: every record is written to the store (crawlers/store/) as its page is parsed, and merged there;
the crawl's output file is the store's export, written when the crawl closes.

* Each parsed record (JSON form, from NormaliseRecords) is one source row; its paper or author row is merged at
  once. Scrapy hands a response's items to the pipelines one after another, in one turn of the reactor: what a
  turn delivered (a page's records) is written at the end of it in one transaction (``flush``, scheduled with
  Scrapy's CallLaterOnce), so a record waits in memory no longer than it would inside the spider's callback.
  The write runs in the store's writer process (crawlers/store/writer.py; STORE_WRITER_PROCESS) while the next
  pages are parsed; the crawl waits for its answers before it reads the store (``spider_idle``, the export) and
  when a distributed worker is about to ack (``flush_records``).
  Nothing else is held: a crawl killed at any point (even SIGKILL) has in the store every record of every page
  it finished reading (its writer process, left alone, writes what it was sent and stops; killed with it, as
  ``kill -9`` of the process group does, the pages sent and not yet answered are lost, 8 at most): the store is
  the journal. Run again with the same store (and JOBDIR, for Scrapy's queue)
  and it goes on; merging a page's record twice changes nothing.
* The record goes on down the pipeline (Scrapy counts it as scraped, the summary counts its fields for its
  site), but the feed takes only MergedRecord items (crawlers.outputs.MergedOnly, every feed's item_filter).
* When the crawl first runs dry (``spider_idle``) the spider is asked for arXiv completion requests for the
  stored papers that still want it (``spider.completion_requests(papers, asked, answered)``, see
  crawlers/completion.py); the requests asked and the answers are in the store too (``lookups``), so a rerun
  asks arXiv only for what is still missing. An answer (CompletionResult) is written in one transaction.
* The database lost mid-crawl (a write or read raises): the writes it does not take go, in order, to a spool
  beside the output file (``<output>.spool.jsonl``, crawlers/store/spool.py), and so does every write after
  them; the store is retried with backoff (1 s, doubled, STORE_RETRY_MAX_DELAY at most) and, once back, is given
  the spool. A crawl run dry with the database away waits for it (STORE_WAIT_AT_END seconds at most), and if it
  is still away at the close, exports nothing, names the spool and its records (log, summary, stats) and exits
  1; the next crawl writing to that output writes the spool first. A worker of a distributed crawl stops instead
  (``crawlers.signals.store_lost``): its requests go back to the shared queue.
* A write the database refuses (a constraint, a value it cannot take) is not a lost database: the page's records
  are written again one by one, and the one refused is named (error line, the summary's invalid records).
* On close (run dry, CLOSESPIDER_*, Ctrl-C) the store's merged records of this crawl are checked by
  ValidateRecords and sent to the feed exporter with ``item_scraped`` (Scrapy's pipelines close before the
  feed exporter closes its files on ``spider_closed``); an invalid one goes to the errors file. The store's
  URL and row counts go to the stats (``store/...``), which the summary names.
"""

from __future__ import annotations

import inspect
import logging
import time
from pathlib import Path
from typing import Any

from pydispatch import dispatcher
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DropItem
from scrapy.utils.reactor import CallLaterOnce
from sqlalchemy.exc import SQLAlchemyError

from crawlers.completion import CompletionAnswer, CompletionMiss, CompletionResult
from crawlers.outputs import MergedRecord, beside_feed, store_url
from crawlers.pipelines.validate import ValidateRecords
from crawlers.signals import flush_records, store_lost
from crawlers.store import Store
from crawlers.store.spool import Spool
from crawlers.store.store import reason as store_reason
from crawlers.store.writer import Applied, Done, Lost, WriterProcess, apply_write
from parsers.records import RECORD_TYPES, to_dict

logger = logging.getLogger(__name__)
SPOOL_SUFFIX = ".spool.jsonl"      # beside the output file: records.jsonl.spool.jsonl
SPOOL_NAME = "store.spool.jsonl"   # in the JOBDIR (or the working directory) of a crawl without an output file
RETRY_FIRST_DELAY = 1.0            # seconds before the first retry; doubled each time, up to STORE_RETRY_MAX_DELAY


def completion_write(result: CompletionResult) -> dict:
    """One API answer as one write (JSON, so it can be spooled)."""
    return {"op": "completion", "url": result.request_url,
            "answers": [{"record": to_dict(entry.record), "key": entry.key} for entry in result.items
                        if isinstance(entry, CompletionAnswer)],
            "misses": [{"key": entry.key, "problem": entry.problem} for entry in result.items
                       if isinstance(entry, CompletionMiss)]}


class StoreRecords:
    def __init__(self, url: str, jobdir: str | None = None, validate: ValidateRecords | None = None,
                 spool: str | Path | None = None, retry_max_delay: float = 60.0,
                 wait_at_end: float = 300.0, writer_process: bool = False) -> None:
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
        # The page's records wait here for the end of the reactor turn that delivered them: one transaction.
        self.pending: list[dict] = []
        self._flush_later: CallLaterOnce | None = None
        # Writes the database did not take (it went away): on disk, retried with backoff.
        self.spool = Spool(Path(spool) if spool else Path(jobdir or ".") / SPOOL_NAME)
        self.retry_max_delay = retry_max_delay         # seconds between retries, at most (STORE_RETRY_MAX_DELAY)
        self.wait_at_end = wait_at_end                  # seconds a crawl run dry waits for it (STORE_WAIT_AT_END)
        self._retry_delay = RETRY_FIRST_DELAY
        self._retry_later: CallLaterOnce | None = None
        self._lost_since: float | None = None
        # Writes applied in a process of their own (STORE_WRITER_PROCESS), or here when None.
        self.writer_process = writer_process
        self.writer: WriterProcess | None = None

    @classmethod
    def from_crawler(cls, crawler) -> StoreRecords:
        settings = crawler.settings
        pipeline = cls(store_url(settings), settings.get("JOBDIR"), ValidateRecords.from_crawler(crawler),
                       spool=beside_feed(settings, SPOOL_SUFFIX),
                       retry_max_delay=settings.getfloat("STORE_RETRY_MAX_DELAY", 60.0),
                       wait_at_end=settings.getfloat("STORE_WAIT_AT_END", 300.0),
                       writer_process=settings.getbool("STORE_WRITER_PROCESS", True))
        pipeline.crawler = crawler
        pipeline.progress_interval = settings.getfloat("LOGSTATS_INTERVAL", 60.0)
        pipeline._flush_later = CallLaterOnce(pipeline.flush)
        pipeline._retry_later = CallLaterOnce(pipeline.retry)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(pipeline.flush_and_wait, signal=flush_records)
        return pipeline

    def open_spider(self, spider=None) -> None:
        self.store = Store.open(self.url)
        self.store.start_crawl(self.jobdir)
        self.validate.open_spider(spider)
        logger.info("StoreRecords: writing to %s (crawl %d)", self.store.shown_url, self.store.crawl_id)
        if self.spool:                 # an earlier crawl ended with the database away: its writes first
            logger.info("StoreRecords: writing the %d records an earlier crawl left in %s", self.spool.records,
                        self.spool.path)
            self.retry()
        if self.writer_process and not self.spool and self._lost_since is None:
            try:
                self.writer = WriterProcess(self.url, self.store.crawl_id)
            except (OSError, ValueError) as exc:        # no interpreter to start, no fd passing on this system
                logger.warning("StoreRecords: no writer process (%s): the store is written in the crawl's process",
                               exc)

    def process_item(self, item: Any, spider=None) -> Any:
        if isinstance(item, CompletionResult):
            self.flush()
            self.write(completion_write(item))
            self._completion_answered(item)
            return item
        if isinstance(item, MergedRecord):
            return item
        if isinstance(item, RECORD_TYPES):
            item = to_dict(item)
        if isinstance(item, dict) and item.get("type"):
            self.pending.append(item)
            if self._flush_later is None:     # no crawl (a test, a script): written at once
                self.flush()
            else:
                self._flush_later.schedule()
        return item

    def flush(self) -> None:
        """The records parsed since the last flush (a page's, as Scrapy hands a response's items to the
        pipelines one after another), in one transaction."""
        if self.pending:
            records, self.pending = self.pending, []
            self.write({"op": "records", "records": records})
        if self.writer is not None:
            self._take(self.writer.answers())
        self._log_progress()

    def flush_and_wait(self) -> None:
        """The records held, written, and every write sent to the writer process done (or spooled): what a
        distributed worker needs before it acks requests."""
        self.flush()
        self.wait_for_writes()

    def wait_for_writes(self) -> None:
        if self.writer is not None:
            self._take(self.writer.wait())

    # -- the database lost and back --------------------------------------------------------------

    def write(self, write: dict) -> None:
        """Apply one write to the store (in the writer process, if there is one); if the database is away,
        keep it in the spool (in order)."""
        if self.spool:
            self._keep(write)
        elif self.writer is not None:
            self._take(self.writer.send(write))
        else:
            try:
                applied = apply_write(self.store, write)
            except SQLAlchemyError as exc:      # lost (a record written twice on the replay merges to one)
                self._keep(write)
                self._lost(exc)
                return
            self._written(write, applied)

    def _take(self, answers: list[Done | Lost]) -> None:
        """The writer process's answers: what it wrote (stats, refused records named); lost: what it had not
        written goes to the spool, in order, and the crawl writes in its own process from then on."""
        for answer in answers:
            if isinstance(answer, Done):
                self._written(answer.write, answer.applied)
                continue
            if self.writer is not None:
                self.writer.close()
                self.writer = None
            for write in answer.writes:
                self._keep(write)
            self._lost(answer.exc)

    def _keep(self, write: dict) -> None:
        """Into the spool; a spool that cannot be written either (its disk full, its directory gone) loses the
        write: said in an error line and counted in the stats (store/records_lost), not a traceback
        in the middle of the reactor turn."""
        try:
            self.spool.append(write)
        except OSError as exc:
            lost = len(write.get("records", ())) + len(write.get("answers", ()))
            logger.error("store %s away and its spool %s cannot be written (%s): %d records of this crawl are lost",
                         self.store.shown_url if self.store else self.url, self.spool.path, exc, lost)
            self._stats("store/records_lost", lost)

    def _written(self, write: dict, applied: Applied) -> None:
        self._stats("store/records_written", applied.records)
        if write["op"] == "records":
            self._stats("store/transactions")
        for refused in applied.refused:
            self._refused(refused.item, refused.op, refused.reason)

    def _refused(self, item: dict, op: str, why: str) -> None:
        """The database refused a write (a value it cannot take, a constraint): not a lost database, so not
        spooled (it would be refused again, and hold up every write after it). A page's records were written
        again one by one, so only the record it refused is left out; that one is named (log, summary)."""
        source, lookup = item.get("source"), item.get("lookup")
        where = ((source.get("url") if isinstance(source, dict) else None) or item.get("url")
                 or (lookup.get("url") if isinstance(lookup, dict) else None) or "")
        message = f"{where}: the store refused {item.get('id') or op}: {why}"
        logger.error(message)
        self._stats("store/writes_refused")
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(signal=signals.item_dropped, item=item, response=None,
                                                exception=DropItem(message), spider=self.crawler.spider)

    def _lost(self, exc: SQLAlchemyError) -> None:
        if self._lost_since is None:
            self._lost_since = time.monotonic()
            logger.error("store %s lost: %s; what is parsed meanwhile is kept in %s and written when it is back "
                         "(retried with backoff, every %g s at most)", self.store.shown_url, store_reason(exc),
                         self.spool.path, self.retry_max_delay)
        self._stats("store/lost")
        if self.crawler is not None:        # a distributed crawl's worker stops on it (crawlers.signals)
            self.crawler.signals.send_catch_log(signal=store_lost, exc=exc)
        self._schedule_retry()

    def _schedule_retry(self) -> None:
        if self._retry_later is not None:
            self._retry_later.schedule(self._retry_delay)
            self._retry_delay = min(self._retry_delay * 2, self.retry_max_delay)

    def retry(self) -> bool:
        """Reconnect (once the database was lost) and write the spool, in order; True when the store has it all
        and answers again."""
        if not self.spool and self._lost_since is None:
            return True
        try:
            if self._lost_since is not None:
                self.store.reconnect()
            for number, write in enumerate(self.spool.read()):
                if number >= self.spool.written:
                    self._written(write, apply_write(self.store, write))
                    self.spool.written = number + 1
        except SQLAlchemyError as exc:
            self._lost(exc)
            return False
        logger.info("store %s back: %d records kept in %s meanwhile are written to it", self.store.shown_url,
                    self.spool.records, self.spool.path)
        self._stats("store/records_from_spool", self.spool.records)
        self.spool.clear()
        self._lost_since, self._retry_delay = None, RETRY_FIRST_DELAY
        return True

    def _waiting_for_store(self) -> bool:
        """Run dry with the database away: keep the crawl open while it may come back (a retry is due)."""
        if self._lost_since is None and not self.spool:
            return False
        if time.monotonic() - (self._lost_since or time.monotonic()) >= self.wait_at_end:
            return False
        self._schedule_retry()
        return True

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
        if self._lost_since is None:
            try:
                counts = self.store.counts()
                held = (f"the store holds {counts['papers']} merged papers and {counts['authors']} authors")
            except SQLAlchemyError as exc:
                self._lost(exc)
        if self._lost_since is not None:
            held = f"the store is away: {self.spool.records} records wait in {self.spool.path}"
        logger.info("progress: %d pages fetched, %d records stored (%d/min), %s, %d pages failed",
                    stats.get_value("response_received_count", 0), written, rate, held,
                    stats.get_value("pages/failed", 0))

    def _completion_answered(self, result: CompletionResult) -> None:
        for entry in result.items:
            if isinstance(entry, CompletionAnswer) and entry.fills:
                self._stats("arxiv/papers_completed")
            elif isinstance(entry, CompletionMiss):
                self._stats("arxiv/papers_not_completed")
        if result.request_url in self.completion_pending:
            self.completion_pending.discard(result.request_url)
            if not self.completion_pending:
                stats = self.crawler.stats if self.crawler is not None else None
                get = (lambda key: stats.get_value(key, 0)) if stats is not None else (lambda key: 0)
                logger.info("arXiv completion done: %d API requests answered; %d papers completed, %d not",
                            get("arxiv/api_requests"), get("arxiv/papers_completed"),
                            get("arxiv/papers_not_completed"))

    def spider_idle(self, spider=None) -> None:
        """The first time the crawl runs dry: ask the spider for arXiv completion requests, once (with the
        database away, the crawl waits for it first, STORE_WAIT_AT_END at most)."""
        self.flush_and_wait()         # the store is read below: every write done first
        if self._waiting_for_store():
            raise DontCloseSpider
        if self.completion_asked:
            return
        ask = getattr(spider or self.crawler.spider, "completion_requests", None)
        off = self.crawler is not None and not self.crawler.settings.getbool("ARXIV_COMPLETION", True)
        if ask is None or off:
            self.completion_asked = True      # off: the store is not read for papers to complete
            return
        try:
            asked, answered = self.store.lookups()
            requests = list(ask(self.store.wanting_completion(), asked, answered))
        except SQLAlchemyError as exc:
            self._lost(exc)
            if self._waiting_for_store():
                raise DontCloseSpider from None
            return
        self.completion_asked = True
        if not requests:
            return
        for request in requests:            # stored before sent: a rerun knows what was asked
            lookup = request.meta.get("arxiv_lookup")
            if lookup:
                self.write({"op": "asked", "lookup": lookup})
        self.wait_for_writes()
        self.completion_pending = {request.url for request in requests}
        logger.info("arXiv completion: %d API requests for %d papers with a cut author list or a partial date",
                    len(requests), sum(len(r.meta.get("arxiv_lookup", {}).get("wanted", ())) for r in requests))
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    async def close_spider(self, spider=None) -> None:
        """The merged records of this crawl, checked, to the feed; then the store is closed. With the database
        still away, nothing is exported: the spool is named (the next crawl writes it first)."""
        if self.store is None:
            return
        for later in (self._flush_later, self._retry_later):
            if later is not None:
                later.cancel()
        # Closing: a store lost from here on is retried once below, not on a timer that would outlive the crawl.
        self._flush_later = self._retry_later = None
        self.flush()
        if self.writer is not None:
            writer = self.writer
            self._take(writer.close())
            self.writer = None
            if writer.peak_rss_mb is not None:
                self._stats("store/writer_peak_rss_mb", round(writer.peak_rss_mb, 1), set_value=True)
        self._stats("store/url", self.store.shown_url, set_value=True)
        try:
            if not self.retry():
                self._left_in_spool()
                return
            written, invalid, counts = await self._export()
        except SQLAlchemyError as exc:
            logger.error("store %s lost while its records were exported: %s; the output file holds only part of "
                         "them (python -m crawlers.export writes them all once it is back)", self.store.shown_url,
                         store_reason(exc))
            self._stats("store/export_failed", store_reason(exc), set_value=True)
            self._stats("store/away_at_end", True, set_value=True)
            return
        finally:
            self.store.close()
        for table, count in counts.items():
            self._stats(f"store/{table}", count, set_value=True)
        self._stats("store/exported", written)
        logger.info("StoreRecords: %d merged records of this crawl written to the feed (%d invalid); store %s "
                    "holds %s", written, invalid, self.store.shown_url,
                    ", ".join(f"{count} {table}" for table, count in counts.items()))

    async def _export(self) -> tuple[int, int, dict[str, int]]:
        written = invalid = 0
        plain = self._plain_receivers(signals.item_scraped)
        for record in self.store.merged(crawl_id=self.store.crawl_id):
            try:
                output = MergedRecord(self.validate.process_item(record))
            except DropItem as exc:
                invalid += 1
                await self._send(signals.item_dropped, item=record, response=None, exception=exc)
                continue
            if plain:
                self.crawler.signals.send_catch_log(signal=signals.item_scraped, item=output, response=None,
                                                    spider=self.crawler.spider)
            else:
                await self._send(signals.item_scraped, item=output, response=None)
            written += 1
        self.store.finish_crawl()
        return written, invalid, self.store.counts()

    def _left_in_spool(self) -> None:
        """The database still away when the crawl closes: say where what it did not take is, and that the
        output file is not written (it is the store's export)."""
        self._stats("store/away_at_end", True, set_value=True)
        if self.spool:
            self._stats("store/spool", str(self.spool.path), set_value=True)
            self._stats("store/spooled_records", self.spool.records, set_value=True)
            logger.error("store %s still away at the end of the crawl: %d records parsed are kept in %s, not in "
                         "the store, and no output file is written; run the same crawl again once it is back (the "
                         "spool is written first)", self.store.shown_url, self.spool.records, self.spool.path)
        else:
            logger.error("store %s still away at the end of the crawl: every record parsed is in it, but no output "
                         "file is written; python -m crawlers.export writes it once the store is back",
                         self.store.shown_url)

    def _plain_receivers(self, signal) -> bool:
        """Every receiver of the signal is a plain function (the feed exporter, the stats, the summary): it is
        sent without a coroutine per record (a third of the export's time); an ``async def`` receiver (a
        user's extension) gets the awaited send."""
        if self.crawler is None:
            return False
        receivers = dispatcher.liveReceivers(dispatcher.getAllReceivers(self.crawler.signals.sender, signal))
        return not any(inspect.iscoroutinefunction(receiver) for receiver in receivers)

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

"""ReliableScheduler: scrapy-redis's scheduler (shared queue, shared duplicate filter) on the reliable queue.

What it adds to ``scrapy_redis.scheduler.Scheduler``:

* Requests popped stay in this worker's in-flight set in Redis until Scrapy is done with them (downloaded,
  callback run, follow-ups scheduled, records through the pipelines); a worker killed meanwhile loses none
  (crawlers/distributed/queue.py). Scrapy has no "request handled" signal: a request is handled once the
  engine drops it from its in-progress set, which this scheduler checks on every call and every tick.
* The crawl ends for a worker only when it ends for all: while any request is queued or in flight on any
  worker, ``has_pending_requests`` stays true, so the worker does not go idle (and the merge does not flush)
  because the queue is empty for a moment. A tick every REDIS_POLL_INTERVAL requeues the requests of
  workers whose heartbeat expired (REDIS_WORKER_TIMEOUT), acks, and wakes the engine (its own wake-up is
  every 5 s). The heartbeat itself beats in a thread of its own: a worker busy for a while (a long merge, a
  loaded machine) is not taken for dead; a killed one stops beating at once.
* Requests answered into this worker's memory stay local: the merge's flush (``merge_flush``) and the arXiv
  completion requests (``arxiv_completion``), whose answers complete the papers this worker holds.
* The queue and the duplicate filter outlive every worker (scrapy-redis's SCHEDULER_PERSIST is ignored: one
  worker ending must not wipe the others' queue); ``python -m crawlers.enqueue --reset`` starts afresh.
* Redis unreachable mid-crawl: one error line, the worker stops (close reason ``redis_unavailable``) and
  writes what it has; its in-flight requests stay in Redis and are crawled again once a worker runs.
* The store cannot be written (PostgreSQL lost, its disk full: not a record it refused): one error line, the
  worker acks nothing more and stops (close reason ``store_unavailable``); every request it holds, the one
  whose records were not stored among them, goes back to the queue for the other workers, or for this one
  run again once the store is back.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading

from scrapy import Request
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawlers.distributed import REDIS_DOWN, worker_name
from crawlers.distributed.queue import CrawlKeys, ReliableQueue
from crawlers.signals import flush_records, store_lost
from crawlers.store.store import connection_lost, reason

logger = logging.getLogger(__name__)

LOCAL_META = ("merge_flush", "arxiv_completion")
CLOSE_REASON = "redis_unavailable"
STORE_CLOSE_REASON = "store_unavailable"
FAILED = object()                 # what a Redis call gives when Redis cannot be reached


class ReliableScheduler(Scheduler):
    def __init__(self, server, crawler=None, worker: str | None = None, worker_timeout: float = 30.0,
                 poll_interval: float = 0.5, redis_url: str = "", **kwargs) -> None:
        super().__init__(server, persist=True, **kwargs)
        self.crawler = crawler
        self.worker = worker or worker_name()
        self.timeout_ms = max(1, int(worker_timeout * 1000))
        self.poll_interval = poll_interval
        self.redis_url = redis_url
        self.in_flight: dict[Request, bytes] = {}       # popped here, not yet acked
        self.local: list = []                           # heap of (-priority, order, request)
        self._order = itertools.count()
        self._ticker = None
        self._stopping = threading.Event()              # tells the heartbeat thread to end
        self.unavailable = False
        self.store_failed = False                       # a record could not be stored: ack nothing more

    @classmethod
    def from_crawler(cls, crawler) -> ReliableScheduler:
        settings = crawler.settings
        server = connection.from_settings(settings)
        serializer = settings.get("SCHEDULER_SERIALIZER")
        if isinstance(serializer, str):
            import importlib
            serializer = importlib.import_module(serializer)
        scheduler = cls(server, crawler, worker=worker_name(settings),
                        worker_timeout=settings.getfloat("REDIS_WORKER_TIMEOUT", 30.0),
                        poll_interval=settings.getfloat("REDIS_POLL_INTERVAL", 0.5),
                        redis_url=settings.get("REDIS_URL", ""), serializer=serializer)
        scheduler.stats = crawler.stats
        crawler.signals.connect(scheduler.stop_on_store_lost, signal=store_lost)
        return scheduler

    # -- lifecycle ------------------------------------------------------------------------------

    def open(self, spider) -> None:
        self.spider = spider
        self.keys = CrawlKeys(spider.name)
        self.queue = ReliableQueue(self.server, spider, self.keys, self.worker, self.serializer)
        self.df = RFPDupeFilter(self.server, self.keys.dupefilter, spider.settings.getbool("DUPEFILTER_DEBUG"))
        # A worker of the same name that stopped (killed, or Redis gone) left its requests in flight: this
        # one holds nothing yet, so they go back to the queue.
        left = self._redis(self.queue.leave)
        if left is FAILED or self._redis(self.queue.beat, self.timeout_ms) is FAILED:
            return
        if left:
            logger.info("Redis scheduling: %d requests left in flight by an earlier run of worker %s went back "
                        "to the queue", left, self.worker)
        queued = self._redis(len, self.queue)
        logger.info("Redis scheduling at %s as worker %s: %s requests queued", self.redis_url, self.worker,
                    "?" if queued is FAILED else queued)
        self._ticker = task.LoopingCall(self.tick)
        self._ticker.start(self.poll_interval, now=False)
        threading.Thread(target=self._beat, name=f"redis-heartbeat-{self.worker}", daemon=True).start()

    def _beat(self) -> None:
        """Heartbeat thread: refresh this worker's key four times per timeout while the worker runs. A failure
        here is left to the reactor's next Redis call to notice and stop the worker."""
        interval = self.timeout_ms / 4000
        while not self._stopping.wait(interval) and not self.unavailable:
            try:
                self.queue.beat(self.timeout_ms)
            except REDIS_DOWN:
                pass

    def close(self, reason: str) -> None:
        self._stopping.set()
        if self._ticker is not None and self._ticker.running:
            self._ticker.stop()
        if self.unavailable:
            return
        if reason == "finished":
            self.sweep()
        moved = self._redis(self.queue.leave)
        if moved and moved is not FAILED:
            logger.info("Redis scheduling: %d requests this worker held went back to the queue", moved)

    def tick(self) -> None:
        """Recovery of dead workers' requests, acks, and a wake-up for the engine."""
        if self.unavailable:
            return
        recovered = self._redis(self.queue.recover)
        if recovered and recovered is not FAILED:
            logger.warning("Redis scheduling: %d requests of a worker that stopped answering went back to "
                           "the queue", recovered)
            self.stats.inc_value("redis/recovered", recovered)
        self.sweep()
        slot = getattr(self.crawler.engine, "_slot", None) if self.crawler is not None else None
        if slot is not None:
            slot.nextcall.schedule()

    # -- scheduling -----------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        if any(request.meta.get(key) for key in LOCAL_META):
            heapq.heappush(self.local, (-request.priority, next(self._order), request))
            return True
        if self.unavailable:
            return False
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        queued = self._redis(self.queue.push, request, fingerprint)    # filter and queue: one step
        if queued is FAILED:
            return False
        if not queued:
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return heapq.heappop(self.local)[2]
        if self.unavailable:
            return None
        self.sweep()
        popped = self._redis(self.queue.pop_in_flight)
        if popped is None or popped is FAILED:
            return None
        request, data = popped
        self.in_flight[request] = data
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if self.local:
            return True
        if self.unavailable:
            return False
        self.sweep()
        done = self._redis(self.queue.done)
        return done is not FAILED and not done

    def __len__(self) -> int:
        queued = self._redis(len, self.queue)
        return len(self.local) + (0 if queued is FAILED else queued)

    def sweep(self) -> None:
        """Ack the requests the engine is done with."""
        if not self.in_flight or self.unavailable or self.store_failed:
            return
        if self.crawler is not None:        # the records of the pages about to be acked go to the store first
            self.crawler.signals.send_catch_log(signal=flush_records)
            if self.store_failed:           # that write found the store lost: nothing is acked
                return
        slot = getattr(self.crawler.engine, "_slot", None) if self.crawler is not None else None
        in_progress = slot.inprogress if slot is not None else set()
        for request in [r for r in self.in_flight if r not in in_progress]:
            if self._redis(self.queue.ack, self.in_flight[request]) is FAILED:
                return
            del self.in_flight[request]

    # -- Redis going away -----------------------------------------------------------------------

    def _redis(self, call, *args):
        """``call(*args)``; FAILED (and the worker stopping) when Redis cannot be reached."""
        if self.unavailable:
            return FAILED
        try:
            return call(*args)
        except REDIS_DOWN as exc:
            self._stop(exc)
            return FAILED

    def stop_on_store_lost(self, exc: BaseException) -> None:
        """The store stopped taking a page's records: that page must not be acked (its records would be only
        in this worker's spool), so this worker acks nothing more and stops; what it holds goes back to the
        queue when it closes."""
        if self.store_failed or not connection_lost(exc):
            return
        self.store_failed = True
        logger.error("error: the store cannot be written (%s): this worker stops; the %d requests it holds go "
                     "back to the queue in Redis: run it again once the store is back",
                     reason(exc)[:300], len(self.in_flight))
        if self.stats is not None:       # the database's own words (str() of SQLAlchemy's error adds the SQL)
            self.stats.set_value("store/unavailable", reason(exc)[:300])
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=STORE_CLOSE_REASON))

    def _stop(self, exc: Exception) -> None:
        self.unavailable = True
        logger.error("error: Redis at %s cannot be reached (%s): this worker stops and writes what it has; "
                     "its requests in flight stay queued in Redis: run it again when Redis is back",
                     self.redis_url, exc)
        if self.stats is not None:
            self.stats.set_value("redis/unavailable", str(exc))
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))

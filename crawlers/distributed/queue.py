"""The shared request queue with in-flight requests kept in Redis (the "reliable queue" pattern).

scrapy-redis's PriorityQueue pops a request by removing it from the queue: a worker killed before it has
handled the request loses it. Here a pop *moves* the request, in one Lua script, from the queue to the
worker's own in-flight set (``<spider>:processing:<worker>``); it leaves that set (``ack``) only once the
worker has handled it (its follow-up requests pushed, its records through the pipelines). Each worker
refreshes a heartbeat key (``<spider>:alive:<worker>``, expiring after the worker timeout); any worker that
finds a registered worker's heartbeat gone moves that worker's in-flight requests back to the queue
(``recover``). A request is thus handled at least once, and lost never.

The crawl is over (``done``) when, in one atomic look, something was ever queued (``<spider>:seeded``: a
worker started before the start URLs are enqueued waits for them), the queue is empty and no registered
worker holds a request in flight: a request's follow-ups are pushed before it is acked, so nothing can come
after.

The scripts read keys derived from the worker names (allowed on a single Redis server, not on Redis Cluster).
"""

from __future__ import annotations

import logging

from scrapy_redis.queue import PriorityQueue

logger = logging.getLogger(__name__)

# KEYS: dupefilter, queue, seeded. ARGV: fingerprint ("" for a request not filtered), encoded request, score.
# Checks the duplicate filter and queues in one step: were they two, a worker killed between them would leave
# the fingerprint without the request, and the request would be filtered for good when its parent is
# crawled again. 1 when queued, 0 when a duplicate.
PUSH = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('SET', KEYS[3], '1')
return 1
"""
# KEYS: queue, processing. Moves the best request (lowest score) to processing, keeping its score.
POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
redis.call('ZADD', KEYS[2], found[2], found[1])
return found[1]
"""
# KEYS: queue, workers. ARGV: processing prefix, alive prefix. Requeues the requests of every registered
# worker whose heartbeat expired and unregisters it; returns how many requests went back.
RECOVER = """
local moved = 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[2] .. worker) == 0 then
    local held = redis.call('ZRANGE', ARGV[1] .. worker, 0, -1, 'WITHSCORES')
    for i = 1, #held, 2 do
      redis.call('ZADD', KEYS[1], held[i + 1], held[i])
      moved = moved + 1
    end
    redis.call('DEL', ARGV[1] .. worker)
    redis.call('SREM', KEYS[2], worker)
  end
end
return moved
"""
# KEYS: queue, workers, seeded. ARGV: processing prefix. 1 when requests were queued and none is left,
# queued or in flight anywhere.
DONE = """
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('ZCARD', ARGV[1] .. worker) > 0 then return 0 end
end
return 1
"""
# KEYS: processing, queue. Puts every request of one worker's in-flight set back in the queue.
REQUEUE = """
local held = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #held, 2 do redis.call('ZADD', KEYS[2], held[i + 1], held[i]) end
redis.call('DEL', KEYS[1])
return #held / 2
"""


class CrawlKeys:
    """The Redis keys of one crawl, all under ``<spider>:`` (scrapy-redis's own naming for the first two)."""

    def __init__(self, spider_name: str) -> None:
        self.prefix = f"{spider_name}:"
        self.queue = f"{spider_name}:requests"            # sorted set: encoded request -> -priority
        self.dupefilter = f"{spider_name}:dupefilter"     # set of request fingerprints
        self.workers = f"{spider_name}:workers"           # set of registered worker names
        self.processing_prefix = f"{spider_name}:processing:"
        self.alive_prefix = f"{spider_name}:alive:"
        self.pace_prefix = f"{spider_name}:pace:"         # per host: held while a paced request may not start
        self.claims = f"{spider_name}:completion:claimed"  # paper keys some worker asks arXiv about
        self.lookups = f"{spider_name}:completion:requests"  # hash: arXiv API URL -> the worker sending it
        self.start_hosts = f"{spider_name}:start_hosts"   # hosts of enqueued start URLs (followed by all)
        self.seeded = f"{spider_name}:seeded"             # set with the first request ever queued

    def processing(self, worker: str) -> str:
        return self.processing_prefix + worker

    def alive(self, worker: str) -> str:
        return self.alive_prefix + worker


class ReliableQueue(PriorityQueue):
    """scrapy-redis's priority queue (same encoding, same sorted set) whose pops stay in flight until acked."""

    def __init__(self, server, spider, keys: CrawlKeys, worker: str, serializer=None) -> None:
        super().__init__(server, spider, keys.queue, serializer)
        self.keys = keys
        self.worker = worker
        self.processing = keys.processing(worker)
        self._push = server.register_script(PUSH)
        self._pop = server.register_script(POP)
        self._recover = server.register_script(RECOVER)
        self._done = server.register_script(DONE)
        self._requeue = server.register_script(REQUEUE)

    def push(self, request, fingerprint: str = "") -> bool:
        """Queue ``request`` unless its ``fingerprint`` is in the duplicate filter (added now); no fingerprint:
        queued whatever the filter holds. True when queued."""
        return bool(self._push(keys=[self.keys.dupefilter, self.key, self.keys.seeded],
                               args=[fingerprint, self._encode_request(request), -request.priority]))

    def pop_in_flight(self):
        """The next request and its encoded form (the handle to ``ack`` it with), or None when the queue is
        empty. A request that cannot be decoded any more (its callback renamed) is dropped, and said so."""
        while True:
            data = self._pop(keys=[self.key, self.processing])
            if not data:
                return None
            try:
                return self._decode_request(data), data
            except (ValueError, AttributeError) as exc:
                logger.error("dropping a queued request that cannot be decoded: %s", exc)
                self.ack(data)

    def ack(self, data: bytes) -> None:
        self.server.zrem(self.processing, data)

    def in_flight(self) -> int:
        return self.server.zcard(self.processing)

    def beat(self, timeout_ms: int) -> None:
        """Register this worker and refresh its heartbeat (a worker unregistered as dead registers again)."""
        pipe = self.server.pipeline()
        pipe.sadd(self.keys.workers, self.worker)
        pipe.set(self.keys.alive(self.worker), "1", px=timeout_ms)
        pipe.execute()

    def recover(self) -> int:
        """Requeue the in-flight requests of workers whose heartbeat expired; how many went back."""
        return int(self._recover(keys=[self.key, self.keys.workers],
                                 args=[self.keys.processing_prefix, self.keys.alive_prefix]))

    def done(self) -> bool:
        """No request queued, none in flight on any registered worker."""
        return bool(self._done(keys=[self.key, self.keys.workers, self.keys.seeded],
                               args=[self.keys.processing_prefix]))

    def leave(self) -> int:
        """This worker stops: what it still holds goes back to the queue, and it unregisters."""
        moved = int(self._requeue(keys=[self.processing, self.key]))
        pipe = self.server.pipeline()
        pipe.srem(self.keys.workers, self.worker)
        pipe.delete(self.keys.alive(self.worker))
        pipe.execute()
        return moved

"""One request at a time, and a delay between requests, per paced host across all workers.

DOWNLOAD_SLOTS paces each worker on its own: three workers would each ask arXiv every 3 seconds. With
REDIS_URL set, every host with a delay in DOWNLOAD_SLOTS (export.arxiv.org: 3 s) is also paced through a
Redis key: a request may start only while it holds ``<spider>:pace:<host>`` (SET NX), and when its answer
is in, the key is left to expire ``delay`` later. So over all workers one request is in transit at a time and
the next starts at least ``delay`` after the previous ended. The key also expires on its own
(DOWNLOAD_TIMEOUT + delay) if the worker holding it dies.

The wait happens in the download handler, just before the request goes out: waiting earlier (a downloader
middleware) would let the worker's own slot delay it past its turn.
"""

from __future__ import annotations

import logging
import uuid

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy_redis import connection
from twisted.internet import reactor
from twisted.internet.task import deferLater

logger = logging.getLogger(__name__)

# KEYS: the host's pace key. ARGV: this holder's token, ms. Expire the key ms from now if still ours.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
LONGEST_POLL = 0.5                 # seconds between two tries for a busy host


def paced_hosts(download_slots: dict) -> dict[str, float]:
    """{host: delay in seconds} of every DOWNLOAD_SLOTS entry with a delay."""
    return {host: float(slot["delay"]) for host, slot in download_slots.items() if slot.get("delay")}


class RedisPace:
    """Turns for paced hosts, held in Redis."""

    def __init__(self, server, key_prefix: str, delays: dict[str, float], hold_seconds: float = 30.0) -> None:
        self.server = server
        self.key_prefix = key_prefix
        self.delays = delays
        self.hold_ms = int(hold_seconds * 1000)
        self._release = server.register_script(RELEASE)

    def paces(self, host: str | None) -> bool:
        return host in self.delays

    async def take_turn(self, host: str) -> str:
        """Wait until this worker may send a request to ``host``; returns the token to ``end_turn`` with."""
        token = uuid.uuid4().hex
        key = self.key_prefix + host
        hold = self.hold_ms + int(self.delays[host] * 1000)
        while not self.server.set(key, token, nx=True, px=hold):
            wait_ms = self.server.pttl(key)
            await maybe_deferred_to_future(deferLater(reactor, min(LONGEST_POLL, max(wait_ms, 5) / 1000),
                                                      lambda: None))
        return token

    def end_turn(self, host: str, token: str) -> None:
        """The answer is in: the next request to ``host`` may start ``delay`` from now."""
        self._release(keys=[self.key_prefix + host], args=[token, max(1, int(self.delays[host] * 1000))])


class PacedDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP(S) handler, taking a Redis-held turn for paced hosts (REDIS_URL set: see
    crawlers/distributed/__init__.py)."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.pace = RedisPace(connection.from_settings(settings), f"{crawler.spidercls.name}:pace:",
                              paced_hosts(settings.getdict("DOWNLOAD_SLOTS")),
                              settings.getfloat("DOWNLOAD_TIMEOUT", 180.0))

    async def download_request(self, request: Request) -> Response:
        host = urlparse_cached(request).hostname
        if not self.pace.paces(host):
            return await super().download_request(request)
        token = await self.pace.take_turn(host)
        try:
            return await super().download_request(request)
        finally:
            try:
                self.pace.end_turn(host, token)
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:   # the key expires by itself
                logger.warning("Redis: could not end the turn for %s (%s)", host, exc)

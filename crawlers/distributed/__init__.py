"""Crawls over several processes and machines: scrapy-redis scheduling, switched on by REDIS_URL.

    python -m crawlers.enqueue --redis redis://host:6379/0 --reset https://www.catalyzex.com/author/...
    scrapy crawl author -s REDIS_URL=redis://host:6379/0      # on every machine, as many as you like

``RedisScheduling`` (an entry of ADDONS) does nothing without REDIS_URL. With it, every worker takes its
requests from one Redis queue and checks one duplicate filter there (scrapy-redis, keys ``<spider>:requests``
and ``<spider>:dupefilter``), requests a worker holds stay in Redis until handled (ReliableScheduler: a worker
killed loses nothing), hosts with a DOWNLOAD_SLOTS delay are paced over all workers (PacedDownloadHandler:
arXiv's one request every 3 s is global), and a paper is asked of arXiv by one worker only
(``claim_papers``), as is each API request (``claim_lookups``: with one store shared by the workers, every
worker sees the requests the others asked). Settings: README, "Scaling out".
"""

from __future__ import annotations

import os
import socket

import redis
from scrapy.exceptions import UsageError
from scrapy_redis import connection

from crawlers.distributed.queue import CrawlKeys

SCHEDULER = "crawlers.distributed.scheduler.ReliableScheduler"
DUPEFILTER = "scrapy_redis.dupefilter.RFPDupeFilter"
HANDLER = "crawlers.distributed.pacing.PacedDownloadHandler"
# Short socket timeouts: a Redis call blocks the crawl while it waits (scrapy-redis's default is 30 s).
REDIS_PARAMS = {"socket_timeout": 10, "socket_connect_timeout": 5}
CHECK_TIMEOUT = 5                 # seconds for the reachability check before the crawl
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
# KEYS: the crawl's lookup claims (hash: API URL -> worker). ARGV: alive prefix, this worker, URLs. The URLs this
# worker may send: claimed by no worker, by itself (an earlier run under its name), or by a worker whose
# heartbeat is gone (it stopped before the answer came; its request is sent again, by one worker).
CLAIM_LOOKUPS = """
local mine = {}
for i = 3, #ARGV do
  local holder = redis.call('HGET', KEYS[1], ARGV[i])
  if (not holder) or holder == ARGV[2] or redis.call('EXISTS', ARGV[1] .. holder) == 0 then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[2])
    mine[#mine + 1] = ARGV[i]
  end
end
return mine
"""


def enabled(settings) -> bool:
    return bool(settings.get("REDIS_URL"))


class RedisScheduling:
    """Scrapy add-on: with REDIS_URL set, the scheduler, duplicate filter and HTTP handlers above."""

    def update_settings(self, settings) -> None:
        if not enabled(settings):
            return
        settings.set("SCHEDULER", SCHEDULER, priority="addon")
        settings.set("DUPEFILTER_CLASS", DUPEFILTER, priority="addon")
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        settings.set("DOWNLOAD_HANDLERS", {"http": HANDLER, "https": HANDLER, **handlers}, priority="addon")
        settings.set("REDIS_PARAMS", {**REDIS_PARAMS, **settings.getdict("REDIS_PARAMS")}, priority="addon")


def worker_name(settings=None) -> str:
    """This worker's name in Redis: REDIS_WORKER, else ``<hostname>-<pid>``."""
    named = settings.get("REDIS_WORKER") if settings is not None else None
    return named or f"{socket.gethostname()}-{os.getpid()}"


def connect(settings) -> redis.Redis:
    return connection.from_settings(settings)


def check_redis(settings) -> None:
    """-s REDIS_URL=...: a Redis server that answers; UsageError naming the URL otherwise."""
    url = settings.get("REDIS_URL")
    if not url:
        return
    try:
        client = redis.Redis.from_url(url, socket_timeout=CHECK_TIMEOUT, socket_connect_timeout=CHECK_TIMEOUT)
        client.ping()
    except ValueError as exc:
        raise UsageError(f"-s REDIS_URL={url}: not a Redis URL ({exc}); expected e.g. "
                         "redis://127.0.0.1:6379/0") from None
    except redis.exceptions.RedisError as exc:
        raise UsageError(f"-s REDIS_URL={url}: Redis cannot be reached ({exc}); start it, or drop "
                         "REDIS_URL to crawl in this process alone") from None


def start_hosts(client: redis.Redis, spider_name: str) -> set[str]:
    """Hosts of the start URLs enqueued for this crawl: every worker follows their links."""
    return {host.decode() if isinstance(host, bytes) else host
            for host in client.smembers(CrawlKeys(spider_name).start_hosts)}


def add_start_hosts(client: redis.Redis, spider_name: str, hosts: set[str]) -> None:
    if hosts:
        client.sadd(CrawlKeys(spider_name).start_hosts, *sorted(hosts))


def claim_papers(settings, spider_name: str, papers: list[dict], keys_of) -> list[dict]:
    """The papers no other worker claimed for arXiv completion, claimed now for this one: a paper is claimed
    when all its keys (``keys_of(paper)``) are new to the crawl's claim set, so two workers holding the
    same paper (under any of its keys) do not both ask arXiv for it."""
    client = connect(settings)
    claims = CrawlKeys(spider_name).claims
    mine = []
    for paper in papers:
        keys = sorted(keys_of(paper))
        if keys and client.sadd(claims, *keys) == len(keys):
            mine.append(paper)
    return mine


def claim_lookups(settings, spider_name: str, urls: list[str]) -> set[str]:
    """The arXiv API requests (by URL) this worker sends: those no live worker has claimed, claimed now. With
    one store shared by the workers, each sees the requests the others asked and have not had answered yet
    (crawlers/completion.py sends those again): without the claim, every worker would send them."""
    if not urls:
        return set()
    keys = CrawlKeys(spider_name)
    claimed = connect(settings).eval(CLAIM_LOOKUPS, 1, keys.lookups, keys.alive_prefix, worker_name(settings),
                                     *urls)
    return {url.decode() if isinstance(url, bytes) else url for url in claimed}

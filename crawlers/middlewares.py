"""Downloader middlewares for what Scrapy has no hook for: offline replay, Retry-After with backoff,
the allowed-host policy (site hosts only, no private addresses) and a page limit that lets the crawl
end normally (so merged records are still written, unlike CLOSESPIDER_PAGECOUNT which closes the spider).

Each takes plain values in ``__init__`` and reads settings in ``from_crawler``.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor
from twisted.internet.task import deferLater
from w3lib.url import canonicalize_url

from crawlers import distributed
from crawlers.signals import page_failed

logger = logging.getLogger(__name__)

CONTENT_TYPES = {"html": b"text/html; charset=utf-8", "text": b"text/plain; charset=utf-8"}
LOCAL_HOSTNAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def _is_web(request: Request) -> bool:
    return request.url.startswith(("http://", "https://"))


def _is_robots(request: Request) -> bool:
    return urlsplit(request.url).path == "/robots.txt"


# -- offline replay -------------------------------------------------------------------------------


class ReplayMiddleware:
    """Answers every web request from saved pages listed in a manifest: ``[{"url", "file", "capture"}]``
    with ``file`` relative to the manifest's folder and ``capture`` "html" or "text" (the content type).
    Rows may carry ``"variant"`` (default "html"; only rows of the chosen variant are served),
    ``"captured"`` (the day the page was saved: the reference day for yearless dates), ``"status"`` and
    ``"start"`` (a start page when the crawl is given no URL).

    A URL not in the manifest gets a 404 (stat ``replay/missing``, one log line naming it); robots.txt
    gets a 404 (everything allowed) unless the manifest has one. Responses then go through the same
    middlewares, callbacks and pipelines as live ones.
    """

    def __init__(self, replay_dir: str | Path, manifest: str = "pages.json", variant: str = "html",
                 stats=None, delay: float = 0.0):
        self.replay_dir = Path(replay_dir)
        self.delay = delay
        self.stats = stats
        rows = json.loads((self.replay_dir / manifest).read_text(encoding="utf-8"))
        self.pages = {
            canonicalize_url(row["url"]): row for row in rows if row.get("variant", "html") == variant
        }

    @classmethod
    def from_crawler(cls, crawler) -> ReplayMiddleware:
        replay_dir = crawler.settings.get("REPLAY_DIR")
        if not replay_dir:
            raise NotConfigured
        return cls(replay_dir, crawler.settings.get("REPLAY_MANIFEST", "pages.json"),
                   crawler.settings.get("REPLAY_VARIANT", "html"), crawler.stats,
                   crawler.settings.getfloat("REPLAY_DELAY", 0.0))

    def process_request(self, request: Request, spider: Spider | None = None):
        if not _is_web(request):
            return None                      # data: URIs (the merge flush) go to Scrapy's own handler
        if self.delay > 0:                   # simulated latency (a replayed answer skips the download slot)
            return deferLater(reactor, self.delay, self.answer, request)
        return self.answer(request)

    def answer(self, request: Request) -> Response:
        row = self.pages.get(canonicalize_url(request.url))
        if row is None:
            return self._not_found(request)
        self._inc("replay/served")
        if row.get("captured"):
            request.meta["captured_on"] = row["captured"]   # dates without a year resolve against it
        body = (self.replay_dir / row["file"]).read_bytes()
        status = int(row.get("status", 200))
        capture = row.get("capture", "html")
        cls = HtmlResponse if capture == "html" else TextResponse
        return cls(url=request.url, status=status, body=body, request=request, flags=["replay"],
                   headers={"Content-Type": CONTENT_TYPES.get(capture, CONTENT_TYPES["text"])})

    def _not_found(self, request: Request) -> Response:
        if _is_robots(request):
            return Response(url=request.url, status=404, body=b"", request=request, flags=["replay"])
        self._inc("replay/missing")
        logger.warning("replay: no saved page for %s (answered 404)", request.url)
        return Response(url=request.url, status=404, body=b"", request=request,
                        flags=["replay", "replay-missing"])

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)


# -- retries --------------------------------------------------------------------------------------


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware (same codes and exceptions; Scrapy 2.19 retries at once and ignores
    Retry-After) with a wait before each retry: the server's Retry-After on 429/503 when it gives one,
    else exponential backoff (base, 2 x base, 4 x base ... capped). A Retry-After longer than
    RETRY_AFTER_MAX gives up on that page rather than stall the crawl (stat ``retry/retry_after_too_long``).
    """

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 300.0)

    def backoff_delay(self, retry_times: int) -> float:
        """Wait before retry number ``retry_times`` (1 for the first retry)."""
        return min(self.backoff_max, self.backoff_base * 2 ** max(0, retry_times - 1))

    async def process_response(self, request: Request, response: Response, spider: Spider | None = None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is not None and wait > self.retry_after_max:
            self.crawler.stats.inc_value("retry/retry_after_too_long")
            logger.warning("giving up on %s: Retry-After %.0f s is longer than RETRY_AFTER_MAX (%.0f s)",
                           request.url, wait, self.retry_after_max)
            return response
        retry = self._retry(request, f"{response.status} response")
        if retry is None:
            return response
        return await self._later(retry, wait)

    async def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None):
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        return None if retry is None else await self._later(retry, None)

    async def _later(self, retry: Request, wait: float | None) -> Request:
        """The retry request, after waiting (without blocking the crawl) as the server asked or backoff says."""
        delay = self.backoff_delay(retry.meta["retry_times"]) if wait is None else wait
        if delay > 0:
            self.crawler.stats.inc_value("retry/wait_seconds", int(round(delay)))
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return retry


# -- host policy ----------------------------------------------------------------------------------


def is_private_host(host: str) -> bool:
    """Loopback, private, link-local or reserved address literals, and localhost names.
    Names are not resolved: a public name pointing at a private address is not caught here."""
    host = host.strip("[]").lower()
    if host in LOCAL_HOSTNAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


class AllowedHostsMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter (hosts from ``spider.allowed_domains`` and their subdomains; stats
    ``offsite/filtered``, ``offsite/domains``) that also refuses loopback and private addresses unless
    ALLOW_PRIVATE_HOSTS (tests). The private check holds even for dont_filter requests (retries, start
    pages); stat ``offsite/private``."""

    def __init__(self, stats, allow_private: bool = False):
        super().__init__(stats)
        self.allow_private = allow_private
        self.redis = None                # a client of the shared queue's Redis, when REDIS_URL is set

    @classmethod
    def from_crawler(cls, crawler) -> AllowedHostsMiddleware:
        o = super().from_crawler(crawler)
        o.allow_private = crawler.settings.getbool("ALLOW_PRIVATE_HOSTS")
        return o

    def request_scheduled(self, request: Request, spider: Spider | None = None) -> None:
        """Scrapy's offsite filter runs here, when a request is scheduled: a request refused now is dropped
        with no errback, so a refused private address is reported to the summary here (an offsite link is
        only counted: it is not a page of the crawl)."""
        reason = self._private(request)
        if reason is not None:
            self.crawler.stats.inc_value("pages/failed")
            self.crawler.signals.send_catch_log(page_failed, url=request.url, reason=f"{request.url}: {reason}")
            raise IgnoreRequest(reason)
        super().request_scheduled(request, spider)

    def should_follow(self, request: Request, spider: Spider) -> bool:
        """On a shared Redis queue, a host not allowed yet may be a start URL's enqueued since this worker
        started (``python -m crawlers.enqueue`` records their hosts): look again before filtering it."""
        if super().should_follow(request, spider):
            return True
        if not distributed.enabled(self.crawler.settings):
            return False
        if self.redis is None:
            self.redis = distributed.connect(self.crawler.settings)
        try:
            new_hosts = distributed.start_hosts(self.redis, spider.name) - set(spider.allowed_domains)
        except distributed.REDIS_DOWN:    # the scheduler stops the worker; the request stays in Redis
            return False
        if not new_hosts:
            return False
        spider.allowed_domains = sorted(set(spider.allowed_domains) | new_hosts)
        self.host_regex = self.get_host_regex(spider)
        return super().should_follow(request, spider)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        reason = self._private(request)        # requests sent without scheduling (robots.txt)
        if reason is not None:
            raise IgnoreRequest(reason)
        return super().process_request(request)

    def _private(self, request: Request) -> str | None:
        """Why the request is refused as a private address (logged, counted), or None."""
        if not _is_web(request) or self.allow_private:
            return None
        host = urlparse_cached(request).hostname or ""
        if not is_private_host(host):
            return None
        self.stats.inc_value("offsite/private")
        logger.warning("not fetching %s: private or loopback address (ALLOW_PRIVATE_HOSTS is off)", request.url)
        return f"not fetched: {host} is a private or loopback address (ALLOW_PRIVATE_HOSTS is off)"


# -- page limit -----------------------------------------------------------------------------------


class PageLimitMiddleware:
    """Fetch at most ``limit`` distinct pages (robots.txt, data: URIs and arXiv completion's API requests
    not counted: a limit on pages must not cancel the completion of what was fetched); further requests
    are dropped (stat ``pagelimit/ignored``) so the crawl runs dry and ends normally."""

    def __init__(self, limit: int, stats=None):
        self.limit = limit
        self.stats = stats
        self.urls: set[str] = set()
        self.warned = False

    @classmethod
    def from_crawler(cls, crawler) -> PageLimitMiddleware:
        limit = crawler.settings.getint("PAGE_LIMIT")
        if limit <= 0:
            raise NotConfigured
        return cls(limit, crawler.stats)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if (not _is_web(request) or _is_robots(request) or request.meta.get("arxiv_completion")
                or request.url in self.urls):
            return
        if len(self.urls) >= self.limit:
            if self.stats is not None:
                self.stats.inc_value("pagelimit/ignored")
            if not self.warned:
                self.warned = True
                logger.warning("PAGE_LIMIT of %d pages reached: not fetching %s and later pages",
                               self.limit, request.url)
            raise IgnoreRequest(f"PAGE_LIMIT {self.limit} reached")
        self.urls.add(request.url)

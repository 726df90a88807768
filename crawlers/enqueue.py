"""Push start URLs to a shared Redis queue for ``scrapy crawl author -s REDIS_URL=...`` workers.

    python -m crawlers.enqueue --redis redis://127.0.0.1:6379/0 https://www.catalyzex.com/author/Parker%20Schuh
    python -m crawlers.enqueue --redis redis://127.0.0.1:6379/0 "name=Sharan Narang"
    python -m crawlers.enqueue --redis redis://127.0.0.1:6379/0 --reset URL...   # forget the previous crawl

The requests are the ones ``scrapy crawl author -a url=... / -a name=...`` starts with, put through the same
duplicate filter the workers use (a URL already crawled or queued is not queued again, unless --reset), and
their hosts are recorded so every worker follows their links. Enqueue before starting the workers: a worker
with nothing queued and nothing in flight anywhere finishes at once.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.utils.project import get_project_settings
from scrapy_redis.dupefilter import RFPDupeFilter

from crawlers import distributed
from crawlers.distributed.queue import CrawlKeys, ReliableQueue
from crawlers.spiders.author import AuthorSpider


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawlers.enqueue", description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", required=True, metavar="URL", help="the workers' REDIS_URL")
    parser.add_argument("--reset", action="store_true",
                        help="delete this crawl's queue, duplicate filter and worker state first")
    parser.add_argument("start", nargs="+", metavar="URL|name=AUTHOR",
                        help="a profile or listing URL, or name=<author> (the profile URL on every site that has one)")
    return parser.parse_args(argv)


def start_requests(settings, urls: list[str], names: list[str]) -> tuple[AuthorSpider, list]:
    """The spider's own start requests for these URLs and author names."""
    crawler = Crawler(AuthorSpider, settings)
    spiders = [AuthorSpider.from_crawler(crawler, url=",".join(urls))] if urls else []
    spiders += [AuthorSpider.from_crawler(crawler, name=name) for name in names]

    async def collect(spider):
        return [request async for request in spider.start()]

    return spiders[0], [request for spider in spiders for request in asyncio.run(collect(spider))]


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    names = [item.removeprefix("name=") for item in options.start if item.startswith("name=")]
    urls = [item for item in options.start if not item.startswith("name=")]
    settings = get_project_settings()
    settings.set("REDIS_URL", options.redis, priority="cmdline")
    try:
        distributed.check_redis(settings)
        if options.reset:
            client = distributed.connect(settings)
            keys = list(client.scan_iter(match=CrawlKeys(AuthorSpider.name).prefix + "*"))
            if keys:
                client.delete(*keys)
        spider, requests = start_requests(settings, urls, names)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    client = distributed.connect(settings)
    keys = CrawlKeys(spider.name)
    queue = ReliableQueue(client, spider, keys, worker="enqueue")
    dupefilter = RFPDupeFilter(client, keys.dupefilter)
    queued = 0
    for request in requests:
        if not queue.push(request, dupefilter.request_fingerprint(request)):
            print(f"already queued or crawled: {request.url}")
            continue
        queued += 1
        print(f"queued: {request.url}")
    print(f"{queued} start requests queued at {options.redis} ({len(queue)} in the queue)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

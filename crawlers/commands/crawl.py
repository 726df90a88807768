"""``scrapy crawl`` that checks the spider's arguments before crawling, lists them in ``--help``, writes the
default feed, and exits 1 when the crawl read no page.

Scrapy builds the spider inside the running crawl, where an exception is logged as a traceback and the crawl
may even exit 0. A spider class with ``check_arguments(spider_args, settings)`` is asked first; the
UsageError it raises is printed by Scrapy as one ``scrapy crawl: error: ...`` line, exit code 2. The store
(STORE_URL) is opened once too, so a store that cannot be written stops the crawl the same way.

A spider class with ``ARGUMENTS`` ({name: what it is}) has them listed in ``scrapy crawl --help`` and, with
``-a help=1``, printed alone (exit 0).

Without ``-O``/``-o`` (and no FEEDS) the records go to DEFAULT_FEEDS: set here, for ``scrapy crawl`` only, so
``scrapy parse`` or ``scrapy check`` never overwrite the last crawl's output.

Exit codes: 0 the crawl read at least one page; 1 it read none (every page failed or none could be fetched;
the summary names each with its reason); 2 a usage error.

Settings that name a server (REDIS_URL) are checked before the crawl the same way: the server must answer. A
worker stopped because Redis went away mid-crawl exits 1 (it wrote what it had; run it again when Redis is
back); a worker on a shared queue that found nothing left to read exits 0.
"""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyHelpFormatter
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawlers import distributed
from crawlers.distributed.scheduler import CLOSE_REASON as REDIS_UNAVAILABLE
from crawlers.distributed.scheduler import STORE_CLOSE_REASON as STORE_UNAVAILABLE
from crawlers.outputs import store_url
from crawlers.store import Store, StoreError

NOTHING_READ = 1       # exit code: no page could be fetched or read


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, ScrapyHelpFormatter):
    """Scrapy's help layout, with the epilog (the spiders' arguments) kept as written."""


def arguments_help(spider_class) -> str:
    """The spider's -a arguments, one line each."""
    arguments = getattr(spider_class, "ARGUMENTS", {})
    width = max(map(len, arguments), default=0)
    lines = [f"  -a {name}=...{' ' * (width - len(name))}  {text}" for name, text in arguments.items()]
    return f"Arguments of `scrapy crawl {spider_class.name}`:\n" + "\n".join(lines)


class Command(ScrapyCrawlCommand):
    crawler = None

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        try:
            loader = get_spider_loader(self.settings)
            spiders = [loader.load(name) for name in loader.list()]
        except Exception:      # noqa: BLE001 - help must print even if a spider module is broken
            spiders = []
        helps = [arguments_help(cls) for cls in spiders if getattr(cls, "ARGUMENTS", None)]
        if helps:
            parser.formatter_class = _HelpFormatter
            parser.epilog = "\n\n".join(helps)

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if not self.settings.getdict("FEEDS") and self.settings.getdict("DEFAULT_FEEDS"):
            self.settings.set("FEEDS", self.settings.getdict("DEFAULT_FEEDS"), priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spider_class = self.crawler_process.spider_loader.load(args[0])
            except KeyError:              # unknown spider: Scrapy's own message
                spider_class = None
            if spider_class is not None and "help" in opts.spargs:
                print(arguments_help(spider_class))
                return
            check = getattr(spider_class, "check_arguments", None)
            if check is not None:
                check(opts.spargs, self.settings)
            distributed.check_redis(self.settings)
            check_store(self.settings)
        super().run(args, opts)
        if self.crawler is None or self.exitcode != 0:
            return
        stats = self.crawler.stats.get_stats()
        if stats.get("finish_reason") in (REDIS_UNAVAILABLE, STORE_UNAVAILABLE) or stats.get("store/away_at_end"):
            self.exitcode = 1
        elif not pages_read(stats) and not distributed.enabled(self.settings):
            self.exitcode = NOTHING_READ

    def _create_crawler(self, spidercls):
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler


def pages_read(stats: dict) -> int:
    """Pages (and API answers) the parsers read: ``pages/parsed/<site>`` summed."""
    return sum(value for key, value in stats.items() if key.startswith("pages/parsed/"))


def check_store(settings) -> None:
    """The store the crawl writes to opens and can be written (a bad STORE_URL scheme, an unreachable server,
    a read-only file: one error line, before any page is fetched)."""
    try:
        Store.open(store_url(settings)).close()
    except StoreError as exc:
        raise UsageError(str(exc)) from None

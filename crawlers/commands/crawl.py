"""``scrapy crawl`` that checks the spider's arguments before crawling.

Scrapy builds the spider inside the running crawl, where an exception is logged as a traceback and the crawl
may even exit 0. A spider class with ``check_arguments(spider_args, settings)`` is asked first; the
UsageError it raises is printed by Scrapy as one ``scrapy crawl: error: ...`` line, exit code 2.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spider_class = self.crawler_process.spider_loader.load(args[0])
            except KeyError:              # unknown spider: Scrapy's own message
                spider_class = None
            check = getattr(spider_class, "check_arguments", None)
            if check is not None:
                check(opts.spargs, self.settings)
        super().run(args, opts)

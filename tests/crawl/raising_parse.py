"""Test-only Scrapy extension: one site adapter's parse raises RuntimeError on one URL, as a parser bug would.

Enabled by a crawl test through Scrapy's own hook (``-s EXTENSIONS=...``, with RAISE_SITE and RAISE_ON_URL);
it lives in tests/ and patches the adapter only inside that crawl's process.
"""

from __future__ import annotations

from parsers.sites import by_name


class RaiseOnPage:
    def __init__(self, site: str, url: str) -> None:
        module = by_name(site)
        original = module.parse

        def parse(page, context):
            if page.url == url:
                raise RuntimeError(f"injected parser bug on {url}")
            return original(page, context)

        module.parse = parse

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("RAISE_SITE"), crawler.settings.get("RAISE_ON_URL"))

"""Where the crawl writes: the JSON Lines feed (``-O``/``-o`` or settings FEEDS) and the files beside it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from w3lib.url import file_uri_to_path


def feed_path(settings) -> Path | None:
    """The first local file among the configured feeds, or None (no feed, or only remote ones)."""
    for uri in (settings.getdict("FEEDS") or {}):
        uri = str(uri)
        scheme = urlsplit(uri).scheme
        if scheme == "file":
            return Path(file_uri_to_path(uri))
        if not scheme or len(scheme) == 1:       # a plain path (len 1: a Windows drive letter)
            return Path(uri)
    return None


def beside_feed(settings, suffix: str, fallback: str = "output/records.jsonl") -> Path:
    """``<feed stem><suffix>`` next to the feed: records.jsonl -> records.errors.jsonl, records.stats.json."""
    feed = feed_path(settings) or Path(fallback)
    return feed.with_name(feed.name.split(".", 1)[0] + suffix)

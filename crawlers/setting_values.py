"""Our settings' kinds, checked before a crawl: ``-s ARXIV_COMPLETION=maybe`` or ``-s PAGE_LIMIT=ten`` is one
``error:`` line naming the value and what is expected (exit 2), not a ValueError traceback from deep in a
component once the crawl has started (Scrapy's getbool/getint raise it where the setting is first read)."""

from __future__ import annotations

from scrapy.exceptions import UsageError

# Every setting of ours read with getbool/getint/getfloat (crawlers/), by the reading it takes.
SETTING_KINDS = {
    "bool": ("ALLOW_PRIVATE_HOSTS", "ARXIV_COMPLETION", "ARXIV_TITLE_SEARCH", "STORE_WRITER_PROCESS"),
    "int": ("ARXIV_BATCH_SIZE", "ARXIV_TITLE_BATCH_SIZE", "ARXIV_TITLE_SEARCH_LIMIT", "PAGE_LIMIT"),
    "float": ("REDIS_POLL_INTERVAL", "REDIS_WORKER_TIMEOUT", "REPLAY_DELAY", "RETRY_AFTER_MAX", "RETRY_BACKOFF_BASE",
              "RETRY_BACKOFF_MAX", "STORE_RETRY_MAX_DELAY", "STORE_WAIT_AT_END"),
}
EXPECTED = {"bool": "True or False (1 or 0)", "int": "a whole number", "float": "a number of seconds"}


def check_setting_values(settings) -> None:
    """UsageError for the first of our settings whose value its reading refuses."""
    for kind, names in SETTING_KINDS.items():
        read = getattr(settings, f"get{kind}")
        for name in names:
            try:
                read(name)
            except (TypeError, ValueError):
                raise UsageError(f"-s {name}={settings.get(name)}: expected {EXPECTED[kind]}") from None

"""CrawlSummary: what the crawl did, at a glance, when it ends: a log block and ``<output file>.stats.json``
beside the output (pages fetched, records per type, errors with URLs, per site the share of the records its
pages gave (before merging) that carry each field, and pages that declare more items than were parsed)."""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from dataclasses import is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals as scrapy_signals
from scrapy.http import Response

from crawlers import distributed, signals
from crawlers.distributed.listings import ListingCounts
from crawlers.outputs import STATS_SUFFIX, MergedRecord, beside_feed
from crawlers.store.schema import USER_TABLES
from parsers.records import to_dict

logger = logging.getLogger(__name__)
LOGGED_ERRORS = 10          # failed pages listed in the log block; the stats file lists them all


class CrawlSummary:
    def __init__(self, stats_path: str | Path | None = None, stats=None) -> None:
        self.stats_path = Path(stats_path) if stats_path else None
        self.stats = stats
        self.pages_fetched = 0
        self.pages_read = 0                                      # pages (and API answers) the parsers read
        self.records: Counter[str] = Counter()
        self.fields: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)   # (site, type) -> field counts
        self.errors: list[dict] = []
        self.invalid: list[dict] = []
        self.declared: dict[tuple[str, str], int] = {}          # (listing, kind) -> count the page declares
        self.parsed: Counter[tuple[str, str]] = Counter()        # (listing, kind) -> records parsed
        self.shared = None      # with REDIS_URL: the counts of every worker (crawlers/distributed/listings.py)

    @classmethod
    def from_crawler(cls, crawler) -> CrawlSummary:
        ext = cls(beside_feed(crawler.settings, STATS_SUFFIX), crawler.stats)
        if distributed.enabled(crawler.settings):    # a listing's pages are read by several workers
            ext.shared = ListingCounts.from_settings(crawler.settings, crawler.spidercls.name)
        for handler, signal in ((ext.response_received, scrapy_signals.response_received),
                                (ext.item_scraped, scrapy_signals.item_scraped),
                                (ext.item_dropped, scrapy_signals.item_dropped),
                                (ext.page_parsed, signals.page_parsed),
                                (ext.page_failed, signals.page_failed),
                (ext.callback_failed, scrapy_signals.spider_error),
                                (ext.spider_closed, scrapy_signals.spider_closed)):
            crawler.signals.connect(handler, signal=signal)
        return ext

    # -- collecting -----------------------------------------------------------------------------

    def response_received(self, response: Response, request=None, spider=None) -> None:
        if response.url.startswith("http") and not response.url.endswith("/robots.txt"):
            self.pages_fetched += 1

    def item_scraped(self, item: Any, response=None, spider=None) -> None:
        if isinstance(item, MergedRecord):          # the store's export, on its way to the feed
            self.records[item.get("type", "?")] += 1
        elif isinstance(item, dict):
            # What each site's parser gave, on its way into the store: a merged record would credit its
            # winning site with fields that came from the others.
            self._count_fields(item)

    def item_dropped(self, item: Any, response=None, exception=None, spider=None) -> None:
        self.invalid.append({"id": item.get("id") if isinstance(item, dict) else None, "reason": str(exception)})

    def _count_fields(self, item: Any) -> None:
        record = to_dict(item) if is_dataclass(item) else item
        if not isinstance(record, dict) or "type" not in record:
            return
        site, kind = record.get("source", {}).get("site", "?"), record["type"]
        self.fields[(site, kind)].update(key for key in record if key not in ("type", "id", "source"))
        self.fields[(site, kind)]["__records__"] += 1

    def page_parsed(self, url: str, site: str, listing: str, declared_counts: dict, parsed_counts: dict,
                    problems: list, spider=None) -> None:
        self.pages_read += 1
        for kind, count in declared_counts.items():
            self.declared.setdefault((listing, kind), count)
        for kind, count in parsed_counts.items():
            self.parsed[(listing, kind)] += count
        if self.shared is not None:
            self.shared.page_read(url, listing, declared_counts, parsed_counts)

    def page_failed(self, url: str, reason: str, spider=None) -> None:
        self.errors.append({"url": url, "reason": reason})

    def callback_failed(self, failure, response: Response, spider=None) -> None:
        """A bug met while reading a page (Scrapy logs the traceback and goes on): the page is named among
        the failures, so a summary never looks clean while a page's records are missing."""
        self.errors.append({"url": response.url,
                            "reason": f"{response.url}: error while reading the page: "
                                      f"{failure.type.__name__}: {failure.getErrorMessage()}"})
        if self.stats is not None:
            self.stats.inc_value("pages/failed")

    # -- reporting ------------------------------------------------------------------------------

    def summary(self, reason: str = "") -> dict:
        coverage = {}
        for (site, kind), counts in sorted(self.fields.items()):
            total = counts["__records__"]
            coverage.setdefault(site, {})[kind] = {
                "records": total,
                "fields": {f: round(n / total, 3) for f, n in sorted(counts.items()) if f != "__records__"}}
        declared_counts, parsed_counts, counted_by = self._listing_counts()
        short = [{"url": listing, "kind": kind, "declared": declared, "parsed": parsed_counts[(listing, kind)],
                  "counted_by": counted_by}
                 for (listing, kind), declared in sorted(declared_counts.items())
                 if parsed_counts[(listing, kind)] < declared]
        return {"finish_reason": reason, "pages_fetched": self.pages_fetched, "pages_read": self.pages_read,
                "records": dict(self.records), "store": store_summary(self.stats.get_stats() if self.stats else {}),
                "errors": self.errors, "invalid_records": self.invalid, "fewer_than_declared": short,
                "field_coverage": coverage, "scrapy_stats": _jsonable(self.stats.get_stats() if self.stats else {})}

    def _listing_counts(self) -> tuple[dict, Counter, str]:
        """Declared and parsed counts by (listing, kind), and whose pages they count: with several workers,
        all workers' (one worker reads only some pages of a listing), unless Redis was lost."""
        if self.shared is None:
            return self.declared, self.parsed, "this crawl"
        totals = self.shared.totals({listing for listing, _kind in [*self.declared, *self.parsed]})
        if totals is None:
            return self.declared, self.parsed, "this worker (Redis lost: other workers' pages not counted)"
        return totals[0], totals[1], "all workers"

    def spider_closed(self, spider=None, reason: str = "") -> None:
        summary = self.summary(reason)
        logger.info("\n%s", render(summary, self.stats_path))
        if not summary["pages_read"]:
            logger.error("no page could be fetched or read (%d failed, each named in the summary above): "
                         "exit code 1", len(summary["errors"]))
        if self.stats_path is not None:
            self.stats_path.parent.mkdir(parents=True, exist_ok=True)
            self.stats_path.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def render(summary: dict, stats_path: Path | None) -> str:
    """The log block: a few lines a user reads at a glance."""
    records = ", ".join(f"{n} {kind}s" for kind, n in sorted(summary["records"].items())) or "no records"
    lines = ["==== crawl summary " + "=" * 50,
             f"finished: {summary['finish_reason']}; pages fetched: {summary['pages_fetched']}; "
             f"pages read: {summary.get('pages_read', 0)}; records written: {records}"]
    lines += store_lines(summary.get("store"))
    for error in summary["errors"][:LOGGED_ERRORS]:
        lines.append(f"  page failed: {error['reason']}")
    if len(summary["errors"]) > LOGGED_ERRORS:
        lines.append(f"  ... and {len(summary['errors']) - LOGGED_ERRORS} more failed pages (all in the stats file)")
    for invalid in summary["invalid_records"]:
        lines.append(f"  record not written: {invalid['reason']}")
    for short in summary["fewer_than_declared"]:
        by = "" if short.get("counted_by", "this crawl") == "this crawl" else f" by {short['counted_by']}"
        lines.append(f"  WARNING {short['url']} declares {short['declared']} {short['kind']}s, "
                     f"{short['parsed']} parsed{by}")
    if summary["field_coverage"]:
        # Counted before the merge: a paper listed on three pages counts on each, so these add up to more
        # than the records written (one per paper, merged).
        lines.append("  per site, the records its pages gave before merging (the same paper or author from "
                     "several pages counts once per page; merged, they are the records written above):")
    for site, kinds in summary["field_coverage"].items():
        for kind, cover in kinds.items():
            partial = [f"{f} {share:.0%}" for f, share in cover["fields"].items() if share < 1]
            lines.append(f"    {site} {kind}s ({cover['records']}): every record has "
                         f"{', '.join(f for f, s in cover['fields'].items() if s == 1) or 'nothing'}"
                         + (f"; some have {', '.join(partial)}" if partial else ""))
    if stats_path is not None:
        lines.append(f"details: {stats_path}")
    lines.append("=" * 69)
    return "\n".join(lines)


def store_summary(stats: dict) -> dict | None:
    """What StoreRecords left in the stats when it closed: the store's URL and rows per table, or where the
    records it could not write are (its database away at the end). None: the crawl had no store."""
    if "store/url" not in stats:
        return None
    return {"url": stats["store/url"],
            "rows": {table: stats[f"store/{table}"] for table in USER_TABLES if f"store/{table}" in stats},
            "away_at_end": bool(stats.get("store/away_at_end")), "spool": stats.get("store/spool"),
            "spooled_records": stats.get("store/spooled_records", 0)}


def store_lines(store: dict | None) -> list[str]:
    if not store:
        return []
    if store["away_at_end"]:
        kept = (f"; {store['spooled_records']} records parsed are kept in {store['spool']} (run the crawl again "
                "once it is back)" if store["spool"] else "")
        return [f"store: {store['url']} was away at the end: no output file written{kept}"]
    return [f"store: {store['url']} holds " + ", ".join(f"{count} {table}" for table, count in store["rows"].items())]


def _jsonable(stats: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in sorted(stats.items())
            if isinstance(v, (int, float, str, datetime))}

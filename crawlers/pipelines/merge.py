"""MergePapers: the same paper from several pages or sites becomes one record; the same author too.

Records are held until the crawl runs dry (``spider_idle``); then one ``data:,`` request (Scrapy's data URI
handler, no network) is scheduled whose callback yields the merged records, so they go through the rest of
the pipelines and reach the feed exporter exactly once, as any scraped item does. Scrapy has no
"end of crawl, but items still accepted" hook: ``close_spider`` is too late for the feed exporter.

A crawl closed before it runs dry (CLOSESPIDER_*, a single Ctrl-C, a fatal error) writes what is held in
``close_spider``: merged, through the rest of the pipelines, and to the feed by the ``item_scraped`` signal (the
feed exporter closes its files later, on ``spider_closed``). Nothing already scraped is lost.

Before that flush, on the first ``spider_idle``, the spider may ask the arXiv API to complete the papers
held here (``spider.completion_requests(merged papers, asked, answered)``, see crawlers/completion.py); each
request's answer comes back through the pipeline as one CompletionResult, whose records are merged into the
group they complete and whose misses become problem lines of it; only when the crawl runs dry again are the
merged records emitted.

With JOBDIR set, every record received is appended (flushed line by line) to ``JOBDIR/merge_records.jsonl``
and read back on start, so a crawl killed even with SIGKILL resumes without losing or repeating records:
re-reading a page gives the same records, and merging a page's record twice changes nothing. The same
journal holds the completion: each API request when it is asked (``completion_asked``), and each answer,
whole, in one line (``completion_answered``). A resumed crawl does not ask again what was answered; a request
asked and not answered is asked again (same URL), and a problem line already noted is not noted twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DropItem
from scrapy.http import Response

from crawlers.completion import CompletionAnswer, CompletionMiss, CompletionResult
from parsers.records import (EACH_KEY_FIELDS, ENTRY_KEYS, GROUP_OF, GROUPS, KEYED_FIELDS, NOT_FILLED,
                             PROVENANCE_FIELDS, RECORD_TYPES, UNION_FIELDS, match_keys, paper_id,
                             paper_ids, to_dict)
from parsers.sites import merge_rank

logger = logging.getLogger(__name__)

# How each field is merged (union, keyed list, from one source with its group, ...) is declared with the field
# in parsers/records.py; the tables used here are views of those declarations.
DATE_FIELDS = GROUPS["date"]                   # kept together, from the source with the best date
COMPLETENESS = {True: 0, None: 1, False: 2}
JOB_FILE = "merge_records.jsonl"


def source_rank(record: dict) -> tuple:
    """Which record's values win where sources differ: the better site (its module's MERGE_RANK), a
    paper's own page before a listing of it, then by URL so the order does not depend on arrival."""
    source = record.get("source", {})
    own_page = record.get("url") == source.get("url")
    return (merge_rank(source.get("site", "")), not own_page, source.get("url", ""))


def _union_keyed(lists: list[list[dict]], entry_key) -> list[dict]:
    """One entry per key (the field's entry key); later lists fill the fields earlier ones lack."""
    merged: dict[Any, dict] = {}
    for entries in lists:
        for entry in entries:
            key = entry_key(entry)
            if key is None:
                continue
            merged.setdefault(key, {}).update({k: v for k, v in entry.items() if k not in merged[key]})
    return list(merged.values())


def _best_authors(ranked: list[dict]) -> dict | None:
    """A complete list beats a cut one; among cut lists the longest; then the better source."""
    with_authors = [r for r in ranked if r.get("authors")]
    if not with_authors:
        return None
    return min(with_authors, key=lambda r: (COMPLETENESS[r.get("authors_complete")],
                                            0 if r.get("authors_complete") else -len(r["authors"]),
                                            ranked.index(r)))


def _provenance(ranked: list[dict]) -> list[dict]:
    entries = [p for r in ranked for p in r.get("provenance", [])]
    for record in ranked:
        entry = {"site": record["source"]["site"], "url": record["source"]["url"]}
        entry.update({k: record[k] for k in PROVENANCE_FIELDS if k in record})
        entries.append(entry)
    seen, kept = set(), []
    for entry in entries:
        if (entry["site"], entry["url"]) not in seen:
            seen.add((entry["site"], entry["url"]))
            kept.append(entry)
    return kept


def merge_records(records: list[dict], answers: list[dict] = ()) -> dict:
    """One record from several JSON-form records of the same paper or author (see module docstring).
    ``answers``: arXiv API records fetched to complete it; they rank after every crawled page's record:
    they fill what the pages lack (a complete author list beats a cut one, a full date a partial one,
    whatever the rank) and never take over the rest."""
    ranked = sorted(records, key=source_rank) + sorted(answers, key=source_rank)
    merged: dict[str, Any] = {}
    for record in ranked:                       # union of fields, the better source first
        for key, value in record.items():
            merged.setdefault(key, value)
    for key in UNION_FIELDS:
        values = list(dict.fromkeys(v for r in ranked for v in r.get(key, [])))
        if values:
            merged[key] = values
    for key in KEYED_FIELDS:
        if any(r.get(key) for r in ranked):
            merged[key] = _union_keyed([r.get(key, []) for r in ranked], ENTRY_KEYS[key])
    for key in EACH_KEY_FIELDS:
        values = [r[key] for r in ranked if r.get(key)]
        if values:
            merged[key] = {k: v for value in reversed(values) for k, v in value.items()}
    if merged.get("type") != "paper":
        return merged
    authors = _best_authors(ranked)
    if authors is not None:
        merged["authors"] = authors["authors"]
        merged.pop("authors_complete", None)
        if authors.get("authors_complete") is not None:
            merged["authors_complete"] = authors["authors_complete"]
    dated = min((r for r in ranked if r.get("date")), key=lambda r: bool(r.get("date_year_inferred")),
                default=None)
    for key in DATE_FIELDS:
        merged.pop(key, None)
        if dated is not None and key in dated:
            merged[key] = dated[key]
    merged.pop("completed_from", None)
    if answers:
        filled = _filled_by_answers(merged, merge_records(records) if records else {})
        if filled:
            merged["completed_from"] = {answers[0]["source"]["site"]: filled}
    merged["provenance"] = _provenance(ranked)
    merged["id"] = _title_id(merged)
    # Every source's ids too (a title spelt differently on another site): a loader can join on any of them.
    known = [i for r in ranked for i in r.get("ids", [])] + [_title_id(r) for r in ranked if r.get("title")]
    merged["ids"] = paper_ids({**merged, "ids": known})
    return merged


def _title_id(record: dict) -> str:
    return paper_id(record["title"], record["authors"][0] if record.get("authors") else None)


def _filled_by_answers(merged: dict, from_pages: dict) -> list[str]:
    """Fields whose value in the merged record is not what the crawled pages alone give: the answers gave
    them (whole, or entries of a list). Date and author fields are named once ("date", "authors")."""
    filled = []
    for key, value in merged.items():
        if key in NOT_FILLED or from_pages.get(key) == value:
            continue
        filled.append(GROUP_OF.get(key, key))
    return list(dict.fromkeys(filled))


class MergeIndex:
    """Groups of records that are the same paper or author, found by any of their match keys."""

    def __init__(self) -> None:
        self.groups: dict[int, list[dict]] = {}
        self.notes: dict[int, list[str]] = {}      # problem lines noted on a group (arXiv misses), in order
        self.by_key: dict[str, int] = {}
        self._answers: set[int] = set()              # id() of held records that are completion answers
        self._next_group = 0

    def __len__(self) -> int:
        return len(self.groups)

    def add(self, record: dict, completes: str | None = None) -> None:
        """Add a record to the group of the same paper or author. ``completes``: a match key of the group
        this record was fetched to complete (an arXiv answer whose first author or title spelling differs);
        a record added with it is a completion answer, ranked after every crawled page in the merge."""
        keys = match_keys(record) + ([completes] if completes else [])
        found = sorted({self.by_key[k] for k in keys
                        if k in self.by_key and self._fits(self.by_key[k], record)})
        if found:
            target = found[0]
        else:
            target, self._next_group = self._next_group, self._next_group + 1
        group = self.groups.setdefault(target, [])
        for other in found[1:]:                     # this record ties two groups together
            group.extend(self.groups.pop(other))
            if other in self.notes:
                self.notes.setdefault(target, []).extend(self.notes.pop(other))
        if not any(_same_source(record, held) for held in group):
            group.append(record)
            if completes is not None:
                self._answers.add(id(record))
        for held in group:
            for key in match_keys(held):
                self.by_key[key] = target

    def _fits(self, group_id: int, record: dict) -> bool:
        """A title match never joins two different arXiv ids."""
        ids = {r["arxiv_id"] for r in self.groups[group_id] if r.get("arxiv_id")}
        return not (ids and record.get("arxiv_id") and record["arxiv_id"] not in ids)

    def note(self, key: str, problem: str) -> bool:
        """Add a problem line to the group found by ``key`` (shown after the pages' problems in its merged
        record, once however often it is noted); False if there is no such group."""
        group_id = self.by_key.get(key, -1)
        if group_id not in self.groups:
            return False
        self.notes.setdefault(group_id, []).append(problem)
        return True

    def merged(self) -> list[dict]:
        records = []
        for group_id, group in sorted(self.groups.items()):
            record = merge_records([r for r in group if id(r) not in self._answers],
                                   [r for r in group if id(r) in self._answers])
            if self.notes.get(group_id):
                # Problems deduplicated by their text: an answer merged again after a restart adds nothing.
                record["problems"] = list(dict.fromkeys(record.get("problems", []) + self.notes[group_id]))
            records.append(record)
        return records


def _same_source(a: dict, b: dict) -> bool:
    return a.get("source") == b.get("source") and a.get("title") == b.get("title") and a.get("name") == b.get("name")


class MergedRecord(dict):
    """A merged record in its JSON form, on its way from MergePapers to the feed: passed through, not held."""


class MergePapers:
    """Holds every Author/Paper record (JSON form, or a record object) and yields the merged ones once, as
    MergedRecord dicts, when the crawl runs dry. MergedRecord items pass through."""

    def __init__(self, job_file: str | Path | None = None) -> None:
        self.index = MergeIndex()
        self.job_file = Path(job_file) if job_file else None
        self._journal = None
        self.flushed = False          # the data: request that emits the merged records is scheduled
        self.emitted = False          # the merged records went down the pipeline (normally, or on an early stop)
        self.completion_asked = False
        self.asked_lookups: dict[str, dict] = {}     # API requests asked (this run or journaled), by URL
        self.answered_urls: set[str] = set()         # API requests whose answer is merged
        self.crawler = None

    @classmethod
    def from_crawler(cls, crawler) -> MergePapers:
        jobdir = crawler.settings.get("JOBDIR")
        pipeline = cls(Path(jobdir) / JOB_FILE if jobdir else None)
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    def open_spider(self, spider=None) -> None:
        if self.job_file is None:
            return
        self.job_file.parent.mkdir(parents=True, exist_ok=True)
        cut_line = False
        if self.job_file.exists():
            restored = 0
            text = self.job_file.read_text(encoding="utf-8")
            for line in text.splitlines():
                try:
                    self._restore(json.loads(line))
                    restored += 1
                except json.JSONDecodeError:     # the line being written when the crawl was killed
                    continue
            cut_line = bool(text) and not text.endswith("\n")
            logger.info("MergePapers: %d journal lines restored from %s", restored, self.job_file)
        self._journal = self.job_file.open("a", encoding="utf-8")
        if cut_line:                    # end it, or the next line would be glued to it and lost as well
            self._journal.write("\n")

    def process_item(self, item: Any, spider=None) -> Any:
        if isinstance(item, CompletionResult):
            self._merge_completion(item)
            raise HeldForMerge(f"arXiv answer merged: {item.request_url}")
        if isinstance(item, MergedRecord) or not isinstance(item, (dict, *RECORD_TYPES)):
            return item
        record = to_dict(item) if isinstance(item, RECORD_TYPES) else item    # NormaliseRecords gives dicts
        self._journal_line(record)
        self.index.add(record)
        self._stats("merge/received")
        raise HeldForMerge(f"held for merging: {record['id']} from {record['source']['url']}")

    def _merge_completion(self, result: CompletionResult) -> None:
        """One API answer: journaled as one line (a crawl killed while writing it asks again), then merged."""
        entries = []
        for item in result.items:
            if isinstance(item, CompletionMiss):
                entries.append({"key": item.key, "problem": item.problem})
                self._stats("arxiv/papers_not_completed")
            elif isinstance(item, CompletionAnswer):
                entries.append({"key": item.key, "record": to_dict(item.record)})
                self._stats("merge/received")
                if item.fills:
                    self._stats("arxiv/papers_completed")
        entry = {"completion_answered": result.request_url, "items": entries}
        self._journal_line(entry)
        self._restore_completion(entry)

    def _restore_completion(self, entry: dict) -> None:
        self.answered_urls.add(entry["completion_answered"])
        for item in entry["items"]:
            if "record" in item:
                self.index.add(item["record"], item["key"])
            else:
                self.index.note(item["key"], item["problem"])

    def _journal_line(self, entry: dict) -> None:
        if self._journal is not None:
            self._journal.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._journal.flush()

    def _restore(self, entry: dict) -> None:
        if "completion_asked" in entry:
            self.asked_lookups.setdefault(entry["completion_asked"]["url"], entry["completion_asked"])
        elif "completion_answered" in entry:
            self._restore_completion(entry)
        else:
            completes = entry.pop("completes", None)
            self.index.add(entry, completes)

    def spider_idle(self, spider=None) -> None:
        if self.flushed:
            return
        if not self.completion_asked:
            self.completion_asked = True
            ask = getattr(spider or self.crawler.spider, "completion_requests", None)
            requests = (list(ask(self.index.merged(), list(self.asked_lookups.values()), set(self.answered_urls)))
                        if ask is not None else [])
            if requests:               # the answers go through the pipeline; flush when they are in
                for request in requests:    # journaled before sent: a restart knows what was asked
                    lookup = request.meta.get("arxiv_lookup")
                    if lookup and lookup["url"] not in self.asked_lookups:
                        self.asked_lookups[lookup["url"]] = lookup
                        self._journal_line({"completion_asked": lookup})
                for request in requests:
                    self.crawler.engine.crawl(request)
                raise DontCloseSpider
        self.flushed = True
        self.crawler.engine.crawl(scrapy.Request("data:,", callback=self.emit_merged, dont_filter=True,
                                                 meta={"dont_obey_robotstxt": True, "merge_flush": True}))
        raise DontCloseSpider

    def emit_merged(self, response: Response):
        self.emitted = True
        merged = self.index.merged()
        self._stats("merge/emitted", len(merged))
        logger.info("MergePapers: %d records merged into %d", sum(map(len, self.index.groups.values())),
                    len(merged))
        yield from map(MergedRecord, merged)

    def close_spider(self, spider=None) -> Coroutine[Any, Any, None] | None:
        """Awaitable (Scrapy awaits it) when held records are still to be written: the crawl stopped early."""
        if self._journal is not None:
            self._journal.close()
        if self.emitted or not len(self.index):
            return None
        if self.crawler is None:          # not run by Scrapy: no feed to write to
            logger.warning("MergePapers: closed before the merge; %d records not written", len(self.index))
            return None
        return self._write_on_early_stop()

    async def _write_on_early_stop(self) -> None:
        """The crawl was closed before it ran dry (CLOSESPIDER_*, Ctrl-C, a fatal error): what is held is
        merged and written now, through the rest of the pipelines to the feed, as the idle flush would.

        Pipelines' close_spider runs before ``spider_closed``, when the feed exporter closes its files, so
        sending ``item_scraped`` here still reaches the feed (Scrapy 2.19, ExecutionEngine.close_spider_async).
        """
        self.emitted = True
        merged = self.index.merged()
        engine, signal_manager = self.crawler.engine, self.crawler.signals
        written = 0
        for record in map(MergedRecord, merged):
            try:
                # The whole chain, as for the data: flush: this pipeline passes dicts on, ValidateRecords checks.
                output = await engine.scraper.itemproc.process_item_async(record)
            except DropItem as exc:
                await signal_manager.send_catch_log_async(signal=signals.item_dropped, item=record, response=None,
                                                          spider=self.crawler.spider, exception=exc)
                continue
            await signal_manager.send_catch_log_async(signal=signals.item_scraped, item=output, response=None,
                                                      spider=self.crawler.spider)
            written += 1
        self._stats("merge/emitted", len(merged))
        self._stats("merge/emitted_on_early_stop", len(merged))
        kept = (f"; the journal {self.job_file} is kept: run again with the same JOBDIR to finish the crawl"
                if self.job_file else "")
        logger.warning("MergePapers: crawl stopped before it ran dry; %d records merged into %d and %d written "
                       "now (pages not fetched and arXiv completion not done are missing from them)%s",
                       sum(map(len, self.index.groups.values())), len(merged), written, kept)

    def _stats(self, key: str, count: int = 1) -> None:
        if self.crawler is not None:
            self.crawler.stats.inc_value(key, count)


class HeldForMerge(DropItem):
    """A record the merge keeps until the crawl runs dry: dropped from the pipeline quietly (DEBUG), it
    comes back inside the merged record. Stats count it as item_dropped_reasons_count/HeldForMerge."""

    def __init__(self, message: str):
        super().__init__(message, log_level="DEBUG")

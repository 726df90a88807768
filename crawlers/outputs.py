"""Where the crawl writes: the feed (``-O``/``-o`` or settings FEEDS) and the files beside it.

* Beside an output file ``F`` the crawl writes ``F.stats.json`` (the summary) and ``F.errors.jsonl`` (invalid
  records): the whole file name plus a suffix, so ``oo.json``, ``oo.csv`` and ``oo.jsonl`` each keep their own.
* ``-o`` (append) onto a JSON Lines file upserts: when the feed is stored, the file keeps one line per record
  id, a record of this crawl replacing the earlier line with its id (in that line's place); lines without an
  id are kept as they are. Ids are stable across runs (parsers/records.py), so appending a re-crawl updates
  the records instead of doubling them, as a database upsert on ``id`` would.
* CSV is flattened: every field of the record contract is a column (authors and papers in one table), lists of
  names or codes are joined with "; ", nested lists and objects are JSON text, booleans ``true``/``false``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.exporters import CsvItemExporter
from scrapy.extensions.feedexport import FileFeedStorage
from w3lib.url import file_uri_to_path

from parsers.records import schema

STATS_SUFFIX = ".stats.json"
ERRORS_SUFFIX = ".errors.jsonl"
JSON_LINES_FORMATS = frozenset({"jsonlines", "jsonl", "jl"})
# CSV: lists of plain names, codes or ids, joined; every other list or object is written as JSON text.
JOINED_LISTS = frozenset({"authors", "organizations", "categories", "listed_by", "ids"})
LIST_SEPARATOR = "; "


def feed_path(settings) -> Path | None:
    """The first local file among the configured feeds, or None (no feed, or only remote ones)."""
    for uri in (settings.getdict("FEEDS") or {}):
        uri = str(uri)
        scheme = urlsplit(uri).scheme
        if scheme == "file":
            return Path(file_uri_to_path(uri))
        if not scheme or len(scheme) == 1:       # a plain path (len 1: a Windows drive letter)
            return Path(uri) if uri != "-" else None
    return None


def beside_feed(settings, suffix: str) -> Path | None:
    """``<feed file name><suffix>`` next to the feed (records.jsonl -> records.jsonl.stats.json); None
    without a local feed (``scrapy parse``, ``-o -``): nothing is written beside nothing."""
    feed = feed_path(settings)
    return feed.with_name(feed.name + suffix) if feed is not None else None


# -- -o onto JSON Lines: upsert by id ---------------------------------------------------------------------


def upsert_json_lines(path: Path) -> int:
    """Rewrite ``path`` with one line per record id, a later line replacing an earlier one in its place;
    lines that are not a JSON object with an ``id`` are kept. Returns how many lines were replaced."""
    kept: dict[Any, str] = {}
    replaced = 0
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if not line.strip():
                continue
            line = line if line.endswith("\n") else line + "\n"
            try:
                key = json.loads(line).get("id") or ("line", number)
            except (ValueError, AttributeError):
                key = ("line", number)
            replaced += key in kept
            kept[key] = line
    if replaced:
        partial = path.with_name(path.name + ".upsert")
        partial.write_text("".join(kept.values()), encoding="utf-8")
        os.replace(partial, path)
    return replaced


class UpsertFileFeedStorage(FileFeedStorage):
    """Scrapy's file storage; appending (``-o``) to JSON Lines ends in an upsert by id (module docstring)."""

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None):
        super().__init__(uri, feed_options=feed_options)
        self.upsert = self.write_mode == "ab" and (feed_options or {}).get("format") in JSON_LINES_FORMATS

    def store(self, file):
        file.close()
        if self.upsert and Path(self.path).exists():
            upsert_json_lines(Path(self.path))


# -- CSV: flattened ---------------------------------------------------------------------------------------


def csv_columns() -> list[str]:
    """Every field of the record contract, authors' and papers' in one list (schema order)."""
    definitions = schema()["$defs"]
    columns: dict[str, None] = {"type": None, "id": None}     # the keys first, whatever the schema's order
    for kind in ("author", "paper"):
        columns.update(dict.fromkeys(definitions[kind]["properties"]))
    return list(columns)


def csv_value(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if name in JOINED_LISTS and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class FlatCsvItemExporter(CsvItemExporter):
    """Scrapy's CSV exporter with every contract field as a column (not only the first record's) and
    values flattened as the module docstring says. FEED_EXPORT_FIELDS, when set, still chooses the columns."""

    def __init__(self, file, **kwargs: Any):
        kwargs.setdefault("fields_to_export", None)
        if not kwargs["fields_to_export"]:
            kwargs["fields_to_export"] = csv_columns()
        super().__init__(file, **kwargs)

    def serialize_field(self, field, name: str, value: Any) -> Any:
        return csv_value(name, value)


def store_url(settings) -> str:
    """STORE_URL, else a SQLite file beside the feed, named after it: output/records.jsonl ->
    sqlite:///output/records.db, records.text.jsonl -> records.text.db (another output, another store)."""
    if settings.get("STORE_URL"):
        return settings.get("STORE_URL")
    return f"sqlite:///{(feed_path(settings) or Path('output/records.jsonl')).with_suffix('.db')}"


class MergedRecord(dict):
    """A merged record in its JSON form, from the store to the feed."""


class MergedOnly:
    """Every feed's item filter (Scrapy's ``item_filter`` feed option): the feed takes the merged records the
    store exports at the end of the crawl, not the parsed records on their way into the store."""

    def __init__(self, feed_options: dict | None = None) -> None:
        self.feed_options = feed_options

    def accepts(self, item) -> bool:
        return isinstance(item, MergedRecord)

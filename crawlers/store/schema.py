"""The store's tables (SQLAlchemy Core), one definition for SQLite and PostgreSQL.

What a downstream user queries:

* ``papers``: one row per merged paper; ``id`` as in the records, every scalar field of a paper record as a
  column (title, date, arxiv_id, doi, ...), and ``record``, the whole merged record as JSON (what the JSON
  Lines export writes). ``wants_completion`` names the fields arXiv should still fill ("authors,date").
* ``authors``: one row per merged author profile: name, field, url, photo_url, the metrics as columns, record.
* ``paper_authors``: the author list of each paper, in order (``position`` from 0), with the ``author_id``
  the name would have as a profile (``author:<normalised name>``), so a join with ``authors`` finds profiles.
* ``sources``: one row per record a page gave (the provenance): site, url, fetched_at, the record as that
  page gave it (``record``), ``completes`` (the paper an arXiv answer was asked for; NULL for crawled pages).
* ``problems``: the problem lines of each merged record, in order.

Bookkeeping: ``match_keys`` (every key a paper or author is found by -> its group), ``notes`` (problem lines
arXiv completion noted on a key), ``lookups`` (arXiv API requests asked, and whether answered), ``crawls``,
``schema_version``. A group is the merge unit; ``group_id`` is the id of its first source row, so ordering by
it is the order in which papers were first seen.

Columns are read off the record dataclasses (parsers/records.py): a scalar field there is a column here.
"""

from __future__ import annotations

import dataclasses
import types
import typing

from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text, TypeDecorator

from parsers.records import Author, Metrics, Paper

SCHEMA_VERSION = 1


class PlainText(TypeDecorator):
    """Text without NUL characters, which PostgreSQL's text cannot hold (the JSON record keeps them)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.replace("\x00", "") if isinstance(value, str) else value


class ColumnInteger(TypeDecorator):
    """A count as a column: one no column can hold (a hostile page's 30-digit h-index: SQLite's driver raises
    OverflowError past 64 bits, PostgreSQL's integer refuses past 32) is NULL there; the record keeps it."""

    impl = Integer
    cache_ok = True
    LIMIT = 2**31

    def process_bind_param(self, value, dialect):
        return value if value is None or -self.LIMIT <= value < self.LIMIT else None


SCALARS = {str: PlainText, int: ColumnInteger, float: Float, bool: Boolean}

metadata = MetaData()


def _scalar_type(hint: object) -> type | None:
    """str/int/float/bool for ``X`` or ``X | None``; None for lists, dicts and nested records."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        hint = args[0] if len(args) == 1 else None
    return hint if hint in SCALARS else None


def scalar_fields(cls: type, skip: tuple[str, ...] = ("id", "type")) -> dict[str, type]:
    """The record fields stored as columns, with their Python type, in the dataclass's order."""
    hints = typing.get_type_hints(cls)
    fields = {}
    for field in dataclasses.fields(cls):
        kind = _scalar_type(hints[field.name])
        if kind is not None and field.name not in skip:
            fields[field.name] = kind
    return fields


PAPER_FIELDS = scalar_fields(Paper)
AUTHOR_FIELDS = scalar_fields(Author)
METRIC_FIELDS = scalar_fields(Metrics)


def _columns(fields: dict[str, type]) -> list[Column]:
    return [Column(name, SCALARS[kind]) for name, kind in fields.items()]


schema_version = Table("schema_version", metadata, Column("version", Integer, primary_key=True))

crawls = Table(
    "crawls", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jobdir", PlainText),                    # a crawl resumed with the same JOBDIR is the same crawl
    Column("started_at", PlainText, nullable=False),
    Column("finished_at", PlainText),
)

sources = Table(
    "sources", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_key", String(40), nullable=False, unique=True),   # sha1 of site, url, type, title/name
    Column("group_id", Integer, nullable=False, index=True),
    Column("type", PlainText, nullable=False),
    Column("site", PlainText, nullable=False),
    Column("url", PlainText, nullable=False),
    Column("arxiv_id", PlainText),                  # a title match never joins two different arXiv ids
    Column("completes", PlainText),
    Column("fetched_at", PlainText, nullable=False),
    Column("crawl_id", Integer),
    Column("record", JSON, nullable=False),
)

match_keys = Table(
    "match_keys", metadata,
    Column("key", PlainText, primary_key=True),
    Column("group_id", Integer, nullable=False, index=True),
)

papers = Table(
    "papers", metadata,
    Column("id", PlainText, primary_key=True),
    Column("group_id", Integer, nullable=False, unique=True),
    *_columns(PAPER_FIELDS),
    Column("wants_completion", PlainText),
    Column("record", JSON, nullable=False),
)

authors = Table(
    "authors", metadata,
    Column("id", PlainText, primary_key=True),
    Column("group_id", Integer, nullable=False, unique=True),
    *_columns(AUTHOR_FIELDS),
    *_columns(METRIC_FIELDS),
    Column("record", JSON, nullable=False),
)

paper_authors = Table(
    "paper_authors", metadata,
    Column("paper_id", PlainText, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", PlainText, nullable=False),
    Column("author_id", PlainText, nullable=False, index=True),
)

problems = Table(
    "problems", metadata,
    Column("record_id", PlainText, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("problem", PlainText, nullable=False),
)

notes = Table(
    "notes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("note_key", String(40), nullable=False, unique=True),   # sha1 of key and problem: noted once
    Column("key", PlainText, nullable=False, index=True),
    Column("problem", PlainText, nullable=False),
)

lookups = Table(
    "lookups", metadata,
    Column("url", PlainText, primary_key=True),
    Column("kind", PlainText, nullable=False),
    Column("lookup", JSON, nullable=False),
    Column("asked_at", PlainText, nullable=False),
    Column("answered", Boolean, nullable=False, default=False),
)

# Which groups a crawl gave (its export), a group at a time: crawl and group together, or SQLite walks every
# source row of the crawl for each group (minutes at 100k records). Created on opening an older store too.
Index("sources_crawl_group", sources.c.crawl_id, sources.c.group_id)

ENTITY_TABLES = {"paper": papers, "author": authors}
# The tables a user queries, whose rows the crawl's summary counts.
USER_TABLES = {"papers": papers, "authors": authors, "paper_authors": paper_authors, "sources": sources,
               "problems": problems}

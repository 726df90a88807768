"""The records: the data contract that downstream databases load.

Plain dataclasses, one docstring line per field. ``to_dict`` drops fields the page did not have
(None, empty lists), so a missing value is absent, never a made-up 0 or "". The same contract is
published as JSON Schema in ``parsers/schema/record.schema.json``; ``validate`` checks a record
against it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

from parsers.fields.figures import Figure  # the field parser's value is the record's value
from parsers.fields.names import normalise_name
from parsers.fields.text import normalise_title

SCHEMA_VERSION = 1


def _empty(kind: type) -> Any:
    # dataclasses.field by its full name: `Author.field` (the research field) shadows it in class bodies.
    return dataclasses.field(default_factory=kind)


@dataclass
class Source:
    site: str    # adapter name: "scholar-profile", "catalyzex", "paper-digest", "arxiv", "embedded-metadata"
    url: str     # the page the record was read from


@dataclass
class Metrics:
    h_index: int | None = None
    paper_count: int | None = None
    citation_count: int | None = None
    novelty_percent: float | None = None
    ai_score: float | None = None


@dataclass
class Version:
    version: int
    date: str                    # ISO 8601 UTC timestamp of that version's submission
    size_kb: int | None = None


@dataclass
class Related:
    title: str
    score: float | None = None
    summary: list[str] = _empty(list)
    date: str | None = None
    url: str | None = None
    arxiv_id: str | None = None


@dataclass
class Author:
    """A researcher's profile."""

    name: str
    source: Source
    id: str = ""                 # "author:<normalised name>" unless set
    type: str = "author"
    field: str | None = None     # research field label as the page shows it ("CL")
    # dataclasses.field spelled out: the attribute `field` above shadows the import inside this class body.
    metrics: Metrics = _empty(Metrics)
    photo_url: str | None = None
    url: str | None = None       # the profile page
    problems: list[str] = _empty(list)  # what could not be read on this record

    def __post_init__(self) -> None:
        self.id = self.id or author_id(self.name)


@dataclass
class Paper:
    """A paper as one page lists or shows it."""

    title: str
    source: Source
    id: str = ""                          # "title:<hash of the merge match key>", set by to_dict (paper_id)
    ids: list[str] = _empty(list)         # every id it is known by: arxiv:, doi:, title: (set by to_dict)
    type: str = "paper"
    authors: list[str] = _empty(list)
    authors_complete: bool | None = None  # False where the page cuts the list ("et al.")
    organizations: list[str] = _empty(list)
    date: str | None = None               # ISO 8601 day, or UTC timestamp where the page has a time (arXiv: v1)
    date_raw: str | None = None           # the date exactly as the page prints it
    date_year_inferred: bool | None = None  # True where the page gave no year and it was taken from the crawl date
    categories: list[str] = _empty(list)   # arXiv codes, primary first
    has_code: bool | None = None
    code_url: str | None = None
    abstract: str | None = None
    summary: list[str] = _empty(list)      # summary sentences
    figures: list[Figure] = _empty(list)
    venue: str | None = None
    via: str | None = None                # where the listing site got the paper ("arxiv")
    score: float | None = None
    license: str | None = None
    url: str | None = None                # the paper's page as the source names it (own page, or arXiv URL)
    pdf_url: str | None = None
    arxiv_id: str | None = None           # without version: "2204.02311", "hep-th/9901001"
    version: int | None = None            # the version the page shows
    versions: list[Version] = _empty(list)
    withdrawn: bool | None = None
    comments: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    report_no: str | None = None
    msc_class: str | None = None
    acm_class: str | None = None
    related: list[Related] = _empty(list)
    listed_by: list[str] = _empty(list)    # author profile(s) the paper was found on (names)
    provenance: list[dict] = _empty(list)  # per source: {site, url, date, date_raw, ...} (set by the merge)
    completed_from: dict[str, list[str]] = _empty(dict)  # {"arxiv": ["authors", ...]} fields filled from another source
    problems: list[str] = _empty(list)

    # No __post_init__ id: the adapters fill authors after building the record, and the id depends on
    # the first author. to_dict computes it from the record as it is then.


Record = Author | Paper


def paper_id(title: str, first_author: str | None = None) -> str:
    """``title:<16 hex of sha1(normalised title | normalised first author)>``: the key the merge matches
    papers on, hashed. The same in every run whatever the run learns (an arXiv id found or not), so a
    re-crawl upserts instead of duplicating; the arXiv id and DOI are listed in ``ids`` instead."""
    # A title of no letters or digits ("???") has an empty key: hash the text itself, or every such
    # title would share the id of the empty string.
    title_key = normalise_title(title) or " ".join(title.split())
    return "title:" + hashlib.sha1(f"{title_key}|{normalise_name(first_author or '')}".encode()).hexdigest()[:16]


def paper_ids(record: dict) -> list[str]:
    """Every identifier a paper (JSON form) is known by, sorted: its ``id``, the ids it already lists
    (a merged record: those of each source), ``arxiv:<id>`` and ``doi:<doi>`` (lower-cased: DOIs are
    case-insensitive)."""
    ids = set(record.get("ids", ())) | {record["id"]}
    if record.get("arxiv_id"):
        ids.add(f"arxiv:{record['arxiv_id']}")
    if record.get("doi"):
        ids.add(f"doi:{record['doi'].lower()}")
    return sorted(ids)


def author_id(name: str) -> str:
    key = normalise_name(name).replace(" ", "-")
    return "author:" + (key or hashlib.sha1(" ".join(name.split()).encode()).hexdigest()[:16])


def to_dict(record: Record | dict) -> dict[str, Any]:
    """The JSON form of a record: fields without a value are left out. A Paper gets its ``id`` (unless
    one was given) and ``ids`` here, from its fields as they are now."""
    data = _plain(record)
    if isinstance(record, Paper):
        data["id"] = record.id or paper_id(record.title, record.authors[0] if record.authors else None)
        data["ids"] = paper_ids(data)
    return data


_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """Dataclasses to dicts, recursively, dropping None and empty lists/dicts.

    Written out rather than dataclasses.asdict + a prune: asdict deep-copies every value, and this runs
    for every record in the crawl's pipelines.
    """
    cls = type(value)
    if cls in (str, int, float, bool) or value is None:
        return value
    names = _FIELDS.get(cls)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        items = ((name, getattr(value, name)) for name in names)
    elif isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    else:
        return value
    plain = {}
    for key, item in items:
        item = _plain(item)
        if item is not None and item != [] and item != {}:
            plain[key] = item
    return plain


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("parsers").joinpath("schema/record.schema.json").read_text())


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(schema())
    return cls(schema(), format_checker=cls.FORMAT_CHECKER)


def validation_errors(record: Record | dict) -> list[str]:
    """Every way the record breaks the contract, as "path: message" lines (empty when valid)."""
    data = to_dict(record)
    return [
        f"{'/'.join(map(str, err.absolute_path)) or '<record>'}: {err.message}"
        for err in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]

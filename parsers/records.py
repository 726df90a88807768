"""The records: the data contract that downstream databases load, declared once.

Plain dataclasses in the style of zyte-common-items. Every field is declared with ``attribute(doc, ...)``: its
description (the docstring the README field list and the JSON Schema carry), and what the pipelines need to
know about it (``FieldSpec``): is it a URL, how entries of its list are keyed, how the merge treats it,
whether arXiv completion can fill it, whether a record without it is loadable. Normalise, merge and validate
read these specs through the views at the end of this module (computed once, at import); the JSON Schema
``parsers/schema/record.schema.json`` is generated from the classes (``python -m parsers.schema``).

``to_dict`` drops fields the page did not have (None, empty lists), so a missing value is absent, never a
made-up 0 or "".
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import fastjsonschema
import jsonschema

from parsers.fields.names import normalise_name
from parsers.fields.text import normalise_title

if TYPE_CHECKING:
    from parsers.fields.dates import ParsedDate
    from parsers.fields.names import AuthorList

# [0-9], not \d: Python's \d (jsonschema checks patterns with re) also accepts "٢٠٢٣".
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?$"


class Merge(enum.Enum):
    """How the merge (merge_records) makes one value of a field from several sources' records of one paper or
    author."""

    BEST = "the best-ranked source's value"
    UNION = "every source's entries, best source first, each once"
    KEYED = "every source's entries, one per entry key; a later source fills what an earlier entry lacks"
    GROUP = "from one source together with the other fields of its group (the group's rule picks the source)"
    EACH_KEY = "each key from the best-ranked source that has it"
    BY_MERGE = "set by the merge itself"


@dataclass(frozen=True)
class EntryKey:
    """How two entries of a list are recognised as one: by the first of ``fields`` that is set, or by all
    of them together (``together``). A title is compared by its normalised words."""

    fields: tuple[str, ...]
    together: bool = False

    def __call__(self, entry: Any) -> Any:
        get = entry.get if type(entry) is dict else (lambda name: getattr(entry, name, None))
        if self.together:
            return tuple(get(name) for name in self.fields)
        for name in self.fields:
            value = get(name)
            if value is not None:
                return normalise_title(value) if name == "title" else value
        return None


# The same co-authors come back on page after page of a crawl: their matching keys are worth keeping.
name_key = lru_cache(maxsize=65536)(normalise_name)


@dataclass(frozen=True)
class FieldSpec:
    """What the pipelines and the schema need to know about one field (``dataclasses.Field.metadata``)."""

    doc: str
    required: bool = False            # a record without it cannot be loaded: the validator drops it whole
    url: bool = False                 # canonicalised by NormaliseRecords
    entry_key: Any = None             # list fields: how two entries are the same entry (dedupe and merge)
    merge: Merge = Merge.BEST
    group: str | None = None          # Merge.GROUP: the group's name (its first field)
    filled: bool = True               # False: bookkeeping, never named as filled by arXiv completion
    checked: bool = True              # False: the schema describes the field but does not check its value
    schema: dict = dataclasses.field(default_factory=dict)  # JSON Schema keywords beyond the type


_NO_DEFAULT = object()


def attribute(doc: str, default: Any = None, *, factory: Any = None, **spec: Any) -> Any:
    """A record field: its description and its ``FieldSpec``. ``factory`` for list/dict/nested defaults;
    ``default=_NO_DEFAULT`` for a field the constructor requires."""
    metadata = {"spec": FieldSpec(doc, **spec)}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    if default is _NO_DEFAULT:
        return dataclasses.field(metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


REQUIRED = _NO_DEFAULT


def spec_of(field: dataclasses.Field) -> FieldSpec:
    return field.metadata["spec"]


# -- nested records ---------------------------------------------------------------------------------------


@dataclass
class Source:
    """The page a record was read from."""

    site: str = attribute("adapter name: scholar-profile, catalyzex, paper-digest, arxiv, embedded-metadata",
                          REQUIRED, required=True, schema={"minLength": 1})
    url: str = attribute("the page's URL", REQUIRED, required=True, url=True, schema={"minLength": 1})


@dataclass
class Metrics:
    """An author's metrics as the profile prints them; a metric the page lacks is absent, never 0."""

    h_index: int | None = attribute("h-index", schema={"minimum": 0})
    paper_count: int | None = attribute("number of papers the profile counts", schema={"minimum": 0})
    citation_count: int | None = attribute("citations the profile counts", schema={"minimum": 0})
    novelty_percent: float | None = attribute("the profile's novelty score, in percent",
                                              schema={"minimum": 0, "maximum": 100})
    ai_score: float | None = attribute("the profile's AI score")


@dataclass(frozen=True)
class Figure:
    """One figure of a paper as a listing shows it."""

    index: int = attribute("the figure's number as printed (\"Figure 3\" -> 3)", REQUIRED, required=True,
                           schema={"minimum": 1})
    caption: str = attribute("the paper title the figure belongs to, as written after \"for\"; \"\" when the "
                             "text has none", REQUIRED, required=True)
    image_url: str | None = attribute("the thumbnail image", REQUIRED, url=True)


@dataclass
class Version:
    """One version of an arXiv paper."""

    version: int = attribute("the version number (v2 -> 2)", REQUIRED, required=True, schema={"minimum": 1})
    date: str = attribute("ISO 8601 UTC timestamp of that version's submission", REQUIRED, required=True,
                          schema={"pattern": ISO_DATE})
    size_kb: int | None = attribute("size of that version's source, in KB", schema={"minimum": 0})


@dataclass
class Related:
    """A paper the page lists as related to this one."""

    title: str = attribute("its title", REQUIRED, required=True, schema={"minLength": 1})
    score: float | None = attribute("the page's relatedness score")
    summary: list[str] = attribute("its summary sentences", factory=list)
    date: str | None = attribute("ISO 8601 day, or UTC timestamp ending in Z", schema={"pattern": ISO_DATE})
    url: str | None = attribute("the page's own page for it", url=True)
    arxiv_id: str | None = attribute("its arXiv id, without version")


@dataclass
class Provenance:
    """What one source said of a merged paper (the merged record shows the winning values). Every field
    after site and url is copied from that source's record (the merge copies exactly these)."""

    site: str = attribute("the source's site", REQUIRED, required=True)
    url: str = attribute("the source page", REQUIRED, required=True, url=True)
    date: str | None = attribute("the date that source gives: ISO 8601 day, or UTC timestamp ending in Z",
                                 schema={"pattern": ISO_DATE})
    date_raw: str | None = attribute("the date as that source printed it")
    # Not checked by the schema (as before it was generated): checking every source's author list again
    # would cost more than the merged record's own fields, per record.
    date_year_inferred: bool | None = attribute("true where that source printed no year", checked=False)
    authors: list[str] = attribute("that source's author list", factory=list, checked=False)
    authors_complete: bool | None = attribute("false where that source cut its author list", checked=False)


# -- the records ------------------------------------------------------------------------------------------

# Shared by both record types (same description, same spec). An adapter puts parsers.result.Problem objects
# here; parse_page writes each as its line (Problem.line), so a record leaves the parser with lines only.
def _problems() -> Any:
    return attribute("what could not be read for this record, one line each naming the field: a partial "
                     "record names its gaps here. A page's line reads \"<page URL>: <site>: <field>: what "
                     "was wrong\"; arXiv completion's \"<API URL>: arxiv: ...\"; a value the schema refused "
                     "\"<field> removed: why\"", factory=list, merge=Merge.UNION, filled=False,
                     schema={"items": {"type": "string"}})


def _source() -> Any:
    return attribute("site and URL of the page the record was read from", REQUIRED, required=True,
                     filled=False)


@dataclass
class Author:
    """A researcher's profile."""

    name: str = attribute("the person's name as the page prints it", REQUIRED, required=True,
                          schema={"minLength": 1})
    source: Source = _source()
    id: str = attribute("stable id: author:<normalised name>", "", required=True, filled=False,
                        schema={"pattern": "^author:."})
    type: str = attribute("record type", "author", required=True, filled=False, schema={"const": "author"})
    field: str | None = attribute("research field label as the page shows it (\"CL\")")
    metrics: Metrics = attribute("a metric the page lacks is absent, never 0", factory=Metrics,
                                 merge=Merge.EACH_KEY)
    photo_url: str | None = attribute("the profile photo", url=True)
    url: str | None = attribute("the profile page", url=True)
    problems: list[str] = _problems()

    def __post_init__(self) -> None:
        self.id = self.id or author_id(self.name)


# The title a paper gets when its card has no title line (a record needs one); every adapter uses this one.
UNTITLED = "(untitled)"

@dataclass
class Paper:
    """A paper as one page lists or shows it."""

    title: str = attribute("the paper's title", REQUIRED, required=True, schema={"minLength": 1})
    source: Source = _source()
    id: str = attribute("title:<16 hex of sha1(normalised title|normalised first author)>: the same in every run "
                        "(set by to_dict: paper_id)", "", required=True, filled=False,
                        schema={"pattern": "^title:[0-9a-f]{16}$"})
    ids: list[str] = attribute("every identifier the paper is known by (arxiv:<id>, doi:<doi>, title:<hash>), "
                               "sorted (set by to_dict and the merge)", factory=list, merge=Merge.BY_MERGE,
                               filled=False, schema={"items": {"type": "string", "pattern": "^(arxiv|doi|title):."},
                                                     "uniqueItems": True})
    type: str = attribute("record type", "paper", required=True, filled=False, schema={"const": "paper"})
    authors: list[str] = attribute("author names in the page's order", factory=list, entry_key=name_key,
                                   merge=Merge.GROUP, group="authors")
    authors_complete: bool | None = attribute("false where the page cut the list (\"et al.\")",
                                              merge=Merge.GROUP, group="authors")
    organizations: list[str] = attribute("organisations the page names for the paper", factory=list,
                                         merge=Merge.UNION)
    date: str | None = attribute("ISO 8601 day, or UTC timestamp ending in Z where the page has a time: the "
                                 "date the source shows for the paper (arXiv: the first version's submission)",
                                 merge=Merge.GROUP, group="date", schema={"pattern": ISO_DATE})
    date_raw: str | None = attribute("the date exactly as the source printed it", merge=Merge.GROUP,
                                     group="date")
    date_year_inferred: bool | None = attribute("true where the page printed no year and it was taken from "
                                                "the crawl date or --as-of", merge=Merge.GROUP, group="date")
    categories: list[str] = attribute("arXiv category codes, primary first", factory=list, merge=Merge.UNION)
    has_code: bool | None = attribute("true where the page says code is published")
    code_url: str | None = attribute("the published code", url=True)
    abstract: str | None = attribute("the abstract")
    summary: list[str] = attribute("summary sentences", factory=list)
    figures: list[Figure] = attribute("figure thumbnails the page shows", factory=list,
                                      entry_key=EntryKey(("index",)), merge=Merge.KEYED)
    venue: str | None = attribute("where the paper was published or presented (\"MLSys 2022\")")
    via: str | None = attribute("where the listing site got the paper (\"arxiv\")")
    score: float | None = attribute("the page's score for the paper")
    license: str | None = attribute("the licence's URL", url=True)
    url: str | None = attribute("the paper's page as the source names it: its own paper page, or the arXiv "
                                "abstract URL it prints", url=True)
    pdf_url: str | None = attribute("the PDF", url=True)
    arxiv_id: str | None = attribute("arXiv id without version: 2204.02311, hep-th/9901001",
                                     schema={"pattern": r"^([a-z-]+(\.[A-Z]{2})?/[0-9]{7}|[0-9]{4}\.[0-9]{4,5})$"})
    version: int | None = attribute("the arXiv version the page shows", schema={"minimum": 1})
    versions: list[Version] = attribute("every arXiv version with its date and size", factory=list,
                                        entry_key=EntryKey(("version",)), merge=Merge.KEYED)
    withdrawn: bool | None = attribute("true where the version shown was withdrawn")
    comments: str | None = attribute("the authors' comments (arXiv)")
    journal_ref: str | None = attribute("journal reference (arXiv)")
    doi: str | None = attribute("DOI, without resolver: 10.1145/1234.5678")
    report_no: str | None = attribute("report number (arXiv)")
    msc_class: str | None = attribute("MSC classes (arXiv)")
    acm_class: str | None = attribute("ACM classes (arXiv)")
    related: list[Related] = attribute("papers the page lists as related", factory=list,
                                       entry_key=EntryKey(("arxiv_id", "title")), merge=Merge.KEYED)
    listed_by: list[str] = attribute("the author profiles the paper was found on (names)", factory=list,
                                     merge=Merge.UNION)
    provenance: list[Provenance] = attribute("after merging: each source's site, URL, date and author list",
                                             factory=list, entry_key=EntryKey(("site", "url"), together=True),
                                             merge=Merge.BY_MERGE, filled=False)
    completed_from: dict[str, list[str]] = attribute("fields another source filled, by that source: "
                                                     "{\"arxiv\": [\"authors\", \"date\"]}", factory=dict,
                                                     merge=Merge.BY_MERGE, filled=False)
    problems: list[str] = _problems()

    # No __post_init__ id: the adapters fill authors after building the record, and the id depends on
    # the first author. to_dict computes it from the record as it is then.

    def set_date(self, parsed: ParsedDate | None) -> None:
        """date, date_raw and date_year_inferred from one parsed date (nothing where there is none)."""
        if parsed is not None:
            self.date, self.date_raw, self.date_year_inferred = parsed.value, parsed.raw, parsed.year_inferred

    def set_authors(self, parsed: AuthorList | None) -> None:
        """authors and authors_complete from one parsed author list (nothing where there is none)."""
        if parsed is not None:
            self.authors, self.authors_complete = list(parsed.names), parsed.complete


Record = Author | Paper
RECORD_TYPES: tuple[type, ...] = (Author, Paper)
NESTED_TYPES: tuple[type, ...] = (Source, Metrics, Figure, Version, Related, Provenance)


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


def title_key(title: str, first_author: str | None) -> str:
    """The match key of a paper without an arXiv id: normalised title and first author."""
    return f"title:{normalise_title(title)}|{name_key(first_author) if first_author else ''}"


def match_keys(record: dict) -> list[str]:
    """Keys (JSON form) under which the same paper or author from another page is found: a paper by its arXiv
    id and by title and first author, an author by its id."""
    if record.get("type") != "paper":
        return [record["id"]]
    keys = [f"arxiv:{record['arxiv_id']}"] if record.get("arxiv_id") else []
    if record.get("title"):
        keys.append(title_key(record["title"], record["authors"][0] if record.get("authors") else None))
    return keys


def to_dict(record: Record | dict) -> dict[str, Any]:
    """The JSON form of a record: fields without a value are left out. A Paper gets its ``id`` (unless
    one was given) and ``ids`` here, from its fields as they are now."""
    data = _plain(record)
    if isinstance(record, Paper):
        data["id"] = record.id or paper_id(record.title, record.authors[0] if record.authors else None)
        data["ids"] = paper_ids(data)
    return data


_FIELDS: dict[type, tuple[str, ...]] = {}
_SCALARS = frozenset({str, int, float, bool, type(None)})      # already JSON: returned as they are


def _plain(value: Any) -> Any:
    """Dataclasses to dicts, recursively, dropping None and empty lists/dicts.

    Written out rather than dataclasses.asdict + a prune: asdict deep-copies every value, and this runs
    for every record in the crawl's pipelines. Scalars are taken as they are without a call (most values).
    """
    cls = type(value)
    if cls in _SCALARS:
        return value
    names = _FIELDS.get(cls)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        items = ((name, getattr(value, name)) for name in names)
    elif isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        return [item if type(item) in _SCALARS else _plain(item) for item in value]
    else:
        return value
    plain = {}
    for key, item in items:
        if type(item) not in _SCALARS:
            item = _plain(item)
        if item is not None and item != [] and item != {}:
            plain[key] = item
    return plain


# -- views of the specs the pipelines read (computed once) -------------------------------------------------


def _all_fields() -> list[dataclasses.Field]:
    return [f for cls in RECORD_TYPES + NESTED_TYPES for f in dataclasses.fields(cls)]


def _record_fields() -> list[dataclasses.Field]:
    return [f for cls in RECORD_TYPES for f in dataclasses.fields(cls)]


def _names(fields: list[dataclasses.Field], test) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.name for f in fields if test(spec_of(f))))


# Field names anywhere in a record (nested records too) whose value is a URL.
URL_FIELDS: frozenset[str] = frozenset(_names(_all_fields(), lambda s: s.url))
# List field name -> how its entries are keyed (dedupe in NormaliseRecords, keyed union in the merge).
ENTRY_KEYS: dict[str, Any] = {f.name: spec_of(f).entry_key for f in _all_fields() if spec_of(f).entry_key}
UNION_FIELDS: tuple[str, ...] = _names(_record_fields(), lambda s: s.merge is Merge.UNION)
KEYED_FIELDS: tuple[str, ...] = _names(_record_fields(), lambda s: s.merge is Merge.KEYED)
EACH_KEY_FIELDS: tuple[str, ...] = _names(_record_fields(), lambda s: s.merge is Merge.EACH_KEY)
# Group name -> its fields in declaration order; field -> its group's name.
GROUPS: dict[str, tuple[str, ...]] = {
    group: _names(list(dataclasses.fields(Paper)), lambda s, g=group: s.group == g)
    for group in dict.fromkeys(spec_of(f).group for f in dataclasses.fields(Paper) if spec_of(f).group)}
GROUP_OF: dict[str, str] = {name: group for group, names in GROUPS.items() for name in names}
NOT_FILLED: frozenset[str] = frozenset(_names(_record_fields(), lambda s: not s.filled))
REQUIRED_FIELDS: frozenset[str] = frozenset(_names(_record_fields(), lambda s: s.required))
# What the merge copies from each source into its provenance entry.
PROVENANCE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Provenance)
                                           if f.name not in ("site", "url"))


# -- the schema ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("parsers").joinpath("schema/record.schema.json").read_text())


def _inline_refs(node: Any, defs: dict) -> Any:
    """The schema with every local ``$ref`` replaced by its definition (none is recursive): the same
    checks, about a quarter faster per record, as jsonschema then resolves no reference."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline_refs(defs[node["$ref"].rsplit("/", 1)[1]], defs)
        return {key: _inline_refs(value, defs) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(value, defs) for value in node]
    return node


@lru_cache(maxsize=1)
def _inlined_schema() -> dict:
    return _inline_refs(schema(), schema().get("$defs", {}))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    """jsonschema's validator, built once per process: the errors it gives (path, validator, message) are
    what ValidateRecords repairs by. (The schema has no ``format`` keyword today: its format checker costs
    nothing, and checks one if a field gets it, as fastjsonschema does.)"""
    cls = jsonschema.validators.validator_for(schema())
    return cls(_inlined_schema(), format_checker=cls.FORMAT_CHECKER)


_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description"})     # keywords that check nothing


def _checks_only(node: Any) -> Any:
    """The schema without its annotations, ``const`` written as a one-value ``enum`` (the same test in
    fastjsonschema; its ``const`` fails to compile without detailed exceptions, in 2.22)."""
    if isinstance(node, list):
        return [_checks_only(item) for item in node]
    if not isinstance(node, dict):
        return node
    checks = {key: _checks_only(value) for key, value in node.items()
              if key not in _ANNOTATIONS and key != "properties"}
    if "properties" in node:                       # property names are not keywords: "title" is a field
        checks["properties"] = {name: _checks_only(value) for name, value in node["properties"].items()}
    if "const" in checks:
        checks["enum"] = [checks.pop("const")]
    return checks


@lru_cache(maxsize=1)
def _compiled_check() -> Callable[[Any], Any]:
    """The same schema compiled to Python by fastjsonschema, once per process: about 13 times faster than
    jsonschema on a valid record (21 against 285 us on a merged profile paper), but it stops at the first
    error and its errors are not jsonschema's. Without annotations and detailed exceptions, as each raise
    would otherwise carry its part of the schema as a constant (9.5 MB resident, against 3.5).
    ``use_default=False``: it must not fill defaults into the record."""
    return fastjsonschema.compile(_checks_only(_inlined_schema()), use_default=False,
                                  detailed_exceptions=False)


def passes_schema(data: dict) -> bool:
    """True when a record in its JSON form passes the compiled check. Never looser than jsonschema on JSON
    data (stricter in one place: it reads ``$`` in a pattern as end of string, where Python's ``re`` also
    matches before a final newline); tests/test_schema_check.py compares the two on mutated records."""
    try:
        _compiled_check()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def json_errors(data: dict) -> list[jsonschema.ValidationError]:
    """``schema_errors`` of a record already in its JSON form (``to_dict``'s output, or a merged record from
    the store), read as it is, not copied: the compiled check first, and jsonschema's full list of errors
    only for a record that fails it."""
    if passes_schema(data):
        return []
    return sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))


def schema_errors(record: Record | dict) -> list[jsonschema.ValidationError]:
    """Every way the record (JSON form) breaks the contract, ordered by path (empty when valid)."""
    return json_errors(to_dict(record))


def format_error(error: jsonschema.ValidationError) -> str:
    """One line: "path: message" ("<record>" for the record itself)."""
    return f"{'/'.join(map(str, error.absolute_path)) or '<record>'}: {error.message}"


def validation_errors(record: Record | dict) -> list[str]:
    """``schema_errors`` as "path: message" lines."""
    return [format_error(error) for error in schema_errors(record)]

"""The merge rules: the same paper from several pages or sites becomes one record; the same author too.

``merge_records`` is pure (records in, one record out); the store (crawlers/store/) groups the records of
one paper or author by their match keys and calls it for the group's source rows every time one arrives.
"""

from __future__ import annotations

from typing import Any

from parsers.records import (EACH_KEY_FIELDS, ENTRY_KEYS, GROUP_OF, GROUPS, KEYED_FIELDS, NOT_FILLED,
                             PROVENANCE_FIELDS, UNION_FIELDS, paper_id, paper_ids)
from parsers.sites import merge_rank

# How each field is merged (union, keyed list, from one source with its group, ...) is declared with the field
# in parsers/records.py; the tables used here are views of those declarations.
DATE_FIELDS = GROUPS["date"]                   # kept together, from the source with the best date
COMPLETENESS = {True: 0, None: 1, False: 2}


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

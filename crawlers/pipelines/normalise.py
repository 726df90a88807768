"""NormaliseRecords: whitespace collapsed, URLs made canonical, repeated list entries dropped; and each record
turned into its JSON form (``to_dict``), the one form every later pipeline reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from itemadapter import ItemAdapter
from w3lib.url import safe_url_string

from parsers.fields.text import clean_text
from parsers.records import ENTRY_KEYS, RECORD_TYPES, URL_FIELDS, to_dict

# Which fields are URLs, and how entries of a list are recognised as the same entry, are declared with the
# fields in parsers/records.py (URL_FIELDS, ENTRY_KEYS: views of the field specs, computed at import).


@lru_cache(maxsize=8192)   # every record of a page repeats its source URL: 33 times on a scholar profile
def normalise_url(url: str) -> str:
    """Whitespace trimmed, unsafe characters percent-encoded, scheme and host lower-cased."""
    url = safe_url_string(url.strip())
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


def _dedupe(items: list, key: Callable[[Any], Any]) -> list:
    seen: set = set()
    kept = []
    for item in items:
        k = key(item)
        k = repr(k) if isinstance(k, (dict, list)) else k
        if k in seen:
            continue
        seen.add(k)
        kept.append(item)
    return kept


def normalise_value(value: Any, field: str = "") -> Any:
    """The cleaned value: strings collapsed (URLs canonicalised), lists deduplicated, nested records
    (dataclasses, dicts) cleaned copies."""
    kind = type(value)
    if kind is str:
        text = clean_text(value)
        return normalise_url(text) if field in URL_FIELDS and text else text
    if value is None or kind is bool or kind is int or kind is float:  # most fields: nothing to clean
        return value
    if kind is list:
        if field not in URL_FIELDS and all(type(item) is str for item in value):    # names, categories, ...
            cleaned = [clean_text(item) for item in value]
        else:
            cleaned = [normalise_value(item, field) for item in value]
        cleaned = [item for item in cleaned if item != ""]
        default_key = (lambda s: s.casefold()) if all(isinstance(i, str) for i in cleaned) else repr
        return _dedupe(cleaned, ENTRY_KEYS.get(field, default_key))
    if isinstance(value, str):  # a str subclass
        text = clean_text(value)
        return normalise_url(text) if field in URL_FIELDS and text else text
    if isinstance(value, list):
        return normalise_value(list(value), field)
    if isinstance(value, dict):
        return {key: normalise_value(item, key) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # A copy, not an update in place: nested records (Figure, ...) may be frozen.
        return dataclasses.replace(value, **{name: normalise_value(getattr(value, name), name)
                                             for name in _init_fields(kind)})
    return value


@lru_cache(maxsize=None)
def _init_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


class NormaliseRecords:
    """Cleans every field of an item; a record (Author, Paper) comes out in its JSON form. Other items
    (dicts, completion results) are cleaned in place. Never drops a record."""

    def process_item(self, item: Any, spider=None) -> Any:
        if isinstance(item, RECORD_TYPES):
            # Our records, read directly: ItemAdapter's generality costs per field, and this runs per record.
            for field in _field_names(type(item)):
                if hasattr(item, field):  # as ItemAdapter does: a field never set is left alone
                    setattr(item, field, normalise_value(getattr(item, field), field))
            return to_dict(item)
        adapter = ItemAdapter(item)
        for field in list(adapter.keys()):
            adapter[field] = normalise_value(adapter[field], field)
        return item

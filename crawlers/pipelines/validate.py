"""ValidateRecords: every record checked against the schema before it is written.

What happens to an invalid record (nothing is dropped silently; each case is counted in stats, logged in
one line with the URL, and written with its URL and reasons to ``<output file>.errors.jsonl``):

- where the offending values are optional fields or list entries, those values are removed, each one named
  in the record's ``problems``, and the record, now valid, goes to the output as a partial record
  (stat ``validate/repaired``; errors file line with ``"action": "repaired"``);
- where a required field (type, id, source, title, name) is wrong, the record cannot be loaded downstream
  and goes only to the errors file, whole (stat ``validate/invalid``; ``"action": "dropped"``).

So every line of the output validates against ``parsers/schema/record.schema.json``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from jsonschema import ValidationError
from scrapy import signals
from scrapy.exceptions import DropItem

from crawlers.outputs import ERRORS_SUFFIX, beside_feed
from parsers.records import REQUIRED_FIELDS, format_error, json_errors, schema_errors, to_dict

logger = logging.getLogger(__name__)

UNEXPECTED = "not a field of the record schema"


def _unexpected_keys(error: ValidationError) -> list[str]:
    """The keys an ``additionalProperties`` error is about, in the record's order."""
    declared = error.schema.get("properties", {})
    return [key for key in error.instance if key not in declared]


def repair(record: dict, errors: list[ValidationError]) -> tuple[dict, list[ValidationError]]:
    """A copy of the record without the values the errors point at, each named in ``problems``, and
    the errors that cannot be repaired that way (on required fields, or on the record as a whole)."""
    fixed = json.loads(json.dumps(record))
    unrepairable: list[ValidationError] = []
    removals: list[tuple[str, int | None, str]] = []
    for error in errors:
        path = list(error.absolute_path)
        if not path and error.validator == "additionalProperties":
            removals += [(key, None, UNEXPECTED) for key in _unexpected_keys(error)]
            continue
        if not path or path[0] in REQUIRED_FIELDS:
            unrepairable.append(error)
            continue
        index = path[1] if len(path) > 1 and isinstance(path[1], int) else None
        removals.append((str(path[0]), index, error.message))
    problems = fixed.setdefault("problems", [])
    for field, index, message in sorted(removals, key=lambda r: (r[0], -(r[1] if r[1] is not None else -1))):
        value = fixed.get(field)
        if index is not None and isinstance(value, list) and index < len(value):
            del value[index]
            problems.append(f"{field}[{index}] removed: {message}")
            if not value:
                del fixed[field]
        elif field in fixed:
            del fixed[field]
            problems.append(f"{field} removed: {message}")
    return fixed, unrepairable


class ValidateRecords:
    """Passes valid records on in their JSON form; repairs or diverts invalid ones (module docstring).
    Most records are valid: they pass the compiled check alone (parsers.records.json_errors), and only an
    invalid one is checked again by jsonschema, whose errors say what to remove."""

    def __init__(self, errors_path: str | Path | None = None, stats=None) -> None:
        self.errors_path = Path(errors_path) if errors_path else None
        self.stats = stats
        self._errors_file = None

    @classmethod
    def from_crawler(cls, crawler) -> ValidateRecords:
        pipeline = cls(beside_feed(crawler.settings, ERRORS_SUFFIX), crawler.stats)
        # Closed on spider_closed, not close_spider: StoreRecords' close_spider checks the export with it.
        crawler.signals.connect(pipeline.close_errors_file, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider=None) -> None:
        if self.errors_path is not None:
            self.errors_path.parent.mkdir(parents=True, exist_ok=True)
            self._errors_file = self.errors_path.open("w", encoding="utf-8")

    def close_errors_file(self, spider=None) -> None:
        if self._errors_file is not None:
            self._errors_file.close()

    def process_item(self, item: Any, spider=None) -> dict:
        # A dict is a record in its JSON form already (the store's merged records): read as it is, not copied.
        record = item if isinstance(item, dict) else to_dict(item)
        errors = json_errors(record)
        if not errors:
            return record
        source = record.get("source")       # a broken record's may be anything (None, a string)
        url = source.get("url") or "<no source url>" if isinstance(source, dict) else "<no source url>"
        fixed, unrepairable = repair(record, errors)
        reasons = [format_error(error) for error in errors]    # the one place errors become text
        if not unrepairable and not schema_errors(fixed):
            self._report("repaired", url, record, reasons)
            return fixed
        self._report("dropped", url, record, reasons)
        raise DropItem(f"{url}: invalid {record.get('type', 'record')} {record.get('id', '')}: {reasons[0]}")

    def _report(self, action: str, url: str, record: dict, errors: list[str]) -> None:
        logger.warning("invalid record %s from %s (%s): %s", record.get("id", "?"), url, action,
                       "; ".join(errors))
        if self.stats is not None:
            self.stats.inc_value("validate/repaired" if action == "repaired" else "validate/invalid")
        if self._errors_file is not None:
            line = {"url": url, "id": record.get("id"), "action": action, "reasons": errors, "record": record}
            self._errors_file.write(json.dumps(line, ensure_ascii=False) + "\n")
            self._errors_file.flush()

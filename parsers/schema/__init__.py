"""The JSON Schema of the records, generated from the classes in parsers/records.py.

``python -m parsers.schema`` writes it to ``parsers/schema/record.schema.json`` (committed: the published
contract); a test fails when the committed file is not what the classes generate. Each field gives its type
(from the annotation), its description and the keywords of its spec (``FieldSpec.schema``); a nested record
is a ``$defs`` entry; ``required`` lists the fields whose spec says so.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any

from parsers import records
from parsers.records import spec_of

SCHEMA_FILE = Path(__file__).with_name("record.schema.json")
SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}
# Nested records whose entries may carry more keys than declared (provenance entries grow with the merge).
OPEN_RECORDS = (records.Provenance,)


def _def_name(cls: type) -> str:
    return cls.__name__.lower()


def _type_schema(annotation: Any) -> dict:
    """JSON Schema of a field's annotation; ``X | None`` is X (absent means None)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _type_schema(inner)
    if origin is list:
        (item,) = typing.get_args(annotation)
        return {"type": "array", "items": _item_schema(item)}
    if origin is dict:
        key, value = typing.get_args(annotation)
        return {"type": "object", "additionalProperties": _item_schema(value)}
    if dataclasses.is_dataclass(annotation):
        return {"$ref": f"#/$defs/{_def_name(annotation)}"}
    return {"type": SCALARS[annotation]}


def _item_schema(annotation: Any) -> dict:
    """An entry of a list: a string entry is never empty (NormaliseRecords drops empty ones)."""
    found = _type_schema(annotation)
    return {**found, "minLength": 1} if found.get("type") == "string" else found


def record_schema(cls: type) -> dict:
    """The object schema of one record class."""
    hints = typing.get_type_hints(cls)
    properties = {}
    for field in dataclasses.fields(cls):
        spec = spec_of(field)
        if not spec.checked:
            found = {}
        elif "const" in spec.schema:
            found = dict(spec.schema)
        else:
            found = {**_type_schema(hints[field.name]), **spec.schema}
        properties[field.name] = {**found, "description": spec.doc}
    schema: dict[str, Any] = {"type": "object", "description": (cls.__doc__ or "").strip()}
    if cls not in OPEN_RECORDS:
        schema["additionalProperties"] = False
    required = [field.name for field in dataclasses.fields(cls) if spec_of(field).required]
    if required:
        schema["required"] = required
    schema["properties"] = properties
    return schema


def generate() -> dict:
    """The whole schema: one record per line, an author or a paper by its ``type``."""
    kinds = {cls: spec_of(next(f for f in dataclasses.fields(cls) if f.name == "type")).schema["const"]
             for cls in records.RECORD_TYPES}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/scholar-scrapers/record.schema.json",
        "title": "Scholarly author data record (one JSON Lines line)",
        "description": "Generated from parsers/records.py by `python -m parsers.schema`: do not edit by hand. "
                       "Every record has type, a stable id and source {site, url}. Fields the page lacks are "
                       "absent.",
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(kinds.values()), "description": "record type"}},
        "allOf": [{"if": {"properties": {"type": {"const": kind}}}, "then": {"$ref": f"#/$defs/{kind}"}}
                  for kind in kinds.values()],
        "$defs": {**{kind: record_schema(cls) for cls, kind in kinds.items()},
                  **{_def_name(cls): record_schema(cls) for cls in records.NESTED_TYPES}},
    }


def render() -> str:
    return json.dumps(generate(), indent=1, ensure_ascii=False) + "\n"


def write(path: Path = SCHEMA_FILE) -> Path:
    path.write_text(render(), encoding="utf-8")
    return path

"""The published JSON Schema is generated from parsers/records.py: the committed file must be what the classes
generate, and every field must say what it holds."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from parsers import records
from parsers.records import schema
from parsers.schema import SCHEMA_FILE, generate, render


def test_committed_schema_is_the_generated_one():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(), (
        "parsers/schema/record.schema.json is stale: run `python -m parsers.schema` and commit it")
    assert schema() == generate()


def test_every_field_of_every_record_is_described():
    for definition in generate()["$defs"].values():
        assert definition["description"]
        assert all(prop.get("description") for prop in definition["properties"].values())
    for cls in records.RECORD_TYPES + records.NESTED_TYPES:
        assert cls.__doc__ and all(records.spec_of(f).doc for f in dataclasses.fields(cls))


def test_required_fields_are_the_ones_a_record_cannot_be_loaded_without():
    defs = generate()["$defs"]
    assert defs["paper"]["required"] == ["title", "source", "id", "type"]
    assert defs["author"]["required"] == ["name", "source", "id", "type"]
    assert defs["figure"]["required"] == ["index", "caption"]


def test_a_url_field_is_a_url_for_the_cleaner_too():
    # license holds a URL ("http://creativecommons.org/licenses/by/4.0/"): it is canonicalised like the others.
    assert {"url", "pdf_url", "code_url", "photo_url", "image_url", "license"} <= records.URL_FIELDS
    assert "title" not in records.URL_FIELDS and "doi" not in records.URL_FIELDS


def test_provenance_keeps_only_paper_fields_of_the_same_type():
    paper_types = {f.name: f.type for f in dataclasses.fields(records.Paper)}
    for field in dataclasses.fields(records.Provenance):
        if field.name not in ("site", "url"):
            assert paper_types[field.name] == field.type, field.name
    assert json.loads(json.dumps(generate()))  # plain JSON


def _field_list() -> str:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    return readme.split("## What you get", 1)[1].split("\n## ", 1)[0]


def test_readme_field_list_names_every_declared_field_and_no_other():
    named = set(re.findall(r"`([a-z_]+)`", _field_list()))
    declared = {f.name for cls in records.RECORD_TYPES + records.NESTED_TYPES for f in dataclasses.fields(cls)}
    assert declared - named == set(), "fields missing from the README's field list"
    assert named - declared - {"author", "paper"} == set(), "README names fields the records do not have"

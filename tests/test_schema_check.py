"""The compiled schema check (fastjsonschema) lets a record through only where jsonschema finds no error, so
validating with it first changes nothing: the same errors, the same repairs, the same errors file.

The records mutated are those the parsers give for the saved pages of fixtures/pages.json, in their JSON
form, alone and merged (a merged record carries provenance and ids)."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.exceptions import DropItem

from crawlers.pipelines import ValidateRecords, merge_records
from parsers import parse_page, records
from parsers.page import Page
from parsers.records import json_errors, passes_schema, to_dict
from tests.conftest import CAPTURE_DAY, FIXTURES


def _fixture_records() -> list[dict]:
    found = []
    for row in json.loads((FIXTURES / "pages.json").read_text(encoding="utf-8")):
        if row.get("capture") != "html":
            continue
        result = parse_page(Page.from_file(FIXTURES / row["file"], row["url"]), as_of=CAPTURE_DAY)
        found += [json.loads(json.dumps(to_dict(record))) for record in result.records]
    merged = [merge_records([record]) for record in found if record["type"] == "paper"]
    return found + merged


BASE = _fixture_records()

# Values the schema has an opinion on: wrong types, empty and blank strings, negatives, a float where an
# integer goes, a trailing newline where a pattern ends in "$", Arabic-Indic digits where [0-9] is asked.
ODD_VALUES = st.sampled_from([None, "", " ", "x", "abc\n", "2204.02311", "2204.02311\n", "٢٢٠٤.٠٢٣١١",
                              0, -1, 1.0, 2.5, -0.5, True, False, 10**20, [], [""], [None], [1], ["a", "a"],
                              {}, {"x": 1}, {"index": 1, "caption": "c"}, {"site": "arxiv", "url": "u"},
                              "2022-04-05", "Apr 5", "paper", "author", "https://arxiv.org/abs/2204.02311"]
                             ).map(copy.deepcopy)          # a fresh copy each time: the mutations change it
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)
VALUES = ODD_VALUES | JSON_VALUES


def _containers(value, path=()):
    """(path, container) for the record and every dict and list inside it."""
    if isinstance(value, (dict, list)):
        yield path, value
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            yield from _containers(item, (*path, key))


@st.composite
def mutated_records(draw) -> dict:
    """A fixture record with one to three changes: a value replaced, a key removed, or a key added."""
    record = json.loads(json.dumps(draw(st.sampled_from(BASE))))
    for _ in range(draw(st.integers(1, 3))):
        _, container = draw(st.sampled_from(list(_containers(record))))
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if isinstance(container, list):
            if container and action != "add":
                index = draw(st.integers(0, len(container) - 1))
                if action == "remove":
                    del container[index]
                else:
                    container[index] = draw(VALUES)
            else:
                container.append(draw(VALUES))
        elif action == "add" or not container:
            container[draw(st.sampled_from(["extra", "title", "id", "doi", "metrics", "index", "date"]))] = \
                draw(VALUES)
        else:
            key = draw(st.sampled_from(sorted(container)))
            if action == "remove":
                del container[key]
            else:
                container[key] = draw(VALUES)
    return record


def _described(errors) -> list[tuple]:
    return [(list(e.absolute_path), e.validator, e.message) for e in errors]


def _full_errors(record: dict) -> list:
    return sorted(records._validator().iter_errors(record), key=lambda e: list(map(str, e.absolute_path)))


def test_every_fixture_record_is_valid_for_both():
    assert len(BASE) > 100
    assert [r["id"] for r in BASE if not passes_schema(r) or _full_errors(r)] == []


@settings(max_examples=400)
@given(record=mutated_records())
def test_the_compiled_check_passes_a_record_only_where_jsonschema_finds_no_error(record):
    # (json_errors is jsonschema's own iter_errors once the compiled check fails: comparing the two would compare
    # a function with itself.)
    if passes_schema(record):
        assert _described(_full_errors(record)) == []


@pytest.mark.parametrize("change, expected", [
    # Stricter than jsonschema ("$" read as end of string), so jsonschema decides: the newline is allowed.
    ({"arxiv_id": "2204.02311\n"}, []),
    ({"arxiv_id": "٢٢٠٤.٠٢٣١١"}, [(["arxiv_id"], "pattern")]),
    ({"version": 0}, [(["version"], "minimum")]),
    ({"figures": [{"index": 1.0, "caption": "Figure 1"}]}, []),        # 1.0 is an integer to both
    ({"figures": [{"index": 1.5, "caption": "Figure 1"}]}, [(["figures", 0, "index"], "type")]),
    ({"title": ""}, [(["title"], "minLength")]),
    ({"extra": 1}, [([], "additionalProperties")]),
])
def test_json_errors_are_jsonschemas_errors(change, expected):
    paper = next(r for r in BASE if r["type"] == "paper" and "provenance" not in r)
    record = {**paper, **change}
    assert [(list(e.absolute_path), e.validator) for e in json_errors(record)] == expected


def _validate_all(items: list[dict], errors_path: Path) -> list:
    pipeline = ValidateRecords(errors_path)
    pipeline.open_spider()
    outcomes = []
    for item in items:
        try:
            outcomes.append(pipeline.process_item(json.loads(json.dumps(item))))
        except DropItem as exc:
            outcomes.append(f"dropped: {exc}")
    pipeline.close_errors_file()
    return outcomes


@settings(max_examples=50)
@given(items=st.lists(mutated_records(), min_size=1, max_size=5))
def test_validate_records_repairs_and_reports_as_with_jsonschema_alone(items):
    """ValidateRecords with the compiled check first gives what it gave with jsonschema alone: the same
    records out (repaired or not), the same drops, the same errors file."""
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        with_check = _validate_all(items, tmp / "fast.errors.jsonl")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(records, "passes_schema", lambda data: False)     # every record through jsonschema
            alone = _validate_all(items, tmp / "jsonschema.errors.jsonl")
        assert with_check == alone
        assert (tmp / "fast.errors.jsonl").read_text() == (tmp / "jsonschema.errors.jsonl").read_text()


def test_an_invalid_record_is_still_repaired_and_reported(tmp_path):
    paper = next(r for r in BASE if r["type"] == "paper" and "provenance" not in r)
    (fixed, dropped) = _validate_all([{**paper, "version": 0}, {**paper, "title": ""}], tmp_path / "e.jsonl")
    assert "version" not in fixed
    assert fixed["problems"][-1] == "version removed: 0 is less than the minimum of 1"
    assert dropped.startswith("dropped: ") and "title" in dropped
    lines = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text().splitlines()]
    assert [(line["action"], line["reasons"][0].split(":")[0]) for line in lines] == [("repaired", "version"),
                                                                                   ("dropped", "title")]


@pytest.mark.parametrize("source", [None, "https://example.org/p", {}])
def test_a_record_whose_source_is_broken_is_dropped_and_named_not_a_crash(source, tmp_path):
    # Found by the Hypothesis test above: a record with "source": None raised AttributeError in
    # ValidateRecords once it read dicts as they are (to_dict used to drop the None).
    paper = next(r for r in BASE if r["type"] == "paper")
    (dropped,) = _validate_all([{**paper, "source": source}], tmp_path / "e.jsonl")
    assert dropped.startswith("dropped: <no source url>: invalid paper ") and "source" in dropped


def test_the_stores_merged_records_are_already_in_json_form(tmp_path):
    """ValidateRecords reads the store's merged records as they are, without ``to_dict``'s copy: so they must
    be what ``to_dict`` gives, nothing empty left in (an empty value would be written, and fail the schema).
    The fixture pages' records, each added twice under another page's URL so that they merge."""
    from crawlers.pipelines import NormaliseRecords
    from crawlers.store import Store

    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        store.start_crawl()
        for record in [r for r in BASE if "provenance" not in r]:
            store.add(NormaliseRecords().process_item(json.loads(json.dumps(record))))
            other = {**record, "source": {**record["source"], "url": record["source"]["url"] + "?copy"}}
            store.add(NormaliseRecords().process_item(other))
        merged = list(store.merged())
    finally:
        store.close()
    assert len(merged) > 50 and any(len(r.get("provenance", [])) > 1 for r in merged)
    assert [r["id"] for r in merged if to_dict(r) != r] == []

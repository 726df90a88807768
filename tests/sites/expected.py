"""Comparing parsed records with the hand-written expected records beside a fixture, field by field.

    record_diffs(actual, expected) -> ["paper 3 'PaLM: ...': related[6].title: got '...', expected '...'", ...]

Every field of both sides is compared, down to list items and nested objects. A paper's ``id`` is a hash
nobody writes by hand: an expected paper without "id" (nor "ids") requires a ``title:<16 hex>`` id, and
``ids`` to be sorted and to hold that id, ``arxiv:<arxiv_id>`` and ``doi:<doi>`` where the expected
record has them (read off the page) and nothing else.
"""

from __future__ import annotations

import re
from typing import Any

TITLE_ID = re.compile(r"title:[0-9a-f]{16}")


def record_diffs(actual: list[dict], expected: list[dict]) -> list[str]:
    diffs = []
    if len(actual) != len(expected):
        diffs.append(f"record count: got {len(actual)}, expected {len(expected)}: "
                     f"{[r.get('title') or r.get('name') for r in actual]}")
    for number, (got, want) in enumerate(zip(actual, expected)):
        where = f"{want.get('type')} {number} {want.get('title') or want.get('name')!r}"
        diffs += [f"{where}: {diff}" for diff in paper_diffs(got, want)]
    return diffs


def paper_diffs(got: dict, want: dict) -> list[str]:
    """field_diffs of one record, with a paper's ``id``/``ids`` checked by their properties where the
    expected record leaves them out (module docstring)."""
    got, diffs = dict(got), []
    if want.get("type") == "paper" and "id" not in want and "ids" not in want:
        diffs += id_list_diffs(got, want)
        got.pop("ids", None)
        if not TITLE_ID.fullmatch(str(got.pop("id", ""))):
            diffs.append("id: expected a title:<16 hex> id")
    return diffs + field_diffs(got, want)


def id_list_diffs(got: dict, want: dict) -> list[str]:
    """What is wrong with a parsed paper's ``ids`` given the expected record's arXiv id and DOI."""
    expected = {got.get("id")}
    if want.get("arxiv_id"):
        expected.add(f"arxiv:{want['arxiv_id']}")
    if want.get("doi"):
        expected.add(f"doi:{want['doi'].lower()}")
    ids = got.get("ids")
    if ids != sorted(expected, key=str):
        return [f"ids: got {_short(ids)}, expected {_short(sorted(expected, key=str))}"]
    return []


def field_diffs(actual: Any, expected: Any, path: str = "") -> list[str]:
    """Every place the two JSON values differ, one line each ("related[6].title: got …, expected …")."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return [diff for key in sorted(expected.keys() | actual.keys())
                for diff in _key_diffs(actual, expected, key, f"{path}.{key}" if path else key)]
    if isinstance(expected, list) and isinstance(actual, list):
        diffs = [diff for index, (got, want) in enumerate(zip(actual, expected))
                 for diff in field_diffs(got, want, f"{path}[{index}]")]
        if len(actual) != len(expected):
            missing = [item for item in expected if item not in actual]
            extra = [item for item in actual if item not in expected]
            diffs.append(f"{path}: {len(actual)} items, expected {len(expected)}; "
                         f"missing {_short(missing)}, unexpected {_short(extra)}")
        return diffs
    if actual != expected or type(actual) is not type(expected):
        return [f"{path}: got {_short(actual)}, expected {_short(expected)}"]
    return []


def _key_diffs(actual: dict, expected: dict, key: str, path: str) -> list[str]:
    if key not in actual:
        return [f"{path}: missing, expected {_short(expected[key])}"]
    if key not in expected:
        return [f"{path}: unexpected {_short(actual[key])}"]
    return field_diffs(actual[key], expected[key], path)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."

"""Comparing parsed records with the hand-written expected records beside a fixture, field by field.

    record_diffs(actual, expected) -> ["paper 3 'PaLM: ...': related[6].title: got '...', expected '...'", ...]

Every field of both sides is compared, down to list items and nested objects; an expected record
without "id" only requires a title-hash id ("title:…", a hash nobody writes by hand).
"""

from __future__ import annotations

from typing import Any


def record_diffs(actual: list[dict], expected: list[dict]) -> list[str]:
    diffs = []
    if len(actual) != len(expected):
        diffs.append(f"record count: got {len(actual)}, expected {len(expected)}: "
                     f"{[r.get('title') or r.get('name') for r in actual]}")
    for number, (got, want) in enumerate(zip(actual, expected)):
        where = f"{want.get('type')} {number} {want.get('title') or want.get('name')!r}"
        if "id" not in want:
            got = dict(got)
            if not str(got.pop("id", "")).startswith("title:"):
                diffs.append(f"{where}: id: expected a title: id")
        diffs += [f"{where}: {diff}" for diff in field_diffs(got, want)]
    return diffs


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

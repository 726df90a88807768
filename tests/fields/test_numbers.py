"""parse_number / parse_labelled_number / parse_score on the metric and score strings of real pages."""

from __future__ import annotations

import pytest

from parsers.fields.numbers import parse_labelled_number, parse_number, parse_score

NUMBER_CASES = [
    ("88,855", 88855),
    ("1,010", 1010),  # arXiv version size "(1,010 KB)"
    ("32", 32),
    (" 29 ", 29),
    ("180.69584031908113", 180.69584031908113),
    ("0.0", 0.0),
    ("1.2k", 1200),
    ("1.1k", 1100),  # exactly 1100, not 1100.0000000000002
    ("3.4M", 3400000),
    ("540B", 540_000_000_000),
    ("1.2345k", 1234.5),
    ("50%", 50),
    ("-3", -3),
    ("−3", -3),  # Unicode minus
    ("1\u202f234", 1234),  # thin-space thousands
    # bad input
    ("", None),
    ("   ", None),
    ("papers", None),
    ("32papers", None),  # a number with text around it is parse_labelled_number's job
    ("1,0", None),  # not a thousands group
    ("2,5", None),  # a European decimal: ambiguous
    ("1.2.3", None),
    ("nan", None),
    ("inf", None),
    ("1e400", None),
    ("9" * 41, None),
    ("1e999999k", None),
    (None, None),
    (12, None),
]


@pytest.mark.parametrize(("text", "expected"), NUMBER_CASES)
def test_parse_number(text, expected):
    value = parse_number(text)
    assert value == expected
    assert type(value) is type(expected)  # 1200 is a count (int), 180.69... a float


CARD = "Sharan Narang\nCL\nh-index29\n32papers\n88,855citations\nNovelty50%\nAI Score48"

LABELLED_CASES = [
    ("h-index29", "h-index", 29),
    ("32papers", "papers", 32),
    ("88,855citations", "citations", 88855),
    ("Novelty50%", "Novelty", 50),
    ("AI Score48", "AI Score", 48),
    ("32 Papers", "papers", 32),  # case-insensitive, space between
    ("H-INDEX 29", "h-index", 29),
    ("Score: 180.69584031908113", "Score", 180.69584031908113),
    ("1.2k citations", "citations", 1200),
    # the whole profile card at once: each label finds its own number
    (CARD, "h-index", 29),
    (CARD, "papers", 32),
    (CARD, "citations", 88855),
    (CARD, "Novelty", 50),
    (CARD, "AI Score", 48),
    ("AI Score48 Novelty50%", "Novelty", 50),  # glued after beats spaced before
    ("h-index29 32papers", "papers", 32),  # glued before beats nothing after
    # label absent or without a number
    ("h-index29", "papers", None),
    ("newspapers5", "papers", None),  # a label is a whole word
    ("h-index", "h-index", None),
    ("Novelty%", "Novelty", None),
    ("", "papers", None),
    ("32papers", "", None),
    (None, "papers", None),
    ("32papers", None, None),
]


@pytest.mark.parametrize(("text", "label", "expected"), LABELLED_CASES)
def test_parse_labelled_number(text, label, expected):
    assert parse_labelled_number(text, label) == expected


SCORE_CASES = [
    ("Score: 180.69584031908113", 180.69584031908113),
    ("- Score: 180.69584031908113", 180.69584031908113),
    ("[0.0]", 0.0),
    ("[2.012425476229879]", 2.012425476229879),
    ("[28.49433308281983]", 28.49433308281983),
    ("AI Score48", 48.0),
    ("Score: -1.5", -1.5),
    ("Score:", None),
    ("N/A", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("text", "expected"), SCORE_CASES)
def test_parse_score(text, expected):
    value = parse_score(text)
    assert value == expected
    assert value is None or type(value) is float

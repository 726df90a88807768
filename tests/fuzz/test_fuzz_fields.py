"""Every field parser on any input: it returns its kind of value or None, never raises, and never makes a value
the record schema refuses (a figure 0, a version 0, an arXiv id of the wrong shape, a non-ISO date)."""

from __future__ import annotations

import math
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.fields.categories import split_category_prefix, to_arxiv_category
from parsers.fields.dates import ParsedDate, find_date, find_dates, parse_date
from parsers.fields.figures import parse_figure_caption
from parsers.fields.identifiers import parse_arxiv_id, parse_doi
from parsers.fields.names import display_order, normalise_name, parse_author_list
from parsers.fields.numbers import parse_labelled_number, parse_number, parse_score
from parsers.fields.text import clean_text, fold_key, join_wrapped_lines, normalise_title, split_sentences, strip_tex
from parsers.records import schema
from tests.fuzz.hostile import HOSTILE_FRAGMENTS

# The record schema's own patterns: what a parser's value must match to be stored.
ISO_DATE = re.compile(schema()["$defs"]["version"]["properties"]["date"]["pattern"])
ARXIV_ID = re.compile(schema()["$defs"]["paper"]["properties"]["arxiv_id"]["pattern"])
ASCII_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?")

# Page text: anything, hostile fragments, and the shapes the parsers look for, glued together.
_WORDS = st.sampled_from(HOSTILE_FRAGMENTS) | st.sampled_from((
    "Jul 18, 2023", "Thu, 7 Apr 2022 16:38:01 GMT", "2025-01-10T00:10:21Z", "Jan 30", "18 juillet 2023",
    "88,855", "1.2k", "h-index", "papers", "Score: 180.69", "et al.", "Hugo Touvron, Louis Martin",
    "Narang, Sharan", "C. Bal\\'azs", "{\\ss}", "$\\mu$", "2204.02311v2", "hep-th/9901001", "doi:10.1145/1.2",
    "Figure 3 for PaLM", "CL", "cs.CL", "Computation and Language (cs.CL)", "e.g.", ". ", "\n", " ", ",", ";"))
TEXT = st.one_of(st.text(max_size=200), st.lists(_WORDS | st.text(max_size=8), max_size=12).map("".join))
NOT_TEXT = st.one_of(st.none(), st.integers(), st.binary(max_size=20), st.lists(st.text(max_size=5), max_size=3))


@pytest.fixture(scope="module", autouse=True)
def dateparser_loaded():
    """dateparser loads its languages on first use (seconds on a busy machine): not an input's time, so not
    counted against the long profile's 5 s per input."""
    parse_date("18 juillet 2023", date(2026, 11, 22))


def _is_valid_date(parsed: ParsedDate | None, text: str) -> bool:
    return parsed is None or (bool(ASCII_ISO_DATE.fullmatch(parsed.value)) and ISO_DATE.fullmatch(parsed.value)
                              is not None and parsed.raw in text and isinstance(parsed.year_inferred, bool))


@given(text=TEXT, as_of=st.none() | st.dates())
def test_dates_are_iso_days_or_none_for_any_text_and_reference_day(text, as_of):
    assert _is_valid_date(parse_date(text, as_of), text)
    found = find_date(text, as_of)
    assert found is None or (_is_valid_date(found[0], text) and 0 <= found[1] < found[2] <= len(text))
    for parsed, start, end in find_dates(text, as_of):
        assert _is_valid_date(parsed, text) and text[start:end] == parsed.raw


@given(value=NOT_TEXT)
def test_parsers_given_no_text_return_nothing(value):
    assert parse_date(value) is None and find_date(value) is None and find_dates(value) == []
    assert parse_number(value) is None and parse_score(value) is None and parse_labelled_number(value, "x") is None
    assert parse_arxiv_id(value) is None and parse_doi(value) is None and parse_figure_caption(value) is None
    assert to_arxiv_category(value) is None and split_category_prefix(value) == (None, "")
    assert parse_author_list(value).names == () and display_order(value) == ""
    assert clean_text(value) == "" and strip_tex(value) == ""


@given(text=TEXT, label=st.sampled_from(("h-index", "papers", "citations", "Novelty", "AI Score", "Papers", "")))
def test_numbers_are_finite_or_none(text, label):
    for value in (parse_number(text), parse_labelled_number(text, label), parse_score(text)):
        assert value is None or (type(value) in (int, float) and math.isfinite(value))
    score = parse_score(text)
    assert score is None or isinstance(score, float)


@given(text=TEXT)
def test_identifiers_have_the_shape_the_schema_stores(text):
    arxiv = parse_arxiv_id(text)
    assert arxiv is None or (ARXIV_ID.fullmatch(arxiv.id) and arxiv.id.isascii()
                             and (arxiv.version is None or 1 <= arxiv.version))
    doi = parse_doi(text)
    assert doi is None or (doi.startswith("10.") and "/" in doi)


@given(text=TEXT, image_url=st.none() | st.text(max_size=20))
def test_figures_are_numbered_from_one(text, image_url):
    figure = parse_figure_caption(text, image_url)
    assert figure is None or (figure.index >= 1 and isinstance(figure.caption, str))


@given(text=TEXT)
def test_names_are_non_empty_clean_strings(text):
    authors = parse_author_list(text)
    assert all(name and name == clean_text(name) for name in authors.names)
    assert isinstance(authors.complete, bool)
    assert isinstance(display_order(text), str) and isinstance(normalise_name(text), str)


@given(text=TEXT)
def test_categories_are_codes_or_none(text):
    code = to_arxiv_category(text)
    assert code is None or (code and " " not in code)
    label, rest = split_category_prefix(text)
    assert (label is None and rest == text) or (label and to_arxiv_category(label) and isinstance(rest, str))


@given(text=TEXT, lines=st.lists(TEXT, max_size=5))
def test_text_cleaning_gives_strings(text, lines):
    assert clean_text(text) == clean_text(clean_text(text))
    assert isinstance(join_wrapped_lines(lines), str) and isinstance(strip_tex(text), str)
    assert isinstance(fold_key(text), str) and isinstance(normalise_title(text), str)
    assert all(sentence.strip() for sentence in split_sentences(text))

"""parse_date / find_date / find_dates against date strings seen on real pages (seeds and arXiv abs pages)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from parsers.fields.dates import ParsedDate, find_date, find_dates, parse_date

AS_OF = date(2026, 11, 22)  # the day the fixture captures were taken

# (text, as_of, expected value or None, expected year_inferred)
PARSE_DATE_CASES = [
    # scholar profile cards
    ("Jul 18, 2023", AS_OF, "2023-07-18", False),
    ("Apr 19, 2022", AS_OF, "2022-04-19", False),
    ("Dec 8, 2015", AS_OF, "2015-12-08", False),
    ("Jan 30", AS_OF, "2026-01-30", True),
    ("Dec 25", AS_OF, "2025-12-25", True),  # Dec 25 2026 is after the reference day: the year before
    ("Nov 22", AS_OF, "2026-11-22", True),  # the reference day itself counts as "on or before"
    ("Nov 23", AS_OF, "2025-11-23", True),
    ("Feb 29", AS_OF, "2024-02-29", True),  # no Feb 29 in 2026 or 2025: the last leap year
    ("Jan 30", datetime(2026, 11, 22, 23, 59), "2026-01-30", True),  # a datetime reference is cut to its day
    ("Jan 30", None, None, None),  # yearless without a reference: no guess
    # arXiv: dateline, version lines, listing-export lines
    ("5 Apr 2022", None, "2022-04-05", False),
    ("Thu, 7 Apr 2022 16:38:01 GMT", None, "2022-04-07T16:38:01Z", False),
    ("Tue, 5 Apr 2022 17:53:07 UTC", None, "2022-04-05T17:53:07Z", False),
    ("Mon, 2 Apr 2007 19:18:42 GMT", None, "2007-04-02T19:18:42Z", False),
    ("Sat, 13 Dec 2008 17:26:00 GMT", None, "2008-12-13T17:26:00Z", False),
    ("Thu, 7 Apr 2022 16:38:01 +0200", None, "2022-04-07T14:38:01Z", False),  # converted to UTC
    ("Fri, 31 Dec 2021 23:30:00 -0500", None, "2022-01-01T04:30:00Z", False),  # ... across a year end
    ("2025-01-10T00:10:21Z", None, "2025-01-10T00:10:21Z", False),
    ("2025-01-10T05:40:21+05:30", None, "2025-01-10T00:10:21Z", False),
    ("(2025-01-10T00:10:21Z)", None, "2025-01-10T00:10:21Z", False),  # brackets around the date
    ("2022-04-05", None, "2022-04-05", False),
    ("2007/04/02", None, "2007-04-02", False),  # citation_date meta tag
    ("September 5, 2021", None, "2021-09-05", False),
    ("Sept. 5, 2021", None, "2021-09-05", False),
    # long tail: dateparser
    ("18 juillet 2023", None, "2023-07-18", False),
    ("2 days ago", AS_OF, "2026-11-20", True),
    ("2 days ago", None, None, None),  # relative without a reference: no guess, and never the clock
    # bad input
    ("", None, None, None),
    ("   ", AS_OF, None, None),
    ("Code", AS_OF, None, None),
    ("not a date", AS_OF, None, None),
    ("Feb 30, 2023", AS_OF, None, None),
    ("2023-02-30", None, None, None),
    ("Thu, 7 Apr 2022 25:38:01 GMT", None, None, None),
    ("Jan 32", AS_OF, None, None),
    ("32papers", AS_OF, None, None),
    ("h-index29", AS_OF, None, None),
    ("[2.012425476229879]", AS_OF, None, None),
    ("88,855citations", AS_OF, None, None),
    ("4.5B", AS_OF, None, None),
    ("March 2022", AS_OF, None, None),  # a month is not a day
    ("2022", AS_OF, None, None),
    ("Jane 5", AS_OF, None, None),
    ("2204.02311", AS_OF, None, None),
]


@pytest.mark.parametrize(("text", "as_of", "value", "inferred"), PARSE_DATE_CASES)
def test_parse_date(text, as_of, value, inferred):
    parsed = parse_date(text, as_of)
    if value is None:
        assert parsed is None
    else:
        assert parsed == ParsedDate(value, text.strip("()"), inferred)


@pytest.mark.parametrize(
    "junk", [None, 20220405, b"Jul 18, 2023", ["Jul 18, 2023"], "\x00", "(" * 500, "1" * 10_000])
def test_parse_date_never_raises(junk):
    assert parse_date(junk, AS_OF) is None
    assert find_date(junk, AS_OF) is None


def test_parse_date_ignores_a_reference_that_is_not_a_date():
    assert parse_date("Jan 30", "2026-11-22") is None
    assert parse_date("Jul 18, 2023", "2026-11-22") == ParsedDate("2023-07-18", "Jul 18, 2023", False)


# (text, as_of, expected value, expected raw == text[start:end], start)
FIND_DATE_CASES = [
    ("CLJul 18, 2023Code", AS_OF, "2023-07-18", "Jul 18, 2023", 2),
    ("LGMar 31, 2022Code", AS_OF, "2022-03-31", "Mar 31, 2022", 2),
    ("SDOct 20, 2017", AS_OF, "2017-10-20", "Oct 20, 2017", 2),
    ("DCJan 30", AS_OF, "2026-01-30", "Jan 30", 2),
    ("arXiv Detail & Related papers (2025-01-10T00:10:21Z) - Towards Multi-Modal Mastery", None,
     "2025-01-10T00:10:21Z", "2025-01-10T00:10:21Z", 31),
    ("[v1] Tue, 5 Apr 2022 17:53:07 UTC (1,010 KB)", None,
     "2022-04-05T17:53:07Z", "Tue, 5 Apr 2022 17:53:07 UTC", 5),
    ("[v2]\n        Tue, 24 Jul 2007 20:10:27 UTC (370 KB)", None,
     "2007-07-24T20:10:27Z", "Tue, 24 Jul 2007 20:10:27 UTC", 13),
    ("- Date: Thu, 7 Apr 2022 16:38:01 GMT", None, "2022-04-07T16:38:01Z", "Thu, 7 Apr 2022 16:38:01 GMT", 8),
    ("[Submitted on 5 Apr 2022 (v1), last revised 7 Oct 2022 (this version, v5)]", None,
     "2022-04-05", "5 Apr 2022", 14),
    ("PaLM: Scaling Language Modeling with Pathways\n\nApr 19, 2022\nAakanksha Chowdhery", None,
     "2022-04-19", "Apr 19, 2022", 47),
]


@pytest.mark.parametrize(("text", "as_of", "value", "raw", "start"), FIND_DATE_CASES)
def test_find_date(text, as_of, value, raw, start):
    parsed, begin, end = find_date(text, as_of)
    assert (parsed.value, parsed.raw, begin) == (value, raw, start)
    assert text[begin:end] == raw


@pytest.mark.parametrize("text", [
    "DCJan 30",  # yearless, and no reference date
    "Sharan Narang\nCL\nh-index29\n32papers\n88,855citations\nNovelty50%\nAI Score48",
    "- Score: 180.69584031908113",
    "The Impact of Model Scaling on Seen and Unseen Language Performance [2.012425476229879]",
    "Training LLMs with Fault Tolerant HSDP on 100,000 GPUs",
    "We may march on in June of next year",  # lower-case month words and a month without a day
    "a 4.5B Parameter Truly Multi-Modal Small Language Model [0.0]",
    "http://arxiv.org/abs/2204.02311v2",
    "",
])
def test_find_date_finds_nothing(text):
    assert find_date(text) is None


def test_find_dates_reads_the_whole_dateline():
    text = ("[Submitted on 4 Apr 2007 (v1), revised 5 Apr 2007 (this version, v2), "
            "latest version 6 Apr 2007 (v3)]")
    assert [(p.value, text[s:e]) for p, s, e in find_dates(text)] == [
        ("2007-04-04", "4 Apr 2007"), ("2007-04-05", "5 Apr 2007"), ("2007-04-06", "6 Apr 2007")]


def test_find_dates_does_not_double_count_a_timestamp():
    assert [p.value for p, _, _ in find_dates("Thu, 7 Apr 2022 16:38:01 GMT")] == ["2022-04-07T16:38:01Z"]

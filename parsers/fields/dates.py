"""Dates as printed on scholarly pages -> ISO 8601, keeping the page's own text beside the value.

The formats our sites print (arXiv RFC 2822 lines, "Jul 18, 2023" cards, ISO stamps) take a compiled-regex
fast path; any other string goes to dateparser, which knows the long tail of human formats and languages.
Nothing here reads the clock: a date without a year is resolved against the ``as_of`` the caller passes in.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = ["ParsedDate", "parse_date", "find_date", "find_dates"]


@dataclass(frozen=True)
class ParsedDate:
    """A date found in page text."""

    value: str  # ISO 8601 day "2023-07-18", or UTC timestamp "2025-01-10T00:10:21Z" when the text has a time
    raw: str  # the date text exactly as it appears on the page
    year_inferred: bool  # True when the text had no year (or was relative) and the reference date supplied it


MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
# Zones RFC 2822 names; anything else takes the dateparser path.
ZONES = {
    "GMT": 0, "UTC": 0, "UT": 0, "Z": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}
_ZONE_OFFSETS = {zone: timedelta(hours=hours) for zone, hours in ZONES.items()}  # made once, not per date
# Longer strings are prose, not a date: skip dateparser (slow, and eager to find dates in prose).
MAX_DATE_TEXT = 80
# Languages the fallback tries. All ~200 locales cost ~1 s on first use and read "5.4B" as an Azeri date.
FALLBACK_LANGUAGES = ["en", "fr", "de", "es", "it", "pt", "nl", "ru", "zh", "ja"]
# dateparser's "timestamp" and "no-spaces-time" parsers turn bare numbers (ids, counts) into dates.
FALLBACK_PARSERS = ["relative-time", "custom-formats", "absolute-time"]
# Reference days for probing whether a text's date moves with the reference (yearless or relative dates).
_PROBE_BASE = datetime(2001, 3, 7)
_PROBE_SHIFT = timedelta(days=1000)

# Month spellings: "Jan", "Jan.", "January", "Sept"; Title-case or upper-case only, since lower-case "may" and
# "march" in prose are words, and case lets a glued label ("CLJul", "DCJan") end at the (?<![a-z]) boundary.
_MONTH_WORDS = ["Jan(?:uary)?", "Feb(?:ruary)?", "Mar(?:ch)?", "Apr(?:il)?", "May", "June?", "July?",
                "Aug(?:ust)?", "Sep(?:t(?:ember)?)?", "Oct(?:ober)?", "Nov(?:ember)?", "Dec(?:ember)?"]
_MON = r"(?P<mon>" + "|".join(_MONTH_WORDS + [w.upper() for w in _MONTH_WORDS]) + r")\.?"
_TIME = (r"(?:,?\s+(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?"
         r"(?:\s*(?P<zone>[+-][0-9]{4}|[+-][0-9]{2}:[0-9]{2}|GMT|UTC|UT|Z|[ECMP][SD]T)(?![A-Za-z]))?)?")
_ISO = (r"(?<![0-9.])(?P<y>[0-9]{4})(?P<sep>[-/])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
        r"(?:[T ](?P<H>[0-9]{2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:\.[0-9]+)?)?"
        r"\s*(?P<zone>Z|[+-][0-9]{2}:?[0-9]{2}|UTC|GMT)?)?(?![0-9:])")
# "Thu, 7 Apr 2022 16:38:01 GMT", "5 Apr 2022", "30 Jan"
_DMY = (r"(?<![0-9A-Za-z])(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?\s+"
        + _MON + r"(?![a-z])(?:,?\s+(?P<y>[0-9]{4})(?![0-9])" + _TIME + r")?(?![0-9:])")
# "Jul 18, 2023", "Jan 30", "September 5 2021"
_MDY = (r"(?<![a-z])(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?" + _MON
        + r"(?![a-z])\s*(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?(?![0-9])"
        + r"(?:,?\s*(?P<y>[0-9]{4})(?![0-9])" + _TIME + r")?(?![0-9:])")
# [0-9], not \d: Python's \d also matches other scripts' digits ("٢٠٢٣"), which no date here is printed in.
_PATTERNS = [re.compile(p) for p in (_ISO, _DMY, _MDY)]
# Page text wraps dates in brackets and trailing punctuation: "(2025-01-10T00:10:21Z)", "[Submitted on ...]".
_STRIP = " \t\r\n\xa0()[]{}<>,;.·-–—|"


def _zone_offset(zone: str | None) -> timedelta | None:
    """Offset of a zone text from UTC; None when there is no zone (the time is then taken as UTC)."""
    if not zone:
        return None
    if zone in _ZONE_OFFSETS:
        return _ZONE_OFFSETS[zone]
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))


def _latest_on_or_before(month: int, day: int, as_of: date) -> date | None:
    """The most recent month/day on or before as_of ("Feb 29" walks back to a leap year)."""
    for year in range(as_of.year, as_of.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= as_of:
            return candidate
    return None


def _from_match(match: re.Match[str], as_of: date | None) -> ParsedDate | None:
    """Build the ParsedDate of a fast-path match; None when the fields are not a real date."""
    parts = match.groupdict()
    month = MONTHS[parts["mon"][:3].lower()] if parts.get("mon") else int(parts["m"])
    day = int(parts["d"])
    raw = match.group(0)
    try:
        if parts.get("y") is None:
            if as_of is None:
                return None  # a yearless date needs a reference date
            if not 1 <= month <= 12 or not 1 <= day <= 31:
                return None
            resolved = _latest_on_or_before(month, day, as_of)
            return ParsedDate(resolved.isoformat(), raw, True) if resolved else None
        day_value = date(int(parts["y"]), month, day)
        if parts.get("H") is None:
            return ParsedDate(day_value.isoformat(), raw, False)
        stamp = datetime(day_value.year, month, day, int(parts["H"]), int(parts["M"]), int(parts["S"] or 0))
        offset = _zone_offset(parts.get("zone"))
        if offset:  # None (no zone) and UTC's zero offset leave the time as it is
            stamp -= offset
    except (ValueError, OverflowError):  # "Feb 30, 2023", hour 25, year 0
        return None
    return ParsedDate(_utc_stamp(stamp), raw, False)


def _utc_stamp(stamp: datetime) -> str:
    """"2025-01-10T00:10:21Z". Not strftime: its %Y writes year 999 as "999", not "0999". isoformat's
    timespec drops the microseconds (4x faster than a replace())."""
    if stamp.tzinfo is not None:
        stamp = stamp.replace(tzinfo=None)
    return stamp.isoformat(timespec="seconds") + "Z"


def _as_day(as_of: object) -> date | None:
    """The reference date as a plain date (a datetime is cut to its day); anything else is no reference."""
    if isinstance(as_of, datetime):
        return as_of.date()
    return as_of if isinstance(as_of, date) else None


@functools.lru_cache(maxsize=32)
def _date_data_parser(base: datetime):  # -> dateparser.date.DateDataParser
    # Imported here: importing dateparser costs time every parser process would otherwise pay up front.
    from dateparser.date import DateDataParser

    settings = {
        "PREFER_DATES_FROM": "past",  # "Jan 30" is the last Jan 30 before the reference, not the next one
        "RELATIVE_BASE": base,  # never the clock
        "TIMEZONE": "UTC",  # a time printed without a zone is taken as UTC, as on the fast path
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PARSERS": FALLBACK_PARSERS,
    }
    return DateDataParser(languages=FALLBACK_LANGUAGES, settings=settings)


def _dateparser_parse(text: str, base: datetime) -> tuple[datetime, tuple[str, ...]] | None:
    """dateparser's reading of text against a reference: (datetime, parts present) or None."""
    try:
        data = _date_data_parser(base).get_date_data(text)
    # A third-party parser fed arbitrary page text: whatever it raises, the contract here is "no date".
    except Exception:  # noqa: BLE001
        return None
    parts = tuple(data["parts"] or ())
    if data.date_obj is None or "day" not in parts or "month" not in parts:
        return None  # "March 2022" or "2022" alone is not a day; inventing the 1st would be a guess
    return data.date_obj, parts


def _long_tail(text: str, as_of: date | None) -> ParsedDate | None:
    """dateparser for strings the fast path does not know ("18 juillet 2023", "2 days ago")."""
    # A date has a day number; without a digit dateparser only guesses ("Sun", "May").
    if len(text) > MAX_DATE_TEXT or not any(ch.isdigit() for ch in text):
        return None
    base = datetime(as_of.year, as_of.month, as_of.day) if as_of else _PROBE_BASE
    found = _dateparser_parse(text, base)
    if found is None:
        return None
    stamp, parts = found
    # Read again against another reference: a date that moves with it was yearless or relative ("2 days ago").
    if "year" in parts:
        # Probe away from the end of the calendar: a reference near year 9999 plus the shift overflows.
        shifted = base - _PROBE_SHIFT if base.year > 5000 else base + _PROBE_SHIFT
        again = _dateparser_parse(text, shifted)
        moves_with_reference = again is None or again[0] != stamp
    else:
        moves_with_reference = True
    if moves_with_reference and (as_of is None or stamp.date() > as_of):
        return None  # no reference date to resolve it against, or it resolved into the future
    value = _utc_stamp(stamp) if "time" in parts else stamp.date().isoformat()
    return ParsedDate(value, text, moves_with_reference)


def parse_date(text: str, as_of: date | None = None) -> ParsedDate | None:
    """The date a whole string (bar brackets and punctuation around it) spells, or None.

    Yearless dates ("Jan 30") resolve to the latest such day on or before ``as_of``; without ``as_of``
    they are None. Times are converted to UTC ("2022-04-07T16:38:01Z").
    """
    if not isinstance(text, str):
        return None
    core = text.strip(_STRIP)
    if not core:
        return None
    reference = _as_day(as_of)
    for pattern in _PATTERNS:
        match = pattern.fullmatch(core)
        if match:
            # A fast-path shape that is not a real date ("Feb 30, 2023") is not retried by dateparser.
            return _from_match(match, reference)
    return _long_tail(core, reference)


def find_date(text: str, as_of: date | None = None) -> tuple[ParsedDate, int, int] | None:
    """The first date embedded in other text, with its [start, end) span: "CLJul 18, 2023Code" -> [2, 14].

    Only the fast-path formats (ISO, RFC 2822, "5 Apr 2022", "Jul 18, 2023", yearless "Jan 30") are searched
    for: dateparser's own search reads counts like "h-index29 32papers" as dates.
    """
    if not isinstance(text, str):
        return None
    reference = _as_day(as_of)
    best: tuple[ParsedDate, int, int] | None = None
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            parsed = _from_match(match, reference)
            if parsed is None:
                continue
            # The earliest start wins; at the same start, the longer reading ("Thu, 7 Apr 2022 16:38:01 GMT").
            if best is None or (match.start(), -match.end()) < (best[1], -best[2]):
                best = (parsed, match.start(), match.end())
            break  # later matches of this pattern start further right
    return best


def find_dates(text: str, as_of: date | None = None) -> list[tuple[ParsedDate, int, int]]:
    """Every date in text, left to right, without overlaps: "Submitted on 5 Apr 2022 (v1), last revised
    7 Oct 2022" gives both. Same formats as find_date."""
    if not isinstance(text, str):
        return []
    reference = _as_day(as_of)
    candidates = sorted(
        ((match.start(), -match.end(), parsed)
         for pattern in _PATTERNS for match in pattern.finditer(text)
         if (parsed := _from_match(match, reference)) is not None),
        key=lambda item: (item[0], item[1]))
    found: list[tuple[ParsedDate, int, int]] = []
    for start, neg_end, parsed in candidates:
        if not found or start >= found[-1][2]:
            found.append((parsed, start, -neg_end))
    return found

"""What parsing one page gives: its records, the links they name, and what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from parsers.records import Record


@dataclass(frozen=True)
class ParseContext:
    as_of: date                     # reference date for dates printed without a year (crawl day or --as-of)


@dataclass(frozen=True)
class FollowLink:
    url: str
    kind: str                       # "next-page", "paper", "arxiv", "author", "api"


@dataclass
class ParseResult:
    site: str
    url: str
    records: list[Record] = field(default_factory=list)
    follow: list[FollowLink] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)       # page-level: "card 3: no date", "page cut short"
    declared_counts: dict[str, int] = field(default_factory=dict)  # what the page says it lists: {"paper": 32}


class UnrecognisedPage(ValueError):
    """No adapter knows this page's layout."""

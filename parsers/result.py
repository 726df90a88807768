"""What parsing one page gives: its records, the links they name, and what went wrong."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from parsers.records import Record


@dataclass(frozen=True)
class ParseContext:
    as_of: date                     # reference date for dates printed without a year (crawl day or --as-of)


class LinkKind(str, enum.Enum):
    """What a followed link leads to; the crawl follows the kinds named in FOLLOW_KINDS. A str, equal (and
    hashed) as its value, so settings and JSON compare with it as text."""

    NEXT_PAGE = "next-page"         # the next page of the same listing
    ARXIV = "arxiv"                 # the paper's arXiv abstract page

    def __hash__(self) -> int:
        return str.__hash__(self)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class FollowLink:
    url: str
    kind: LinkKind


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

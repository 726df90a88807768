"""What parsing one page gives: its records, the links they name, and what went wrong."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
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


@dataclass(frozen=True)
class Problem:
    """Something a page lacks or that could not be read. Adapters make Problems (parse_page wraps the page
    model's own notes in them); only ``line`` writes one as text, so every problem line names the URL, the
    site, the part of the page and the field alike: "<url>: <site>: [<where>: ][<field>: ]<message>"."""

    field: str | None               # the record field it concerns ("date", "authors"); None: the page itself
    message: str                    # what was wrong: "no date line under the title"
    where: str | None = None        # the part of the page, where it has many: "card 3 ('PaLM')", "entry 2"

    def at(self, where: str) -> Problem:
        """The same problem, placed on a part of the page (a page-level copy of a card's problem)."""
        return replace(self, where=where)

    def line(self, url: str, site: str) -> str:
        """``url: site: [where: ][field: ]message`` on one line: any line break a page put in a part (an image URL
        with a newline or U+2028 in it) is a space, so a reader splitting the log or the record by lines gets it
        whole."""
        return " ".join(": ".join(part for part in (url, site, self.where, self.field, self.message) if part)
                        .splitlines())


@dataclass
class ParseResult:
    site: str
    url: str
    records: list[Record] = field(default_factory=list)
    follow: list[FollowLink] = field(default_factory=list)
    # Page-level problems: the adapter's Problems, which parse_page replaces by their lines (as it does the
    # Problems the adapter put in its records' ``problems``): a ParseResult from parse_page holds only str.
    problems: list[Problem | str] = field(default_factory=list)
    declared_counts: dict[str, int] = field(default_factory=dict)  # what the page says it lists: {"paper": 32}


def write_problems(result: ParseResult, page_problems: tuple[Problem, ...] | list[Problem] = ()) -> None:
    """Every Problem of the result and of its records written as its line, naming the result's URL and
    site; the page model's own problems (``page_problems``) first among the result's."""
    url, site = result.url, result.site
    for record in result.records:
        record.problems = [problem.line(url, site) for problem in record.problems]
    result.problems = [problem.line(url, site) for problem in (*page_problems, *result.problems)]


class UnrecognisedPage(ValueError):
    """No adapter knows this page's layout."""

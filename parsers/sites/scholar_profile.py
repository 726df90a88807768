"""Scholar profile pages (host unknown; recognised by content): an author header, then one card per paper.

The page, line by line (text capture and HTML render alike)::

    Sharan Narang                     name
    CL                                research field label
    h-index29 / 32papers / 88,855citations / Novelty50% / AI Score48      metrics, one per line
    32 Papers                         heading: how many papers the page says it lists
    CLJul 18, 2023Code                card meta: category label + date (+ "Code" when code is published)
    Llama 2: Open Foundation ...      title (HTML: links to the paper's page)
    Hugo Touvron, ... et al. · meta-ai   authors (cut with "et al.") · organisations
    In this work, we develop ...      abstract

In HTML the meta line also carries the code link ("Code") and an icon link to arXiv.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from parsers.fields.categories import split_category_prefix, to_arxiv_category
from parsers.fields.dates import ParsedDate, find_date
from parsers.fields.names import parse_author_list
from parsers.fields.numbers import parse_labelled_number
from parsers.page import Line, Link, Page
from parsers.records import UNTITLED, Author, Metrics, Paper, Source
from parsers.result import FollowLink, LinkKind, ParseContext, ParseResult, Problem
from parsers.sites.arxiv import PAPER_URL, paper_arxiv_id

NAME = "scholar-profile"
# Merge trust: last. A profile cuts author lists ("... et al.") and prints dates without a year.
MERGE_RANK = 4
HOSTS: tuple[str, ...] = ()
# UI-only text this layout shows: none (its buttons are icons without text).
CHROME_LINES: tuple[str, ...] = ()

# Metric labels as the header prints them, glued to the number on either side ("h-index29", "32papers").
METRIC_LABELS = {
    "h_index": "h-index",
    "paper_count": "papers",
    "citation_count": "citations",
    "novelty_percent": "Novelty",
    "ai_score": "AI Score",
}
# Each label's first word, lower case: an ASCII line without it is no metric line (the label matches
# case-insensitively), which spares it two regex searches per label.
METRIC_LABEL_WORDS = {name: label.lower().split()[0] for name, label in METRIC_LABELS.items()}
# What a metric can be, as (lowest, highest, whole number): counts are whole and never negative, novelty is a
# percentage. A value outside is a misread or a broken page: left out of the record and named in its problems.
METRIC_RANGES = {
    "h_index": (0, None, True),
    "paper_count": (0, None, True),
    "citation_count": (0, None, True),
    "novelty_percent": (0, 100, False),
    "ai_score": (None, None, False),
}
# The metrics that make a page this layout: all three in the header.
REQUIRED_METRICS = ("h_index", "paper_count", "citation_count")
# A metric line is its label and a number ("88,855", "50%") with at most a space between.
MAX_NUMBER_TEXT = 16
LONGEST_METRIC_LINE = max(map(len, METRIC_LABELS.values())) + MAX_NUMBER_TEXT
# A card's meta line is short ("CLSep 30, 2024Code"); longer lines are titles and abstracts, not worth parsing.
MAX_META_LINE = 40
# The header sits at the top; looking further would read abstracts.
HEADER_SPAN = 12
PAPERS_HEADING_LABEL = "Papers"
CODE_FLAG = "Code"
# Authors and organisations are joined by a middle dot; U+FFFD stands in for it when the page's bytes were
# decoded with the wrong encoding (cp1252 0xB7 read as UTF-8), and the organisations are still there.
ORGANISATIONS_SEPARATOR = re.compile(r"\s[\u00b7\u2022\ufffd]\s")
ORGANISATION_LIST_SEPARATOR = re.compile(r"\s*,\s*")
# Each shorter than MAX_META_LINE: _cards tells card text from both by length first.
NEXT_PAGE_TEXTS = frozenset({"next", "next page", "more", "show more", "more papers", "load more"})


class Meta(NamedTuple):
    """A card's meta line read: "CLJul 18, 2023Code". A NamedTuple: built for every card, and a frozen
    dataclass's __init__ costs four times as much."""

    line: Line
    category: str               # arXiv code of the label: "cs.CL"
    date: ParsedDate | None
    has_code: bool
    arxiv: Link | None = None   # HTML: the icon link to the paper on arXiv (read once: record and follow link)


@dataclass
class Card:
    """The lines of one paper card after its meta line."""

    number: int                 # 1-based position on the page
    meta: Meta
    lines: list[Line] = field(default_factory=list)


# -- recognising the page -----------------------------------------------------------------------------


def recognise(page: Page) -> bool:
    """The header's h-index, papers and citations lines, near the top of the page."""
    found = _header_metrics([line.text for line in page.lines[:HEADER_SPAN]])[0]  # not page.texts: every page
    return all(getattr(found, name) is not None for name in REQUIRED_METRICS)


# -- the whole page -----------------------------------------------------------------------------------


def parse(page: Page, context: ParseContext) -> ParseResult:
    result = ParseResult(site=NAME, url=page.url)
    source = Source(site=NAME, url=page.url)
    texts = page.texts
    metrics, first_metric, after_metrics = _header_metrics(texts[:HEADER_SPAN])
    author = _author(texts[:first_metric], metrics, source)
    result.records.append(author)
    declared, cards_start = _declared_papers(texts, after_metrics)
    if declared is not None:
        result.declared_counts["paper"] = declared
    for card in _cards(page.lines[cards_start:], result, context):
        paper = _paper(card, author.name, source)
        result.records.append(paper)
        result.problems += [problem.at(f"card {card.number} ({paper.title!r})") for problem in paper.problems]
        result.follow += _follow_links(card, paper)
    result.follow += _next_page_links(page)
    _check_count(result, declared)
    return result


def _check_count(result: ParseResult, declared: int | None) -> None:
    """A page cut short lists fewer cards than its heading declares: say so, and flag its last card."""
    papers = [record for record in result.records if isinstance(record, Paper)]
    if declared is None or len(papers) >= declared:
        return
    if any(link.kind is LinkKind.NEXT_PAGE for link in result.follow):
        return  # the rest is on the next page
    result.problems.append(Problem(None, f"{len(papers)} of {declared} declared papers found: page cut short"))
    if not papers:
        return
    last = papers[-1]
    problems = [Problem("card", f"last before the page was cut short ({len(papers)} of {declared}); "
                        "fields may be partial")]
    if last.abstract is None and last.authors_complete:
        # The author line was the last text on the page: it may have been cut inside a name.
        last.authors_complete = None
        problems.append(Problem("authors", "the list ends where the page was cut; it may be incomplete"))
    last.problems += problems
    result.problems += [problem.at(f"card {len(papers)} ({last.title!r})") for problem in problems]


# -- the author header --------------------------------------------------------------------------------


def _header_metrics(texts: list[str]) -> tuple[Metrics, int, int]:
    """The metrics block: (metrics, index of its first line, index after its last line).

    The block is the first run of lines that each carry one metric not seen yet; the "32 Papers" heading
    after it repeats the papers label and so ends the block.
    """
    metrics, first = Metrics(), None
    for index, text in enumerate(texts):
        name, value = _metric(text)
        if first is None:
            if name is None:
                continue
            first = index
        elif name is None or getattr(metrics, name) is not None:
            return metrics, first, index
        setattr(metrics, name, value)
    return metrics, len(texts) if first is None else first, len(texts)


def _metric(text: str) -> tuple[str | None, int | float | None]:
    """The metric a whole line gives ("88,855citations"); a sentence mentioning "32 papers" is not one."""
    if len(text) > LONGEST_METRIC_LINE:
        return None, None
    # Only for ASCII: re's IGNORECASE folds a few other letters to ASCII ones ("ı" matches "i").
    folded = text.lower() if text.isascii() else None
    for name, label in METRIC_LABELS.items():
        if len(text) > len(label) + MAX_NUMBER_TEXT:
            continue
        if folded is not None and METRIC_LABEL_WORDS[name] not in folded:
            continue
        value = parse_labelled_number(text, label)
        if value is not None:
            return name, value
    return None, None


def _author(header: list[str], metrics: Metrics, source: Source) -> Author:
    """Name and field label are the lines above the metrics: "Sharan Narang", then "CL"."""
    field_label = header[-1] if header and to_arxiv_category(header[-1]) else None
    names = header[:-1] if field_label else header
    problems = [] if names else [Problem("name", "no line above the metrics")]
    problems += _drop_out_of_range(metrics)
    return Author(name=names[-1] if names else "(unknown)", source=source, field=field_label, metrics=metrics,
                  problems=problems)


def _drop_out_of_range(metrics: Metrics) -> list[Problem]:
    """Set to None each metric outside its METRIC_RANGES ("h-index-5", "Novelty150%"); one problem each."""
    problems = []
    for name, (lowest, highest, whole) in METRIC_RANGES.items():
        value = getattr(metrics, name)
        if value is None:
            continue
        if whole and value == int(value):
            value = int(value)  # "1.2k papers" is 1200, a whole count
            setattr(metrics, name, value)
        if ((whole and not isinstance(value, int)) or (lowest is not None and value < lowest)
                or (highest is not None and value > highest)):
            setattr(metrics, name, None)
            span = f"{lowest if lowest is not None else ''}..{highest if highest is not None else ''}"
            problems.append(Problem("metrics", f"{METRIC_LABELS[name]} {value!r} is out of range "
                                               f"({'a whole number ' if whole else ''}{span}): not kept"))
    return problems


def _declared_papers(texts: list[str], start: int) -> tuple[int | None, int]:
    """The "32 Papers" heading after the metrics: (declared count, index of the first card line)."""
    if start < len(texts):
        count = parse_labelled_number(texts[start], PAPERS_HEADING_LABEL)
        if count is not None:
            return int(count), start + 1
    return None, start


# -- paper cards ------------------------------------------------------------------------------------


def _cards(lines: list[Line], result: ParseResult, context: ParseContext) -> list[Card]:
    """Group lines into cards, each starting at a meta line; lines before the first card are reported."""
    cards: list[Card] = []
    for line in lines:
        # Most lines (titles, author lists, abstracts) are longer than any meta line or "Next" text (case
        # folding never shortens a text): told by their length, without two calls each.
        if len(line.text) > MAX_META_LINE:
            meta = None
        elif _is_pagination(line):
            continue
        else:
            meta = _meta_line(line, context)
        if meta:
            cards.append(Card(number=len(cards) + 1, meta=meta))
        elif cards:
            cards[-1].lines.append(line)
        else:
            result.problems.append(Problem(None, f"line outside any paper card: {line.text[:80]!r}"))
    return cards


def _is_pagination(line: Line) -> bool:
    """A "Next" / "Show more" line: navigation, not part of the last card."""
    return bool(line.links) and line.text.casefold() in NEXT_PAGE_TEXTS


def _meta_line(line: Line, context: ParseContext) -> Meta | None:
    """Category label, then only a date and/or the Code flag: "CLJul 18, 2023Code", "DCJan 30", "LG"."""
    if len(line.text) > MAX_META_LINE:
        return None
    label, rest = split_category_prefix(line.text)
    category = to_arxiv_category(label) if label else None
    if not category:
        return None
    date_text = rest.removesuffix(CODE_FLAG)
    found = find_date(date_text, context.as_of) if date_text else None  # as_of: "Jan 30" needs a year to infer
    if date_text and (found is None or found[1] != 0 or found[2] != len(date_text)):
        return None
    arxiv = line.link_to(PAPER_URL)
    return Meta(line, category, found[0] if found else None, has_code=date_text != rest, arxiv=arxiv)


def _paper(card: Card, listed_by: str, source: Source) -> Paper:
    """One card's record; each reader fills its fields and returns what it could not read."""
    paper = Paper(title=UNTITLED, source=source, listed_by=[listed_by])
    paper.problems = [*_read_title(card.lines[0] if card.lines else None, paper),
                      *_read_meta(card.meta, paper),
                      *_read_authors(card.lines[1] if len(card.lines) > 1 else None, paper),
                      *_read_abstract(card.lines[2:], paper)]
    return paper


def _read_title(line: Line | None, paper: Paper) -> list[Problem]:
    """The title; in HTML it links to the paper's page on this site."""
    if line is None or not line.text:  # no line, or one of images only: the paper stays UNTITLED
        return [Problem("title", "card has no title line")]
    paper.title = line.text
    page_link = next((link for link in line.links if not PAPER_URL.match(link.url)), None)
    paper.url = page_link.url if page_link else None
    return []


def _read_meta(meta: Meta, paper: Paper) -> list[Problem]:
    """Category, date and code flag; in HTML also the code and arXiv links of the meta line."""
    paper.categories, paper.has_code = [meta.category], meta.has_code
    code = next((link for link in meta.line.links if link.text == CODE_FLAG), None)
    paper.code_url = code.url if code else None
    parsed_id = paper_arxiv_id(meta.arxiv.url) if meta.arxiv else None
    paper.arxiv_id = parsed_id.id if parsed_id else None
    paper.set_date(meta.date)
    return [] if meta.date else [Problem("date", f"none on the card's meta line {meta.line.text!r}")]


def _read_authors(line: Line | None, paper: Paper) -> list[Problem]:
    """ "Hugo Touvron, Louis Martin, Kevin Stone et al. · meta-ai": names, then organisations."""
    if line is None:
        return [Problem("authors", "card has no author line")]
    names_text, *organisations = ORGANISATIONS_SEPARATOR.split(line.text, maxsplit=1)
    authors = parse_author_list(names_text)
    paper.set_authors(authors)
    if organisations:
        paper.organizations = [org for org in ORGANISATION_LIST_SEPARATOR.split(organisations[0]) if org]
    return [] if authors.names else [Problem("authors", f"no names in {line.text[:80]!r}")]


def _read_abstract(lines: list[Line], paper: Paper) -> list[Problem]:
    if not lines:
        return [Problem("abstract", "card has no abstract")]
    paper.abstract = " ".join(line.text for line in lines)
    return []


# -- links to follow ----------------------------------------------------------------------------------


def _follow_links(card: Card, paper: Paper) -> list[FollowLink]:
    # The card's title links to this site's own paper page, whose layout no adapter knows: it stays in
    # `url` but is not followed. The arXiv page is the paper's reference source.
    return [FollowLink(card.meta.arxiv.url, LinkKind.ARXIV)] if card.meta.arxiv else []


def _next_page_links(page: Page) -> list[FollowLink]:
    """A pagination or "Show more" link, by rel="next" or by its text."""
    return [
        FollowLink(link.url, LinkKind.NEXT_PAGE)
        for link in page.links
        if "next" in link.rel.split() or link.text.casefold() in NEXT_PAGE_TEXTS
    ]

"""Paper digest page: one arXiv paper with an AI summary, a score and a list of related papers.

The host is not known; the page is recognised by its labelled lines. Its layout, as a capture shows it:

    PaLM: Scaling Language Modeling with Pathways                      <- heading (the title)
    - URL: http://arxiv.org/abs/2204.02311v2
    - Date: Thu, 7 Apr 2022 16:38:01 GMT
    - Title: PaLM: Scaling Language Modeling with Pathways
    - Authors: Aakanksha Chowdhery, Sharan Narang, ...                  <- wraps over many lines
    - Abstract summary: <sentence 1>                                    <- then one sentence per line
    - Score: 180.69584031908113
    - License: http://creativecommons.org/licenses/by/4.0/
    - Abstract: Large language models have been shown ...              <- wraps over many lines
    Related papers
    - <title> [<score>]                                                 <- the title may wrap before "[score]"
    <summary sentence, one per line>
    arXiv Detail & Related papers (<date>)                              <- closes the entry; a text
                                                                           capture glues the next title on
    <two footer disclaimers>

A labelled field owns the lines after it up to the next labelled line. In HTML the "arXiv" and "Detail &
Related papers" links give each related paper's arXiv id and the site's own page for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.fields.dates import parse_date
from parsers.fields.identifiers import parse_arxiv_id
from parsers.fields.names import AuthorList, parse_author_list
from parsers.fields.numbers import parse_score
from parsers.fields.text import clean_text, join_wrapped_lines, split_sentences
from parsers.page import Line, Page
from parsers.records import Paper, Related, Source
from parsers.result import FollowLink, LinkKind, ParseContext, ParseResult, Problem
from parsers.sites.arxiv import PAPER_URL, paper_arxiv_id

NAME = "paper-digest"
# Merge trust: after arXiv. A digest page copies one paper's arXiv metadata (full author list, exact date).
MERGE_RANK = 1
HOSTS: tuple[str, ...] = ()

# The labels the page prints, "- <Label>: <value>".
URL_LABEL = "URL"
DATE_LABEL = "Date"
TITLE_LABEL = "Title"
AUTHORS_LABEL = "Authors"
SUMMARY_LABEL = "Abstract summary"
SCORE_LABEL = "Score"
LICENSE_LABEL = "License"
ABSTRACT_LABEL = "Abstract"
KNOWN_LABELS = (URL_LABEL, DATE_LABEL, TITLE_LABEL, AUTHORS_LABEL, SUMMARY_LABEL, SCORE_LABEL, LICENSE_LABEL,
                ABSTRACT_LABEL)
# Together these three lines are this site's signature; other sites print none of them as "- Label:" lines.
SIGNATURE_LABELS = (URL_LABEL, AUTHORS_LABEL, SUMMARY_LABEL)
# "- Abstract summary: We trained ...": a capitalised label of words, then ":" and the value. Checked only
# above the related list, where related titles such as "- LLAVADI: What Matters ..." would also match.
LABELLED_LINE = re.compile(r"- (?P<label>[A-Z][A-Za-z]*(?: [A-Za-z]+){0,3}):(?:\s+(?P<value>.*))?")

RELATED_HEADING = "Related papers"
RELATED_LINKS_TEXT = "arXiv Detail & Related papers"
# Closes a related entry with its date; a text capture glues the next entry's "- <title> [score]" on.
RELATED_LINKS_LINE = re.compile(
    re.escape(RELATED_LINKS_TEXT) + r"(?:\s*\((?P<date>[^()]*)\))?(?:\s+-\s+(?P<next_title>.+))?")
RELATED_TITLE_PREFIX = "- "
# "<title> [49.81429697921861]": the score in brackets ends the title.
TITLE_WITH_SCORE = re.compile(r"(?P<title>.*?)\s*\[(?P<score>[^\[\]]*)\]")
DETAIL_LINK_TEXT = "Detail & Related papers"

FOOTER_LINES = (
    "This list is automatically generated from the titles and abstracts of the papers in this site.",
    "This site does not guarantee the quality of this site (including all information) and is not responsible"
    " for any consequences.",
)
# Page text that is the site's own furniture, not data about a paper: the field labels, the related list's
# heading and link texts, and the footer disclaimers. The coverage test accounts for capture lines with these.
CHROME_LINES = (
    *(f"- {label}:" for label in KNOWN_LABELS),
    RELATED_HEADING,
    RELATED_LINKS_TEXT,
    *FOOTER_LINES,
)


def recognise(page: Page) -> bool:
    """A digest page prints "- URL:", "- Authors:" and "- Abstract summary:" lines before its related list."""
    seen = set()
    for line in page.lines:
        if line.text == RELATED_HEADING:
            break
        if not line.text.startswith("- "):  # cheap test first: most lines of other sites' pages end here
            continue
        match = LABELLED_LINE.fullmatch(line.text)
        if match and match["label"] in SIGNATURE_LABELS:
            seen.add(match["label"])
    return len(seen) == len(SIGNATURE_LABELS)


# -- the page's sections ---------------------------------------------------------------------------------


@dataclass
class LabelledField:
    label: str
    lines: list[Line]            # the labelled line, then its wrapped continuation lines
    values: list[str]            # the text of those lines with the label taken off the first


@dataclass
class Sections:
    heading: str | None = None
    fields: dict[str, LabelledField] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)   # labels this adapter does not know
    repeated: list[str] = field(default_factory=list)  # a known label printed a second time
    stray: list[str] = field(default_factory=list)     # unlabelled lines above the labels
    related: list[Line] = field(default_factory=list)
    has_related_heading: bool = False
    has_footer: bool = False


def split_sections(lines: list[Line]) -> Sections:
    """One pass: heading, labelled fields with their continuation lines, the related list, the footer."""
    sections = Sections()
    current: LabelledField | None = None
    in_related = False
    for line in lines:
        text = line.text
        if text in FOOTER_LINES:
            sections.has_footer = True
            break
        if in_related:
            sections.related.append(line)
            continue
        if text == RELATED_HEADING:
            in_related = sections.has_related_heading = True
            continue
        match = LABELLED_LINE.fullmatch(text)
        if match:
            current = LabelledField(match["label"], [line], [match["value"] or ""])
            if match["label"] not in KNOWN_LABELS:
                sections.unknown.append(text)  # its continuation lines go with it, not to the previous field
            elif match["label"] in sections.fields:
                sections.repeated.append(text)  # the first one is read
            else:
                sections.fields[match["label"]] = current
        elif current is not None:
            current.lines.append(line)
            current.values.append(text)
        elif sections.heading is None:
            sections.heading = text
        else:
            sections.stray.append(text)
    return sections


# -- one function per field ------------------------------------------------------------------------------


def title(sections: Sections) -> str | None:
    labelled = sections.fields.get(TITLE_LABEL)
    return (join_wrapped_lines(labelled.values) if labelled else "") or sections.heading


def linked_value(labelled: LabelledField | None) -> str | None:
    """A field whose value is a URL: in HTML the link's target, in a text capture the printed text."""
    if not labelled:
        return None
    first = labelled.lines[0]
    return first.links[0].url if first.links else clean_text(" ".join(labelled.values)) or None


def paper_url(sections: Sections) -> str | None:
    return linked_value(sections.fields.get(URL_LABEL))


def license_url(sections: Sections) -> str | None:
    return linked_value(sections.fields.get(LICENSE_LABEL))


def authors(sections: Sections) -> AuthorList | None:
    labelled = sections.fields.get(AUTHORS_LABEL)
    return parse_author_list(join_wrapped_lines(labelled.values)) if labelled else None


def summary(sections: Sections) -> list[str]:
    """One sentence per line on the page: keep its boundaries; split only a summary printed as one line."""
    labelled = sections.fields.get(SUMMARY_LABEL)
    if not labelled:
        return []
    sentences = [clean_text(value) for value in labelled.values if clean_text(value)]
    return split_sentences(sentences[0]) if len(sentences) == 1 else sentences


def abstract(sections: Sections) -> str | None:
    labelled = sections.fields.get(ABSTRACT_LABEL)
    if not labelled:
        return None
    return join_wrapped_lines(labelled.values) or None


def score(sections: Sections) -> float | None:
    labelled = sections.fields.get(SCORE_LABEL)
    return parse_score(" ".join(labelled.values)) if labelled else None


# -- related papers --------------------------------------------------------------------------------------


@dataclass
class RelatedDraft:
    title_parts: list[str]
    score: float | None = None
    summary: list[str] = field(default_factory=list)
    date: str | None = None
    url: str | None = None
    arxiv_id: str | None = None
    title_open: bool = True      # no "[score]" seen yet: the next line may finish a wrapped title
    closed: bool = False         # its "arXiv Detail & Related papers" line was seen
    problems: list[str] = field(default_factory=list)   # what is wrong with this entry, named in a Problem

    @property
    def title(self) -> str:
        return join_wrapped_lines(self.title_parts)


def start_related(title_text: str, line: Line | None = None) -> RelatedDraft:
    """An entry from its "- <title> [score]" line; in HTML the title links to the site's page for it."""
    draft = RelatedDraft([])
    add_title_part(draft, title_text)
    draft.url = detail_link(line) if line else None
    return draft


def add_title_part(draft: RelatedDraft, text: str) -> None:
    match = TITLE_WITH_SCORE.fullmatch(text)
    if match:
        draft.title_parts.append(match["title"])
        draft.score = parse_score(match["score"])
        draft.title_open = False
    else:
        draft.title_parts.append(text)


def detail_link(line: Line) -> str | None:
    """The site's own page for a related paper: the "Detail & Related papers" link, else a non-arXiv link."""
    link = next((link for link in line.links if link.text == DETAIL_LINK_TEXT), None)
    link = link or next((link for link in line.links if not PAPER_URL.match(link.url)), None)
    return link.url if link else None


def close_related(draft: RelatedDraft, date_text: str | None, line: Line, context: ParseContext) -> None:
    draft.closed = True
    if date_text:
        parsed = parse_date(date_text, context.as_of)
        draft.date = parsed.value if parsed else None
        if not parsed:
            draft.problems.append(f"date: cannot read {date_text!r}")
    else:
        draft.problems.append("no date")
    arxiv_link = line.link_to(PAPER_URL)
    parsed_id = paper_arxiv_id(arxiv_link.url) if arxiv_link else None
    draft.arxiv_id = parsed_id.id if parsed_id else None
    draft.url = detail_link(line) or draft.url


def related_drafts(lines: list[Line], context: ParseContext) -> tuple[list[RelatedDraft], list[str]]:
    """Walk the related list: a "- <title> [score]" line opens an entry, its summary lines follow, and the
    "arXiv Detail & Related papers (<date>)" line closes it (opening the next when a capture glued it on)."""
    drafts: list[RelatedDraft] = []
    stray: list[str] = []
    for line in lines:
        text = line.text
        current = drafts[-1] if drafts else None
        links_line = RELATED_LINKS_LINE.fullmatch(text)
        if links_line and current and not current.closed:
            close_related(current, links_line["date"], line, context)
            if links_line["next_title"]:  # glued on: the line's links belong to the entry it closed
                drafts.append(start_related(links_line["next_title"]))
        elif text.startswith(RELATED_TITLE_PREFIX) and (current is None or current.closed):
            drafts.append(start_related(text[len(RELATED_TITLE_PREFIX):], line))
        elif current and not current.closed and current.title_open and not current.summary:
            if TITLE_WITH_SCORE.fullmatch(text) and len(current.title_parts) == 1:
                add_title_part(current, text)  # the second line of a wrapped title, ending in "[score]"
            else:
                current.title_open = False
                current.summary.append(text)
        elif current and not current.closed:
            current.summary.append(text)
        else:
            stray.append(text)
    return drafts, stray


def related(sections: Sections, context: ParseContext) -> tuple[list[Related], list[Problem]]:
    """The related papers, and what is wrong with them (an entry cut short keeps what the page had)."""
    drafts, stray = related_drafts(sections.related, context)
    kept: list[Related] = []
    problems = [Problem("related", f"line not in any entry: {text!r}") for text in stray]
    for number, draft in enumerate(drafts, 1):
        entry_title = draft.title
        name = f"paper {number} ({entry_title!r})"
        if not entry_title:
            problems.append(Problem("related", f"paper {number}: no title, dropped"))
            continue
        if draft.score is None:
            problems.append(Problem("related", f"{name}: no score"))
        if not draft.closed:
            problems.append(Problem("related", f"{name}: cut short, no {RELATED_LINKS_TEXT!r} line"
                                               " (no date; summary may be partial)"))
        problems += [Problem("related", f"{name}: {problem}") for problem in draft.problems]
        kept.append(Related(title=entry_title, score=draft.score, summary=draft.summary, date=draft.date,
                            url=draft.url, arxiv_id=draft.arxiv_id))
    return kept, problems


# -- the record ------------------------------------------------------------------------------------------


def missing_fields(sections: Sections) -> list[Problem]:
    return [Problem(label.lower(), f"no '- {label}:' line")
            for label in KNOWN_LABELS if label not in sections.fields]


def parse(page: Page, context: ParseContext) -> ParseResult:
    result = ParseResult(site=NAME, url=page.url)
    sections = split_sections(page.lines)
    result.problems += [Problem(None, f"unknown labelled line, not read: {text!r}")
                        for text in sections.unknown]
    result.problems += [Problem(None, f"repeated labelled line, not read: {text!r}")
                        for text in sections.repeated]
    result.problems += [Problem(None, f"line not in any field: {text!r}") for text in sections.stray]
    if not sections.has_footer:
        result.problems.append(Problem(None, "no footer disclaimer: the page may be cut short"))
    paper_title = title(sections)
    if not paper_title:
        result.problems.append(Problem(None, f"no title (no heading and no '- {TITLE_LABEL}:' line): "
                                             "no record"))
        return result

    problems = missing_fields(sections)
    url = paper_url(sections)
    arxiv = parse_arxiv_id(url) if url else None
    if url and not arxiv:
        problems.append(Problem("url", f"no arXiv id in {url!r}"))
    date_field = sections.fields.get(DATE_LABEL)
    date_raw = clean_text(" ".join(date_field.values)) if date_field else None
    parsed_date = parse_date(date_raw, context.as_of) if date_raw else None
    if date_raw and not parsed_date:
        problems.append(Problem("date", f"cannot read {date_raw!r}"))
    paper_score = score(sections)
    if SCORE_LABEL in sections.fields and paper_score is None:
        problems.append(Problem("score", f"cannot read {' '.join(sections.fields[SCORE_LABEL].values)!r}"))
    related_papers, related_problems = related(sections, context)
    if not sections.has_related_heading:
        problems.append(Problem("related", f"no {RELATED_HEADING!r} list"))

    paper = Paper(
        title=paper_title,
        source=Source(site=NAME, url=page.url),
        url=url,
        arxiv_id=arxiv.id if arxiv else None,
        version=arxiv.version if arxiv else None,
        summary=summary(sections),
        score=paper_score,
        license=license_url(sections),
        abstract=abstract(sections),
        related=related_papers,
        problems=problems + related_problems,
    )
    paper.set_authors(authors(sections))
    paper.set_date(parsed_date)
    paper.date_raw = date_raw  # the whole "- Date:" value as printed, brackets and all; kept when unreadable
    result.records.append(paper)
    if url and arxiv:
        result.follow.append(FollowLink(url, LinkKind.ARXIV))
    return result

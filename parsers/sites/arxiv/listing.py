"""arXiv listing pages (/list/<archive>/new, /recent, /pastweek, /<yymm>, with skip/show): one paper per entry.

Each entry is a <dt> (the id and links) followed by a <dd> (title, authors, comments, journal ref, subjects and,
on "new" pages, the abstract). Author pages (/a/<id>) use the same entry markup, so they reuse ``entries``.
"""

from __future__ import annotations

import re

from parsers.fields.identifiers import parse_arxiv_id
from parsers.fields.numbers import parse_number
from parsers.fields.text import clean_text
from parsers.page import Page
from parsers.records import Paper, Source
from parsers.result import FollowLink, LinkKind, ParseContext, ParseResult, Problem
from parsers.sites.arxiv.common import author_names, select, subject_codes, text_without_descriptor

ARTICLES = "dl#articles"
ENTRY_TERMS = "dl > dt"
ABSTRACT_LINK = "a[title='Abstract']"
PDF_LINK = "a[title='Download PDF']"
TITLE = "div.list-title"
AUTHORS = "div.list-authors"
COMMENTS = "div.list-comments"
JOURNAL_REF = "div.list-journal-ref"
SUBJECTS = "div.list-subjects"
ABSTRACT = "p.mathjax"
PAGING = "div.paging"
# "Total of 97 entries": what the whole listing holds, over all its pages.
TOTAL = re.compile(r"Total of\s+([0-9,]+)\s+entr", re.I)


def is_listing_page(page: Page) -> bool:
    return bool(select(page.tree, ARTICLES))


def parse(page: Page, context: ParseContext, site: str) -> ParseResult:
    result = ParseResult(site=site, url=page.url)
    result.records = entries(page, site)
    paging = select(page.tree, PAGING)
    total = TOTAL.search(clean_text(paging[0].text_content())) if paging else None
    declared = parse_number(total.group(1)) if total else None
    if isinstance(declared, int):  # None for a count no page prints (41 digits)
        result.declared_counts["paper"] = declared
    next_page = _next_page(paging[0]) if paging else None
    next_url = page.absolute(next_page) if next_page else None
    if next_url:
        result.follow.append(FollowLink(next_url, LinkKind.NEXT_PAGE))
    return result


def entries(page: Page, site: str) -> list[Paper]:
    """One paper per <dt>/<dd> pair, in page order."""
    papers = []
    for number, term in enumerate(select(page.tree, ENTRY_TERMS), 1):
        details = term.getnext()
        while details is not None and details.tag != "dd":
            details = details.getnext()
        papers.append(_entry(page, site, number, term, details))
    return papers


def _entry(page: Page, site: str, number: int, term, details) -> Paper:
    link = select(term, ABSTRACT_LINK)
    identifier = parse_arxiv_id(link[0].get("href") if link else clean_text(term.text_content()))
    title = _block_text(details, TITLE)
    fallback_title = f"arXiv:{identifier.id}" if identifier else "(no title)"  # a record needs a title
    paper = Paper(title=title or fallback_title,
                  source=Source(site, page.url), arxiv_id=identifier.id if identifier else None)
    if identifier:
        paper.url = page.absolute(f"/abs/{identifier.id}")
    pdf = select(term, PDF_LINK)
    paper.pdf_url = page.absolute(pdf[0].get("href") or "") if pdf and pdf[0].get("href") else None
    if details is not None:
        authors = select(details, AUTHORS)
        if authors:
            paper.set_authors(author_names(authors[0]))
        subjects = select(details, SUBJECTS)
        paper.categories = subject_codes(subjects[0]) if subjects else []
        paper.comments = _block_text(details, COMMENTS) or None
        paper.journal_ref = _block_text(details, JOURNAL_REF) or None
        paper.abstract = _block_text(details, ABSTRACT) or None
    read = {"arxiv_id": identifier, "title": title, "authors": paper.authors}
    paper.problems += [Problem(name, "missing", where=f"entry {number}") for name, value in read.items() if not value]
    return paper


def _block_text(details, selector: str) -> str:
    if details is None:
        return ""
    found = select(details, selector)
    return text_without_descriptor(found[0]) if found else ""


def _next_page(paging) -> str | None:
    """The paging bar shows the current page as a <span> and the others as links: the next is the link
    right after the span."""
    current = paging.find("span")
    following = current.getnext() if current is not None else None
    return following.get("href") if following is not None and following.tag == "a" else None

"""arXiv abstract pages (/abs/<id>, /abs/<id>vN): one paper with every version, read meta tags first."""

from __future__ import annotations

import re

from parsers.fields.dates import ParsedDate, parse_date
from parsers.fields.identifiers import parse_arxiv_id, parse_doi
from parsers.fields.names import AuthorList, display_order
from parsers.fields.numbers import parse_number
from parsers.fields.text import clean_text
from parsers.page import Page
from parsers.records import Paper, Source, Version
from parsers.result import ParseContext, ParseResult, Problem
from parsers.sites.arxiv.common import author_names, select, subject_codes, text_without_descriptor

TITLE = "h1.title"
AUTHORS = "div.authors"
ABSTRACT = "blockquote.abstract"
METATABLE_ROWS = "div.metatable tr"
LABEL_CELL = "td.label"
SUBJECTS = "td.subjects"
THIS_VERSION = "td.arxividv a"
DOI_LINKS = "td.doi a[data-doi]"
LICENSE_LINK = "div.abs-license a[href]"
PDF_LINK = "a.download-pdf"
HISTORY = "div.submission-history"
NOT_FOUND_HEADING = "#content h1"
# Metadata table rows by their label; "Report number" and "Journal reference" cells share the class jref,
# so the label, not the class, says which is which.
ROW_FIELDS = {
    "comments": "comments",
    "journal reference": "journal_ref",
    "report number": "report_no",
    "msc classes": "msc_class",
    "msc class": "msc_class",
    "acm classes": "acm_class",
    "acm class": "acm_class",
}
# "[v2] Tue, 24 Jul 2007 20:10:27 UTC (370 KB)", then "(withdrawn)" where that version was withdrawn.
# Versions count from 1 in ASCII digits; the date is bounded, so a history of thousands of "[v1]" without a
# "(N KB)" is not searched to its end from each of them.
HISTORY_ENTRY = re.compile(
    r"\[v(?P<version>[1-9][0-9]{0,5})\]\s*(?P<date>[^()\[\]]{1,80}?)\s*\((?P<size>[0-9][0-9,.]{0,15})\s*KB\)"
    r"(?P<withdrawn>\s*\(withdrawn\))?",
    re.I,
)
# No paper has this many versions (the most are a few dozen): a history longer than this is not read further.
MAX_VERSIONS = 1000
# arXiv shows this licence for papers submitted before licences were chosen: no licence was declared.
ASSUMED_LICENSE = re.compile(r"/licenses/assumed-")


def is_abs_page(page: Page) -> bool:
    """arXiv's own abstract markup: other sites carry citation_arxiv_id too (the embedded-metadata reader's)."""
    return bool(select(page.tree, HISTORY))


def parse(page: Page, context: ParseContext, site: str) -> ParseResult:
    result = ParseResult(site=site, url=page.url)
    title = clean_text(page.meta_first("citation_title") or "") or _text(page, TITLE)  # a blank tag is no title
    if not title:
        heading = _text(page, NOT_FOUND_HEADING)
        result.problems.append(Problem(None, f"no paper on this abstract page ({heading or 'no title'})"))
        return result
    identifier = _arxiv_id(page)
    history = _history(page)
    versions = [version for version, _, _ in history]
    version = _shown_version(page, identifier, versions)
    paper = Paper(title=title, source=Source(site, page.url), arxiv_id=identifier.id if identifier else None)
    paper.url = (page.absolute(f"/abs/{paper.arxiv_id}") if paper.arxiv_id else None) or page.url
    paper.set_authors(_authors(page))
    paper.abstract = _abstract(page)
    paper.categories = _categories(page)
    paper.versions, paper.version = versions, version
    paper.withdrawn = any(withdrawn for v, _, withdrawn in history if v.version == version) if history else None
    if history:  # the paper's date is its first submission, as listing sites print it
        paper.set_date(history[0][1])
    for field_name, value in _table_fields(page).items():
        setattr(paper, field_name, value)
    paper.doi = _doi(page)
    paper.license = _license(page)
    paper.pdf_url = _pdf_url(page)
    for field_name in ("arxiv_id", "authors", "abstract", "categories", "versions"):
        if not getattr(paper, field_name):
            paper.problems.append(Problem(field_name, "none found on the page"))
    result.records.append(paper)
    return result


def _text(page: Page, selector: str) -> str:
    found = select(page.tree, selector)
    return text_without_descriptor(found[0]) if found else ""


def _arxiv_id(page: Page):
    for text in (page.meta_first("citation_arxiv_id"), page.url):
        identifier = parse_arxiv_id(text or "")
        if identifier:
            return identifier
    return None


def _shown_version(page: Page, identifier, versions: list[Version]) -> int | None:
    """The URL's vN, else the "(or arXiv:…vN for this version)" cell, else the latest version."""
    from_url = parse_arxiv_id(page.url)
    if from_url and from_url.version:
        return from_url.version
    for link in select(page.tree, THIS_VERSION):
        this = parse_arxiv_id(link.text_content())
        if this and this.version:
            return this.version
    return versions[-1].version if versions else (identifier.version if identifier else None)


def _history(page: Page) -> list[tuple[Version, ParsedDate, bool]]:
    """Every version in the submission history: (version with its UTC timestamp and size, its date as
    parsed (always with a year), whether that version was withdrawn)."""
    history = select(page.tree, HISTORY)
    text = clean_text(history[0].text_content()) if history else ""
    entries = []
    for match in HISTORY_ENTRY.finditer(text):
        if len(entries) >= MAX_VERSIONS:
            break
        parsed = parse_date(match["date"])
        if parsed is None:
            continue
        size = parse_number(match["size"])
        version = Version(int(match["version"]), parsed.value, int(size) if size is not None and size >= 0 else None)
        entries.append((version, parsed, bool(match["withdrawn"])))
    return entries


def _authors(page: Page) -> AuthorList | None:
    found = select(page.tree, AUTHORS)
    if found:
        return author_names(found[0])
    # Highwire gives "Last, First", one tag per author: turn it back into the display order the other
    # sites use; a tag list is never cut.
    tags = page.meta.get("citation_author", [])
    names = tuple(display_order(name) for name in tags)
    return AuthorList(names, True, "; ".join(tags)) if names else None


def _abstract(page: Page) -> str | None:
    text = page.meta_first("citation_abstract") or _text(page, ABSTRACT)
    return clean_text(text) or None


def _categories(page: Page) -> list[str]:
    found = select(page.tree, SUBJECTS)
    return subject_codes(found[0]) if found else []


def _table_fields(page: Page) -> dict[str, str]:
    fields = {}
    for row in select(page.tree, METATABLE_ROWS):
        label = select(row, LABEL_CELL)
        cells = row.findall("td")
        if not label or len(cells) < 2:
            continue
        name = ROW_FIELDS.get(clean_text(label[0].text_content()).rstrip(":").strip().lower())
        value = text_without_descriptor(cells[-1])
        if name and value:
            fields[name] = value
    return fields


def _doi(page: Page) -> str | None:
    dois = page.meta.get("citation_doi") or [link.get("data-doi") for link in select(page.tree, DOI_LINKS)]
    parsed = [parse_doi(doi) for doi in dois if doi]
    return " ".join(doi for doi in parsed if doi) or None


def _license(page: Page) -> str | None:
    links = select(page.tree, LICENSE_LINK)
    href = links[0].get("href") if links else None
    return None if not href or ASSUMED_LICENSE.search(href) else href


def _pdf_url(page: Page) -> str | None:
    links = select(page.tree, PDF_LINK)
    if links and links[0].get("href"):
        return page.absolute(links[0].get("href"))
    return page.meta_first("citation_pdf_url")

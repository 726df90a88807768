"""Any scholarly page that describes its paper in Highwire ``citation_*`` meta tags or JSON-LD ScholarlyArticle.

The generic fallback, tried after every site adapter (as Zotero's "Embedded Metadata" translator): one paper
record from the page's own structured data. Meta tags come first; JSON-LD fills what they lack.
"""

from __future__ import annotations

from parsers.fields.dates import parse_date
from parsers.fields.identifiers import parse_arxiv_id, parse_doi
from parsers.fields.names import MAX_AUTHORS, display_order, parse_author_list
from parsers.fields.text import clean_text
from parsers.page import Page
from parsers.records import Paper, Source
from parsers.result import ParseContext, ParseResult, Problem

NAME = "embedded-metadata"
# Merge trust: after the known listings. Meta tags of an unknown site: only as good as its publisher.
MERGE_RANK = 3
HOSTS: tuple[str, ...] = ()

TITLE_TAGS = ("citation_title", "dc.title", "DC.title")
AUTHOR_TAGS = ("citation_author", "dc.creator", "DC.creator")  # the first of them the page has
# Most specific first: the publication date, then the print/online dates some publishers give instead.
DATE_TAGS = ("citation_publication_date", "citation_date", "citation_online_date", "dc.date", "DC.date")
DOI_TAGS = ("citation_doi", "dc.identifier", "DC.identifier")
ABSTRACT_TAGS = ("citation_abstract", "dc.description", "DC.description")
VENUE_TAGS = ("citation_journal_title", "citation_conference_title")
ARTICLE_TYPES = frozenset({"ScholarlyArticle", "Article", "Report", "Thesis", "Chapter", "MedicalScholarlyArticle"})


def recognise(page: Page) -> bool:
    return bool(_first(page, TITLE_TAGS[:1]) or _article(page))


def parse(page: Page, context: ParseContext) -> ParseResult:
    result = ParseResult(site=NAME, url=page.url)
    article = _article(page) or {}
    title = _first(page, TITLE_TAGS) or _text(article.get("headline") or article.get("name"))
    if not title:
        result.problems.append(Problem("title", "no citation_title meta tag nor JSON-LD article headline"))
        return result
    identifier = parse_arxiv_id(page.meta_first("citation_arxiv_id") or "")
    paper = Paper(title=title, source=Source(NAME, page.url), url=page.url,
                  arxiv_id=identifier.id if identifier else None)
    paper.authors = _authors(page, article)
    # MAX_AUTHORS names: the list was read that far and no further (see parsers.fields.names).
    paper.authors_complete = len(paper.authors) < MAX_AUTHORS if paper.authors else None
    paper.set_date(_date(page, article, context))
    paper.doi = next(filter(None, (parse_doi(v) for v in _all(page, DOI_TAGS) + [_text(article.get("sameAs"))])),
                     None)
    paper.pdf_url = page.meta_first("citation_pdf_url") or _pdf_from_jsonld(article)
    paper.abstract = _first(page, ABSTRACT_TAGS) or _text(article.get("abstract") or article.get("description"))
    paper.venue = _first(page, VENUE_TAGS)
    for name in ("authors", "date"):
        if not getattr(paper, name):
            paper.problems.append(Problem(name, "none in the page's metadata"))
    result.records.append(paper)
    return result


def _all(page: Page, names: tuple[str, ...]) -> list[str]:
    return [clean_text(value) for name in names for value in page.meta.get(name, []) if clean_text(value)]


def _first(page: Page, names: tuple[str, ...]) -> str | None:
    values = _all(page, names)
    return values[0] if values else None


def _text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url") or value.get("name")
    return clean_text(value) or None if isinstance(value, str) else None


def _article(page: Page) -> dict | None:
    for item in page.jsonld:
        types = item.get("@type")
        types = types if isinstance(types, list) else [types]
        if ARTICLE_TYPES.intersection(t for t in types if isinstance(t, str)):
            return item
    return None


def _authors(page: Page, article: dict) -> list[str]:
    tagged = next((page.meta[name] for name in AUTHOR_TAGS if page.meta.get(name)), [])
    if tagged:
        # One tag per author, often "Last, First": turn it to display order before the name-list parser.
        names = [display_order(name) for name in tagged[:MAX_AUTHORS] if clean_text(name)]
        return list(parse_author_list(", ".join(names)).names) if names else []
    people = article.get("author") or []
    people = people[:MAX_AUTHORS] if isinstance(people, list) else [people]
    return [name for name in (_text(person) for person in people) if name]


def _date(page: Page, article: dict, context: ParseContext):
    for raw in _all(page, DATE_TAGS) + [_text(article.get("datePublished")) or ""]:
        parsed = parse_date(raw, context.as_of) if raw else None
        if parsed:
            return parsed
    return None


def _pdf_from_jsonld(article: dict) -> str | None:
    encodings = article.get("encoding") or []
    encodings = encodings if isinstance(encodings, list) else [encodings]
    for encoding in encodings:
        if isinstance(encoding, dict) and "pdf" in str(encoding.get("encodingFormat", "")).lower():
            return _text(encoding.get("contentUrl"))
    return None

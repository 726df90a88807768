"""arXiv, the reference for ids, full author lists, versions and dates.

Pages: abstract pages (/abs/<id>[vN]), listing pages (/list/…), author pages (/a/<id>) and Atom feeds of the
API (/api/query). Each kind lives in its own module; this one recognises the kind and hands the page over.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from parsers.page import Page
from parsers.result import ParseContext, ParseResult, Problem
from parsers.sites.arxiv import abs as abs_page
from parsers.sites.arxiv import atom, author, listing
from parsers.sites.arxiv.urls import (API_URL, ARXIV_URL, PAPER_URL, id_list_url, is_arxiv_url, paper_arxiv_id,
                                      title_search_url)

__all__ = ["NAME", "MERGE_RANK", "HOSTS", "recognise", "parse", "API_URL", "ARXIV_URL", "PAPER_URL",
           "id_list_url", "is_arxiv_url", "paper_arxiv_id", "title_search_url"]

NAME = "arxiv"
# Merge trust: first. arXiv's own record is the reference for a paper's title, authors, dates, versions.
MERGE_RANK = 0
HOSTS = ("arxiv.org", "www.arxiv.org", "export.arxiv.org")
# URL path prefix -> page kind, for pages on an arXiv host; content decides elsewhere (saved files, mirrors).
PATH_KINDS = (("/abs/", abs_page), ("/list/", listing), ("/a/", author), ("/api/", atom))


def _on_arxiv(page: Page) -> bool:
    host = (urlsplit(page.url).hostname or "").lower()
    return host in HOSTS


def _kind(page: Page):
    if atom.is_atom_feed(page):
        return atom
    if _on_arxiv(page):
        path = urlsplit(page.url).path
        for prefix, module in PATH_KINDS:
            if path.startswith(prefix):
                return module
    if page.meta_first("citation_arxiv_id") and abs_page.is_abs_page(page):
        return abs_page
    if author.is_author_page(page):
        return author
    if listing.is_listing_page(page):
        return listing
    return None


def recognise(page: Page) -> bool:
    return _kind(page) is not None


def parse(page: Page, context: ParseContext) -> ParseResult:
    kind = _kind(page)
    if kind is None:
        return ParseResult(site=NAME, url=page.url,
                           problems=[Problem(None, "not an arXiv abstract, listing, author or API page")])
    return kind.parse(page, context, NAME)

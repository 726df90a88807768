"""arXiv author pages (/a/<author-id>): the author, and one paper per listed article (listing markup)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from parsers.fields.text import clean_text
from parsers.page import Page
from parsers.records import Author, Source
from parsers.result import ParseContext, ParseResult, Problem
from parsers.sites.arxiv.common import select
from parsers.sites.arxiv.listing import ENTRY_TERMS, entries
from parsers.sites.arxiv.urls import is_arxiv_url

AUTHOR_PATH = re.compile(r"^/a/(?P<author_id>[\w.-]+?)(?:\.html)?/?$")
# The page heading: every <h1>, in document order (what the selector "#dlpage h1, h1" selected).
HEADING_TAG = "h1"
# "Sharan Narang's articles on arXiv"
HEADING_NAME = re.compile(r"^(?P<name>.+?)['’]s? articles on arXiv", re.I)


def is_author_page(page: Page) -> bool:
    """By its path on arXiv's hosts only ("/a/<x>" is common elsewhere: a blog's article, a shop's item);
    anywhere, by its "<name>'s articles on arXiv" heading (a saved copy, a mirror)."""
    on_path = is_arxiv_url(page.url) and AUTHOR_PATH.match(urlsplit(page.url).path)
    return bool(on_path) or _name(page) is not None


def _name(page: Page) -> str | None:
    # iter() rather than CSS: this runs on every page not on arXiv; the selector's union cost 93 us on a
    # scholar profile, iter() 5 us.
    for heading in page.tree.iter(HEADING_TAG) if page.tree is not None else ():
        match = HEADING_NAME.match(clean_text(heading.text_content()))
        if match:
            return match["name"]
    return None


def parse(page: Page, context: ParseContext, site: str) -> ParseResult:
    result = ParseResult(site=site, url=page.url)
    name = _name(page)
    papers = entries(page, site)
    if name is None:
        result.problems.append(Problem("name", "author page without an \"<name>'s articles\" heading"))
    else:
        result.records.append(Author(name=name, source=Source(site, page.url), url=page.url))
    for paper in papers:
        paper.listed_by = [name] if name else []
    result.records += papers
    result.declared_counts["paper"] = len(select(page.tree, ENTRY_TERMS))
    return result

"""Pure extraction of scholarly author data: pages in, records out. Imports no Scrapy."""

from __future__ import annotations

from datetime import date

from parsers.page import Page, PageError
from parsers.result import (FollowLink, LinkKind, ParseContext, ParseResult, Problem, UnrecognisedPage,
                            write_problems)
from parsers.sites import adapters, by_name

__all__ = ["Page", "PageError", "ParseContext", "ParseResult", "Problem", "FollowLink", "LinkKind",
           "UnrecognisedPage", "parse_page", "recognise_site"]


def recognise_site(page: Page) -> str | None:
    """The NAME of the first adapter that recognises the page, or None."""
    return next((module.NAME for module in adapters() if module.recognise(page)), None)


def parse_page(page: Page, as_of: date, site: str | None = None) -> ParseResult:
    """Records of one page. Raises UnrecognisedPage naming the URL when no adapter knows the layout."""
    if site:
        module = by_name(site)
        # Naming the site skips guessing, not checking: an adapter given a page of another layout would
        # read its lines as fields and invent records.
        if not module.recognise(page):
            raise UnrecognisedPage(f"{page.url}: {module.NAME}: the page does not have this site's layout")
    else:
        module = next((m for m in adapters() if m.recognise(page)), None)
        if module is None:
            raise UnrecognisedPage(f"{page.url}: unrecognised page layout (no site adapter matches it)")
    result = module.parse(page, ParseContext(as_of=as_of))
    # The one place problems become text: each line names the URL and the site (house rule 7).
    write_problems(result, [Problem(None, text) for text in page.problems])
    return result

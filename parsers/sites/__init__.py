"""One module per site, each a ``SiteAdapter`` (below): ``NAME``, ``HOSTS`` (empty where the host is unknown
and pages are recognised by content), ``MERGE_RANK`` (lower wins where the same paper from several sites is
merged into one record), ``recognise(page) -> bool`` and ``parse(page, context) -> ParseResult``; it may
have ``profile_url(name) -> str`` where the site has a URL pattern for author names. Adding a site: one
module, its fixtures and tests, and its name in SITE_MODULES.
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from types import ModuleType
from typing import Protocol, runtime_checkable

from parsers.page import Page
from parsers.result import ParseContext, ParseResult

logger = logging.getLogger(__name__)

@runtime_checkable
class SiteAdapter(Protocol):
    """What every site module provides (checked over every registered module by tests/test_adapters.py)."""

    NAME: str                       # source.site of its records
    HOSTS: tuple[str, ...]          # hosts it reads; the crawl may fetch them
    MERGE_RANK: int                 # merge trust, lower wins

    def recognise(self, page: Page) -> bool: ...

    def parse(self, page: Page, context: ParseContext) -> ParseResult: ...


# Most specific first; the generic embedded-metadata reader last, as a fallback.
SITE_MODULES = ("arxiv", "catalyzex", "scholar_profile", "paper_digest", "embedded_metadata")


def adapters() -> list[ModuleType]:
    """The registered site modules that import, in SITE_MODULES order."""
    return list(_imported_adapters())


@cache
def _imported_adapters() -> tuple[ModuleType, ...]:
    # Once: parse_page asks for every page, and import_module costs a few microseconds a module even when
    # the module is already imported.
    found = []
    for name in SITE_MODULES:
        try:
            found.append(importlib.import_module(f"parsers.sites.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"parsers.sites.{name}":
                raise
    return tuple(found)


def by_name(name: str) -> ModuleType:
    for module in adapters():
        if module.NAME == name or module.__name__.rsplit(".", 1)[1] == name:
            return module
    raise KeyError(f"no site adapter named {name!r} (known: {', '.join(m.NAME for m in adapters())})")


@cache
def _merge_ranks() -> dict[str, int]:
    return {module.NAME: module.MERGE_RANK for module in adapters() if hasattr(module, "MERGE_RANK")}


@cache
def merge_rank(site_name: str) -> int:
    """How far a site's values are trusted when records of one paper are merged (lower wins): the site
    module's MERGE_RANK. A site without one ranks after every site that has one, with a warning once."""
    ranks = _merge_ranks()
    if site_name in ranks:
        return ranks[site_name]
    logger.warning("site %r declares no MERGE_RANK: its values rank after every other site's in the merge",
                   site_name)
    return max(ranks.values(), default=0) + 1

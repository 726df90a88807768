"""One module per site. Each has ``NAME``, ``HOSTS`` (empty where the host is unknown and pages are
recognised by content), ``recognise(page) -> bool`` and ``parse(page, context) -> ParseResult``;
it may have ``profile_url(name) -> str`` where the site has a URL pattern for author names.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# Most specific first; the generic embedded-metadata reader last, as a fallback.
SITE_MODULES = ("arxiv", "catalyzex", "scholar_profile", "paper_digest", "embedded_metadata")


def adapters() -> list[ModuleType]:
    found = []
    for name in SITE_MODULES:
        try:
            found.append(importlib.import_module(f"parsers.sites.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"parsers.sites.{name}":
                raise
    return found


def by_name(name: str) -> ModuleType:
    for module in adapters():
        if module.NAME == name or module.__name__.rsplit(".", 1)[1] == name:
            return module
    raise KeyError(f"no site adapter named {name!r} (known: {', '.join(m.NAME for m in adapters())})")

"""Every registered site module keeps the adapter contract (parsers.sites.SiteAdapter)."""

from __future__ import annotations

import inspect
import typing

import pytest

from parsers.result import LinkKind
from parsers.sites import SITE_MODULES, SiteAdapter, adapters


@pytest.mark.parametrize("module", adapters(), ids=lambda m: m.__name__)
def test_site_module_is_a_site_adapter(module):
    assert isinstance(module, SiteAdapter)
    hints = typing.get_type_hints(SiteAdapter)
    assert isinstance(module.NAME, str) and module.NAME
    assert isinstance(module.HOSTS, tuple) and all(isinstance(host, str) for host in module.HOSTS)
    assert isinstance(module.MERGE_RANK, int) and hints["MERGE_RANK"] is int
    assert list(inspect.signature(module.recognise).parameters) == ["page"]
    assert list(inspect.signature(module.parse).parameters)[:2] == ["page", "context"]


def test_every_registered_module_loads_with_its_own_name_and_rank():
    modules = adapters()
    assert len(modules) == len(SITE_MODULES)
    assert len({m.NAME for m in modules}) == len(modules)
    assert len({m.MERGE_RANK for m in modules}) == len(modules)   # a tie would make the merge order arbitrary


def test_link_kinds_compare_as_their_text():
    # FOLLOW_KINDS and request meta carry the kinds as text.
    assert LinkKind.NEXT_PAGE == "next-page" and "arxiv" in {LinkKind.ARXIV}
    assert {kind.value for kind in LinkKind} == {"next-page", "arxiv"}

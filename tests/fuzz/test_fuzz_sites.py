"""Every site adapter, fed mutated copies of its own saved pages and pages built from its words: the parse
gives valid, writable records or one clear error naming the URL, never an exception of another kind."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.page import Page
from parsers.sites import adapters
from tests.fuzz.hostile import (CONTENT_TYPES, SEED_CAPTURES, check_contract, corpus, corpus_by_site, mutated,
                                seed_digest, token_soup, urls)

SITES = [module.NAME for module in adapters()]


def test_the_seed_captures_are_in_the_corpus_unchanged():
    assert {seed: seed_digest(file) for seed, (file, _) in SEED_CAPTURES.items()} == \
           {seed: digest for seed, (_, digest) in SEED_CAPTURES.items()}
    assert {file for file, _ in SEED_CAPTURES.values()} <= {page.file for page in corpus()}


def test_every_adapter_has_saved_pages_to_mutate():
    assert set(SITES) <= set(corpus_by_site()), f"adapters without a saved page: {set(SITES) - set(corpus_by_site())}"


@pytest.mark.parametrize("site", SITES)
@given(data=st.data())
def test_a_mutated_page_of_the_site_keeps_the_contract(site: str, data: st.DataObject):
    page = data.draw(st.sampled_from(corpus_by_site()[site]), label="page")
    body = data.draw(mutated(page.body), label="body")
    check_contract(body, page.url, site=data.draw(st.sampled_from((None, site)), label="site"))


@pytest.mark.parametrize("site", SITES)
@given(data=st.data())
def test_a_page_of_the_site_at_an_odd_url_or_content_type_keeps_the_contract(site: str, data: st.DataObject):
    page = data.draw(st.sampled_from(corpus_by_site()[site]), label="page")
    check_contract(page.body, data.draw(urls(page.url), label="url"),
                   data.draw(st.sampled_from(CONTENT_TYPES), label="content_type"))


@given(page=st.sampled_from(corpus()), data=st.data())
def test_any_saved_page_mutated_at_any_url_and_reference_day_keeps_the_contract(page, data: st.DataObject):
    body = data.draw(mutated(page.body), label="body")
    check_contract(body, data.draw(urls(page.url), label="url"),
                   data.draw(st.sampled_from(CONTENT_TYPES), label="content_type"),
                   as_of=data.draw(st.dates(), label="as_of"))


@given(page=st.sampled_from(corpus()), data=st.data())
def test_a_saved_page_cut_anywhere_by_the_page_bounds_keeps_the_contract(page, data: st.DataObject):
    # The bounds of parsers/page.py lowered to the fixtures' size, so each cut (tags, lines, links, images, line
    # length) lands somewhere inside a real layout: a card, an entry, a link, a feed.
    bounds = {name: data.draw(st.integers(1, high), label=name) for name, high in
              (("MAX_TAGS", 3000), ("MAX_LINES", 200), ("MAX_LINKS", 100), ("MAX_IMAGES", 10),
               ("MAX_LINE_TEXT", 2000))}
    with mock.patch.multiple("parsers.page", **bounds):
        result = check_contract(page.body, page.url)
        is_html = result is not None and Page.from_bytes(page.body, page.url).kind == "html"
    if is_html and page.body.count(b"<") > bounds["MAX_TAGS"]:  # a partial result says what was cut
        assert any(f"page: more than {bounds['MAX_TAGS']:,} tags" in problem for problem in result.problems)


@pytest.mark.parametrize("site", [None, *SITES])
@given(body=token_soup(), as_of=st.dates())
def test_a_page_of_adapter_words_in_any_order_keeps_the_contract(site: str | None, body: bytes, as_of):
    check_contract(body, "https://example.org/page", as_of=as_of, site=site)


@given(body=st.binary(max_size=3000), content_type=st.sampled_from(CONTENT_TYPES))
def test_random_bytes_keep_the_contract(body: bytes, content_type):
    check_contract(body, "https://example.org/bytes", content_type)


@given(text=st.text(max_size=3000))
def test_random_text_keeps_the_contract(text: str):
    check_contract(text.encode("utf-8", "surrogatepass"), "https://arxiv.org/abs/2204.02311")

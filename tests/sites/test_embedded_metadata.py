"""The generic embedded-metadata reader: Highwire citation_* tags, JSON-LD ScholarlyArticle, and pages lacking them."""

from __future__ import annotations

import json

import pytest

from parsers import Problem, parse_page
from parsers.page import Page
from parsers.records import to_dict, validation_errors
from parsers.result import ParseContext
from parsers.sites import arxiv, embedded_metadata
from tests.conftest import CAPTURE_DAY, FIXTURES, read_jsonl
from tests.sites.expected import paper_diffs

HERE = FIXTURES / "embedded_metadata"
URLS = {"citation-only.html": "https://mirror.example.org/paper/0704.0001",
        "jsonld-only.html": "https://papers.example.org/palm"}
CONTEXT = ParseContext(as_of=CAPTURE_DAY)


@pytest.mark.parametrize("name", sorted(URLS))
def test_page_gives_the_expected_paper_field_by_field(name):
    page = Page.from_file(HERE / name, URLS[name])
    assert embedded_metadata.recognise(page) and not arxiv.recognise(page)
    result = embedded_metadata.parse(page, CONTEXT)
    (expected,) = read_jsonl(HERE / f"{name}.expected.jsonl")
    (record,) = result.records
    assert paper_diffs(to_dict(record), expected) == [], name      # id and ids: by their properties
    assert result.problems == [] and not validation_errors(record)


def test_citation_tags_alone_make_a_valid_record():
    page = Page.from_html('<html><head><meta name="citation_title" content="A Title">'
                          '<meta name="citation_author" content="Doe, Jane">'
                          '<meta name="citation_publication_date" content="2021/03/04"></head><body></body></html>',
                          "https://journal.example.org/a")
    (paper,) = embedded_metadata.parse(page, CONTEXT).records
    assert (paper.title, paper.authors, paper.date) == ("A Title", ["Jane Doe"], "2021-03-04")
    assert paper.source.site == "embedded-metadata" and not validation_errors(paper)


def test_title_only_is_a_partial_record_naming_what_is_missing():
    page = Page.from_html('<html><head><meta name="citation_title" content="Only a title"></head></html>',
                          "https://journal.example.org/b")
    (paper,) = parse_page(page, as_of=CAPTURE_DAY).records
    assert paper.problems == [f"{page.url}: embedded-metadata: authors: none in the page's metadata",
                              f"{page.url}: embedded-metadata: date: none in the page's metadata"]


def test_page_without_metadata_is_not_recognised_and_parse_says_why():
    page = Page.from_html("<html><head><title>Hello</title></head><body><p>text</p></body></html>",
                          "https://blog.example.org/post")
    assert not embedded_metadata.recognise(page)
    result = embedded_metadata.parse(page, CONTEXT)
    assert result.records == []
    assert result.problems == [Problem("title", "no citation_title meta tag nor JSON-LD article headline")]


def test_bad_jsonld_block_does_not_hide_the_meta_tags():
    page = Page.from_html('<html><head><script type="application/ld+json">{broken</script>'
                          '<meta name="citation_title" content="Still Here"></head></html>',
                          "https://journal.example.org/c")
    (paper,) = embedded_metadata.parse(page, CONTEXT).records
    assert paper.title == "Still Here" and json.dumps(page.problems)

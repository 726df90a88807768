"""The page model on any bytes, encoding, URL and href: a Page (whose lines, links, images, meta tags and JSON-LD
read without error, every link absolute and readable by urllib) or a PageError naming the URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given
from hypothesis import strategies as st

from parsers import Page, PageError
from tests.fuzz.hostile import CONTENT_TYPES, HOSTILE_FRAGMENTS, HOSTILE_URLS, corpus, mutated, one_line, urls

HREFS = st.sampled_from(HOSTILE_URLS) | st.text(max_size=30) | st.sampled_from(("/abs/2204.02311", "?page=2", ""))


def _read_everything(page: Page) -> None:
    for line in page.lines:
        assert isinstance(line.text, str) and one_line(line.text) or line.text == ""
        line.text.encode("utf-8")
        for link in line.links:
            urlsplit(link.url)
            link.url.encode("utf-8")
            link.text.encode("utf-8")
        for image in line.images:
            image.src.encode("utf-8")
            image.alt.encode("utf-8")
    for values in page.meta.values():
        for value in values:
            value.encode("utf-8")
    for item in page.jsonld:
        assert isinstance(item, dict)
    for problem in page.problems:
        assert one_line(problem)


def _page_or_error(body: bytes, url: str, content_type: str | None = None) -> Page | None:
    try:
        return Page.from_bytes(body, url, content_type)
    except PageError as exc:
        assert one_line(str(exc)) and str(exc).startswith(url)
        return None


@given(page=st.sampled_from(corpus()), data=st.data())
def test_a_mutated_saved_page_is_a_page_or_a_page_error(page, data: st.DataObject):
    body = data.draw(mutated(page.body), label="body")
    read = _page_or_error(body, data.draw(urls(page.url), label="url"),
                          data.draw(st.sampled_from(CONTENT_TYPES), label="content_type"))
    if read is not None:
        _read_everything(read)


@given(fragments=st.lists(st.sampled_from(HOSTILE_FRAGMENTS) | st.text(max_size=20), max_size=30),
       url=urls("https://example.org/a/b"), html=st.booleans())
def test_hostile_fragments_make_a_page_or_a_page_error(fragments, url, html):
    body = ("<html><body>" if html else "") + "<p>".join(fragments)
    read = _page_or_error(body.encode("utf-8", "surrogatepass"), url)
    if read is not None:
        _read_everything(read)


@given(text=st.text(max_size=500), url=urls("https://example.org/"))
def test_a_string_builds_a_page_either_way(text, url):
    for build in (Page.from_html, Page.from_text):
        try:
            page = build(text, url)
        except PageError as exc:
            assert one_line(str(exc)) and str(exc).startswith(url)
            continue
        _read_everything(page)


@given(href=HREFS, url=st.sampled_from(("https://example.org/a/b?c=1", "file:///tmp/x.html", "relative")))
def test_absolute_is_a_readable_url_or_none(href, url):
    absolute = Page.from_text("x", url).absolute(href)
    assert absolute is None or (urlsplit(absolute) is not None and isinstance(absolute, str))

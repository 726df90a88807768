"""The page model: HTML renders to the same lines a text capture shows, and keeps what text lacks."""

from __future__ import annotations

import pytest

from parsers.page import Page, PageError, join_url

CARD = b"""<!doctype html><html><head><meta charset="utf-8">
<meta name="citation_title" content="PaLM: Scaling Language Modeling with Pathways">
<meta name="citation_author" content="Chowdhery, Aakanksha"><meta name="citation_author" content="Narang, Sharan">
<script type="application/ld+json">{"@type": "ScholarlyArticle", "name": "PaLM"}</script>
<style>.x{}</style></head><body>
<article><div class="meta"><span>CL</span><time>Jul 18, 2023</time><a href="https://github.com/x/y">Code</a></div>
<h3><a href="/paper/llama-2">Llama 2: Open Foundation and Fine-Tuned Chat Models</a></h3>
<p>Hugo Touvron, Louis Martin,
   Kevin Stone et al. &middot; meta-ai</p>
<div class="figs"><div><img src="/fig/1.png" alt="Figure 1 for Llama 2"></div></div>
<a href="https://arxiv.org/abs/2307.09288">Via<img src="/i/arxiv.svg" alt="arxiv icon"></a>
<script>var ignored = 1;</script></article></body></html>"""


def test_html_renders_like_inner_text():
    page = Page.from_bytes(CARD, "https://profiles.example.org/author/x")
    assert page.kind == "html"
    assert page.texts == [
        "CLJul 18, 2023Code",
        "Llama 2: Open Foundation and Fine-Tuned Chat Models",
        "Hugo Touvron, Louis Martin, Kevin Stone et al. \u00b7 meta-ai",
        "Figure 1 for Llama 2",
        "Viaarxiv icon",
    ]


def test_html_lines_keep_links_and_images_absolute():
    page = Page.from_bytes(CARD, "https://profiles.example.org/author/x")
    meta, title, _, figure, via = page.lines
    assert meta.link_to("github").url == "https://github.com/x/y"
    assert title.links[0].url == "https://profiles.example.org/paper/llama-2"
    assert figure.images[0].src == "https://profiles.example.org/fig/1.png"
    assert via.link_to(r"arxiv\.org/abs/").url == "https://arxiv.org/abs/2307.09288"


def test_html_keeps_citation_meta_and_jsonld():
    page = Page.from_bytes(CARD, "https://example.org/p")
    assert page.meta["citation_author"] == ["Chowdhery, Aakanksha", "Narang, Sharan"]
    assert page.meta_first("citation_title") == "PaLM: Scaling Language Modeling with Pathways"
    assert page.jsonld == [{"@type": "ScholarlyArticle", "name": "PaLM"}]


def test_text_capture_lines_drop_blanks_and_fold_spaces():
    page = Page.from_bytes(b"Sharan Narang\n\nCL\nh-index29\n  32papers \n", "https://x.example/a")
    assert page.kind == "text"
    assert page.texts == ["Sharan Narang", "CL", "h-index29", "32papers"]
    assert page.links == [] and page.tree is None


def test_wrong_encoding_is_named_not_fatal():
    body = "<html><body><p>Jos\u00e9 Garc\u00eda</p></body></html>".encode("cp1252")
    page = Page.from_bytes(body, "https://x.example/a", content_type="text/html; charset=utf-8")
    assert page.texts == ["Jos\ufffd Garc\ufffda"]
    assert page.problems and "utf-8" in page.problems[0]


def test_undeclared_legacy_encoding_is_detected():
    body = '<html><head><meta charset="windows-1252"></head><body><p>Jos\u00e9</p></body></html>'.encode("cp1252")
    page = Page.from_bytes(body, "https://x.example/a")
    assert page.texts == ["Jos\u00e9"] and page.problems == []


@pytest.mark.parametrize("body", [b"", b"   \n\n"])
def test_empty_page_is_an_error_naming_the_url(body):
    with pytest.raises(PageError, match="https://x.example/empty"):
        Page.from_bytes(body, "https://x.example/empty")


def test_broken_jsonld_is_a_problem_not_a_crash():
    body = b'<html><head><script type="application/ld+json">{"a": </script></head><body><p>x</p></body></html>'
    page = Page.from_bytes(body, "https://x.example/a")
    assert page.texts == ["x"] and "JSON-LD" in page.problems[0]


@pytest.mark.parametrize("body", [b"%PDF-1.7\n\x00\x01\x02binary", bytes(range(256)) * 8, b"\x1f\x8b\x08\x00" + b"\x00" * 64])
def test_binary_content_is_an_error_saying_so(body):
    with pytest.raises(PageError, match=r"https://x.example/f.pdf: not text"):
        Page.from_bytes(body, "https://x.example/f.pdf")


def test_text_after_a_comment_or_processing_instruction_is_kept():
    # A comment between two words of a title (templates leave them) must not cut the line short.
    page = Page.from_bytes(b"<html><body><h3><a href='/p'>PaLM:<!-- tpl --> Scaling</a><?php x ?> Language"
                           b"</h3><p>next</p></body></html>", "https://profiles.example.org/author/x")
    assert page.texts == ["PaLM: Scaling Language", "next"]
    assert page.lines[0].links[0].text == "PaLM: Scaling"


@pytest.mark.parametrize("href, expected", [
    ("/abs/2204.02311v2", "https://arxiv.org/abs/2204.02311v2"),
    ("/pdf/hep-th/9901001", "https://arxiv.org/pdf/hep-th/9901001"),
    (" /abs/x ", "https://arxiv.org/abs/x"),
    ("/a/./b/../c", "https://arxiv.org/a/c"),   # dot segments resolved
    ("/a//b", "https://arxiv.org/a//b"),        # an empty segment kept (off the fast path)
    ("/a?q=1#f", "https://arxiv.org/a?q=1#f"),
    ("/a;p", "https://arxiv.org/a;p"),
    ("//other.org/x", "https://other.org/x"),
    ("next", "https://arxiv.org/list/next"),
])
def test_page_absolute_joins_as_urljoin_does_on_the_fast_path_and_off_it(href, expected):
    page = Page("https://arxiv.org/list/math", [])
    assert page.absolute(href) == expected == join_url(page.url, href)

"""Hand-made hostile pages, one (or a few) per class of input that once crashed a parser or made a record the
schema refuses. Each asserts what a user needs: the page's records, valid, or one clear error naming the URL.
(tests/fuzz/ keeps the same contract over generated inputs.)"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from parsers import Page, PageError, UnrecognisedPage, parse_page
from parsers.fields.dates import parse_date
from parsers.fields.figures import parse_figure_caption
from parsers.fields.identifiers import parse_arxiv_id
from parsers.fields.numbers import parse_labelled_number, parse_number
from parsers.records import Author, Paper, to_dict, validation_errors
from tests.conftest import CAPTURE_DAY, FIXTURES

META = ('<meta name="citation_title" content="A Paper">'
        '<meta name="citation_author" content="Doe, Jane"><meta name="citation_date" content="2021-03-04">')
PROFILE_URL = "https://profiles.example.org/author/sharan-narang"
CATALYZEX_URL = "https://www.catalyzex.com/author/Parker%20Schuh"


def html(head: str = META, body: str = "<p>text</p>") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode("utf-8", "surrogatepass")


def records(body: bytes, url: str = "https://journal.example.org/article/1", content_type: str | None = None,
            as_of: date = CAPTURE_DAY):
    """The page's records, each checked against the schema and written as UTF-8 JSON."""
    result = parse_page(Page.from_bytes(body, url, content_type), as_of=as_of)
    for record in result.records:
        assert validation_errors(record) == []
        json.dumps(to_dict(record), ensure_ascii=False).encode("utf-8")
    return result


def profile(replace: tuple[str, str]) -> bytes:
    text = (FIXTURES / "scholar_profile" / "sharan-narang.txt").read_text(encoding="utf-8")
    assert replace[0] in text
    return text.replace(replace[0], replace[1], 1).encode("utf-8")


# -- URLs urllib rejects ---------------------------------------------------------------------------------


def test_a_base_href_urllib_rejects_is_ignored_and_links_resolve_against_the_page():
    page = Page.from_bytes(html(META + '<base href="//[">', '<p><a href="/paper/1">one</a></p>'),
                           "https://journal.example.org/article/1")
    assert [link.url for link in page.links] == ["https://journal.example.org/paper/1"]


@pytest.mark.parametrize("href", ["//[", "http://[::1", "http://a:b@[x]:99/", "http://\uff03x/"])
def test_a_link_urllib_rejects_is_no_link_and_its_text_stays(href):
    page = Page.from_bytes(html(body=f'<p>see <a href="{href}">this</a> and <a href="/b">that</a></p>'),
                           "https://journal.example.org/article/1")
    assert page.texts == ["see this and that"]
    assert [link.url for link in page.links] == ["https://journal.example.org/b"]
    assert page.absolute(href) is None
    assert len(records(html(body=f'<a href="{href}">x</a>')).records) == 1


@pytest.mark.parametrize("url", ["//[", "http://[::1", "http://a:b@[x]:99/", "https://arxiv.org\ud800/abs/1"])
def test_a_page_url_urllib_rejects_is_a_page_error_naming_it(url):
    # The arXiv adapter's host test used to raise ValueError on these, from parse_page.
    with pytest.raises(PageError) as raised:
        Page.from_bytes(html(), url)
    assert str(raised.value).startswith(url) and "not a URL" in str(raised.value)


# -- JSON-LD ----------------------------------------------------------------------------------------------


ARTICLE = '<script type="application/ld+json">{"@type": "ScholarlyArticle", "headline": "From JSON-LD"}</script>'


def test_deeply_nested_jsonld_is_a_problem_and_the_other_blocks_are_read():
    deep = '<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>"
    result = records(html(deep + ARTICLE))
    assert [paper.title for paper in result.records] == ["From JSON-LD"]
    assert any("JSON-LD block nested too deep" in problem for problem in result.problems)


def test_a_jsonld_integer_of_thousands_of_digits_does_not_stop_the_article():
    block = ('<script type="application/ld+json">{"@type": "ScholarlyArticle", "headline": "Big", '
             f'"pageStart": {"9" * 5000}, "author": {{"name": "Jane Doe"}}}}</script>')
    [paper] = records(html(block)).records
    assert (paper.title, paper.authors) == ("Big", ["Jane Doe"])


@pytest.mark.parametrize("graph", ['{"@graph": 7}', '{"@graph": "x"}', "[1, null]", "42"])
def test_jsonld_of_an_unexpected_shape_holds_no_article(graph):
    page = Page.from_bytes(html(f'<script type="application/ld+json">{graph}</script>'), "https://e.org/")
    assert page.jsonld == []


# -- numbers a field parser cannot read -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1" + "0" * 40, "①", "١٢٣", "②5", "9" * 5000],
                         ids=["41-digits", "circled", "arabic-indic", "circled-then-ascii", "5000-digits"])
def test_a_number_no_page_prints_is_none(text):
    assert parse_number(text) is None
    assert parse_labelled_number(f"h-index{text}", "h-index") is None


def test_a_listing_total_of_41_digits_is_not_a_count():
    listing = (FIXTURES / "arxiv/real/html/list/db_math_recent.html").read_bytes()
    assert b"Total of 5 entries" in listing
    body = listing.replace(b"Total of 5 entries", b"Total of 1" + b"0" * 40 + b" entries")
    result = records(body, "https://arxiv.org/list/math/recent")
    assert "paper" not in result.declared_counts and len(result.records) == 5


@pytest.mark.parametrize("count", ["①", "١٢٣", "9" * 5000], ids=["circled", "arabic-indic", "5000-digits"])
def test_an_api_feed_count_in_other_digits_is_not_read(count):
    feed = (FIXTURES / "arxiv/api/palm.atom").read_text(encoding="utf-8")
    feed = re.sub(r"(<opensearch:totalResults[^>]*>)[^<]*", lambda m: m.group(1) + count, feed)
    result = records(feed.encode("utf-8"), "https://export.arxiv.org/api/query?id_list=2204.02311")
    assert "paper" not in result.declared_counts
    assert [paper.arxiv_id for paper in result.records] == ["2204.02311"]


@pytest.mark.parametrize("text", ["2204.02311v" + "9" * 5000, "٢٢٠٤.٠٢٣١١", "arXiv:2204.02311v0"],
                         ids=["version-of-5000-digits", "arabic-indic", "v0"])
def test_arxiv_ids_in_other_digits_or_with_impossible_versions(text):
    found = parse_arxiv_id(text)
    assert found is None or (found.id == "2204.02311" and found.version is None)


def test_an_abs_page_history_with_a_version_of_thousands_of_digits_keeps_the_other_versions():
    page = (FIXTURES / "arxiv/real/html/abs/0704.0001.html").read_text(encoding="utf-8")
    assert "[v1]" in page
    body = page.replace("[v1]", "[v" + "9" * 5000 + "]", 1).encode("utf-8")
    [paper] = records(body, "https://arxiv.org/abs/0704.0001").records
    assert [version.version for version in paper.versions] == [2]


# -- lone surrogates --------------------------------------------------------------------------------------


def test_a_surrogate_character_reference_is_replaced_and_the_text_after_it_kept():
    page = Page.from_bytes(html(body="<p>before&#xD800;after</p>"), "https://e.org/")
    assert page.texts[0].startswith("before") and page.texts[0].endswith("after")


def test_a_lone_surrogate_in_jsonld_ends_as_a_replacement_character():
    block = '<script type="application/ld+json">{"@type": "ScholarlyArticle", "headline": "T\\ud800x"}</script>'
    [paper] = records(html(block)).records
    assert paper.title == "T\ufffdx"


def test_a_lone_surrogate_in_a_string_page_is_replaced_not_cut():
    assert Page.from_html("<p>a\ud800b</p>", "https://e.org/").texts == ["a\ufffdb"]
    assert Page.from_text("a\udfffb", "https://e.org/").texts == ["a\ufffdb"]


# -- out-of-range values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("printed", "metric"), [("h-index-5", "h_index"), ("Novelty150%", "novelty_percent"),
                                                 ("Novelty-1%", "novelty_percent")])
def test_an_out_of_range_metric_is_left_out_and_named(printed, metric):
    original = {"h_index": "h-index29", "novelty_percent": "Novelty50%"}[metric]
    result = records(profile((original, printed)), PROFILE_URL)
    author = result.records[0]
    assert isinstance(author, Author) and getattr(author.metrics, metric) is None
    assert author.metrics.citation_count == 88855  # the other metrics stay
    assert any(printed.split("-")[0].split("1")[0].rstrip("0123456789%") in problem and "out of range" in problem
               for problem in author.problems)
    assert len(result.records) == 33


def test_figure_0_is_not_a_figure():
    assert parse_figure_caption("Figure 0 for PaLM") is None
    assert parse_figure_caption("Figure 01 for PaLM").index == 1
    text = (FIXTURES / "catalyzex" / "parker-schuh.txt").read_text(encoding="utf-8")
    body = re.sub(r"Figure \d+ for", "Figure 0 for", text).encode("utf-8")
    result = records(body, CATALYZEX_URL)
    assert [paper.figures for paper in result.records if isinstance(paper, Paper)]
    assert all(figure.index >= 1 for paper in result.records if isinstance(paper, Paper) for figure in paper.figures)


def test_a_blank_title_tag_on_an_arxiv_page_falls_back_to_the_heading():
    page = (FIXTURES / "arxiv/real/html/abs/0704.0001.html").read_text(encoding="utf-8")
    body = re.sub(r'<meta name="citation_title" content="[^"]*"', '<meta name="citation_title" content="  "', page)
    assert body != page
    [paper] = records(body.encode("utf-8"), "https://arxiv.org/abs/0704.0001").records
    assert paper.title.startswith("Calculation of prompt diphoton production")


def test_a_card_without_a_title_line_is_untitled_and_says_so():
    card = ('<article><p><img src="/t.png"></p><p>Apr 19, 2022</p><p>A B, C D</p><p>An abstract.</p>'
            '<a href="https://arxiv.org/abs/2204.02311">Via<img src="/i/arxiv.svg" alt="arxiv icon"></a></article>')
    body = html("", '<p><img src="/p.png" alt="Picture for Parker Schuh"></p><p>Parker Schuh</p>' + card)
    papers = [r for r in records(body, CATALYZEX_URL).records if isinstance(r, Paper)]
    assert [paper.title for paper in papers] == ["(untitled)"]
    assert any(problem.startswith(f"{CATALYZEX_URL}: catalyzex: title:") for problem in papers[0].problems)


def test_a_line_break_inside_a_link_or_image_url_is_dropped_as_urllib_drops_it():
    # Found by the long fuzz run: a mutated CatalyzeX card whose thumbnail src ran over a line break gave a
    # two-line problem ("thumbnail 1 has no caption (image without alt text: https://x\n...)").
    card = ('<article><p><a href="/paper/p">A Title</a></p><p>Apr 19, 2022</p><p>A B, C D</p>'
            '<p><img src="https://figures.example.org/1\n-Figure1.png"></p><p><img src="/2\r\n.png"></p>'
            '<p>An abstract.</p>'
            '<a href="https://arxiv.org/abs/2204.02311\t">Via<img src="/i/arxiv.svg" alt="arxiv icon"></a>'
            '</article>')
    body = html("", '<p><img src="/p.png" alt="Picture for Parker Schuh"></p><p>Parker Schuh</p>' + card)
    result = records(body, CATALYZEX_URL)
    assert all(len(problem.splitlines()) == 1 for problem in result.problems)
    assert any(problem.endswith("(image without alt text: https://figures.example.org/1-Figure1.png)")
               for problem in result.problems)
    assert any(problem.endswith("(image without alt text: https://www.catalyzex.com/2.png)")
               for problem in result.problems)
    [paper] = [r for r in result.records if isinstance(r, Paper)]
    assert paper.arxiv_id == "2204.02311"


@pytest.mark.parametrize("src", ["data:image/png;base64,AA\nBB", "mailto:a\nb", "ftp://x.org/a\nb",
                                 "/fig\u2028ure.png", "https://x.org/a\u2029b", "/fig\x85ure.png", "/fig\x0cure.png",
                                 "/a\x1cb"])
def test_a_problem_naming_an_image_url_with_any_line_break_is_one_line(src):
    # Found in review: urllib keeps these in other schemes, and U+2028, NEL, form feed and the separators are
    # line breaks to str.splitlines: the problem line named the URL as it was and came out in two lines.
    card = (f'<article><p><a href="/paper/p">A Title</a></p><p>Apr 19, 2022</p><p>A B, C D</p>'
            f'<p><img src="{src}"></p><p>An abstract.</p></article>')
    body = html("", '<p><img src="/p.png" alt="Picture for Parker Schuh"></p><p>Parker Schuh</p>' + card)
    result = records(body, CATALYZEX_URL)
    named = [problem for problem in result.problems if "image without alt text" in problem]
    assert named and all(len(problem.splitlines()) == 1 for problem in result.problems)
    paper_problems = [line for r in result.records for line in getattr(r, "problems", None) or []]
    assert all(len(line.splitlines()) == 1 for line in paper_problems)


@pytest.mark.parametrize(("text", "expected"), [("math.ag/0101001", "math.AG/0101001"),
                                                ("https://arxiv.org/abs/math.ag/0101001v2", "math.AG/0101001")])
def test_a_lower_cased_old_style_arxiv_id_gets_arxivs_case(text, expected):
    assert parse_arxiv_id(text).id == expected


# -- XML prologs and huge trees ---------------------------------------------------------------------------


def test_an_xhtml_page_with_an_xml_prolog_is_read():
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml">'
            f'<head>{META}</head><body><p>x</p></body></html>').encode("utf-8")
    [paper] = records(body).records
    assert (paper.title, paper.authors, paper.date) == ("A Paper", ["Jane Doe"], "2021-03-04")


def test_an_atom_feed_sent_as_text_html_is_read_as_a_feed():
    feed = (FIXTURES / "arxiv/api/palm.atom").read_bytes()
    result = records(feed, "https://export.arxiv.org/api/query?id_list=2204.02311", "text/html; charset=utf-8")
    assert result.site == "arxiv" and [paper.arxiv_id for paper in result.records] == ["2204.02311"]


@pytest.mark.parametrize("depth", [300, 1000])
def test_a_page_nested_hundreds_deep_keeps_its_body(depth):
    page = (FIXTURES / "scholar_profile" / "sharan-narang.html").read_text(encoding="utf-8")
    start = page.index(">", page.index("<body")) + 1
    end = page.rindex("</body>")
    nested = page[:start] + "<div>" * depth + page[start:end] + "</div>" * depth + page[end:]
    flat = records(page.encode("utf-8"), PROFILE_URL).records
    deep = records(nested.encode("utf-8"), PROFILE_URL).records
    assert [to_dict(record) for record in deep] == [to_dict(record) for record in flat]
    assert len(deep) == 33


def test_an_arxiv_author_list_nested_thousands_deep_is_read():
    page = (FIXTURES / "arxiv/real/html/abs/0704.0001.html").read_text(encoding="utf-8")
    start = page.index('<div class="authors">') + len('<div class="authors">')
    body = page[:start] + "<span>" * 1500 + "</span>" * 1500 + page[start:]
    [paper] = records(body.encode("utf-8"), "https://arxiv.org/abs/0704.0001").records
    assert paper.authors[0] == "C. Balázs"


# -- reference days at the ends of the calendar -----------------------------------------------------------


@pytest.mark.parametrize("as_of", [date(9999, 12, 31), date(9999, 1, 1), date(1, 1, 1)])
def test_dates_resolve_against_any_reference_day(as_of):
    parsed = parse_date("18 juillet 2023", as_of)
    assert parsed is None or parsed.value == "2023-07-18"
    if as_of.year == 9999:
        assert parsed.value == "2023-07-18" and not parsed.year_inferred


@pytest.mark.parametrize("as_of", [date(9999, 12, 31), date(1, 1, 1)])
def test_a_whole_page_parses_against_a_reference_day_at_the_calendars_ends(as_of):
    digest = (FIXTURES / "paper_digest" / "palm.txt").read_bytes()
    [paper] = records(digest, "https://digest.example.org/paper/2204.02311", as_of=as_of).records
    assert paper.title.startswith("PaLM")


def test_an_unrecognised_hostile_page_is_an_error_naming_the_url():
    with pytest.raises(UnrecognisedPage, match=r"^https://e\.org/x: "):
        parse_page(Page.from_bytes(b"<p>" * 100 + b"\xed\xa0\x80 nothing here", "https://e.org/x"), CAPTURE_DAY)


def test_a_date_before_year_1000_is_written_with_four_digits():
    # strftime's %Y writes year 999 as "999", which the schema's ISO pattern refuses.
    assert parse_date("Thu, 2 Jan 0999 10:00:00 GMT").value == "0999-01-02T10:00:00Z"
    assert parse_date("0999-01-02").value == "0999-01-02"


# -- bounded reading of huge fields -----------------------------------------------------------------------


def test_an_author_list_longer_than_any_paper_has_is_read_up_to_the_bound_and_marked_cut():
    from parsers.fields.names import MAX_AUTHORS, parse_author_list

    authors = parse_author_list(", ".join(f"Author {i}" for i in range(MAX_AUTHORS * 2)))
    assert len(authors.names) == MAX_AUTHORS and authors.names[-1] == f"Author {MAX_AUTHORS - 1}"
    assert authors.complete is False


def test_brackets_nested_deeper_than_any_affiliation_are_not_unpeeled_one_pass_a_level():
    from parsers.fields.names import parse_author_list

    # Unpeeling 200,000 levels one regex pass each took minutes; a name beside them is still read.
    authors = parse_author_list("Jane Doe (IUCAA), " + "(" * 200_000 + ")" * 200_000 + ", John Roe")
    assert authors.names[0] == "Jane Doe" and authors.names[-1] == "John Roe"


def test_a_submission_history_longer_than_any_paper_has_is_read_up_to_the_bound():
    from parsers.sites.arxiv.abs import MAX_VERSIONS

    page = (FIXTURES / "arxiv/real/html/abs/0704.0001.html").read_text(encoding="utf-8")
    entry = "<strong>[v2]</strong> Tue, 24 Jul 2007 20:10:27 UTC (370 KB)<br/>"
    body = page.replace("<strong>[v2]</strong>", entry * (MAX_VERSIONS + 50) + "<strong>[v2]</strong>", 1)
    [paper] = records(body.encode("utf-8"), "https://arxiv.org/abs/0704.0001").records
    assert len(paper.versions) == MAX_VERSIONS and paper.versions[0].version == 1


def test_a_broken_feed_is_one_problem_line_even_when_libxml2_quotes_a_line_break():
    feed = (FIXTURES / "arxiv/api/palm.atom").read_text(encoding="utf-8")
    body = feed.replace("<title>", "<!-- a -- b\n<title>", 1).encode("utf-8")
    result = records(body, "https://export.arxiv.org/api/query?id_list=2204.02311")
    [problem] = [p for p in result.problems if "not well-formed" in p]
    assert len(problem.splitlines()) == 1


# -- URLs that look like another site's -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["https://journal.example.org/a/1234", "https://blog.example.org/a/sharan_n_1/"])
def test_an_a_path_on_another_host_is_not_taken_for_an_arxiv_author_page(url):
    # "/a/<x>" is an arXiv author page only on arXiv; elsewhere this page is an article with citation tags.
    result = records(html(), url)
    assert result.site == "embedded-metadata"
    assert [record.title for record in result.records] == ["A Paper"]


def test_an_arxiv_author_page_is_still_known_by_its_path_on_arxiv_and_by_its_heading_elsewhere():
    listing = ('<h1>Jane Doe\'s articles on arXiv</h1><dl><dt><a href="/abs/2204.02311" title="Abstract">'
               'arXiv:2204.02311</a></dt><dd><div class="list-title">Title: A Paper</div>'
               '<div class="list-authors"><a href="/a/doe_j_1">Jane Doe</a></div></dd></dl>')
    on_arxiv = records(html("", "<p>no heading, no entries</p>"), "https://arxiv.org/a/doe_j_1")
    assert on_arxiv.site == "arxiv" and "heading" in on_arxiv.problems[0]
    mirror = records(html("", listing), "https://mirror.example.org/a/doe_j_1")
    assert mirror.site == "arxiv"
    assert [(type(r).__name__, r.name if isinstance(r, Author) else r.arxiv_id) for r in mirror.records] == [
        ("Author", "Jane Doe"), ("Paper", "2204.02311")]


# -- pages bigger than any real one: read up to a bound, the cut named ----------------------------------------
# The bounds are far above any real page's (parsers/page.py); these tests lower them to keep the pages small.


def test_a_page_of_more_tags_than_the_bound_is_read_up_to_it_and_says_so(monkeypatch):
    monkeypatch.setattr("parsers.page.MAX_TAGS", 40)
    body = html(body="".join(f"<p>line {number}</p>" for number in range(100)))
    result = records(body)
    assert [record.title for record in result.records] == ["A Paper"]  # the <head> comes before the cut
    [cut] = [problem for problem in result.problems if "tags" in problem]
    assert cut.startswith("https://journal.example.org/article/1: embedded-metadata: page: more than 40 tags")
    texts = Page.from_bytes(body, "https://journal.example.org/article/1").texts
    assert texts[0] == "line 0" and len(texts) < 20 and texts == [f"line {n}" for n in range(len(texts))]


def test_a_profile_of_more_lines_than_the_bound_keeps_the_cards_before_it(monkeypatch):
    monkeypatch.setattr("parsers.page.MAX_LINES", 20)
    text = (FIXTURES / "scholar_profile" / "sharan-narang.txt").read_text(encoding="utf-8")
    result = records(text.encode("utf-8"), PROFILE_URL)
    author, *papers = result.records
    # 20 lines: 8 of header (name, field, five metrics, "32 Papers"), then three cards of 4 lines each
    assert isinstance(author, Author) and author.name == "Sharan Narang"
    assert len(papers) == 3 and [paper.title[:7] for paper in papers[:2]] == ["Llama 2", "Scaling"]
    assert papers[2].abstract  # the third card whole: its fourth line is the 20th
    assert any(problem.endswith("profile: page: more than 20 lines; only the first 20 read")
               for problem in result.problems)


def test_html_lines_past_the_bound_are_not_rendered_and_a_link_cut_open_keeps_its_text(monkeypatch):
    monkeypatch.setattr("parsers.page.MAX_LINES", 2)
    page = Page.from_bytes(html(body='<p>a</p><p>b <a href="/x">c<p>d</p>e</a></p><p>f</p>'),
                           "https://journal.example.org/article/1")
    assert page.texts == ["a", "b c"]  # "d" would be the third line
    assert [(link.url, link.text) for link in page.links] == [("https://journal.example.org/x", "cd")]
    assert page.problems == ["page: more than 2 lines; only the first 2 read"]


def test_links_and_images_past_their_bounds_are_not_kept_but_their_text_is(monkeypatch):
    monkeypatch.setattr("parsers.page.MAX_LINKS", 2)
    monkeypatch.setattr("parsers.page.MAX_IMAGES", 1)
    body = "".join(f'<a href="/{n}">L{n}</a> <img src="/{n}.png" alt="I{n}"> ' for n in range(4))
    page = Page.from_bytes(html(body=f"<p>{body}</p>"), "https://journal.example.org/article/1")
    assert page.texts == ["L0 I0 L1 I1 L2 I2 L3 I3"]
    assert [link.text for link in page.links] == ["L0", "L1"] and [image.alt for image in page.images] == ["I0"]
    assert [problem.split(";")[0] for problem in page.problems] == ["page: more than 2 links",
                                                                    "page: more than 1 images"]


@pytest.mark.parametrize("kind", ["html", "text"])
def test_a_line_longer_than_the_bound_is_cut_to_it_and_says_so(monkeypatch, kind):
    monkeypatch.setattr("parsers.page.MAX_LINE_TEXT", 10)
    body = html(body="<p>short</p><p>" + "word " * 10 + "</p>") if kind == "html" else b"short\n" + b"word " * 10
    page = Page.from_bytes(body, "https://example.org/t")
    assert page.texts == ["short", "word word "]
    assert page.problems == ["line 2: 49 characters; only the first 10 read"]


@pytest.mark.parametrize("reference", ["&#xD800;", "&#56320;"])
def test_a_broken_feed_with_a_character_reference_to_a_surrogate_is_read(reference):
    # Found by the long fuzz run: libxml2, recovering from a broken feed, kept "&#xD800;" as bytes lxml cannot
    # decode, and reading the entry's id raised UnicodeDecodeError.
    feed = (FIXTURES / "arxiv/api/palm.atom").read_text(encoding="utf-8")
    body = feed.replace("<id>http://arxiv.org/abs/", f"<id>{reference}http://arxiv.org/abs/", 1)
    result = records(body[:-20].encode("utf-8"), "https://export.arxiv.org/api/query?id_list=2204.02311")
    assert [paper.arxiv_id for paper in result.records] == ["2204.02311"]
    assert any("not well-formed" in problem or "read what remains" in problem for problem in result.problems)

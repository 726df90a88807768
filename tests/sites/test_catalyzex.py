"""CatalyzeX author page (capture 002, Parker Schuh): fixture records against hand-written expectations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import Page, ParseContext, UnrecognisedPage, parse_page, recognise_site
from parsers.page import _clean
from parsers.records import to_dict, validation_errors
from parsers.result import ParseResult
from parsers.sites import catalyzex
from tests.conftest import CAPTURE_DAY, FIXTURES, read_jsonl
from tests.sites.coverage import explain_lines, uncovered_lines
from tests.sites.expected import field_diffs, record_diffs

HERE = FIXTURES / "catalyzex"
URL = "https://www.catalyzex.com/author/Parker%20Schuh"
PAGE2_URL = URL + "?page=2"
CAPTURE = HERE / "parker-schuh.txt"
HTML = HERE / "parker-schuh.html"
# Fields only the HTML carries (links, image sources); the text capture's records lack exactly these.
HTML_ONLY = {"url", "arxiv_id", "photo_url", "image_url", "ids"}

# (fixture, the URL it was served at, expected records)
CASES = {
    "text": (CAPTURE, URL, HERE / "parker-schuh.expected.jsonl"),
    "html": (HTML, URL, HERE / "parker-schuh.html.expected.jsonl"),
    "page2": (HERE / "parker-schuh.page2.html", PAGE2_URL, HERE / "parker-schuh.page2.html.expected.jsonl"),
}


def parse(path: Path, url: str = URL) -> ParseResult:
    return parse_page(Page.from_file(path, url), as_of=CAPTURE_DAY)


def record_dicts(result: ParseResult) -> list[dict]:
    return [json.loads(json.dumps(to_dict(record))) for record in result.records]


def capture_lines() -> list[str]:
    return CAPTURE.read_text(encoding="utf-8").splitlines()


# -- the fixtures against their expected records ---------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_records_match_expected_field_by_field(case: str) -> None:
    path, url, expected_path = CASES[case]
    diff = record_diffs(record_dicts(parse(path, url)), read_jsonl(expected_path))
    assert not diff, "\n".join(diff)


@pytest.mark.parametrize("case", CASES)
def test_every_record_validates(case: str) -> None:
    path, url, _ = CASES[case]
    errors = [f"{r.title if hasattr(r, 'title') else r.name}: {e}"
              for r in parse(path, url).records for e in validation_errors(r)]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("case", CASES)
def test_complete_fixtures_report_no_problems(case: str) -> None:
    path, url, _ = CASES[case]
    result = parse(path, url)
    assert result.problems == []
    assert [r.problems for r in result.records] == [[] for _ in result.records]


def test_paper_counts_as_read_on_the_page() -> None:
    papers = [r for r in parse(CAPTURE).records if r.type == "paper"]
    assert [len(p.authors) for p in papers] == [67, 16, 7, 13]
    assert all(p.authors_complete for p in papers)
    assert [len(p.figures) for p in papers] == [4, 4, 4, 4]
    assert [p.venue for p in papers] == [None, "MLSys 2022", None, None]


def test_text_and_html_give_the_same_records_bar_what_only_html_has() -> None:
    def without_html_only(record: dict) -> dict:
        if isinstance(record, dict):
            return {k: without_html_only(v) for k, v in record.items() if k not in HTML_ONLY}
        if isinstance(record, list):
            return [without_html_only(v) for v in record]
        return record

    text = without_html_only(record_dicts(parse(CAPTURE)))
    html = without_html_only(record_dicts(parse(HTML)))
    diff = field_diffs(html, text)
    assert not diff, "\n".join(diff)


def test_text_and_html_give_each_paper_one_id_and_html_adds_the_arxiv_ids_it_links() -> None:
    text = record_dicts(parse(CAPTURE))[1:]
    html = record_dicts(parse(HTML))[1:]
    # Four distinct papers, each with the same id from either page: a re-crawl of the other kind upserts it.
    assert [r["id"] for r in html] == [r["id"] for r in text] and len({r["id"] for r in text}) == 4
    # A text capture has no links, so it knows no other id.
    assert [r["ids"] for r in text] == [[r["id"]] for r in text]
    # The HTML cards link PaLM, Pathways and LazyTensor to arXiv; Swift for TensorFlow links to an arXiv
    # search, not to an abstract page: no arXiv id is invented for it.
    assert [[i for i in r["ids"] if i != r["id"]] for r in html] == [
        ["arxiv:2204.02311"], ["arxiv:2203.12533"], ["arxiv:2102.13267"], []]


# -- the HTML fixture is a faithful rendering of the capture --------------------------------------------


@pytest.mark.parametrize("html", [HTML, HERE / "parker-schuh.broken-figure-alt.html"],
                         ids=["html", "figure-alt"])
def test_html_fixture_renders_as_the_capture(html: Path) -> None:
    expected = [_clean(line) for line in capture_lines() if line.strip()]
    rendered = Page.from_file(html, URL).texts
    if html.name.endswith("figure-alt.html"):  # the thumbnail without alt text renders as an empty line
        expected[expected.index("Figure 3 for PaLM: Scaling Language Modeling with Pathways")] = ""
    assert rendered == expected


# -- every line of the capture lands in a record --------------------------------------------------------


def source_renderings(records: list) -> tuple[str, ...]:
    """How the page shows each paper's ``via``: "Via" glued to the icon's alt text ("Viaarxiv icon").

    coverage.py refuses a chrome word glued to a lower-case value ("Via" + "arxiv"), so the test renders the
    field the way this site does; a paper whose via is missing or wrong leaves its line uncovered.
    """
    return tuple(f"Via{r.via} icon" for r in records if getattr(r, "via", None))


@pytest.mark.parametrize("source", [CAPTURE, HTML], ids=["text", "html"])
def test_every_capture_line_is_carried_by_a_record(source: Path) -> None:
    records = parse(source).records
    chrome = catalyzex.CHROME_LINES + source_renderings(records)
    missing = uncovered_lines(capture_lines(), records, chrome)
    assert missing == [], "\n".join(f"{line[:80]!r} <- {carriers}"
                                    for line, carriers in explain_lines(capture_lines(), records, chrome))


def test_chrome_words_do_not_cover_the_source_line_without_a_via_value() -> None:
    assert uncovered_lines(["Viaarxiv icon"], [], catalyzex.CHROME_LINES) == ["Viaarxiv icon"]
    assert source_renderings(parse(CAPTURE).records) == ("Viaarxiv icon",) * 4


def test_chrome_alone_does_not_cover_the_capture() -> None:
    """The chrome list is UI words only: without the records most of the page is uncovered."""
    missing = uncovered_lines(capture_lines(), [], catalyzex.CHROME_LINES)
    assert "Alert button" not in missing
    assert len(missing) > 30


# -- recognition, profile URLs and links to follow ------------------------------------------------------


def test_profile_url_quotes_the_name() -> None:
    assert catalyzex.profile_url("Sharan Narang") == "https://www.catalyzex.com/author/Sharan%20Narang"
    assert catalyzex.profile_url("Parker Schuh") == URL


def test_recognised_by_host_and_by_content() -> None:
    assert recognise_site(Page.from_file(HTML, URL)) == "catalyzex"
    assert recognise_site(Page.from_file(CAPTURE, URL)) == "catalyzex"
    # Saved without its URL (a file:// address): the header and "Via … icon" lines still identify it.
    assert catalyzex.recognise(Page.from_file(CAPTURE))
    assert catalyzex.recognise(Page.from_file(HTML))


@pytest.mark.parametrize("other", sorted(p for p in FIXTURES.glob("*/*.txt") if p.parent.name != "catalyzex"),
                         ids=lambda p: p.name)
def test_other_sites_captures_are_not_claimed(other: Path) -> None:
    assert not catalyzex.recognise(Page.from_file(other))


def test_html_follows_arxiv_links_and_the_next_page_but_not_author_links() -> None:
    follow = [(link.kind, link.url) for link in parse(HTML).follow]
    assert follow == [
        ("arxiv", "https://arxiv.org/abs/2204.02311"),
        ("arxiv", "https://arxiv.org/abs/2203.12533"),
        ("arxiv", "https://arxiv.org/abs/2102.13267"),
        # Swift for TensorFlow links to an arXiv title search, not to a paper: not followed.
        ("next-page", PAGE2_URL),
    ]


def test_last_page_and_text_capture_have_no_next_page() -> None:
    last_page = parse(HERE / "parker-schuh.page2.html", PAGE2_URL)
    assert [link for link in last_page.follow if link.kind == "next-page"] == []
    assert parse(CAPTURE).follow == []


# -- broken pages: partial records that name what is missing --------------------------------------------


def test_card_without_date_keeps_its_other_fields_and_names_the_gap() -> None:
    result = parse(HERE / "parker-schuh.broken-no-date.txt")
    expected = read_jsonl(HERE / "parker-schuh.expected.jsonl")
    lazy = expected[3]
    for key in ("date", "date_raw", "date_year_inferred"):
        del lazy[key]
    actual = record_dicts(result)
    problems = actual[3].pop("problems", [])
    assert not record_diffs(actual, expected), "\n".join(record_diffs(actual, expected))
    assert problems == [f"{URL}: catalyzex: date: no date line under the title"]
    assert f"{URL}: catalyzex: card 3 (LazyTensor: combining eager execution with domain-specific compilers): " \
           "date: no date line under the title" in result.problems


def test_truncated_html_keeps_earlier_papers_and_a_partial_last_one() -> None:
    result = parse(HERE / "parker-schuh.broken-truncated.html")
    expected = read_jsonl(HERE / "parker-schuh.html.expected.jsonl")[:4]  # author, PaLM, Pathways, LazyTensor
    lazy = expected[3]
    # The download stopped inside the abstract: its end, the source line and its arXiv link are gone.
    cut = "colloquially called \"eager\" mode-are popular"
    lazy["abstract"] = lazy["abstract"][: lazy["abstract"].index(cut) + len(cut)]
    for key in ("via", "arxiv_id"):
        del lazy[key]       # no arXiv link left: its ids hold only its title id
    actual = record_dicts(result)
    problems = actual[3].pop("problems", []) if len(actual) > 3 else []
    assert not record_diffs(actual, expected), "\n".join(record_diffs(actual, expected))
    fields = sorted(p.removeprefix(f"{URL}: catalyzex: ").split(":", 1)[0] for p in problems)
    assert fields == ["abstract", "via"]
    assert [r.problems for r in result.records[:3]] == [[], [], []]


def test_figure_without_alt_text_is_named_and_the_others_kept() -> None:
    result = parse(HERE / "parker-schuh.broken-figure-alt.html")
    palm = result.records[1]
    assert [f.index for f in palm.figures] == [1, 2, 4]
    assert len(palm.problems) == 1 and palm.problems[0].startswith(f"{URL}: catalyzex: figures: thumbnail 3 ")
    assert "3-Figure3-1.png" in palm.problems[0]  # the image's address, so the figure can be recovered
    assert [r.problems for r in result.records[2:]] == [[], [], []]


def test_first_card_without_date_is_still_a_card() -> None:
    """Cards are found after the header too, not only at a title above a date: PaLM loses its date only."""
    text = CAPTURE.read_text(encoding="utf-8").replace("Apr 19, 2022\n", "", 1)
    records = parse_page(Page.from_text(text, URL), as_of=CAPTURE_DAY).records
    assert [r.name if r.type == "author" else r.title for r in records] == [
        "Parker Schuh", "PaLM: Scaling Language Modeling with Pathways",
        "Pathways: Asynchronous Distributed Dataflow for ML",
        "LazyTensor: combining eager execution with domain-specific compilers",
        "Swift for TensorFlow: A portable, flexible platform for deep learning"]
    assert records[1].date is None and len(records[1].authors) == 67
    assert records[1].problems == [f"{URL}: catalyzex: date: no date line under the title"]


def test_html_without_card_elements_falls_back_to_the_text_structure() -> None:
    html = HTML.read_text(encoding="utf-8").replace("<article", "<div").replace("</article>", "</div>")
    records = record_dicts(parse_page(Page.from_html(html, URL), as_of=CAPTURE_DAY))
    diff = record_diffs(records, read_jsonl(HERE / "parker-schuh.html.expected.jsonl"))
    assert not diff, "\n".join(diff)


def test_unknown_layout_on_the_site_is_an_error_naming_url_and_site() -> None:
    page = Page.from_html("<html><body><h1>Browse papers</h1><p>Nothing here yet</p></body></html>", URL)
    with pytest.raises(UnrecognisedPage, match=r"Parker%20Schuh: catalyzex: unknown layout"):
        catalyzex.parse(page, ParseContext(CAPTURE_DAY))


def test_only_author_pages_are_claimed_by_host() -> None:
    paper_url = "https://www.catalyzex.com/paper/palm-scaling-language-modeling-with-pathways"
    paper_page = Page.from_html("<html><body><h1>PaLM</h1></body></html>", paper_url)
    assert not catalyzex.recognise(paper_page)


@pytest.mark.parametrize(("abstract_end", "cut"), [
    ("works (see Table 1.)", False), ('is called "eager."', False), ("does it? It does!", False),
    ("ends here.’", False), ("works", True), ("is 3.5x", True), ("(see Section 4", True), ("e.g. a)", True)])
def test_an_abstract_cut_mid_sentence_is_named(abstract_end: str, cut: bool) -> None:
    """A complete abstract ends a sentence, closing quotes and brackets after the mark allowed."""
    capture = ("Alert button\nPicture for Jane Doe\nJane Doe\nA Paper Title\nApr 19, 2022\nJane Doe, John Roe\n"
               f"We study a thing and the thing {abstract_end}\nViaarxiv icon\n")
    paper = parse_page(Page.from_text(capture, URL), as_of=CAPTURE_DAY).records[1]
    named = [problem for problem in paper.problems if "ends mid-sentence" in problem]
    assert bool(named) is cut

"""Paper digest page (capture 003, PaLM): records against the hand-written expectations, field by field.

The expected records (fixtures/paper_digest/palm*.expected.jsonl) were typed from the capture; the HTML
page carries the same fields plus links (each related paper's arXiv id and the site's page for it).
"""

from __future__ import annotations


import pytest

from parsers import Page, Problem, parse_page, recognise_site
from parsers.records import to_dict, validation_errors
from parsers.result import FollowLink, ParseContext
from parsers.sites import paper_digest
from tests.conftest import CAPTURE_DAY, FIXTURES, read_jsonl
from tests.sites.coverage import explain_lines, uncovered_lines
from tests.sites.expected import field_diffs, paper_diffs

URL = "https://digest.example.org/paper/2204.02311"
CONTEXT = ParseContext(as_of=CAPTURE_DAY)
DIR = FIXTURES / "paper_digest"
EXPECTED = {
    "palm.txt": DIR / "palm.expected.jsonl",
    "palm.html": DIR / "palm.html.expected.jsonl",
}


def parse_fixture(name: str):
    """Through recognition, as the crawl does it: the page must be recognised by content alone."""
    return parse_page(Page.from_file(DIR / name, URL), as_of=CAPTURE_DAY)


def expected_paper(name: str) -> dict:
    (record,) = read_jsonl(EXPECTED[name])
    return record


# -- the whole page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["palm.txt", "palm.html"])
def test_recognised_by_content(name):
    assert recognise_site(Page.from_file(DIR / name, URL)) == "paper-digest"


def test_a_list_with_some_of_the_labels_is_not_a_digest_page():
    page = Page.from_text("Notes\n- URL: http://example.org/x\n- Title: Something\n- Authors: A. Person", URL)
    assert not paper_digest.recognise(page)


@pytest.mark.parametrize("name", ["palm.txt", "palm.html"])
def test_records_match_expected_field_by_field(name):
    result = parse_fixture(name)
    actual = [to_dict(record) for record in result.records]
    assert len(actual) == 1, f"expected one paper record, got {len(actual)}"
    assert paper_diffs(actual[0], expected_paper(name)) == []


@pytest.mark.parametrize("name", ["palm.txt", "palm.html"])
def test_every_record_validates(name):
    for record in parse_fixture(name).records:
        assert validation_errors(record) == []


@pytest.mark.parametrize("name", ["palm.txt", "palm.html"])
def test_a_whole_page_reports_no_problems(name):
    result = parse_fixture(name)
    assert result.problems == []
    assert result.records[0].problems == []


@pytest.mark.parametrize("name", ["palm.txt", "palm.html"])
def test_all_67_authors_in_page_order_across_the_wrapped_lines(name):
    paper = parse_fixture(name).records[0]
    assert len(paper.authors) == 67
    assert paper.authors_complete is True
    assert paper.authors[0] == "Aakanksha Chowdhery"
    assert paper.authors[-1] == "Noah Fiedel"
    # names the capture wraps over two lines ("Joshua / Maynez", "Kathy / Meier-Hellstern", ...)
    assert paper.authors[13] == "Joshua Maynez"
    assert paper.authors[48] == "Thanumalayan Sankaranarayana Pillai"
    assert paper.authors[62] == "Kathy Meier-Hellstern"


@pytest.mark.parametrize("name", ["palm.txt", "palm.html"])
def test_related_papers_each_have_score_summary_and_their_own_date(name):
    related = parse_fixture(name).records[0].related
    assert len(related) == 10
    for entry in related:
        assert entry.score is not None and entry.summary and entry.date, entry
    # The date printed after a summary belongs to the entry above it, not to the title glued after it.
    assert (related[0].title, related[0].date) == (
        "The Impact of Model Scaling on Seen and Unseen Language Performance", "2025-01-10T00:10:21Z")
    assert related[1].date == "2024-11-08T17:15:17Z"
    assert (related[9].date, related[9].score) == ("2022-05-12T14:47:03Z", 12.759281077118567)
    assert related[1].score == 0.0  # "[0.0]" is a score of zero, not a missing one
    # Titles wrapped before "[score]" are one title.
    assert related[6].title == (
        "On the Analysis of Cross-Lingual Prompt Tuning for Decoder-based Multilingual Model")
    assert related[9].title == (
        "Multi Task Learning For Zero Shot Performance Prediction of Multilingual Models")


def test_html_related_papers_carry_their_arxiv_id_and_the_sites_page():
    related = parse_fixture("palm.html").records[0].related
    assert [entry.arxiv_id for entry in related] == [
        "2501.05629", "2411.05903", "2410.02223", "2409.17892", "2407.19409",
        "2405.14159", "2311.07820", "2303.18223", "2303.11403", "2205.06130"]
    assert related[0].url == "https://digest.example.org/paper/2501.05629"


@pytest.mark.parametrize("name", ["palm.txt", "palm.html"])
def test_follows_the_papers_arxiv_page_and_not_the_related_papers(name):
    assert parse_fixture(name).follow == [FollowLink("http://arxiv.org/abs/2204.02311v2", "arxiv")]


def test_every_line_of_capture_003_is_carried_by_a_record_or_declared_chrome():
    capture = (DIR / "palm.txt").read_text(encoding="utf-8").splitlines()
    records = parse_fixture("palm.txt").records
    missing = uncovered_lines(capture, records, paper_digest.CHROME_LINES)
    explained = explain_lines(capture, records, paper_digest.CHROME_LINES)
    assert missing == [], "\n".join(f"{line!r} <- {who}" for line, who in explained)
    # "Models [12.759281077118567]" is the one-word tail of related paper 10's wrapped title, and its score.
    last = records[0].related[9]
    assert last.title.endswith(" Models") and last.score == 12.759281077118567


def test_chrome_lines_hold_no_data():
    """What the adapter declares as chrome is labels, headings, link texts and disclaimers, never a value."""
    values = set(map(str, expected_paper("palm.txt").values()))
    assert not values & set(paper_digest.CHROME_LINES)


# -- broken pages ------------------------------------------------------------------------------------


def without(record: dict, *keys: str) -> dict:
    return {key: value for key, value in record.items() if key not in keys}


@pytest.mark.parametrize("name, last_line", [
    ("palm.broken-cut.txt", None),
    ("palm.broken-cut.html", "Our ultimate goal is to make high-perf"),  # the cut falls inside this sentence
])
def test_page_cut_inside_the_related_list_keeps_the_paper_and_the_complete_entries(name, last_line):
    result = parse_fixture(name)
    (paper,) = result.records
    actual = to_dict(paper)
    expected = expected_paper("palm.html" if name.endswith(".html") else "palm.txt")
    assert paper_diffs(without(actual, "related", "problems"), without(expected, "related")) == []
    assert field_diffs(actual["related"][:5], expected["related"][:5]) == []
    cut = actual["related"][5]
    assert cut["title"] == "Super Tiny Language Models"
    assert cut["score"] == 3.8353434814956517
    assert "date" not in cut
    assert cut["summary"][:2] == expected["related"][5]["summary"][:2]
    assert cut["summary"][2:] == ([last_line] if last_line else [])
    assert len(actual["related"]) == 6
    cut_line = f"{URL}: paper-digest: related: paper 6 ('Super Tiny Language Models'): cut short"
    assert any(problem.startswith(cut_line) for problem in paper.problems), paper.problems
    assert any("cut short" in problem for problem in result.problems), result.problems
    assert validation_errors(paper) == []


def test_missing_score_line_leaves_score_absent_not_zero():
    result = parse_fixture("palm.broken-noscore.txt")
    (paper,) = result.records
    actual = to_dict(paper)
    assert "score" not in actual
    assert paper_diffs(without(actual, "problems"), without(expected_paper("palm.txt"), "score")) == []
    assert paper.problems == [f"{URL}: paper-digest: score: no '- Score:' line"]
    assert validation_errors(paper) == []


def test_unknown_labelled_line_is_reported_and_the_rest_is_read():
    result = parse_fixture("palm.broken-unknown-label.txt")
    (paper,) = result.records
    # "- Foo: bar" sits between License and Abstract: neither may swallow it.
    assert paper_diffs(to_dict(paper), expected_paper("palm.txt")) == []
    assert len(result.problems) == 1 and "'- Foo: bar'" in result.problems[0], result.problems


def test_a_page_without_any_digest_fields_gives_problems_not_a_crash():
    result = paper_digest.parse(Page.from_text("Just some text\nand more", URL), CONTEXT)
    assert result.records[0].title == "Just some text"
    assert Problem("authors", "no '- Authors:' line") in result.records[0].problems
    assert Problem(None, "no footer disclaimer: the page may be cut short") in result.problems


def test_a_page_without_a_title_gives_no_record_and_says_why():
    result = paper_digest.parse(Page.from_text("- Score: 3.5\n- Authors: A B", URL), CONTEXT)
    assert result.records == []
    assert any(problem.message.startswith("no title") for problem in result.problems)

"""Scholar profile adapter against capture 001 (Sharan Narang): its text capture, an HTML page carrying every
field of it, and broken variants. Expected records were written by hand from the capture."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers import Page, UnrecognisedPage, parse_page, recognise_site
from parsers.records import to_dict, validation_errors
from parsers.result import FollowLink
from parsers.sites import scholar_profile
from tests.conftest import CAPTURE_DAY, FIXTURES, read_jsonl
from tests.sites.expected import record_diffs

HERE = FIXTURES / "scholar_profile"
URL = "https://profiles.example.org/author/sharan-narang"
CAPTURE = HERE / "sharan-narang.txt"
HTML = HERE / "sharan-narang.html"
EXPECTED = {CAPTURE: HERE / "sharan-narang.expected.jsonl", HTML: HERE / "sharan-narang.html.expected.jsonl"}


def parse(path: Path, url: str = URL):
    return parse_page(Page.from_file(path, url), as_of=CAPTURE_DAY)


# -- the page model renders the HTML as the capture ---------------------------------------------------


def test_html_fixture_renders_to_the_capture_lines():
    capture_lines = [line.strip() for line in CAPTURE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert Page.from_file(HTML, URL).texts == capture_lines


@pytest.mark.parametrize("path", [CAPTURE, HTML], ids=["capture", "html"])
def test_page_is_recognised_as_a_scholar_profile(path):
    assert recognise_site(Page.from_file(path, URL)) == "scholar-profile"


OTHER_PAGES = sorted(path for folder in ("catalyzex", "paper_digest", "arxiv", "embedded_metadata", "unknown")
                     for path in (FIXTURES / folder).glob("*") if path.suffix in (".html", ".txt"))


@pytest.mark.parametrize("path", OTHER_PAGES, ids=[f"{p.parent.name}/{p.name}" for p in OTHER_PAGES])
def test_other_sites_pages_are_not_taken_for_a_scholar_profile(path):
    assert not scholar_profile.recognise(Page.from_file(path, "https://elsewhere.example.org/page"))


def test_a_metric_the_header_lacks_is_absent_not_zero():
    text = "Jane Doe\nLG\nh-index7\n3papers\n120citations\n3 Papers\nLGMar 1, 2024\nA Title\nJane Doe\nAbstract."
    result = parse_page(Page.from_text(text, URL), as_of=CAPTURE_DAY)
    assert to_dict(result.records[0])["metrics"] == {"h_index": 7, "paper_count": 3, "citation_count": 120}
    assert result.problems == [
        f"{URL}: scholar-profile: 1 of 3 declared papers found: page cut short",
        f"{URL}: scholar-profile: card 1 ('A Title'): card: last before the page was cut short (1 of 3); "
        "fields may be partial",
    ]


def test_metric_labels_are_read_in_any_case():
    """The header's labels as a page might print them in capitals or spaced from the number."""
    text = ("Jane Doe\nLG\nH-INDEX 7\n3 Papers\n1,204 Citations\nNOVELTY 50%\nai score 48\n3 Papers\n"
            "LGMar 1, 2024\nA Title\nJane Doe\nAbstract.")
    page = Page.from_text(text, URL)
    assert scholar_profile.recognise(page)
    metrics = to_dict(parse_page(page, as_of=CAPTURE_DAY).records[0])["metrics"]
    assert metrics == {"h_index": 7, "paper_count": 3, "citation_count": 1204, "novelty_percent": 50, "ai_score": 48}


# -- the records ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [CAPTURE, HTML], ids=["capture", "html"])
def test_records_equal_the_hand_written_expectations(path):
    result = parse(path)
    diffs = record_diffs([to_dict(record) for record in result.records], read_jsonl(EXPECTED[path]))
    assert not diffs, "\n".join(diffs)


@pytest.mark.parametrize("path", [CAPTURE, HTML], ids=["capture", "html"])
def test_every_record_is_valid_and_the_page_clean(path):
    result = parse(path)
    assert result.site == "scholar-profile" and result.url == URL
    assert {str(i): validation_errors(r) for i, r in enumerate(result.records) if validation_errors(r)} == {}
    assert result.problems == []
    assert result.declared_counts == {"paper": 32}
    ids = [to_dict(record)["id"] for record in result.records]
    assert len(set(ids)) == len(ids)


def test_what_a_reader_of_the_profile_cares_about():
    records = [to_dict(record) for record in parse(CAPTURE).records]
    author, papers = records[0], records[1:]
    assert author["metrics"] == {"h_index": 29, "paper_count": 32, "citation_count": 88855,
                                 "novelty_percent": 50, "ai_score": 48}
    assert len(papers) == 32
    assert [p["title"] for p in papers if p["has_code"]] == [
        "Llama 2: Open Foundation and Fine-Tuned Chat Models",
        "Understanding HTML with Large Language Models",
        "Scaling Up Models and Data with $\\texttt{t5x}$ and $\\texttt{seqio}$",
    ]
    assert sum(not p["authors_complete"] for p in papers) == 30
    inferred = [p for p in papers if p["date_year_inferred"]]
    assert [(p["date_raw"], p["date"]) for p in inferred] == [("Jan 30", "2026-01-30")]


def test_the_as_of_date_decides_the_year_of_a_yearless_date():
    from datetime import date

    result = parse_page(Page.from_file(CAPTURE, URL), as_of=date(2026, 1, 29))
    hsdp = next(r for r in result.records if getattr(r, "date_raw", None) == "Jan 30")
    assert (hsdp.date, hsdp.date_year_inferred) == ("2025-01-30", True)


def test_html_links_become_follow_links():
    result = parse(HTML)
    kinds = [link.kind for link in result.follow]
    assert "paper" not in kinds  # the site's own paper pages: no adapter reads them
    arxiv = [link.url for link in result.follow if link.kind == "arxiv"]
    assert len(arxiv) == 21 and "https://arxiv.org/abs/2204.02311" in arxiv
    assert "next-page" not in kinds
    assert FollowLink("https://arxiv.org/abs/1710.03740", "arxiv") in result.follow


def test_the_text_capture_has_no_links_to_follow():
    assert parse(CAPTURE).follow == []


def test_a_next_page_link_is_followed_and_not_read_as_part_of_the_last_card():
    html = HTML.read_text(encoding="utf-8").replace(
        "    </section>", '      <nav class="pagination"><a rel="next" href="?page=2">Next</a></nav>\n    </section>')
    result = parse_page(Page.from_html(html, URL), as_of=CAPTURE_DAY)
    assert FollowLink(URL + "?page=2", "next-page") in result.follow
    assert result.records[-1].abstract == read_jsonl(EXPECTED[HTML])[-1]["abstract"]
    assert result.problems == []


# -- broken pages -----------------------------------------------------------------------------------------


def test_a_card_without_a_date_still_gives_its_paper_and_names_the_missing_date():
    result = parse(HERE / "sharan-narang.broken-no-date.html")
    expected = read_jsonl(EXPECTED[HTML])
    records = [to_dict(record) for record in result.records]
    assert len(records) == 33
    dateless = records[2]
    assert dateless["title"] == "Scaling Instruction-Finetuned Language Models"
    assert "date" not in dateless and "date_raw" not in dateless and "date_year_inferred" not in dateless
    assert any(problem.startswith(f"{URL}: scholar-profile: date:") for problem in dateless["problems"])
    assert any("card 2" in p and "date" in p for p in result.problems)
    # Everything else on the card, and every other card, is as on the intact page.
    for key in ("date", "date_raw", "date_year_inferred"):
        expected[2].pop(key)
    expected[2]["problems"] = dateless["problems"]
    assert record_diffs(records, expected) == []


@pytest.mark.parametrize(
    "name, cards, last_title",
    [("sharan-narang.broken-truncated.html", 14, "Training LLMs with Fault Tolerant HSDP on 100,000 GPUs"),
     ("sharan-narang.broken-truncated.txt", 13,
      "Towards Better Few-Shot and Finetuning Performance with Forgetful Causal Language Models")],
    ids=["html-cut-in-abstract", "capture-cut-in-author-line"],
)
def test_a_page_cut_mid_card_keeps_what_came_before(name, cards, last_title):
    path = HERE / name
    result = parse(path)
    expected = read_jsonl(EXPECTED[HTML if name.endswith(".html") else CAPTURE])
    records = [to_dict(record) for record in result.records]
    assert len(records) == 1 + cards
    assert record_diffs(records[:cards], expected[:cards]) == []  # author and every whole card
    cut = records[-1]
    assert cut["title"] == last_title
    assert any("cut short" in problem for problem in cut["problems"])
    assert result.declared_counts == {"paper": 32}
    assert f"{URL}: scholar-profile: {cards} of 32 declared papers found: page cut short" in result.problems
    assert validation_errors(cut) == []


def test_a_capture_cut_inside_an_author_list_does_not_claim_the_list_complete():
    cut = parse(HERE / "sharan-narang.broken-truncated.txt").records[-1]
    assert cut.authors[:2] == ["Hao Liu", "Xinyang Geng"]
    assert cut.authors_complete is None
    assert cut.abstract is None
    assert f"{URL}: scholar-profile: abstract: card has no abstract" in cut.problems


@pytest.mark.parametrize("name", ["sharan-narang.broken-cp1252.html",
                                  "sharan-narang.broken-cp1252-declared-utf8.html"],
                         ids=["no-charset", "declared-utf8"])
def test_cp1252_bytes_still_give_the_records_and_the_encoding_problem_is_named(name):
    page = Page.from_file(HERE / name, URL)
    assert page.problems and "not valid utf" in page.problems[0].lower()
    result = parse_page(page, as_of=CAPTURE_DAY)
    assert result.problems == [f"{URL}: scholar-profile: {problem}" for problem in page.problems]
    # The only non-ASCII character of the page is the " · " before organisations; they still come out.
    assert record_diffs([to_dict(r) for r in result.records], read_jsonl(EXPECTED[HTML])) == []


def test_an_unknown_layout_raises_naming_the_url():
    url = "https://www.example.org/blog/some-page"
    page = Page.from_file(FIXTURES / "unknown" / "some-page.html", url)
    assert recognise_site(page) is None
    with pytest.raises(UnrecognisedPage, match="https://www.example.org/blog/some-page"):
        parse_page(page, as_of=CAPTURE_DAY)


def test_the_record_diff_helper_reports_each_field():
    want = [{"type": "paper", "title": "T", "date": "2022-04-05", "authors": ["A"]}]
    got = [{"type": "paper", "id": "arxiv:1", "title": "T", "date": "2022-04-06", "venue": "X"}]
    assert record_diffs(got, want) == [
        "paper 0 'T': ids: got None, expected ['arxiv:1']",
        "paper 0 'T': id: expected a title:<16 hex> id",
        "paper 0 'T': authors: missing, expected ['A']",
        "paper 0 'T': date: got '2022-04-06', expected '2022-04-05'",
        "paper 0 'T': venue: unexpected 'X'",
    ]
    nested = [{"type": "paper", "title": "T", "id": "x", "related": [{"title": "R", "score": 2.0}]}]
    assert record_diffs([{**nested[0], "related": [{"title": "R", "score": 2.5}]}], nested) == [
        "paper 0 'T': related[0].score: got 2.5, expected 2.0"]


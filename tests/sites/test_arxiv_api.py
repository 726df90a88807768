"""arXiv API Atom feeds (fixtures/arxiv/api, written after arXiv's API documentation from true data only: the
PaLM paper as capture 003 shows it, and papers from fixtures/arxiv/real/truth)."""

from __future__ import annotations

import json


from parsers import parse_page
from parsers.page import Page
from parsers.records import to_dict, validation_errors
from parsers.result import ParseContext
from parsers.sites import arxiv
from tests.conftest import CAPTURE_DAY, FIXTURES

API = FIXTURES / "arxiv" / "api"
TRUTH = FIXTURES / "arxiv" / "real" / "truth"
QUERY = "http://export.arxiv.org/api/query?"
SEED = FIXTURES / "paper_digest" / "palm.txt"  # capture 003, byte for byte
# Capture 003's author line for PaLM, as the page printed it (wrapped), for an independent expectation.
PALM_AUTHORS_START = ["Aakanksha Chowdhery", "Sharan Narang", "Jacob Devlin", "Maarten Bosma"]
PALM_AUTHORS_END = ["Jeff Dean", "Slav Petrov", "Noah Fiedel"]


def parse(name: str, query: str):
    """As the crawl reads a feed: through parse_page, which writes each problem as its line."""
    page = Page.from_file(API / name, QUERY + query)
    assert arxiv.recognise(page)
    return parse_page(page, as_of=CAPTURE_DAY, site=arxiv.NAME)


def test_palm_feed_gives_the_full_paper():
    result = parse("palm.atom", "id_list=2204.02311")
    (paper,) = result.records
    assert paper.arxiv_id == "2204.02311" and paper.version == 2 and "arxiv:2204.02311" in to_dict(paper)["ids"]
    assert paper.title == "PaLM: Scaling Language Modeling with Pathways"
    assert len(paper.authors) == 67 and paper.authors_complete is True
    assert paper.authors[:4] == PALM_AUTHORS_START and paper.authors[-3:] == PALM_AUTHORS_END
    assert "Thanumalayan Sankaranarayana Pillai" in paper.authors and "Kathy Meier-Hellstern" in paper.authors
    assert paper.abstract.startswith("Large language models have been shown to achieve remarkable performance")
    assert paper.abstract.endswith("discuss potential mitigation strategies.")
    assert paper.date == "2022-04-05T17:53:07Z"  # v1: Tue, 5 Apr 2022 17:53:07 GMT
    assert [(v.version, v.date) for v in paper.versions] == [(1, "2022-04-05T17:53:07Z"), (2, "2022-04-07T16:38:01Z")]
    assert paper.categories == ["cs.CL"]
    assert paper.pdf_url == "http://arxiv.org/pdf/2204.02311v2"
    assert result.declared_counts == {"paper": 1}
    assert result.follow == [] and result.problems == [] and not validation_errors(paper)


def test_palm_feed_abstract_is_the_one_capture_003_shows():
    seed = SEED.read_text(encoding="utf-8")
    abstract = " ".join(seed.split("- Abstract:", 1)[1].split("Related papers", 1)[0].split())
    assert parse("palm.atom", "id_list=2204.02311").records[0].abstract == abstract


def test_paged_feed_gives_entries_counts_and_the_next_page():
    query = "id_list=0704.0001,0704.0002,0704.0064&start=0&max_results=2"
    first = parse("paged-1.atom", query)
    assert [p.arxiv_id for p in first.records] == ["0704.0001", "0704.0002"]
    assert first.declared_counts == {"paper": 2}  # 3 results in all, 2 a page
    assert [(f.kind, f.url) for f in first.follow] == [
        ("next-page", QUERY + "id_list=0704.0001%2C0704.0002%2C0704.0064&start=2&max_results=2")]
    second = parse("paged-2.atom", query.replace("start=0", "start=2"))
    assert [p.arxiv_id for p in second.records] == ["0704.0064"] and second.follow == []
    assert second.declared_counts == {"paper": 1}
    for paper in first.records + second.records:
        truth = json.loads((TRUTH / f"{paper.arxiv_id}.json").read_text(encoding="utf-8"))
        assert paper.version == truth["current_version"]
        assert paper.title == truth["title_unicode_approx"]
        assert paper.authors == truth["authors_unicode_approx"]
        assert paper.abstract == " ".join(truth["abstract"].split())
        assert paper.categories == truth["categories"]
        assert (paper.comments, paper.journal_ref, paper.doi) == (truth["comments"], truth["journal_ref"],
                                                                  truth["doi"])
        assert not validation_errors(paper)
    assert second.records[0].organizations == ["Bhu"]  # <arxiv:affiliation>


def test_error_entry_is_a_problem_not_a_paper():
    result = parse("error.atom", "id_list=2204.0231x")
    assert result.records == []
    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"{QUERY}id_list=2204.0231x: arxiv: API error: incorrect id format for "
                                         "2204.0231x")


def test_empty_result_has_no_records_and_says_zero():
    result = parse("empty.atom", "search_query=au:Nonexistent_Zzyzx&start=0&max_results=10")
    assert result.records == [] and result.problems == [] and result.follow == []
    assert result.declared_counts["paper"] == 0


def test_truncated_feed_keeps_its_complete_entries_and_says_it_was_cut():
    text = (API / "paged-1.atom").read_text(encoding="utf-8")
    cut = text.index("<entry>", text.index("</entry>")) + 200  # inside the second entry's <id>/<summary>
    page = Page.from_text(text[:cut], QUERY + "id_list=0704.0001,0704.0002")
    result = parse_page(page, as_of=CAPTURE_DAY, site=arxiv.NAME)
    assert [p.arxiv_id for p in result.records if not p.problems] == ["0704.0001"]
    assert [p.problems for p in result.records if p.problems] == [
        [f"{page.url}: arxiv: entry 2: the feed breaks off in or after it"]]
    assert result.problems[0].startswith(f"{page.url}: arxiv: Atom feed not well-formed XML")


def test_feed_that_is_not_xml_at_all_is_a_problem():
    page = Page.from_text('<feed xmlns="http://www.w3.org/2005/Atom"\n\x00garbage', QUERY + "id_list=1")
    result = arxiv.parse(page, ParseContext(as_of=CAPTURE_DAY))
    assert result.records == [] and result.problems

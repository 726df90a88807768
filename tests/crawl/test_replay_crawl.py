"""`scrapy crawl author` over the saved pages (REPLAY_DIR=fixtures): what a user gets from the three captures.

Expected values were read off the captures in /work/shared/seeds (and fixtures/*/*.txt): the CatalyzeX page and
the digest list PaLM's 67 authors (Aakanksha Chowdhery ... Noah Fiedel), CatalyzeX shows 4 figures and
"Apr 19, 2022", the profile shows "CLApr 5, 2022" and cuts the list ("... et al."), the digest shows
"Date: Thu, 7 Apr 2022 16:38:01 GMT", "Score: 180.69584031908113", a CC BY 4.0 licence, a three-sentence
abstract summary and 10 related papers. The profile header says "32papers".
"""

from __future__ import annotations

import json

import pytest

from tests.crawl.crawl_run import REPLAY, crawl_author

from parsers.records import paper_id, validation_errors

PROFILE = "https://profiles.example.org/author/sharan-narang"
CATALYZEX = "https://www.catalyzex.com/author/Parker%20Schuh"
DIGEST = "https://digest.example.org/paper/2204.02311"


@pytest.fixture(scope="module")
def full_crawl(tmp_path_factory):
    """The README's main command: no URL, so the manifest's start pages (the three captures)."""
    run = crawl_author([], tmp_path_factory.mktemp("replay"), settings=REPLAY, completion=True,
                       output_name="records.jsonl")
    assert run.finished, run.describe()
    return run.output, run.records


def palm_of(records: list[dict]) -> list[dict]:
    return [r for r in records if r["type"] == "paper" and r["title"].startswith("PaLM: Scaling Language")]


def test_every_line_is_a_valid_record_and_none_repeats(full_crawl):
    _, records = full_crawl
    assert records
    assert {r["id"]: validation_errors(r) for r in records if validation_errors(r)} == {}
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))


def test_palm_is_one_record_with_everything_the_three_pages_give(full_crawl):
    _, records = full_crawl
    [palm] = palm_of(records)
    assert palm["id"] == paper_id(palm["title"], "Aakanksha Chowdhery") and "arxiv:2204.02311" in palm["ids"]
    assert len(palm["authors"]) == 67
    assert palm["authors"][0] == "Aakanksha Chowdhery" and palm["authors"][-1] == "Noah Fiedel"
    assert palm["authors_complete"] is True
    assert [f["index"] for f in palm["figures"]] == [1, 2, 3, 4]
    assert all(f.get("image_url") for f in palm["figures"])            # the CatalyzeX <img> src
    assert palm["score"] == pytest.approx(180.69584031908113)
    assert palm["license"] == "http://creativecommons.org/licenses/by/4.0/"
    assert len(palm["summary"]) == 3 and palm["summary"][0].startswith("We trained a 540-billion parameter")
    assert len(palm["related"]) == 10
    assert set(palm["listed_by"]) == {"Sharan Narang", "Parker Schuh"}
    dates = {p["site"]: (p["url"], p.get("date")) for p in palm["provenance"]}
    assert dates == {"scholar-profile": (PROFILE, "2022-04-05"), "catalyzex": (CATALYZEX, "2022-04-19"),
                     "paper-digest": (DIGEST, "2022-04-07T16:38:01Z")}


def test_profile_alone_gives_its_32_papers_and_one_author(tmp_path):
    run = crawl_author([PROFILE], tmp_path, settings=REPLAY, completion=True)
    assert run.finished, run.describe()
    records = run.records
    authors = [r for r in records if r["type"] == "author"]
    papers = [r for r in records if r["type"] == "paper"]
    assert [a["name"] for a in authors] == ["Sharan Narang"]
    assert len(papers) == 32
    assert len({p["id"] for p in papers}) == 32


def test_summary_and_errors_files_beside_the_output(full_crawl):
    out, records = full_crawl
    stats = json.loads(out.with_name("records.jsonl.stats.json").read_text(encoding="utf-8"))
    assert stats["records"] == {"author": 2, "paper": sum(r["type"] == "paper" for r in records)}
    assert stats["pages_fetched"] >= 4            # three start pages and CatalyzeX's page 2
    # The default crawl follows only pages an adapter reads, and the fixtures hold every one of them.
    assert stats["errors"] == []
    assert stats["scrapy_stats"].get("replay/missing", 0) == 0
    coverage = stats["field_coverage"]
    assert set(coverage) >= {"scholar-profile", "catalyzex", "paper-digest"}
    # Counted per site before merging: the profile's cards have no figures; CatalyzeX's all have four.
    assert "figures" not in coverage["scholar-profile"]["paper"]["fields"]
    assert coverage["catalyzex"]["paper"]["fields"]["figures"] == 1.0
    assert coverage["scholar-profile"]["paper"]["records"] == 32
    assert out.with_name("records.jsonl.errors.jsonl").read_text(encoding="utf-8") == ""   # every record valid


@pytest.fixture(scope="module")
def text_crawl(tmp_path_factory):
    """The same start pages from their plain-text captures (no links)."""
    run = crawl_author([], tmp_path_factory.mktemp("text"), settings={**REPLAY, "REPLAY_VARIANT": "text"},
                       completion=True)
    assert run.finished, run.describe()
    return run


def test_text_captures_merge_palm_by_title_and_first_author(text_crawl):
    """The plain-text captures carry no links, so the profile's PaLM has no arXiv id: it must still
    join the CatalyzeX and digest records by normalised title + first author."""
    records = text_crawl.records
    [palm] = palm_of(records)
    assert palm["id"] == paper_id(palm["title"], "Aakanksha Chowdhery") and "arxiv:2204.02311" in palm["ids"]
    assert len(palm["authors"]) == 67 and palm["authors_complete"] is True
    assert {p["site"] for p in palm["provenance"]} == {"scholar-profile", "catalyzex", "paper-digest"}


def test_name_argument_builds_the_profile_url(tmp_path):
    run = crawl_author([], tmp_path, settings=REPLAY, args={"name": "Parker Schuh"}, completion=True)
    assert run.finished, run.describe()
    records = run.records
    assert [r["name"] for r in records if r["type"] == "author"] == ["Parker Schuh"]
    assert any(r.get("title", "").startswith("Pathways: Asynchronous Distributed Dataflow") for r in records)


def test_a_run_that_knows_arxiv_ids_and_one_that_does_not_load_as_one_row_per_paper(full_crawl, text_crawl):
    """The HTML pages link arXiv; the text captures (REPLAY_VARIANT=text) do not, so that run learns fewer
    arXiv ids (and gets them, where it does, from arXiv's title search). Loaded into one table by id, the
    two runs give one row per paper: the html run's 38 records, the text run's 37 (no page 2) among them."""
    _, html = full_crawl
    text_run = text_crawl
    table = {record["id"]: record for record in html + text_run.records}          # an upsert by id
    assert len(table) == len(html) == len({r["id"] for r in html})
    assert {r["id"] for r in text_run.records} <= {r["id"] for r in html}
    # The ids the html run learnt are listed beside the id, for loaders that join on arXiv ids or DOIs.
    byt5 = next(r for r in html if r.get("title", "").startswith("ByT5"))
    assert "arxiv:2105.13626" in byt5["ids"] and byt5["id"] in byt5["ids"]
    assert all(r["ids"] == sorted(r["ids"]) and r["id"] in r["ids"] for r in html if r["type"] == "paper")

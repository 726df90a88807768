"""arXiv completion: papers whose author list is cut (or date partial) are completed from the arXiv API, in
batches, before the crawl writes them.

Expected values come from the replayed API answers in fixtures/arxiv/api/sharan-narang.*.atom, whose entries
were written by hand from public sources named in the files: PaLM (67 authors, capture 003, v1 5 Apr 2022
17:53:07 GMT), T5 (9 authors), ByT5 (8), Self-Consistency (8) by id; "Training LLMs with Fault Tolerant HSDP
on 100,000 GPUs" (23 authors, submitted 30 Jan 2026) by title. The profile (fixtures/scholar_profile/
sharan-narang.html) shows three names and "et al." for each of them, links 21 papers to arXiv (20 of them with
a cut list), and dates the HSDP paper "Jan 30" without a year. The answers leave out the ids nobody verified:
those papers must be reported as not returned, never lost.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from tests.crawl.crawl_run import FAST, FIXTURES, REPLAY, CrawlRun, crawl_author
from tests.crawl.downloader_probe import EXTENSIONS_WITH_PROBE
from tests.crawl.loopback import LoopbackServer

from crawlers.completion import (ArxivCompletion, CompletionAnswer, CompletionMiss, CompletionResult,
                                 fields_to_complete, id_batches, id_list_url, title_matches)
from crawlers.store import Store
from crawlers.pipelines.store import StoreRecords
from parsers import Page, parse_page
from parsers.records import Paper, Source, validation_errors
from tests.conftest import CAPTURE_DAY

PROFILE = "https://profiles.example.org/author/sharan-narang"
PROFILE_FILE = FIXTURES / "scholar_profile" / "sharan-narang.html"
API = "https://export.arxiv.org/api/query"
ENV = dict(os.environ)

PALM_FIRST_LAST = ("Aakanksha Chowdhery", "Noah Fiedel")
T5 = ["Colin Raffel", "Noam Shazeer", "Adam Roberts", "Katherine Lee", "Sharan Narang", "Michael Matena",
      "Yanqi Zhou", "Wei Li", "Peter J. Liu"]
BYT5 = ["Linting Xue", "Aditya Barua", "Noah Constant", "Rami Al-Rfou", "Sharan Narang", "Mihir Kale",
        "Adam Roberts", "Colin Raffel"]
SELF_CONSISTENCY = ["Xuezhi Wang", "Jason Wei", "Dale Schuurmans", "Quoc Le", "Ed Chi", "Sharan Narang",
                    "Aakanksha Chowdhery", "Denny Zhou"]
HSDP_TITLE = "Training LLMs with Fault Tolerant HSDP on 100,000 GPUs"
HSDP_AUTHORS = 23
NOT_VERIFIED = "2307.09288"        # Llama 2: linked by the profile, left out of the replayed answer


def profile_records() -> list[dict]:
    """The profile's own records, as the adapter reads them (no crawl)."""
    from parsers.records import to_dict
    result = parse_page(Page.from_file(PROFILE_FILE, url=PROFILE), as_of=CAPTURE_DAY)
    return [to_dict(record) for record in result.records]


def by_arxiv_id(records: list[dict]) -> dict[str, dict]:
    return {r["arxiv_id"]: r for r in records if r["type"] == "paper" and r.get("arxiv_id")}


def by_title(records: list[dict], title: str) -> dict:
    [record] = [r for r in records if r["type"] == "paper" and r["title"] == title]
    return record


def api_requests(run: CrawlRun) -> int:
    return run.scrapy_stats.get("arxiv/api_requests", 0)


@pytest.fixture(scope="module")
def profile_crawl(tmp_path_factory) -> CrawlRun:
    return crawl_author([PROFILE], tmp_path_factory.mktemp("completion"), ENV,
                        {**REPLAY, "EXTENSIONS": EXTENSIONS_WITH_PROBE}, completion=True)


# -- the replay crawl of the profile -----------------------------------------------------------------------

def test_linked_papers_end_with_arxivs_full_author_list_marked_as_filled(profile_crawl: CrawlRun) -> None:
    papers = by_arxiv_id(profile_crawl.records)
    palm = papers["2204.02311"]
    assert len(palm["authors"]) == 67 and (palm["authors"][0], palm["authors"][-1]) == PALM_FIRST_LAST
    for arxiv_id, authors in (("1910.10683", T5), ("2105.13626", BYT5), ("2203.11171", SELF_CONSISTENCY)):
        assert papers[arxiv_id]["authors"] == authors, arxiv_id
    for arxiv_id in ("2204.02311", "1910.10683", "2105.13626", "2203.11171"):
        assert papers[arxiv_id]["authors_complete"] is True, arxiv_id
    # completed_from names every field whose value is arXiv's. The profile's dates are full days and its
    # categories are the ones arXiv gives, so not those. Only PaLM's entry in the answer (sharan-narang.ids.atom)
    # has a version (2204.02311v2) and a PDF link; the profile's cards have neither.
    assert palm["completed_from"] == {"arxiv": ["authors", "pdf_url", "version", "versions"]}
    assert palm["pdf_url"].startswith("http://arxiv.org/pdf/2204.02311") and palm["version"] == 2
    for arxiv_id in ("1910.10683", "2105.13626", "2203.11171"):
        assert papers[arxiv_id]["completed_from"] == {"arxiv": ["authors"]}, arxiv_id


def test_provenance_keeps_the_profiles_and_arxivs_values(profile_crawl: CrawlRun) -> None:
    palm = by_arxiv_id(profile_crawl.records)["2204.02311"]
    sources = {p["site"]: p for p in palm["provenance"]}
    assert set(sources) == {"scholar-profile", "arxiv"}
    assert sources["scholar-profile"]["url"] == PROFILE
    assert sources["scholar-profile"]["date"] == "2022-04-05"
    assert sources["scholar-profile"]["authors"] == ["Aakanksha Chowdhery", "Sharan Narang", "Jacob Devlin"]
    assert sources["scholar-profile"]["authors_complete"] is False
    assert sources["arxiv"]["url"].startswith(API + "?id_list=")
    assert sources["arxiv"]["date"] == "2022-04-05T17:53:07Z"          # v1, Tue, 5 Apr 2022 17:53:07 GMT
    assert len(sources["arxiv"]["authors"]) == 67
    # arXiv fills what the profile lacks and takes over nothing else: the record is still the profile's.
    assert palm["source"] == {"site": "scholar-profile", "url": PROFILE}
    assert palm["date"] == "2022-04-05"


def test_a_paper_without_a_link_is_found_by_title_and_its_partial_date_filled(
        profile_crawl: CrawlRun) -> None:
    hsdp = by_title(profile_crawl.records, HSDP_TITLE)
    assert len(hsdp["authors"]) == HSDP_AUTHORS and hsdp["authors_complete"] is True
    assert hsdp["authors"][:3] == ["Omkar Salpekar", "Rohan Varma", "Kenny Yu"]
    assert hsdp["date"] == "2026-01-30" and not hsdp.get("date_year_inferred")   # profile: "Jan 30", no year
    # date, date_raw and date_year_inferred all arXiv's (<published>2026-01-30 in sharan-narang.titles.atom).
    assert (hsdp["date_raw"], hsdp["date_year_inferred"]) == ("2026-01-30", False)
    # Every field whose value is arXiv's: its entry (2602.00277v1, cs.DC and cs.AI) adds the id, a version,
    # and cs.AI to the profile's cs.DC.
    assert hsdp["categories"] == ["cs.DC", "cs.AI"] and hsdp["version"] == 1
    assert sorted(hsdp["completed_from"]["arxiv"]) == ["arxiv_id", "authors", "categories", "date", "version",
                                                       "versions"]
    assert list(hsdp["completed_from"]) == ["arxiv"]
    assert hsdp["arxiv_id"] == "2602.00277"
    profile_date = {p["site"]: p for p in hsdp["provenance"]}["scholar-profile"]
    assert profile_date["date_raw"] == "Jan 30" and profile_date["date_year_inferred"] is True


def test_one_id_list_request_for_the_twenty_ids_and_one_title_search(profile_crawl: CrawlRun) -> None:
    cut_with_id = [r for r in profile_records() if r.get("arxiv_id") and r.get("authors_complete") is False]
    assert len(cut_with_id) == 20
    stats = profile_crawl.scrapy_stats
    assert stats["arxiv/id_list_requests"] == math.ceil(len(cut_with_id) / 100) == 1
    assert stats["arxiv/title_search_requests"] == 1
    assert api_requests(profile_crawl) == 2
    assert stats["replay/served"] == 3                # the profile page and the two API answers
    assert stats.get("replay/missing", 0) == 0


def test_papers_arxiv_did_not_return_keep_their_values_and_say_so(profile_crawl: CrawlRun) -> None:
    llama = by_arxiv_id(profile_crawl.records)[NOT_VERIFIED]
    assert len(llama["authors"]) == 3 and llama["authors_complete"] is False
    assert "completed_from" not in llama
    [problem] = [p for p in llama["problems"] if "arxiv" in p]
    # It names the URL that asks arXiv for this paper alone, not the batch request's 19 ids.
    assert problem == (f"{API}?id_list={NOT_VERIFIED}&max_results=1: arxiv: "
                       "'Llama 2: Open Foundation and Fine-Tuned Chat Models': not returned by the arXiv API")
    # Every paper of the profile is still there once, and every record is valid.
    papers = [r for r in profile_crawl.records if r["type"] == "paper"]
    assert len(papers) == len({p["id"] for p in papers}) == 32
    assert [r["id"] for r in profile_crawl.records if validation_errors(r)] == []


def test_completion_off_makes_no_api_request_and_leaves_lists_cut(tmp_path: Path) -> None:
    run = crawl_author([PROFILE], tmp_path, ENV, REPLAY, completion=False)
    assert api_requests(run) == 0 and run.scrapy_stats["replay/served"] == 1
    palm = by_arxiv_id(run.records)["2204.02311"]
    assert len(palm["authors"]) == 3 and palm["authors_complete"] is False
    assert "completed_from" not in palm
    assert [p["site"] for p in palm["provenance"]] == ["scholar-profile"]


def test_api_500_is_reported_with_its_url_and_the_records_kept(tmp_path: Path) -> None:
    rows = json.loads((FIXTURES / "pages.json").read_text(encoding="utf-8"))
    for row in rows:
        row["file"] = str(FIXTURES / row["file"])
        if row["url"].startswith(API + "?id_list="):
            row["status"] = 500
    (tmp_path / "pages.json").write_text(json.dumps(rows), encoding="utf-8")
    run = crawl_author([PROFILE], tmp_path, ENV, {"REPLAY_DIR": str(tmp_path), "RETRY_TIMES": "1",
                                                  "RETRY_BACKOFF_BASE": "0.05"}, completion=True)
    assert run.returncode == 0, run.describe()
    palm = by_arxiv_id(run.records)["2204.02311"]
    assert len(palm["authors"]) == 3 and palm["authors_complete"] is False
    [problem] = [p for p in palm["problems"] if "arxiv" in p]
    assert problem.startswith(API + "?id_list=2204.02311&max_results=1: ") and problem.endswith("not completed: HTTP 500")
    # The failed request itself, the batch of every cut paper with an id, is named once among the failures.
    [failed] = [f["url"] for f in run.failures]
    assert failed.startswith(API + "?id_list=") and "2204.02311" in failed and "2307.09288" in failed
    # The title search still answered: the paper found by title is complete.
    assert len(by_title(run.records, HSDP_TITLE)["authors"]) == HSDP_AUTHORS
    assert len([r for r in run.records if r["type"] == "paper"]) == 32


def test_three_captures_keep_one_palm_with_67_authors(tmp_path: Path) -> None:
    """CatalyzeX and the digest give PaLM in full: arXiv is not asked for it, and it stays one record."""
    run = crawl_author([PROFILE, "https://www.catalyzex.com/author/Parker%20Schuh",
                        "https://digest.example.org/paper/2204.02311"], tmp_path, ENV, REPLAY,
                       completion=True)
    palms = [r for r in run.records if r.get("title", "").startswith("PaLM: Scaling Language")]
    assert len(palms) == 1 and len(palms[0]["authors"]) == 67 and palms[0]["authors_complete"] is True
    assert "arxiv" not in {p["site"] for p in palms[0]["provenance"]}
    assert run.scrapy_stats["arxiv/id_list_requests"] == 1
    assert run.failures == [] and run.scrapy_stats.get("replay/missing", 0) == 0
    assert by_arxiv_id(run.records)["1910.10683"]["authors"] == T5


def test_replayed_answers_are_not_slowed_by_the_arxiv_download_slot(profile_crawl: CrawlRun) -> None:
    """Replayed pages and API answers never enter a download slot, so arXiv's 3 s delay (applied per slot)
    does not slow an offline replay. Counted by the probe extension, not timed."""
    assert "tests.crawl.downloader_probe.CountDownloaderEntries" in profile_crawl.log    # the probe ran
    stats = profile_crawl.scrapy_stats
    assert stats["arxiv/api_requests"] >= 2           # enough requests that a slot delay would apply
    assert {key: n for key, n in stats.items() if key.startswith("probe/reached_downloader/")} == {}


def test_text_captures_replay_reports_each_title_search_it_has_no_answer_for(tmp_path: Path) -> None:
    """The text renderings link no paper to arXiv, so their cut lists are searched by title. The manifest
    has no answer for those searches: the one saved title search (sharan-narang.titles.atom) answers the
    HTML profile's titles, and an answer for these would have to say what arXiv holds for some 30 titles,
    which nobody checked. So each search is reported, with its URL, and every record is still written."""
    run = crawl_author([], tmp_path, ENV, {**REPLAY, "REPLAY_VARIANT": "text"}, completion=True)
    assert run.returncode == 0 and "Spider closed (finished)" in run.log, run.describe()
    assert run.records and run.invalid == []
    assert [r["id"] for r in run.records if validation_errors(r)] == []
    palms = [r for r in run.records if r.get("title", "").startswith("PaLM: Scaling Language")]
    assert len(palms) == 1 and len(palms[0]["authors"]) == 67 and palms[0]["authors_complete"] is True
    assert {p["site"] for p in palms[0]["provenance"]} == {"paper-digest", "catalyzex", "scholar-profile"}
    # Every failure is an API request named by its URL, one line each, and says why.
    stats = run.scrapy_stats
    failed_urls = [f["url"] for f in run.failures]
    assert len(failed_urls) == len(set(failed_urls)) == stats["arxiv/api_requests"] > 0
    for failure in run.failures:
        assert failure["url"].startswith(API + "?search_query=ti%3A%22")
        assert failure["reason"] == f"{failure['url']}: HTTP 404 (not in the replay manifest)"
    # Each paper searched for keeps its record and one problem line naming the search for its title alone.
    arxiv_problems = [p for r in run.records for p in r.get("problems", []) if p.startswith(API)]
    assert len(arxiv_problems) == stats["arxiv/papers_asked"] == stats["arxiv/papers_not_completed"]
    for problem in arxiv_problems:
        url = problem.split(": arxiv: ")[0]
        assert url.startswith(API + "?search_query=ti%3A%22") and url.count("ti%3A") == 1
        assert problem.endswith("not completed: HTTP 404 (not in the replay manifest)")
    without = crawl_author([], tmp_path / "off", ENV, {**REPLAY, "REPLAY_VARIANT": "text"},
                           completion=False)
    assert sorted(run.ids()) == sorted(without.ids())


# -- on the wire: arXiv's pace ---------------------------------------------------------------------------

def test_api_requests_to_export_arxiv_org_are_three_seconds_apart(tmp_path: Path) -> None:
    """A live-like crawl: the profile on the loopback server, export.arxiv.org answered by the same server
    (as a proxied virtual host). The API requests are spaced by the export.arxiv.org slot's 3 s."""
    api = "http://export.arxiv.org/api/query"
    lookups = ArxivCompletion(api_url=api, batch_size=10).plan(profile_records())
    assert [lookup.kind for lookup in lookups] == ["id_list", "id_list", "title_search"]
    with LoopbackServer() as server:
        server.virtual_hosts.add("export.arxiv.org")
        server.add_file("/author/sharan-narang", PROFILE_FILE)
        for lookup in lookups:
            server.add_page(lookup.url.removeprefix("http://export.arxiv.org"),
                            (FIXTURES / "arxiv" / "api" / "empty.atom").read_bytes(), "application/atom+xml")
        run = crawl_author([server.url("/author/sharan-narang")], tmp_path, server.offline_env(),
                           {**FAST, "FOLLOW_KINDS": "next-page", "ARXIV_API_URL": api,
                            "ARXIV_BATCH_SIZE": "10"}, completion=True)
        received = [r for r in server.received if r.path.startswith(api)]
        assert server.outside_requests() == []
    assert run.returncode == 0, run.describe()
    assert len(received) == 3, run.describe()
    gaps = [later.time - earlier.time for earlier, later in zip(received, received[1:])]
    assert all(gap >= 2.9 for gap in gaps), gaps
    # Every paper asked for and not in the (empty) answers is kept, with a problem naming its request.
    papers = [r for r in run.records if r["type"] == "paper"]
    assert len(papers) == 32
    assert sum(any(p.startswith(api) for p in r.get("problems", [])) for r in papers) == 30


# -- without a crawl ---------------------------------------------------------------------------------------

def test_250_ids_make_three_sorted_requests_of_at_most_100() -> None:
    ids = [f"2301.{n:05d}" for n in range(250, 0, -1)]
    batches = id_batches(ids + ids[:10])                      # repeats asked once
    assert [len(batch) for batch in batches] == [100, 100, 50]
    assert [i for batch in batches for i in batch] == sorted(set(ids))
    assert id_list_url(["1910.10683", "2204.02311"]) == f"{API}?id_list=1910.10683,2204.02311&max_results=2"


def test_plan_asks_only_for_cut_or_partially_dated_papers() -> None:
    records = [
        {"type": "paper", "title": "A", "authors": ["X Y"], "authors_complete": False, "date": "2020-01-01",
         "arxiv_id": "2001.00002"},
        {"type": "paper", "title": "B", "authors": ["X Y"], "authors_complete": True, "date": "2020-01-01",
         "arxiv_id": "2001.00001"},
        {"type": "paper", "title": "C", "authors": ["X Y"], "authors_complete": True, "date": "2026-01-30",
         "date_year_inferred": True, "arxiv_id": "2001.00003"},
        {"type": "paper", "title": "D", "authors": ["X Y"], "authors_complete": True, "date": "2020-01-01"},
        {"type": "author", "name": "X Y"},
    ]
    assert [fields_to_complete(r) for r in records] == [["authors"], [], ["date"], [], []]
    [lookup] = ArxivCompletion(title_search=False).plan(records)
    assert lookup.url == f"{API}?id_list=2001.00002,2001.00003&max_results=2"


def test_title_search_is_capped() -> None:
    records = [{"type": "paper", "title": f"Paper {n}", "authors": ["X Y"], "authors_complete": False,
                "date": "2020-01-01"} for n in range(30)]
    lookups = ArxivCompletion(title_search_limit=25, title_batch_size=10).plan(records)
    assert [len(lookup.wanted) for lookup in lookups] == [10, 10, 5]
    assert ArxivCompletion(title_search=False).plan(records) == []


def paper(title: str, authors: list[str], arxiv_id: str | None = "2602.00277") -> Paper:
    return Paper(title=title, source=Source("arxiv", API), authors=authors, authors_complete=True,
                 arxiv_id=arxiv_id)


def test_title_match_needs_the_same_title_and_the_first_author_among_the_results() -> None:
    result = paper(HSDP_TITLE, ["Omkar Salpekar", "Rohan Varma"])
    assert title_matches("Training LLMs with fault-tolerant HSDP on 100,000 GPUs", "Omkar Salpekar", result)
    assert title_matches("Training LLMs with Fault Tolerant HSDP on 100,000 GPUs", "Rohan Varma", result)
    assert not title_matches("Training LLMs with Fault Tolerant HSDP", "Omkar Salpekar", result)
    assert not title_matches(HSDP_TITLE, "Someone Else", result)
    assert not title_matches(HSDP_TITLE, None, result)


def test_a_search_answer_attaches_only_the_matching_paper() -> None:
    completion = ArxivCompletion()
    wanted = {"type": "paper", "title": HSDP_TITLE, "authors": ["Omkar Salpekar"], "authors_complete": False,
              "date": "2026-01-30", "date_year_inferred": True}
    [lookup] = completion.plan([wanted])
    same_title_other_people = paper(HSDP_TITLE, ["Someone Else"], "2699.00001")
    right = paper(HSDP_TITLE, ["Omkar Salpekar", "Rohan Varma"])
    right.date = "2026-01-30"
    items = completion.answer(lookup.url, [same_title_other_people, right])
    [answer] = items
    assert isinstance(answer, CompletionAnswer) and answer.record is right
    assert answer.fills == ["authors", "date", "arxiv_id"] and right.completed_from == {}  # arXiv's record as given
    [miss] = completion.answer(lookup.url, [same_title_other_people])
    assert isinstance(miss, CompletionMiss) and miss.problem.startswith(lookup.url)


def test_arxivs_record_joins_the_paper_it_completes_even_under_another_first_author(tmp_path) -> None:
    """The profile may list a paper under its second author first; the arXiv record still merges into it."""
    store = Store.open(f"sqlite:///{tmp_path / 'records.db'}")
    store.start_crawl()
    held = {"type": "paper", "id": "title:x", "title": "Some Paper", "authors": ["B Two"],
            "authors_complete": False, "source": {"site": "scholar-profile", "url": PROFILE}}
    store.add(held)
    arxiv = {"type": "paper", "id": "arxiv:2001.00001", "title": "Some Paper", "authors": ["A One", "B Two"],
             "authors_complete": True, "arxiv_id": "2001.00001", "completed_from": {"arxiv": ["authors"]},
             "source": {"site": "arxiv", "url": API}}
    store.add(arxiv, completes="title:some paper|b two")
    [merged] = store.merged()
    # The held paper had no arXiv id: the answer gave it, so it is named with the authors.
    assert merged["authors"] == ["A One", "B Two"]
    assert merged["completed_from"] == {"arxiv": ["authors", "arxiv_id"]}
    assert store.note("arxiv:2001.00001", "a problem") and [r["problems"] for r in store.merged()] == [["a problem"]]
    store.close()


# -- a crawl resumed with the same JOBDIR -----------------------------------------------------------------

def test_a_resumed_plan_asks_again_only_the_requests_not_answered_with_the_same_urls() -> None:
    records = profile_records()
    fresh = ArxivCompletion(batch_size=10).plan(records)
    assert [lookup.kind for lookup in fresh] == ["id_list", "id_list", "title_search"]
    # Nothing asked before: the same requests as a fresh crawl.
    assert [lookup.url for lookup in ArxivCompletion(batch_size=10).plan(records)] == [l.url for l in fresh]
    # The first id_list answered, the second asked and not answered, the title search never asked.
    resumed = ArxivCompletion(batch_size=10)
    resumed.restore([lookup.to_dict() for lookup in fresh[:2]], {fresh[0].url})
    assert [lookup.url for lookup in resumed.plan(records)] == [fresh[1].url, fresh[2].url]
    # Everything answered: nothing is asked, though the papers arXiv did not return are still cut.
    done = ArxivCompletion(batch_size=10)
    done.restore([lookup.to_dict() for lookup in fresh], {lookup.url for lookup in fresh})
    assert done.plan(records) == []


def test_a_paper_found_by_title_is_not_asked_again_by_its_new_id() -> None:
    """HSDP was searched by title; arXiv gave its id and authors. Were its date still partial, a resumed crawl
    must not ask for it again by that id."""
    searched = {"type": "paper", "title": HSDP_TITLE, "authors": ["Omkar Salpekar"],
                "authors_complete": False, "date": "2026-01-30", "date_year_inferred": True}
    first = ArxivCompletion()
    [lookup] = first.plan([searched])
    completed = {**searched, "arxiv_id": "2602.00277", "authors_complete": True}
    resumed = ArxivCompletion()
    resumed.restore([lookup.to_dict()], {lookup.url})
    assert fields_to_complete(completed) == ["date"] and resumed.plan([completed]) == []


def test_the_title_search_limit_counts_the_titles_earlier_runs_searched() -> None:
    records = [{"type": "paper", "title": f"Paper {n:02d}", "authors": ["X Y"], "authors_complete": False,
                "date": "2020-01-01"} for n in range(30)]
    first = ArxivCompletion(title_search_limit=25, title_batch_size=10).plan(records)
    resumed = ArxivCompletion(title_search_limit=25, title_batch_size=10)
    resumed.restore([first[0].to_dict()], {first[0].url})
    assert [len(lookup.wanted) for lookup in resumed.plan(records)] == [10, 5]


def store_pipeline(path: Path) -> StoreRecords:
    """StoreRecords writing to a SQLite store, as a crawl with that store would (no crawler: no feed)."""
    pipeline = StoreRecords(f"sqlite:///{path}")
    pipeline.open_spider()
    return pipeline


def test_an_answer_merged_again_after_a_restart_notes_each_problem_once(tmp_path: Path) -> None:
    """Killed after the answer was stored but while the request was still queued (JOBDIR keeps Scrapy's
    queue): the restarted crawl writes that answer a second time. The paper still has one problem line."""
    path = tmp_path / "records.db"
    url = id_list_url([NOT_VERIFIED])
    llama = Paper(title="Llama 2: Open Foundation and Fine-Tuned Chat Models", source=Source("scholar-profile",
                  PROFILE), authors=["Hugo Touvron", "Louis Martin", "Kevin Stone"], authors_complete=False,
                  arxiv_id=NOT_VERIFIED)
    miss = CompletionMiss(f"arxiv:{NOT_VERIFIED}", f"{url}: arxiv: 'Llama 2': not returned by the arXiv API")
    first = store_pipeline(path)
    first.store.lookup_asked({"url": url, "kind": "id_list", "wanted": []})
    first.process_item(llama)
    first.process_item(CompletionResult(url, [miss]))
    first.store.close()

    resumed = store_pipeline(path)
    assert resumed.store.lookups()[1] == {url}
    resumed.process_item(llama)                         # the page crawled again
    resumed.process_item(CompletionResult(url, [miss]))  # the answer again
    [record] = list(resumed.store.merged())
    assert record["problems"] == [miss.problem]
    resumed.store.close()


def test_a_request_asked_and_not_answered_is_asked_again(tmp_path: Path) -> None:
    """SIGKILL after the request was stored as asked and before its answer was: asked again, same URL; an
    answer is stored in one transaction, so it is either all there or not at all."""
    path = tmp_path / "records.db"
    lookup = ArxivCompletion().plan([{"type": "paper", "title": "Some Paper", "authors": ["X Y"],
                                      "authors_complete": False, "arxiv_id": "2001.00001"}])[0]
    first = store_pipeline(path)
    first.store.lookup_asked(lookup.to_dict())
    first.store.close()
    resumed = store_pipeline(path)
    asked, answered = resumed.store.lookups()
    assert [a["url"] for a in asked] == [lookup.url] and answered == set()
    completion = ArxivCompletion()
    completion.restore(asked, answered)
    assert [again.url for again in completion.plan([])] == [lookup.url]
    resumed.process_item(CompletionResult(lookup.url, [CompletionMiss("arxiv:2001.00001", "p")]))
    resumed.store.close()
    assert store_pipeline(path).store.lookups()[1] == {lookup.url}

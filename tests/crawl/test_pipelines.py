"""The crawl's components built directly, without a crawl: pipelines, merge rules, replay, retry, host policy."""

from __future__ import annotations

import json
from email.utils import format_datetime
from datetime import datetime, timezone

import pytest
from scrapy import Request

from crawlers.middlewares import ReplayMiddleware, is_private_host, retry_after_seconds
from crawlers.pipelines import NormaliseRecords, merge_records, normalise_url, repair
from crawlers.store import Store
from parsers.records import Paper, Source, paper_id, schema_errors, validation_errors

PROFILE = {"site": "scholar-profile", "url": "https://profiles.example.org/author/sharan-narang"}
CATALYZEX = {"site": "catalyzex", "url": "https://www.catalyzex.com/author/Parker%20Schuh"}


@pytest.fixture
def open_store(tmp_path):
    """A fresh SQLite store per call, as the crawl's: records are grouped into papers there."""
    stores = []

    def opened() -> Store:
        store = Store.open(f"sqlite:///{tmp_path / f'records-{len(stores)}.db'}")
        store.start_crawl()
        stores.append(store)
        return store

    yield opened
    for store in stores:
        store.close()


def paper(source: dict, **fields) -> dict:
    return {"type": "paper", "id": "x", "source": source, "title": "PaLM: Scaling Language Modeling with Pathways",
            **fields}


# -- NormaliseRecords -------------------------------------------------------------------------------

def test_normalise_collapses_whitespace_canonicalises_urls_and_drops_repeats():
    record = Paper(title="  PaLM:\n Scaling   Language Modeling ", source=Source("catalyzex", " HTTPS://WWW.CatalyzeX.com/author/Parker Schuh "),
                   authors=["Sharan  Narang", "Jacob Devlin", "sharan narang"], categories=["cs.CL", "cs.CL"])
    NormaliseRecords().process_item(record)
    assert record.title == "PaLM: Scaling Language Modeling"
    assert record.source.url == "https://www.catalyzex.com/author/Parker%20Schuh"
    assert record.authors == ["Sharan Narang", "Jacob Devlin"]
    assert record.categories == ["cs.CL"]


@pytest.mark.parametrize("raw, expected", [
    ("https://arxiv.org/abs/2204.02311", "https://arxiv.org/abs/2204.02311"),
    ("HTTP://ArXiv.org/abs/2204.02311v2 ", "http://arxiv.org/abs/2204.02311v2"),
    ("https://www.catalyzex.com/author/Parker Schuh", "https://www.catalyzex.com/author/Parker%20Schuh"),
])
def test_normalise_url(raw, expected):
    assert normalise_url(raw) == expected


# -- the merge rules (merge_records, and the store's grouping) ---------------------------------------

def test_complete_author_list_beats_a_longer_ranked_cut_one_and_every_source_date_is_kept():
    cut = paper(PROFILE, authors=["Aakanksha Chowdhery", "Sharan Narang", "Jacob Devlin"], authors_complete=False,
                date="2022-04-05", date_raw="Apr 5, 2022", listed_by=["Sharan Narang"])
    full = paper(CATALYZEX, authors=["Aakanksha Chowdhery"] + [f"Author {i}" for i in range(66)],
                 authors_complete=True, date="2022-04-19", date_raw="Apr 19, 2022", listed_by=["Parker Schuh"],
                 figures=[{"index": 1, "caption": "PaLM", "image_url": "https://img/1.png"}])
    merged = merge_records([cut, full])
    assert len(merged["authors"]) == 67 and merged["authors_complete"] is True
    assert merged["listed_by"] == ["Parker Schuh", "Sharan Narang"]          # better source first
    assert merged["figures"][0]["image_url"] == "https://img/1.png"
    assert [(p["site"], p["date"]) for p in merged["provenance"]] == [("catalyzex", "2022-04-19"),
                                                                     ("scholar-profile", "2022-04-05")]
    assert merged["date"] == "2022-04-19"                                     # the better-ranked source's
    assert validation_errors(merged) == []


def test_full_date_beats_a_year_inferred_one():
    guessed = paper(CATALYZEX, date="2026-01-30", date_raw="Jan 30", date_year_inferred=True)
    known = paper(PROFILE, date="2025-01-30", date_raw="Jan 30, 2025", date_year_inferred=False)
    merged = merge_records([guessed, known])
    assert (merged["date"], merged["date_raw"], merged["date_year_inferred"]) == ("2025-01-30", "Jan 30, 2025", False)


def test_store_joins_by_arxiv_id_or_title_and_first_author_but_never_two_arxiv_ids(open_store):
    store = open_store()
    store.add(paper(PROFILE, authors=["Aakanksha Chowdhery", "Sharan Narang"]))             # no arXiv id
    store.add(paper(CATALYZEX, authors=["Aakanksha  Chowdhery"], arxiv_id="2204.02311"))     # title + author
    store.add(paper({"site": "paper-digest", "url": "https://d/1"}, title="PaLM (v2 title)",
                    authors=["Someone Else"], arxiv_id="2204.02311"))                         # arXiv id
    store.add(paper({"site": "catalyzex", "url": "https://c/2"}, authors=["Aakanksha Chowdhery"],
                    arxiv_id="9999.99999"))                                                   # same title, other id
    store.add(paper(PROFILE, title="Another paper", authors=["Aakanksha Chowdhery"]))
    merged = list(store.merged())
    assert [[i for i in m["ids"] if i.startswith("arxiv:")] for m in merged] == [
        ["arxiv:2204.02311"], ["arxiv:9999.99999"], []]
    assert len(merged[0]["provenance"]) == 3
    # A merged paper's id is its merged title and first author; every source's own id is listed beside it
    # (here the digest's other title and first author), so a loader joins on any of them.
    first = merged[0]
    assert first["id"] == paper_id(first["title"], first["authors"][0])
    assert paper_id("PaLM (v2 title)", "Someone Else") in first["ids"]
    palm = paper_id("PaLM: Scaling Language Modeling with Pathways", "Aakanksha Chowdhery")
    assert palm in first["ids"]
    # The same title and first author under a second arXiv id (a duplicate submission): the merge keeps the
    # two apart, the id (title and first author) does not; their ids lists tell them apart.
    assert merged[1]["id"] == palm
    assert merged[2]["id"] == paper_id("Another paper", "Aakanksha Chowdhery") and merged[2]["ids"] == [merged[2]["id"]]


def test_the_same_page_read_twice_changes_nothing(open_store):
    record = paper(PROFILE, authors=["Aakanksha Chowdhery"], arxiv_id="2204.02311", date="2022-04-05")
    once, twice = open_store(), open_store()
    once.add(record)
    twice.add(record)
    twice.add(json.loads(json.dumps(record)))
    assert list(once.merged()) == list(twice.merged())
    assert once.rows("sources") == twice.rows("sources")


# -- ValidateRecords' repair ------------------------------------------------------------------------

def test_invalid_optional_value_is_removed_and_named_in_problems():
    record = paper(PROFILE, id=paper_id("PaLM", "A B"), arxiv_id="2204.02311", date="April 2022", authors=["A B"])
    errors = schema_errors(record)
    fixed, unrepairable = repair(record, errors)
    assert unrepairable == [] and validation_errors(fixed) == []
    assert "date" not in fixed and fixed["authors"] == ["A B"]
    assert any(p.startswith("date removed:") for p in fixed["problems"])


def test_a_key_outside_the_contract_is_removed_not_the_record():
    record = paper(PROFILE, id=paper_id("PaLM", "A B"), arxiv_id="2204.02311", authors=["A B"])
    record.update(scroe=1.0, tags=["x"])
    fixed, unrepairable = repair(record, schema_errors(record))
    assert unrepairable == [] and validation_errors(fixed) == []
    assert "scroe" not in fixed and "tags" not in fixed and fixed["authors"] == ["A B"]
    assert sorted(p for p in fixed["problems"]) == ["scroe removed: not a field of the record schema",
                                                     "tags removed: not a field of the record schema"]


def test_record_without_title_cannot_be_repaired():
    record = {"type": "paper", "id": paper_id(""), "source": PROFILE, "title": ""}
    _, unrepairable = repair(record, schema_errors(record))
    assert [(list(e.absolute_path), e.validator) for e in unrepairable] == [(["title"], "minLength")]


# -- middlewares ------------------------------------------------------------------------------------

def test_replay_answers_from_the_manifest_and_404s_the_rest(tmp_path):
    (tmp_path / "p.html").write_text("<html><body><h1>Hi</h1></body></html>", encoding="utf-8")
    (tmp_path / "pages.json").write_text(json.dumps(
        [{"url": "https://a.example/x?b=2&a=1", "file": "p.html", "capture": "html", "captured": "2026-11-22"}]))
    replay = ReplayMiddleware(tmp_path)
    request = Request("https://a.example/x?a=1&b=2")              # same URL, parameters in another order
    found = replay.process_request(request)
    assert found.status == 200 and b"Hi" in found.body
    assert found.headers["Content-Type"].startswith(b"text/html")
    assert request.meta["captured_on"] == "2026-11-22"
    missing = replay.process_request(Request("https://a.example/y"))
    assert missing.status == 404 and "replay-missing" in missing.flags
    robots = replay.process_request(Request("https://a.example/robots.txt"))
    assert robots.status == 404 and "replay-missing" not in robots.flags
    assert replay.process_request(Request("data:,")) is None


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds(format_datetime(now.replace(minute=1), usegmt=True), now.timestamp()) == 60
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None


@pytest.mark.parametrize("host, private", [
    ("127.0.0.1", True), ("localhost", True), ("10.1.2.3", True), ("192.168.0.1", True), ("[::1]", True),
    ("169.254.169.254", True), ("arxiv.org", False), ("8.8.8.8", False), ("www.catalyzex.com", False),
])
def test_private_hosts(host, private):
    assert is_private_host(host) is private


# -- merge rank: declared by each site module, read through the registry ----------------------------

def test_each_site_declares_its_merge_rank_arxiv_first_profile_last():
    from parsers.sites import adapters, merge_rank

    ranks = {module.NAME: module.MERGE_RANK for module in adapters()}
    assert sorted(ranks, key=ranks.get) == ["arxiv", "paper-digest", "catalyzex", "embedded-metadata",
                                            "scholar-profile"]
    assert all(merge_rank(name) == rank for name, rank in ranks.items())


def test_a_site_without_a_merge_rank_ranks_last_with_one_warning(caplog):
    from parsers.sites import merge_rank

    with caplog.at_level("WARNING", logger="parsers.sites"):
        assert merge_rank("site-without-rank") > merge_rank("scholar-profile")
        merge_rank("site-without-rank")
    warnings = [r.getMessage() for r in caplog.records if "'site-without-rank'" in r.getMessage()]
    assert warnings == ["site 'site-without-rank' declares no MERGE_RANK: its values rank after every other "
                        "site's in the merge"]


def test_an_arxiv_answer_ranks_after_the_pages_whatever_its_api_url(open_store):
    """Known as an answer because it came as a CompletionAnswer (added with ``completes``), not by its URL:
    an API on another host or path (ARXIV_API_URL) fills, never takes over. A crawled arXiv page leads."""
    page = paper(CATALYZEX, arxiv_id="2204.02311", abstract="The CatalyzeX abstract.",
                 authors=["Aakanksha Chowdhery", "Sharan Narang"], authors_complete=True)
    arxiv = paper({"site": "arxiv", "url": "http://127.0.0.1:8080/mirror?id_list=2204.02311"},
                  arxiv_id="2204.02311", abstract="arXiv's abstract.", pdf_url="https://arxiv.org/pdf/2204.02311",
                  authors=["Aakanksha Chowdhery", "Sharan Narang"], authors_complete=True)
    answered = open_store()
    answered.add(dict(page))
    answered.add(dict(arxiv), completes="arxiv:2204.02311")
    [merged] = answered.merged()
    assert merged["abstract"] == "The CatalyzeX abstract."
    assert merged["pdf_url"] == "https://arxiv.org/pdf/2204.02311"           # filled where the page has none
    crawled = open_store()
    crawled.add(dict(page))
    crawled.add(dict(arxiv))
    [merged] = crawled.merged()
    assert merged["abstract"] == "arXiv's abstract."


def test_completed_from_names_every_field_whose_value_is_the_answers_and_only_those():
    page = paper(PROFILE, authors=["Omkar Salpekar"], authors_complete=False, categories=["cs.DC"],
                 date="2026-01-30", date_raw="Jan 30", date_year_inferred=True, abstract="The profile's.")
    answer = paper({"site": "arxiv", "url": "https://export.arxiv.org/api/query?search_query=x"},
                   authors=["Omkar Salpekar", "Rohan Varma"], authors_complete=True, categories=["cs.DC", "cs.AI"],
                   date="2026-01-30", date_raw="2026-01-30", date_year_inferred=False, abstract="arXiv's.",
                   arxiv_id="2602.00277", completed_from={"arxiv": ["authors", "date", "comments"]})
    merged = merge_records([page], [answer])
    assert merged["abstract"] == "The profile's."                 # the page's: not named
    assert (merged["date_raw"], merged["date_year_inferred"]) == ("2026-01-30", False)     # one source
    assert list(merged["completed_from"]) == ["arxiv"]
    assert sorted(merged["completed_from"]["arxiv"]) == ["arxiv_id", "authors", "categories", "date"]
    assert merge_records([page]).get("completed_from") is None


def test_a_bug_while_reading_a_page_is_named_among_the_failures():
    from scrapy.http import HtmlResponse
    from twisted.python.failure import Failure

    from crawlers.extensions import CrawlSummary

    summary = CrawlSummary()
    response = HtmlResponse("https://www.catalyzex.com/author/X", body=b"<html></html>")
    try:
        raise KeyError("figures")
    except KeyError:
        failure = Failure()
    summary.callback_failed(failure, response)
    assert summary.errors == [{"url": "https://www.catalyzex.com/author/X",
                               "reason": "https://www.catalyzex.com/author/X: error while reading the page: "
                                         "KeyError: 'figures'"}]

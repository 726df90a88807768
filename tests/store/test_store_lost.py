"""The database lost mid-crawl: a real PostgreSQL server (tests/postgres.py, one per test: it is stopped) is
stopped as a crash would stop it while the crawl writes to it. What the crawl parses meanwhile is kept in the
spool beside its output (``<output>.spool.jsonl``) and retried with backoff:

* the server back during the crawl: every record is in the store and in the output, as a clean crawl's;
* the server still away at the end: the crawl exits 1, no output file, the summary names the spool and how many
  records it holds; the same crawl run again once the server is back writes the spool first and ends with the
  records of a clean crawl.

The crawl is slowed (one request at a time, each replayed answer 0.3 s late) so that the server is stopped
while pages are still to come; the test waits on what the store and the spool hold, never on a time.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import psycopg
import pytest

from tests.conftest import ROOT
from tests.crawl.crawl_run import (CRAWL_TIMEOUT, REPLAY, CrawlRun, beside, collect, crawl_author, crawl_command,
                                   crawl_env)
from tests.postgres import PostgresServer, running_postgres

SLOW = {"REPLAY_DELAY": "0.3", "CONCURRENT_REQUESTS": "1", "STORE_RETRY_MAX_DELAY": "0.5"}
WITHIN = 60                 # seconds for the crawl to reach the state the test waits for (a guard, not a measure)
DATABASE = "records"


@pytest.fixture
def server():
    """This test's own server: it is stopped and started again."""
    with running_postgres() as started:
        yield started


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory) -> CrawlRun:
    """The same replay crawl, never interrupted, into SQLite (the default store beside its output)."""
    run = crawl_author([], tmp_path_factory.mktemp("clean"), settings=REPLAY, completion=True)
    assert run.finished, run.describe()
    return run


@pytest.fixture(scope="module")
def clean(clean_run) -> dict[str, dict]:
    """The clean crawl's records by id."""
    return {record["id"]: record for record in clean_run.records}


def test_the_summary_names_the_store_and_its_rows(clean_run):
    papers = [r for r in clean_run.records if r["type"] == "paper"]
    authors = [r for r in clean_run.records if r["type"] == "author"]
    store = f"sqlite:///{clean_run.output.with_suffix('.db')}"
    line = (f"store: {store} holds {len(papers)} papers, {len(authors)} authors, "
            f"{sum(len(p.get('authors', [])) for p in papers)} paper_authors, ")
    summary = clean_run.log[clean_run.log.index("==== crawl summary"):]
    assert line in summary, summary
    assert clean_run.stats["store"]["rows"]["papers"] == len(papers)


def sources_stored(server: PostgresServer) -> int:
    """Source rows the crawl has written so far (0 before its tables exist)."""
    try:
        with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname={DATABASE}") as conn:
            return conn.execute("select count(*) from sources").fetchone()[0]
    except psycopg.errors.UndefinedTable:
        return 0


def spooled(spool: Path) -> list[dict]:
    return [json.loads(line) for line in spool.read_text(encoding="utf-8").splitlines()] if spool.exists() else []


def wait_for(condition, what: str, crawl: subprocess.Popen) -> None:
    deadline = time.monotonic() + WITHIN
    while not condition():
        assert crawl.poll() is None, f"the crawl ended before {what}"
        assert time.monotonic() < deadline, f"{what}: not reached in {WITHIN} s"
        time.sleep(0.05)


def crawl_losing_the_server(server: PostgresServer, out: Path, settings: dict[str, str], while_away) -> CrawlRun:
    """Start the slowed crawl into the server, stop the server once records are stored, call ``while_away``,
    wait for the crawl to end; what it left."""
    url = server.create_database(DATABASE)
    log = out.with_name("crawl.log")
    command = crawl_command([], out, completion=True, settings={**REPLAY, **SLOW, "STORE_URL": url, **settings})
    with log.open("w", encoding="utf-8") as log_file:
        crawl = subprocess.Popen(command, cwd=ROOT, env=crawl_env(), stdout=log_file, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: sources_stored(server) > 0, "records were stored", crawl)
            server.pause()
            while_away(crawl)
            crawl.wait(timeout=CRAWL_TIMEOUT)
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
    return collect(out, crawl.returncode, log.read_text(encoding="utf-8"))


def test_a_database_lost_mid_crawl_and_back_gets_every_record(tmp_path, server, clean):
    out = tmp_path / "out.jsonl"
    spool = beside(out, ".spool.jsonl")
    held: list[dict] = []

    def back_once_something_is_spooled(crawl: subprocess.Popen) -> None:
        wait_for(lambda: spooled(spool), "the crawl spooled a write", crawl)
        held.extend(spooled(spool))
        server.resume()

    run = crawl_losing_the_server(server, out, {}, back_once_something_is_spooled)
    assert run.finished, run.describe()
    assert held and not spool.exists()
    assert "lost:" in run.log and "back:" in run.log
    assert run.scrapy_stats["store/records_from_spool"] >= sum(len(w.get("records", ())) for w in held)
    # Nothing parsed is lost: the records are those of the crawl that never lost its store.
    assert {record["id"]: record for record in run.records} == clean
    assert run.stats["store"]["rows"]["papers"] == len([r for r in clean.values() if r["type"] == "paper"])


def test_a_database_still_away_at_the_end_is_named_and_the_next_crawl_writes_what_was_kept(tmp_path, server, clean):
    out = tmp_path / "out.jsonl"
    spool = beside(out, ".spool.jsonl")

    def stay_away(crawl: subprocess.Popen) -> None:
        pass                      # the crawl gives up at the end: STORE_WAIT_AT_END=0

    first = crawl_losing_the_server(server, out, {"STORE_WAIT_AT_END": "0"}, stay_away)
    assert first.returncode == 1, first.describe()
    kept = spooled(spool)
    records_kept = sum(len(w.get("records", ())) + len(w.get("answers", ())) for w in kept)
    assert kept and records_kept > 0
    store = f"postgresql://postgres@127.0.0.1:{server.port}/{DATABASE}"       # no password to hide in it
    assert first.stats["store"] == {"url": store, "rows": {}, "away_at_end": True,
                                    "spool": str(spool), "spooled_records": records_kept}
    assert f"{records_kept} records parsed are kept in {spool}" in first.log         # the summary block says so
    assert first.records == []

    server.resume()
    again = crawl_author([], tmp_path, settings={**REPLAY, "STORE_URL": server.database_url(DATABASE)},
                         completion=True, output_name="out.jsonl")
    assert again.finished, again.describe()
    assert not spool.exists()
    assert again.scrapy_stats["store/records_from_spool"] == records_kept
    assert {record["id"]: record for record in again.records} == clean

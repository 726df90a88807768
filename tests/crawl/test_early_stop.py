"""A crawl stopped before it runs dry still writes what it scraped: every record is in the store when parsed,
and a close by CLOSESPIDER_PAGECOUNT or a single Ctrl-C (SIGINT, Scrapy's graceful shutdown) must export the
merged records of the crawl to the normal output, each once, valid. No JOBDIR: nothing to resume from.

What the profile page gives was read off the capture: Sharan Narang and the 32 papers of
fixtures/scholar_profile/sharan-narang.html.expected.jsonl.
"""

from __future__ import annotations

import signal
import subprocess
import time

from parsers.records import validation_errors
from tests.conftest import ROOT
from tests.crawl.crawl_run import (REPLAY, collect, crawl_author, crawl_command, crawl_env, expected_ids,
                                   store_progress)

PROFILE = "https://profiles.example.org/author/sharan-narang"
CATALYZEX = "https://www.catalyzex.com/author/Parker%20Schuh"
PROFILE_IDS = expected_ids("scholar_profile/sharan-narang.html.expected.jsonl")


def assert_written_once_and_valid(run) -> None:
    assert "Traceback" not in run.log, run.describe()
    assert run.records, run.describe()
    ids = run.ids()
    assert len(ids) == len(set(ids))
    assert {r["id"]: validation_errors(r) for r in run.records if validation_errors(r)} == {}
    # The summary counts what reached the feed: the same records, once.
    assert sum(run.stats["records"].values()) == len(run.records)


def test_closed_by_page_count_writes_the_records_of_the_pages_it_parsed(tmp_path):
    run = crawl_author([PROFILE], tmp_path, settings={**REPLAY, "CLOSESPIDER_PAGECOUNT": "1"}, completion=False)
    assert run.returncode == 0 and "Closing spider (closespider_pagecount)" in run.log, run.describe()
    assert_written_once_and_valid(run)
    assert set(run.ids()) == PROFILE_IDS
    assert len(PROFILE_IDS) == 33
    assert run.scrapy_stats["store/exported"] == 33 == run.scrapy_stats["store/records_written"]


def test_ctrl_c_writes_every_record_received_before_it(tmp_path):
    """Slowed (one request at a time, each 0.5 s late) so the signal lands after the profile page is parsed
    and before CatalyzeX's pages are all in."""
    output = tmp_path / "out.jsonl"
    log_path = tmp_path / "crawl.log"
    command = crawl_command([PROFILE, CATALYZEX], output, completion=False,
                            settings={**REPLAY, "REPLAY_DELAY": "0.5", "CONCURRENT_REQUESTS": "1",
                                      "LOG_LEVEL": "DEBUG"})
    with log_path.open("w", encoding="utf-8") as log:
        crawl = subprocess.Popen(command, cwd=ROOT, env=crawl_env(), stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while store_progress(output.with_suffix(".db"))["sources"] == 0:
                assert crawl.poll() is None, "the crawl ended before it could be interrupted"
                assert time.monotonic() < deadline, "no record received in 30 s"
                time.sleep(0.02)
            crawl.send_signal(signal.SIGINT)
            crawl.wait(timeout=30)
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
    run = collect(output, crawl.returncode, log_path.read_text(encoding="utf-8"))
    assert run.returncode == 0 and "Closing spider (shutdown)" in run.log, run.describe()
    assert "Spider closed (finished)" not in run.log           # it did stop early
    assert_written_once_and_valid(run)
    assert PROFILE_IDS <= set(run.ids())
    # Every record the store received is in what was written: one source row each, all in the export.
    received = run.scrapy_stats["store/records_written"]
    assert store_progress(output.with_suffix(".db"))["sources"] == received
    assert run.scrapy_stats["store/exported"] == len(run.records)
    assert sum(len(r.get("provenance", [])) or 1 for r in run.records) >= received

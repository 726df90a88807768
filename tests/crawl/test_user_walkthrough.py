"""The crawl as a new user meets it (issue 12): what a failed page, a second run, another output format or a
limit does to what they see. Offline: replayed pages (REPLAY_DIR=fixtures), or a loopback address the crawl
refuses to fetch.

What is expected, from the pages and the README: the replay has no page at /author/Nobody (a 404); the
profile lists 32 papers and its author; the README says stats and errors go to ``<output file>.stats.json``
and ``.errors.jsonl``, that ``-o`` onto JSON Lines upserts by id, and which exit codes the crawl uses.
"""

from __future__ import annotations

import csv
import json

import pytest

from tests.crawl.crawl_run import REPLAY, beside, crawl_author, crawl_env, read_output, run_scrapy

PROFILE = "https://profiles.example.org/author/sharan-narang"
MISSING = "https://www.catalyzex.com/author/Nobody"            # not in fixtures/pages.json: replayed as 404
REFUSED = "http://127.0.0.1:9/"                                 # loopback: never fetched unless tests allow it
PALM = "PaLM: Scaling Language Modeling with Pathways"


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if " ERROR: " in line or "Traceback" in line]


@pytest.fixture(scope="module")
def profile_and_missing(tmp_path_factory):
    return crawl_author([PROFILE, MISSING], tmp_path_factory.mktemp("missing"), settings=REPLAY,
                        completion=False)


def test_a_page_that_failed_is_named_once_and_logs_no_error_or_traceback(profile_and_missing):
    run = profile_and_missing
    assert run.returncode == 0, run.describe()
    assert error_lines(run.log) == [], run.describe()
    assert [f["url"] for f in run.failures] == [MISSING]
    assert "HTTP 404" in run.failures[0]["reason"]
    assert len(run.records) == 33


def test_summary_says_its_per_site_counts_are_before_merging(profile_and_missing):
    summary = profile_and_missing.log.split("==== crawl summary", 1)[1]
    assert "records written: 1 authors, 32 papers" in summary
    assert "before merging" in summary


def test_a_replayed_crawl_does_not_warn_about_the_user_agent(profile_and_missing):
    assert "placeholder contact" not in profile_and_missing.log


def test_nothing_fetched_exits_1_and_names_the_refused_url(tmp_path):
    run = crawl_author([REFUSED], tmp_path, completion=False)          # a live crawl: no REPLAY_DIR
    assert run.returncode == 1, run.describe()
    [failure] = run.failures
    assert failure["url"] == REFUSED and "private or loopback" in failure["reason"]
    assert f"page failed: {REFUSED}" in run.log
    assert "Traceback" not in run.log
    # Live, with the contact placeholder still in USER_AGENT: the user is told.
    assert "USER_AGENT still holds the placeholder contact" in run.log


def test_every_page_failed_exits_1(tmp_path):
    run = crawl_author([MISSING], tmp_path, settings=REPLAY, completion=False)
    assert run.returncode == 1, run.describe()
    assert [f["url"] for f in run.failures] == [MISSING]
    assert [line for line in error_lines(run.log) if "no page could be fetched or read" not in line] == []


def test_page_limit_counts_pages_not_arxiv_api_requests(tmp_path):
    """PAGE_LIMIT=1: the profile is the one page; the two API requests that complete its papers still go."""
    run = crawl_author([PROFILE], tmp_path, settings={**REPLAY, "PAGE_LIMIT": "1"}, completion=True)
    assert run.finished, run.describe()
    assert run.scrapy_stats.get("arxiv/api_requests") == 2 and run.failures == []
    assert run.scrapy_stats.get("pagelimit/ignored", 0) == 0
    [palm] = [r for r in run.records if r.get("title") == PALM]
    assert len(palm["authors"]) == 67 and "authors" in palm["completed_from"]["arxiv"]


def test_appending_to_json_lines_upserts_by_id(tmp_path):
    first = crawl_author([PROFILE], tmp_path, settings=REPLAY, completion=False, output_name="oo.jsonl",
                         append=True)
    second = crawl_author([PROFILE], tmp_path, settings=REPLAY, completion=False, output_name="oo.jsonl",
                          append=True)
    assert first.returncode == second.returncode == 0, second.describe()
    ids = [r["id"] for r in second.records]
    assert len(first.records) == 33 and len(ids) == len(set(ids)) == 33


def test_each_output_file_has_its_own_stats_and_a_flat_csv(tmp_path):
    jsonl = crawl_author([PROFILE], tmp_path, settings=REPLAY, completion=False, output_name="oo.jsonl")
    as_csv = crawl_author([PROFILE], tmp_path, settings=REPLAY, completion=False, output_name="oo.csv")
    assert jsonl.returncode == as_csv.returncode == 0, as_csv.describe()
    for output in (jsonl.output, as_csv.output):
        stats = json.loads(beside(output, ".stats.json").read_text(encoding="utf-8"))
        assert stats["records"] == {"author": 1, "paper": 32}
        assert beside(output, ".errors.jsonl").exists()
    # CSV: one table, every field a column (the first record is the author: papers' columns are there too).
    with as_csv.output.open(encoding="utf-8", newline="") as lines:
        rows = list(csv.DictReader(lines))
    assert len(rows) == 33 and {"name", "title", "authors", "metrics", "provenance", "ids"} <= set(rows[0])
    by_title = {row["title"]: row for row in rows if row["type"] == "paper"}
    palm = next(r for r in jsonl.records if r.get("title") == PALM)
    assert by_title[PALM]["authors"] == "; ".join(palm["authors"])
    assert json.loads(by_title[PALM]["provenance"]) == palm["provenance"]
    assert by_title[PALM]["authors_complete"] == "false"
    assert not any("{'" in value for row in rows for value in row.values())       # no Python repr


def test_scrapy_parse_never_writes_the_default_output(tmp_path):
    default = tmp_path / "records.jsonl"
    feeds = json.dumps({str(default): {"format": "jsonlines", "overwrite": True}})
    parsed = run_scrapy(["parse", "--spider=author", "-s", "REPLAY_DIR=fixtures", "-s", f"DEFAULT_FEEDS={feeds}",
                         "-s", "ARXIV_COMPLETION=False", PROFILE], crawl_env())
    assert parsed.returncode == 0, parsed.stderr[-2000:]
    assert not default.exists() and not beside(default, ".stats.json").exists()
    crawled = run_scrapy(["crawl", "author", "-a", f"url={PROFILE}", "-s", "REPLAY_DIR=fixtures",
                          "-s", f"DEFAULT_FEEDS={feeds}", "-s", "ARXIV_COMPLETION=False"], crawl_env())
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    assert len(read_output(default)) == 33 and beside(default, ".stats.json").exists()


@pytest.mark.parametrize("help_option", [["--help"], ["-a", "help=1"]])
def test_crawl_help_lists_the_spiders_arguments(help_option):
    done = run_scrapy(["crawl", "author", *help_option])
    assert done.returncode == 0, done.stderr
    for argument in ("-a url=", "-a name=", "-a as_of="):
        assert argument in done.stdout

"""A crawl killed with SIGKILL and restarted with the same store and JOBDIR ends with every record exactly once,
arXiv completion on (the default), and ends with the very records (and store rows) of a crawl that was never
interrupted. The store is the journal: every record is in it the moment it is parsed.

The replay is of the fixtures' manifest: the three captures, and the arXiv API's answers for the papers the
profile lists with a cut author list (one id_list request, one title search). The first run is slowed (one
request at a time, each replayed answer 0.3 s late) so that the kill lands where the test wants it; the store
is read while the crawl writes it to check it did:

* "pages": page records stored, nothing asked of arXiv yet;
* "asked": both API requests stored as asked, no answer in yet (killed between sending and answering);
* "one answer": one API answer stored, the other request not answered yet.

In every case the run is killed before it closes: it has written no output file.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.crawl.crawl_run import REPLAY, crawl_author, crawl_command, crawl_env, store_progress, store_rows

# One request at a time, each answered 0.3 s late: about 10 requests (robots.txt included), 3 s or more.
SLOW = {"REPLAY_DELAY": "0.3", "CONCURRENT_REQUESTS": "1"}
API = "https://export.arxiv.org/api/query?"
API_REQUESTS = 2                    # what a clean crawl asks arXiv: one id_list, one title search
KILL_WITHIN = 30                    # seconds for the first run to reach its kill point


KILL_POINTS = {
    "pages": lambda held: held["sources"] > 0,
    "asked": lambda held: held["asked"] == API_REQUESTS,
    "one answer": lambda held: held["answered"] == 1,
}
# What the store holds once the process is dead, and how many API requests the resumed run then sends.
STORED = {
    "pages": (lambda held: held["sources"] > 0 and held["asked"] == 0, API_REQUESTS),
    "asked": (lambda held: held["asked"] == API_REQUESTS and held["answered"] == 0, API_REQUESTS),
    "one answer": (lambda held: held["asked"] == API_REQUESTS and held["answered"] == 1, 1),
}
TABLES = ("papers", "authors", "paper_authors", "sources", "problems", "match_keys", "notes")


def kill_when(jobdir: Path, store: Path, out: Path, reached) -> dict[str, int]:
    """Start the slowed crawl, SIGKILL it once its store satisfies ``reached``; what the store holds after."""
    command = crawl_command([], out, completion=True, settings={**REPLAY, "JOBDIR": str(jobdir), **SLOW,
                                                                "STORE_URL": f"sqlite:///{store}"})
    first = subprocess.Popen(command, cwd=ROOT, env=crawl_env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + KILL_WITHIN
        while not reached(store_progress(store)):
            assert first.poll() is None, "the first crawl ended before it could be killed"
            assert time.monotonic() < deadline, f"kill point not reached in {KILL_WITHIN} s"
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
    finally:
        if first.poll() is None:
            first.kill()
        first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    assert not out.exists() or out.read_text() == ""        # merged records come at the end
    return store_progress(store)




@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict[str, dict]:
    """The same replay crawl, never interrupted, no JOBDIR: its records by id, and its store's rows."""
    out_dir = tmp_path_factory.mktemp("clean")
    run = crawl_author([], out_dir, settings=REPLAY, completion=True)
    assert run.finished, run.describe()
    records = run.records
    assert len(records) == len({r["id"] for r in records})
    return {"records": {r["id"]: r for r in records},
            "rows": store_rows(f"sqlite:///{out_dir / 'out.db'}", TABLES)}


@pytest.mark.parametrize("kill_point", list(KILL_POINTS))
def test_killed_crawl_resumes_with_the_records_of_a_clean_crawl(tmp_path, clean, kill_point):
    jobdir, store = tmp_path / "job", tmp_path / "records.db"
    held = kill_when(jobdir, store, tmp_path / "first.jsonl", KILL_POINTS[kill_point])
    stored, requests_left = STORED[kill_point]
    assert stored(held), f"killed elsewhere than at {kill_point!r}: store holds {held}"

    run = crawl_author([], tmp_path, settings={**REPLAY, "JOBDIR": str(jobdir), "STORE_URL": f"sqlite:///{store}"},
                       completion=True, output_name="resumed.jsonl")
    assert run.finished, run.describe()
    resumed, stats = run.records, run.stats
    scrapy_stats = stats["scrapy_stats"]

    # Every record exactly once, and each one the record the clean crawl wrote, field for field.
    ids = [r["id"] for r in resumed]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(clean["records"])
    for record in resumed:
        assert record == clean["records"][record["id"]], record["id"]
        problems = record.get("problems", [])
        assert len(problems) == len(set(problems)), record["id"]
    # arXiv is asked only what no answer is journaled for, by the URLs a fresh crawl uses (all replayed).
    assert scrapy_stats.get("arxiv/api_requests", 0) == requests_left
    assert scrapy_stats.get("replay/missing", 0) == 0
    assert stats["errors"] == []
    # What the completion gave, still there: PaLM once, complete; Llama 2 (not returned) noted once.
    [palm] = [r for r in resumed if r.get("title", "").startswith("PaLM: Scaling Language")]
    assert len(palm["authors"]) == 67 and palm["authors_complete"] is True
    llama = next(r for r in resumed if r.get("arxiv_id") == "2307.09288")
    assert [p for p in llama["problems"] if p.startswith(API)] == \
        [p for p in clean["records"][llama["id"]]["problems"] if p.startswith(API)]
    assert len([p for p in llama["problems"] if p.startswith(API)]) == 1
    # The store itself: the same rows as the clean crawl's store, table by table.
    assert store_rows(f"sqlite:///{store}", TABLES) == clean["rows"]


def test_two_identical_crawls_into_one_store_leave_the_same_rows(tmp_path, clean):
    url = f"sqlite:///{tmp_path / 'records.db'}"
    first = crawl_author([], tmp_path, settings={**REPLAY, "STORE_URL": url}, completion=True,
                         output_name="first.jsonl")
    assert first.finished, first.describe()
    once = store_rows(url, TABLES)
    assert once == clean["rows"]
    second = crawl_author([], tmp_path, settings={**REPLAY, "STORE_URL": url}, completion=True,
                          output_name="second.jsonl")
    assert second.finished, second.describe()
    assert store_rows(url, TABLES) == once
    assert second.records == first.records
    # Everything was asked and answered the first time: arXiv is not asked again.
    assert second.scrapy_stats.get("arxiv/api_requests", 0) == 0

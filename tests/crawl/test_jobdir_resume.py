"""A crawl killed with SIGKILL and restarted with the same JOBDIR ends with every record exactly once, arXiv
completion on (the default), and ends with the very records of a crawl that was never interrupted.

The replay is of the fixtures' manifest: the three captures, and the arXiv API's answers for the papers the
profile lists with a cut author list (one id_list request, one title search). The first run is slowed (one
request at a time, each replayed answer 0.3 s late) so that the kill lands where the test wants it; the
journal (JOBDIR/merge_records.jsonl) is read after the kill to check it did:

* "pages": page records journaled, nothing asked of arXiv yet;
* "asked": both API requests journaled as asked, no answer in yet (killed between sending and answering);
* "one answer": one API answer journaled, the other request not answered yet.

In every case the run is killed before its idle flush: it has written no record.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.crawl.crawl_run import REPLAY, crawl_author, crawl_command, crawl_env

# One request at a time, each answered 0.3 s late: about 10 requests (robots.txt included), 3 s or more.
SLOW = {"REPLAY_DELAY": "0.3", "CONCURRENT_REQUESTS": "1"}
API = "https://export.arxiv.org/api/query?"
API_REQUESTS = 2                    # what a clean crawl asks arXiv: one id_list, one title search
KILL_WITHIN = 30                    # seconds for the first run to reach its kill point


def journal_kinds(journal: Path) -> Counter:
    """Lines of the merge journal by kind: page records, completion requests asked, answers merged."""
    kinds: Counter = Counter()
    if not journal.exists():
        return kinds
    for line in journal.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:      # the line being written when the crawl was killed
            continue
        kinds["asked" if "completion_asked" in entry else
              "answered" if "completion_answered" in entry else "record"] += 1
    return kinds


KILL_POINTS = {
    "pages": lambda kinds: kinds["record"] > 0,
    "asked": lambda kinds: kinds["asked"] == API_REQUESTS,
    "one answer": lambda kinds: kinds["answered"] == 1,
}
# What the journal holds once the process is dead, and how many API requests the resumed run then sends.
JOURNALED = {
    "pages": (lambda kinds: kinds["record"] > 0 and kinds["asked"] == 0, API_REQUESTS),
    "asked": (lambda kinds: kinds["asked"] == API_REQUESTS and kinds["answered"] == 0, API_REQUESTS),
    "one answer": (lambda kinds: kinds["asked"] == API_REQUESTS and kinds["answered"] == 1, 1),
}


def kill_when(jobdir: Path, out: Path, reached) -> Counter:
    """Start the slowed crawl, SIGKILL it once its journal satisfies ``reached``; the journal's kinds after."""
    journal = jobdir / "merge_records.jsonl"
    command = crawl_command([], out, completion=True, settings={**REPLAY, "JOBDIR": str(jobdir), **SLOW})
    first = subprocess.Popen(command, cwd=ROOT, env=crawl_env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + KILL_WITHIN
        while not reached(journal_kinds(journal)):
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
    return journal_kinds(journal)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict[str, dict]:
    """The same replay crawl, never interrupted, no JOBDIR: its records by id."""
    run = crawl_author([], tmp_path_factory.mktemp("clean"), settings=REPLAY, completion=True)
    assert run.finished, run.describe()
    records = run.records
    assert len(records) == len({r["id"] for r in records})
    return {r["id"]: r for r in records}


@pytest.mark.parametrize("kill_point", list(KILL_POINTS))
def test_killed_crawl_resumes_with_the_records_of_a_clean_crawl(tmp_path, clean, kill_point):
    jobdir = tmp_path / "job"
    kinds = kill_when(jobdir, tmp_path / "first.jsonl", KILL_POINTS[kill_point])
    journaled, requests_left = JOURNALED[kill_point]
    assert journaled(kinds), f"killed elsewhere than at {kill_point!r}: journal {dict(kinds)}"

    run = crawl_author([], tmp_path, settings={**REPLAY, "JOBDIR": str(jobdir)}, completion=True,
                       output_name="resumed.jsonl")
    assert run.finished, run.describe()
    resumed, stats = run.records, run.stats
    scrapy_stats = stats["scrapy_stats"]

    # Every record exactly once, and each one the record the clean crawl wrote, field for field.
    ids = [r["id"] for r in resumed]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(clean)
    for record in resumed:
        assert record == clean[record["id"]], record["id"]
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
        [p for p in clean[llama["id"]]["problems"] if p.startswith(API)]
    assert len([p for p in llama["problems"] if p.startswith(API)]) == 1

"""A crawl killed with SIGKILL and restarted with the same JOBDIR ends with every record exactly once.

The first run is slowed (one request at a time, each replayed answer 0.15 s late) so that it is still
fetching when it is killed: the kill happens as soon as MergePapers has journalled its first records,
several seconds before that run could finish.
"""

from __future__ import annotations

import signal
import subprocess
import time

from conftest import crawl_command, crawl_env, run_crawl

from tests.conftest import ROOT

# One request at a time, each answered after 0.15 s: about 65 requests, so about 10 s for the whole crawl.
SLOW = ["-s", "REPLAY_DELAY=0.15", "-s", "CONCURRENT_REQUESTS=1"]


def test_killed_crawl_resumes_with_every_record_once(tmp_path):
    jobdir = tmp_path / "job"
    journal = jobdir / "merge_records.jsonl"
    first = subprocess.Popen(crawl_command(tmp_path / "first.jsonl", "-s", f"JOBDIR={jobdir}", *SLOW),
                             cwd=ROOT, env=crawl_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not (journal.exists() and journal.stat().st_size) and time.monotonic() < deadline:
            assert first.poll() is None, "the first crawl ended before it could be killed"
            time.sleep(0.05)
        assert journal.exists() and journal.stat().st_size, "nothing journalled within 30 s"
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(timeout=10)
        first.stderr.close()
    assert first.returncode == -signal.SIGKILL
    killed_output = tmp_path / "first.jsonl"
    assert not killed_output.exists() or killed_output.read_text() == ""   # merged records come at the end

    resumed = run_crawl(tmp_path / "resumed.jsonl", "-s", f"JOBDIR={jobdir}")
    clean = run_crawl(tmp_path / "clean.jsonl")

    resumed_ids = [r["id"] for r in resumed]
    assert len(resumed_ids) == len(set(resumed_ids))
    assert sorted(resumed_ids) == sorted(r["id"] for r in clean)
    [palm] = [r for r in resumed if r["id"] == "arxiv:2204.02311"]
    assert len(palm["provenance"]) == 3 and len(palm["authors"]) == 67

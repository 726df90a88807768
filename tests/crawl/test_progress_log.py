"""What a long crawl tells while it runs: progress lines from the store (records stored, papers merged), and
arXiv completion's start and end with its request count (issue: 'Progress misleads')."""

from __future__ import annotations

import re

from tests.crawl.crawl_run import REPLAY, crawl_author

# The manifest's arXiv answers: one id_list request for the profile's arXiv ids, one title search.
API_REQUESTS = 2


def test_progress_lines_and_completion_start_and_end_are_logged(tmp_path):
    run = crawl_author([], tmp_path, settings={**REPLAY, "LOGSTATS_INTERVAL": "0.001"}, completion=True)
    assert run.finished, run.describe()
    stats = run.scrapy_stats

    progress = re.findall(r"progress: (\d+) pages fetched, (\d+) records stored \(\d+/min\), the store holds "
                          r"(\d+) merged papers and (\d+) authors, (\d+) pages failed", run.log)
    assert progress, run.log[-2000:]
    stored = [int(line[1]) for line in progress]
    papers = [int(line[2]) for line in progress]
    assert stored == sorted(stored) and papers == sorted(papers)        # counts only grow
    # Never more merged papers than written records, and at the end no more than the crawl writes.
    assert all(p <= s for p, s in zip(papers, stored))
    assert papers[-1] <= sum(1 for r in run.records if r["type"] == "paper")

    started = re.findall(r"arXiv completion: (\d+) API requests for (\d+) papers", run.log)
    assert [int(n) for n, _ in started] == [API_REQUESTS]
    done = re.findall(r"arXiv completion done: (\d+) API requests answered; (\d+) papers completed, (\d+) not",
                      run.log)
    assert done == [(str(API_REQUESTS), str(stats["arxiv/papers_completed"]),
                     str(stats["arxiv/papers_not_completed"]))]
    # The start line comes before the end line, and the end before the crawl's summary.
    assert run.log.index("arXiv completion:") < run.log.index("arXiv completion done") \
        < run.log.index("crawl summary")
    assert "Traceback" not in run.log

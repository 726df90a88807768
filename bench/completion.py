"""What arXiv completion costs: the replay crawl of the Sharan Narang profile with and without it, in one run.

    python bench/completion.py [--runs N]

Each repetition runs, alternating and each in its own process, `scrapy crawl author -a url=<profile>
-s REPLAY_DIR=fixtures` with ARXIV_COMPLETION on, then off. It prints for each the wall time of the process
(median of N) and Scrapy's own `elapsed_time_seconds` (start-up not counted), the ratio with / without, and
the API requests per paper completed (stats arxiv/api_requests and arxiv/papers_completed). Replayed answers
skip the download slot, so arXiv's 3 s pace is not in these figures: live, add 3 s per API request after the
first. Nothing is asserted: this only measures. Nothing leaves the machine (every page is replayed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROFILE = "https://profiles.example.org/author/sharan-narang"
CRAWL_TIMEOUT = 120  # seconds: a bound on each crawl process, far above a normal run


def crawl(completion: bool, out_dir: Path) -> dict:
    """One replay crawl; its wall time and the Scrapy stats from the summary file beside the output."""
    output = out_dir / f"{'with' if completion else 'without'}.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "author", "-a", f"url={PROFILE}", "-a", "as_of=2026-11-22",
               "-s", "REPLAY_DIR=fixtures", "-s", f"ARXIV_COMPLETION={completion}", "-s", "LOG_LEVEL=WARNING",
               "-O", str(output)]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=CRAWL_TIMEOUT)
    wall = time.perf_counter() - started
    stats = json.loads(output.with_name(output.name + ".stats.json").read_text(encoding="utf-8"))["scrapy_stats"]
    return {"wall": wall, "elapsed": stats.get("elapsed_time_seconds", 0.0),
            "api_requests": stats.get("arxiv/api_requests", 0),
            "completed": stats.get("arxiv/papers_completed", 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each crawl (default 5)")
    args = parser.parse_args()
    results: dict[bool, list[dict]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for completion in (True, False):
                results[completion].append(crawl(completion, Path(tmp)))
    median = {c: {k: statistics.median(r[k] for r in runs) for k in ("wall", "elapsed")}
              for c, runs in results.items()}
    last = results[True][-1]
    print(f"replay crawl of the Sharan Narang profile, {args.runs} runs each (median)")
    for completion, label in ((True, "with completion   "), (False, "without completion")):
        print(f"  {label}: wall {median[completion]['wall']:.2f} s, "
              f"Scrapy elapsed {median[completion]['elapsed']:.3f} s")
    print(f"  ratio with / without: wall {median[True]['wall'] / median[False]['wall']:.2f}, "
          f"elapsed {median[True]['elapsed'] / max(median[False]['elapsed'], 1e-9):.2f}")
    per_paper = last["api_requests"] / last["completed"] if last["completed"] else float("nan")
    print(f"  API requests: {last['api_requests']} for {last['completed']} papers completed "
          f"= {per_paper:.2f} requests per completed paper")
    print(f"  live, arXiv's pace would add about {3 * max(0, last['api_requests'] - 1)} s "
          f"(one request every 3 s)")


if __name__ == "__main__":
    main()

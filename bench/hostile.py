"""Worst parse time and peak memory on big, deep and wide hostile pages of up to 10 MiB (DOWNLOAD_MAXSIZE).

    python bench/hostile.py [--repeat N] [--size MIB] [NAME ...]

Each page is built (deterministically, from a saved fixture or from scratch) and parsed in a fresh
subprocess, so each peak RSS is that page's alone: bytes -> Page.from_bytes -> parse_page -> every record
validated and written as JSON, as the crawl does. Printed per page: size, outcome (records, or the error
class), the parse time (bytes -> records, median of N subprocesses), a bare lxml.html parse of the same bytes
in the same subprocess (after ours) and the ratio of the two, the time to validate and serialise the records
(the pipelines' work, apart), the subprocess's RSS before parsing and its peak up to the end of our parse.
The issue's limits are 2 s and 400 MB per page of 10 MiB or less; nothing is asserted, this only measures.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "fixtures"
AS_OF = date(2026, 11, 22)
MIB = 1024 * 1024


def _fill(head: bytes, unit: bytes, tail: bytes, size: int) -> bytes:
    """head + unit repeated + tail, at most ``size`` bytes."""
    count = max(1, (size - len(head) - len(tail)) // max(1, len(unit)))
    return head + unit * count + tail


def _repeat_between(path: str, start: bytes, end: bytes, size: int) -> bytes:
    """A saved page with the block from ``start`` to ``end`` (its cards, entries) repeated up to size."""
    body = (FIXTURES / path).read_bytes()
    i = body.index(start)
    j = body.index(end, i) + len(end)
    return _fill(body[:i], body[i:j], body[j:], size)


def _html(body: bytes, head: bytes = b"") -> tuple[bytes, bytes]:
    return b"<!doctype html><html><head>" + head + b"</head><body>", body + b"</body></html>"


# name -> (URL, builder(size) -> bytes)
PAGES = {
    # big: real layouts, their repeated part repeated
    "scholar-profile cards x N": ("https://profiles.example.org/author/sharan-narang", lambda size: _repeat_between(
        "scholar_profile/sharan-narang.html", b"<article", b"</article>", size)),
    "scholar-profile capture, lines x N": ("https://profiles.example.org/author/sharan-narang",
                                           lambda size: _fill(b"", (FIXTURES / "scholar_profile/sharan-narang.txt")
                                                              .read_bytes(), b"", size)),
    "catalyzex cards x N": ("https://www.catalyzex.com/author/Parker%20Schuh", lambda size: _repeat_between(
        "catalyzex/parker-schuh.html", b"<article", b"</article>", size)),
    "catalyzex capture x N": ("https://www.catalyzex.com/author/Parker%20Schuh",
                              lambda size: _fill(b"", (FIXTURES / "catalyzex/parker-schuh.txt").read_bytes(), b"",
                                                 size)),
    "paper-digest related x N": ("https://digest.example.org/paper/2204.02311", lambda size: _repeat_between(
        "paper_digest/palm.txt", b"- ", b"arXiv Detail & Related papers", size)),
    "arxiv listing entries x N": ("https://arxiv.org/list/math/recent", lambda size: _repeat_between(
        "arxiv/real/html/list/db_math_recent.html", b"<dt>", b"</dd>", size)),
    "arxiv abs, history [v1] x N": ("https://arxiv.org/abs/0704.0001", lambda size: _repeat_between(
        "arxiv/real/html/abs/0704.0001.html", b"<strong>[v2]", b"<br/>", size)),
    "arxiv abs, authors x N": ("https://arxiv.org/abs/0704.0001", lambda size: _repeat_between(
        "arxiv/real/html/abs/0704.0001.html", b'<a href="https://arxiv.org/search/hep-ph?searchtype=author',
        b"</a>, ", size)),
    "arxiv API feed entries x N": ("https://export.arxiv.org/api/query?id_list=x", lambda size: _repeat_between(
        "arxiv/api/paged-1.atom", b"<entry>", b"</entry>", size)),
    # deep
    "divs nested 2,000 deep x N": ("https://profiles.example.org/author/x", lambda size: _fill(
        *_html(b"")[:1], (b"<div>" * 2000 + b"<p>Jul 18, 2023 text</p>" + b"</div>" * 2000), _html(b"")[1], size)),
    "divs nested to 10 MiB": ("https://profiles.example.org/author/x", lambda size: _fill(
        *_html(b"")[:1], b"<div>", b"x" + _html(b"")[1], size)),
    "JSON-LD [ nested to 10 MiB": ("https://journal.example.org/article/1", lambda size: _fill(
        b'<html><head><meta name="citation_title" content="T"><script type="application/ld+json">', b"[",
        b"</script></head><body>x</body></html>", size)),
    "parentheses nested in an author line": ("https://www.catalyzex.com/author/Parker%20Schuh", lambda size: (
        b"Picture for A B\nA B\nTitle\nApr 19, 2022\n" + b"(" * (size // 2 - 100) + b")" * (size // 2 - 100)
        + b"\nAn abstract.\nViaarxiv icon\n")),
    # wide
    "one line of 10 MiB (text)": ("https://example.org/t", lambda size: _fill(b"", b"word ", b"", size)),
    "one <p> of 1M links": ("https://example.org/w", lambda size: _fill(
        *_html(b"")[:1], b'<a href="/x">x</a>', _html(b"")[1], size)),
    "1M <p> siblings": ("https://example.org/w", lambda size: _fill(*_html(b"")[:1], b"<p>Jan 30</p>",
                                                                      _html(b"")[1], size)),
    "1M <article> cards on CatalyzeX": ("https://www.catalyzex.com/author/Parker%20Schuh", lambda size: _fill(
        *_html(b"")[:1], b"<article><p>T</p><p>Apr 19, 2022</p></article>", _html(b"")[1], size)),
    "author list of 1M names (digest)": ("https://digest.example.org/paper/1", lambda size: _fill(
        b"Title\n- URL: https://arxiv.org/abs/2204.02311\n- Authors: ", b"Ann Bo, ",
        b"\n- Abstract summary: A sentence.\n", size)),
    "summary of one 10 MiB sentence": ("https://digest.example.org/paper/1", lambda size: _fill(
        b"Title\n- URL: https://arxiv.org/abs/2204.02311\n- Authors: A B\n- Abstract summary: ", b"e.g. x ",
        b"\n", size)),
    "JSON-LD of 10 MiB, one article": ("https://journal.example.org/article/1", lambda size: _fill(
        b'<html><head><script type="application/ld+json">{"@type": "ScholarlyArticle", "headline": "T", "author": [',
        b'{"name": "Ann Bo"},', b'{"name": "Z"}]}</script></head><body>x</body></html>', size)),
    "meta tags x N": ("https://journal.example.org/article/1", lambda size: _fill(
        b'<html><head><meta name="citation_title" content="T">', b'<meta name="citation_author" content="Bo, Ann">',
        b"</head><body>x</body></html>", size)),
    "digits: one 10 MiB number": ("https://profiles.example.org/author/x", lambda size: _fill(
        b"Name\nCL\nh-index", b"9", b"\n32papers\n1citations\n", size)),
}


def child(name: str, size: int) -> dict:
    """Build the page, then time a bare lxml parse and the full parse of it; report RSS before and peak."""
    import lxml.html

    from parsers import Page, PageError, UnrecognisedPage, parse_page
    from parsers.records import to_dict, validation_errors

    url, build = PAGES[name]
    body = build(size)[:size]
    for warm in (FIXTURES / "embedded_metadata/citation-only.html").read_bytes(), b"<p>warm</p>":  # imports
        try:
            parse_page(Page.from_bytes(warm, url), AS_OF)
        except (PageError, UnrecognisedPage):
            pass
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    checked, result = start, None
    try:
        result = parse_page(Page.from_bytes(body, url), AS_OF)
        checked = time.perf_counter()
        invalid = sum(1 for record in result.records if validation_errors(record))
        for record in result.records:
            json.dumps(to_dict(record), ensure_ascii=False).encode("utf-8")
        outcome = f"{result.site}: {len(result.records)} records" + (f", {invalid} invalid" if invalid else "")
    except (PageError, UnrecognisedPage) as exc:
        outcome = type(exc).__name__
    end = time.perf_counter()
    elapsed = (checked if checked > start else end) - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # ours alone: the yardstick's tree comes after
    check = end - checked if checked > start else 0.0
    result = None  # its records freed before the yardstick's parse
    start = time.perf_counter()
    try:
        lxml.html.document_fromstring(body)
    except Exception:  # noqa: BLE001 - the baseline may refuse what our parser reads; it is only a yardstick
        pass
    bare = time.perf_counter() - start
    return {"name": name, "bytes": len(body), "outcome": outcome, "seconds": elapsed, "lxml_seconds": bare,
            "check_seconds": check,
            "rss_before_mb": rss_before / 1024, "peak_rss_mb": peak / 1024}


def run_child(name: str, size: int, timeout: float) -> dict:
    """One subprocess's figures; a child still running after ``timeout`` seconds is killed and reported as
    a finding (a hang is what this bench looks for), not raised."""
    try:
        done = subprocess.run([sys.executable, __file__, "--child", name, "--size", str(size / MIB)],
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"name": name, "timeout": timeout}
    if done.returncode != 0:
        return {"name": name, "error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="pages to build (default: all)")
    parser.add_argument("--size", type=float, default=10.0, help="page size in MiB (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="subprocesses per page (median kept)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds before a subprocess is killed and reported as a timeout (default 60)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    size = int(args.size * MIB)
    if args.child:
        print(json.dumps(child(args.child, size)))
        return 0
    names = args.names or list(PAGES)
    print(f"{'page':40} {'MiB':>5} {'outcome':34} {'parse s':>8} {'lxml s':>7} {'ratio':>6} {'check s':>7} "
          f"{'RSS0 MB':>8} {'peak MB':>8}")
    worst_time = worst_rss = (0.0, "")
    timed_out = []
    for name in names:
        runs = [run_child(name, size, args.timeout) for _ in range(args.repeat)]
        if any("timeout" in run for run in runs):
            # One hang is the finding: the other runs of this page would likely hang as long.
            print(f"{name:40} timeout: killed after {args.timeout:g} s "
                  f"({sum('timeout' in run for run in runs)} of {len(runs)} subprocesses)")
            timed_out.append(name)
            worst_time = max(worst_time, (args.timeout, name))
            continue
        failed = [run for run in runs if "error" in run]
        if failed:
            print(f"{name:40} error: {failed[0]['error']}")
            continue
        seconds = statistics.median(run["seconds"] for run in runs)
        bare = statistics.median(run["lxml_seconds"] for run in runs)
        peak = max(run["peak_rss_mb"] for run in runs)
        check = statistics.median(run["check_seconds"] for run in runs)
        first = runs[0]
        print(f"{name[:40]:40} {first['bytes'] / MIB:5.2f} {first['outcome'][:34]:34} {seconds:8.3f} {bare:7.3f} "
              f"{seconds / bare if bare else float('nan'):6.1f} {check:7.3f} {first['rss_before_mb']:8.0f} "
              f"{peak:8.0f}")
        worst_time = max(worst_time, (max(run["seconds"] for run in runs), name))
        worst_rss = max(worst_rss, (peak, name))
    print(f"worst parse time: {'over ' if timed_out else ''}{worst_time[0]:.3f} s ({worst_time[1]}); "
          f"worst peak RSS: {worst_rss[0]:.0f} MB ({worst_rss[1]}); {args.repeat} subprocesses per page")
    if timed_out:
        print(f"timed out (over {args.timeout:g} s): {', '.join(timed_out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

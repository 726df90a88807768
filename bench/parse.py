"""Parse speed per fixture, as a ratio to a bare lxml.html parse of the same bytes in the same run.

    python bench/parse.py [--repeat N] [FILE ...]
    python bench/parse.py --against CHECKOUT [--calls N] [FILE ...]

For each fixture page (default: every page in fixtures/pages.json) it prints records per second of
the full parse (bytes -> Page -> records) and `ratio` = full parse time / bare `lxml.html` parse
time, both the best of N timed rounds taken alternately, so machine noise hits both alike.
Text captures (.txt) are listed but get their own median: lxml reads a text file as one paragraph in
about 0.02 ms, so the ratio says nothing about our parser there (see bench/README.md).

With --against, the parsers package of another checkout (e.g. main's, or a `git worktree` of an older commit)
is imported beside ours under another name, and for each page the three parses, baseline, ours and bare lxml,
are interleaved call by call, N calls each (default 200), keeping each one's best CPU time
(`time.thread_time`): on a shared, loaded machine that is steadier than wall-clock bests. Printed per page:
both ratios to lxml and ours / baseline.
Nothing is asserted: this only measures.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsers import Page, parse_page  # noqa: E402

AS_OF = date(2026, 11, 22)


def manifest_pages() -> list[tuple[Path, str]]:
    rows = json.loads((ROOT / "fixtures" / "pages.json").read_text())
    return [(ROOT / "fixtures" / row["file"], row["url"]) for row in rows]


def full_parse(body: bytes, url: str) -> int:
    return len(parse_page(Page.from_bytes(body, url), as_of=AS_OF).records)


def bare_parse(body: bytes, url: str) -> int:
    lxml.html.document_fromstring(body)
    return 0


def best_of(func, body: bytes, url: str, repeat: int, inner: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            func(body, url)
        best = min(best, (time.perf_counter() - start) / inner)
    return best


def measure(path: Path, url: str, repeat: int) -> dict:
    body = path.read_bytes()
    records = full_parse(body, url)  # warm caches (imports, compiled patterns) before timing
    inner = max(1, int(0.02 / max(best_of(full_parse, body, url, 1, 1), 1e-6)))
    full = bare = float("inf")
    for _ in range(repeat):  # alternate, so both see the same machine state
        full = min(full, best_of(full_parse, body, url, 1, inner))
        bare = min(bare, best_of(bare_parse, body, url, 1, inner))
    return {"file": str(path.relative_to(ROOT)), "kb": len(body) / 1024, "records": records,
            "records_per_s": records / full if records else 0.0, "full_ms": full * 1e3,
            "lxml_ms": bare * 1e3, "ratio": full / bare}


def load_baseline(checkout: Path):
    """The ``parsers`` package of another checkout, imported as ``baseline_parsers`` (its own imports renamed)."""
    copy = Path(tempfile.mkdtemp(prefix="bench-parse-")) / "baseline_parsers"
    shutil.copytree(checkout / "parsers", copy, ignore=shutil.ignore_patterns("__pycache__"))
    for path in copy.rglob("*.py"):
        path.write_text(re.sub(r"\bparsers(?=\.|\s+import\b)", "baseline_parsers", path.read_text()))
    sys.path.insert(0, str(copy.parent))
    return importlib.import_module("baseline_parsers")


def compare(pages: list[tuple[Path, str]], baseline, calls: int) -> None:
    """Baseline, ours and bare lxml interleaved call by call; best CPU time of each."""
    def full_with(package):
        return lambda body, url: package.parse_page(package.Page.from_bytes(body, url), as_of=AS_OF)

    ours = full_with(sys.modules["parsers"])
    theirs = full_with(baseline)
    print(f"{'file':46} {'base ms':>8} {'ours ms':>8} {'lxml ms':>8} {'base/lxml':>9} {'ours/lxml':>9} "
          f"{'ours/base':>9}")
    ratios: list[float] = []
    for path, url in pages:
        body = path.read_bytes()
        best = {"base": float("inf"), "ours": float("inf"), "lxml": float("inf")}
        try:
            ours(body, url), theirs(body, url)  # warm caches before timing
        except Exception as exc:  # a page that fails to parse is reported, the run goes on
            print(f"{str(path):46} error: {exc}")
            continue
        for _ in range(calls):
            for name, func in (("base", theirs), ("ours", ours), ("lxml", bare_parse)):
                start = time.thread_time()
                func(body, url)
                best[name] = min(best[name], time.thread_time() - start)
        ratios.append(best["ours"] / best["base"])
        print(f"{str(path.relative_to(ROOT))[:46]:46} {best['base'] * 1e3:8.3f} {best['ours'] * 1e3:8.3f} "
              f"{best['lxml'] * 1e3:8.3f} {best['base'] / best['lxml']:9.2f} {best['ours'] / best['lxml']:9.2f} "
              f"{best['ours'] / best['base']:9.2f}")
    if ratios:
        print(f"median ours/base over {len(ratios)} pages: {sorted(ratios)[len(ratios) // 2]:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=lambda p: Path(p).resolve(),
                        help="pages to time (default: the replay manifest)")
    parser.add_argument("--url", default="https://example.org/page",
                        help="URL for FILE arguments not in fixtures/pages.json")
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds per page (best is kept)")
    parser.add_argument("--against", type=lambda p: Path(p).resolve(),
                        help="a checkout whose parsers to compare with, interleaved in this process")
    parser.add_argument("--calls", type=int, default=200, help="with --against: calls of each parse per page")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    if args.against and not (args.against / "parsers").is_dir():
        parser.error(f"--against {args.against}: no parsers/ package there")
    known = dict(manifest_pages())  # a FILE of the manifest keeps its URL (adapters recognise some by host)
    pages = [(path, known.get(path, args.url)) for path in args.files] or manifest_pages()
    if args.against:
        compare(pages, load_baseline(args.against), args.calls)
        return 0
    print(f"{'file':58} {'KB':>7} {'records':>7} {'rec/s':>9} {'full ms':>8} {'lxml ms':>8} {'ratio':>6}")
    ratios: dict[str, list[float]] = {"markup": [], "text": []}
    for path, url in pages:
        try:
            row = measure(path, url, args.repeat)
        except Exception as exc:  # a page that fails to parse is reported, the run goes on
            print(f"{str(path):58} error: {exc}")
            continue
        ratios["text" if path.suffix == ".txt" else "markup"].append(row["ratio"])
        print(f"{row['file'][:58]:58} {row['kb']:7.1f} {row['records']:7d} {row['records_per_s']:9.0f} "
              f"{row['full_ms']:8.2f} {row['lxml_ms']:8.2f} {row['ratio']:6.2f}")
    for kind, label in (("markup", "HTML and feed pages"), ("text", "text captures (no lxml baseline)")):
        found = sorted(ratios[kind])
        if found:
            print(f"median ratio full/lxml, {label}, {len(found)} pages: {found[len(found) // 2]:.2f} "
                  f"(max {found[-1]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

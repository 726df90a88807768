"""Per-record cost of the pipelines (NormaliseRecords, the merge in the store, ValidateRecords) on the records
of every fixture page, against a baseline from the same run: ``json.dumps`` of the same records in their JSON
form. The merge is the crawl's: each record written to a Store (SQLite in memory, so no disk in the figure),
which groups it with its paper and merges the group again, then every merged record read back.

    python bench/pipelines.py [--repeat N]

Run it in two checkouts (PYTHONPATH=<checkout>) alternately to compare a change: the ratios are comparable,
the absolute times are not (2 shared cores).
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from datetime import date
from pathlib import Path

from crawlers.pipelines import NormaliseRecords, ValidateRecords, merge_records
from crawlers.store import Store
from parsers import Page, UnrecognisedPage, parse_page
from parsers.records import to_dict

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
AS_OF = date(2026, 11, 22)


def fixture_records() -> list:
    records = []
    for row in json.loads((FIXTURES / "pages.json").read_text()):
        page = Page.from_bytes((FIXTURES / row["file"]).read_bytes(), row["url"],
                               "text" if row["file"].endswith(".txt") else None)
        try:
            records += parse_page(page, AS_OF).records
        except UnrecognisedPage:
            continue
    return records


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    records = fixture_records()
    normalise, validate = NormaliseRecords(), ValidateRecords()

    def baseline():
        for record in records:
            json.dumps(to_dict(record))

    def normalise_all():
        for record in copy.deepcopy(records):
            normalise.process_item(record)

    dicts = [to_dict(r) for r in records]

    def merge_all():
        store = Store.open("sqlite://")
        store.start_crawl()
        for record in dicts:
            store.add(record)
        list(store.merged())
        store.close()

    merged = [merge_records([d]) for d in dicts]

    def validate_all():
        for record in merged:
            validate.process_item(record)

    copies = best(lambda: copy.deepcopy(records), args.repeat)
    base = best(baseline, args.repeat)
    print(f"{len(records)} records; baseline json.dumps(to_dict) {base / len(records) * 1e6:.1f} us/record")
    for name, fn, extra in (("normalise", normalise_all, copies), ("merge", merge_all, 0.0),
                            ("validate", validate_all, 0.0)):
        spent = max(0.0, best(fn, args.repeat) - extra)
        print(f"{name:10s} {spent / len(records) * 1e6:8.1f} us/record  ratio {spent / base:5.2f}")


if __name__ == "__main__":
    main()

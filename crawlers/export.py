"""Write a store's merged records as JSON Lines, as the crawl's output file has them.

    python -m crawlers.export --store sqlite:///output/records.db -O records.jsonl
    python -m crawlers.export --store postgresql://crawler@db.example.org/records -O - | head

Every record is checked against the schema first (ValidateRecords): a repairable one is written repaired, one
that cannot be loaded is left out and named on stderr. Exit 0; 2 (one ``error:`` line) when the store cannot
be opened or the output written.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from scrapy.exceptions import DropItem

from crawlers.pipelines.validate import ValidateRecords
from crawlers.store import DEFAULT_URL, Store, StoreError


def export(store: Store, out: TextIO, crawl_id: int | None = None) -> tuple[int, list[str]]:
    """Records written, and why each left-out one was left out."""
    validate = ValidateRecords()
    written, left_out = 0, []
    for record in store.merged(crawl_id=crawl_id):
        try:
            record = validate.process_item(record)
        except DropItem as exc:
            left_out.append(str(exc))
            continue
        # As Scrapy's JSON Lines feed writes them (FEED_EXPORT_ENCODING utf-8): the same bytes.
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        written += 1
    return written, left_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawlers.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", default=DEFAULT_URL, help=f"the store's URL (default {DEFAULT_URL})")
    parser.add_argument("-O", "--output", required=True, help="JSON Lines file to write (overwritten); - for stdout")
    parser.add_argument("--crawl", type=int, default=None, help="only the records a page of this crawl gave")
    args = parser.parse_args(argv)
    try:
        store = Store.open(args.store)
    except StoreError as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    try:
        out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    except OSError as exc:
        parser.exit(2, f"{parser.prog}: error: -O {args.output}: {exc.strerror}\n")
    try:
        written, left_out = export(store, out, args.crawl)
    finally:
        store.close()
        if out is not sys.stdout:
            out.close()
    for reason in left_out:
        print(f"record not written: {reason}", file=sys.stderr)
    print(f"{written} records written to {args.output} from {store.shown_url}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

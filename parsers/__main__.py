"""python -m parsers FILE [--url URL] [--as-of YYYY-MM-DD] [--site NAME]

Reads a saved HTML page or a plain-text capture and prints one JSON record per line.
Exits 2 with one line on stderr when the page cannot be read or recognised.
"""

from __future__ import annotations

import argparse
import os
import json
import sys
from datetime import date
from pathlib import Path

from parsers import Page, PageError, UnrecognisedPage, parse_page
from parsers.records import to_dict
from parsers.sites import adapters


def build_arg_parser() -> argparse.ArgumentParser:
    names = ", ".join(module.NAME for module in adapters())
    parser = argparse.ArgumentParser(
        prog="python -m parsers",
        description="Parse a saved page (HTML or text capture) into JSON Lines records on stdout.",
    )
    parser.add_argument("file", type=Path, help="saved HTML page or plain-text capture")
    parser.add_argument("--url", help="the page's URL (default: the file's file:// URL); recorded as source.url")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="reference date for dates printed without a year (default: today)")
    parser.add_argument("--site", help=f"read the page with this adapter ({names}); it must still match the site's layout")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_arg_parser().parse_args(argv)
    try:
        page = Page.from_file(args.file, args.url)
        result = parse_page(page, as_of=args.as_of or date.today(), site=args.site)
    except (OSError, PageError, UnrecognisedPage, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        for record in result.records:
            sys.stdout.write(json.dumps(to_dict(record), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter shutdown from flushing again
        return 0
    for problem in result.problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""python -m parsers FILE|- [--url URL] [--as-of YYYY-MM-DD] [--site NAME]   (installed: scholar-parse ...)

Reads a saved HTML page or a plain-text capture (``-``: from stdin) and prints one JSON record per line.
Exits 2 with one ``error:`` line on stderr, never a traceback, when an argument is wrong or the page cannot be
read or recognised.
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
from parsers.sites import adapters, by_name


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a wrong argument as one ``error:`` line (no usage block), exit 2."""

    def error(self, message: str):  # noqa: ANN201 - argparse's signature
        self.exit(2, f"error: {' '.join(message.split())} (see --help)\n")


def as_of_argument(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day YYYY-MM-DD") from None


STDIN = "-"
STDIN_URL = "file:///dev/stdin"


def program_name(argv0: str) -> str:
    """How the user ran it: ``python -m parsers``, or the installed ``scholar-parse`` script."""
    name = Path(argv0).name
    return "python -m parsers" if name in ("__main__.py", "") else name


def build_arg_parser(prog: str = "python -m parsers") -> argparse.ArgumentParser:
    names = ", ".join(module.NAME for module in adapters())
    parser = ArgumentParser(
        prog=prog,
        description="Parse a saved page (HTML or text capture) into JSON Lines records on stdout.",
    )
    parser.add_argument("file", help="saved HTML page or plain-text capture; - reads it from stdin")
    parser.add_argument("--url", help="the page's URL (default: the file's file:// URL, or file:///dev/stdin); "
                                      "recorded as source.url")
    parser.add_argument("--as-of", type=as_of_argument, default=None, metavar="YYYY-MM-DD",
                        help="reference date for dates printed without a year (default: today)")
    parser.add_argument("--site", help=f"read the page with this adapter ({names}); it must still match the site's layout")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_arg_parser(program_name(sys.argv[0])).parse_args(argv)
    if args.site:
        try:
            by_name(args.site)
        except KeyError as exc:
            return _error(f"--site: {exc.args[0]}")
    try:
        if args.file == STDIN:
            page = Page.from_bytes(sys.stdin.buffer.read(), args.url or STDIN_URL)
        else:
            page = Page.from_file(Path(args.file), args.url)
        result = parse_page(page, as_of=args.as_of or date.today(), site=args.site)
        lines = [json.dumps(to_dict(record), ensure_ascii=False) + "\n" for record in result.records]
    except (OSError, PageError, UnrecognisedPage) as exc:
        return _error(str(exc))
    # A bug met on this page: the user gets what went wrong and where, in one line, not a traceback.
    except Exception as exc:  # noqa: BLE001
        return _error(f"{args.url or args.file}: internal error while parsing: {type(exc).__name__}: {exc}")
    try:
        for line in lines:
            sys.stdout.write(line)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter shutdown from flushing again
        return 0
    for problem in result.problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 0


def _error(message: str) -> int:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

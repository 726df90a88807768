"""Spool: the writes a store could not take (its database went away mid-crawl), kept on disk in order until
it is back. One JSON line per write, as StoreRecords applies them:

    {"op": "records", "records": [...]}                          a page's records
    {"op": "completion", "url": ..., "answers": [...], "misses": [...]}   one arXiv API answer
    {"op": "asked", "lookup": {...}}                             an arXiv API request about to be sent

Each line is flushed to the file as it is written: a crawl killed while spooling keeps what it parsed. Writing
a spooled write twice changes nothing in the store (its merge is idempotent), so a spool only partly written
before the database went away again is simply written again from its first line.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)
TAIL_BLOCK = 1 << 16        # bytes read at a time from the end, looking for the last line's end


def _dicts(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def malformed(write) -> str | None:
    """What makes a line that parses as JSON not one of the writes above (a file damaged on disk or edited by
    hand): None for a write StoreRecords can apply."""
    if not isinstance(write, dict):
        return "not a JSON object"
    op = write.get("op")
    if op == "records":
        return None if _dicts(write.get("records")) else "records: not a list of records"
    if op == "completion":
        answers, misses = write.get("answers"), write.get("misses")
        if not isinstance(write.get("url"), str) or not _dicts(answers) or not _dicts(misses):
            return "completion: url, answers and misses expected"
        if not all(isinstance(a.get("record"), dict) and isinstance(a.get("key"), str) for a in answers):
            return "completion: an answer without its record and key"
        if not all(isinstance(m.get("key"), str) and isinstance(m.get("problem"), str) for m in misses):
            return "completion: a miss without its key and problem"
        return None
    if op == "asked":
        lookup = write.get("lookup")
        return None if isinstance(lookup, dict) and isinstance(lookup.get("url"), str) else "asked: no lookup URL"
    return f"unknown op {op!r}"


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.writes = 0          # lines in the file
        self.records = 0         # records among them (a page's records, arXiv answers)
        self.written = 0         # lines already written to the store by the retry under way
        if self.path.exists():
            self._drop_cut_line()
            for write in self.read():
                self._count(write)

    def __bool__(self) -> bool:
        return self.writes > 0

    def append(self, write: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(write, ensure_ascii=False) + "\n")
        self._count(write)

    def read(self) -> Iterator[dict]:
        """Every spooled write, in order. A line that is not a write (the file damaged on disk) is named in an
        error line and passed over: the writes after it are still given back."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    write = json.loads(line)
                except json.JSONDecodeError as exc:
                    write = exc
                wrong = write if isinstance(write, Exception) else malformed(write)
                if wrong is None:
                    yield write
                else:
                    logger.error("%s: line %d is not a spooled write (%s); passed over, its records are lost",
                                 self.path, number, wrong)

    def _drop_cut_line(self) -> None:
        """A last line cut by a kill mid-write goes (its write was never taken as spooled: the crawl that
        parsed it was killed before it could go on), so that what is appended next starts a line. Only the
        file's tail is read: a spool of a long outage can be large."""
        with self.path.open("r+b") as spool:
            end = spool.seek(0, os.SEEK_END)
            position = end
            while position > 0:
                start = max(0, position - TAIL_BLOCK)
                spool.seek(start)
                block = spool.read(position - start)
                if position == end and block.endswith(b"\n"):
                    return                                  # the last line is whole
                newline = block.rfind(b"\n")
                if newline >= 0:
                    spool.truncate(start + newline + 1)
                    return
                position = start
            spool.truncate(0)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        self.writes = self.records = self.written = 0

    def _count(self, write: dict) -> None:
        self.writes += 1
        self.records += len(write.get("records", ())) + len(write.get("answers", ()))

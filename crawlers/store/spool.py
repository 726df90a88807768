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
from collections.abc import Iterator
from pathlib import Path


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
        """Every spooled write, in order."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                yield json.loads(line)

    def _drop_cut_line(self) -> None:
        """A last line cut by a kill mid-write goes (its write was never taken as spooled: the crawl that
        parsed it was killed before it could go on), so that what is appended next starts a line."""
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            self.path.write_bytes(data[:data.rfind(b"\n") + 1])

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        self.writes = self.records = self.written = 0

    def _count(self, write: dict) -> None:
        self.writes += 1
        self.records += len(write.get("records", ())) + len(write.get("answers", ()))

"""The store's writes, applied in order: in the crawl's process (``apply_write``) or in a writer process beside
it (``WriterProcess``), so a page's merge and commit run on another core while the next pages are parsed.

A write is one JSON-able dict (crawlers/store/spool.py lists them): a page's records, an arXiv API answer, an API
request about to be sent. Each is one transaction. ``apply_write`` gives what it wrote and what the database
refused (a value it cannot take, a constraint: the page's records are then written one by one, so only the
refused one is left out); a lost database (connection_lost) raises, and the caller keeps the write.

The writer process (``python -m crawlers.store.writer``, a fresh interpreter: nothing of the crawl's reactor or
connections is copied, and unlike multiprocessing's spawn it never imports the script that started the crawl, so
a script without a ``__main__`` guard does not crawl twice; the URL comes through its socket, not its command
line, where ``ps`` would show a password) opens its own connection to the store and answers every write, in
order: ``Done`` (what it wrote and refused) or ``Lost`` (the database went away: this write and every one after
it are given back, unapplied, for the caller to spool). The
crawl's process sends without waiting; at most ``in_flight`` writes are unanswered at a time (then it waits: its
memory stays bounded if the database is slower than the crawl), and it waits for all of them where it reads the
store (arXiv completion, the export) or acks requests (a distributed worker). The crawl's process killed: the
writer process writes what it was sent, then stops (it reads the end of its pipe); it ignores Ctrl-C, so a
crawl stopped by Ctrl-C closes it in order.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from sqlalchemy.exc import SQLAlchemyError

from crawlers.store.store import Store, StoreError, connection_lost, reason

IN_FLIGHT = 8           # writes (pages) sent to the writer process and not yet answered, at most: what a kill of
                        # both processes loses (4 or 32 made no difference to the speed, bench/store.py)
SOCKET_BUFFER = 4 << 20  # bytes a send may queue (the system's net.core.wmem_max caps it)


@dataclass
class Refused:
    """A write the database would not take: the record (or, for other writes, the write) and its words why."""

    item: dict
    op: str
    reason: str


@dataclass
class Applied:
    records: int = 0            # records written (a page's, an answer's)
    transactions: int = 0
    refused: list[Refused] = field(default_factory=list)


def apply_write(store: Store, write: dict) -> Applied:
    """One write to the store, in one transaction; what the database refused is named and left out, and so is a
    record the store's own code cannot take (a malformed dict from a user's pipeline: no title, a source that is
    not a dict): one bad record must not cost its page, nor, retried for ever, the crawl's export. A lost
    database raises its SQLAlchemyError (the caller keeps the write: it is applied again once it is back)."""
    applied = Applied()
    try:
        _apply(store, write, applied)
    except Exception as exc:           # noqa: BLE001 - never silent: the record is named with the reason
        if isinstance(exc, SQLAlchemyError) and connection_lost(exc):
            raise
        why = reason(exc) if isinstance(exc, SQLAlchemyError) else f"{type(exc).__name__}: {exc}"
        records = write.get("records", []) if write.get("op") == "records" else []
        if len(records) > 1:        # which of the page's records: each alone
            for record in records:
                one = apply_write(store, {"op": "records", "records": [record]})
                applied.records += one.records
                applied.transactions += one.transactions
                applied.refused += one.refused
        else:
            applied.refused.append(Refused(records[0] if records else write, str(write.get("op")), why))
    return applied


def _apply(store: Store, write: dict, applied: Applied) -> None:
    if write["op"] == "records":
        store.add_all(write["records"])
        applied.records += len(write["records"])
    elif write["op"] == "completion":
        with store.transaction():       # one API answer, whole: a crawl killed meanwhile asks again
            for answer in write["answers"]:
                store.add(answer["record"], answer["key"])
            for miss in write["misses"]:
                store.note(miss["key"], miss["problem"])
            store.lookup_answered(write["url"])
        applied.records += len(write["answers"])
    elif write["op"] == "asked":
        store.lookup_asked(write["lookup"])
    applied.transactions += 1


class StoreLost(Exception):
    """The database went away under the writer process (its words); read as a lost connection."""

    connection_invalidated = True


@dataclass
class Done:
    write: dict
    applied: Applied


@dataclass
class Lost:
    writes: list[dict]          # the write the database did not take and every one sent after it, in order
    exc: BaseException


class WriterProcess:
    """The crawl's side of the writer process: ``send`` a write, read what was answered (``answers``), ``wait``
    for every answer. ``Lost`` (the database away, or the writer process gone) ends it: what it had not written
    is given back and the caller writes in its own process from then on."""

    def __init__(self, url: str, crawl_id: int, in_flight: int = IN_FLIGHT) -> None:
        ours, theirs = socket.socketpair()
        for end in (ours, theirs):      # room for many pages: a send does not wait for the writer to read
            end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
        # The crawl's import path (the project found from scrapy.cfg's directory), so the writer imports the same code.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))}
        self.process = subprocess.Popen([sys.executable, "-m", "crawlers.store.writer", str(theirs.fileno())],
                                        pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        self._conn = Connection(ours.detach())
        self._conn.send((url, crawl_id))
        self.in_flight = in_flight
        self._sent: OrderedDict[int, dict] = OrderedDict()      # unanswered writes by number, in order
        self._next = 0
        self.ended = False
        self.peak_rss_mb: float | None = None     # its peak memory, read as it is closed

    def send(self, write: dict) -> list[Done | Lost]:
        """Send one write; the answers read meanwhile (waiting for some when ``in_flight`` are unanswered)."""
        answers = self._read(wait_for=max(0, len(self._sent) - self.in_flight + 1))
        if self.ended:                  # lost meanwhile: this write goes back after those it gave back
            if answers and isinstance(answers[-1], Lost):
                answers[-1].writes.append(write)
                return answers
            return answers + [Lost([write], StoreLost("the store's writer process stopped"))]
        number, self._next = self._next, self._next + 1
        self._sent[number] = write
        try:
            self._conn.send(("write", number, write))
        except OSError as exc:
            return answers + self._gone(exc)
        return answers

    def answers(self) -> list[Done | Lost]:
        """What was answered since the last call, without waiting."""
        return self._read(wait_for=0)

    def wait(self) -> list[Done | Lost]:
        """Every write sent, answered."""
        return self._read(wait_for=len(self._sent))

    def close(self) -> list[Done | Lost]:
        """Every write answered, then the writer process stopped."""
        answers = self.wait() if not self.ended else []
        self.ended = True
        self.peak_rss_mb = _peak_rss_mb(self.process.pid)
        self._conn.close()
        # Every write answered: what is left of it is closing its connection. (Popen.wait with a timeout would
        # poll with sleeps, a tenth of a second at the end of every crawl.)
        self.process.wait()
        return answers

    def _read(self, wait_for: int) -> list[Done | Lost]:
        answers: list[Done | Lost] = []
        while self._sent and not self.ended:
            try:
                if wait_for <= 0 and not self._conn.poll():
                    break
                kind, number, value = self._conn.recv()
            except (OSError, EOFError) as exc:
                return answers + self._gone(exc)
            write = self._sent.pop(number, None)
            if kind == "done" and write is not None:
                answers.append(Done(write, value))
                wait_for -= 1
            elif kind == "lost":
                answers.append(Lost([w for w in [write, *self._sent.values()] if w is not None], StoreLost(value)))
                self._sent.clear()
                self._end()
        return answers

    def _gone(self, exc: BaseException) -> list[Done | Lost]:
        """The writer process died (killed, out of memory): what it had not answered is given back."""
        writes = list(self._sent.values())
        self._sent.clear()
        self._end()
        code = self.process.poll()
        why = f"exit {code}" if code is not None else str(exc)
        return [Lost(writes, StoreLost(f"the store's writer process stopped ({why})"))]

    def _end(self) -> None:
        self.ended = True
        self._conn.close()


def _peak_rss_mb(pid: int) -> float | None:
    """A live process's peak resident memory since it started its program (VmHWM). Not wait4's ru_maxrss: Linux
    counts in it the crawl's memory the child had before its exec, so the writer would seem as large as the crawl."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass                    # not Linux, or the process has ended
    return None


def serve(conn: Connection) -> None:
    """The writer process: the store's URL and crawl first, then each write received, applied in order and
    answered. One thread reads the socket as fast as it fills, so the crawl's process never waits on a busy
    writer (it bounds what it sends itself)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    received: queue.SimpleQueue = queue.SimpleQueue()

    def read() -> None:
        while True:
            try:
                received.put(conn.recv())
            except (OSError, EOFError):       # the crawl closed the pipe, or was killed: write what came, stop
                received.put(None)
                return

    try:
        url, crawl_id = conn.recv()
    except (OSError, EOFError):          # the crawl stopped before it said which store
        return
    threading.Thread(target=read, daemon=True).start()
    store = lost = None
    try:
        store = Store.open(url)
        store.crawl_id = crawl_id
    except StoreError as exc:          # it went away since the crawl opened it: the crawl spools, and retries
        lost = str(exc)
    while (message := received.get()) is not None:
        _kind, number, write = message
        if lost is None:
            try:
                answer = ("done", number, apply_write(store, write))
            except SQLAlchemyError as exc:
                lost = reason(exc)
        if lost is not None:
            answer = ("lost", number, lost)
        try:
            conn.send(answer)
        except OSError:
            pass                        # the crawl is gone: what it sent is still written
    if store is not None:
        store.close()


if __name__ == "__main__":
    # Imported by its name, so what it sends back unpickles as crawlers.store.writer's classes, not __main__'s.
    from crawlers.store.writer import serve as serve_imported

    serve_imported(Connection(int(sys.argv[1])))
    # Every write is committed and the store closed: ending here skips the interpreter's teardown of every
    # module (a tenth of a second the crawl would wait for at its close).
    sys.stderr.flush()
    os._exit(0)

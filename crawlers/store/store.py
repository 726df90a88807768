"""Store: records upserted into SQLite or PostgreSQL as they arrive, merged there (crawlers/store/schema.py).

    store = Store.open("sqlite:///output/records.db")      # or postgresql://user@host/db (psycopg 3)
    store.add(record)                                      # a parsed record (JSON form): one source row
    store.add_all(records)                                 # a page's records, in one transaction
    store.add(answer, completes="arxiv:2204.02311")        # an arXiv answer completing that paper
    store.note("arxiv:2307.09288", "...: not returned by the arXiv API")
    for record in store.merged(): ...                      # every merged record, in first-seen order

Writing a record upserts its source row (one per page and record: site, url, type, title or name), finds the
group of the same paper or author by any of its match keys (``match_keys`` table: arXiv id, normalised title
and first author; a title match never joins two different arXiv ids), ties groups the record joins, and
recomputes the group's paper (or author) row from all its source rows with the pure ``merge_records``. The
merged record is then in the database the moment its page is parsed; nothing is held in memory.

Two groups whose merged records get the same id (the same title and first author under two arXiv ids, which
the merge keeps apart) are one paper: the id is what downstream tables key on. Within one crawl the first record of a source is kept (a page read twice gives the same records); a later
crawl's record of the same source replaces it (the page as it is now).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError

from crawlers.completion import fields_to_complete
from crawlers.pipelines.merge import merge_records
from crawlers.store import schema as t
from parsers.records import author_id, match_keys

logger = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///output/records.db"
CONNECT_TIMEOUT = 5          # seconds to reach a PostgreSQL server before the crawl gives up on it
EXPORT_PAGE = 500            # merged records read per query by merged()
WRITER_LOCK = 0x5C4017A25C0DE   # pg_advisory_xact_lock key of the store's writers (any constant, one per project)
WRITER_IDLE_TIMEOUT = "60s"   # PostgreSQL ends a write transaction whose client said nothing this long
_TAKE_WRITER_LOCK = sa.text("SELECT set_config('idle_in_transaction_session_timeout', :idle, true), "
                            "pg_advisory_xact_lock(:key)").bindparams(idle=WRITER_IDLE_TIMEOUT, key=WRITER_LOCK)


class StoreError(Exception):
    """The store cannot be opened or written: one line naming the URL (password hidden) and why."""


def reason(exc: BaseException) -> str:
    """A database error in the database's own words, on one line."""
    original = getattr(exc, "orig", None) or exc
    return " ".join(str(original).split())


# What says the database is away rather than refusing this write. PostgreSQL: the SQLSTATE class (08 connection,
# 53 insufficient resources such as disk full, 57 operator intervention such as shutdown, 58 system error); an
# error without one is the connection itself failing. SQLite: the primary result code (BUSY, LOCKED, NOMEM,
# READONLY, IOERR, FULL, CANTOPEN). Anything else (54000 "index row requires 20016 bytes" for a hostile
# 20,000-character title, SQLite's "no such column") is refused: spooled, it would be refused again for ever.
LOST_SQLSTATE_CLASSES = ("08", "53", "57", "58")
LOST_SQLITE_CODES = frozenset({5, 6, 7, 8, 10, 13, 14})


def connection_lost(exc: BaseException) -> bool:
    """The database failed (connection lost, server shut down, disk full, locked): a write to retry, as opposed
    to one it refused (a value it cannot take, a constraint), which would be refused again."""
    if getattr(exc, "connection_invalidated", False) or isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    original = getattr(exc, "orig", None)
    sqlite_code = getattr(original, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in LOST_SQLITE_CODES
    sqlstate = getattr(original, "sqlstate", None)
    return sqlstate is None or sqlstate[:2] in LOST_SQLSTATE_CLASSES


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _sha1(*parts: Any) -> str:
    return hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def source_key(record: dict) -> str:
    """One source row per page and record: the same site, URL, type and title (or name) is the same row."""
    source = record.get("source", {})
    return _sha1(source.get("site"), source.get("url"), record.get("type"),
                 record.get("title") if record.get("type") == "paper" else record.get("name"))


def shown_url(url: str) -> str:
    """The URL as it may be printed: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def engine_for(url: str) -> Engine:
    """An engine for ``sqlite:///<file>`` (its directory made) or ``postgresql://...`` (psycopg 3)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"STORE_URL {url!r}: not a database URL; expected sqlite:///<file> or "
                         "postgresql://<user>@<host>/<database>") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"STORE_URL {shown_url(url)!r}: cannot open the store: its directory cannot be "
                                 f"made: {exc.strerror or exc}") from None
        engine = sa.create_engine(parsed, poolclass=sa.pool.StaticPool
                                  if not parsed.database or parsed.database == ":memory:" else None)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, connect_args={"connect_timeout": CONNECT_TIMEOUT})
    raise StoreError(f"STORE_URL {shown_url(url)!r}: unsupported database {backend!r}; expected "
                     "sqlite:///<file> or postgresql://<user>@<host>/<database>")


def _sqlite_pragmas(connection, _record) -> None:
    # WAL: a commit is one append (no fsync per record: durable across a crash of the crawl, not of the
    # machine), and readers (sqlite3 on the command line) do not block the crawl.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Store:
    def __init__(self, engine: Engine, url: str = "") -> None:
        self.engine = engine
        self.url = url
        self.shown_url = shown_url(url)
        self.conn: Connection = engine.connect()
        self._depth = 0
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self.q = Statements(self._insert)
        self.crawl_id: int | None = None

    @classmethod
    def open(cls, url: str = DEFAULT_URL) -> Store:
        """Connect, create the tables on first use, and check the store can be written (StoreError if not)."""
        engine = engine_for(url)
        try:
            store = cls(engine, url)
            store._create()
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"STORE_URL {shown_url(url)!r}: cannot open the store: {reason(exc)}") from None
        return store

    def _create(self) -> None:
        with self.transaction() as conn:
            t.metadata.create_all(conn)
            for index in t.sources.indexes:       # an index added since the store was made
                index.create(conn, checkfirst=True)
            self._add_new_columns(conn)
            conn.execute(self._insert(t.schema_version).values(version=t.SCHEMA_VERSION)
                         .on_conflict_do_nothing())
            # A write, so a read-only file or a user without rights fails here, before any page is fetched.
            conn.execute(t.schema_version.update().where(t.schema_version.c.version == t.SCHEMA_VERSION)
                         .values(version=t.SCHEMA_VERSION))
        found = self.conn.execute(sa.select(sa.func.max(t.schema_version.c.version))).scalar()
        if found != t.SCHEMA_VERSION:
            raise StoreError(f"STORE_URL {shown_url(self.url)!r}: schema version {found}, this code writes "
                             f"{t.SCHEMA_VERSION}")

    @staticmethod
    def _add_new_columns(conn: Connection) -> None:
        """A field added to the records (parsers/records.py) since the store was made: a new column of its table,
        NULL in the rows written before (their records hold no value for it either), so adding a field stays one
        edit and an older store takes the new records instead of refusing every paper."""
        inspector = sa.inspect(conn)
        quote = conn.dialect.identifier_preparer.quote
        for table in t.ENTITY_TABLES.values():
            held = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.c:
                if column.name not in held:
                    kind = column.type.compile(dialect=conn.dialect)
                    conn.execute(sa.text(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}"))
                    logger.info("store: column %s.%s added (a record field newer than the store)",
                                table.name, column.name)

    def close(self) -> None:
        with suppress(SQLAlchemyError):          # a database gone away has nothing left to close
            self.conn.close()
        self.engine.dispose()

    def reconnect(self) -> None:
        """A new connection, after the database went away (SQLAlchemyError while it is still away)."""
        self.engine.dispose()
        conn = self.engine.connect()
        conn.execute(sa.select(t.schema_version.c.version)).all()
        conn.commit()
        with suppress(SQLAlchemyError):
            self.conn.close()
        self.conn, self._depth = conn, 0

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One commit for everything inside (nested uses join the outer one)."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self._end_read()
        self._depth = 1
        try:
            with self.conn.begin():
                self._one_writer_at_a_time()
                yield self.conn
        finally:
            self._depth = 0

    def _one_writer_at_a_time(self) -> None:
        """PostgreSQL shared by several workers: this transaction waits for the others' to end. A record's
        group is found, then joined or created, over several statements: two workers doing that at once could
        make two groups of one paper or lose a join. One lock per database (taken first in every write
        transaction, so no deadlock) serialises the writes; reads do not take it. Released at commit or
        rollback, or when the holder's connection is lost; a holder gone silent mid-transaction (its machine
        lost) is cut off by the server after WRITER_IDLE_TIMEOUT. SQLite: one writer per file already."""
        if self.engine.dialect.name == "postgresql":
            self.conn.execute(_TAKE_WRITER_LOCK)

    # -- crawls ---------------------------------------------------------------------------------

    def start_crawl(self, jobdir: str | None = None) -> int:
        """The crawl writing now: with a JOBDIR an earlier run used, that run's crawl (it is resumed)."""
        with self.transaction() as conn:
            if jobdir:
                found = conn.execute(sa.select(sa.func.max(t.crawls.c.id))
                                     .where(t.crawls.c.jobdir == jobdir)).scalar()
                if found is not None:
                    self.crawl_id = found
                    return found
            self.crawl_id = conn.execute(t.crawls.insert().values(jobdir=jobdir, started_at=_now())).inserted_primary_key[0]
        return self.crawl_id

    def finish_crawl(self) -> None:
        if self.crawl_id is not None:
            with self.transaction() as conn:
                conn.execute(t.crawls.update().where(t.crawls.c.id == self.crawl_id).values(finished_at=_now()))

    # -- writing --------------------------------------------------------------------------------

    def add(self, record: dict, completes: str | None = None) -> int:
        """Write one record (JSON form) as a source row and recompute its paper or author; its group id.
        ``completes``: the match key of the paper an arXiv answer was asked for (it ranks after every page)."""
        q = self.q
        with self.transaction() as conn:
            keys = list(dict.fromkeys(match_keys(record)))
            wanted = keys + ([completes] if completes else [])
            found = set(conn.execute(q.groups_of_keys, {"keys": wanted}).scalars())
            if found and record.get("arxiv_id"):
                found -= self._groups_of_other_arxiv_ids(conn, found, record["arxiv_id"])
            skey = source_key(record)
            held = conn.execute(q.source_by_key, {"key": skey}).first()
            if held is not None:
                found.add(held.group_id)
            source = record.get("source", {})
            values = {"source_key": skey, "type": record.get("type", ""), "site": source.get("site", ""),
                      "url": source.get("url", ""), "arxiv_id": record.get("arxiv_id"), "completes": completes,
                      "fetched_at": _now(), "crawl_id": self.crawl_id, "record": record}
            if found:
                target = min(found)
                if held is None:
                    conn.execute(q.insert_source, {**values, "group_id": target})
                elif held.crawl_id != self.crawl_id or held.crawl_id is None:
                    conn.execute(q.replace_source, {**values, "group_id": target, "id_": held.id})
                elif held.group_id != target:
                    conn.execute(q.move_source, {"group_id": target, "id_": held.id})
                self._join(conn, target, found - {target})
            else:
                target = conn.execute(q.insert_source, {**values, "group_id": 0}).inserted_primary_key[0]
                conn.execute(q.move_source, {"group_id": target, "id_": target})
            if keys:
                conn.execute(q.upsert_keys, [{"key": key, "group_id": target} for key in keys])
            if found:
                self._recompute(conn, target, rekey=True)
            else:               # a paper seen first: its only source is this record, nothing noted on it yet
                self._write_entity(conn, target, merge_records(*(([], [record]) if completes else ([record],))),
                                   new=True)
        return target

    def add_all(self, records: list[dict]) -> None:
        """Write the records a page gave (JSON form) in one transaction. A record that shares no match key,
        source or id with the store or with an earlier record of the batch starts a group of its own: all
        such are written together, a few statements for the lot (most records of a crawl are new papers).
        Any other goes through add() (groups found, tied, recomputed), after the new ones before it."""
        if not records:
            return
        q = self.q
        with self.transaction() as conn:
            keys = [list(dict.fromkeys(match_keys(record))) for record in records]
            skeys = [source_key(record) for record in records]
            merged = [merge_records([record]) for record in records]
            # What of the batch the store holds already, in one round trip: keys, sources, paper and author ids.
            taken: dict[str, set] = {"key": set(), "source": set(), "paper": set(), "author": set()}
            for kind, value in conn.execute(q.taken, {
                    "keys": [key for record_keys in keys for key in record_keys], "sources": skeys,
                    **{f"{kind}_ids": [m["id"] for m in merged if m.get("type") == kind] for kind in t.ENTITY_TABLES}}):
                taken[kind].add(value)
            taken_keys, taken_sources, taken_ids = taken["key"], taken["source"], taken["paper"] | taken["author"]
            new: list[tuple[dict, list[str], str, dict]] = []
            for record, record_keys, skey, one in zip(records, keys, skeys, merged):
                if (one.get("type") in t.ENTITY_TABLES and skey not in taken_sources
                        and one["id"] not in taken_ids and taken_keys.isdisjoint(record_keys)):
                    new.append((record, record_keys, skey, one))
                else:
                    self._add_new(conn, new)
                    new = []
                    self.add(record)
                taken_keys.update(record_keys)
                taken_sources.add(skey)
                taken_ids.add(one.get("id"))
            self._add_new(conn, new)

    def _add_new(self, conn: Connection, new: list[tuple[dict, list[str], str, dict]]) -> None:
        """Records each starting a group: (record, match keys, source key, merged alone)."""
        if not new:
            return
        now = _now()
        rows = [{"source_key": skey, "type": record["type"], "site": record.get("source", {}).get("site", ""),
                 "url": record.get("source", {}).get("url", ""), "arxiv_id": record.get("arxiv_id"),
                 "completes": None, "fetched_at": now, "crawl_id": self.crawl_id, "record": record, "group_id": 0}
                for record, _keys, skey, _merged in new]
        # A group's id is the id of its first source row: known once inserted (group 0 until then).
        conn.execute(self.q.insert_source, rows)
        id_of = dict(conn.execute(self.q.sources_own_group).all())
        ids = [id_of[row["source_key"]] for row in rows]
        keys = [{"key": key, "group_id": id_} for id_, (_record, record_keys, _skey, _merged) in zip(ids, new)
                for key in record_keys]
        if keys:
            conn.execute(self.q.upsert_keys, keys)
        self._insert_entities(conn, [(id_, merged) for id_, (_r, _k, _s, merged) in zip(ids, new)])

    def _groups_of_other_arxiv_ids(self, conn: Connection, groups: set[int], arxiv_id: str) -> set[int]:
        """Groups among ``groups`` that hold a different arXiv id: a record with ``arxiv_id`` does not fit."""
        ids: dict[int, set[str]] = {}
        for group_id, other in conn.execute(self.q.arxiv_ids_of_groups, {"groups": list(groups)}):
            ids.setdefault(group_id, set()).add(other)
        return {group_id for group_id, held in ids.items() if arxiv_id not in held}

    def _join(self, conn: Connection, target: int, others: set[int]) -> None:
        """A record tied groups together: theirs become the target's (their merged rows go)."""
        if not others:
            return
        for table in (t.sources, t.match_keys):
            conn.execute(table.update().where(table.c.group_id.in_(others)).values(group_id=target))
        for group_id in others:
            for kind in t.ENTITY_TABLES:
                self._delete_entity(conn, kind, group_id)

    def _delete_entity(self, conn: Connection, kind: str, group_id: int) -> str | None:
        """Remove a group's merged row (and its author and problem rows); the id it had."""
        q = self.q
        old = conn.execute(q.entity_id[kind], {"group_id": group_id}).scalar()
        if old is not None:
            self._delete_children(conn, old)
            conn.execute(q.delete_entity[kind], {"group_id": group_id})
        return old

    def _delete_children(self, conn: Connection, record_id: str) -> None:
        conn.execute(self.q.delete_paper_authors, {"id_": record_id})
        conn.execute(self.q.delete_problems, {"id_": record_id})

    def _recompute(self, conn: Connection, group_id: int, rekey: bool = False) -> None:
        """The group's merged record, from all its source rows and the problems noted on its keys. ``rekey``:
        every key of its records finds it now (a key a record of another arXiv id had taken comes back)."""
        q = self.q
        rows = conn.execute(q.group_sources, {"group_id": group_id}).all()
        if rekey:
            keys = dict.fromkeys(key for record, _completes in rows for key in match_keys(record))
            conn.execute(q.upsert_keys, [{"key": key, "group_id": group_id} for key in keys])
        pages = [record for record, completes in rows if completes is None]
        answers = [record for record, completes in rows if completes is not None]
        merged = merge_records(pages, answers)
        noted = list(conn.execute(q.group_notes, {"group_id": group_id}).scalars())
        if noted:
            # Deduplicated by their text: an answer merged again after a restart adds nothing.
            merged["problems"] = list(dict.fromkeys(merged.get("problems", []) + noted))
        self._write_entity(conn, group_id, merged)

    def _write_entity(self, conn: Connection, group_id: int, merged: dict, new: bool = False) -> None:
        """The group's merged row, its author list and problems. ``new``: the group has no row yet."""
        kind = merged.get("type")
        if kind not in t.ENTITY_TABLES:
            return
        holder = conn.execute(self.q.group_of_id[kind], {"id_": merged["id"]}).scalar()
        if holder is not None and holder != group_id:
            # Another group has merged to the same id (same title and first author, another arXiv id): the id
            # is the paper's identity downstream, so they are one paper.
            target = min(holder, group_id)
            self._join(conn, target, {holder, group_id} - {target})
            self._recompute(conn, target, rekey=True)
            return
        old = None if new else conn.execute(self.q.entity_id[kind], {"group_id": group_id}).scalar()
        if old is not None and old != merged["id"]:
            self._delete_entity(conn, kind, group_id)
        elif old is not None:
            self._delete_children(conn, old)
        self._insert_entities(conn, [(group_id, merged)])

    def _insert_entities(self, conn: Connection, groups: list[tuple[int, dict]]) -> None:
        """Merged rows of groups that have none now (their author lists and problems too): one statement per
        table for them all."""
        rows: dict[str, list[dict]] = {kind: [] for kind in t.ENTITY_TABLES}
        names, problems = [], []
        for group_id, merged in groups:
            rows[merged["type"]].append(_entity_row(group_id, merged))
            if merged["type"] == "paper" and merged.get("authors"):
                names += [{"paper_id": merged["id"], "position": n, "name": name, "author_id": _author_id(name)}
                          for n, name in enumerate(merged["authors"])]
            problems += [{"record_id": merged["id"], "position": n, "problem": problem}
                         for n, problem in enumerate(merged.get("problems", ()))]
        for kind, kind_rows in rows.items():
            if kind_rows:
                conn.execute(self.q.upsert_entity[kind], kind_rows)
        if names:
            conn.execute(self.q.insert_paper_authors, names)
        if problems:
            conn.execute(self.q.insert_problems, problems)

    def note(self, key: str, problem: str) -> bool:
        """A problem line on the paper found by ``key`` (kept once however often noted); False if no paper
        has that key yet (the line is kept and shown once one has)."""
        with self.transaction() as conn:
            conn.execute(self.q.insert_note, {"note_key": _sha1(key, problem), "key": key, "problem": problem})
            group_id = conn.execute(self.q.groups_of_keys, {"keys": [key]}).scalar()
            if group_id is None:
                return False
            self._recompute(conn, group_id)
        return True

    # -- arXiv completion's requests ------------------------------------------------------------

    def lookup_asked(self, lookup: dict) -> None:
        """An API request about to be sent (crawlers.completion.Lookup.to_dict()); asked once per URL."""
        with self.transaction() as conn:
            conn.execute(self._insert(t.lookups).values(url=lookup["url"], kind=lookup["kind"], lookup=lookup,
                                                        asked_at=_now(), answered=False)
                         .on_conflict_do_nothing())

    def lookup_answered(self, url: str) -> None:
        with self.transaction() as conn:
            conn.execute(t.lookups.update().where(t.lookups.c.url == url).values(answered=True))

    def lookups(self) -> tuple[list[dict], set[str]]:
        """Every request asked (Lookup dicts, in asking order) and the URLs whose answer is stored."""
        rows = self.conn.execute(sa.select(t.lookups.c.lookup, t.lookups.c.url, t.lookups.c.answered)
                                 .order_by(t.lookups.c.asked_at, t.lookups.c.url)).all()
        self._end_read()
        return [row.lookup for row in rows], {row.url for row in rows if row.answered}

    def wanting_completion(self) -> Iterator[dict]:
        """Merged papers whose author list is cut or whose date is partial, in first-seen order."""
        for _group_id, record in self._records(t.papers, t.papers.c.wants_completion.is_not(None)):
            yield record

    # -- reading --------------------------------------------------------------------------------

    def merged(self, crawl_id: int | None = None) -> Iterator[dict]:
        """Every merged record (authors and papers), in the order their group was first seen; with
        ``crawl_id``, those a page of that crawl gave (with all the store knows of them)."""
        streams = [self._records(table, *(() if crawl_id is None else (_given_by_crawl(table, crawl_id),)))
                   for table in t.ENTITY_TABLES.values()]
        heads = [next(stream, None) for stream in streams]
        while any(head is not None for head in heads):
            index = min((i for i, head in enumerate(heads) if head is not None), key=lambda i: heads[i][0])
            yield heads[index][1]
            heads[index] = next(streams[index], None)

    def _records(self, table: sa.Table, *where) -> Iterator[tuple[int, dict]]:
        """(group_id, record) of a table, a page at a time (no cursor held open while the caller writes)."""
        last = -1
        while True:
            rows = self.conn.execute(sa.select(table.c.group_id, table.c.record)
                                     .where(table.c.group_id > last, *where)
                                     .order_by(table.c.group_id).limit(EXPORT_PAGE)).all()
            self._end_read()
            for row in rows:
                yield row.group_id, row.record
            if len(rows) < EXPORT_PAGE:
                return
            last = rows[-1].group_id

    def _end_read(self) -> None:
        """A read outside transaction() ends its implicit transaction (SQLAlchemy 2 autobegins one)."""
        if not self._depth and self.conn.in_transaction():
            self.conn.commit()

    def counts(self) -> dict[str, int]:
        """Rows per user-facing table (schema.USER_TABLES: papers, authors, paper_authors, sources, problems)."""
        counts = {name: self.conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                  for name, table in t.USER_TABLES.items()}
        self._end_read()
        return counts

    def rows(self, table_name: str) -> list[tuple]:
        """Every row of a table, sorted, without times, crawl numbers and row numbers (which depend on when
        and in which order records came): two stores holding the same records compare equal."""
        table = t.metadata.tables[table_name]
        columns = [c for c in table.c if c.name not in ("fetched_at", "crawl_id", "asked_at", "started_at",
                                                         "finished_at", "group_id")
                   and not (c.name == "id" and isinstance(c.type, sa.Integer))]
        rows = self.conn.execute(sa.select(*columns)).all()
        self._end_read()
        return sorted((tuple(json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v for v in row)
                       for row in rows), key=repr)


def _given_by_crawl(table: sa.Table, crawl_id: int):
    """A group one of whose source rows that crawl wrote. EXISTS, looked up row by row through the sources'
    group_id index: ``group_id IN (select ... where crawl_id = ?)`` built the crawl's whole list for every page
    of the export (minutes at 100k records)."""
    s = t.sources
    return sa.exists().where(s.c.group_id == table.c.group_id, s.c.crawl_id == crawl_id)


def _entity_row(group_id: int, merged: dict) -> dict[str, Any]:
    """A merged record's row in papers or authors: its scalar fields as columns, and the whole record."""
    row: dict[str, Any] = {"id": merged["id"], "group_id": group_id, "record": merged}
    if merged["type"] == "paper":
        row.update({name: merged.get(name) for name in t.PAPER_FIELDS})
        row["wants_completion"] = ",".join(fields_to_complete(merged)) or None
    else:
        row.update({name: merged.get(name) for name in t.AUTHOR_FIELDS})
        metrics = merged.get("metrics", {})
        row.update({name: metrics.get(name) for name in t.METRIC_FIELDS})
    return row


_author_id = lru_cache(maxsize=65536)(author_id)      # the same co-authors come back paper after paper


class Statements:
    """Every statement the writer runs, built once (building one costs more than running it on SQLite)."""

    def __init__(self, insert) -> None:
        p = sa.bindparam
        s, keys = t.sources, t.match_keys
        self.groups_of_keys = sa.select(keys.c.group_id).where(keys.c.key.in_(p("keys", expanding=True)))
        self.arxiv_ids_of_groups = sa.select(s.c.group_id, s.c.arxiv_id).where(
            s.c.group_id.in_(p("groups", expanding=True)), s.c.arxiv_id.is_not(None))
        self.source_by_key = sa.select(s.c.id, s.c.group_id, s.c.crawl_id).where(s.c.source_key == p("key"))
        self.insert_source = s.insert()
        self.sources_own_group = (s.update().where(s.c.group_id == 0).values(group_id=s.c.id)
                                  .returning(s.c.source_key, s.c.id))
        self.taken = sa.union_all(
            sa.select(sa.literal("key"), keys.c.key).where(keys.c.key.in_(p("keys", expanding=True))),
            sa.select(sa.literal("source"), s.c.source_key).where(s.c.source_key.in_(p("sources", expanding=True))),
            *(sa.select(sa.literal(kind), table.c.id).where(table.c.id.in_(p(f"{kind}_ids", expanding=True)))
              for kind, table in t.ENTITY_TABLES.items()))
        self.replace_source = s.update().where(s.c.id == p("id_"))
        self.move_source = s.update().where(s.c.id == p("id_")).values(group_id=p("group_id"))
        upsert = insert(keys)
        self.upsert_keys = upsert.on_conflict_do_update(index_elements=["key"],
                                                        set_={"group_id": upsert.excluded.group_id})
        self.group_sources = (sa.select(s.c.record, s.c.completes).where(s.c.group_id == p("group_id"))
                              .order_by(s.c.id))
        self.group_notes = sa.select(t.notes.c.problem).where(t.notes.c.key.in_(
            sa.select(keys.c.key).where(keys.c.group_id == p("group_id")))).order_by(t.notes.c.id)
        self.insert_note = insert(t.notes).on_conflict_do_nothing()
        self.entity_id, self.group_of_id, self.delete_entity, self.upsert_entity = {}, {}, {}, {}
        for kind, table in t.ENTITY_TABLES.items():
            self.entity_id[kind] = sa.select(table.c.id).where(table.c.group_id == p("group_id"))
            self.group_of_id[kind] = sa.select(table.c.group_id).where(table.c.id == p("id_"))
            self.delete_entity[kind] = table.delete().where(table.c.group_id == p("group_id"))
            upsert = insert(table)
            self.upsert_entity[kind] = upsert.on_conflict_do_update(
                index_elements=["id"], set_={c.name: upsert.excluded[c.name] for c in table.c if c.name != "id"})
        self.delete_paper_authors = t.paper_authors.delete().where(t.paper_authors.c.paper_id == p("id_"))
        self.delete_problems = t.problems.delete().where(t.problems.c.record_id == p("id_"))
        self.insert_paper_authors = t.paper_authors.insert()
        self.insert_problems = t.problems.insert()

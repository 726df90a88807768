"""Several workers writing one PostgreSQL store at once (a real server started by the tests,
tests/postgres.py): the same papers, each worker's page giving them in its own order, written by three
processes at the same moment and a page's records in one transaction, are one paper row each, with every
worker's source row in it.

Finding a record's group and then creating, joining or recomputing it takes several statements. Without
the store's writer lock (Store._one_writer_at_a_time) two transactions upsert the same match keys in
opposite orders and PostgreSQL aborts one as a deadlock: that worker's records are lost (seen: 280 source
rows of 360, one writer failed). With one record per transaction the unique index on match keys happens to
serialise them; the lock does not rely on it. Workers started together on a new database create its tables
at once: without the lock PostgreSQL refuses all but one ("relation already exists", seen 3 times in 5).
"""

from __future__ import annotations

import multiprocessing

import sqlalchemy as sa

from crawlers.store import Store
from parsers.records import paper_id, paper_ids

WRITERS = 3
PAPERS = 120
PAGE_SIZE = 10                     # papers a listing page gives


def listed_paper(number: int, writer: int) -> dict:
    """Paper ``number`` as writer ``writer``'s page lists it: the first writer gives its arXiv id, the others
    its title and first author only (so a paper's group is found by title, or joined with the arXiv one)."""
    title, first = f"Shared paper number {number}", f"Author A{number}"
    record = {"type": "paper", "title": title, "authors": [first, f"Author B{number}"],
              "id": paper_id(title, first),
              "source": {"site": "arxiv", "url": f"http://127.0.0.1/list/writer-{writer}"}}
    if writer == 0:
        record["arxiv_id"] = f"2401.{number:05d}"
    record["ids"] = paper_ids(record)
    return record


def write_papers(url: str, writer: int, start: multiprocessing.Barrier) -> None:
    store = Store.open(url)
    store.start_crawl()
    start.wait()
    order = list(range(PAPERS) if writer % 2 == 0 else reversed(range(PAPERS)))   # meet in the middle, cross
    for page in range(0, PAPERS, PAGE_SIZE):
        with store.transaction():                    # a page's records in one transaction, as a crawl may
            for number in order[page:page + PAGE_SIZE]:
                store.add(listed_paper(number, writer))
    store.close()


def open_store(url: str, start: multiprocessing.Barrier) -> None:
    start.wait()
    Store.open(url).close()


def run_writers(target, url: str) -> list[int | None]:
    """``target(url, writer, barrier)`` in WRITERS processes let go at one moment; their exit codes."""
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(WRITERS)
    writers = [spawn.Process(target=target, args=(url, start) if target is open_store else (url, n, start))
               for n in range(WRITERS)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=120)
    return [process.exitcode for process in writers]


def test_three_workers_opening_a_new_store_at_once_all_open_it(postgres_server) -> None:
    url = postgres_server.fresh_database()
    assert run_writers(open_store, url) == [0] * WRITERS


def test_three_workers_writing_the_same_papers_at_once_leave_one_row_per_paper(postgres_server) -> None:
    url = postgres_server.fresh_database()
    Store.open(url).close()                     # tables made once: the race under test is the writes'
    assert run_writers(write_papers, url) == [0] * WRITERS            # no writer failed (a deadlock)
    store = Store.open(url)
    try:
        conn = store.conn
        expected = {paper_id(f"Shared paper number {n}", f"Author A{n}") for n in range(PAPERS)}
        papers = conn.execute(sa.text("select id, group_id from papers")).all()
        assert sorted(row.id for row in papers) == sorted(expected)                  # one row per paper
        sources = conn.execute(sa.text("select group_id, count(*) from sources group by group_id")).all()
        assert {group for group, _count in sources} == {row.group_id for row in papers}   # none orphaned
        assert {count for _group, count in sources} == {WRITERS}                     # every writer's row joined
        keys = conn.execute(sa.text("select distinct group_id from match_keys")).scalars().all()
        assert set(keys) == {row.group_id for row in papers}
        merged = {record["id"]: record for record in store.merged()}
        assert all(record.get("arxiv_id") == f"2401.{n:05d}"
                   for n, record in ((int(r["title"].rsplit(" ", 1)[1]), r) for r in merged.values()))
    finally:
        store.close()

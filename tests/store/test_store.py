"""The store, on SQLite and on a real PostgreSQL server (started by the tests, tests/postgres.py): records
written one at a time become one merged row per paper or author, with every source kept, whatever the backend.

The records are small hand-made ones shaped like the profile's and CatalyzeX's (PaLM: arXiv 2204.02311, first
author Aakanksha Chowdhery, listed cut on the profile and whole on CatalyzeX).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlers.pipelines import merge_records
from crawlers.store import Store, StoreError
from crawlers.store.schema import SCHEMA_VERSION
from parsers.records import match_keys, paper_id, paper_ids

PROFILE = {"site": "scholar-profile", "url": "https://profiles.example.org/author/sharan-narang"}
CATALYZEX = {"site": "catalyzex", "url": "https://www.catalyzex.com/author/Sharan%20Narang"}
DIGEST = {"site": "paper-digest", "url": "https://digest.example.org/p/1"}
PALM = "PaLM: Scaling Language Modeling with Pathways"
PALM_AUTHORS = ["Aakanksha Chowdhery", "Sharan Narang", "Jacob Devlin", "Maarten Bosma"]


def paper(source: dict, title: str = PALM, **fields) -> dict:
    authors = fields.get("authors")
    record = {"title": title, "source": dict(source), "id": paper_id(title, authors[0] if authors else None),
              "type": "paper"}
    record.update(fields)
    record["ids"] = paper_ids(record)          # as parsers.records.to_dict gives every parsed paper
    return record


def author(source: dict, name: str = "Sharan Narang", **fields) -> dict:
    from parsers.records import author_id

    return {"name": name, "source": dict(source), "id": author_id(name), "type": "author", **fields}


@pytest.fixture
def store(store_url):
    opened = Store.open(store_url)
    opened.start_crawl()
    yield opened
    opened.close()


def test_the_tables_are_created_on_first_use_with_their_schema_version(store_url):
    store = Store.open(store_url)
    names = set(sa.inspect(store.engine).get_table_names())
    assert {"papers", "authors", "paper_authors", "sources", "problems", "schema_version"} <= names
    paper_columns = {c["name"] for c in sa.inspect(store.engine).get_columns("papers")}
    assert {"id", "title", "date", "arxiv_id", "doi", "authors_complete", "record"} <= paper_columns
    store.close()
    again = Store.open(store_url)            # opening an existing store keeps it as it is
    assert again.conn.execute(sa.text("select version from schema_version")).scalars().all() == [SCHEMA_VERSION]
    again.close()


def test_a_store_made_before_a_field_was_added_takes_records_with_that_field(store_url):
    # A store as an older version of the code made it: its papers table has no venue column yet.
    older = Store.open(store_url)
    older.conn.execute(sa.text("ALTER TABLE papers DROP COLUMN venue"))
    older.conn.commit()
    older.close()

    store = Store.open(store_url)
    store.start_crawl()
    store.add(paper(CATALYZEX, authors=PALM_AUTHORS, venue="MLSys 2022"))
    venues = store.conn.execute(sa.text("select title, venue from papers")).all()
    store.close()
    assert [tuple(row) for row in venues] == [(PALM, "MLSys 2022")]


def test_a_count_no_column_can_hold_is_null_in_its_column_and_kept_in_the_record(store):
    # A hostile profile's counts: 31 digits (SQLite's driver raised OverflowError), 2**40 (PostgreSQL's
    # integer refused it); a paper version past both.
    metrics = {"h_index": 29, "paper_count": 2**40, "citation_count": 10**30}
    store.add_all([author(PROFILE, metrics=metrics),
                   paper(CATALYZEX, authors=PALM_AUTHORS, version=10**20)])
    row = store.conn.execute(sa.text("select h_index, paper_count, citation_count from authors")).one()
    assert tuple(row) == (29, None, None)
    assert store.conn.execute(sa.text("select version from papers")).scalar() is None
    [held_author] = [r for r in store.merged() if r["type"] == "author"]
    assert held_author["metrics"] == metrics


REFUSE_SQLITE = """CREATE TRIGGER refuse BEFORE INSERT ON sources WHEN NEW.url LIKE '%refused%'
                   BEGIN SELECT RAISE(ABORT, 'refused by the test''s trigger'); END"""
REFUSE_POSTGRESQL = ["""CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.url LIKE '%refused%' THEN
                        RAISE EXCEPTION 'refused by the test''s trigger'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql""",
                     "CREATE TRIGGER refuse BEFORE INSERT ON sources FOR EACH ROW EXECUTE FUNCTION refuse()"]


@pytest.mark.parametrize("writer_process", [False, True], ids=["crawl-process", "writer-process"])
def test_a_record_the_database_refuses_is_named_and_the_rest_of_its_page_is_stored(store_url, tmp_path, caplog,
                                                                                     writer_process):
    from crawlers.pipelines.store import StoreRecords

    pipeline = StoreRecords(store_url, spool=tmp_path / "out.jsonl.spool.jsonl", writer_process=writer_process)
    pipeline.open_spider()
    assert (pipeline.writer is not None) == writer_process
    conn = pipeline.store.conn
    for statement in ([REFUSE_SQLITE] if store_url.startswith("sqlite") else REFUSE_POSTGRESQL):
        conn.execute(sa.text(statement))
    conn.commit()
    refused = {"site": "catalyzex", "url": "https://www.catalyzex.com/author/refused"}
    page = [paper(CATALYZEX, authors=PALM_AUTHORS), paper(refused, "Another Paper", authors=["A. Writer"]),
            author(PROFILE)]
    pipeline.write({"op": "records", "records": page})     # one page's records, one transaction
    pipeline.wait_for_writes()

    # Not a lost database: nothing waits in the spool, the writer goes on, and the page's other records are stored.
    assert not pipeline.spool and pipeline._lost_since is None
    assert (pipeline.writer is not None) == writer_process
    titles = conn.execute(sa.text("select title from papers")).scalars().all()
    names = conn.execute(sa.text("select name from authors")).scalars().all()
    assert (titles, names) == ([PALM], ["Sharan Narang"])
    [line] = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert line.startswith(f"{refused['url']}: the store refused {page[1]['id']}: ") and "trigger" in line
    asyncio.run(pipeline.close_spider())


def test_records_held_for_the_end_of_the_reactor_turn_are_written_when_a_worker_is_about_to_ack(tmp_path):
    # In a crawl a page's records wait for the end of the reactor turn, to be written in one transaction; a
    # distributed worker sends flush_records before it acks requests in Redis, so none is acked while its
    # page's records are only in memory.
    from scrapy.utils.test import get_crawler

    from crawlers.pipelines.store import StoreRecords
    from crawlers.signals import flush_records

    url = f"sqlite:///{tmp_path / 'records.db'}"
    crawler = get_crawler(settings_dict={"STORE_URL": url})
    pipeline = StoreRecords.from_crawler(crawler)
    pipeline._flush_later = SimpleNamespace(schedule=lambda: None)      # no reactor here: its turn never ends
    pipeline.open_spider()
    pipeline.process_item(paper(CATALYZEX, authors=PALM_AUTHORS))
    held = pipeline.store.conn.execute(sa.text("select count(*) from papers")).scalar()
    pipeline.store.conn.commit()
    crawler.signals.send_catch_log(signal=flush_records)
    written = pipeline.store.conn.execute(sa.text("select title from papers")).scalars().all()
    pipeline.store.close()
    assert (held, written) == (0, [PALM])


@pytest.mark.parametrize("completion", [True, False])
def test_the_store_is_read_for_arxiv_completion_at_idle_only_when_it_is_on(completion, tmp_path):
    from scrapy.utils.test import get_crawler

    from crawlers.pipelines.store import StoreRecords

    crawler = get_crawler(settings_dict={"STORE_URL": f"sqlite:///{tmp_path / 'records.db'}",
                                         "ARXIV_COMPLETION": completion})
    pipeline = StoreRecords.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.write({"op": "records", "records": [paper(PROFILE, authors=PALM_AUTHORS[:2], authors_complete=False)]})
    asked = []
    spider = SimpleNamespace(completion_requests=lambda papers, *_: asked.extend(papers) or [])
    pipeline.spider_idle(spider)
    pipeline.store.close()
    assert [record["title"] for record in asked] == ([PALM] if completion else [])


def test_the_same_paper_from_two_sites_is_one_paper_row_with_both_sources(store):
    store.add(paper(PROFILE, authors=PALM_AUTHORS[:3], authors_complete=False, arxiv_id="2204.02311",
                    date="2022-04-05"))
    store.add(paper(CATALYZEX, authors=PALM_AUTHORS, authors_complete=True, date="2022-04-19"))   # title + author
    [merged] = list(store.merged())
    assert merged["authors"] == PALM_AUTHORS and merged["authors_complete"] is True    # complete beats cut
    assert [(p["site"], p["url"]) for p in merged["provenance"]] == [(CATALYZEX["site"], CATALYZEX["url"]),
                                                                    (PROFILE["site"], PROFILE["url"])]
    counts = store.counts()
    assert (counts["papers"], counts["sources"], counts["paper_authors"]) == (1, 2, 4)
    row = store.conn.execute(sa.text("select id, title, arxiv_id, authors_complete from papers")).one()
    assert tuple(row) == (paper_id(PALM, "Aakanksha Chowdhery"), PALM, "2204.02311", True)
    names = store.conn.execute(sa.text("select name from paper_authors order by position")).scalars().all()
    assert names == PALM_AUTHORS


def test_a_record_that_ties_two_papers_makes_them_one(store):
    store.add(paper(PROFILE, authors=["Aakanksha Chowdhery"]))                        # no arXiv id
    store.add(paper(DIGEST, title="PaLM (v2 title)", authors=["Someone"], arxiv_id="2204.02311"))
    assert store.counts()["papers"] == 2
    store.add(paper(CATALYZEX, authors=["Aakanksha Chowdhery"], arxiv_id="2204.02311"))  # both keys
    [merged] = list(store.merged())
    assert "arxiv:2204.02311" in merged["ids"] and len(merged["provenance"]) == 3
    assert store.counts()["papers"] == 1


def test_two_papers_given_one_id_are_one_paper(store):
    """The id hashes title and first author: the same title and first author under two arXiv ids (a duplicate
    submission) is one id. The merge keeps the two apart; the store, keyed on the id, makes them one paper."""
    store.add(paper(PROFILE, authors=["Aakanksha Chowdhery"], arxiv_id="2204.02311"))
    store.add(paper(CATALYZEX, authors=["Aakanksha Chowdhery"], arxiv_id="9999.99999", abstract="CatalyzeX's."))
    [merged] = list(store.merged())
    assert len(merged["provenance"]) == 2 and merged["abstract"] == "CatalyzeX's."
    assert {"arxiv:2204.02311", "arxiv:9999.99999"} <= set(merged["ids"])
    assert store.counts()["papers"] == 1


def test_the_same_page_read_twice_and_a_second_crawl_leave_the_same_rows(store_url):
    records = [author(PROFILE, metrics={"h_index": 29}),
               paper(PROFILE, authors=PALM_AUTHORS[:3], authors_complete=False, arxiv_id="2204.02311"),
               paper(PROFILE, title="Another paper", authors=["Sharan Narang"], problems=["date: unreadable"]),
               paper(CATALYZEX, authors=PALM_AUTHORS, authors_complete=True)]
    store = Store.open(store_url)
    store.start_crawl()
    for record in records + records:
        store.add(json.loads(json.dumps(record)))
    tables = ("papers", "authors", "paper_authors", "sources", "problems", "match_keys")
    once = {name: store.rows(name) for name in tables}
    store.close()
    second = Store.open(store_url)
    second.start_crawl()                     # another crawl over the same pages
    for record in records:
        second.add(json.loads(json.dumps(record)))
    assert {name: second.rows(name) for name in tables} == once
    assert second.counts() == {"papers": 2, "authors": 1, "paper_authors": 5, "sources": 4, "problems": 1}
    second.close()


def test_a_later_crawl_replaces_what_a_page_gave_and_within_a_crawl_the_first_stands(store_url):
    store = Store.open(store_url)
    store.start_crawl()
    store.add(author(PROFILE, metrics={"h_index": 29}))
    store.add(author(PROFILE, metrics={"h_index": 99}))        # same page, same crawl: first kept
    assert next(store.merged())["metrics"] == {"h_index": 29}
    store.start_crawl()                                          # a new crawl: the page as it is now
    store.add(author(PROFILE, metrics={"h_index": 30}))
    assert next(store.merged())["metrics"] == {"h_index": 30}
    assert store.conn.execute(sa.text("select h_index from authors")).scalar() == 30
    store.close()


def test_an_arxiv_answer_fills_and_its_miss_is_noted_once(store):
    store.add(paper(PROFILE, authors=PALM_AUTHORS[:2], authors_complete=False, arxiv_id="2204.02311",
                    abstract="The profile's."))
    api = {"site": "arxiv", "url": "https://export.arxiv.org/api/query?id_list=2204.02311&max_results=1"}
    store.add(paper(api, authors=PALM_AUTHORS, authors_complete=True, arxiv_id="2204.02311",
                    abstract="arXiv's.", pdf_url="https://arxiv.org/pdf/2204.02311", date="2022-04-05"),
              completes="arxiv:2204.02311")
    [merged] = list(store.merged())
    assert merged["abstract"] == "The profile's." and merged["authors"] == PALM_AUTHORS
    assert sorted(merged["completed_from"]["arxiv"]) == ["authors", "date", "pdf_url"]
    assert store.conn.execute(sa.text("select wants_completion from papers")).scalar() is None
    assert store.note("arxiv:2204.02311", "a problem") and store.note("arxiv:2204.02311", "a problem")
    assert next(store.merged())["problems"] == ["a problem"]
    assert store.counts()["problems"] == 1
    assert not store.note("arxiv:0000.00000", "nobody's")


def test_papers_wanting_completion_and_the_requests_asked(store):
    store.add(paper(PROFILE, authors=PALM_AUTHORS[:2], authors_complete=False, arxiv_id="2204.02311"))
    store.add(paper(PROFILE, title="Dated", authors=["A B"], authors_complete=True, date="2020-01-01"))
    store.add(paper(PROFILE, title="Guessed", authors=["A B"], authors_complete=True, date="2026-01-30",
                    date_year_inferred=True))
    assert [r["title"] for r in store.wanting_completion()] == [PALM, "Guessed"]
    lookup = {"url": "https://export.arxiv.org/api/query?id_list=2204.02311&max_results=1", "kind": "id_list",
              "wanted": []}
    store.lookup_asked(lookup)
    store.lookup_asked(lookup)
    assert store.lookups() == ([lookup], set())
    store.lookup_answered(lookup["url"])
    assert store.lookups() == ([lookup], {lookup["url"]})


def test_the_sql_a_user_runs_finds_an_authors_papers(store):
    store.add(author(PROFILE))
    store.add(paper(PROFILE, authors=PALM_AUTHORS, authors_complete=True))
    store.add(paper(PROFILE, title="Not hers", authors=["Someone Else"]))
    rows = store.conn.execute(sa.text(
        "select p.title from papers p join paper_authors pa on pa.paper_id = p.id "
        "join authors a on a.id = pa.author_id where a.name = 'Sharan Narang'")).scalars().all()
    assert rows == [PALM]


# -- the store's papers are the records linked by their match keys, merged ----------------------------

SITES = [PROFILE, CATALYZEX, DIGEST]
TITLES = [PALM, "PaLM  scaling language modeling with pathways", "Another paper", "Third"]
# Per title, the first author (an index in NAMES) and the arXiv id: the two spellings of PaLM's title share them,
# so no title key meets two arXiv ids and no two papers merge to one id (the store makes those one paper,
# tested above): the papers are then exactly the records linked by a shared match key.
FIRST_AUTHOR = [0, 0, 1, 2]
ARXIV_ID = ["2204.02311", "2204.02311", "9999.99999", "2001.00001"]
NAMES = ["Aakanksha Chowdhery", "Sharan Narang", "Someone Else"]
# Hostile text too: NUL (PostgreSQL text cannot hold it), other controls, non-Latin letters, quotes.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@st.composite
def records(draw) -> dict:
    site = draw(st.sampled_from(SITES))
    title_index = draw(st.integers(0, len(TITLES) - 1))
    authors = [NAMES[FIRST_AUTHOR[title_index]]] + draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
    authors = list(dict.fromkeys(authors))
    arxiv_id = draw(st.sampled_from([None, ARXIV_ID[title_index]]))
    # A page's record of a title is one source row: two records of one source differ here only in what does
    # not decide which paper they are (the same page read twice), not in first author or arXiv id.
    page = draw(st.integers(0, 2))
    source = {"site": site["site"], "url": f"{site['url']}/{page}/{title_index}/{authors[:1]}/{arxiv_id}"}
    fields = {"authors": authors, "authors_complete": draw(st.sampled_from([True, False, None])),
              "arxiv_id": arxiv_id}
    if draw(st.booleans()):
        fields["abstract"] = draw(TEXT)
    if draw(st.booleans()):
        fields["problems"] = [draw(TEXT)]
    return paper(source, TITLES[title_index] + ["", "\x00", " \u00e9"][page],
                 **{k: v for k, v in fields.items() if v not in (None, [])})


def expected_papers(written: list[tuple[dict, str | None]]) -> list[dict]:
    """What the store must hold for ``written`` ((record, completes) in arrival order) when no title key meets
    two arXiv ids: one paper per set of records linked through shared match keys (arXiv id; normalised title
    and first author), merged by ``merge_records`` with arXiv answers after the pages, a page's record kept
    once (the first time it came), in the order each paper was first seen. Stated as the definition (linked
    sets), not as the store's incremental rule, so the two cannot share a mistake."""
    kept: dict[tuple, tuple[dict, str | None]] = {}
    for record, completes in written:
        kept.setdefault((record["source"]["site"], record["source"]["url"], record["title"]), (record, completes))
    entries = list(kept.values())
    group = list(range(len(entries)))          # entry -> the first entry of its linked set

    def root(n: int) -> int:
        while group[n] != n:
            n = group[n]
        return n

    first_with_key: dict[str, int] = {}
    for n, (record, completes) in enumerate(entries):
        for key in match_keys(record) + ([completes] if completes else []):
            other = first_with_key.setdefault(key, n)
            low, high = sorted((root(n), root(other)))
            group[high] = low
    sets: dict[int, list[tuple[dict, str | None]]] = {}
    for n, entry in enumerate(entries):
        sets.setdefault(root(n), []).append(entry)
    return [merge_records([r for r, completes in members if completes is None],
                          [r for r, completes in members if completes is not None])
            for _, members in sorted(sets.items())]


def emptied(store: Store) -> None:
    """Every row a crawl writes gone (a Hypothesis example reuses the test's one store)."""
    with store.transaction() as conn:
        for table in ("sources", "match_keys", "papers", "authors", "paper_authors", "problems", "notes"):
            conn.execute(sa.text(f"delete from {table}"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(records(), st.booleans()), max_size=10))
def test_any_records_merge_in_the_store_as_linked_by_their_match_keys(store_url, written):
    store = Store.open(store_url)
    try:
        emptied(store)                              # each example starts from an empty store
        store.start_crawl()
        arrived = []
        for record, as_answer in written:
            completes = f"arxiv:{record['arxiv_id']}" if as_answer and record.get("arxiv_id") else None
            arrived.append((json.loads(json.dumps(record)), completes))
            store.add(json.loads(json.dumps(record)), completes)
        expected = expected_papers(arrived)
        assert list(store.merged()) == expected
        counts = store.counts()
        assert counts["papers"] == len({r["id"] for r in expected})
        assert counts["paper_authors"] == sum(len(r.get("authors", [])) for r in store.merged())
    finally:
        store.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(records(), max_size=6), max_size=5))
def test_a_pages_records_written_together_leave_the_rows_of_records_written_one_by_one(store_url, pages):
    """add_all writes a page's records in one transaction, new papers together: the same rows as add()."""
    tables = ("papers", "authors", "paper_authors", "sources", "problems", "match_keys")
    store = Store.open(store_url)
    try:
        rows = []
        for together in (False, True):
            emptied(store)
            store.start_crawl()
            for page in pages:
                page = json.loads(json.dumps(page))
                if together:
                    store.add_all(page)
                else:
                    for record in page:
                        store.add(record)
            rows.append({table: store.rows(table) for table in tables})
            rows[-1]["merged"] = list(store.merged())
        assert rows[0] == rows[1]
    finally:
        store.close()


def test_new_papers_of_a_page_are_written_in_a_few_statements(store):
    """The cost the batch saves: a page of new papers runs a fixed number of statements, not some per paper."""
    statements = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    page = [paper(PROFILE, title=f"Paper number {n}", authors=["A B", "C D"]) for n in range(30)]
    sa.event.listen(store.engine, "before_cursor_execute", count)
    store.add_all([author(PROFILE)] + page)
    sa.event.remove(store.engine, "before_cursor_execute", count)
    assert store.counts() == {"papers": 30, "authors": 1, "paper_authors": 60, "sources": 31, "problems": 0}
    assert len(statements) <= 12, statements


# -- a store that cannot be opened ----------------------------------------------------------------

@pytest.mark.parametrize("url, expected", [
    ("mysql://root@127.0.0.1/db", "unsupported database 'mysql'"),
    ("not a url", "not a database URL"),
])
def test_a_url_of_no_supported_database_is_one_line_naming_it(url, expected):
    with pytest.raises(StoreError) as error:
        Store.open(url)
    assert expected in str(error.value) and "\n" not in str(error.value)


def test_an_unreachable_server_is_one_line_without_the_password():
    from tests.postgres import free_port

    url = f"postgresql://crawler:secret@127.0.0.1:{free_port()}/records"
    with pytest.raises(StoreError) as error:
        Store.open(url)
    message = str(error.value)
    assert "cannot open the store" in message and "127.0.0.1" in message
    assert "secret" not in message and "\n" not in message


def test_a_read_only_store_is_refused_before_anything_is_written(tmp_path):
    """Opened read-only (SQLite's mode=ro: what a file the crawl may not write gives, even for root)."""
    path = tmp_path / "records.db"
    Store.open(f"sqlite:///{path}").close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as error:
        Store.open(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert "readonly database" in str(error.value) and "\n" not in str(error.value)
    assert path.read_bytes() == before


def test_paper_ids_are_unique_per_group_over_many_distinct_papers(store):
    for n in itertools.islice(itertools.count(), 200):
        store.add(paper(PROFILE, title=f"Paper number {n}", authors=["A B"]))
    ids = [r["id"] for r in store.merged()]
    assert len(ids) == len(set(ids)) == 200 == store.counts()["papers"]


def test_a_title_too_long_for_the_databases_index_is_refused_not_taken_for_a_lost_database(store_url, tmp_path,
                                                                                           caplog):
    # A hostile page's 20,000-character title: PostgreSQL's btree index refuses the row ("index row requires
    # 20016 bytes", SQLSTATE 54000, raised as an OperationalError). Read as a lost database, it was spooled and
    # retried for ever: the crawl exported nothing and exited 1, and one such page stopped every distributed
    # worker that took it. It is a refusal: that record named, the rest of the page stored.
    from crawlers.pipelines.store import StoreRecords

    pipeline = StoreRecords(store_url, spool=tmp_path / "out.jsonl.spool.jsonl")
    pipeline.open_spider()
    # Incompressible (PostgreSQL compresses a repetitive one small enough to fit): 20,000 hex digits.
    long_title = "".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(313))[:20000]
    page = [paper(CATALYZEX, long_title, authors=["A. Writer"]), paper(CATALYZEX, authors=PALM_AUTHORS)]
    pipeline.write({"op": "records", "records": page})
    assert not pipeline.spool and pipeline._lost_since is None
    titles = pipeline.store.conn.execute(sa.text("select title from papers")).scalars().all()
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    if store_url.startswith("postgresql"):
        assert titles == [PALM]
        [line] = errors
        assert line.startswith(f"{CATALYZEX['url']}: the store refused {page[0]['id']}: ") and "index row" in line
    else:                       # SQLite's indexes take it
        assert sorted(titles) == sorted([long_title, PALM]) and errors == []
    asyncio.run(pipeline.close_spider())

"""The store's writer process (crawlers/store/writer.py): the writes a crawl sends are applied in order, on SQLite
and on a real PostgreSQL server; what the database refuses is named; nothing sent is lost when either process dies.

Records are made by tests/store/test_store.py's paper(); a refused record in the writer process is tested there
(test_a_record_the_database_refuses_..., on both write paths).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa

from crawlers.store import Store
from crawlers.store.writer import Done, Lost, WriterProcess
from tests.conftest import ROOT
from tests.store.test_store import paper

TITLES = [f"Paper number {n} on writers" for n in range(6)]


def page(n: int) -> dict:
    """One page's write: a paper of its own, by an author of its own (nothing merges across pages)."""
    source = {"site": "catalyzex", "url": f"https://www.catalyzex.com/author/writer-{n}"}
    return {"op": "records", "records": [paper(source, TITLES[n], authors=[f"Author {n}"])]}


def stored_titles(url: str) -> list[str]:
    store = Store.open(url)
    try:
        return sorted(store.conn.execute(sa.text("select title from papers")).scalars())
    finally:
        store.close()


def opened_crawl(url: str) -> int:
    store = Store.open(url)
    try:
        return store.start_crawl()
    finally:
        store.close()


def test_writes_are_applied_in_the_order_sent_and_each_is_answered(store_url):
    writer = WriterProcess(store_url, opened_crawl(store_url))
    answers = []
    for n in range(len(TITLES)):
        answers += writer.send(page(n))
    answers += writer.close()
    assert [type(a) for a in answers] == [Done] * len(TITLES)
    assert [a.write["records"][0]["title"] for a in answers] == TITLES
    assert [a.applied.records for a in answers] == [1] * len(TITLES)
    assert stored_titles(store_url) == sorted(TITLES)
    assert writer.process.returncode == 0


def test_a_send_waits_once_as_many_writes_as_allowed_are_unanswered(store_url):
    # The crawl's memory stays bounded when the database is slower than the crawl: never more than in_flight.
    writer = WriterProcess(store_url, opened_crawl(store_url), in_flight=2)
    unanswered = []
    for n in range(len(TITLES)):
        writer.send(page(n))
        unanswered.append(len(writer._sent))
    writer.close()
    assert max(unanswered) <= 2
    assert stored_titles(store_url) == sorted(TITLES)


def test_a_writer_process_killed_mid_crawl_loses_no_write(tmp_path, caplog):
    # Killed (out of memory, by hand): what it had not answered goes to the spool, in order, and from there to
    # the store, written by the crawl's own process from then on.
    from crawlers.pipelines.store import StoreRecords

    url = f"sqlite:///{tmp_path / 'records.db'}"
    pipeline = StoreRecords(url, spool=tmp_path / "out.jsonl.spool.jsonl", writer_process=True)
    pipeline.open_spider()
    pipeline.write(page(0))
    pipeline.wait_for_writes()
    pipeline.writer.process.kill()
    pipeline.writer.process.wait()
    for n in range(1, len(TITLES)):
        pipeline.write(page(n))
    pipeline.wait_for_writes()
    assert pipeline.writer is None and pipeline._lost_since is not None
    assert [w["records"][0]["title"] for w in pipeline.spool.read()] == TITLES[1:]
    assert any("writer process stopped" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert pipeline.retry()
    asyncio.run(pipeline.close_spider())
    assert stored_titles(url) == sorted(TITLES)
    assert not pipeline.spool


KILLED_CRAWL = """
import os, signal, sys
sys.path.insert(0, {root!r})
from crawlers.store.writer import WriterProcess
from tests.store.test_writer import TITLES, page
writer = WriterProcess({url!r}, {crawl_id})
print(writer.process.pid, flush=True)
for n in range(len(TITLES)):
    writer.send(page(n))
os.kill(os.getpid(), signal.SIGKILL)        # before a single answer is read
"""


def test_the_crawl_killed_the_writer_process_still_writes_what_it_was_sent(tmp_path):
    url = f"sqlite:///{tmp_path / 'records.db'}"
    script = KILLED_CRAWL.format(root=str(ROOT), url=url, crawl_id=opened_crawl(url))
    crawl = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert crawl.returncode == -signal.SIGKILL, crawl.stderr
    writer_pid = int(crawl.stdout.split()[0])
    deadline = time.monotonic() + 30
    while _alive(writer_pid):                  # it ends on its own once it has written what it read
        assert time.monotonic() < deadline, "the writer process did not end after the crawl was killed"
        time.sleep(0.05)
    assert stored_titles(url) == sorted(TITLES)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # An orphan is reaped by init (perhaps right now); until then a zombie counts as ended.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


UNGUARDED_SCRIPT = """
import sys
sys.path.insert(0, {root!r})
with open({marker!r}, "a") as marker:
    marker.write("script run\\n")
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
settings = get_project_settings()
settings.setdict({{"REPLAY_DIR": "fixtures", "ARXIV_COMPLETION": False, "LOG_LEVEL": "ERROR",
                  "FEEDS": {{{output!r}: {{"format": "jsonlines"}}}}}})
process = CrawlerProcess(settings)
process.crawl("author")
process.start()
"""


def test_a_crawl_started_by_a_script_without_a_main_guard_runs_the_script_once(tmp_path):
    # multiprocessing's spawn would import the script again in the writer process, and crawl twice.
    marker, output = tmp_path / "marker.txt", tmp_path / "records.jsonl"
    script = tmp_path / "crawl_it.py"
    script.write_text(textwrap.dedent(UNGUARDED_SCRIPT.format(root=str(ROOT), marker=str(marker),
                                                              output=str(output))), encoding="utf-8")
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawlers.settings"}
    run = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert marker.read_text(encoding="utf-8") == "script run\n"
    assert output.read_text(encoding="utf-8").count("\n") > 30, run.stderr[-2000:]


@pytest.mark.parametrize("receiver_kind", ["plain", "async"])
def test_the_export_reaches_every_item_scraped_receiver_plain_or_async(tmp_path, receiver_kind):
    # Plain receivers only (the feed exporter, the stats, the summary): the export sends without a coroutine per
    # record; a user's ``async def`` receiver makes it await each send. Either way each receiver gets every record.
    from scrapy import signals
    from scrapy.utils.test import get_crawler

    from crawlers.pipelines.store import StoreRecords

    got = []

    def plain(item, response, spider):
        got.append(item["title"])

    async def awaited(item, response, spider):
        await asyncio.sleep(0)
        got.append(item["title"])

    crawler = get_crawler(settings_dict={"STORE_URL": f"sqlite:///{tmp_path / 'records.db'}"})
    crawler.signals.connect(plain if receiver_kind == "plain" else awaited, signal=signals.item_scraped)
    pipeline = StoreRecords.from_crawler(crawler)
    assert pipeline._plain_receivers(signals.item_scraped) == (receiver_kind == "plain")
    pipeline.open_spider()
    for n in range(3):
        pipeline.write(page(n))
    asyncio.run(pipeline.close_spider())
    assert got == TITLES[:3]


def test_lost_answers_give_back_every_unanswered_write_in_order(tmp_path):
    # A store the writer process cannot open (its directory gone since the crawl opened it) answers "lost".
    db_dir = tmp_path / "gone"
    db_dir.mkdir()
    url = f"sqlite:///{db_dir / 'records.db'}"
    crawl_id = opened_crawl(url)
    for file in db_dir.iterdir():
        file.unlink()
    db_dir.rmdir()
    (tmp_path / "gone").write_text("a file where the store's directory was", encoding="utf-8")
    writer = WriterProcess(url, crawl_id)
    answers = []
    for n in range(3):
        answers += writer.send(page(n))
    answers += writer.wait()
    writer.close()
    # Each write given back once, in the order sent (however the answers fell between the sends).
    given_back = [w["records"][0]["title"] for a in answers if isinstance(a, Lost) for w in a.writes]
    assert given_back == TITLES[:3]
    assert not [a for a in answers if isinstance(a, Done)]
    assert "cannot open the store" in str(next(a for a in answers if isinstance(a, Lost)).exc)


def test_a_writer_process_that_cannot_start_leaves_the_writes_to_the_crawl(tmp_path, monkeypatch, caplog):
    import crawlers.pipelines.store as pipelines

    def cannot_start(*_args, **_kwargs):
        raise OSError("no interpreter at that path")

    monkeypatch.setattr(pipelines, "WriterProcess", cannot_start)
    url = f"sqlite:///{tmp_path / 'records.db'}"
    pipeline = pipelines.StoreRecords(url, spool=tmp_path / "out.jsonl.spool.jsonl", writer_process=True)
    pipeline.open_spider()
    assert pipeline.writer is None
    assert any("no writer process (no interpreter at that path)" in r.getMessage() for r in caplog.records)
    pipeline.write(page(0))
    asyncio.run(pipeline.close_spider())
    assert stored_titles(url) == [TITLES[0]]


STORE_TABLES = ("papers", "authors", "paper_authors", "sources", "problems", "match_keys", "notes", "lookups")


def test_the_offline_crawl_writes_the_same_store_and_records_with_and_without_the_writer_process(tmp_path):
    # The writer process is where the merge runs, not what it gives: the replayed fixtures (arXiv completion on)
    # end with the same rows and the same output file either way.
    from tests.crawl.crawl_run import REPLAY, crawl_author, store_rows

    runs, rows = {}, {}
    for mode in ("True", "False"):
        out_dir = tmp_path / f"writer-{mode}"
        out_dir.mkdir()
        runs[mode] = crawl_author([], out_dir, settings={**REPLAY, "STORE_WRITER_PROCESS": mode}, completion=True)
        assert runs[mode].finished, runs[mode].describe()
        rows[mode] = store_rows(f"sqlite:///{out_dir / 'out.db'}", STORE_TABLES)
    assert runs["True"].output.read_bytes() == runs["False"].output.read_bytes()
    assert rows["True"] == rows["False"]
    assert len(runs["True"].records) == 38 and len(rows["True"]["papers"]) == 36
    assert "store/writer_peak_rss_mb" in runs["True"].scrapy_stats
    assert "store/writer_peak_rss_mb" not in runs["False"].scrapy_stats


@pytest.mark.parametrize("writer_process", [False, True], ids=["crawl-process", "writer-process"])
def test_a_record_the_store_cannot_merge_is_named_and_its_page_and_the_export_kept(tmp_path, caplog,
                                                                                   writer_process):
    # A dict a user's pipeline made: no title, and a source that is None. Before, the merge's KeyError or
    # AttributeError killed the writer process, and its retry in the crawl's process failed again at every turn,
    # so the crawl ended without an export.
    from crawlers.pipelines.store import StoreRecords

    url = f"sqlite:///{tmp_path / 'records.db'}"
    pipeline = StoreRecords(url, spool=tmp_path / "out.jsonl.spool.jsonl", writer_process=writer_process)
    pipeline.open_spider()
    broken = [{"type": "paper", "id": "title:no-title", "source": {"site": "catalyzex", "url": "https://x.test/1"}},
              {"type": "paper", "title": "A source that is None", "id": "title:none-source", "source": None}]
    pipeline.write({"op": "records", "records": [page(0)["records"][0], *broken, page(1)["records"][0]]})
    pipeline.write(page(2))
    pipeline.wait_for_writes()
    assert not pipeline.spool and pipeline._lost_since is None
    assert (pipeline.writer is not None) == writer_process
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 2
    assert errors[0].startswith("https://x.test/1: the store refused title:no-title: KeyError")
    assert errors[1].startswith(": the store refused title:none-source: AttributeError")
    asyncio.run(pipeline.close_spider())
    assert stored_titles(url) == sorted(TITLES[:3])


def test_a_spool_that_cannot_be_written_either_names_what_is_lost_and_the_crawl_goes_on(tmp_path, caplog, monkeypatch):
    # The database away and the spool's directory unusable (here a file stands where it should be; a full disk
    # alike): the write is lost, but said and counted, and the next writes are tried again, no traceback.
    import sqlite3

    from sqlalchemy.exc import OperationalError

    import crawlers.pipelines.store as pipelines

    def lost(_store, _write):
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("disk I/O error"))

    (tmp_path / "not-a-directory").write_text("", encoding="utf-8")
    pipeline = pipelines.StoreRecords(f"sqlite:///{tmp_path / 'records.db'}", writer_process=False,
                                      spool=tmp_path / "not-a-directory" / "out.jsonl.spool.jsonl")
    pipeline.open_spider()
    monkeypatch.setattr(pipelines, "apply_write", lost)
    pipeline.write(page(0))
    pipeline.write(page(1))
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert sum("cannot be written" in line and "1 records of this crawl are lost" in line for line in errors) == 2
    assert pipeline._lost_since is not None and not pipeline.spool
    pipeline.store.close()

"""bench/pages.py: the crawl bench's copies of saved pages are distinct papers, so a crawl of them merges
nothing and its records/s counts real records."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from bench.pages import page_ids, page_records, write_replay_dir


def generated_ids(directory: Path) -> list[list[str]]:
    rows = json.loads((directory / "pages.json").read_text(encoding="utf-8"))
    return [page_ids(directory, row) for row in rows]


def test_profile_copies_are_distinct_authors_and_papers(tmp_path: Path) -> None:
    generated = write_replay_dir(tmp_path, "profile", 3)
    ids = generated_ids(tmp_path)
    papers = [i for page in ids for i in page if not i.startswith("author:")]
    authors = [i for page in ids for i in page if i.startswith("author:")]
    # The page says "32 Papers" and lists 32 cards, one author header: 3 copies are 96 papers, 3 authors.
    assert len(set(papers)) == len(papers) == 96
    assert len(set(authors)) == len(authors) == 3
    assert len(set(generated.urls)) == 3
    assert generated.expected_ids == 99


def test_catalyzex_copies_share_only_their_own_author_across_page_two(tmp_path: Path) -> None:
    generated = write_replay_dir(tmp_path, "catalyzex", 4)    # two copies of page 1 and page 2
    ids = generated_ids(tmp_path)
    papers = [i for page in ids for i in page if not i.startswith("author:")]
    assert len(set(papers)) == len(papers) > 0
    authors = Counter(i for page in ids for i in page if i.startswith("author:"))
    assert len(authors) == 2 and set(authors.values()) == {2}   # each copy's author on its pages 1 and 2
    assert generated.expected_ids == len(set(papers)) + 2


def test_arxiv_mix_copies_have_fresh_arxiv_ids(tmp_path: Path) -> None:
    pages = 70                      # one copy of each of the 50 manifest pages, and 20 of a second copy
    generated = write_replay_dir(tmp_path, "arxiv", pages)
    ids = generated_ids(tmp_path)
    assert all(page for page in ids), "every generated page parses to records"
    papers = [i for page in ids for i in page if not i.startswith("author:")]
    assert len(set(papers)) == len(papers)
    rows = json.loads((tmp_path / "pages.json").read_text(encoding="utf-8"))
    arxiv_ids = [r["arxiv_id"] for row in rows for r in page_records(tmp_path, row) if r.get("arxiv_id")]
    assert len(set(arxiv_ids)) == len(arxiv_ids) > 0
    assert all(i.startswith("25") for i in arxiv_ids), "every saved page's arXiv id replaced by a fresh one"
    assert generated.expected_ids == len({i for page in ids for i in page})
    assert len(set(generated.urls)) == pages

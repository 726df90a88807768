"""Replay directories of distinct pages for bench/crawl.py: copies of saved pages that never merge.

    write_replay_dir(directory, mix, pages) -> GeneratedSet

A mix is a list of template pages (manifest rows of fixtures/pages.json). Copy k of a template is the
same bytes with every paper title, arXiv id and author name of that page made unique to the copy
(titles and names get a suffix word, arXiv ids a fresh new-style id, the page's own URL the same
changes), so a crawl of N copies sees N times as many distinct papers as one page holds, as a crawl of
many different author profiles would; the papers' own links get the suffix too. What each template holds is read with our own parser once;
tests/test_bench_pages.py checks that the copies parse to distinct ids.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlsplit

from parsers import Page, parse_page
from parsers.records import Author, Paper, to_dict

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
MANIFEST = FIXTURES / "pages.json"
AS_OF = date(2026, 11, 22)
# arXiv ids of the copies: new-style YYMM.NNNNN from 2501 on, 99,999 a month (the NNNNN part has 5 digits).
FIRST_MONTH = (2025, 1)
IDS_PER_MONTH = 99_999


def _manifest_html_rows() -> list[dict]:
    rows = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return [row for row in rows if row.get("variant", "html") == "html" and row["file"].endswith(".html")]


def mix_rows(mix: str) -> list[dict]:
    """Template rows of a mix: `profile` (the scholar profile, 32 papers a page), `catalyzex` (its author
    page and page 2) or `arxiv` (every HTML page of the manifest: mostly arXiv abstract pages)."""
    rows = _manifest_html_rows()
    if mix == "profile":
        return [row for row in rows if row["file"] == "scholar_profile/sharan-narang.html"]
    if mix == "catalyzex":
        return [row for row in rows if row["file"].startswith("catalyzex/")]
    if mix == "arxiv":
        return rows
    raise ValueError(f"unknown mix {mix!r}; expected profile, catalyzex or arxiv")


@dataclass
class Template:
    """One saved page and what must change in each copy of it."""

    url: str
    body: str
    capture: str
    captured: str | None
    titles: list[str]        # longest first, so a title holding another is replaced whole
    arxiv_ids: list[str]
    names: list[str]         # author records' names
    paper_paths: list[str]   # paths of the papers' own links on the site (not arXiv's: their ids change)
    records: int             # records one copy parses to

    @classmethod
    def read(cls, row: dict) -> Template:
        raw = (FIXTURES / row["file"]).read_bytes()
        result = parse_page(Page.from_bytes(raw, row["url"], "text/html"), AS_OF)
        papers = [r for r in result.records if isinstance(r, Paper)]
        authors = [r for r in result.records if isinstance(r, Author)]
        ids = {p.arxiv_id for p in papers if p.arxiv_id}
        ids |= set(re.findall(r"arxiv\.org/abs/([\w./-]+?)(?:v\d+)?(?=[\"'?#<\s])", row["url"] + " "))
        return cls(url=row["url"], body=raw.decode("utf-8"), capture=row.get("capture", "html"),
                   captured=row.get("captured"),
                   titles=_longest_first({p.title for p in papers if p.title}),
                   arxiv_ids=_longest_first(ids),
                   names=_longest_first({a.name for a in authors if a.name}),
                   paper_paths=_longest_first({urlsplit(p.url).path for p in papers if p.url and "arxiv.org"
                                               not in p.url and len(urlsplit(p.url).path) > 1}),
                   records=len(result.records))


def copy_word(number: int) -> str:
    """A letters-only word per copy ("ba", "bb", ...): digits could read as years or counts."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    word = ""
    number += 26  # at least two letters
    while number:
        number, rest = divmod(number, 26)
        word = letters[rest] + word
    return word


def _longest_first(values: set[str]) -> list[str]:
    """Longest first (a value inside a longer one is replaced after it), then in order: the same order in
    every process, so the same copies get the same new ids (a set's order changes with the hash seed)."""
    return sorted(values, key=lambda value: (-len(value), value))


def new_arxiv_id(serial: int) -> str:
    months, number = divmod(serial, IDS_PER_MONTH)
    year, month = divmod(FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + months, 12)
    return f"{year % 100:02d}{month + 1:02d}.{number + 1:05d}"


def _replace_all(text: str, old: str, new: str) -> str:
    """`old` as the page prints it: raw, HTML-escaped, with any run of white space between words."""
    words = [re.escape(html.escape(w, quote=False)) for w in old.split()]
    pattern = r"(?<![\w-])" + r"\s+".join(words) + r"(?![\w-])"
    text = re.sub(pattern, lambda _: html.escape(new, quote=False), text)
    if html.escape(old) != html.escape(old, quote=False):   # quotes escaped inside attributes
        text = text.replace(html.escape(old), html.escape(new))
    return text


def make_copy(template: Template, number: int, id_serial: int, page: int | None = None) -> tuple[str, str, int]:
    """Copy `number` of a template: (url, body, next id serial). Titles get the word of `page` (the page's
    place in the whole set) so that two templates listing the same paper do not merge either."""
    word = copy_word(number)
    title_word = copy_word(number if page is None else page)
    body, url = template.body, template.url
    for old in template.arxiv_ids:
        new = new_arxiv_id(id_serial)
        id_serial += 1
        pattern = r"(?<![\w.])" + re.escape(old) + r"(?![\d])"
        body = re.sub(pattern, new, body)
        url = re.sub(pattern, new, url)
    for title in template.titles:
        body = _replace_all(body, title, f"{title} {title_word}")
    for path in template.paper_paths:
        body = re.sub(re.escape(path) + r"(?=[\"'?#])", f"{path}-{word}", body)
    for name in template.names:
        body = _replace_all(body, name, f"{name} {word.capitalize()}")
        url = url.replace(quote(name), quote(f"{name} {word.capitalize()}"))
        slug = name.lower().replace(" ", "-")
        slug_pattern = r"(?<=/)" + re.escape(slug) + r"(?=[\"'?#]|$)"
        body = re.sub(slug_pattern, f"{slug}-{word}", body, flags=re.MULTILINE)
        url = re.sub(slug_pattern, f"{slug}-{word}", url)
    if url == template.url:
        url = f"{url}{'&' if '?' in url else '?'}copy={word}"
    return url, body, id_serial


@dataclass(frozen=True)
class GeneratedSet:
    directory: Path
    urls: list[str]
    expected_records: int    # the sum of what each copy's template parses to
    expected_ids: int        # distinct record ids among them: what a crawl that merges nothing wrongly writes


def write_replay_dir(directory: Path, mix: str, pages: int) -> GeneratedSet:
    """Write `pages` pages of the mix (templates in turn) and their pages.json, every row a start page."""
    templates = [Template.read(row) for row in mix_rows(mix)]
    (directory / "pages").mkdir(parents=True, exist_ok=True)
    rows, urls, expected, serial = [], [], 0, 0
    for number in range(pages):
        template = templates[number % len(templates)]
        url, body, serial = make_copy(template, number // len(templates), serial, number)
        name = f"pages/{number:06d}.html"
        (directory / name).write_text(body, encoding="utf-8")
        row = {"url": url, "file": name, "capture": template.capture, "start": True}
        if template.captured:
            row["captured"] = template.captured
        rows.append(row)
        urls.append(url)
        expected += template.records
    (directory / "pages.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return GeneratedSet(directory, urls, expected, _expected_ids(directory, rows, len(templates)))


def page_records(directory: Path, row: dict) -> list[dict]:
    """Records of one generated page as our parser reads them, as written (to_dict sets paper ids)."""
    body = (directory / row["file"]).read_bytes()
    return [to_dict(r) for r in parse_page(Page.from_bytes(body, row["url"], "text/html"), AS_OF).records]


def page_ids(directory: Path, row: dict) -> list[str]:
    return [record["id"] for record in page_records(directory, row)]


def _expected_ids(directory: Path, rows: list[dict], cycle: int) -> int:
    """Distinct ids of the whole set, from its first cycle (one copy of each template) parsed: every cycle
    holds as many (the copies differ only in titles, ids and names). Records of one author that a site
    spreads over several pages (CatalyzeX page 2 repeats the author) count once, as the merge writes them."""
    first = [set(page_ids(directory, row)) for row in rows[:cycle]]
    full_cycles, rest = divmod(len(rows), cycle)
    return full_cycles * len(set().union(*first)) + len(set().union(*first[:rest]))


def records_per_page(mix: str) -> float:
    templates = [Template.read(row) for row in mix_rows(mix)]
    return sum(t.records for t in templates) / len(templates)

"""`python -m parsers FILE` as a user runs it: JSON Lines on stdout, one error line on failure."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from parsers.records import validation_errors
from tests.conftest import FIXTURES, ROOT, read_jsonl
from tests.sites.expected import record_diffs

PROFILE = FIXTURES / "scholar_profile"
URL = "https://profiles.example.org/author/sharan-narang"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "parsers", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def records_of(done: subprocess.CompletedProcess) -> list[dict]:
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_the_capture_gives_the_author_and_32_papers():
    done = run("fixtures/scholar_profile/sharan-narang.txt", "--as-of", "2026-11-22")
    records = records_of(done)
    assert len(done.stdout.splitlines()) == 33
    assert {str(i): validation_errors(r) for i, r in enumerate(records) if validation_errors(r)} == {}
    authors = [r for r in records if r["type"] == "author"]
    papers = [r for r in records if r["type"] == "paper"]
    assert len(authors) == 1 and len(papers) == 32
    assert authors[0]["name"] == "Sharan Narang"
    assert authors[0]["metrics"] == {"h_index": 29, "paper_count": 32, "citation_count": 88855,
                                     "novelty_percent": 50, "ai_score": 48}
    assert sum(p["has_code"] for p in papers) == 3
    assert sum(p["authors_complete"] is False for p in papers) == 30
    hsdp = next(p for p in papers if p["title"] == "Training LLMs with Fault Tolerant HSDP on 100,000 GPUs")
    assert (hsdp["date"], hsdp["date_raw"], hsdp["date_year_inferred"]) == ("2026-01-30", "Jan 30", True)
    # Without --url the records name the file they came from.
    assert {r["source"]["url"] for r in records} == {(PROFILE / "sharan-narang.txt").resolve().as_uri()}
    assert done.stderr == ""


def test_the_capture_with_its_url_gives_the_expected_records():
    records = records_of(run("fixtures/scholar_profile/sharan-narang.txt", "--url", URL, "--as-of", "2026-11-22"))
    assert matching(records, read_jsonl(PROFILE / "sharan-narang.expected.jsonl"))


def test_the_html_page_gives_the_same_records_plus_its_links():
    text = records_of(run("fixtures/scholar_profile/sharan-narang.txt", "--url", URL, "--as-of", "2026-11-22"))
    html = records_of(run("fixtures/scholar_profile/sharan-narang.html", "--url", URL, "--as-of", "2026-11-22"))
    assert {str(i): validation_errors(r) for i, r in enumerate(html) if validation_errors(r)} == {}
    assert len(html) == 33
    # The id is not a link: the same paper has the same id whether the page showed its arXiv link or not.
    links = ("url", "code_url", "arxiv_id", "ids")
    assert [{k: v for k, v in r.items() if k not in links} for r in html] == \
           [{k: v for k, v in r.items() if k not in links} for r in text]
    papers = html[1:]
    assert sum("url" in p for p in papers) == 32
    assert [p["code_url"] for p in papers if "code_url" in p] == [
        "https://github.com/facebookresearch/llama",
        "https://github.com/google-research/google-research/tree/master/html_llms",
        "https://github.com/google-research/t5x",
    ]
    palm = next(p for p in papers if p["title"] == "PaLM: Scaling Language Modeling with Pathways")
    assert palm["arxiv_id"] == "2204.02311" and "arxiv:2204.02311" in palm["ids"]
    assert matching(html, read_jsonl(PROFILE / "sharan-narang.html.expected.jsonl"))


def matching(records: list[dict], expected: list[dict]) -> bool:
    """Equal to the hand-written records (a paper's id, a title hash, and its ids checked by their properties)."""
    return record_diffs(records, expected) == []


def test_an_unknown_layout_exits_non_zero_with_one_line_naming_the_url():
    url = "https://www.example.org/blog/some-page"
    done = run("fixtures/unknown/some-page.html", "--url", url, "--as-of", "2026-11-22")
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert url in done.stderr


def test_a_page_cut_short_still_prints_what_it_has_and_warns():
    done = run("fixtures/scholar_profile/sharan-narang.broken-truncated.html", "--url", URL, "--as-of", "2026-11-22")
    records = records_of(done)
    assert len(records) == 15
    assert "14 of 32 declared papers found" in done.stderr


def test_naming_a_site_does_not_make_another_sites_page_readable():
    """--site skips guessing, not checking: a CatalyzeX page read as a digest page would give a paper titled
    "Alert button"."""
    done = run(str(FIXTURES / "catalyzex" / "parker-schuh.txt"), "--site", "paper-digest")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "paper-digest: the page does not have this site's layout" in done.stderr
    assert run(str(FIXTURES / "catalyzex" / "parker-schuh.txt"), "--site", "catalyzex").returncode == 0


def one_error_line(done: subprocess.CompletedProcess) -> str:
    """The single stderr line of a failed run (exit 2, nothing on stdout, no traceback)."""
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("error: ")
    return line


@pytest.mark.parametrize(("args", "named"), [
    (["--as-of", "22-11-2026"], "'22-11-2026' is not a day YYYY-MM-DD"),
    (["--as-of", "9999-99-99"], "'9999-99-99' is not a day YYYY-MM-DD"),
    (["--site", "nope"], "--site: no site adapter named 'nope'"),
    (["--url", "http://[::1"], "http://[::1: not a URL"),
    (["--url", "http://a:b@[x]:99/"], "http://a:b@[x]:99/: not a URL"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_a_wrong_argument_is_one_error_line_naming_it(args, named):
    assert named in one_error_line(run("fixtures/paper_digest/palm.txt", *args))


def test_a_missing_file_or_a_directory_is_one_error_line():
    assert "no-such-file.html" in one_error_line(run("fixtures/no-such-file.html"))
    assert "fixtures" in one_error_line(run("fixtures"))
    assert "required: file" in one_error_line(run())


def test_a_hostile_page_prints_its_records_and_no_traceback(tmp_path):
    page = tmp_path / "hostile.html"
    page.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<html><head><base href="//[">'
        b'<meta name="citation_title" content="Hostile &#xD800; Title">'
        b'<script type="application/ld+json">' + b"[" * 5000 + b"]" * 5000 + b"</script>"
        b'</head><body>' + b"<div>" * 500 + b'<a href="http://[::1">x</a>' + b"</div>" * 500 + b"</body></html>")
    done = run(str(page), "--url", "https://journal.example.org/article/1", "--as-of", "9999-12-31")
    [record] = records_of(done)
    assert record["title"].startswith("Hostile") and validation_errors(record) == []
    assert "Traceback" not in done.stderr and "JSON-LD block nested too deep" in done.stderr


def test_dash_reads_the_page_from_stdin():
    page = FIXTURES / "catalyzex" / "parker-schuh.html"
    url = "https://www.catalyzex.com/author/Parker%20Schuh"
    done = subprocess.run([sys.executable, "-m", "parsers", "-", "--url", url], cwd=ROOT, input=page.read_bytes(),
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    from_stdin = records_of_bytes(done.stdout)
    assert from_stdin == records_of(run(str(page), "--url", url)) and len(from_stdin) == 5


def test_the_installed_script_names_itself_in_its_usage_line():
    done = subprocess.run([sys.executable, "-c", "import sys; from parsers.__main__ import main; "
                           "sys.argv[0] = '/usr/local/bin/scholar-parse'; sys.exit(main(['--help']))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("usage: scholar-parse ")


def records_of_bytes(stdout: bytes) -> list[dict]:
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines() if line.strip()]

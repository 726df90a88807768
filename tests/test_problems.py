"""Problem lines: every adapter's problems read alike, naming the page's URL and site, then the field."""

from __future__ import annotations

import pytest

from parsers import Page, Problem, parse_page
from tests.conftest import CAPTURE_DAY, FIXTURES

# The saved pages that are broken on purpose (a cut download, a lost date, a wrong encoding, ...), with the
# URL each was captured from: between them every adapter that reads cards reports problems.
SITE_URLS = {
    "catalyzex": "https://www.catalyzex.com/author/Parker%20Schuh",
    "paper_digest": "https://digest.example.org/paper/2204.02311",
    "scholar_profile": "https://profiles.example.org/author/sharan-narang",
}
BROKEN = sorted(path for site in SITE_URLS for path in (FIXTURES / site).glob("*.broken-*"))


def test_a_problem_line_names_url_site_part_and_field_in_that_order():
    problem = Problem("date", "no date line under the title")
    assert problem.line("https://e.org/a", "catalyzex") == \
        "https://e.org/a: catalyzex: date: no date line under the title"
    assert problem.at("card 3 ('PaLM')").line("https://e.org/a", "catalyzex") == \
        "https://e.org/a: catalyzex: card 3 ('PaLM'): date: no date line under the title"
    assert Problem(None, "page cut short").line("https://e.org/a", "scholar-profile") == \
        "https://e.org/a: scholar-profile: page cut short"


@pytest.mark.parametrize("path", BROKEN, ids=lambda path: path.name)
def test_every_problem_of_a_broken_page_names_its_url_and_site(path):
    url = SITE_URLS[path.parent.name]
    result = parse_page(Page.from_file(path, url), as_of=CAPTURE_DAY)
    record_lines = [line for record in result.records for line in record.problems]
    assert result.problems or record_lines, "a broken page reports what is wrong"
    prefix = f"{url}: {result.site}: "
    for line in result.problems + record_lines:
        assert isinstance(line, str) and line.startswith(prefix) and len(line.splitlines()) == 1, line
    # Each record line names the field after the site: "<url>: <site>: date: ...".
    fields = {line.removeprefix(prefix).split(":", 1)[0] for line in record_lines}
    assert fields <= {"title", "date", "authors", "abstract", "via", "figures", "card", "score", "related", "url",
                      "name", "metrics"}, fields

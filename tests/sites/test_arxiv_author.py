"""arXiv author page (/a/<author-id>): handwritten in arXiv's markup with the PaLM entry of capture 003."""

from __future__ import annotations

from parsers import parse_page
from parsers.page import Page
from parsers.records import Author, Paper, validation_errors
from parsers.result import ParseContext
from parsers.sites import arxiv
from tests.conftest import CAPTURE_DAY, FIXTURES

PAGE = FIXTURES / "arxiv" / "author" / "narang_s_1.html"
URL = "https://arxiv.org/a/narang_s_1"


def test_author_page_gives_the_author_and_each_listed_paper():
    page = Page.from_file(PAGE, URL)
    assert arxiv.recognise(page)
    result = arxiv.parse(page, ParseContext(as_of=CAPTURE_DAY))
    author, paper = result.records
    assert isinstance(author, Author) and isinstance(paper, Paper)
    assert (author.name, author.url, author.id) == ("Sharan Narang", URL, "author:sharan-narang")
    assert paper.arxiv_id == "2204.02311" and paper.url == "https://arxiv.org/abs/2204.02311"
    assert paper.title == "PaLM: Scaling Language Modeling with Pathways"
    assert len(paper.authors) == 67 and paper.authors[1] == "Sharan Narang" and paper.authors_complete
    assert paper.authors[-1] == "Noah Fiedel"
    assert paper.categories == ["cs.CL"] and paper.pdf_url == "https://arxiv.org/pdf/2204.02311"
    assert paper.listed_by == ["Sharan Narang"]
    assert result.declared_counts == {"paper": 1} and result.problems == []
    assert not validation_errors(author) and not validation_errors(paper)


def test_author_page_without_its_heading_still_gives_the_papers_and_says_what_is_missing():
    html = PAGE.read_text(encoding="utf-8").replace("<h1>Sharan Narang's articles on arXiv</h1>", "")
    result = parse_page(Page.from_html(html, URL), as_of=CAPTURE_DAY)
    assert [type(r).__name__ for r in result.records] == ["Paper"]
    assert result.problems == [f"{URL}: arxiv: name: author page without an \"<name>'s articles\" heading"]

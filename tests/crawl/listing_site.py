"""A synthetic site of a few hundred arXiv-style listing pages, for crawls over several workers.

``chains`` listings of ``pages_per_chain`` pages each: page k of a chain links to page k+1 (the paging bar
of an arXiv listing), and every page lists ``papers_per_page`` papers no other page lists, with distinct
arXiv ids and titles (and no date: arXiv completion asks for every one). The markup is arXiv's listing markup
(fixtures/arxiv/real/html/list/), read by the arXiv adapter on any host.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from parsers.records import paper_id


@dataclass
class ListingSite:
    start_urls: list[str] = field(default_factory=list)
    papers_by_path: dict[str, list[str]] = field(default_factory=dict)   # page path -> record ids it lists
    arxiv_ids: set[str] = field(default_factory=set)

    @property
    def paths(self) -> set[str]:
        return set(self.papers_by_path)

    @property
    def paper_ids(self) -> set[str]:
        return {record_id for ids in self.papers_by_path.values() for record_id in ids}


def arxiv_id(number: int) -> str:
    return f"2401.{number:05d}"


def chain_path(chain: int, page: int) -> str:
    return f"/list/synthetic-{chain}/2401" + (f"?skip={page * 10}&show=10" if page else "")


def title(number: int) -> str:
    return f"Synthetic paper number {number}"


def first_author(number: int) -> str:
    return f"Author A{number}"


def entry(number: int) -> str:
    identifier = arxiv_id(number)
    authors = ", ".join(f'<a href="/a/author{number}{letter}">Author {letter}{number}</a>' for letter in "ABC")
    return f"""
    <dt><a name="item{number}">[{number}]</a>
      <a href="/abs/{identifier}" title="Abstract" id="{identifier}">arXiv:{identifier}</a>
      [<a href="/pdf/{identifier}" title="Download PDF" id="pdf-{identifier}">pdf</a>]</dt>
    <dd><div class="meta">
      <div class="list-title mathjax"><span class="descriptor">Title:</span> {title(number)}</div>
      <div class="list-authors">{authors}</div>
      <div class="list-subjects"><span class="descriptor">Subjects:</span>
        <span class="primary-subject">Machine Learning (cs.LG)</span></div>
    </div></dd>"""


def listing_page(chain: int, page: int, pages_per_chain: int, numbers: list[int]) -> str:
    links = []
    for other in range(pages_per_chain):
        label = f"{other * 10 + 1}-{other * 10 + 10}"
        links.append(f"<span>{label}</span>" if other == page
                     else f'<a href="{escape(chain_path(chain, other))}">{label}</a>')
    entries = "".join(entry(number) for number in numbers)
    return f"""<!DOCTYPE html><html><head><title>Synthetic listing {chain}</title></head><body>
    <h1>Synthetic {chain}</h1>
    <div class="paging">Total of {pages_per_chain * len(numbers)} entries : {" ".join(links)}</div>
    <dl id="articles">{entries}</dl></body></html>"""


def serve_listing_site(server, chains: int, pages_per_chain: int, papers_per_page: int) -> ListingSite:
    """Serve the site on a LoopbackServer; what it holds, for the test to check the crawl against."""
    site = ListingSite()
    number = 1
    for chain in range(chains):
        for page in range(pages_per_chain):
            numbers = list(range(number, number + papers_per_page))
            number += papers_per_page
            path = chain_path(chain, page)
            server.add_page(path, listing_page(chain, page, pages_per_chain, numbers))
            # The record id the contract defines (parsers.records.paper_id), from the title and first author.
            site.papers_by_path[path] = [paper_id(title(n), first_author(n)) for n in numbers]
            site.arxiv_ids.update(arxiv_id(n) for n in numbers)
            if page == 0:
                site.start_urls.append(server.url(path))
    return site

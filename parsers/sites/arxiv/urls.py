"""arXiv URLs, once for every module: recognising a link to an arXiv paper, its id, and the API's queries.

Other site modules link to arXiv (a card's icon, a "Via arxiv" source line, a digest's "arXiv" link); the
crawler asks the API (crawlers/completion.py). Both use these, so arXiv's URL shapes and query syntax live
with the arXiv adapter.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from parsers.fields.identifiers import ArxivId, parse_arxiv_id
from parsers.fields.text import normalise_title

API_URL = "https://export.arxiv.org/api/query"
# Any page on arXiv's hosts, and a paper's abstract or PDF page there.
ARXIV_URL = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/", re.I)
PAPER_URL = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/", re.I)


def is_arxiv_url(url: str) -> bool:
    """A URL on arXiv (any page)."""
    return bool(ARXIV_URL.match(url or ""))


def paper_arxiv_id(url: str) -> ArxivId | None:
    """The paper an arXiv URL links to ("https://arxiv.org/abs/2204.02311v2" -> 2204.02311, v2); None for a URL
    elsewhere or an arXiv page of no paper (a search, a listing)."""
    return parse_arxiv_id(url) if is_arxiv_url(url) else None


def id_list_url(ids: list[str], api_url: str = API_URL) -> str:
    """``id_list=<ids, comma-separated>&max_results=<n>``, commas literal as in arXiv's manual."""
    return f"{api_url}?id_list={','.join(ids)}&max_results={len(ids)}"


def title_search_url(titles: list[str], results_per_title: int, api_url: str = API_URL) -> str:
    """One search for several titles: ``ti:"<words>" OR ...``. Titles go in as their normalised words
    (quotes, colons and TeX in a title would otherwise break the query syntax)."""
    query = " OR ".join(f'ti:"{normalise_title(title)}"' for title in titles)
    return f"{api_url}?" + urlencode({"search_query": query, "start": 0,
                                      "max_results": results_per_title * len(titles)})

"""Atom feeds of the arXiv API (/api/query?id_list=… or ?search_query=…): one paper per entry.

The API reports a bad query as an <entry> whose id is http://arxiv.org/api/errors#…: that becomes a problem,
not a paper. opensearch:totalResults/startIndex/itemsPerPage say how many results there are in all.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from lxml import etree

from parsers.fields.dates import parse_date
from parsers.fields.identifiers import parse_arxiv_id, parse_doi
from parsers.fields.names import parse_author_list
from parsers.fields.text import clean_text
from parsers.page import Page
from parsers.records import Paper, Source, Version
from parsers.result import FollowLink, LinkKind, ParseContext, ParseResult, Problem

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
FEED_START = re.compile(r"<feed\b[^>]*http://www\.w3\.org/2005/Atom")
API_PATH = "/api/query"
ERROR_ID = "/api/errors"
PDF_LINK = "atom:link[@title='pdf']"
COUNTS = {"totalResults": "total", "startIndex": "start_index", "itemsPerPage": "items_per_page"}
# A count as the API writes it: ASCII digits ("①" passes str.isdigit and fails int()), and no more than any
# answer holds.
COUNT = re.compile(r"[0-9]{1,12}")
# The feed parser must not fetch external entities or grow without bound on hostile input.
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
# A feed cut short still holds its complete entries: read what can be recovered, and say the feed was broken.
RECOVERING_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


def is_atom_feed(page: Page) -> bool:
    if page.kind != "text":  # an HTML page is never a feed: do not render its lines to find out
        return False
    head = page.raw[:2000] or "\n".join(page.texts[:5])
    return bool(FEED_START.search(head) or (API_PATH in page.url and "<feed" in head))


def feed_text(page: Page) -> str:
    """The feed's XML: the decoded document where the page kept it, else its lines joined (XML does not
    care about the line breaks and blank lines between elements)."""
    if page.raw:
        return page.raw
    if page.tree is not None:
        return etree.tostring(page.tree, encoding="unicode")
    return "\n".join(page.texts)


def parse(page: Page, context: ParseContext, site: str) -> ParseResult:
    result = ParseResult(site=site, url=page.url)
    xml, recovered = feed_text(page).encode("utf-8"), False
    try:
        feed = etree.fromstring(xml, XML_PARSER)
    except etree.XMLSyntaxError as exc:
        reason = " ".join(str(exc).split())  # libxml2 quotes the broken line, line break included
        result.problems.append(Problem(None, f"Atom feed not well-formed XML ({reason}); read what remains"))
        feed, recovered = etree.fromstring(xml, RECOVERING_PARSER), True
        if feed is None:
            return result
    counts = {}
    for name, key in COUNTS.items():
        value = feed.findtext(f"opensearch:{name}", namespaces=NS)
        if value and COUNT.fullmatch(value.strip()):
            counts[key] = int(value)
    if "total" in counts:  # what this page should hold: the rest of the results, at most a page of them
        rest = max(0, counts["total"] - counts.get("start_index", 0))
        result.declared_counts["paper"] = min(rest, counts.get("items_per_page") or rest)
    entries = feed.findall("atom:entry", NS)
    for number, entry in enumerate(entries, 1):
        entry_id = clean_text(entry.findtext("atom:id", "", NS))
        if ERROR_ID in entry_id:
            message = clean_text(entry.findtext("atom:summary", "", NS)) or entry_id
            result.problems.append(Problem(None, f"API error: {message}"))
            continue
        paper = _paper(entry, page, site, number)
        if recovered and number == len(entries):  # where a broken feed stops, its last entry may be cut
            paper.problems.append(Problem(None, "the feed breaks off in or after it", where=f"entry {number}"))
        result.records.append(paper)
    next_page = _next_page(page.url, counts, len(result.records))
    if next_page:
        result.follow.append(FollowLink(next_page, LinkKind.NEXT_PAGE))
    return result


def _paper(entry, page: Page, site: str, number: int) -> Paper:
    text = lambda path: clean_text(entry.findtext(path, "", NS)) or None  # noqa: E731
    identifier = parse_arxiv_id(text("atom:id") or "")
    paper = Paper(title=text("atom:title") or "(no title)", source=Source(site, page.url),
                  arxiv_id=identifier.id if identifier else None)
    paper.version = identifier.version if identifier else None
    paper.url = text("atom:id")
    names = [clean_text(name.text or "") for name in entry.iterfind("atom:author/atom:name", NS)]
    paper.authors = list(parse_author_list(", ".join(names)).names) if names else []
    paper.authors_complete = True if names else None
    paper.organizations = list(dict.fromkeys(
        clean_text(a.text or "") for a in entry.iterfind("atom:author/arxiv:affiliation", NS) if a.text))
    paper.abstract = text("atom:summary")
    primary = entry.find("arxiv:primary_category", NS)
    codes = [primary.get("term")] if primary is not None else []
    terms = [c.get("term") for c in entry.iterfind("atom:category", NS)]  # a cut feed may lose a term
    paper.categories = list(dict.fromkeys(code for code in codes + terms if code))
    paper.comments, paper.journal_ref = text("arxiv:comment"), text("arxiv:journal_ref")
    doi = text("arxiv:doi")
    paper.doi = parse_doi(doi) if doi else None
    pdf = entry.find(PDF_LINK, NS)
    paper.pdf_url = pdf.get("href") if pdf is not None else None
    published, updated = parse_date(text("atom:published") or ""), parse_date(text("atom:updated") or "")
    paper.set_date(published)
    # The feed dates only the first version (published) and the latest (updated); others are unknown.
    if paper.version and published:
        paper.versions = [Version(1, published.value)]
        if paper.version > 1 and updated:
            paper.versions.append(Version(paper.version, updated.value))
    if not identifier:
        paper.problems.append(Problem("arxiv_id", "none in the entry's id", where=f"entry {number}"))
    return paper


def _next_page(url: str, counts: dict[str, int], shown: int) -> str | None:
    """The same query from the next start index, while results remain."""
    total, start = counts.get("total"), counts.get("start_index", 0)
    per_page = counts.get("items_per_page") or shown
    if total is None or not per_page or start + per_page >= total:
        return None
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    query.update(start=str(start + per_page), max_results=str(per_page))
    return urlunsplit(parts._replace(query=urlencode(query)))

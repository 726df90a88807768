"""What the fuzz tests feed the parsers and what they hold them to.

The corpus is the saved pages in fixtures/ (the three text captures there are byte-identical copies of the seed
captures, see SEED_CAPTURES), each with the URL the replay manifest gives it. Strategies mutate those pages
the way a hostile web would (truncations, byte flips, hostile fragments spliced in, numbers swapped for
unreadable ones, odd URLs and encodings), or build pages from scratch out of the tokens the adapters look for.

The contract (``check_contract``): ``parse_page`` returns a result whose every record validates and serialises
as UTF-8 JSON, with one-line problems and followable links; or it raises PageError / UnrecognisedPage with a
one-line message that starts with the page URL. Anything else is a bug.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from hypothesis import strategies as st

from parsers import Page, PageError, ParseResult, UnrecognisedPage, parse_page
from parsers.records import to_dict, validation_errors
from tests.conftest import CAPTURE_DAY, FIXTURES

# The seed captures (../shared/seeds/, not read by the tests) and their copies here, by SHA-256 prefix.
SEED_CAPTURES = {
    "001_c153bdb730746b1b.txt": ("scholar_profile/sharan-narang.txt", "6318047252705370"),
    "002_9538e84624dfbba4.txt": ("catalyzex/parker-schuh.txt", "f5ee1e4d2ec2ffdc"),
    "003_8e9b15be7fd06895.txt": ("paper_digest/palm.txt", "82e1b3247ccbf419"),
}
PAGE_SUFFIXES = (".html", ".txt", ".atom")
# Where a fixture outside the replay manifest is served from, by its directory.
DEFAULT_URLS = {
    "scholar_profile": "https://profiles.example.org/author/sharan-narang",
    "catalyzex": "https://www.catalyzex.com/author/Parker%20Schuh",
    "paper_digest": "https://digest.example.org/paper/2204.02311",
    "embedded_metadata": "https://journal.example.org/article/1",
    "unknown": "https://unknown.example.org/page",
}

# Fragments a hostile page carries: every class of input that once crashed a parser or made a bad record.
DEEP = 3000
HOSTILE_FRAGMENTS = (
    '<base href="//[">', '<a href="//[">x</a>', '<a href="http://[::1">y</a>', '<a href="http://a:b@[x]:99/">z</a>',
    '<img src="http://[::1" alt="Figure 1 for T">', '<a href="http://\uff03x/">w</a>', '<link rel="next" href="//[">',
    '<script type="application/ld+json">' + "[" * DEEP + "]" * DEEP + "</script>",
    '<script type="application/ld+json">{"@type":"ScholarlyArticle","headline":"T","x":' + "9" * 5000 + "}</script>",
    '<script type="application/ld+json">{"@type":"ScholarlyArticle","headline":"T\\ud800","author":"\\udfff"}</script>',
    '<script type="application/ld+json">{"@graph": 7}</script>', '<script type="application/ld+json">[1, "x"]</script>',
    "&#xD800;", "&#0;", "\ud800", "\udfff", "\x00", "\ufffd", "\u202e", "\u2028",
    '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>',
    "<div>" * 400, "</div>" * 400, "<span>" * 2500, "<p>" * 100, "<!--", "]]>", "<![CDATA[",
    '<meta name="citation_title" content=" ">', '<meta name="citation_title" content="&#xD800;">',
    '<meta name="citation_arxiv_id" content="math.ag/0101001v0">', '<meta name="citation_date" content="Feb 30">',
    "h-index-5", "h-index" + "9" * 41, "Novelty150%", "Novelty-1%", "AI Score1e999", "h-index①", "32papers",
    "١٢٣citations", "①②③", "1" + "0" * 40, "9" * 5000, "1e308", "-0", "NaN", "Infinity",
    "Figure 0 for T", "Figure ① for T", "Fig. 99999 for T", "arXiv:2204.02311v0", "2204.02311v" + "9" * 5000,
    "math.ag/0101001", "hep-th/9901001v1", "٢٢٠٤.٠٢٣١١", "10.1000/x)", "[v0] Mon, 1 Jan 2001 00:00:00 UTC (1 KB)",
    "[v1] " * 200, "Jan 30", "Feb 29", "9999-12-31", "0000-01-01", "Dec 31, 9999 23:59:59 -2359", "2 days ago",
    "- URL:", "- Authors:", "- Abstract summary:", "- Title:", "- Score: [nan]", "Related papers",
    "arXiv Detail & Related papers (Feb 30)", "Picture for X", "Alert button", "Via arxiv icon", "Viaarxiv icon",
    "CLJul 18, 2023Code", "et al.", "(" * 300, ")" * 300, "Total of " + "9" * 41 + " entries",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">", "<opensearch:totalResults>①</opensearch:totalResults>",
)
# Content types a server may send, charset included.
CONTENT_TYPES = (None, "text/html", "text/html; charset=utf-8", "text/html; charset=iso-8859-1",
                 "text/html; charset=utf-16", "text/html; charset=utf-7", "text/html; charset=x-nonsense",
                 "application/xhtml+xml", "text/plain", "application/atom+xml", "application/octet-stream")
# URLs a page may come with: the ones urllib refuses included.
HOSTILE_URLS = ("//[", "http://[::1", "http://a:b@[x]:99/", "http://[::1]:99999/", "https://\uff03x.org/",
                "", "relative/path", "file:///tmp/x.html", "https://arxiv.org/abs/2204.02311v0",
                "https://arxiv.org/a/x" + "y" * 2000, "https://export.arxiv.org/api/query?start=①",
                "https://www.catalyzex.com/author/%ZZ", "https://www.catalyzex.com/author/\ud800x",
                "javascript:alert(1)", "https://arxiv.org/list/" + "%" * 100)


@dataclass(frozen=True)
class CorpusPage:
    file: str                     # relative to fixtures/
    url: str
    body: bytes


@cache
def corpus() -> tuple[CorpusPage, ...]:
    """Every saved page in fixtures/, with the URL it is served at (the manifest's, else its directory's)."""
    rows = json.loads((FIXTURES / "pages.json").read_text(encoding="utf-8"))
    urls = {row["file"]: row["url"] for row in rows}
    pages = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix not in PAGE_SUFFIXES or not path.is_file():
            continue
        name = path.relative_to(FIXTURES).as_posix()
        url = urls.get(name) or DEFAULT_URLS.get(name.split("/")[0], "https://example.org/" + name)
        pages.append(CorpusPage(name, url, path.read_bytes()))
    return tuple(pages)


@cache
def corpus_by_site() -> dict[str, tuple[CorpusPage, ...]]:
    """The corpus grouped by the adapter that reads each unmutated page."""
    grouped: dict[str, list[CorpusPage]] = {}
    for page in corpus():
        try:
            site = parse_page(Page.from_bytes(page.body, page.url), as_of=CAPTURE_DAY).site
        except (PageError, UnrecognisedPage):
            site = "unrecognised"
        grouped.setdefault(site, []).append(page)
    return {site: tuple(pages) for site, pages in grouped.items()}


def seed_digest(file: str) -> str:
    return hashlib.sha256((FIXTURES / file).read_bytes()).hexdigest()[:16]


# -- the contract --------------------------------------------------------------------------------------


def one_line(text: str) -> bool:
    return isinstance(text, str) and len(text.splitlines()) == 1


def check_contract(body: bytes, url: str, content_type: str | None = None, as_of: date = CAPTURE_DAY,
                   site: str | None = None) -> ParseResult | None:
    """Parse like the spider does and assert the contract; the result, or None when the page was refused."""
    try:
        page = Page.from_bytes(body, url, content_type)
        result = parse_page(page, as_of=as_of, site=site)
    except (PageError, UnrecognisedPage) as exc:
        message = str(exc)
        assert one_line(message), f"multi-line message: {message!r}"
        assert message.startswith(url), f"message does not name the URL {url!r}: {message!r}"
        return None
    for record in result.records:
        errors = validation_errors(record)
        assert errors == [], f"invalid {record.type} record {to_dict(record)!r}: {errors}"
        # raises on a lone surrogate, and on NaN or infinity (not JSON: a database refuses the line)
        json.dumps(to_dict(record), ensure_ascii=False, allow_nan=False).encode("utf-8")
    for problem in result.problems:
        assert one_line(problem), f"multi-line problem: {problem!r}"
        problem.encode("utf-8")
    for link in result.follow:
        urlsplit(link.url)  # the spider follows it: urllib must read it
        link.url.encode("utf-8")
    return result


# -- strategies ----------------------------------------------------------------------------------------

# Text that is neither a line break nor a surrogate nor a control character: a URL a server could send.
URL_CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
_DIGITS = re.compile(rb"[0-9]+")


def urls(base: str) -> st.SearchStrategy[str]:
    """The page's own URL, a hostile one, a mutation of it, or any text."""
    spliced = st.tuples(st.integers(0, len(base)), st.sampled_from(("[", "]", "//[", "@[x]:", "\uff03", "%", "#",
                                                                    ":99999", "?", " ", "..", "\u0130"))
                        ).map(lambda cut: base[:cut[0]] + cut[1] + base[cut[0]:])
    return st.one_of(st.just(base), st.sampled_from(HOSTILE_URLS), spliced, st.text(URL_CHARACTERS, max_size=60))


@st.composite
def mutated(draw, body: bytes) -> bytes:
    """The page after one to four hostile edits."""
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(("truncate", "flip", "splice", "delete", "repeat", "number", "splice")))
        at = draw(st.integers(0, len(body)))
        if kind == "truncate":
            body = body[:at]
        elif kind == "flip":
            body = body[:at] + bytes([draw(st.integers(0, 255))]) + body[at + 1:]
        elif kind == "splice":
            fragment = draw(st.sampled_from(HOSTILE_FRAGMENTS) | st.text(max_size=30))
            body = body[:at] + fragment.encode("utf-8", "surrogatepass") + body[at:]
        elif kind == "delete":
            body = body[:at] + body[at + draw(st.integers(1, 2000)):]
        elif kind == "repeat":  # a block repeated: wide pages, duplicated cards
            piece = body[at:at + draw(st.integers(1, 3000))]
            body = body[:at] + piece * draw(st.integers(2, 20)) + body[at:]
        else:  # every number on the page, or one of them, made unreadable or out of range
            replacement = draw(st.sampled_from(("-5", "0", "①", "١٢٣", "1" + "0" * 40, "9" * 4400, "150", "1e999")))
            count = 1 if len(replacement) > 100 else draw(st.sampled_from((0, 1, 3)))  # 0: every number
            body = _DIGITS.sub(replacement.encode(), body, count=count)
    return body


@st.composite
def token_soup(draw) -> bytes:
    """A page built from the words and tags the adapters look for, in any order: it gets past recognition."""
    tokens = st.sampled_from(HOSTILE_FRAGMENTS) | st.text(max_size=12) | st.sampled_from((
        "<html>", "<body>", "</p><p>", "<article>", "</article>", "<a href=\"/paper/x\">", "</a>", "<h1>",
        "<br>", "Sharan Narang", "CL", "h-index29", "32papers", "88,855citations", "32 Papers",
        "Apr 19, 2022", "A B, C D", "This is a sentence.", "- URL: https://arxiv.org/abs/2204.02311",
        "- Date: 2022-04-05", "[0.5]", '<dl id="articles"><dt>', "<dd>", '<div class="list-title">',
        '<div class="submission-history">', '<h1 class="title">', "<entry>", "</entry>", "<title>T</title>",
        "<id>http://arxiv.org/abs/2204.02311v2</id>"))
    separators = st.sampled_from(("\n", " ", "", "\n\n", "\t"))
    parts = draw(st.lists(st.tuples(tokens, separators), max_size=60))
    return "".join(token + separator for token, separator in parts).encode("utf-8", "surrogatepass")

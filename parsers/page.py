"""The page model: one view of a page built either from HTML or from a plain-text capture.

Site adapters read ``Page.lines`` (the visible text, one block per line, as a browser would
render it), so the same adapter reads a saved HTML page and a text capture of it. From HTML
each line also carries the links and images inside it, and the page keeps what text lacks:
``<meta name="citation_*">`` tags, other ``<meta>`` values, JSON-LD blocks and the lxml tree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector
from w3lib.encoding import html_to_unicode

# Elements that start a new line when rendered, as in a browser's innerText.
BLOCK_TAGS = frozenset(
    """address article aside blockquote body dd details dialog div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead
    tfoot tr td th ul br title""".split()
)
# Never rendered as text.
SKIP_TAGS = frozenset("script style noscript template head svg".split())
# How much of a page must look like markup for it to be read as HTML rather than as a text capture.
_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|head|body|div|meta|p|a)[\s>]", re.I)
# An XML document whose root is an Atom <feed> (after an optional prolog and comments): a feed, whatever the
# Content-Type says (the arXiv API's answers have come as text/html).
_FEED_SNIFF = re.compile(rb"\s*(?:<\?xml[^>]{0,200}\?>\s*)?(?:<!--.{0,2000}?-->\s*)*<feed[\s>]", re.S)
# libxml2 parses HTML as the UTF-8 we give it, with huge_tree: without it, elements nested more than 256 deep
# are dropped with everything inside them (a whole <body>), and text nodes over 10 MB are cut.
_HTML_PARSER = etree.HTMLParser(encoding="utf-8", huge_tree=True)
# lxml.html's own parser picks each element's class in Python (a call per element the walk or a selector
# touches: 10 % of a profile page's parse) to give forms and inputs their own classes, which nothing here uses;
# this lookup, in C, makes every element an HtmlElement: text_content(), cssselect() and the rest alike.
_HTML_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction))
# A root-relative path that urljoin returns as it is, after the page's scheme and host: non-empty segments of
# plain characters, no query, fragment, ";" parameters or ":" (dot segments are ruled out apart).
_PLAIN_PATH = re.compile(r"(?:/[A-Za-z0-9_~!$&'()*+,=@%.-]+)+/?")
# Lone surrogates: Python strings can hold them (JSON "\ud800"), UTF-8 cannot; lxml stops at one.
_SURROGATE = re.compile("[\ud800-\udfff]")
# JSON numbers longer than this are not data any page field uses; int() refuses over 4300 digits.
_MAX_JSON_DIGITS = 40
# A numeric character reference ("&#xD800;", "&#55296;"): libxml2's XML parser, recovering from one naming a
# surrogate, keeps bytes lxml cannot decode, and reading that text raises (an Atom feed's entry id did).
_CHAR_REF = re.compile(r"&#(?:[xX](?P<hex>[0-9a-fA-F]{1,8})|(?P<dec>[0-9]{1,10}));")
# A "\uD800"-"\uDFFF" escape: the only way a lone surrogate gets into JSON-LD read from a scrubbed document.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

# Bounds on how much of one page is read, so that no page of up to 10 MiB (the crawl's DOWNLOAD_MAXSIZE) costs
# more than a second or two, or its tree and lines hundreds of MB. Each is far above any real page's (the
# largest fixtures: 9,411 tags, 562 lines, 2,890 links, 23 images, a 34,229-character line; an arXiv listing of
# 2,000 entries, the most it shows, has about 150,000 tags). What lies beyond a bound is not read, as if the
# page had been cut short there, and the page's problems say what was cut.
MAX_TAGS = 250_000          # "<" in the document: an HTML page is parsed up to its 250,000th tag
MAX_LINES = 10_000          # rendered lines of text
MAX_LINKS = 20_000          # links kept on the lines (their text stays); an author list of 10,000 names is 10,000
MAX_IMAGES = 10_000         # images kept on the lines (their alt text stays)
MAX_LINE_TEXT = 1_000_000   # characters of one line (the longest author list parsers.fields.names reads)


class PageError(ValueError):
    """A page that cannot be read at all (empty, not text, or its URL not a URL)."""


def join_url(base: str, href: str) -> str | None:
    """``href`` made absolute against ``base``; None where urllib cannot read either ("//[", "http://[::1",
    "http://a:b@[x]:99/"): a link the page spells wrong is not a link, and never an exception."""
    try:
        joined = urljoin(base, href.strip())
        urlsplit(joined)  # urljoin returns some hrefs unread (any href, when base is "")
    except ValueError:
        return None
    return joined


def scrub_surrogates(text: str) -> str:
    """Lone surrogates replaced by U+FFFD, as a decoder replaces bytes it cannot read."""
    return text if text.isascii() else _utf8(text)[1]


def _utf8(text: str) -> tuple[bytes, str]:
    """The text as UTF-8, and the text itself, lone surrogates (which UTF-8 cannot hold) replaced by U+FFFD.
    Encoding is the test: 5x faster than searching a page for them with a regex."""
    try:
        return text.encode("utf-8"), text
    except UnicodeEncodeError:
        text = _SURROGATE.sub("\ufffd", text)
        return text.encode("utf-8"), text


@dataclass(frozen=True)
class Link:
    url: str   # absolute
    text: str
    rel: str = ""


@dataclass(frozen=True)
class Image:
    src: str   # absolute
    alt: str


@dataclass
class Line:
    """One rendered line of visible text, with the links and images inside it (HTML only)."""

    text: str
    links: list[Link] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    element: object | None = None  # the lxml element the line came from, for adapters that need attributes

    def link_to(self, pattern: str | re.Pattern[str]) -> Link | None:
        """The first link in this line whose URL matches ``pattern``."""
        search = re.compile(pattern).search  # once per call, not once per link
        return next((link for link in self.links if search(link.url)), None)


class Page:
    """A page as lines of visible text, plus, for HTML, its tree, meta tags and JSON-LD.

    The lines of an HTML page are rendered on first use: adapters that read only the tree and the
    meta tags (arXiv) never pay for the rendering.
    """

    def __init__(self, url: str, lines: list[Line] | None = None, kind: str = "text", *,
                 meta: dict[str, list[str]] | None = None, jsonld: list[dict] | None = None,
                 tree: object | None = None, base: str | None = None) -> None:
        if not url or not isinstance(url, str):
            raise PageError(f"{url!r}: a page needs its URL (records name it as their source)")
        try:
            urlsplit(url)  # every adapter splits the page URL (host, path): one that cannot be split is no URL
        except ValueError as exc:
            raise PageError(f"{url}: not a URL ({exc})") from None
        if not url.isascii() and _SURROGATE.search(url):  # from bytes that were not UTF-8 (argv)
            raise PageError(f"{url}: not a URL (a lone surrogate: bytes that are not UTF-8)")
        self.url = url
        self.kind = kind                              # "html" or "text"
        self.meta = meta or {}                        # <meta name|property|itemprop> -> values, in order
        self.jsonld = jsonld or []
        self.tree = tree                              # lxml root for HTML pages
        self.encoding = "utf-8"
        self.problems: list[str] = []                 # what was wrong with the bytes themselves
        self.raw = ""                                 # the decoded document, for XML feeds and re-parsing
        self._base = base or url
        self._lines = lines
        self._origin: str | None = None               # scheme://host of the URL, once absolute() needs it

    @property
    def lines(self) -> list[Line]:
        if self._lines is None:
            self._lines, cut = _render_lines(self.tree, self._base) if self.tree is not None else ([], [])
            self.problems += cut
        return self._lines

    def __repr__(self) -> str:
        return f"Page({self.url!r}, kind={self.kind!r})"

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_bytes(cls, body: bytes, url: str, content_type: str | None = None) -> Page:
        """Sniff HTML vs text capture and decode with the declared or detected encoding."""
        if not body or body.isspace():
            raise PageError(f"{url}: empty page")
        is_html = (content_type or "").lower().startswith(("text/html", "application/xhtml")) or bool(
            _HTML_SNIFF.search(body[:4096])
        )
        if is_html and _FEED_SNIFF.match(body[:4096]):
            is_html = False
        encoding, text = html_to_unicode(content_type and f"text/html; {content_type}", body)
        data, text = _utf8(text)  # lone surrogates scrubbed: a UTF-7 or UTF-16 body can decode to them
        problems = []
        replaced = text.count("\ufffd")
        if "\x00" in text or replaced > len(text) // 10:
            # An image, a PDF or a compressed body: no layout to recognise, say what it is instead.
            raise PageError(f"{url}: not text (binary content, {len(body)} bytes)")
        if replaced:
            problems.append(f"bytes not valid {encoding}: {replaced} characters replaced")
        page = cls.from_html(data, url) if is_html else cls.from_text(text, url)
        page.encoding = encoding
        page.raw = text if is_html or "&#" not in text else _CHAR_REF.sub(_no_surrogate_ref, text)
        page.problems[:0] = problems
        return page

    @classmethod
    def from_file(cls, path: str | Path, url: str | None = None) -> Page:
        path = Path(path)
        return cls.from_bytes(path.read_bytes(), url or path.resolve().as_uri())

    @classmethod
    def from_text(cls, text: str, url: str) -> Page:
        """A plain-text capture: each non-blank line is a line of the page."""
        lines, problems = [], []
        for raw in scrub_surrogates(text).splitlines():
            line = _clean(raw)
            if not line:
                continue
            if len(lines) == MAX_LINES:
                problems.append(f"page: more than {MAX_LINES:,} lines; only the first {MAX_LINES:,} read")
                break
            if len(line) > MAX_LINE_TEXT:
                problems.append(_long_line(len(lines) + 1, len(line)))
                line = line[:MAX_LINE_TEXT]
            lines.append(Line(line))
        page = cls(url=url, lines=lines, kind="text")
        page.problems += problems
        return page

    @classmethod
    def from_html(cls, html: str | bytes, url: str) -> Page:
        """The page of a decoded HTML document (bytes: UTF-8). Parsed as UTF-8 bytes: lxml refuses a string
        that declares its encoding, as an XHTML page's ``<?xml version="1.0" encoding="UTF-8"?>`` does."""
        data = _utf8(html)[0] if isinstance(html, str) else html
        cut = _nth_tag_offset(data, MAX_TAGS + 1)
        if cut is not None:
            problem = (f"page: more than {MAX_TAGS:,} tags; only the first {MAX_TAGS:,} read ({cut:,} of "
                       f"{len(data):,} bytes)")
            data = data[:cut]
        try:
            root = lxml.html.document_fromstring(data, parser=_HTML_PARSER)
        except (etree.ParserError, ValueError) as exc:
            raise PageError(f"{url}: not parseable as HTML ({' '.join(str(exc).split())})") from exc
        # iter() rather than an XPath over the whole document: lxml filters the tag in C (14 -> 1 us).
        href = next((href for href in (el.get("href") for el in root.iter("base")) if href is not None), "")
        base = (join_url(url, href) if href else None) or url  # a <base href> urllib cannot read is ignored
        jsonld, bad = _read_jsonld(root)
        page = cls(url, None, "html", meta=_read_meta(root), jsonld=jsonld, tree=root, base=base)
        page.problems += ([problem] if cut is not None else []) + bad
        return page

    # -- reading ------------------------------------------------------------------------------

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    def meta_first(self, name: str) -> str | None:
        values = self.meta.get(name)
        return values[0] if values else None

    @property
    def links(self) -> list[Link]:
        return [link for line in self.lines for link in line.links]

    @property
    def images(self) -> list[Image]:
        return [image for line in self.lines for image in line.images]

    def css(self, selector: str) -> list:
        """CSS selection on the HTML tree (empty for a text capture)."""
        return _css_selector(selector)(self.tree) if self.tree is not None else []

    def absolute(self, href: str) -> str | None:
        """``href`` made absolute against the page URL; None when it is not a URL (see join_url)."""
        path = href.strip()
        if _PLAIN_PATH.fullmatch(path) and "/." not in path:
            # What urljoin gives such a path, 20 times faster: adapters make a URL per entry ("/abs/<id>").
            if self._origin is None:
                parts = urlsplit(self.url)
                self._origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
            if self._origin:
                return self._origin + path
        return join_url(self.url, href)


@lru_cache(maxsize=256)
def _css_selector(selector: str) -> CSSSelector:
    """The selector compiled once: ``HtmlElement.cssselect`` translates and compiles it on every call, which
    costs more than matching it (a CatalyzeX page: 138 -> 31 us for its next-page selector)."""
    return CSSSelector(selector, translator="html")


def _nth_tag_offset(data: bytes, nth: int) -> int | None:
    """Offset of the nth "<" in the document; None when it has fewer. Counted a block at a time in C, then
    found within its block: 10 MiB in a few ms."""
    if len(data) < nth or data.count(b"<") < nth:
        return None
    seen, block = 0, 1 << 16
    for start in range(0, len(data), block):
        count = data.count(b"<", start, start + block)
        if seen + count >= nth:
            offset = start - 1
            for _ in range(nth - seen):
                offset = data.find(b"<", offset + 1)
            return offset
        seen += count
    return None


def _no_surrogate_ref(match: re.Match[str]) -> str:
    """A character reference as it is, unless it names a surrogate: then U+FFFD's (as lone surrogates are)."""
    code = int(match["hex"], 16) if match["hex"] else int(match["dec"])
    return "&#xFFFD;" if 0xD800 <= code <= 0xDFFF else match.group(0)


def _long_line(number: int, length: int) -> str:
    return f"line {number}: {length:,} characters; only the first {MAX_LINE_TEXT:,} read"


def _clean(text: str) -> str:
    if "\u200b" in text:
        text = text.replace("\u200b", " ")
    return " ".join(text.split())  # str.split folds every Unicode space, nbsp included; faster than a regex


class _Resolver:
    """Absolute URLs for hrefs, cheaply: most links on these pages are absolute or root-relative."""

    def __init__(self, base: str) -> None:
        self.base = base
        parts = urlsplit(base)  # the page URL or a joined <base href>: both split
        self.origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

    def __call__(self, href: str) -> str | None:
        """The absolute URL, or None for an href urllib cannot read (see join_url)."""
        href = href.strip()
        # Only brackets (IPv6 hosts) and non-ASCII hosts make urllib refuse a URL: those take the slow path, and
        # so do control characters: urllib drops a tab or line break inside a URL, which would otherwise stay
        # in it (and split the one-line problem naming an image's URL).
        if (href.startswith(("https://", "http://")) and href.isascii() and href.isprintable()
                and "[" not in href and "]" not in href):
            return href
        if (self.origin and href.startswith("/") and not href.startswith("//") and "/." not in href
                and href.isprintable()):
            return self.origin + href
        return join_url(self.base, href)


class _PageFull(Exception):
    """Raised inside the walk when MAX_LINES lines are rendered: the rest of the page is not read."""


def _render_lines(root, base: str) -> tuple[list[Line], list[str]]:
    """Walk the tree once, breaking lines at block elements, as innerText does.

    An ``<img>`` renders as its alt text, inline, and the line carries the image: the text
    captures of these sites show alt texts ("Figure 1 for …", "Viaarxiv icon").
    Iterative (lxml's iterwalk) rather than recursive, with no call per element (only per block) and a
    Line built only for a line that has text: this walk is most of the cost of a page. A link's text
    (its ``text_content()``: every text node inside it, scripts included, alt texts not) is collected
    during the same walk rather than by a second walk of each link's subtree.
    Returns the lines and what of the page was not read (past MAX_LINES, MAX_LINKS, MAX_IMAGES, MAX_LINE_TEXT).
    """
    absolute = _Resolver(base)
    lines: list[Line] = []
    parts: list[str] = []          # text of the current line, alt texts included
    links: list = []               # of the current line; None holds the place of a link still open
    images: list[Image] = []
    element = None                 # the block element the current line came from
    open_links: list[tuple] = []   # (<a>, its line's links, index there, url, rel, start in link_texts)
    link_texts: list[str] = []     # text nodes met while a link is open: a link's text is a slice of it
    problems: list[str] = []
    links_left, images_left = MAX_LINKS, MAX_IMAGES  # then links and images are not kept, their text is
    links_cut = images_cut = False

    def end_line(next_element) -> None:
        """At a block boundary: the text so far becomes a line (if it has any), the next one starts."""
        nonlocal links, images, element
        text = _clean("".join(parts)) if parts else ""
        if text or images:
            if len(lines) == MAX_LINES:
                problems.append(f"page: more than {MAX_LINES:,} lines; only the first {MAX_LINES:,} read")
                raise _PageFull
            if len(text) > MAX_LINE_TEXT:
                problems.append(_long_line(len(lines) + 1, len(text)))
                text = text[:MAX_LINE_TEXT]
            lines.append(Line(text, links, images, element))
            images = []
        parts.clear()
        links = []
        element = next_element

    body = root.find("body")
    # Comments and processing instructions come as their own events: without them their tail text
    # ("a<!-- x -->b": the "b") would be lost.
    walker = etree.iterwalk(body if body is not None else root, events=("start", "end", "comment", "pi"))
    try:
        for event, el in walker:
            tag = el.tag  # lower case: libxml2's HTML parser folds tag names
            if event == "start":
                if tag in SKIP_TAGS:
                    walker.skip_subtree()
                    if open_links:
                        link_texts.append("".join(el.itertext()))
                    continue
                if tag in BLOCK_TAGS:
                    end_line(el)
                if tag == "img":
                    src, alt = el.get("src"), el.get("alt")
                    alt = _clean(alt) if alt else ""
                    if src or alt:
                        if images_left:
                            images.append(Image(absolute(src or "") or "", alt))
                            images_left -= 1
                        else:
                            images_cut = True
                        parts.append(alt)
                    continue
                if tag == "a":
                    href = el.get("href")
                    if href and not links_left:
                        href, links_cut = None, True
                    url = absolute(href) if href else None
                    if url:
                        links_left -= 1
                        open_links.append((el, links, len(links), url, el.get("rel") or "", len(link_texts)))
                        links.append(None)
                text = el.text
                if text:
                    parts.append(text)
                    if open_links:
                        link_texts.append(text)
            else:
                if tag.__class__ is str:
                    if tag in BLOCK_TAGS:
                        end_line(None)
                    elif tag == "a" and open_links and open_links[-1][0] is el:
                        _, in_links, index, url, rel, start = open_links.pop()
                        in_links[index] = Link(url, _clean("".join(link_texts[start:])), rel)
                        if not open_links:
                            link_texts.clear()
                tail = el.tail
                if tail:
                    parts.append(tail)
                    if open_links:
                        link_texts.append(tail)
        end_line(None)
    except _PageFull:
        for _, in_links, index, url, rel, start in open_links:  # links the cut left open: their text so far
            in_links[index] = Link(url, _clean("".join(link_texts[start:])), rel)
    if links_cut:
        problems.append(f"page: more than {MAX_LINKS:,} links; only the first {MAX_LINKS:,} kept "
                        "(the others keep their text)")
    if images_cut:
        problems.append(f"page: more than {MAX_IMAGES:,} images; only the first {MAX_IMAGES:,} kept "
                        "(the others keep their alt text)")
    return lines, problems


def _read_meta(root) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        name = el.get("name") or el.get("property") or el.get("itemprop")
        content = el.get("content")
        if name and content is not None:
            meta.setdefault(name.strip(), []).append(_clean(content))
    return meta


def _read_jsonld(root) -> tuple[list[dict], list[str]]:
    found, problems = [], []
    for script in (el for el in root.iter("script") if el.get("type") == "application/ld+json"):
        text = script.text or ""
        try:
            data = json.loads(text, parse_int=_json_int)
        except json.JSONDecodeError as exc:
            problems.append(f"JSON-LD block not valid JSON: {exc}")
            continue
        except RecursionError:  # thousands of "[": Python's decoder recurses once per level
            problems.append("JSON-LD block nested too deep to read")
            continue
        if isinstance(data, dict):
            data = data.get("@graph", [data])
        items = data if isinstance(data, list) else []
        if _SURROGATE_ESCAPE.search(text):  # else no string in it holds one: spare the walk of every value
            items = [_scrub_json(item) for item in items if isinstance(item, dict)]
        found += [item for item in items if isinstance(item, dict)]
    return found, problems


def _json_int(digits: str) -> int | None:
    """A JSON integer; None for one too long to be any field's value (int() refuses thousands of digits)."""
    return int(digits) if len(digits) <= _MAX_JSON_DIGITS else None


def _scrub_json(data: dict) -> dict:
    """The JSON-LD item with lone surrogates ("\\ud800" escapes) in its strings replaced, in place.
    Iterative: the item may be nested as deep as the decoder allowed."""
    stack: list = [data]
    while stack:
        node = stack.pop()
        pairs = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        if isinstance(node, dict) and any(isinstance(key, str) and _SURROGATE.search(key) for key, _ in pairs):
            node.clear()
            pairs = [(scrub_surrogates(key), value) for key, value in pairs]
        for key, value in pairs:
            if isinstance(value, str):
                node[key] = scrub_surrogates(value)
            else:
                if isinstance(node, dict):
                    node[key] = value
                if isinstance(value, (dict, list)):
                    stack.append(value)
    return data

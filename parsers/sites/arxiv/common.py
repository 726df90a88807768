"""Markup that arXiv's abstract pages, listing pages and author pages share: descriptors, subjects, author lists."""

from __future__ import annotations

import re
from functools import lru_cache

from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from parsers.fields.names import AuthorList, parse_author_list
from parsers.fields.text import clean_text

# Every labelled block starts with <span class="descriptor">Title:</span>; the label is not part of the value.
DESCRIPTOR = "descriptor"
# "High Energy Physics - Phenomenology (hep-ph); Quantum Physics (quant-ph)": the code closes each subject.
SUBJECT_CODE = re.compile(r"\(([a-z][a-z-]*(?:\.[A-Za-z-]+)?)\)\s*(?:;|$)")
PRIMARY_SUBJECT = "primary-subject"
# The toggle under a long author list ("et al. (2732 additional authors not shown)") is a javascript: link,
# not an author; the page lists every author before it.
AUTHOR_TOGGLE_HREF = "javascript:"
# arXiv author fields are "First Last, First Last and First Last", never "Last, First": a semicolon there
# only closes an affiliation group ("Ajit Kembhavi (IUCAA); K. P. Singh"), so it separates names like a comma.
GROUP_SEPARATOR = re.compile(r"\s*;\s*")
# Never text: the long author list carries its toggle function in a <script> inside the authors block.
NOT_TEXT = frozenset({"script", "style", "noscript"})
# arXiv shortens a URL in comments and abstracts to a link reading "this http URL"; the href is the value.
SHORTENED_URL = re.compile(r"^\s*this https? URL\s*$")


@lru_cache(maxsize=None)
def _compiled(css: str) -> CSSSelector:
    return CSSSelector(css)


def select(root: HtmlElement, css: str) -> list[HtmlElement]:
    """CSS selection with the selector compiled once (compiling costs more than matching on these pages)."""
    return _compiled(css)(root) if root is not None else []


def text_without_descriptor(element: HtmlElement) -> str:
    """The element's text with its leading "Title:"/"Authors:" label left out."""
    return clean_text("".join(_text_parts(element, _is_descriptor)))


def _is_descriptor(node) -> bool:
    return node.get("class") == DESCRIPTOR or node.tag in NOT_TEXT


def _is_not_author(node) -> bool:
    return (_is_descriptor(node)
            or (node.tag == "a" and (node.get("href") or "").startswith(AUTHOR_TOGGLE_HREF)))


def _text_parts(element, skip) -> list[str]:
    """Text of the element in document order, leaving out subtrees for which ``skip`` is true (never
    touching the tree: the page is shared by every reader). Iterative: a hostile page nests thousands deep."""
    parts: list[str] = []
    stack: list = [element]  # elements still to enter, and the tails (str) to write after a subtree
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
            continue
        parts.append(node.text or "")
        pending = []
        for child in node:
            if not isinstance(child.tag, str) or skip(child):
                pass
            elif child.tag == "a" and child.get("href") and SHORTENED_URL.match(child.text_content()):
                pending.append(child.get("href"))
            else:
                pending.append(child)
            pending.append(child.tail or "")
        stack += reversed(pending)
    return parts


def subject_codes(element: HtmlElement) -> list[str]:
    """Category codes of a subjects cell, primary first (arXiv marks it with span.primary-subject)."""
    primary = element.find(f".//span[@class='{PRIMARY_SUBJECT}']")
    codes = SUBJECT_CODE.findall(text_without_descriptor(element))
    if primary is not None:
        first = SUBJECT_CODE.findall(clean_text(primary.text_content()))
        codes = first + [code for code in codes if code not in first]
    return list(dict.fromkeys(codes))


def author_names(element: HtmlElement) -> AuthorList:
    """Names in an authors block and whether the page shows them all.

    The javascript toggle after a long list is left out: every author is on the page before it. A plain-text
    "(N additional authors not shown)" means arXiv's metadata itself stops there, and the name-list parser
    reads it as a cut list. Affiliations in parentheses and a "Collaboration:" prefix are its job too.
    """
    text = clean_text("".join(_text_parts(element, _is_not_author)))
    return parse_author_list(GROUP_SEPARATOR.sub(", ", text))

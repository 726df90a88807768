"""Author lists as pages print them -> names, and a key for matching one person across pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.fields.text import clean_text, fold_key, join_wrapped_lines

__all__ = ["AuthorList", "parse_author_list", "normalise_name"]


@dataclass(frozen=True)
class AuthorList:
    """The names of an author list, in page order."""

    names: tuple[str, ...]
    complete: bool  # False when the page cut the list ("et al.", "…", "(750 additional authors not shown)")
    raw: str  # the text as given


# "Authors:" label in front of the list (arXiv abs pages, paper-digest "- Authors:").
_LABEL = re.compile(r"^[\s\-–•*]*authors?\s*:\s*", re.IGNORECASE)
# Where a page cuts the list; everything from here on is not an author ("You must enable JavaScript ...").
_CUT = re.compile(
    r"\bet\s*al\b\.?|…|\.\.\.|\band\s+others\b"
    r"|\(\s*\d[\d,]*\s+(?:additional|more)\s+authors?\b[^)]*\)",
    re.IGNORECASE)
# Cheap tests that a text may hold a cut, each implied by one of _CUT's alternatives (read on the text
# lower-cased): most lists hold none, and skipping _CUT's case-blind scan of them is 20 times faster.
_CUT_WORDS = ("others", "author")
_CUT_MARKS = ("…", "...")
_ET_AL = re.compile(r"et\s*al")
# The comma and spaces before the cut go with it. Found backwards from the cut rather than as a leading ",?\s*"
# in _CUT, which would make re try the whole pattern at every position (twice as slow).
_BEFORE_CUT = re.compile(r",?\s*$")
# A collaboration heading the list: "LHCb Collaboration: R. Aaij, ..." is one author entry, then the people.
_COLLABORATION = re.compile(r"^([^:()]{1,150}?\bcollaborations?)\s*:\s*", re.IGNORECASE)
# Separators and brackets, scanned together so a separator inside "(1 and 2)" or "(Padua Univ., Italy)" is
# not a separator.
_TOKENS = re.compile(r"[()\[\]]|[,;&]|\band\b")
_PARENTHESISED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_HAS_BRACKET = re.compile(r"[()\[\]]")
_SEPARATORS = re.compile(r"[,;&]|\band\b")
_SEMICOLON_SEPARATORS = re.compile(r"[;&]|\band\b")
_AND = re.compile(r"\band\b")
# What _clean_name strips off a name; the names of a cleaned list without brackets need nothing else.
_NAME_STRIP = " ,;:·"
# Name suffixes that a comma separates from the name they belong to ("Martin Luther King, Jr.").
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# Bounds on hostile input. The longest author lists known (collider papers) have about 5,000 names; a list is
# read up to MAX_AUTHORS names (in at most MAX_LIST_TEXT characters) and the rest is a cut list, as "et al."
# is. Brackets nest at most MAX_BRACKET_DEPTH deep in an affiliation; deeper ones are not unpeeled (each level
# is one more pass over the text).
MAX_AUTHORS = 10_000
MAX_LIST_TEXT = 1_000_000
MAX_BRACKET_DEPTH = 8


def _split(text: str, bracketed: bool) -> list[str]:
    """Split at separators outside brackets. With semicolons present, commas belong to "Last, First" names.
    ``bracketed``: whether the text holds a bracket (the caller looked)."""
    if not bracketed:  # no bracket to stay outside of: no loop
        if "and" in text and _AND.search(text):  # a separating "and" (not the one inside "Alexander")
            return (_SEMICOLON_SEPARATORS if ";" in text else _SEPARATORS).split(text)
        separator = ";" if ";" in text else ","  # str.split: 40 times faster than a regex split
        return (text.replace("&", separator) if "&" in text else text).split(separator)
    separators = {";", "&", "and"} if ";" in text else {",", ";", "&", "and"}
    parts, opened, start = [], [], 0
    for match in _TOKENS.finditer(text):
        token = match.group(0)
        if token in "([":
            opened.append(match.start())
        elif token in ")]":
            if opened:
                opened.pop()
        elif token in separators and not opened:
            parts.append(text[start:match.start()])
            start = match.end()
    # A bracket never closed: the list was cut inside an affiliation ("Yu Shi (Dept. of Phys., fudan Univ").
    parts.append(text[start:opened[0]] if opened else text[start:])
    return parts


def _clean_name(part: str) -> str:
    """One list entry -> the name: bracketed affiliations ("(1 and 2)", "(CERN-TH)") and stray punctuation
    go."""
    previous = None
    for _ in range(MAX_BRACKET_DEPTH):  # nested brackets: "((1) Justus-Liebig-Universität ...)"
        if previous == part or not _HAS_BRACKET.search(part):
            break
        previous, part = part, _PARENTHESISED.sub(" ", part)
    return clean_text(part).strip(_NAME_STRIP)


def _find_cut(flat: str) -> re.Match[str] | None:
    lower = flat.lower()
    if (any(mark in flat for mark in _CUT_MARKS) or any(word in lower for word in _CUT_WORDS)
            or _ET_AL.search(lower)):
        return _CUT.search(flat)
    return None


def parse_author_list(text: str) -> AuthorList:
    """Names of an author list: separated by commas, ";", "and", ", and", "&"; wrapped over lines (a line
    ending in "Meier-" keeps its hyphen); "et al." and "(N additional authors not shown)" mark it incomplete.
    A comma-separated "Jr." joins the name before it. An empty or unreadable list is (), not complete."""
    if not isinstance(text, str):
        return AuthorList((), False, "")
    flat = join_wrapped_lines(text.splitlines())
    if ":" in flat:  # the label and a collaboration heading both end in a colon
        flat = _LABEL.sub("", flat)
    cut = _find_cut(flat)
    if cut:
        flat = flat[:_BEFORE_CUT.search(flat, 0, cut.start()).start()]
    too_long = len(flat) > MAX_LIST_TEXT
    if too_long:  # read up to the last separator within the bound
        flat = flat[:max(flat.rfind(",", 0, MAX_LIST_TEXT), flat.rfind(";", 0, MAX_LIST_TEXT), 0)]
    names: list[str] = []
    heading = _COLLABORATION.match(flat) if ":" in flat else None
    if heading:
        names.append(clean_text(heading.group(1)))
        flat = flat[heading.end():]
    bracketed = _HAS_BRACKET.search(flat) is not None
    for part in _split(flat, bracketed):
        if len(names) >= MAX_AUTHORS:
            too_long = True
            break
        # Without brackets a name needs only its ends stripped: flat is clean (one space between words).
        name = _clean_name(part) if bracketed else part.strip(_NAME_STRIP)
        if not name:
            continue
        if name.casefold() in SUFFIXES and names:
            names[-1] = f"{names[-1]} {name}"
        else:
            names.append(name)
    return AuthorList(tuple(names), bool(names) and cut is None and not too_long, text)


def display_order(name: str) -> str:
    """One "Last, First" name (Highwire citation_author, BibTeX) in reading order: "Narang, Sharan" ->
    "Sharan Narang", "King, Jr., Martin Luther" and "King, Martin Luther, Jr." -> "Martin Luther King Jr.".
    A name without a comma is returned cleaned, as it is."""
    if not isinstance(name, str):
        return ""
    parts = [clean_text(part) for part in name.split(",")]
    parts = [part for part in parts if part]
    suffixes = [part for part in parts[1:] if part.casefold() in SUFFIXES]
    rest = [part for part in parts if part not in suffixes]
    if len(rest) != 2:  # no comma, or more parts than "Last, First": not this form
        return clean_text(name.replace(",", " ")) if len(rest) > 2 else " ".join(rest + suffixes)
    last, first = rest
    return " ".join([first, last, *suffixes])


def normalise_name(name: str) -> str:
    r"""Key for matching one person across pages: TeX and accents stripped, casefolded, punctuation and extra
    spaces removed. "C. Bal\'azs", "C. Balázs" and "c  balazs" give "c balazs"."""
    return fold_key(name)

"""Paper identifiers in URLs and text: arXiv ids (new and old style, with version) and DOIs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from parsers.fields.categories import ARXIV_ARCHIVES

__all__ = ["ArxivId", "parse_arxiv_id", "parse_doi"]


@dataclass(frozen=True)
class ArxivId:
    """An arXiv identifier as arXiv prints it, without the version."""

    id: str  # "2204.02311", "hep-th/9901001", "math.AG/0101001" (old style keeps its subject class)
    version: int | None  # 2 for "2204.02311v2"; None when the text names no version


# New style (April 2007 on): YYMM.NNNN until 1412, YYMM.NNNNN from 1501. Not glued to digits or dots, so a
# score like 180.69584031908113 or a DOI suffix 4.5678 is not read as one; arXiv's own DOI is
# 10.48550/arXiv.2204.02311.
# ASCII digits only ([0-9], not \d, which matches "٢٢٠٤" too); a version starts at 1 and has at most six digits, so
# "v0" and a run of thousands of digits are not versions (and never reach int()).
# Each pattern opens with a character class and tests what precedes the id just after its first character
# ("[0-9](?<![0-9.][0-9])" is "not after a digit or a dot"): a pattern that opens with a class lets re skip to
# the next candidate character in C, where one that opens with a look-behind is tried at every position
# (a URL: 21 -> 4 us).
_NEW = re.compile(r"(?P<yy>[0-9](?:(?<=arXiv\.[0-9])|(?<![0-9.][0-9]))[0-9])(?P<mm>[0-9]{2})"
                  r"\.(?P<num>[0-9]{4,5})(?:v(?P<v>[1-9][0-9]{0,5}))?(?![0-9])")
# Old style: archive[.CLASS]/YYMMNNN. The class is two letters, written upper case by arXiv ("math.AG"); a page's
# "math.ag" is the same id, its case repaired.
_OLD = re.compile(r"(?P<archive>[a-z](?<![\w.-][a-z])[a-z]*(?:-[a-z]+)?)(?P<cls>\.[A-Za-z]{2})?/"
                  r"(?P<num>[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{3})(?:v(?P<v>[1-9][0-9]{0,5}))?(?![0-9])")
# DOI: "10." registrant "/" suffix. The suffix runs to whitespace, quotes or angle brackets.
_DOI = re.compile(r"\b10\.\d+(?:\.\d+)*/[^\s\"'<>]+")


def _new_style(match: re.Match[str]) -> bool:
    """Whether YYMM.N+ is a real new-style id: month 01-12, 4 digits up to 1412, 5 digits from 1501."""
    year, month, digits = int(match["yy"]), int(match["mm"]), len(match["num"])
    if not 1 <= month <= 12 or (year, month) < (7, 4):
        return False
    return digits == (4 if year < 15 else 5)


def parse_arxiv_id(text: str) -> ArxivId | None:
    """The first arXiv id in a URL or text: "http://arxiv.org/abs/2204.02311v2" -> ArxivId("2204.02311", 2),
    "arXiv:2204.02311", "/pdf/0704.0001", "hep-th/9901001v1". None when there is none."""
    if not isinstance(text, str):
        return None
    new = next((m for m in _NEW.finditer(text) if _new_style(m)), None)
    old = next((m for m in _OLD.finditer(text) if m["archive"] in ARXIV_ARCHIVES), None) if "/" in text else None
    match = new if old is None or (new is not None and new.start() <= old.start()) else old
    if match is None:
        return None
    if match is old:
        identifier = f"{match['archive']}{(match['cls'] or '').upper()}/{match['num']}"
    else:
        identifier = f"{match['yy']}{match['mm']}.{match['num']}"
    return ArxivId(identifier, int(match["v"]) if match["v"] else None)


def parse_doi(text: str) -> str | None:
    """The DOI in a URL or text: "https://doi.org/10.1145/1234.5678", "doi:10.1/x" -> "10.1145/1234.5678",
    "10.1/x". Percent-escapes are decoded; trailing punctuation and unbalanced closing brackets are
    dropped."""
    if not isinstance(text, str):
        return None
    match = _DOI.search(unquote(text))
    if not match:
        return None
    doi = match.group(0).rstrip(".,;:")
    # "(see doi:10.1007/JHEP04(2019)063)": keep the brackets of the DOI, drop the one closing the prose.
    while doi and doi[-1] in ")]" and doi.count(doi[-1]) > doi.count("(" if doi[-1] == ")" else "["):
        doi = doi[:-1].rstrip(".,;:")
    return doi or None

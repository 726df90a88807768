"""arXiv adapter on 75 pages rendered by arXiv's own software (fixtures/arxiv/real, see its README.md).

Abstract pages: every field is checked against truth/<id>.json, which comes from arXiv's metadata files (raw
TeX), not from the HTML; the comparison goes through a TeX-accent normalisation. Listing pages: every entry is
checked against the page's markup read here independently with regular expressions (and, where a truth file
exists for the paper, against the truth). Run with -s to see how many fields were checked.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from email.utils import parsedate_to_datetime

import pytest

from parsers.page import Page
from parsers.records import to_dict, validation_errors
from parsers.result import ParseContext
from parsers.sites import arxiv
from tests.conftest import CAPTURE_DAY, FIXTURES

REAL = FIXTURES / "arxiv" / "real"
MANIFEST = json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))
ABS = [entry for entry in MANIFEST if entry["kind"] == "abs"]
LISTS = [entry for entry in MANIFEST if entry["kind"] == "list"]
NOT_FOUND = [entry for entry in MANIFEST if entry["status_code"] == 404]
CHECKED = {"fields": 0, "pages": 0, "entries": 0}
TRUTH_FILES = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((REAL / "truth").glob("*.json"))]
TRUTH = {truth["arxiv_id"]: truth for truth in TRUTH_FILES if not truth["requested_version"]}

# Where the page itself shows something other than the metadata file, and why (the test then expects the page).
PAGE_DIFFERS = {
    # arXiv's renderer split "The CMS and LHCb Collaborations:" at "and" and prints "The CMS, LHCb Collaborations:".
    ("1411.4413", "authors"): lambda truth: ["The CMS, LHCb Collaborations"] + tex_list(truth["authors"])[1:],
    # arXiv's linkifier turned the file names "paper.sty" and "paper2.sty" into links to http://paper.sty and
    # http://paper2.sty and prints "this http URL" for them: the link is all the page keeps.
    ("atom-ph/9509001", "comments"): lambda truth: tex(truth["comments"]).replace(
        "styles paper.sty and paper2.sty", "styles http://paper.sty and http://paper2.sty"),
}
# Pages print category names as arXiv's taxonomy has them now: an alias under its canonical name and an old
# archive under the category that absorbed it ("supr-con" -> "cond-mat.supr-con"), each once.
CANONICAL_CATEGORY = {
    "math.MP": "math-ph", "stat.TH": "math.ST", "math.IT": "cs.IT", "q-fin.EC": "econ.GN", "cs.SY": "eess.SY",
    "cs.NA": "math.NA", "acc-phys": "physics.acc-ph", "adap-org": "nlin.AO", "alg-geom": "math.AG",
    "ao-sci": "physics.ao-ph", "atom-ph": "physics.atom-ph", "bayes-an": "physics.data-an",
    "chao-dyn": "nlin.CD", "chem-ph": "physics.chem-ph", "cmp-lg": "cs.CL", "comp-gas": "nlin.CG",
    "dg-ga": "math.DG", "funct-an": "math.FA", "mtrl-th": "cond-mat.mtrl-sci", "patt-sol": "nlin.PS",
    "plasm-ph": "physics.plasm-ph", "q-alg": "math.QA", "solv-int": "nlin.SI", "supr-con": "cond-mat.supr-con",
}


def canonical_categories(truth: dict) -> list[str]:
    """The truth's categories as the page prints them. Some truth files of a requested older version carry no
    categories; the paper's categories are then those of its other truth file."""
    codes = truth["categories"] or next(
        (other["categories"] for other in TRUTH_FILES if other["arxiv_id"] == truth["arxiv_id"]
         and other["categories"]), [])
    return list(dict.fromkeys(CANONICAL_CATEGORY.get(code, code) for code in codes))

# TeX accents as arXiv metadata writes them: \'a, \'{a}, {\'a}, \"{o}, \c{c}, \v s, {\ss}.
COMBINING = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
             ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
             "r": "\u030a", "d": "\u0323", "b": "\u0331"}
SYMBOL_ACCENT = re.compile(r"\{?\\(['`^\"~=.])\s*(?:\{\s*\\?([A-Za-z])\s*\}|\\?([A-Za-z]))\}?")
LETTER_ACCENT = re.compile(r"\{?\\([uvHckrdb])(?:\s*\{\s*\\?([A-Za-z])\s*\}|\s+([A-Za-z]))\}?")
SPECIAL_LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å",
                   "AA": "Å", "l": "ł", "L": "Ł", "i": "ı"}
SPECIAL_LETTER = re.compile(r"\{\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i)\}|\\(ss|ae|AE|oe|OE|aa|AA)(?![A-Za-z])")


def tex(text: str | None) -> str | None:
    """Raw TeX metadata -> the Unicode text arXiv's pages show, whitespace collapsed."""
    if text is None:
        return None
    accent = lambda m: (m[2] or m[3]) + COMBINING[m[1]]  # noqa: E731
    text = SYMBOL_ACCENT.sub(accent, text)
    text = LETTER_ACCENT.sub(accent, text)
    text = SPECIAL_LETTER.sub(lambda m: SPECIAL_LETTERS[m[1] or m[2]], text)
    return " ".join(unicodedata.normalize("NFC", text).split())


def tex_list(values: list[str]) -> list[str]:
    return [tex(value) for value in values]


def parse(entry: dict):
    page = Page.from_file(REAL / entry["file"], entry["url"])
    assert arxiv.recognise(page), f"{entry['url']}: not recognised as arXiv"
    return page, arxiv.parse(page, ParseContext(as_of=CAPTURE_DAY))


def expected_abs(truth: dict) -> dict:
    version = truth["requested_version"] or truth["current_version"]
    withdrawn = version in truth["withdrawn_versions"]
    versions = [(v["version"], parsedate_to_datetime(v["date"]).strftime("%Y-%m-%dT%H:%M:%SZ"), v["size_kb"])
                for v in truth["versions"]]
    expected = {
        "arxiv_id": truth["arxiv_id"],
        "version": version,
        "versions": versions,
        "date": versions[0][1],
        "title": tex(truth["title"]),
        "authors": tex_list(truth["authors"]),
        "authors_complete": "additional authors not shown" not in truth["authors_raw"],
        "abstract": tex(truth["abstract"]),
        "categories": canonical_categories(truth),
        "comments": tex(truth["comments"]),
        "journal_ref": tex(truth["journal_ref"]),
        "doi": truth["doi"],
        # A withdrawn version has no licence: the page says "No license for this version due to withdrawn".
        "license": None if withdrawn else truth["license"],
        "report_no": tex(truth["report_no"]),
        "msc_class": tex(truth["msc_class"]),
        "acm_class": tex(truth["acm_class"]),
        "withdrawn": withdrawn,
    }
    for (arxiv_id, field), page_value in PAGE_DIFFERS.items():
        if arxiv_id == truth["arxiv_id"]:
            expected[field] = page_value(truth)
    return expected


def actual_abs(paper) -> dict:
    text_fields = ("title", "abstract", "comments", "journal_ref", "report_no", "msc_class", "acm_class")
    actual = {name: getattr(paper, name) for name in (
        "arxiv_id", "version", "date", "authors_complete", "categories", "doi", "license", "withdrawn")}
    actual.update({name: tex(getattr(paper, name)) for name in text_fields})  # abstracts keep some raw TeX
    actual["authors"] = [tex(name) for name in paper.authors]
    actual["versions"] = [(v.version, v.date, v.size_kb) for v in paper.versions]
    return actual


@pytest.mark.parametrize("entry", ABS, ids=lambda e: e["file"].rsplit("/", 1)[-1])
def test_abstract_page_matches_arxiv_metadata(entry):
    truth = json.loads((REAL / entry["truth"]).read_text(encoding="utf-8"))
    page, result = parse(entry)
    assert len(result.records) == 1, result.problems
    paper = result.records[0]
    expected, actual = expected_abs(truth), actual_abs(paper)
    wrong = {name: (actual[name], value) for name, value in expected.items() if actual[name] != value}
    assert not wrong, f"{entry['url']}: (parsed, truth) differ: {wrong}"
    assert paper.url == f"https://arxiv.org/abs/{truth['arxiv_id']}"
    if not paper.withdrawn:
        assert paper.pdf_url and paper.pdf_url.startswith(f"https://arxiv.org/pdf/{truth['arxiv_id']}")
    assert f"arxiv:{truth['arxiv_id']}" in to_dict(paper)["ids"]
    assert not paper.problems and not validation_errors(paper)
    CHECKED["fields"] += len(expected) + 2
    CHECKED["pages"] += 1


# Independent reading of a listing page: the ids in <dt> blocks and the blocks of each <dd>.
DT_ID = re.compile(r"<dt>.*?href\s*=\s*\"/abs/([^\"]+)\"", re.S)
DD = re.compile(r"<dd>(.*?)</dd>", re.S)
BLOCK = {name: re.compile(rf"<(?:div|p) class='{css}[^']*'>(.*?)</(?:div|p)>", re.S) for name, css in (
    ("title", "list-title"), ("authors", "list-authors"), ("comments", "list-comments"),
    ("journal_ref", "list-journal-ref"), ("subjects", "list-subjects"), ("abstract", "mathjax"))}
TAGS = re.compile(r"<[^>]+>")
SHORTENED_URL = re.compile(r"<a href=\"([^\"]+)\"[^>]*>this https? URL</a>")
LABEL = re.compile(r"^(?:Title|Comments|Journal-ref|Subjects):\s*")
TOTAL = re.compile(r"Total of (\d+) entries")
SUBJECT = re.compile(r"\(([^()]+)\)(?:;|$)")


def block_text(dd: str, name: str) -> str | None:
    match = BLOCK[name].search(dd)
    if not match:
        return None
    text = html.unescape(TAGS.sub("", SHORTENED_URL.sub(r"\1", match[1])))
    return LABEL.sub("", " ".join(text.split())) or None


@pytest.mark.parametrize("entry", LISTS, ids=lambda e: e["file"].rsplit("/", 1)[-1])
def test_listing_page_yields_every_entry(entry):
    page, result = parse(entry)
    source = (REAL / entry["file"]).read_text(encoding="utf-8")
    ids, details = DT_ID.findall(source), DD.findall(source)
    assert [paper.arxiv_id for paper in result.records] == ids
    total = TOTAL.search(source)
    assert result.declared_counts.get("paper") == (int(total[1]) if total else None)
    for paper, dd in zip(result.records, details):
        subjects = block_text(dd, "subjects")
        assert paper.title == block_text(dd, "title")
        assert paper.comments == block_text(dd, "comments")
        assert paper.journal_ref == block_text(dd, "journal_ref")
        assert paper.abstract == block_text(dd, "abstract")
        assert paper.categories[0] == SUBJECT.findall(subjects)[0]  # primary first
        assert sorted(paper.categories) == sorted(SUBJECT.findall(subjects))
        assert len(paper.authors) >= dd.count("searchtype=author") - dd.count("javascript:")
        assert not validation_errors(paper)
        CHECKED["fields"] += 7
        truth = TRUTH.get(paper.arxiv_id)
        if truth:  # the listing must agree with arXiv's metadata too
            assert tex(paper.title) == tex(truth["title"])
            assert tex_list(paper.authors) == tex_list(truth["authors"])
            assert paper.categories == canonical_categories(truth)
            CHECKED["fields"] += 3
    CHECKED["entries"] += len(ids)
    CHECKED["pages"] += 1


def test_listing_pages_follow_their_next_page():
    by_url = {entry["url"]: parse(entry)[1] for entry in LISTS}
    nexts = lambda url: [f.url for f in by_url[url].follow if f.kind == "next-page"]  # noqa: E731
    assert nexts("https://arxiv.org/list/astro-ph/new?skip=25&show=25") == [
        "https://arxiv.org/list/astro-ph/new?skip=50&show=25"]
    assert nexts("https://arxiv.org/list/astro-ph.GA/pastweek") == [
        "https://arxiv.org/list/astro-ph.GA/pastweek?skip=50&show=50"]
    assert nexts("https://arxiv.org/list/astro-ph/new") == []  # all 97 on one page
    assert nexts("https://arxiv.org/list/math/recent?skip=25&show=25") == []  # past the end


@pytest.mark.parametrize("entry", NOT_FOUND, ids=lambda e: e["file"].rsplit("/", 1)[-1])
def test_not_found_page_is_a_problem_not_a_record(entry):
    page, result = parse(entry)
    assert result.records == []
    [problem] = result.problems
    assert problem.field is None and problem.message.startswith("no paper on this abstract page")
    assert "not found" in problem.message


def test_summary():
    print(f"\narXiv real pages: {CHECKED['fields']} fields checked on {CHECKED['pages']} pages "
          f"({CHECKED['entries']} listing entries)")

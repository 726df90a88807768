"""Every line of capture 001 is carried by some record field; and the line-walk helper itself is honest.

Run with ``-s`` to see, per capture line, the field(s) carrying it.
"""

from __future__ import annotations

import pytest

from parsers import Page, parse_page
from parsers.sites import scholar_profile
from tests.conftest import CAPTURE_DAY, FIXTURES, read_jsonl
from tests.sites.coverage import explain_lines, uncovered_lines

CAPTURE = FIXTURES / "scholar_profile" / "sharan-narang.txt"
URL = "https://profiles.example.org/author/sharan-narang"


def capture_lines() -> list[str]:
    return CAPTURE.read_text(encoding="utf-8").splitlines()


def print_explanation(records) -> None:
    for line, carriers in explain_lines(capture_lines(), records, scholar_profile.CHROME_LINES):
        shown = line if len(line) <= 70 else line[:67] + "..."
        print(f"{' + '.join(carriers) if carriers else 'UNCOVERED':<70} | {shown}")


def test_every_line_of_capture_001_is_in_a_parsed_record():
    records = parse_page(Page.from_file(CAPTURE, URL), as_of=CAPTURE_DAY).records
    print_explanation(records)
    assert uncovered_lines(capture_lines(), records, scholar_profile.CHROME_LINES) == []


def test_every_line_of_capture_001_is_in_the_hand_written_records():
    records = read_jsonl(CAPTURE.with_name("sharan-narang.expected.jsonl"))
    assert uncovered_lines(capture_lines(), records, scholar_profile.CHROME_LINES) == []


# -- the helper reports what no field carries ---------------------------------------------------------------

CARD = ["CLJul 18, 2023Code", "Llama 2: Open Foundation", "Hugo Touvron, Louis Martin et al. · meta-ai",
        "We release code and weights."]
PAPER = {"type": "paper", "title": "Llama 2: Open Foundation", "authors": ["Hugo Touvron", "Louis Martin"],
         "authors_complete": False, "organizations": ["meta-ai"], "date_raw": "Jul 18, 2023",
         "categories": ["cs.CL"], "has_code": True, "abstract": "We release code and weights."}


def without(record: dict, **changes) -> dict:
    return {**{k: v for k, v in record.items() if k not in changes}, **{k: v for k, v in changes.items() if v is not None}}


def test_a_card_whose_fields_are_all_carried_is_covered():
    assert uncovered_lines(CARD, [PAPER]) == []
    assert explain_lines(CARD, [PAPER])[0][1] == ["paper[0].categories[0]", "paper[0].date_raw", "paper[0].has_code"]


@pytest.mark.parametrize("changes, line", [
    ({"abstract": None}, "We release code and weights."),
    ({"has_code": False}, "CLJul 18, 2023Code"),           # "code" in the abstract does not carry the flag
    ({"date_raw": None}, "CLJul 18, 2023Code"),
    ({"categories": ["cs.LG"]}, "CLJul 18, 2023Code"),
    ({"authors_complete": True}, "Hugo Touvron, Louis Martin et al. · meta-ai"),
    ({"organizations": None}, "Hugo Touvron, Louis Martin et al. · meta-ai"),
    ({"authors": ["Hugo Touvron"]}, "Hugo Touvron, Louis Martin et al. · meta-ai"),
    ({"title": "Llama 2"}, "Llama 2: Open Foundation"),
], ids=["abstract", "code-flag", "date", "category", "et-al", "organisations", "an-author", "title-cut"])
def test_a_line_whose_field_is_missing_is_reported(changes, line):
    assert uncovered_lines(CARD, [without(PAPER, **changes)]) == [line]


def test_metrics_cover_a_line_only_with_their_label_and_number():
    author = {"type": "author", "name": "Sharan Narang", "metrics": {"h_index": 29, "citation_count": 88855}}
    lines = ["Sharan Narang", "h-index29", "88,855citations", "29", "h-index", "Novelty50%", "88855 papers"]
    assert uncovered_lines(lines, [author]) == ["29", "h-index", "Novelty50%", "88855 papers"]


def test_chrome_covers_ui_text_whole_or_glued():
    lines = ["Alert button", "- Abstract: We release code and weights.", "Share"]
    assert uncovered_lines(lines, [PAPER], chrome=["Alert button", "- Abstract:"]) == ["Share"]


def test_wrapped_lines_are_covered_as_word_aligned_pieces_of_a_value():
    paper = {"type": "paper", "title": "T", "authors": ["Sebastian Gehrmann", "Joshua Maynez", "Abhishek Rao"],
             "abstract": "Large language models have been shown to achieve remarkable performance."}
    lines = ["Large language models have been", "shown to achieve remarkable performance.",
             "Sebastian Gehrmann, Joshua", "Maynez, Abhishek Rao",
             "language", "anguage models have"]  # one word, or cut inside a word: not a wrapped line
    assert uncovered_lines(lines, [paper]) == ["language", "anguage models have"]


def test_figures_and_numbers_render_as_the_page_shows_them():
    paper = {"type": "paper", "title": "PaLM", "score": 180.69584031908113,
             "figures": [{"index": 1, "caption": "PaLM"}]}
    assert uncovered_lines(["Figure 1 for PaLM", "- Score: 180.69584031908113", "Figure 2 for PaLM"],
                           [paper], chrome=["- Score:"]) == ["Figure 2 for PaLM"]

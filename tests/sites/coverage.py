"""Which record field carries each line of a capture: the check that nothing on a page is lost.

API (import with ``from tests.sites.coverage import uncovered_lines, explain_lines``):

    uncovered_lines(capture_lines, records, chrome=()) -> list[str]
        The non-blank capture lines that no record field carries, in page order. A test asserts it is [].
    explain_lines(capture_lines, records, chrome=()) -> list[tuple[str, list[str] | None]]
        Each non-blank line with the fields that carry it (None when uncovered), for printing with -s.

``capture_lines``: the capture's lines (e.g. ``path.read_text().splitlines()``); blank lines are skipped.
``records``: the parser's records (dataclasses) or their JSON dicts.
``chrome``: the adapter's declared UI-only strings (``CHROME_LINES``), e.g. "Alert button"; a chrome string
covers a whole line or one glued part of it ("- Abstract:" in "- Abstract: Large language ...").

How a line is matched (all comparisons on whitespace-collapsed text, case-sensitive):
1. the whole line equals a carried value (title, abstract, date_raw, a name, ...), or a chrome string;
2. else the line is split into consecutive parts that are each a carried value, a chrome string, or glue
   punctuation (spaces , ; : · • | % ( ) [ ] - * /), e.g. "CLJul 18, 2023Code" = category label "CL" +
   date_raw "Jul 18, 2023" + has_code "Code", or "Hugo Touvron, Louis Martin et al. · meta-ai";
3. a part (or the whole line) of at least two words may be a word-aligned piece of a longer value: a line
   wrapped out of an abstract or an author list.
Carried values are every string in a record (nested too: figure captions, related titles, provenance), list
fields also joined with ", ", plus renderings of non-string fields:
- categories "cs.CL" also as the page's label "CL";
- metrics as number with label either side: "h-index29", "32papers", "88,855citations", "Novelty50%",
  "AI Score48", "32 Papers";
- has_code true as "Code"; authors_complete false as "et al."; figures as "Figure N for <caption>";
- other numbers as written (1, 2.0125, 88,855).
Never carried: a bare word that is only a piece of a value ("Code" inside an abstract does not cover a "Code"
line), glue alone, a metric label without its number.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from typing import Any

_SPACES = re.compile(r"\s+")
GLUE = frozenset(" ,;:·•|%()[]-*/")
# How each metric is labelled on the pages we know; a metric covers text only together with its number.
METRIC_LABELS: dict[str, tuple[str, ...]] = {
    "h_index": ("h-index", "H-index", "h index", "h-index:"),
    "paper_count": ("papers", "Papers", "paper", "Paper", "Papers:"),
    "citation_count": ("citations", "Citations", "Cited by", "cited by", "Citations:"),
    "novelty_percent": ("Novelty", "novelty", "Novelty:"),
    "ai_score": ("AI Score", "AI score", "AI Score:"),
}
# How a boolean field shows on a page, by its value.
FLAG_RENDERINGS: dict[tuple[str, bool], tuple[str, ...]] = {
    ("has_code", True): ("Code",),
    ("authors_complete", False): ("et al.", "et al"),
    ("withdrawn", True): ("withdrawn",),
}
MIN_FRAGMENT_WORDS = 2


def clean(text: str) -> str:
    """Whitespace collapsed: the form every comparison uses."""
    return _SPACES.sub(" ", text).strip()


def uncovered_lines(capture_lines: Iterable[str], records: Iterable[Any], chrome: Iterable[str] = ()) -> list[str]:
    """The non-blank lines of the capture that no record field carries."""
    return [line for line, carriers in explain_lines(capture_lines, records, chrome) if carriers is None]


def explain_lines(
    capture_lines: Iterable[str], records: Iterable[Any], chrome: Iterable[str] = ()
) -> list[tuple[str, list[str] | None]]:
    """Each non-blank capture line with the fields carrying it (in order of the line's parts), or None.

    A line is first matched against one record at a time (the record of the line before first), so a card's
    line is credited to that card's record; only a line no single record carries is matched against all.
    """
    chrome_values = {clean(text): "chrome" for text in chrome if clean(text)}
    per_record = [_carried_values([record], number) for number, record in enumerate(records)]
    matchers = [_LineMatcher({**carried, **chrome_values}) for carried in per_record]
    everything: dict[str, str] = {}
    for carried in per_record:
        for value, path in carried.items():
            everything.setdefault(value, path)
    fallback = _LineMatcher({**everything, **chrome_values})
    explained, last = [], 0
    for line in capture_lines:
        if not line.strip():
            continue
        text = clean(line)
        carriers = None
        for number in [last, *range(len(matchers))]:
            if number < len(matchers):
                carriers = matchers[number].carriers(text)
                if carriers:
                    last = number
                    break
        explained.append((line, carriers or fallback.carriers(text)))
    return explained


# -- what the records carry --------------------------------------------------------------------------


def _carried_values(records: Iterable[Any], first_number: int = 0) -> dict[str, str]:
    """Cleaned value -> the field path that carries it (first record wins)."""
    carried: dict[str, str] = {}
    for number, record in enumerate(records, first_number):
        data = dataclasses.asdict(record) if dataclasses.is_dataclass(record) else record
        prefix = f"{data.get('type', 'record')}[{number}]"
        for path, value in _renderings(data, prefix):
            key = clean(value)
            if key:
                carried.setdefault(key, path)
    return carried


def _renderings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every text form in which a page may show this value, with its field path."""
    name = path.rsplit(".", 1)[-1].split("[", 1)[0]
    if isinstance(value, dict):
        if name == "metrics":
            yield from _metric_renderings(value, path)
            return
        if name == "figures" or {"index", "caption"} <= value.keys():
            if value.get("index") is not None and value.get("caption"):
                yield f"{path}", f"Figure {value['index']} for {value['caption']}"
        for key, item in value.items():
            yield from _renderings(item, f"{path}.{key}")
    elif isinstance(value, list):
        if value and all(isinstance(item, str) for item in value):
            yield path, ", ".join(value)
        for index, item in enumerate(value):
            yield from _renderings(item, f"{path}[{index}]")
    elif isinstance(value, bool):
        for text in FLAG_RENDERINGS.get((name, value), ()):
            yield path, text
    elif isinstance(value, (int, float)):
        for text in _number_texts(value):
            yield path, text
    elif isinstance(value, str):
        yield path, value
        if name == "categories" and "." in value:
            yield path, value.split(".", 1)[1]  # "cs.CL" shows as the label "CL"


def _metric_renderings(metrics: dict, path: str) -> Iterator[tuple[str, str]]:
    for key, value in metrics.items():
        if value is None:
            continue
        for label in METRIC_LABELS.get(key, (key.replace("_", " "),)):
            for number in _number_texts(value):
                for suffix in ("", "%"):
                    shown = number + suffix
                    for text in (label + shown, f"{label} {shown}", shown + label, f"{shown} {label}"):
                        yield f"{path}.{key}", text


def _number_texts(value: int | float) -> set[str]:
    texts = {str(value), f"{value:,}"}
    if isinstance(value, float) and value.is_integer():
        texts |= {str(int(value)), f"{int(value):,}"}
    return texts


# -- matching a line against them --------------------------------------------------------------------


class _LineMatcher:
    def __init__(self, carried: dict[str, str]) -> None:
        self.carried = carried
        # Only the values a part can start with need trying at a position: index them by first character.
        self.by_first: dict[str, list[str]] = {}
        for value in sorted(carried, key=len, reverse=True):
            self.by_first.setdefault(value[0], []).append(value)
        self.long_values = [value for value in carried if " " in value]

    def carriers(self, line: str) -> list[str] | None:
        if line in self.carried:
            return [self.carried[line]]
        whole = self._fragment_carrier(line)
        if whole:
            return [whole]
        return self._split(line)

    def _split(self, line: str) -> list[str] | None:
        """Cut the line into parts that are each carried (or glue), left to right; None when impossible."""
        best: dict[int, list[str]] = {0: []}  # position -> carriers of the parts before it
        for start in range(len(line)):
            if start not in best:
                continue
            before = best[start]
            if line[start] in GLUE:
                best.setdefault(start + 1, before)
            for value in self.by_first.get(line[start], ()):
                if line.startswith(value, start) and _word_end(line, start + len(value), value):
                    best.setdefault(start + len(value), before + [self.carried[value]])
            for end, carrier in self._fragments_from(line, start):
                best.setdefault(end, before + [carrier])
        found = best.get(len(line))
        return found or None  # all glue is not covered

    def _fragments_from(self, line: str, start: int) -> Iterator[tuple[int, str]]:
        """Word-aligned pieces of a long value starting at ``start``, longest first."""
        if not line[start].isalnum() or (start and line[start - 1].isalnum()):
            return
        ends = [m.start() for m in re.finditer(r"(?<=\w)(?!\w)|(?<=[.!?,;:)\]])(?= |$)", line[start:])]
        for end in sorted({start + e for e in ends}, reverse=True):
            piece = line[start:end].strip()
            carrier = self._fragment_carrier(piece)
            if carrier:
                yield end, carrier
                return

    def _fragment_carrier(self, piece: str) -> str | None:
        """The field whose value holds ``piece`` word-aligned: anywhere if the piece has at least two words;
        a single word only as the head or tail of a value (a wrapped title's last word alone on a line)."""
        if piece.count(" ") + 1 < MIN_FRAGMENT_WORDS:
            # Only prose wraps like that: not a metric ("h-index 29") or a bare number.
            if not any(ch.isalpha() for ch in piece):
                return None
            for value in self.long_values:
                if value.count(" ") < 2 or ".metrics." in self.carried[value]:
                    continue
                if value.endswith(" " + piece) or value.startswith(piece + " "):
                    return self.carried[value] + " (part)"
            return None
        for value in self.long_values:
            at = value.find(piece)
            while at != -1:
                end = at + len(piece)
                if (at == 0 or not value[at - 1].isalnum()) and (end == len(value) or not value[end].isalnum()):
                    return self.carried[value] + " (part)"
                at = value.find(piece, at + 1)
        return None


def _word_end(line: str, end: int, value: str) -> bool:
    """A value ending in a letter may not be followed by more letters of the same word ("Code" in "Coder").

    Glued labels are the exception this page layout forces ("CLJul", "2023Code"), so only lower-case
    continuations are refused: a new capitalised word or a digit may follow directly.
    """
    if end >= len(line) or not value[-1].isalnum():
        return True
    return not (line[end].isalpha() and line[end].islower() and value[-1].isalpha())

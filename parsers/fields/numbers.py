"""Counts, metrics and scores as pages print them: "88,855", "1.2k", "h-index29", "Score: 180.695"."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from functools import lru_cache

__all__ = ["parse_number", "parse_labelled_number", "parse_score"]

# Multipliers of the short suffixes counts carry ("1.2k citations", "3.4M downloads", "540B parameters").
SUFFIXES = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000, "b": 1_000_000_000, "B": 1_000_000_000}
# Longer digit strings are ids or garbage, not numbers a page shows (a 17-digit score is the longest seen).
MAX_DIGITS = 40
# Thousands groups must be groups of three ("1,010 KB"); "2,5" (a European decimal) is too ambiguous to read.
# ASCII digits only: Python's \d also matches "١٢٣" and int() refuses "①", which str.isdigit accepts; pages
# print counts in ASCII, so any other digit is text a parser cannot read (None), not a number.
_NUMBER = r"[-+−]?(?:[0-9]{1,3}(?:[,\u00a0\u202f\u2009][0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|[-+−]?\.[0-9]+"
_WHOLE = re.compile(rf"\s*(?P<num>{_NUMBER})\s*(?P<suffix>[kKmMbB])?\s*%?\s*")
# Thousands separators as printed, dropped before conversion.
_GROUP_SEPARATORS = re.compile(r"[,\u00a0\u202f\u2009]")
# A number on its own: not glued to digits, dots or commas on either side ("v2" is fine, "1.2.3" is not).
_ANY = re.compile(rf"(?<![0-9.,])(?P<num>{_NUMBER})(?![0-9,]|\.[0-9])")


def _to_value(number: str, suffix: str | None = None) -> int | float | None:
    """Digits as printed -> int when whole, float otherwise; None when not finite."""
    digits = _GROUP_SEPARATORS.sub("", number).replace("−", "-")
    if len(digits) > MAX_DIGITS:
        return None
    is_float = any(ch in digits for ch in ".eE")
    value: int | float = float(digits) if is_float else int(digits)
    if suffix:
        # Decimal: 1.1 * 1000 in floats is 1100.0000000000002. A whole product is a count: "1.2k" -> 1200.
        if Decimal(digits).adjusted() > MAX_DIGITS:  # "1e999999k": not a count, and would overflow Decimal
            return None
        scaled = Decimal(digits) * SUFFIXES[suffix]
        value = int(scaled) if scaled == scaled.to_integral_value() else float(scaled)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def parse_number(text: str) -> int | float | None:
    """A string that is one number: "88,855" -> 88855, "180.69584031908113" -> float, "1.2k" -> 1200,
    "50%" -> 50. Anything else (text around it, "", "nan", "1,0") -> None."""
    if not isinstance(text, str):
        return None
    match = _WHOLE.fullmatch(text)
    if not match:
        return None
    return _to_value(match["num"], match["suffix"])


def _label_pattern(label: str) -> str:
    # Spaces in a label match any whitespace: "AI Score" also matches "AI\nScore".
    return r"\s+".join(re.escape(word) for word in label.split())


@lru_cache(maxsize=256)
def _label_patterns(label: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(number after the label, number before it), built once per label: parsers ask for the same few
    labels on every card."""
    word = _label_pattern(label)
    # The label is a whole word: "papers" does not match inside "newspapers".
    after = re.compile(rf"(?<![^\W\d_])(?:{word})(?P<gap>\s*:?\s*)(?P<num>{_NUMBER})"
                       rf"(?P<suffix>[kKmMbB](?![^\W\d_]))?(?![0-9,]|\.[0-9])", re.IGNORECASE)
    before = re.compile(rf"(?<![0-9.,])(?P<num>{_NUMBER})(?P<suffix>[kKmMbB])?(?P<gap>\s*)(?:{word})"
                        rf"(?![^\W\d_])", re.IGNORECASE)
    return after, before


def parse_labelled_number(text: str, label: str) -> int | float | None:
    """The number glued before or after a label, case-insensitive: ("h-index29", "h-index") -> 29,
    ("32papers", "papers") -> 32, ("Novelty50%", "Novelty") -> 50, ("AI Score: 48", "AI Score") -> 48.

    When a number sits on both sides, the one without a space wins ("AI Score48 Novelty50%" with "Novelty"
    -> 50); a tie goes to the number after the label, as in "Label: 12". Label absent -> None.
    """
    if not isinstance(text, str) or not isinstance(label, str) or not label.strip():
        return None
    after, before = _label_patterns(label)
    found = [m for m in (after.search(text), before.search(text)) if m]
    if not found:
        return None
    best = min(found, key=lambda m: m["gap"] != "")  # glued first; min keeps "after" on a tie
    return _to_value(best["num"], best["suffix"])


def parse_score(text: str) -> float | None:
    """The first number in a score text, as a float: "Score: 180.69584031908113", "[0.0]",
    "[2.012425476229879]", "AI Score48" -> 48.0. No number -> None."""
    if not isinstance(text, str):
        return None
    match = _ANY.search(text)
    if not match:
        return None
    value = _to_value(match["num"])
    return float(value) if value is not None else None

"""Generic text cleaning: whitespace, wrapped lines, TeX, matching keys for titles, sentence splitting."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text", "join_wrapped_lines", "strip_tex", "fold_key", "normalise_title", "split_sentences"]

# Characters that take up no space on the page but break string equality.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# Letters NFKD does not decompose into a base letter plus accent.
_LETTER_FOLDS = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ı": "i", "ħ": "h", "þ": "th", "ð": "d",
                               "æ": "ae", "œ": "oe"})

# TeX as arXiv metadata writes it: C. Bal\'azs, Pla{\ss}, M\u{a}gurele, $\texttt{t5x}$, $B^0_s\to\mu^+\mu^-$.
_TEX_SYMBOL_ACCENT = re.compile(r"\\['\"`^~=.]\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))")
_TEX_LETTER_ACCENT = re.compile(r"\\[uvHcdbtrk](?:\{\s*(\\?[A-Za-z])\s*\}|\s+([A-Za-z])(?![A-Za-z]))")
_TEX_SPECIAL_LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
                        "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "i", "j": "j"}
_TEX_GREEK = {name: chr(0x3B1 + i) for i, name in enumerate(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho varsigma sigma "
    "tau upsilon phi chi psi omega".split())}
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+)\*?")

# A sentence ends at . ! ? (and closing quotes/brackets), then space and a capital, digit or opening mark.
SENTENCE_MARKS = ".!?"
CLOSING_MARKS = "\"'”’)]"
_SENTENCE_END = re.compile(rf"[{re.escape(SENTENCE_MARKS)}][{re.escape(CLOSING_MARKS)}]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
# Words whose trailing period is not a sentence end.
ABBREVIATIONS = frozenset(
    "e.g i.e al cf vs approx fig figs eq eqs sec secs ref refs no nos vol pp ch dr prof mr mrs ms st jr sr"
    " resp incl ca".split())
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_WORD_HYPHEN_END = re.compile(r"\w-$")
_NON_WORD = re.compile(r"[\W_]+")


def clean_text(text: str) -> str:
    """Collapse every run of whitespace (newlines, tabs, nbsp, thin spaces) to one space; strip the ends."""
    if not isinstance(text, str):
        return ""
    if text.isascii():  # no invisible characters to remove: skip the (slow) translate
        return " ".join(text.split())
    return " ".join(text.translate(_INVISIBLE).split())


def join_wrapped_lines(lines: list[str]) -> str:
    """Lines of one wrapped text -> one string. A line ending in a word-hyphen ("Meier-") joins the next line
    without a space, keeping the hyphen: a hyphen in names and compounds is real, not a typesetting break."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    if not isinstance(lines, (list, tuple)):
        return ""
    parts: list[str] = []
    for line in (clean_text(line) for line in lines):
        if not line:
            continue
        # Look only at the end of the previous line: testing the whole text so far grows quadratically.
        if parts and _WORD_HYPHEN_END.search(parts[-1][-2:]):
            parts.append(line)
        else:
            parts.append(f" {line}" if parts else line)
    return "".join(parts)


def _tex_command(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _TEX_SPECIAL_LETTERS:
        return _TEX_SPECIAL_LETTERS[name]
    if name in _TEX_GREEK:
        return _TEX_GREEK[name]
    return " "  # a formatting or math command (\texttt, \emph, \to): its braced argument stays


def strip_tex(text: str) -> str:
    r"""TeX markup -> plain letters: accents become the accented Unicode letter's base, {\ss} -> ß, \mu -> μ,
    other commands, braces and $ are dropped. Meant for matching keys, not for display."""
    if not isinstance(text, str):
        return ""
    if "\\" not in text and "{" not in text and "$" not in text:  # no TeX at all: the common case
        return text
    text = _TEX_SYMBOL_ACCENT.sub(lambda m: m.group(1) or m.group(2), text)
    text = _TEX_LETTER_ACCENT.sub(lambda m: m.group(1) or m.group(2), text)
    text = _TEX_COMMAND.sub(_tex_command, text)
    return text.replace("{", "").replace("}", "").replace("$", "")


def fold_key(text: str) -> str:
    """Matching key: TeX and accents stripped, casefolded, every run of non-alphanumerics one space."""
    text = strip_tex(text)
    if not text.isascii():  # most titles and names are plain ASCII: skip the per-character accent fold
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().translate(_LETTER_FOLDS)
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def normalise_title(title: str) -> str:
    """Key for matching one paper's title across sites: "Scaling Up Models with $\\texttt{t5x}$" and
    "scaling up models with t5x" give the same key."""
    return fold_key(title)


def ends_sentence(text: str) -> bool:
    """The text ends a sentence: a mark, then only closing quotes or brackets ("... results.)"). A text that does
    not was cut short (a truncated download). Not a regex ending in "$", which is tried at every position."""
    return text.rstrip(CLOSING_MARKS).endswith(tuple(SENTENCE_MARKS))


def split_sentences(text: str) -> list[str]:
    """Sentences of a summary. Does not split after "e.g.", "et al.", initials ("Andrew M. Dai") or inside
    numbers ("4.5B"): a period only ends a sentence when whitespace and a capital or digit follow."""
    text = clean_text(text)
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        word = _WORD_BEFORE.search(text, start, match.start())
        token = word.group(1).casefold().rstrip(".") if word else ""
        # "e.g." ends in "g" after rstrip; keep the dotted form for lookup, and skip single-letter initials.
        if text[match.start()] == "." and (token in ABBREVIATIONS or re.fullmatch(r"[^\W\d_]", token)):
            continue
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences

"""Subject labels -> arXiv category codes: short labels of scholar profile cards ("CL", "LG"), and codes."""

from __future__ import annotations

import re

__all__ = ["ARXIV_ARCHIVES", "SHORT_LABELS", "to_arxiv_category", "split_category_prefix"]

# Every arXiv computer-science subject class.
CS_CLASSES = ("AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE NI OH "
              "OS PF PL RO SC SD SE SI SY").split()
# Short labels as profile cards print them -> arXiv codes. The cs classes first; then the labels of other
# archives that cards in machine learning show and that no cs class shares (math.CO, math.CV, eess.SY ... are
# left out: "CO", "CV", "SY" already mean something else here).
SHORT_LABELS: dict[str, str] = {
    **{label: f"cs.{label}" for label in CS_CLASSES},
    "ML": "stat.ML", "ME": "stat.ME",
    "AS": "eess.AS", "IV": "eess.IV", "SP": "eess.SP",
    "OC": "math.OC", "PR": "math.PR", "ST": "math.ST",
    "NC": "q-bio.NC", "QM": "q-bio.QM",
    "EM": "econ.EM",
}
# arXiv archives, current and the old ones whose ids still circulate (hep-th/9901001, adap-org/9509003).
ARXIV_ARCHIVES = frozenset((
    "astro-ph cond-mat cs econ eess gr-qc hep-ex hep-lat hep-ph hep-th math math-ph nlin nucl-ex nucl-th "
    "physics q-bio q-fin quant-ph stat "
    "acc-phys adap-org alg-geom ao-sci atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas dg-ga funct-an "
    "mtrl-th patt-sol plasm-ph q-alg solv-int supr-con").split())
# Archives whose subject classes are two capitals (cs.CL, math.AG); the others use words (cond-mat.supr-con)
# or either (astro-ph.CO, nlin.AO, physics.flu-dyn).
_CAPITAL_CLASSES = frozenset("cs econ eess math q-bio q-fin stat".split())
# Archives that are never a category without a subject class ("cs" alone is not one; "hep-th" is).
_NEEDS_CLASS = _CAPITAL_CLASSES | {"nlin", "physics"}
_CODE = re.compile(r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?P<cls>[A-Za-z]{2}|[a-z]+(?:-[a-z]+)*))?")
# "Computation and Language (cs.CL)", as arXiv's subject lines print a category.
_NAMED = re.compile(r".*\((?P<code>[^()]+)\)\s*")
# A card's label glued to what follows: "CLJul 18, 2023Code". A code ("cs.CL", "stat.ML") or two capitals,
# then the end, a space, a digit or a capitalised word; "CVPR 2023" is not the label "CV" plus "PR 2023".
_PREFIX = re.compile(r"(?P<label>[a-z]+(?:-[a-z]+)?\.[A-Z]{2}|[A-Z]{2})(?=$|\s|\d|[A-Z][a-z])")


def _code(text: str) -> str | None:
    """An arXiv code written as arXiv writes it, with the case of its parts repaired; else None."""
    match = _CODE.fullmatch(text)
    if not match or match["archive"] not in ARXIV_ARCHIVES:
        return None
    archive, cls = match["archive"], match["cls"]
    if cls is None:
        return None if archive in _NEEDS_CLASS else archive
    if archive in _CAPITAL_CLASSES:
        cls = cls.upper()
        if archive == "cs" and cls not in CS_CLASSES:
            return None
    return f"{archive}.{cls}"


def to_arxiv_category(label: str) -> str | None:
    """A category label -> its arXiv code: "CL" -> "cs.CL", "ML" -> "stat.ML"; a code passes through ("cs.CL",
    "hep-th", "math.AG", "astro-ph.CO"); "Computation and Language (cs.CL)" -> "cs.CL". Unknown -> None."""
    if not isinstance(label, str):
        return None
    text = label.strip()
    named = _NAMED.fullmatch(text)
    if named:
        text = named["code"].strip()
    if text.upper() in SHORT_LABELS and len(text) == 2:
        return SHORT_LABELS[text.upper()]
    return _code(text)


def split_category_prefix(text: str) -> tuple[str | None, str]:
    """A known label glued to the start of text, and the rest: "CLJul 18, 2023Code" -> ("CL", "Jul 18,
    2023Code"); "CL Jul 18" -> ("CL", "Jul 18"). The label comes back as printed (to_arxiv_category gives
    its code). No known label -> (None, text)."""
    if not isinstance(text, str):
        return None, ""
    match = _PREFIX.match(text)
    if not match or to_arxiv_category(match["label"]) is None:
        return None, text
    return match["label"], text[match.end():].lstrip()

"""to_arxiv_category / split_category_prefix on profile-card labels and arXiv subject lines."""

from __future__ import annotations

import pytest

from parsers.fields.categories import split_category_prefix, to_arxiv_category

CATEGORY_CASES = [
    # labels on the scholar profile cards of seed 001
    ("CL", "cs.CL"), ("LG", "cs.LG"), ("AI", "cs.AI"), ("CV", "cs.CV"), ("DC", "cs.DC"), ("SD", "cs.SD"),
    # the rest of cs, and other archives' short labels
    ("IR", "cs.IR"), ("NE", "cs.NE"), ("RO", "cs.RO"), ("CR", "cs.CR"), ("MM", "cs.MM"), ("PL", "cs.PL"),
    ("ML", "stat.ML"), ("AS", "eess.AS"), ("IV", "eess.IV"), ("OC", "math.OC"), ("NC", "q-bio.NC"),
    (" cl ", "cs.CL"),
    # codes pass through (categories of the arXiv metadata in shared/realdata)
    ("cs.CL", "cs.CL"), ("stat.ML", "stat.ML"), ("hep-th", "hep-th"), ("math.AG", "math.AG"),
    ("astro-ph.CO", "astro-ph.CO"), ("astro-ph.HE", "astro-ph.HE"),
    ("cond-mat.supr-con", "cond-mat.supr-con"),
    ("physics.flu-dyn", "physics.flu-dyn"), ("q-bio.PE", "q-bio.PE"), ("nlin.AO", "nlin.AO"),
    ("math-ph", "math-ph"), ("gr-qc", "gr-qc"), ("adap-org", "adap-org"), ("supr-con", "supr-con"),
    ("math.ag", "math.AG"),
    # arXiv abs-page subject lines
    ("Computation and Language (cs.CL)", "cs.CL"),
    ("High Energy Physics - Phenomenology (hep-ph)", "hep-ph"),
    ("Superconductivity (cond-mat.supr-con)", "cond-mat.supr-con"),
    # unknown
    ("XX", None), ("cs.XX", None), ("cs", None), ("math", None), ("foo.BAR", None), ("Code", None),
    ("Computation and Language", None), ("", None), (None, None), ("CLL", None),
]


@pytest.mark.parametrize(("label", "expected"), CATEGORY_CASES)
def test_to_arxiv_category(label, expected):
    assert to_arxiv_category(label) == expected


PREFIX_CASES = [
    ("CLJul 18, 2023Code", ("CL", "Jul 18, 2023Code")),
    ("LGMar 31, 2022Code", ("LG", "Mar 31, 2022Code")),
    ("AIJul 31, 2024", ("AI", "Jul 31, 2024")),
    ("SDOct 20, 2017", ("SD", "Oct 20, 2017")),
    ("CVJul 15, 2016", ("CV", "Jul 15, 2016")),
    ("DCJan 30", ("DC", "Jan 30")),
    ("stat.MLJun 1, 2020", ("stat.ML", "Jun 1, 2020")),
    ("CL", ("CL", "")),
    ("CL Jul 18, 2023", ("CL", "Jul 18, 2023")),
    # no label
    ("CVPR 2023", (None, "CVPR 2023")),  # capitals running on are a word, not a label
    ("ICML", (None, "ICML")),
    ("XXJul 18, 2023", (None, "XXJul 18, 2023")),
    ("Code", (None, "Code")),
    ("Jul 18, 2023", (None, "Jul 18, 2023")),
    ("", (None, "")),
    (None, (None, "")),
]


@pytest.mark.parametrize(("text", "expected"), PREFIX_CASES)
def test_split_category_prefix(text, expected):
    assert split_category_prefix(text) == expected

"""parse_arxiv_id / parse_doi on the URLs and ids of arXiv, paper-digest and catalyzex pages."""

from __future__ import annotations

import pytest

from parsers.fields.identifiers import ArxivId, parse_arxiv_id, parse_doi

ARXIV_CASES = [
    ("http://arxiv.org/abs/2204.02311v2", ArxivId("2204.02311", 2)),
    ("https://arxiv.org/pdf/2204.02311", ArxivId("2204.02311", None)),
    ("https://arxiv.org/pdf/2204.02311v2.pdf", ArxivId("2204.02311", 2)),
    ("arXiv:2204.02311", ArxivId("2204.02311", None)),
    ("/abs/0704.0001", ArxivId("0704.0001", None)),  # the first new-style id
    ("https://arxiv.org/abs/0704.0615v2", ArxivId("0704.0615", 2)),
    ("1501.00001", ArxivId("1501.00001", None)),  # five digits from 2015
    ("https://arxiv.org/abs/2101.04061 [cs.CV]", ArxivId("2101.04061", None)),
    ("https://doi.org/10.48550/arXiv.0704.0001", ArxivId("0704.0001", None)),  # arXiv's own DOI
    ("hep-th/9901001v1", ArxivId("hep-th/9901001", 1)),
    ("https://arxiv.org/abs/hep-th/9709111v1", ArxivId("hep-th/9709111", 1)),
    ("https://arxiv.org/abs/adap-org/9509003v1", ArxivId("adap-org/9509003", 1)),
    ("cs/0011004", ArxivId("cs/0011004", None)),
    ("math.AG/0101001", ArxivId("math.AG/0101001", None)),
    # not an arXiv id
    ("0703.1234", None),  # before April 2007
    ("1412.12345", None),  # five digits before 2015
    ("1501.1234", None),  # four digits from 2015
    ("2213.01234", None),  # month 13
    ("hep-th/9913001", None),
    ("foo/9901001", None),  # not an archive
    ("Score: 180.69584031908113", None),
    ("[2.012425476229879]", None),
    ("https://doi.org/10.1145/1234.5678", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("text", "expected"), ARXIV_CASES)
def test_parse_arxiv_id(text, expected):
    assert parse_arxiv_id(text) == expected


DOI_CASES = [
    ("https://doi.org/10.1145/1234.5678", "10.1145/1234.5678"),
    ("doi:10.1/x", "10.1/x"),
    ("10.1103/PhysRevD.76.013009", "10.1103/PhysRevD.76.013009"),
    ("https://doi.org/10.1007/JHEP04(2019)063", "10.1007/JHEP04(2019)063"),  # brackets inside the DOI stay
    ("(see doi:10.1007/JHEP04(2019)063).", "10.1007/JHEP04(2019)063"),  # the prose's bracket goes
    ("https://doi.org/10.1051/0004-6361:20077464", "10.1051/0004-6361:20077464"),
    ("https://doi.org/10.1088/1751-8113/40/41/004", "10.1088/1751-8113/40/41/004"),
    ("https://doi.org/10.1145%2F1234.5678", "10.1145/1234.5678"),
    ('<a href="https://doi.org/10.48550/arXiv.0704.0001">', "10.48550/arXiv.0704.0001"),
    ("DOI: 10.1155/2013/293986.", "10.1155/2013/293986"),
    ("10.1145", None),
    ("no doi here", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("text", "expected"), DOI_CASES)
def test_parse_doi(text, expected):
    assert parse_doi(text) == expected

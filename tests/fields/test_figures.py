"""parse_figure_caption on the figure thumbnails of catalyzex author pages."""

from __future__ import annotations

import pytest

from parsers.fields.figures import Figure, parse_figure_caption

IMG = "https://figures.semanticscholar.org/abc/figure-3.png"

FIGURE_CASES = [
    ("Figure 1 for PaLM: Scaling Language Modeling with Pathways", IMG,
     Figure(1, "PaLM: Scaling Language Modeling with Pathways", IMG)),
    ("Figure 4 for Swift for TensorFlow: A portable, flexible platform for deep learning", None,
     Figure(4, "Swift for TensorFlow: A portable, flexible platform for deep learning", None)),  # 2nd "for"
    ("Figure 2 for LazyTensor: combining eager execution with domain-specific compilers", "  ",
     Figure(2, "LazyTensor: combining eager execution with domain-specific compilers", None)),  # blank URL
    ("Figure 3 for Pathways:\n  Asynchronous Distributed Dataflow for ML", IMG,
     Figure(3, "Pathways: Asynchronous Distributed Dataflow for ML", IMG)),  # alt text wrapped
    ("  Fig. 12 for X  ", None, Figure(12, "X", None)),
    ("Figure 3", IMG, Figure(3, "", IMG)),  # a bare thumbnail's alt text: still a figure
    # not a figure
    ("Picture for Parker Schuh", IMG, None),
    ("Alert button", None, None),
    ("Viaarxiv icon", None, None),
    ("Figure for PaLM", None, None),
    ("Figures 1-4", None, None),
    ("", IMG, None),
    (None, IMG, None),
]


@pytest.mark.parametrize(("text", "url", "expected"), FIGURE_CASES)
def test_parse_figure_caption(text, url, expected):
    assert parse_figure_caption(text, url) == expected

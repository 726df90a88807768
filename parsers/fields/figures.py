"""Figure thumbnails under a paper: "Figure 3 for PaLM: Scaling Language Modeling with Pathways"."""

from __future__ import annotations

import re

from parsers.fields.text import clean_text
from parsers.records import Figure  # the record's nested type is what this parser returns

__all__ = ["Figure", "parse_figure_caption"]


# "Figure 3 for <title>", "Fig. 3 for <title>", "Figure 3" alone (alt text of a bare thumbnail). Figures are
# numbered from 1, in ASCII digits: "Figure 0" and "Figure ①" are not figure captions.
_CAPTION = re.compile(r"(?:figure|fig\.?)\s*(?P<index>0*[1-9][0-9]{0,3})(?:\s*[:.]?\s+for(?:\s+(?P<title>.+))?)?",
                      re.IGNORECASE)


def parse_figure_caption(text: str, image_url: str | None = None) -> Figure | None:
    """The figure a caption names: "Figure 3 for PaLM: Scaling ..." -> Figure(3, "PaLM: Scaling ...", url).
    Text that is not a figure caption -> None."""
    if not isinstance(text, str):
        return None
    match = _CAPTION.fullmatch(clean_text(text))
    if not match:
        return None
    url = image_url.strip() if isinstance(image_url, str) and image_url.strip() else None
    return Figure(int(match["index"]), match["title"] or "", url)

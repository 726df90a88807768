"""CatalyzeX author pages: ``https://www.catalyzex.com/author/<Name>``, as HTML or as a text capture of one.

The page reads, top to bottom (text capture lines in quotes):
    header   a bell ("Alert button"), the photo ("Picture for <Name>"), the name, a second bell
    a card per paper, in an <article> in HTML:
             title (a link to /paper/<slug>)
             date ("Apr 19, 2022")
             author list ("A, B, C"; each a link to /author/<Name>)
             thumbnails ("Figure N for <title>": the <img> alt text)
             abstract
             venue note, only on some papers ("* MLSys 2022")
             source ("Viaarxiv icon": "Via" and the source's icon, inside a link to arXiv)
A text capture has no card boundaries, so cards are found by structure: a title line followed by a date
line, or the line after the previous card's source line. HTML cards come from the <article> elements and
both paths hand their lines to the same per-field functions, so they give the same records.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlparse

from parsers.fields.dates import ParsedDate, find_date
from parsers.fields.figures import parse_figure_caption
from parsers.fields.names import parse_author_list
from parsers.fields.text import clean_text, ends_sentence
from parsers.page import Line, Page
from parsers.records import UNTITLED, Author, Figure, Paper, Source
from parsers.result import FollowLink, LinkKind, ParseContext, ParseResult, Problem, UnrecognisedPage
from parsers.sites.arxiv import ARXIV_URL, paper_arxiv_id

NAME = "catalyzex"
# Merge trust: after the digest. Full author lists, but a listing of many papers, dates printed by day.
MERGE_RANK = 2
HOSTS = ("www.catalyzex.com", "catalyzex.com")
PROFILE_URL = "https://www.catalyzex.com/author/{name}"
AUTHOR_PATH = "/author/"

# UI text that carries no data: the bell's alt text, and the words around the photo and source icon.
CHROME_LINES = ("Alert button", "Picture for", "Via", "icon")
ALERT_BUTTON = "Alert button"
PHOTO_LINE = re.compile(r"^Picture for (?P<name>\S.*)$")          # the author photo's alt text
SOURCE_LINE = re.compile(r"^Via\s*(?P<source>\S+?) icon$")         # "Via" + the icon's alt "arxiv icon"
VENUE_LINE = re.compile(r"^\*\s*(?P<venue>\S.*)$")                 # "* MLSys 2022"
CARD_TAG = "article"
CARD_SELECTOR = CARD_TAG
NEXT_PAGE_SELECTOR = 'link[rel~="next"], a[rel~="next"]'
PAPER_LINK = re.compile(r"^https?://(?:www\.)?catalyzex\.com/paper/")
# How far into the page the header's photo line may sit for content-based recognition.
HEADER_LINES = 6
# A date line is short ("Apr 19, 2022", "September 30, 2021"); longer lines are not searched for one.
MAX_DATE_LINE = 40


def profile_url(name: str) -> str:
    """The author page URL the site builds from a name: "Sharan Narang" -> .../author/Sharan%20Narang."""
    return PROFILE_URL.format(name=quote(clean_text(name), safe=""))


def recognise(page: Page) -> bool:
    """An author page by host and path; else by content: the photo line plus a bell or a source line."""
    address = urlparse(page.url)
    if (address.hostname or "").lower() in HOSTS and address.path.startswith(AUTHOR_PATH):
        return True
    head = [line.text for line in page.lines[:HEADER_LINES]]  # not page.texts: every page comes here
    if not any(PHOTO_LINE.match(text) for text in head):
        return False
    return ALERT_BUTTON in head or any(SOURCE_LINE.match(line.text) for line in page.lines)


def parse(page: Page, context: ParseContext) -> ParseResult:
    """The author and one paper per card. Raises UnrecognisedPage when neither an author header nor a card
    with a date or source line is there: records read off an unknown layout would be guesses."""
    result = ParseResult(site=NAME, url=page.url)
    header, cards = split_cards(page, context, page.css(CARD_SELECTOR))
    if not _looks_like_author_page(header, cards, context):
        raise UnrecognisedPage(f"{page.url}: {NAME}: unknown layout (no \"Picture for …\" author photo line "
                               "and no paper card with a date or \"Via … icon\" source line)")
    name = author_name(header)
    if name:
        result.records.append(author_record(page, header, name))
    else:
        result.problems.append(Problem("author name", "no name line in the page header"))
    for number, card in enumerate(cards, 1):
        paper = paper_record(page, card, name, context)
        result.records.append(paper)
        result.problems += [problem.at(f"card {number} ({paper.title})") for problem in paper.problems]
        result.follow += [FollowLink(url, LinkKind.ARXIV) for url in arxiv_links(card)]
    if not cards:
        result.problems.append(Problem("papers", "no paper cards (title followed by a date) found"))
    result.follow += [FollowLink(url, LinkKind.NEXT_PAGE) for url in next_page_links(page)]
    return result


def _looks_like_author_page(header: list[Line], cards: list[list[Line]], context: ParseContext) -> bool:
    if any(PHOTO_LINE.match(line.text) for line in header):
        return True
    return any(line_date(line, context) or SOURCE_LINE.match(line.text)
               for card in cards for line in card[1:])


# -- finding the cards -----------------------------------------------------------------------------------


def split_cards(page: Page, context: ParseContext,
                card_elements: list | None = None) -> tuple[list[Line], list[list[Line]]]:
    """(header lines, one list of lines per paper card). HTML cards are <article>s; otherwise by structure.
    ``card_elements``: the page's <article>s where the caller has already selected them."""
    if card_elements is None:
        card_elements = page.css(CARD_SELECTOR)
    if card_elements:
        return _cards_by_element(page.lines, card_elements)
    return _cards_by_structure(page.lines, context)


def _cards_by_element(lines: list[Line], card_elements: list) -> tuple[list[Line], list[list[Line]]]:
    card_of = {element: number for number, element in enumerate(card_elements)}
    header: list[Line] = []
    cards: list[list[Line]] = [[] for _ in card_of]
    current: int | None = None
    for line in lines:
        element = line.element
        if element is not None:
            # The nearest <article> at or above the line's element: iterancestors(tag) filters in C, where a
            # test of every ancestor in Python cost a third of the split (74 us on the author page).
            card = element if element.tag == CARD_TAG else next(element.iterancestors(CARD_TAG), None)
            current = card_of.get(card) if card is not None else None
        if current is not None:
            cards[current].append(line)
        elif not any(cards):  # text after the last card (a footer) belongs to no record
            header.append(line)
    return header, [card for card in cards if card]


def _cards_by_structure(lines: list[Line], context: ParseContext) -> tuple[list[Line], list[list[Line]]]:
    """A card starts after the header, at a title (a line followed by a date line), or after a source line."""
    is_date = [line_date(line, context) is not None for line in lines]
    header_end = _header_end(lines, is_date)
    starts = [header_end] if header_end < len(lines) else []
    for index in range(header_end + 1, len(lines)):
        line = lines[index]
        above_date = index + 1 < len(lines) and is_date[index + 1]
        starts_card = above_date or SOURCE_LINE.match(lines[index - 1].text)
        if starts_card and not is_date[index] and line.text not in CHROME_LINES:
            starts.append(index)
    bounds = starts + [len(lines)]
    return lines[:header_end], [lines[start:end] for start, end in zip(bounds, bounds[1:])]


def _header_end(lines: list[Line], is_date: list[bool]) -> int:
    """Where the header (bells, photo, one name line) ends: so a first card without a date is still a card."""
    seen_name = False
    for index, line in enumerate(lines):
        if line.text in CHROME_LINES or PHOTO_LINE.match(line.text):
            continue
        if seen_name or (index + 1 < len(lines) and is_date[index + 1]):
            return index  # a second plain line, or a title (the line above a date)
        seen_name = True
    return len(lines)


# -- the author ------------------------------------------------------------------------------------------


def author_name(header: list[Line]) -> str | None:
    """The header line naming the person in the photo's alt text; else the header's one plain line."""
    photo = next((match["name"] for line in header if (match := PHOTO_LINE.match(line.text))), None)
    plain = [clean_text(line.text) for line in header
             if line.text and line.text not in CHROME_LINES and not PHOTO_LINE.match(line.text)]
    if photo and clean_text(photo) in plain:
        return clean_text(photo)
    return plain[0] if plain else clean_text(photo) if photo else None


def photo_url(header: list[Line]) -> str | None:
    return next((image.src for line in header for image in line.images if PHOTO_LINE.match(image.alt)), None)


def author_record(page: Page, header: list[Line], name: str) -> Author:
    return Author(name=name, source=Source(NAME, page.url), photo_url=photo_url(header),
                  url=profile_url(name))


# -- a paper card ----------------------------------------------------------------------------------------


def paper_record(page: Page, card: list[Line], listed_by: str | None, context: ParseContext) -> Paper:
    title_line, rest = card[0], card[1:]
    parsed_date = line_date(rest[0], context) if rest else None
    if parsed_date:
        rest = rest[1:]
    authors_line, figure_lines, abstract_lines, venue, source_line = _sort_lines(rest)
    authors = parse_author_list(authors_line.text) if authors_line else None
    figures, figure_problems = card_figures(figure_lines)
    arxiv_id = card_arxiv_id(source_line)
    title = clean_text(title_line.text)
    paper = Paper(
        title=title or UNTITLED,  # a card that opens with an image has no title line
        source=Source(NAME, page.url),
        figures=figures,
        abstract=clean_text(" ".join(line.text for line in abstract_lines)) or None,
        venue=venue,
        via=card_via(source_line),
        url=paper_url(title_line),
        arxiv_id=arxiv_id,
        listed_by=[listed_by] if listed_by else [],
    )
    paper.set_authors(authors)
    paper.set_date(parsed_date)
    paper.problems = card_problems(paper, parsed_date, source_line) + figure_problems
    if not title:
        paper.problems.insert(0, Problem("title", "the card's first line has no text"))
    return paper


FigureLine = tuple[Line, Figure | None]   # a thumbnail's line and the figure its caption names, if any


def _sort_lines(lines: list[Line]) -> tuple[Line | None, list[FigureLine], list[Line], str | None, Line | None]:
    """(author line, figure lines, abstract lines, venue, source line) of a card's lines after title and date.

    The author list is the first plain line; plain lines after it are the abstract. A figure line is a
    "Figure N for …" caption (read here, once), or an image with no alt text (rendered as an empty line).
    """
    authors_line, figures, abstract, venue, source = None, [], [], None, None
    for line in lines:
        if SOURCE_LINE.match(line.text):
            source = line
        elif match := VENUE_LINE.match(line.text):
            venue = clean_text(match["venue"])
        elif not line.text and line.images:
            figures.append((line, None))
        elif figure := _figure_caption(line):
            figures.append((line, figure))
        elif authors_line is None and not figures:
            authors_line = line
        else:
            abstract.append(line)
    return authors_line, figures, abstract, venue, source


def _figure_caption(line: Line) -> Figure | None:
    """The figure a line's caption names, with its thumbnail's URL in HTML; None for any other line."""
    # Captions start "Fig"; testing that first spares parse_figure_caption a clean_text of each abstract.
    if line.text[:3].lower() != "fig":
        return None
    return parse_figure_caption(line.text, line.images[0].src if line.images else None)


def line_date(line: Line, context: ParseContext) -> ParsedDate | None:
    """The date a whole line spells ("Apr 19, 2022"); None for a line that only contains one."""
    if len(line.text) > MAX_DATE_LINE:
        return None
    found = find_date(line.text, context.as_of)
    return found[0] if found and found[1] == 0 and found[2] == len(line.text) else None


def card_figures(lines: list[FigureLine]) -> tuple[list[Figure], list[Problem]]:
    """The figures read from captions; a thumbnail without one (an image without alt text) is a problem."""
    figures, problems = [], []
    for position, (line, figure) in enumerate(lines, 1):
        if figure is None:
            image_url = line.images[0].src if line.images else None
            problems.append(Problem("figures", f"thumbnail {position} has no caption "
                                               f"(image without alt text: {image_url})"))
        else:
            figures.append(figure)
    return figures, problems


def card_via(source_line: Line | None) -> str | None:
    match = SOURCE_LINE.match(source_line.text) if source_line else None
    return match["source"].lower() if match else None


def paper_url(title_line: Line) -> str | None:
    link = title_line.link_to(PAPER_LINK)
    return link.url if link else None


def card_arxiv_id(source_line: Line | None) -> str | None:
    """The id of the source line's first link to an arXiv paper."""
    for link in source_line.links if source_line else ():
        parsed = paper_arxiv_id(link.url)
        if parsed:
            return parsed.id
    return None


def card_problems(paper: Paper, parsed_date: ParsedDate | None, source_line: Line | None) -> list[Problem]:
    """What the card lacks: each field a complete card has, and an abstract cut mid-sentence."""
    problems = []
    if parsed_date is None:
        problems.append(Problem("date", "no date line under the title"))
    if not paper.authors:
        problems.append(Problem("authors", "no author line"))
    if not paper.abstract:
        problems.append(Problem("abstract", "missing"))
    elif not ends_sentence(paper.abstract):         # a complete abstract ends a sentence
        problems.append(Problem("abstract", "ends mid-sentence (page cut short?)"))
    if source_line is None:
        problems.append(Problem("via", "no source line (\"Via … icon\") at the end of the card "
                                       "(page cut short?)"))
    return problems


# -- links to follow -------------------------------------------------------------------------------------


def arxiv_links(lines: list[Line]) -> list[str]:
    """Links to the paper on arXiv; a link to an arXiv search (no id known) is not a paper page."""
    # ARXIV_URL first: a card's links are mostly its authors', and paper_arxiv_id would call through two
    # functions to refuse each of them.
    return [link.url for line in lines for link in line.links
            if ARXIV_URL.match(link.url) and paper_arxiv_id(link.url)]


def next_page_links(page: Page) -> list[str]:
    """The listing's next page (rel="next" on a <link> or <a>); author links are not followed by default."""
    hrefs = [el.get("href") for el in page.css(NEXT_PAGE_SELECTOR)]
    return list(dict.fromkeys(url for url in (page.absolute(href) for href in hrefs if href) if url))

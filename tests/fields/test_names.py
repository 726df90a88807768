"""parse_author_list / normalise_name on author lists of scholar cards, paper-digest exports, arXiv pages."""

from __future__ import annotations

import pytest

from parsers.fields.names import AuthorList, display_order, normalise_name, parse_author_list

# (text, expected names, expected complete)
AUTHOR_LIST_CASES = [
    # scholar profile cards: three names then "et al."
    ("Hugo Touvron, Louis Martin, Kevin Stone et al.",
     ("Hugo Touvron", "Louis Martin", "Kevin Stone"), False),
    ("Lovish Madaan, Aaditya K. Singh, Rylan Schaeffer et al.",
     ("Lovish Madaan", "Aaditya K. Singh", "Rylan Schaeffer"), False),
    ("Hugo Touvron, Louis Martin, Kevin Stone et al. · meta-ai",
     ("Hugo Touvron", "Louis Martin", "Kevin Stone"), False),
    ("Prasanna Parthasarathi, Arvind Neelakantan, Sharan Narang",
     ("Prasanna Parthasarathi", "Arvind Neelakantan", "Sharan Narang"), True),
    ("Sharan Narang, Eric Undersander, Gregory Diamos",
     ("Sharan Narang", "Eric Undersander", "Gregory Diamos"), True),
    ("Hugo Touvron, Louis Martin …", ("Hugo Touvron", "Louis Martin"), False),
    ("Hugo Touvron, Louis Martin, ...", ("Hugo Touvron", "Louis Martin"), False),
    # catalyzex
    ("Paul Barham, Jeff Dean, Laurent El Shafey, Chandramohan A. Thekkath, Yonghui Wu",
     ("Paul Barham", "Jeff Dean", "Laurent El Shafey", "Chandramohan A. Thekkath", "Yonghui Wu"), True),
    # one name wrapped over lines, with and without the break at a hyphen
    ("Jason Wei, Kathy\nMeier-Hellstern, Douglas Eck",
     ("Jason Wei", "Kathy Meier-Hellstern", "Douglas Eck"), True),
    ("Jason Wei, Kathy Meier-\nHellstern, Douglas Eck",
     ("Jason Wei", "Kathy Meier-Hellstern", "Douglas Eck"), True),
    ("Andrew M. Dai, Thanumalayan\nSankaranarayana Pillai, Marie Pellat",
     ("Andrew M. Dai", "Thanumalayan Sankaranarayana Pillai", "Marie Pellat"), True),
    ("Michael Isard, Guy Gur-Ari, Pengcheng Yin", ("Michael Isard", "Guy Gur-Ari", "Pengcheng Yin"), True),
    # particles, initials, suffixes
    ("Ludwig van Beethoven, Juan de la Cruz, J. R. R. Tolkien",
     ("Ludwig van Beethoven", "Juan de la Cruz", "J. R. R. Tolkien"), True),
    ("A. Smith, B. Jones Jr., C. Doe", ("A. Smith", "B. Jones Jr.", "C. Doe"), True),
    ("Martin Luther King, Jr., Coretta Scott King", ("Martin Luther King Jr.", "Coretta Scott King"), True),
    ("M. Bodlak, M. Finger, M. Finger Jr., Y. Assran",
     ("M. Bodlak", "M. Finger", "M. Finger Jr.", "Y. Assran"), True),
    # no separator: one name (arXiv's own metadata splits it the same way)
    ("Ketan D. Mulmuley Hariharan Narayanan", ("Ketan D. Mulmuley Hariharan Narayanan",), True),
    # separators
    ("A and B", ("A", "B"), True),
    ("A, B, and C", ("A", "B", "C"), True),
    ("Ileana Streinu and Louis Theran", ("Ileana Streinu", "Louis Theran"), True),
    ("Chris Nixon, Andrew King & Daniel Price", ("Chris Nixon", "Andrew King", "Daniel Price"), True),
    ("Semjon Stepanow, Jens-Uwe Sommer, and Igor Ya. Erukhimovich",
     ("Semjon Stepanow", "Jens-Uwe Sommer", "Igor Ya. Erukhimovich"), True),
    ("Smith, John; Doe, Jane", ("Smith, John", "Doe, Jane"), True),  # with ";" the commas are inside names
    # "and" inside words is no separator
    ("Alexander Andrews, Fernando Ferdinand", ("Alexander Andrews", "Fernando Ferdinand"), True),
    # arXiv abs pages (text of div.authors, and the metadata's own spelling)
    ("Authors:C. Balázs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
     ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"), True),
    ("G. Drexlin, V. Hannen, S. Mertens and C. Weinheimer",
     ("G. Drexlin", "V. Hannen", "S. Mertens", "C. Weinheimer"), True),
    ("Andrea Brignole (CERN-TH), Ferruccio Feruglio (Padua Univ.), Fabio Zwirner (INFN-Padua)",
     ("Andrea Brignole", "Ferruccio Feruglio", "Fabio Zwirner"), True),
    ("Ivan Miskun (1), Timo Dickel (1 and 2), Soumya Bagchi (1 and 2 and 6), John S. Winfield (2), for the "
     "Super-FRS Experiment Collaboration ((1) Justus-Liebig-Universität, Gießen, Germany (2) GSI "
     "Helmholtzzentrum für Schwerionenforschung GmbH, Darmstadt, Germany)",
     ("Ivan Miskun", "Timo Dickel", "Soumya Bagchi", "John S. Winfield",
      "for the Super-FRS Experiment Collaboration"), True),
    ("R. Stern, M. Mali, J. Roos and D. Brinkmann "
     "(Physik-Institut, University Zurich, CH-8057 Zurich, Switzerland)",
     ("R. Stern", "M. Mali", "J. Roos", "D. Brinkmann"), True),
    ("Yu.V.Ralchenko (Weizmann Institute of Science) and L.A.Vainshtein (Lebedev Physical Institute)",
     ("Yu.V.Ralchenko", "L.A.Vainshtein"), True),
    ("Louis Leblanc, Kadeem Dennis, Zhe (Rita)Liang, Matei I. Radulescu",
     ("Louis Leblanc", "Kadeem Dennis", "Zhe Liang", "Matei I. Radulescu"), True),
    ("Yu Shi (Dept. of Phys., fudan University", ("Yu Shi",), True),  # cut inside the affiliation
    ("LHCb Collaboration: R. Aaij, B. Adeva, A.A. Alves Jr, W. Byczynski,  "
     "(750 additional authors not shown)",
     ("LHCb Collaboration", "R. Aaij", "B. Adeva", "A.A. Alves Jr", "W. Byczynski"), False),
    ("The CMS and LHCb Collaborations: V. Khachatryan, A.M. Sirunyan, E. Pesen\n  \n  \n    "
     "et al. (2732 additional authors not shown)\n  \xa0You must enable JavaScript to view entire "
     "author list.",
     ("The CMS and LHCb Collaborations", "V. Khachatryan", "A.M. Sirunyan", "E. Pesen"), False),
    # bad input
    ("", (), False),
    ("  \n ", (), False),
    ("et al.", (), False),
    (", , and ;", (), False),
]


@pytest.mark.parametrize(("text", "names", "complete"), AUTHOR_LIST_CASES)
def test_parse_author_list(text, names, complete):
    assert parse_author_list(text) == AuthorList(names, complete, text)


# The PaLM author list from the paper-digest export (seed 003), wrapped over lines exactly as captured.
PALM_WRAPPED = """- Authors: Aakanksha Chowdhery, Sharan Narang, Jacob Devlin, Maarten Bosma,
Gaurav Mishra, Adam Roberts, Paul Barham, Hyung Won Chung, Charles Sutton,
Sebastian Gehrmann, Parker Schuh, Kensen Shi, Sasha Tsvyashchenko, Joshua
Maynez, Abhishek Rao, Parker Barnes, Yi Tay, Noam Shazeer, Vinodkumar
Prabhakaran, Emily Reif, Nan Du, Ben Hutchinson, Reiner Pope, James Bradbury,
Jacob Austin, Michael Isard, Guy Gur-Ari, Pengcheng Yin, Toju Duke, Anselm
Levskaya, Sanjay Ghemawat, Sunipa Dev, Henryk Michalewski, Xavier Garcia,
Vedant Misra, Kevin Robinson, Liam Fedus, Denny Zhou, Daphne Ippolito, David
Luan, Hyeontaek Lim, Barret Zoph, Alexander Spiridonov, Ryan Sepassi, David
Dohan, Shivani Agrawal, Mark Omernick, Andrew M. Dai, Thanumalayan
Sankaranarayana Pillai, Marie Pellat, Aitor Lewkowycz, Erica Moreira, Rewon
Child, Oleksandr Polozov, Katherine Lee, Zongwei Zhou, Xuezhi Wang, Brennan
Saeta, Mark Diaz, Orhan Firat, Michele Catasta, Jason Wei, Kathy
Meier-Hellstern, Douglas Eck, Jeff Dean, Slav Petrov, Noah Fiedel"""


def test_palm_list_wrapped_over_lines_has_67_names():
    authors = parse_author_list(PALM_WRAPPED)
    assert len(authors.names) == 67
    assert authors.complete
    assert authors.names[:2] == ("Aakanksha Chowdhery", "Sharan Narang")
    assert authors.names[-1] == "Noah Fiedel"
    for name in ("Joshua Maynez", "Vinodkumar Prabhakaran", "Anselm Levskaya", "David Luan", "David Dohan",
                 "Thanumalayan Sankaranarayana Pillai", "Rewon Child", "Brennan Saeta",
                 "Kathy Meier-Hellstern", "Andrew M. Dai", "Guy Gur-Ari"):
        assert name in authors.names
    # the same list on one line (catalyzex) gives the same names
    one_line = " ".join(PALM_WRAPPED.removeprefix("- Authors: ").split())
    assert parse_author_list(one_line).names == authors.names


@pytest.mark.parametrize("junk", [None, 42, ["Hugo Touvron"], b"A and B"])
def test_parse_author_list_never_raises(junk):
    assert parse_author_list(junk) == AuthorList((), False, "")


# (one spelling, another spelling of the same person, key)
NAME_CASES = [
    ("C. Balázs", r"C. Bal\'azs", "c balazs"),  # abs page vs arXiv metadata TeX
    ("Martin Nöllenburg", r"Martin N\"ollenburg", "martin nollenburg"),
    ("Wolfgang R. Plaß", r"Wolfgang R. Pla{\ss}", "wolfgang r plass"),
    ("C.-P. Yuan", "C. P. Yuan", "c p yuan"),
    ("D.G. Levkov", "D. G. Levkov", "d g levkov"),
    ("Kathy Meier-Hellstern", "kathy  meier hellstern", "kathy meier hellstern"),
    ("Laurent El Shafey", "LAURENT EL SHAFEY", "laurent el shafey"),
    ("Søren Łukasiewicz", "Soren Lukasiewicz", "soren lukasiewicz"),
    ("Martin Luther King Jr.", "Martin Luther King, Jr.", "martin luther king jr"),
]


@pytest.mark.parametrize(("one", "other", "key"), NAME_CASES)
def test_normalise_name(one, other, key):
    assert normalise_name(one) == key
    assert normalise_name(other) == key


@pytest.mark.parametrize("junk", ["", "  ", "...", None, 7])
def test_normalise_name_of_nothing_is_empty(junk):
    assert normalise_name(junk) == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("Narang, Sharan", "Sharan Narang"),                       # Highwire citation_author
    ("Chowdhery, Aakanksha", "Aakanksha Chowdhery"),
    ("Meier-Hellstern, Kathy", "Kathy Meier-Hellstern"),
    ("Dai, Andrew M.", "Andrew M. Dai"),
    ("El Shafey, Laurent", "Laurent El Shafey"),
    ("King, Jr., Martin Luther", "Martin Luther King Jr."),    # BibTeX "von Last, Jr, First" order
    ("King, Martin Luther, Jr.", "Martin Luther King Jr."),
    ("Sharan Narang", "Sharan Narang"),                        # already in reading order
    ("  Narang ,  Sharan ", "Sharan Narang"),
    ("", ""),
])
def test_display_order(text, expected):
    assert display_order(text) == expected

"""clean_text, join_wrapped_lines, strip_tex, normalise_title, split_sentences on strings from real pages."""

from __future__ import annotations

import pytest

from parsers.fields.text import (clean_text, ends_sentence, join_wrapped_lines, normalise_title, split_sentences,
                                 strip_tex)

CLEAN_TEXT_CASES = [
    ("  Sharan Narang\n", "Sharan Narang"),
    ("et al. (2732 additional authors not shown)\n  \xa0You must",
     "et al. (2732 additional authors not shown) You must"),
    ("Apr 19, 2022\nAakanksha\tChowdhery", "Apr 19, 2022 Aakanksha Chowdhery"),
    ("thin\u202fspace and zero\u200bwidth", "thin space and zerowidth"),
    ("soft\u00adhyphen", "softhyphen"),
    ("", ""),
    ("\n \t\xa0", ""),
    (None, ""),
    (42, ""),
]


@pytest.mark.parametrize(("text", "expected"), CLEAN_TEXT_CASES)
def test_clean_text(text, expected):
    assert clean_text(text) == expected


JOIN_CASES = [
    # paper-digest export, wrapped at ~80 columns
    (["Saeta, Mark Diaz, Orhan Firat, Michele Catasta, Jason Wei, Kathy",
      "Meier-Hellstern, Douglas Eck, Jeff Dean, Slav Petrov, Noah Fiedel"],
     "Saeta, Mark Diaz, Orhan Firat, Michele Catasta, Jason Wei, Kathy Meier-Hellstern, Douglas Eck, "
     "Jeff Dean, Slav Petrov, Noah Fiedel"),
    (["Dohan, Shivani Agrawal, Mark Omernick, Andrew M. Dai, Thanumalayan",
      "Sankaranarayana Pillai, Marie Pellat"],
     "Dohan, Shivani Agrawal, Mark Omernick, Andrew M. Dai, Thanumalayan Sankaranarayana Pillai, "
     "Marie Pellat"),
    (["On the Analysis of Cross-Lingual Prompt Tuning for Decoder-based", "Multilingual Model"],
     "On the Analysis of Cross-Lingual Prompt Tuning for Decoder-based Multilingual Model"),
    (["Kathy Meier-", "Hellstern"], "Kathy Meier-Hellstern"),  # a hyphen at the line end is part of the name
    (["achieving state-of-the-", "art few-shot learning"], "achieving state-of-the-art few-shot learning"),
    # a dash, not a hyphen
    (["large language models --", "i.e., parsing"], "large language models -- i.e., parsing"),
    (["  first  ", "", "   ", "second"], "first second"),
    ("Kathy\nMeier-Hellstern", "Kathy Meier-Hellstern"),  # a string is taken as its lines
    ([], ""),
    (None, ""),
]


@pytest.mark.parametrize(("lines", "expected"), JOIN_CASES)
def test_join_wrapped_lines(lines, expected):
    assert join_wrapped_lines(lines) == expected


STRIP_TEX_CASES = [
    (r"C. Bal\'azs", "C. Balazs"),
    (r"Martin N\"ollenburg", "Martin Nollenburg"),
    (r"W.L. Ald\'a J\'unior", "W.L. Alda Junior"),  # the space after an accented letter stays
    (r"Wolfgang R. Pla{\ss}", "Wolfgang R. Plaß"),
    (r"IFIN-HH/ELI-NP, M\u{a}gurele", "IFIN-HH/ELI-NP, Magurele"),
    (r"Bal\'{a}zs", "Balazs"),
]


@pytest.mark.parametrize(("text", "expected"), STRIP_TEX_CASES)
def test_strip_tex(text, expected):
    assert strip_tex(text) == expected


# (one spelling, another spelling of the same title) -> same key; the key itself is checked too
TITLE_CASES = [
    ("PaLM: Scaling Language Modeling with Pathways", "palm: scaling   language modeling with pathways",
     "palm scaling language modeling with pathways"),
    (r"Scaling Up Models and Data with $\texttt{t5x}$ and $\texttt{seqio}$",
     "Scaling Up Models and Data with t5x and seqio", "scaling up models and data with t5x and seqio"),
    # arXiv metadata (TeX) vs the abs page (Unicode for \mu, TeX left for \to)
    (r"Observation of the rare $B^0_s\to\mu^+\mu^-$ decay from the combined analysis of CMS and LHCb data",
     "Observation of the rare $B^0_s\\toμ^+μ^-$ decay from the combined analysis of CMS and LHCb data",
     "observation of the rare b 0 s μ μ decay from the combined analysis of cms and lhcb data"),
    ("On the Analysis of Cross-Lingual Prompt Tuning for Decoder-based\nMultilingual Model",
     "On the Analysis of Cross-Lingual Prompt Tuning for Decoder- based Multilingual Model",
     "on the analysis of cross lingual prompt tuning for decoder based multilingual model"),
    ("WT5?! Training Text-to-Text Models to Explain their Predictions",
     "WT5 Training Text to Text Models to Explain their Predictions",
     "wt5 training text to text models to explain their predictions"),
    ("Élan vital: Gödel", r"\'Elan vital: G\"odel", "elan vital godel"),
]


@pytest.mark.parametrize(("one", "other", "key"), TITLE_CASES)
def test_normalise_title(one, other, key):
    assert normalise_title(one) == key
    assert normalise_title(other) == key


@pytest.mark.parametrize("junk", ["", "   ", "?!", None, 3.5])
def test_normalise_title_of_nothing_is_empty(junk):
    assert normalise_title(junk) == ""


SUMMARY = ("We trained a 540-billion parameter, densely activated, Transformer language model, which we "
           "call Pathways Language Model PaLM.\nWe trained PaLM on 6144 TPU v4 chips using Pathways, "
           "a new ML system which enables highly efficient training across multiple TPU Pods.")

SENTENCE_CASES = [
    (SUMMARY, [
        "We trained a 540-billion parameter, densely activated, Transformer language model, which we call "
        "Pathways Language Model PaLM.",
        "We trained PaLM on 6144 TPU v4 chips using Pathways, a new ML system which enables highly efficient "
        "training across multiple TPU Pods."]),
    ("We present a novel 4.5B parameter small language model. Despite its small size, it works.",
     ["We present a novel 4.5B parameter small language model.", "Despite its small size, it works."]),
    ("outperforms PALM 540B by a large margin. Flan-PaLM 540B achieves state-of-the-art performance.",
     ["outperforms PALM 540B by a large margin.", "Flan-PaLM 540B achieves state-of-the-art performance."]),
    ("the need to distribute computation on supercomputer clusters (e.g., TPUs), prevent bottlenecks.",
     ["the need to distribute computation on supercomputer clusters (e.g., TPUs), prevent bottlenecks."]),
    ("standard NLP benchmarks (e.g. MMLU, ARC) against human preferences. Our findings are striking.",
     ["standard NLP benchmarks (e.g. MMLU, ARC) against human preferences.", "Our findings are striking."]),
    ("While Kaplan et al. presents a study. The scope is only the loss.",
     ["While Kaplan et al. presents a study.", "The scope is only the loss."]),
    ("as shown by Kaplan et al. Their study covers scaling.",
     ["as shown by Kaplan et al. Their study covers scaling."]),
    ("Andrew M. Dai and Jeff Dean agree. Is it so? Yes!",
     ["Andrew M. Dai and Jeff Dean agree.", "Is it so?", "Yes!"]),
    ("Results improve (see Fig. 3). 2023 was a good year.",
     ["Results improve (see Fig. 3).", "2023 was a good year."]),
    ("", []),
    (None, []),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCE_CASES)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize(("text", "ends"), [
    ("We scale to 540B parameters.", True),
    ("Is it? ", False),                                  # trailing space: cleaned text has none; not a close
    ("as shown (see Fig. 2.)", True),
    ("the “best” results.”", True),
    ("We evaluate PaLM on hundreds of language understanding and generation tasks, and find that", False),
    ("Results:", False),
    ("", False),
])
def test_ends_sentence_tells_a_whole_abstract_from_one_cut_short(text, ends):
    assert ends_sentence(text) is ends

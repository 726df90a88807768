"""The record contract: ids are stable, empty fields are absent, and the schema catches bad records."""

from __future__ import annotations

import re

import jsonschema

from parsers.records import Author, Metrics, Paper, Source, schema, to_dict, validation_errors

SRC = Source(site="scholar-profile", url="https://profiles.example.org/author/sharan-narang")


def test_published_schema_is_itself_valid():
    jsonschema.validators.validator_for(schema()).check_schema(schema())


def test_paper_id_is_the_title_and_first_author_whatever_ids_the_page_shows():
    """One id per paper in every run: knowing the arXiv id or DOI adds them to ``ids``, never changes ``id``."""
    title = "PaLM: Scaling Language Modeling with Pathways"
    known = to_dict(Paper(title=title, source=SRC, authors=["Aakanksha Chowdhery", "Sharan Narang"],
                          arxiv_id="2204.02311", doi="10.48550/arXiv.2204.02311"))
    unknown = to_dict(Paper(title="  PaLM:  scaling language modeling with pathways ", source=SRC,
                            authors=["Aakanksha  Chowdhery"]))
    assert known["id"] == unknown["id"] and re.fullmatch(r"title:[0-9a-f]{16}", known["id"])
    assert known["ids"] == sorted(["arxiv:2204.02311", "doi:10.48550/arxiv.2204.02311", known["id"]])
    assert unknown["ids"] == [unknown["id"]]
    # Another paper, or the same title by another first author (the merge keeps them apart too): another id.
    other = to_dict(Paper(title="Pathways: Asynchronous Distributed Dataflow for ML", source=SRC,
                          authors=["Aakanksha Chowdhery"]))
    namesake = to_dict(Paper(title=title, source=SRC, authors=["Someone Else"]))
    assert len({known["id"], other["id"], namesake["id"]}) == 3
    assert validation_errors(known) == [] and validation_errors(unknown) == []


def test_missing_metric_is_absent_not_zero():
    author = Author(name="Sharan Narang", source=SRC, metrics=Metrics(h_index=29))
    data = to_dict(author)
    assert data["metrics"] == {"h_index": 29}
    assert data["id"] == "author:sharan-narang"
    assert "photo_url" not in data and validation_errors(author) == []


def test_schema_rejects_what_a_database_would_choke_on():
    bad = to_dict(Paper(title="X", source=SRC, date="Jul 18, 2023"))
    bad["authors"] = ["A", ""]
    bad["score"] = "180.6"
    errors = validation_errors(bad)
    assert any(e.startswith("date:") for e in errors)
    assert any(e.startswith("authors/1:") for e in errors)
    assert any(e.startswith("score:") for e in errors)


def test_unknown_field_is_rejected():
    data = to_dict(Paper(title="X", source=SRC))
    data["scroe"] = 1.0
    assert validation_errors(data)


def test_titles_and_names_without_letters_still_get_distinct_valid_ids():
    assert to_dict(Paper(title="???", source=SRC))["id"] != to_dict(Paper(title="!!!", source=SRC))["id"]
    assert Author(name="***", source=SRC).id != "author:"
    assert validation_errors(Author(name="***", source=SRC)) == []

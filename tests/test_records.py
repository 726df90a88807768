"""The record contract: ids are stable, empty fields are absent, and the schema catches bad records."""

from __future__ import annotations

import jsonschema

from parsers.records import Author, Metrics, Paper, Source, schema, to_dict, validation_errors

SRC = Source(site="scholar-profile", url="https://profiles.example.org/author/sharan-narang")


def test_published_schema_is_itself_valid():
    jsonschema.validators.validator_for(schema()).check_schema(schema())


def test_paper_id_prefers_arxiv_and_else_is_stable_across_title_spellings():
    assert Paper(title="PaLM", source=SRC, arxiv_id="2204.02311").id == "arxiv:2204.02311"
    a = Paper(title="PaLM: Scaling Language Modeling with Pathways", source=SRC)
    b = Paper(title="  PaLM:  scaling language modeling with pathways ", source=SRC)
    c = Paper(title="Pathways: Asynchronous Distributed Dataflow for ML", source=SRC)
    assert a.id.startswith("title:") and a.id == b.id != c.id


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
    assert Paper(title="???", source=SRC).id != Paper(title="!!!", source=SRC).id
    assert Author(name="***", source=SRC).id != "author:"
    assert validation_errors(Author(name="***", source=SRC)) == []

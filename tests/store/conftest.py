"""Fixtures of the store's tests: each test that takes ``store_url`` runs on SQLite and on PostgreSQL."""

from __future__ import annotations


import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh, empty store's URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records.db'}"
    server = request.getfixturevalue("postgres_server")
    return server.fresh_database()

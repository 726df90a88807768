"""Spiders: they decide what to fetch and hand every response to the parsers."""

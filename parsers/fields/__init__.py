"""Generic field parsers: pure functions from page text to values, never raising on bad input.

Import from the submodules (``from parsers.fields.dates import parse_date``); this package imports nothing so
that using one parser does not load the others.
"""

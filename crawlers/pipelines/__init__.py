"""Item pipelines, one job each, in order: clean each record (NormaliseRecords), write it to the store, where
the same paper or author from several pages is merged into one record as it arrives (StoreRecords,
crawlers/store/). When the crawl closes, the store's merged records are checked against the schema
(ValidateRecords) and written by Scrapy's feed export (settings FEEDS, or -O/-o), JSON Lines in UTF-8."""

from importlib import import_module

# Imported when first used (PEP 562): the store's writer process needs only merge_records, and importing the
# pipelines would load Scrapy and Twisted into it (30 MB it never uses).
# StoreRecords is crawlers.pipelines.store.StoreRecords: not here, as the store itself imports the merge.
_EXPORTS = {"NormaliseRecords": "normalise", "normalise_url": "normalise", "ValidateRecords": "validate",
            "repair": "validate", "merge_records": "merge"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)

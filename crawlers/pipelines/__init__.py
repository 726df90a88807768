"""Item pipelines, one job each, in order: clean each record (NormaliseRecords), write it to the store, where
the same paper or author from several pages is merged into one record as it arrives (StoreRecords,
crawlers/store/). When the crawl closes, the store's merged records are checked against the schema
(ValidateRecords) and written by Scrapy's feed export (settings FEEDS, or -O/-o), JSON Lines in UTF-8."""

from crawlers.pipelines.merge import merge_records
from crawlers.pipelines.normalise import NormaliseRecords, normalise_url
from crawlers.pipelines.validate import ValidateRecords, repair

# StoreRecords is crawlers.pipelines.store.StoreRecords: not imported here, as the store itself imports the merge.
__all__ = ["NormaliseRecords", "ValidateRecords", "merge_records", "normalise_url", "repair"]

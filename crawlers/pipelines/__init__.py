"""Item pipelines, one job each, in order: clean each record (NormaliseRecords), merge the same paper or
author from several pages into one record (MergePapers; merged records are emitted once, when the crawl
runs dry), check each merged record against the schema (ValidateRecords). Writing is Scrapy's feed export
(settings FEEDS, or -O/-o), JSON Lines in UTF-8."""

from crawlers.pipelines.merge import MergePapers, merge_records
from crawlers.pipelines.normalise import NormaliseRecords, normalise_url
from crawlers.pipelines.validate import ValidateRecords, repair

__all__ = ["NormaliseRecords", "MergePapers", "ValidateRecords", "merge_records", "normalise_url", "repair"]

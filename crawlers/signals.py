"""Signals the spider sends so the end-of-crawl summary can report pages without reading the log."""

# page_parsed(url, site, listing, declared_counts, parsed_counts, problems): a page gave a ParseResult.
# ``listing`` is the first page of the listing a next-page link led from, so page counts add up per listing.
page_parsed = object()

# page_failed(url, reason): a page could not be fetched or read (HTTP error, unknown layout, PageError).
page_failed = object()

# store_lost(exc): the store's database stopped taking writes (connection lost, server down, disk full). The
# pipeline keeps what it parses in its spool; a worker of a distributed crawl stops instead (its requests go
# back to the shared queue, crawlers/distributed/scheduler.py).
store_lost = object()

# flush_records(): write the records held for the end of this reactor turn now. A distributed worker sends it
# before it acks requests in Redis, so no request is acked while its page's records are only in memory.
flush_records = object()

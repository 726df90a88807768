"""The Scrapy side of the project: what to fetch, and what to do with the records the parsers return.

The only package that imports scrapy. Spiders hand each response to ``parsers.parse_page``; pipelines
clean, check, merge and write; middlewares add what Scrapy has no hook for (offline replay, Retry-After,
host policy, a page limit).
"""

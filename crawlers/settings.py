"""Scrapy settings for the scholar crawlers: only what differs from Scrapy's defaults.

Polite by default: robots.txt obeyed, a delay plus AutoThrottle, two requests at a time per host, a
descriptive user agent (put your contact in it), retries that back off and honour Retry-After.
Main command: ``scrapy crawl author -a url=<profile or listing URL>`` (or ``-a name="..."``), or offline
``scrapy crawl author -s REPLAY_DIR=fixtures -O output/records.jsonl``.
"""

BOT_NAME = "scholar_scrapers"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"
# Our ``crawl`` command checks the spider's -a/-s values first: a bad one is one error line, not a traceback.
COMMANDS_MODULE = "crawlers.commands"
# With REDIS_URL set, scheduling goes through Redis for crawls over several workers (crawlers/distributed/).
ADDONS = {"crawlers.distributed.RedisScheduling": 0}

# -- politeness ---------------------------------------------------------------------------------
# Replace the contact placeholder before crawling a live site: site owners need a way to reach you.
USER_AGENT = "scholar-scrapers/0.1 (+https://example.invalid/contact; set CONTACT)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Keep above 0: with no delay, Scrapy 2.19 on the asyncio reactor starts every queued request of a host at
# once, ignoring CONCURRENT_REQUESTS_PER_DOMAIN (tests/crawl/test_politeness.py shows the limit holding).
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# The arXiv API asks for one request every 3 seconds, one at a time.
DOWNLOAD_SLOTS = {"export.arxiv.org": {"delay": 3.0, "concurrency": 1, "randomize_delay": False}}
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
COOKIES_ENABLED = False          # profile and paper pages need no session

# -- retries: Scrapy's list of codes and exceptions, with exponential backoff and Retry-After ------
RETRY_TIMES = 3
RETRY_BACKOFF_BASE = 1.0         # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 60.0         # no single wait longer than this
RETRY_AFTER_MAX = 300.0          # a Retry-After longer than this gives up on the page instead of waiting

# -- what is followed ---------------------------------------------------------------------------
DEPTH_LIMIT = 3                  # start page -> next page / paper page -> arXiv page
PAGE_LIMIT = 1000                # pages fetched per crawl (robots.txt not counted); 0 = no limit
# Link kinds the spider follows (parsers.result.LinkKind: "next-page", "arxiv"). arXiv abstract pages
# ("arxiv") are not fetched one per paper by default: arXiv data comes from its API, up to 100 papers a
# request (ARXIV_COMPLETION).
FOLLOW_KINDS = ["next-page"]
ALLOW_PRIVATE_HOSTS = False      # loopback/private addresses are only fetched in tests
EXTRA_ALLOWED_HOSTS: list[str] = []  # besides every site module's HOSTS (arXiv's included) and the start URLs' hosts

# -- arXiv completion (crawlers/completion.py) ----------------------------------------------------
# When the crawl runs dry, papers whose author list is cut or whose date is partial are completed from the
# arXiv API before the records are written: by arXiv id, up to ARXIV_BATCH_SIZE ids a request; without an
# id, by title (ARXIV_TITLE_BATCH_SIZE titles a request, at most ARXIV_TITLE_SEARCH_LIMIT papers a crawl).
# Requests are paced by the export.arxiv.org slot above (one every 3 s, one at a time). Off: False.
ARXIV_COMPLETION = True
ARXIV_API_URL = "https://export.arxiv.org/api/query"
ARXIV_BATCH_SIZE = 100
ARXIV_TITLE_SEARCH = True
ARXIV_TITLE_BATCH_SIZE = 10
ARXIV_TITLE_SEARCH_LIMIT = 50

# -- offline replay: REPLAY_DIR=fixtures answers every request from fixtures/pages.json -----------
REPLAY_DIR = None
REPLAY_MANIFEST = "pages.json"
REPLAY_VARIANT = "html"          # manifest rows of this variant ("html", or "text" for the captures)
REPLAY_DELAY = 0.0               # seconds before each replayed answer (simulated latency, for tests)

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawlers.middlewares.AllowedHostsMiddleware": 50,
    "crawlers.middlewares.PageLimitMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.RetryAfterMiddleware": 550,
    "crawlers.middlewares.ReplayMiddleware": 950,
}

ITEM_PIPELINES = {
    "crawlers.pipelines.NormaliseRecords": 100,
    "crawlers.pipelines.store.StoreRecords": 200,       # writes and merges in the store; ValidateRecords checks its export
}

EXTENSIONS = {
    "crawlers.extensions.CrawlSummary": 500,
}

# -- several workers, one crawl (crawlers/distributed/; README "Scaling out") ------------------------
REDIS_URL = None                 # e.g. redis://host:6379/0: take requests from (and give them to) a shared queue
REDIS_WORKER_TIMEOUT = 30.0      # seconds without a heartbeat before a worker's requests in flight are requeued
REDIS_POLL_INTERVAL = 0.5        # seconds between heartbeats and looks at the shared queue when idle
REDIS_WORKER = None              # this worker's name in Redis (default: <hostname>-<pid>)

# -- the store: every record upserted and merged as it arrives (crawlers/store/) --------------------------
# sqlite:///<file> or postgresql://<user>@<host>/<database>. Unset: a SQLite file beside the feed
# (-O output/records.jsonl -> sqlite:///output/records.db).
STORE_URL = None
# The database lost mid-crawl: retried with backoff (1 s doubled, this at most); what it does not take meanwhile
# is spooled to <output>.spool.jsonl. A crawl run dry waits this long for it before it closes without an export.
STORE_RETRY_MAX_DELAY = 60
STORE_WAIT_AT_END = 300
# The store's merge and commits run in a process of their own (crawlers/store/writer.py), on another core while
# pages are parsed; False: in the crawl's process (one core, or to debug the store).
STORE_WRITER_PROCESS = True

# -- output: JSON Lines -------------------------------------------------------------------------
# Used by `scrapy crawl` when no feed is given (no -O/-o, no FEEDS): a project-wide FEEDS would be written
# *in addition* to a -O file (Scrapy merges FEEDS into the command line's feeds), and by `scrapy parse` too;
# so our crawl command (crawlers/commands/crawl.py) applies this default only when FEEDS is empty.
DEFAULT_FEEDS = {
    "output/records.jsonl": {"format": "jsonlines", "encoding": "utf-8", "overwrite": True},
}
# -o onto JSON Lines upserts by id; CSV has every field as a column, flattened (crawlers/outputs.py).
FEED_STORAGES = {"": "crawlers.outputs.UpsertFileFeedStorage", "file": "crawlers.outputs.UpsertFileFeedStorage"}
FEED_EXPORTERS = {"csv": "crawlers.outputs.FlatCsvItemExporter"}
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

"""``scrapy crawl author``: an author's profile or paper listing, its further pages, each paper's page and
its arXiv page. The spider only decides what to fetch; ``parsers.parse_page`` reads every page.

    scrapy crawl author -a url=https://www.catalyzex.com/author/Parker%20Schuh
    scrapy crawl author -a name="Sharan Narang"              # the profile URL on every site that has one
    scrapy crawl author -s REPLAY_DIR=fixtures -O output/records.jsonl   # offline, from the manifest's start pages
    ... -a as_of=2026-11-22                                  # reference day for dates printed without a year
    ... -s ARXIV_COMPLETION=False                            # no arXiv API requests (cut author lists stay cut)

When the crawl runs dry, papers with a cut author list or a partial date are completed from the arXiv API in
batches (crawlers/completion.py decides which and how; StoreRecords asks ``completion_requests`` with the
stored papers that want it and hands back what earlier runs into the same store asked and got answered).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import UsageError
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers import distributed, signals
from crawlers.completion import ArxivCompletion, CompletionResult, Lookup, fields_to_complete, paper_keys
from crawlers.setting_values import check_setting_values
from parsers import LinkKind, Page, PageError, ParseResult, UnrecognisedPage, parse_page
from parsers.sites import adapters

NOTHING_TO_CRAWL = ("nothing to crawl: give -a url=<URL>[,<URL>...] or -a name=\"<author>\" "
                    "(or -s REPLAY_DIR=<dir> to start from its manifest's start pages, or -s REDIS_URL=<URL> "
                    "to work on a shared queue)")
MERGED_ONLY = "crawlers.outputs.MergedOnly"
REPLAY_PACE = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}
PLACEHOLDER_CONTACT = "example.invalid/contact"     # settings.USER_AGENT until the user puts a contact in


class AuthorSpider(scrapy.Spider):
    name = "author"
    # Listed by `scrapy crawl author --help` and `-a help=1` (crawlers/commands/crawl.py).
    ARGUMENTS = {
        "url": "start URL(s), comma-separated: author profiles or paper listings, e.g. "
               "https://www.catalyzex.com/author/Parker%20Schuh",
        "name": 'an author\'s name, e.g. "Sharan Narang": the profile URL on every site with a URL pattern for names',
        "as_of": "YYYY-MM-DD: the reference day for dates printed without a year (default: the day a replayed "
                 "page was captured, else today)",
    }

    def __init__(self, *args, url: str | None = None, name: str | None = None, as_of: str | None = None,
                 **kwargs):
        # ``name`` is the author's name here (-a name=...), not the spider's: keep it off Spider.name.
        super().__init__(*args, **kwargs)
        self.urls = parse_url_argument(url)
        self.author_name = name
        self.as_of = parse_as_of_argument(as_of)

    @classmethod
    def check_arguments(cls, spider_args: dict[str, str], settings) -> None:
        """Raise UsageError naming a bad -a/-s value and what is expected (crawlers/commands/crawl.py asks
        this before the crawl starts; the spider checks the same when built)."""
        unknown = sorted(set(spider_args) - set(cls.ARGUMENTS))
        if unknown:
            raise UsageError(f"-a {unknown[0]}: not an argument of this spider; expected "
                             f"{', '.join(cls.ARGUMENTS)} (scrapy crawl {cls.name} -a help=1 lists them)")
        urls = parse_url_argument(spider_args.get("url"))
        parse_as_of_argument(spider_args.get("as_of"))
        check_replay_dir(settings)
        check_setting_values(settings)
        follow_kinds(settings)
        if not (urls or spider_args.get("name") or (settings.get("REPLAY_DIR") and replay_start_urls(settings))
                or distributed.enabled(settings)):
            raise UsageError(NOTHING_TO_CRAWL)

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        # No default feed here: `scrapy parse`/`check` build this spider too. Our crawl command sets it.
        if settings.get("REPLAY_DIR"):
            # Saved pages cost the sites nothing: no politeness waits. -s on the command line still wins
            # (spider priority is below cmdline), e.g. a slow replay for the JOBDIR test.
            for name, value in REPLAY_PACE.items():
                settings.set(name, value, priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs) -> AuthorSpider:
        check_replay_dir(crawler.settings)
        check_setting_values(crawler.settings)      # a crawl started by a script, not our command, too
        only_merged_records_to_feeds(crawler.settings)
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.start_urls = spider.find_start_urls()
        spider.allowed_domains = sorted(spider.allowed_hosts())
        spider.follow_kinds = follow_kinds(crawler.settings)
        spider.completion = (ArxivCompletion.from_settings(crawler.settings)
                             if crawler.settings.getbool("ARXIV_COMPLETION", True) else None)
        crawler.signals.connect(spider.request_dropped, signal=scrapy.signals.request_dropped)
        if not crawler.settings.get("REPLAY_DIR") and PLACEHOLDER_CONTACT in crawler.settings.get("USER_AGENT", ""):
            spider.logger.warning("USER_AGENT still holds the placeholder contact (%s): the sites crawled cannot "
                                  "reach you; set it, e.g. -s USER_AGENT='scholar-scrapers/0.1 (+mailto:you@"
                                  "example.org)'", PLACEHOLDER_CONTACT)
        return spider

    # -- what to fetch --------------------------------------------------------------------------

    def find_start_urls(self) -> list[str]:
        urls = list(self.urls)
        if self.author_name:
            urls += [module.profile_url(self.author_name) for module in adapters()
                     if hasattr(module, "profile_url")]
        if not urls and self.settings.get("REPLAY_DIR"):
            urls = replay_start_urls(self.settings)
        if not urls and not distributed.enabled(self.settings):   # a worker may start from the queue alone
            raise UsageError(NOTHING_TO_CRAWL)
        return urls

    def allowed_hosts(self) -> set[str]:
        hosts = {host for module in adapters() for host in getattr(module, "HOSTS", ())}
        hosts.update(self.settings.getlist("EXTRA_ALLOWED_HOSTS"))
        own = {urlsplit(url).hostname for url in self.start_urls if urlsplit(url).hostname}
        if distributed.enabled(self.settings):       # every worker follows the links of every start URL's host
            client = distributed.connect(self.settings)
            distributed.add_start_hosts(client, self.name, own)
            own |= distributed.start_hosts(client, self.name)
        return hosts | own

    async def start(self):
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.fetch_failed, meta={"listing": url})

    # -- each page ------------------------------------------------------------------------------

    def parse(self, response: Response):
        result = self.read_page(response)
        if result is None:
            return
        yield from result.records
        for link in result.follow:
            if link.kind in self.follow_kinds:
                listing = response.meta.get("listing", response.url) if link.kind == "next-page" else link.url
                yield response.follow(link.url, callback=self.parse, errback=self.fetch_failed,
                                      meta={"listing": listing, "link_kind": link.kind.value})

    def reference_day(self, response: Response) -> date:
        """-a as_of, else the day a replayed page was captured, else today (the crawl day)."""
        captured = response.meta.get("captured_on")
        return self.as_of or (date.fromisoformat(captured) if captured else date.today())

    def read_page(self, response: Response, site: str | None = None) -> ParseResult | None:
        """The parsers' result for a response, told to the summary; None (reported) when it cannot be read."""
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        try:
            page = Page.from_bytes(response.body, response.url, content_type)
            result = parse_page(page, as_of=self.reference_day(response), site=site)
        except (PageError, UnrecognisedPage) as exc:
            self.report_failure(response.url, str(exc))
            return None
        self.report_parsed(response, result)
        return result

    def fetch_failed(self, failure: Failure) -> None:
        """Errback: report a request that got no usable response. Returns nothing: whatever an errback
        returns, Scrapy takes as the callback's output (a string would be logged as an item error)."""
        self.report_fetch_failure(failure)

    def report_fetch_failure(self, failure: Failure) -> str:
        """Tell the summary (and the log) why a request got no usable response; returns the reason."""
        request = getattr(failure, "request", None)
        response = getattr(failure.value, "response", None)
        url = request.url if request is not None else "<unknown URL>"
        reason = f"HTTP {response.status}" if response is not None else _describe(failure)
        already_logged = response is not None and "replay-missing" in response.flags
        if already_logged:
            reason += " (not in the replay manifest)"
        self.report_failure(url, reason, log=not already_logged)
        return reason

    def request_dropped(self, request: scrapy.Request, spider=None) -> None:
        """A redirect back to a page already requested is dropped as a duplicate, with no errback:
        report it as the redirect loop it is."""
        chain = request.meta.get("redirect_urls")
        if chain and request.url in chain:
            self.report_failure(chain[0], f"redirect loop: {' -> '.join(chain + [request.url])}")

    # -- arXiv completion (asked by StoreRecords when the crawl first runs dry) ---------------------

    def completion_requests(self, papers: list[dict], asked: list[dict] = (),
                            answered: set[str] = frozenset()) -> list[scrapy.Request]:
        """API requests for the merged papers to complete. ``asked``/``answered``: the lookups earlier runs
        into the same store sent and the URLs whose answer is stored (crawlers/completion.py)."""
        if self.completion is None:
            return []
        self.completion.restore(asked, answered)
        try:
            if distributed.enabled(self.settings):       # each paper asked by one worker only
                papers = distributed.claim_papers(self.settings, self.name,
                                                  [p for p in papers if fields_to_complete(p)], paper_keys)
            lookups = self.completion.plan(papers)
            if distributed.enabled(self.settings):       # each API request sent by one worker only
                mine = distributed.claim_lookups(self.settings, self.name, [lookup.url for lookup in lookups])
                lookups = [lookup for lookup in lookups if lookup.url in mine]
        except distributed.REDIS_DOWN as exc:
            # Unclaimed, a paper could be asked by two workers; the scheduler stops this worker on the same loss.
            self.logger.error("arXiv completion: Redis cannot be reached to claim papers (%s): this worker asks "
                              "arXiv nothing; run it again once Redis is back", " ".join(str(exc).split()))
            return []
        requests = []
        for lookup in lookups:
            self.crawler.stats.inc_value("arxiv/api_requests")
            self.crawler.stats.inc_value(f"arxiv/{lookup.kind}_requests")
            self.crawler.stats.inc_value("arxiv/papers_asked", len(lookup.wanted))
            # The lookup rides in meta: a request Scrapy kept in JOBDIR's queue is answered after a restart.
            requests.append(scrapy.Request(lookup.url, callback=self.parse_arxiv_answer,
                                           errback=self.arxiv_answer_failed, dont_filter=True,
                                           meta={"arxiv_completion": lookup.kind,
                                                 "arxiv_lookup": lookup.to_dict()}))
        return requests

    def parse_arxiv_answer(self, response: Response):
        if self.completion is None:      # asked by an earlier run (JOBDIR queue), completion now off
            return
        self._remember_lookup(response.request)
        result = self.read_page(response, site="arxiv")
        if result is None:
            failed = self.completion.failed(response.url, "the answer is not an arXiv API feed (see failures)")
            yield CompletionResult(response.url, failed)
            return
        yield CompletionResult(response.url,
                               self.completion.answer(response.url, result.records, result.problems))

    def arxiv_answer_failed(self, failure: Failure):
        reason = self.report_fetch_failure(failure)
        request = getattr(failure, "request", None)
        if request is not None and self.completion is not None:
            self._remember_lookup(request)
            yield CompletionResult(request.url, self.completion.failed(request.url, reason))

    def _remember_lookup(self, request: scrapy.Request | None) -> None:
        if request is not None and request.meta.get("arxiv_lookup"):
            self.completion.remember(Lookup.from_dict(request.meta["arxiv_lookup"]))

    # -- telling the summary --------------------------------------------------------------------

    def report_failure(self, url: str, reason: str, log: bool = True) -> None:
        reason = reason if reason.startswith(url) else f"{url}: {reason}"
        if log:
            self.logger.warning("page failed: %s", reason)
        self.crawler.stats.inc_value("pages/failed")
        self.crawler.signals.send_catch_log(signals.page_failed, url=url, reason=reason)

    def report_parsed(self, response: Response, result) -> None:
        parsed_counts: dict[str, int] = {}
        for record in result.records:
            parsed_counts[record.type] = parsed_counts.get(record.type, 0) + 1
        self.crawler.stats.inc_value(f"pages/parsed/{result.site}")
        for problem in result.problems:
            self.logger.warning("%s (%s): %s", response.url, result.site, problem)
        self.crawler.signals.send_catch_log(
            signals.page_parsed, url=response.url, site=result.site,
            listing=response.meta.get("listing", response.url), declared_counts=dict(result.declared_counts),
            parsed_counts=parsed_counts, problems=list(result.problems))


def _describe(failure: Failure) -> str:
    """One line: the exception in words ("response data loss error") and its message, if any."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", failure.type.__name__).lower()
    message = " ".join(failure.getErrorMessage().split())
    return f"{words}: {message}" if message else words


def parse_url_argument(value: str | None) -> list[str]:
    """-a url=<URL>[,<URL>...]: each an absolute http(s) URL with a host."""
    urls = [part.strip() for part in (value or "").split(",") if part.strip()]
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"-a url: {url!r} is not an http(s) URL; expected e.g. "
                             "https://www.catalyzex.com/author/Parker%20Schuh (several: comma-separated)")
    return urls


def parse_as_of_argument(value: str | None) -> date | None:
    """-a as_of=YYYY-MM-DD: the reference day for dates printed without a year."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"-a as_of={value!r} is not a date; expected YYYY-MM-DD, e.g. 2026-11-22") from None


def follow_kinds(settings) -> frozenset[LinkKind]:
    """FOLLOW_KINDS as link kinds; a kind no adapter emits is a usage error, not a silent no-op."""
    try:
        return frozenset(LinkKind(kind.strip()) for kind in settings.getlist("FOLLOW_KINDS") if kind.strip())
    except ValueError as exc:
        known = ", ".join(kind.value for kind in LinkKind)
        raise UsageError(f"-s FOLLOW_KINDS={','.join(settings.getlist('FOLLOW_KINDS'))}: {exc}; expected a "
                         f"comma-separated list of {known}") from None


def check_replay_dir(settings) -> None:
    """-s REPLAY_DIR=<dir>: a directory holding the manifest (REPLAY_MANIFEST, pages.json), with rows of
    the REPLAY_VARIANT asked for."""
    if not settings.get("REPLAY_DIR"):
        return
    manifest = Path(settings.get("REPLAY_DIR")) / settings.get("REPLAY_MANIFEST", "pages.json")
    if not manifest.is_file():
        raise UsageError(f"-s REPLAY_DIR={settings.get('REPLAY_DIR')}: no manifest {manifest}; expected a "
                         "directory with the saved pages and their pages.json (e.g. REPLAY_DIR=fixtures)")
    try:
        rows = json.loads(manifest.read_text(encoding="utf-8"))
        variants = sorted({row.get("variant", "html") for row in rows})
    except (ValueError, TypeError, AttributeError) as exc:
        raise UsageError(f"-s REPLAY_DIR={settings.get('REPLAY_DIR')}: {manifest} is not a list of pages "
                         f"({exc})") from None
    variant = settings.get("REPLAY_VARIANT", "html")
    if variant not in variants:
        raise UsageError(f"-s REPLAY_VARIANT={variant}: {manifest} has no pages of that variant; "
                         f"expected one of: {', '.join(variants)}")


def only_merged_records_to_feeds(settings) -> None:
    """Every feed takes only the store's merged records (the parsed ones pass by on their way into it). Set
    when the spider is built: Scrapy re-applies the command line's FEEDS after ``update_settings``."""
    feeds = {uri: {**options, "item_filter": options.get("item_filter", MERGED_ONLY)}
             for uri, options in settings.getdict("FEEDS").items()}
    if feeds:
        settings.set("FEEDS", feeds, priority=settings.getpriority("FEEDS"))


def replay_start_urls(settings) -> list[str]:
    """URLs of the manifest rows marked ``"start": true`` (of the replayed variant)."""
    manifest = Path(settings.get("REPLAY_DIR")) / settings.get("REPLAY_MANIFEST", "pages.json")
    variant = settings.get("REPLAY_VARIANT", "html")
    rows = json.loads(manifest.read_text(encoding="utf-8"))
    return [row["url"] for row in rows if row.get("start") and row.get("variant", "html") == variant]

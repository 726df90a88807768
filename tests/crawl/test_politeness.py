"""The crawl is polite by default and stays on the sites it was pointed at, shown on the wire wherever a
crawl can show it: robots.txt first and obeyed, a delay between requests to one host, at most two at a
time, a user agent with a contact, Retry-After honoured, no host outside the supported sites and no
private or loopback address fetched (and each refusal counted).
"""

from __future__ import annotations

import re

import pytest
from tests.crawl.crawl_run import FAST, FIXTURES, crawl_author
from tests.crawl.loopback import LoopbackServer, RetryAfter, loopback  # noqa: F401 - pytest fixture
from scrapy.settings import Settings
from scrapy.settings.default_settings import USER_AGENT as SCRAPY_USER_AGENT

CATALYZEX = "/author/Parker%20Schuh"
CATALYZEX_PAGE_2 = "/author/Parker%20Schuh?page=2"
NEXT_LINK = b'href="/author/Parker%20Schuh?page=2"'
# A contact in the user agent: a URL ("+https://...") or an e-mail address.
CONTACT = re.compile(r"\+?https?://\S+|[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture(scope="module")
def project() -> Settings:
    """The settings `scrapy crawl` runs with: Scrapy's defaults overridden by crawlers/settings.py."""
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    return settings


def serve_catalyzex(server: LoopbackServer) -> None:
    server.add_file(CATALYZEX, FIXTURES / "catalyzex" / "parker-schuh.html")
    server.add_file(CATALYZEX_PAGE_2, FIXTURES / "catalyzex" / "parker-schuh.page2.html")


def page_requests(server: LoopbackServer) -> list:
    return [request for request in server.received if not request.path.endswith("/robots.txt")]


# -- the defaults ----------------------------------------------------------------------------------

def test_defaults_obey_robots_and_throttle(project: Settings) -> None:
    assert project.getbool("ROBOTSTXT_OBEY")
    assert project.getbool("AUTOTHROTTLE_ENABLED")
    assert project.getfloat("DOWNLOAD_DELAY") >= 0.5
    assert 1 <= project.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2


def test_user_agent_names_the_bot_and_a_contact(project: Settings) -> None:
    user_agent = project.get("USER_AGENT")
    assert user_agent != SCRAPY_USER_AGENT
    assert CONTACT.search(user_agent), user_agent


def test_download_size_is_capped(project: Settings) -> None:
    assert 0 < project.getint("DOWNLOAD_MAXSIZE") <= 100 * 1024 * 1024


def test_private_hosts_are_off_by_default(project: Settings) -> None:
    assert not project.getbool("ALLOW_PRIVATE_HOSTS")


# -- on the wire -----------------------------------------------------------------------------------

def test_default_crawl_reads_robots_first_waits_between_requests_and_honours_retry_after(
        loopback: LoopbackServer, tmp_path, project: Settings) -> None:
    """Project defaults except what the loopback needs: the 429 retry waits Retry-After, every request
    carries the project's user agent, and requests to one host are spaced by the download delay."""
    serve_catalyzex(loopback)
    loopback.fail(CATALYZEX, RetryAfter(1), times=1)
    run = crawl_author([loopback.url(CATALYZEX)], tmp_path, loopback.offline_env(),
                       {"ALLOW_PRIVATE_HOSTS": "True", "FOLLOW_KINDS": "next-page",
                        "TELNETCONSOLE_ENABLED": "False"}, completion=False)
    assert "author:parker-schuh" in run.ids(), run.describe()
    received = loopback.received
    assert received[0].path == "/robots.txt"
    assert {request.user_agent for request in received} == {project.get("USER_AGENT")}
    first, retry, page_2 = page_requests(loopback)
    assert (first.path, retry.path, page_2.path) == (CATALYZEX, CATALYZEX, CATALYZEX_PAGE_2)
    assert retry.time - first.time >= 1.0
    # Scrapy randomises the delay between 0.5 and 1.5 times DOWNLOAD_DELAY.
    assert page_2.time - retry.time >= 0.5 * project.getfloat("DOWNLOAD_DELAY")


def test_at_most_two_requests_at_once_to_one_host(loopback: LoopbackServer, tmp_path) -> None:
    """Ten start pages on one host, slow answers (0.3 s) and a short delay (0.05 s) between starts: without
    the per-host limit about six requests would overlap. (The delay must stay above zero: with
    DOWNLOAD_DELAY = 0, Scrapy 2.19 on the asyncio reactor starts every queued request of a host at once,
    ignoring CONCURRENT_REQUESTS_PER_DOMAIN.)"""
    starts = [loopback.add_file(f"/paper/copy-{number}", FIXTURES / "paper_digest" / "palm.html")
              for number in range(10)]
    loopback.delay = 0.3
    run = crawl_author(starts, tmp_path, loopback.offline_env(),
                       {**FAST, "DOWNLOAD_DELAY": "0.05", "CONCURRENT_REQUESTS": "16", "FOLLOW_KINDS": ""},
                       completion=False)
    assert len(page_requests(loopback)) == 10, run.describe()
    assert loopback.max_in_flight <= 2


def test_robots_disallow_is_obeyed_and_reported(loopback: LoopbackServer, tmp_path) -> None:
    serve_catalyzex(loopback)
    loopback.add_file("/private/sharan-narang", FIXTURES / "scholar_profile" / "sharan-narang.html")
    loopback.robots_txt = "User-agent: *\nDisallow: /private/\n"
    forbidden = loopback.url("/private/sharan-narang")
    run = crawl_author([forbidden, loopback.url(CATALYZEX)], tmp_path, loopback.offline_env(),
                       {**FAST, "FOLLOW_KINDS": "next-page"}, completion=False)
    assert loopback.requests_for("/private/sharan-narang") == []
    assert loopback.requests_for(CATALYZEX), run.describe()
    assert "author:sharan-narang" not in run.ids() and "author:parker-schuh" in run.ids()
    assert run.scrapy_stats.get("robotstxt/forbidden") == 1
    assert [error for error in run.failures if error.get("url") == forbidden], run.failures


def test_outside_hosts_and_private_addresses_are_not_fetched_and_are_counted(
        loopback: LoopbackServer, tmp_path) -> None:
    """ALLOW_PRIVATE_HOSTS off, as in production. The pages come through the loopback proxy under the
    site's own host names; their next-page links lead to a host outside the supported sites and to a
    loopback address, and one start URL is itself a loopback address."""
    page = (FIXTURES / "catalyzex" / "parker-schuh.html").read_bytes()
    outside = b'href="http://outside.example.net/author/Parker%20Schuh?page=2"'
    private = f'href="{loopback.url(CATALYZEX_PAGE_2)}"'.encode()
    loopback.add_page(CATALYZEX, page.replace(NEXT_LINK, outside))
    loopback.add_page("/author/Parker%20Schuh?copy=private-next", page.replace(NEXT_LINK, private))
    loopback.add_file(CATALYZEX_PAGE_2, FIXTURES / "catalyzex" / "parker-schuh.page2.html")
    loopback.add_file("/author/sharan-narang", FIXTURES / "scholar_profile" / "sharan-narang.html")
    loopback.virtual_hosts.add("www.catalyzex.com")
    starts = ["http://www.catalyzex.com/author/Parker%20Schuh",
              "http://www.catalyzex.com/author/Parker%20Schuh?copy=private-next",
              loopback.url("/author/sharan-narang")]
    run = crawl_author(starts, tmp_path, loopback.offline_env(), {
        "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "TELNETCONSOLE_ENABLED": "False",
        "FOLLOW_KINDS": "next-page"}, completion=False)
    assert "author:parker-schuh" in run.ids(), run.describe()
    assert [r.path for r in loopback.received if not r.path.startswith("http://www.catalyzex.com/")] == []
    assert loopback.outside_requests() == []
    assert run.scrapy_stats.get("offsite/private") == 2            # the private start page and link
    assert run.scrapy_stats.get("offsite/filtered", 0) >= 1        # the outside host's link
    assert loopback.url("/author/sharan-narang") in run.log


def test_page_over_download_maxsize_is_dropped_and_reported(loopback: LoopbackServer, tmp_path) -> None:
    """The scholar profile (59 KB) over a 30 KB cap: not parsed, named in the summary; the CatalyzeX page
    (17 KB) under it is crawled as usual."""
    serve_catalyzex(loopback)
    oversized = loopback.add_file("/author/sharan-narang",
                                  FIXTURES / "scholar_profile" / "sharan-narang.html")
    run = crawl_author([oversized, loopback.url(CATALYZEX)], tmp_path, loopback.offline_env(),
                       {**FAST, "FOLLOW_KINDS": "", "DOWNLOAD_MAXSIZE": "30000", "RETRY_TIMES": "0"},
                       completion=False)
    assert "author:parker-schuh" in run.ids(), run.describe()
    assert "author:sharan-narang" not in run.ids()
    [failure] = [failure for failure in run.failures if failure["url"] == oversized]
    assert "size" in failure["reason"].replace(oversized, ""), failure

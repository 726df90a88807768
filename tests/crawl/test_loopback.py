"""The loopback server the crawl tests rely on: it serves pages, injects each fault as described, logs
requests, refuses live hosts as a proxy, and binds nothing but 127.0.0.1."""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request

import pytest
from tests.crawl.loopback import Hang, LoopbackServer, Received, RetryAfter, Status, Truncated, loopback  # noqa: F401

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str, timeout: float = 5.0, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    return NO_PROXY.open(request, timeout=timeout)


def test_binds_only_the_loopback_address(loopback: LoopbackServer) -> None:
    assert loopback._httpd.server_address[0] == "127.0.0.1"
    assert loopback.origin == f"http://127.0.0.1:{loopback.port}"


def test_serves_a_page_by_path_and_logs_the_request(loopback: LoopbackServer) -> None:
    url = loopback.add_page("/author/a%20b?page=2", "<p>hello</p>")
    with fetch(url, headers={"User-Agent": "probe/1.0"}) as response:
        assert response.status == 200
        assert response.read() == b"<p>hello</p>"
        assert response.headers["Content-Type"].startswith("text/html")
    [request] = loopback.requests_for("/author/a%20b?page=2")
    assert request.method == "GET"
    assert request.user_agent == "probe/1.0"


def test_unknown_path_is_404(loopback: LoopbackServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        fetch(loopback.url("/nowhere"))
    assert raised.value.code == 404


def test_default_robots_allows_everything_and_can_be_replaced(loopback: LoopbackServer) -> None:
    with fetch(loopback.url("/robots.txt")) as response:
        assert b"Disallow:\n" in response.read()
    loopback.robots_txt = "User-agent: *\nDisallow: /private/\n"
    with fetch(loopback.url("/robots.txt")) as response:
        assert response.read() == b"User-agent: *\nDisallow: /private/\n"


def test_status_fault_then_the_page(loopback: LoopbackServer) -> None:
    loopback.add_page("/p", "ok")
    url = loopback.fail("/p", Status(500), times=1)
    with pytest.raises(urllib.error.HTTPError) as raised:
        fetch(url)
    assert raised.value.code == 500
    with fetch(url) as response:
        assert response.read() == b"ok"
    assert len(loopback.requests_for("/p")) == 2


def test_retry_after_fault_says_how_long_to_wait(loopback: LoopbackServer) -> None:
    loopback.add_page("/p", "ok")
    url = loopback.fail("/p", RetryAfter(3))
    with pytest.raises(urllib.error.HTTPError) as raised:
        fetch(url)
    assert raised.value.code == 429
    assert raised.value.headers["Retry-After"] == "3"


def test_fault_for_every_request_when_times_is_none(loopback: LoopbackServer) -> None:
    loopback.add_page("/p", "ok")
    url = loopback.fail("/p", Status(503), times=None)
    for _ in range(3):
        with pytest.raises(urllib.error.HTTPError):
            fetch(url)


def test_hang_outlasts_the_client_timeout(loopback: LoopbackServer) -> None:
    url = loopback.fail("/slow", Hang(5), times=None)
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        fetch(url, timeout=0.3)
    assert time.monotonic() - started < 2


def test_stop_releases_held_connections_promptly() -> None:
    server = LoopbackServer().start()
    server.fail("/slow", Hang(30), times=None)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/slow")
    time.sleep(0.1)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2
    connection.close()


def test_truncated_body_is_shorter_than_its_content_length(loopback: LoopbackServer) -> None:
    loopback.add_page("/p", "x" * 1000)
    loopback.fail("/p", Truncated(0.5))
    connection = http.client.HTTPConnection("127.0.0.1", loopback.port, timeout=5)
    connection.request("GET", "/p")
    response = connection.getresponse()
    assert response.headers["Content-Length"] == "1000"
    with pytest.raises(http.client.IncompleteRead) as raised:
        response.read()
    assert len(raised.value.partial) == 500
    connection.close()


def test_redirect_loop_never_reaches_a_page(loopback: LoopbackServer) -> None:
    url = loopback.redirect_loop("/loop/a", "/loop/b")
    with pytest.raises(urllib.error.HTTPError) as raised:
        fetch(url)
    assert raised.value.code == 302
    paths = [request.path for request in loopback.received]
    assert paths[:3] == ["/loop/a", "/loop/b", "/loop/a"]


def test_requests_for_live_hosts_are_refused_and_logged(loopback: LoopbackServer) -> None:
    through_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({"http": loopback.origin}))
    with pytest.raises(urllib.error.HTTPError) as raised:
        through_proxy.open("http://www.example.com/page", timeout=5)
    assert raised.value.code == 403
    [outside] = loopback.outside_requests()
    assert outside.path == "http://www.example.com/page"
    env = loopback.offline_env({})
    assert env["https_proxy"] == env["http_proxy"] == loopback.origin
    assert env["no_proxy"] == "127.0.0.1"


def test_stops_by_itself_after_its_lifetime() -> None:
    server = LoopbackServer(max_lifetime=0.2).start()
    time.sleep(0.6)
    assert server.stopping.is_set()
    with pytest.raises((ConnectionError, urllib.error.URLError)):
        fetch(server.url("/robots.txt"), timeout=1)


def test_log_keeps_arrival_times_in_order(loopback: LoopbackServer) -> None:
    loopback.add_page("/p", "ok")
    for _ in range(2):
        with fetch(loopback.url("/p")):
            pass
    first, second = loopback.requests_for("/p")
    assert isinstance(first, Received)
    assert first.time <= second.time


def test_virtual_hosts_are_served_through_the_proxy_by_path(loopback: LoopbackServer) -> None:
    loopback.add_page("/author/x", "profile")
    loopback.virtual_hosts.add("www.catalyzex.com")
    through_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({"http": loopback.origin}))
    with through_proxy.open("http://www.catalyzex.com/author/x", timeout=5) as response:
        assert response.read() == b"profile"
    with pytest.raises(urllib.error.HTTPError):
        through_proxy.open("http://elsewhere.example.net/author/x", timeout=5)
    assert [r.path for r in loopback.outside_requests()] == ["http://elsewhere.example.net/author/x"]


def test_delay_makes_concurrent_requests_overlap_and_is_measured(loopback: LoopbackServer) -> None:
    import threading

    loopback.add_page("/p", "ok")
    loopback.delay = 0.3
    threads = [threading.Thread(target=lambda: fetch(loopback.url("/p")).close()) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loopback.max_in_flight == 3

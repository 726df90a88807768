"""A loopback HTTP server for crawl tests and the crawl benchmark.

It serves fixture pages on http://127.0.0.1:PORT/<path> (a free port, never any other address), injects
faults per path (a status, a 429 with Retry-After, a held connection, a truncated body, a redirect), serves
a robots.txt, and records every request it gets (method, path, time, headers) so a test can assert on
retries, delays and the User-Agent.

It also answers as an HTTP proxy: a crawl started with ``http_proxy``/``https_proxy`` pointing here (see
``offline_env``) sends any request for a live host to this server instead of the network; such requests are
recorded with their absolute URL and refused with 403, so a test can prove nothing left the machine.
Hosts named in ``virtual_hosts`` are the exception: plain-http requests for them are answered from the
page table by path, so a crawl can see a public host name (and its host policy apply) while offline.

The server stops by itself after ``max_lifetime`` seconds even if a test forgets to stop it.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

LOOPBACK_HOST = "127.0.0.1"
DEFAULT_ROBOTS = "User-agent: *\nDisallow:\n"
GATE_TIMEOUT = 30.0             # seconds an answer waits at most for a closed gate
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8"}


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    method: str
    path: str                       # path and query as sent; an absolute URL when sent through the proxy
    time: float                     # time.monotonic() when the request line was read
    headers: dict[str, str]         # header names lower-cased

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")


# Faults: what to answer instead of the page, for the first `times` requests of a path.

@dataclass(frozen=True)
class Status:
    """Answer with this HTTP status and a short body (e.g. 500, 503, 404)."""

    code: int


@dataclass(frozen=True)
class RetryAfter:
    """Answer 429 Too Many Requests with a Retry-After header in seconds."""

    seconds: int = 1


@dataclass(frozen=True)
class Hang:
    """Read the request, then hold the connection silent for `seconds` and close it without an answer."""

    seconds: float


@dataclass(frozen=True)
class Truncated:
    """Send the headers with a Content-Length larger than the body, then part of the body, then close."""

    sent_fraction: float = 0.5


@dataclass(frozen=True)
class Redirect:
    """Answer 302 with a Location to another path on this server."""

    to: str


Fault = Status | RetryAfter | Hang | Truncated | Redirect


@dataclass
class _Plan:
    fault: Fault
    remaining: int | None           # None: for every request


@dataclass(frozen=True)
class Served:
    body: bytes
    content_type: str


class LoopbackServer:
    """Threaded HTTP server on 127.0.0.1 with per-path pages and faults and a log of requests."""

    def __init__(self, max_lifetime: float = 120.0) -> None:
        self._pages: dict[str, Served] = {}
        self._plans: dict[str, _Plan] = {}
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self.robots_txt: str | None = DEFAULT_ROBOTS
        self.virtual_hosts: set[str] = set()     # proxied plain-http hosts served from the page table
        self.delay = 0.0                          # seconds every answer waits, to make requests overlap
        self.max_in_flight = 0                    # most requests being answered at the same moment
        # Answers wait while the gate is closed (recorded first): a test opens it once every crawler it
        # started has asked for something, so that all of them take part.
        self.gate = threading.Event()
        self.gate.set()
        self._in_flight = 0
        self.stopping = threading.Event()
        self._httpd = _Server((LOOPBACK_HOST, 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.loopback = self          # type: ignore[attr-defined]
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"loopback:{self.port}", daemon=True)
        self._watchdog = threading.Timer(max_lifetime, self.stop)
        self._watchdog.daemon = True

    # --- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> LoopbackServer:
        self._thread.start()
        self._watchdog.start()
        return self

    def stop(self) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()              # wakes held (Hang) connections so shutdown does not wait on them
        self._watchdog.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- content ---------------------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"http://{LOOPBACK_HOST}:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def add_page(self, path: str, body: bytes | str, content_type: str = CONTENT_TYPES[".html"]) -> str:
        """Serve `body` at `path`; returns the page's loopback URL."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        self._pages[path] = Served(body, content_type)
        return self.url(path)

    def add_file(self, path: str, file: Path, rewrite_origins: tuple[str, ...] = ()) -> str:
        """Serve a fixture file at `path`; absolute links to `rewrite_origins` are pointed at this server,
        so a crawl that follows them stays on the loopback."""
        body = file.read_bytes()
        for origin in rewrite_origins:
            body = body.replace(origin.encode("utf-8"), self.origin.encode("utf-8"))
        return self.add_page(path, body, CONTENT_TYPES.get(file.suffix, "application/octet-stream"))

    def add_manifest(self, manifest: Path, fixtures_dir: Path, html_only: bool = True,
                     rewrite_links: bool = False) -> dict[str, str]:
        """Serve every page of a crawl manifest (``[{"url", "file", "capture"}]``) at its URL's path,
        byte for byte unless `rewrite_links` points absolute links to the manifest's hosts at this server
        (that changes what the parsers see: an arXiv link is no longer on arxiv.org).
        Returns {manifest url: loopback url}."""
        entries = json.loads(manifest.read_text(encoding="utf-8"))
        origins = tuple(sorted({_origin(entry["url"]) for entry in entries})) if rewrite_links else ()
        served = {}
        for entry in entries:
            file = fixtures_dir / entry["file"]
            if html_only and (file.suffix != ".html" or entry.get("variant", "html") != "html"):
                continue
            path = _path_and_query(entry["url"])
            if path in self._pages:
                raise ValueError(f"{manifest}: two manifest pages share the path {path}")
            served[entry["url"]] = self.add_file(path, file, origins)
        return served

    def fail(self, path: str, fault: Fault, times: int | None = 1) -> str:
        """Answer requests for `path` with `fault`: the first `times` of them, or all when times is None.
        Returns the path's loopback URL."""
        self._plans[path] = _Plan(fault, times)
        return self.url(path)

    def redirect_loop(self, first: str, second: str) -> str:
        """`first` redirects to `second` and back, forever. Returns the URL of `first`."""
        self.fail(first, Redirect(second), times=None)
        self.fail(second, Redirect(first), times=None)
        return self.url(first)

    # --- the log ---------------------------------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def requests_for(self, path: str) -> list[Received]:
        return [request for request in self.received if request.path == path]

    def outside_requests(self) -> list[Received]:
        """Requests that reached this server as a proxy for a host it does not serve: attempts to fetch a
        live host."""
        return [request for request in self.received if request.method == "CONNECT"
                or (_is_absolute(request.path) and _virtual_path(request.path, self.virtual_hosts) is None)]

    def offline_env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for a crawl subprocess: every request to a host other than 127.0.0.1 goes to this
        server as a proxy (recorded, refused), never to the network."""
        env = dict(os.environ if base is None else base)
        for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
            env[name] = self.origin
        for name in ("no_proxy", "NO_PROXY"):
            env[name] = LOOPBACK_HOST
        return env

    # --- called by the handler -------------------------------------------------------------------------

    def _record(self, request: Received) -> None:
        with self._lock:
            self._received.append(request)

    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            plan = self._plans.get(path)
            if plan is None or plan.remaining == 0:
                return None
            if plan.remaining is not None:
                plan.remaining -= 1
            return plan.fault

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _page(self, path: str) -> Served | None:
        if path == "/robots.txt" and self.robots_txt is not None:
            return Served(self.robots_txt.encode("utf-8"), CONTENT_TYPES[".txt"])
        return self._pages.get(path)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """A client hanging up (a timeout, a cancelled oversized download) is expected here: stay quiet."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"        # keep-alive, as a real site; every answer sets Content-Length
    server_version = "loopback-fixtures"

    @property
    def loopback(self) -> LoopbackServer:
        return self.server.loopback     # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:   # noqa: A002 - the base class's name
        """Quiet: the request log is in `LoopbackServer.received`."""

    def _receive(self) -> None:
        self.loopback._record(Received(self.command, self.path, time.monotonic(),
                                       {name.lower(): value for name, value in self.headers.items()}))

    def do_CONNECT(self) -> None:        # noqa: N802 - http.server's naming
        self._receive()
        self._answer(403, b"offline test: tunnels to live hosts are refused\n")

    def do_HEAD(self) -> None:           # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:            # noqa: N802
        self._receive()
        self.loopback._enter()
        try:
            self._get()
        finally:
            self.loopback._leave()

    def _get(self) -> None:
        if not self.loopback.gate.is_set():
            self.loopback.gate.wait(GATE_TIMEOUT)
        path = self.path
        if _is_absolute(path):
            path = _virtual_path(path, self.loopback.virtual_hosts)
            if path is None:
                self._answer(403, b"offline test: live hosts are refused\n")
                return
        if self.loopback.delay:
            self.loopback.stopping.wait(self.loopback.delay)
        fault = self.loopback._next_fault(path)
        page = self.loopback._page(path)
        if fault is None:
            if page is None:
                self._answer(404, b"not a fixture page\n")
            else:
                self._answer(200, page.body, page.content_type)
        elif isinstance(fault, Status):
            self._answer(fault.code, f"injected status {fault.code}\n".encode())
        elif isinstance(fault, RetryAfter):
            self._answer(429, b"slow down\n", headers={"Retry-After": str(fault.seconds)})
        elif isinstance(fault, Redirect):
            self._answer(302, b"", headers={"Location": self.loopback.url(fault.to)})
        elif isinstance(fault, Hang):
            self.loopback.stopping.wait(fault.seconds)
            self.close_connection = True
        elif isinstance(fault, Truncated):
            self._truncated(page.body if page else b"x" * 4096, fault.sent_fraction)

    def _answer(self, code: int, body: bytes, content_type: str = CONTENT_TYPES[".txt"],
                headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _truncated(self, body: bytes, sent_fraction: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPES[".html"])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: int(len(body) * sent_fraction)])
        self.wfile.flush()
        self.close_connection = True


def _is_absolute(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def _virtual_path(url: str, virtual_hosts: set[str]) -> str | None:
    """The path and query of a proxied plain-http URL for a host this server stands in for, else None."""
    parts = urlsplit(url)
    if parts.scheme != "http" or (parts.hostname or "") not in virtual_hosts:
        return None
    return _path_and_query(url)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A started loopback server, stopped after the test. Import it into a test module to use it."""
    with LoopbackServer() as server:
        yield server

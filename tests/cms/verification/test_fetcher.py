"""The page fetcher against a real HTTP server on 127.0.0.1 (no mocks of HTTP).

The server records every request it receives (arrival time, path, headers), so the tests assert what
reached it — not what the client says it did.
"""

import hashlib
import itertools
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cms.verification.fetcher import Outcome, PageFetcher, decode_body, normalise_url
from cms.verification.sources import ABSENT, FOUND_NEAR_ORGANISATION, number_on_page

ORGANISATION = "吴川市医疗保障局"
NUMBER = "0759-5586822"
PRESENT_HTML = (
    "<html><head><meta charset='utf-8'><title>吴川市医疗保障局 联系我们</title></head><body>"
    "<h1>吴川市医疗保障局</h1><p>咨询电话：0759-5586822（工作日）</p></body></html>"
)
ABSENT_HTML = (
    "<html><head><meta charset='utf-8'></head><body><h1>吴川市医疗保障局</h1>"
    "<p>咨询电话：0759-5586699</p></body></html>"
)
GBK_HTML = "<html><head>{meta}</head><body><p>吴川市医疗保障局 咨询电话：（0759）5586822</p></body></html>"
GB2312_META = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
ROBOTS = "User-agent: *\nDisallow: /private/\n"
LAST_MODIFIED = "Mon, 03 Nov 2025 08:00:00 GMT"


@dataclass
class Hit:
    arrived: float  # time.monotonic() in the server thread (same clock as the test)
    path: str
    headers: dict[str, str]


@dataclass
class Site:
    """What the server serves and what it saw. Tests change the fields to change its behaviour."""

    port: int = 0
    robots: tuple[int, str] | None = (200, ROBOTS)  # None: 404
    version: int = 1  # of /changing
    slow_seconds: float = 3.0
    hits: list[Hit] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        with self.lock:
            return [hit.path for hit in self.hits]

    def count(self, path: str) -> int:
        return self.paths().count(path)


def changing_html(version: int) -> str:
    number = NUMBER if version == 1 else "0759-5586699"
    return f"<html><body><p>吴川市医疗保障局 第{version}版 电话：{number}</p></body></html>"


def make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with site.lock:
                site.hits.append(Hit(time.monotonic(), self.path, dict(self.headers)))
            route = ROUTES.get(self.path.split("?")[0])
            if route is None:
                self.reply(404, "text/html", b"<p>not found</p>")
            else:
                route(self, site)

        def reply(self, status: int, content_type: str, body: bytes, headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def html(self, text: str, charset: str = "utf-8", **headers: str) -> None:
            self.reply(200, f"text/html; charset={charset}", text.encode(charset), headers)

        def redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def robots_txt(h, site):
    if site.robots is None:
        h.reply(404, "text/plain", b"no robots here")
    else:
        h.reply(site.robots[0], "text/plain", site.robots[1].encode())


def changing(h, site):
    body = changing_html(site.version).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    if h.headers.get("If-None-Match") == etag or (
        "If-None-Match" not in h.headers
        and h.headers.get("If-Modified-Since") == LAST_MODIFIED
        and site.version == 1
    ):
        h.send_response(304)
        h.send_header("ETag", etag)
        h.end_headers()
        return
    h.reply(200, "text/html; charset=utf-8", body, {"ETag": etag, "Last-Modified": LAST_MODIFIED})


def slow(h, site):
    site.stop.wait(site.slow_seconds)
    h.html(PRESENT_HTML)


def slow_body(h, site):
    body = PRESENT_HTML.encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body[:20])
    h.wfile.flush()
    site.stop.wait(site.slow_seconds)
    h.wfile.write(body[20:])


def trickle(h, site):
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", "1000")
    h.end_headers()
    for _ in range(1000):
        if site.stop.wait(0.05):
            return
        h.wfile.write(b"x")
        h.wfile.flush()


def big_unsized(h, site):
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.end_headers()  # HTTP/1.0 without Content-Length: the body ends when the connection closes
    for _ in range(100):
        h.wfile.write(b"<p>" + b"x" * 1000 + b"</p>")


ROUTES = {
    "/robots.txt": robots_txt,
    "/present": lambda h, site: h.html(PRESENT_HTML),
    "/absent": lambda h, site: h.html(ABSENT_HTML),
    "/other": lambda h, site: h.html(PRESENT_HTML),
    "/third": lambda h, site: h.html(PRESENT_HTML),
    "/changing": changing,
    "/slow": slow,
    "/slow-body": slow_body,
    "/trickle": trickle,
    "/error/500": lambda h, site: h.reply(500, "text/html", b"boom"),
    "/error/503": lambda h, site: h.reply(503, "text/html", b"busy", {"Retry-After": "120"}),
    "/error/403": lambda h, site: h.reply(403, "text/html", b"forbidden"),
    "/error/410": lambda h, site: h.reply(410, "text/html", b"gone"),
    "/error/429": lambda h, site: h.reply(429, "text/html", b"slow down"),
    "/redirect": lambda h, site: h.redirect("/present"),
    "/redirect-absolute": lambda h, site: h.redirect(f"{site.base}/redirect"),
    "/redirect-loop": lambda h, site: h.redirect("/redirect-loop"),
    "/redirect-private": lambda h, site: h.redirect(f"http://0.0.0.0:{site.port}/present"),
    "/redirect-file": lambda h, site: h.redirect("file:///etc/passwd"),
    "/redirect-disallowed": lambda h, site: h.redirect("/private/page"),
    "/big": lambda h, site: h.html("<p>" + "x" * 5000 + "</p>"),
    "/big-unsized": big_unsized,
    "/private/page": lambda h, site: h.html(PRESENT_HTML),
    "/gbk": lambda h, site: h.html(GBK_HTML.format(meta=""), charset="gbk"),
    "/gbk-meta": lambda h, site: h.reply(200, "text/html", GBK_HTML.format(meta=GB2312_META).encode("gbk")),
    "/gbk-unlabelled": lambda h, site: h.reply(200, "text/html", GBK_HTML.format(meta="").encode("gbk")),
    "/pdf": lambda h, site: h.reply(200, "application/pdf", b"%PDF-1.4 0759-5586822"),
}


@pytest.fixture
def site():
    state = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.handle_error = lambda request, address: None  # a client that gave up is not a test failure
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    state.stop.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def fetch_settings(settings):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True
    settings.FETCH_CONNECT_TIMEOUT = 2.0
    settings.FETCH_READ_TIMEOUT = 2.0
    settings.FETCH_TOTAL_TIMEOUT = 10.0
    settings.FETCH_MAX_BYTES = 4000
    settings.FETCH_HOST_DELAY = 0.0
    settings.FETCH_USER_AGENT = "YibaoCMSVerifier/1.0 (test)"
    return settings


@pytest.fixture
def fetcher():
    with PageFetcher() as page_fetcher:
        yield page_fetcher


# The page and the number on it.


def test_page_with_the_number_is_read_and_the_number_found_near_the_organisation(site, fetcher):
    result = fetcher.fetch(f"{site.base}/present")

    assert result.outcome == Outcome.OK
    assert result.status == 200
    assert result.final_url == f"{site.base}/present"
    assert result.is_evidence
    assert not result.is_transient
    assert result.content_hash == hashlib.sha256(PRESENT_HTML.encode()).hexdigest()
    assert result.text == PRESENT_HTML
    presence = number_on_page(result.text, NUMBER, ORGANISATION)
    assert presence.status == FOUND_NEAR_ORGANISATION
    assert "0759-5586822" in presence.quote
    assert site.hits[-1].headers["User-Agent"] == "YibaoCMSVerifier/1.0 (test)"


def test_page_without_the_number_is_evidence_that_it_is_absent(site, fetcher):
    result = fetcher.fetch(f"{site.base}/absent")

    assert result.outcome == Outcome.OK
    assert result.is_evidence
    assert number_on_page(result.text, NUMBER, ORGANISATION).status == ABSENT


def test_changed_page_has_a_different_hash_and_loses_the_number(site):
    with PageFetcher() as first_run:
        before = first_run.fetch(f"{site.base}/changing")
    site.version = 2
    with PageFetcher() as second_run:
        after = second_run.fetch(f"{site.base}/changing")

    assert before.outcome == after.outcome == Outcome.OK
    assert before.content_hash != after.content_hash
    assert before.etag != after.etag
    assert number_on_page(before.text, NUMBER, ORGANISATION).found
    assert not number_on_page(after.text, NUMBER, ORGANISATION).found


def test_unchanged_page_answers_a_conditional_request_with_304(site):
    with PageFetcher() as first_run:
        first = first_run.fetch(f"{site.base}/changing")
    with PageFetcher() as second_run:
        second = second_run.fetch(f"{site.base}/changing", etag=first.etag, last_modified=first.last_modified)

    assert first.etag
    assert first.last_modified == LAST_MODIFIED
    assert second.outcome == Outcome.NOT_MODIFIED
    assert second.status == 304
    assert second.is_evidence
    assert second.text == ""
    assert second.etag == first.etag
    assert second.last_modified == LAST_MODIFIED
    conditional = site.hits[-1].headers
    assert conditional["If-None-Match"] == first.etag
    assert conditional["If-Modified-Since"] == LAST_MODIFIED


def test_last_modified_alone_makes_the_request_conditional(site):
    with PageFetcher() as run:
        result = run.fetch(f"{site.base}/changing", last_modified=LAST_MODIFIED)

    assert result.outcome == Outcome.NOT_MODIFIED
    assert "If-None-Match" not in site.hits[-1].headers


def test_stale_validators_get_the_changed_page(site):
    with PageFetcher() as first_run:
        first = first_run.fetch(f"{site.base}/changing")
    site.version = 2
    with PageFetcher() as second_run:
        second = second_run.fetch(f"{site.base}/changing", etag=first.etag)

    assert second.outcome == Outcome.OK
    assert second.content_hash != first.content_hash


# Failures that are not evidence.


@pytest.mark.parametrize("path", ["/slow", "/slow-body"])
def test_server_slower_than_the_read_timeout_is_a_transient_timeout(site, settings, path):
    settings.FETCH_READ_TIMEOUT = 0.3
    with PageFetcher() as run:
        result = run.fetch(f"{site.base}{path}")

    assert result.outcome == Outcome.TIMEOUT
    assert result.is_transient
    assert not result.is_evidence
    assert result.elapsed < site.slow_seconds
    assert site.count(path) == 1


def test_server_trickling_bytes_is_cut_off_by_the_total_timeout(site, settings):
    settings.FETCH_READ_TIMEOUT = 1.0
    settings.FETCH_TOTAL_TIMEOUT = 0.5
    with PageFetcher() as run:
        started = time.monotonic()
        result = run.fetch(f"{site.base}/trickle")

    assert result.outcome == Outcome.TIMEOUT
    assert time.monotonic() - started < 5  # the whole body would take 50 s


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_is_transient(site, fetcher, status):
    result = fetcher.fetch(f"{site.base}/error/{status}")

    assert result.outcome == Outcome.SERVER_ERROR
    assert result.status == status
    assert result.is_transient
    assert not result.is_evidence


@pytest.mark.parametrize(
    ("path", "status", "evidence", "transient"),
    [
        ("/missing", 404, True, False),
        ("/error/410", 410, True, False),
        ("/error/403", 403, False, False),
        ("/error/429", 429, False, True),
    ],
)
def test_client_errors_only_gone_pages_are_evidence(site, fetcher, path, status, evidence, transient):
    result = fetcher.fetch(f"{site.base}{path}")

    assert result.outcome == Outcome.HTTP_ERROR
    assert result.status == status
    assert result.is_evidence is evidence
    assert result.is_transient is transient


def test_closed_port_is_a_transient_network_error(fetcher):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetcher.fetch(f"http://127.0.0.1:{port}/present")

    assert result.outcome == Outcome.NETWORK_ERROR
    assert result.is_transient


# Redirects.


def test_redirects_are_followed_and_the_final_url_recorded(site, fetcher):
    result = fetcher.fetch(f"{site.base}/redirect-absolute")

    assert result.outcome == Outcome.OK
    assert result.url == f"{site.base}/redirect-absolute"
    assert result.final_url == f"{site.base}/present"
    assert site.paths() == ["/robots.txt", "/redirect-absolute", "/redirect", "/present"]
    assert fetcher.page_requests == 3


def test_redirect_loop_stops_and_is_not_evidence(site, fetcher):
    result = fetcher.fetch(f"{site.base}/redirect-loop")

    assert result.outcome == Outcome.HTTP_ERROR
    assert result.status == 302
    assert not result.is_evidence
    assert site.count("/redirect-loop") == 6  # the first request and five redirects


def test_redirect_to_a_file_url_is_refused(site, fetcher):
    result = fetcher.fetch(f"{site.base}/redirect-file")

    assert result.outcome == Outcome.REFUSED
    assert result.final_url == "file:///etc/passwd"


def test_redirect_into_a_path_robots_txt_disallows_is_not_followed(site, fetcher):
    result = fetcher.fetch(f"{site.base}/redirect-disallowed")

    assert result.outcome == Outcome.ROBOTS_DISALLOWED
    assert "/private/page" not in site.paths()


# Size cap.


@pytest.mark.parametrize("path", ["/big", "/big-unsized"])
def test_page_over_the_size_cap_is_too_large(site, fetcher, path):
    result = fetcher.fetch(f"{site.base}{path}")

    assert result.outcome == Outcome.TOO_LARGE
    assert result.text == ""
    assert not result.is_evidence


def test_page_under_the_size_cap_is_read(site, settings):
    settings.FETCH_MAX_BYTES = 200_000
    with PageFetcher() as run:
        assert run.fetch(f"{site.base}/big-unsized").outcome == Outcome.OK


def test_a_pdf_is_not_read_as_a_page(site, fetcher):
    result = fetcher.fetch(f"{site.base}/pdf")

    assert result.outcome == Outcome.UNSUPPORTED_CONTENT
    assert not result.is_evidence


# robots.txt.


def test_robots_txt_disallow_stops_the_request(site, fetcher):
    result = fetcher.fetch(f"{site.base}/private/page")

    assert result.outcome == Outcome.ROBOTS_DISALLOWED
    assert not result.is_evidence
    assert site.paths() == ["/robots.txt"]
    assert (fetcher.robots_requests, fetcher.page_requests) == (1, 0)


def test_robots_txt_for_another_agent_does_not_apply(site, fetcher):
    site.robots = (200, "User-agent: SomeOtherBot\nDisallow: /\n")

    assert fetcher.fetch(f"{site.base}/private/page").outcome == Outcome.OK


def test_robots_txt_naming_our_agent_applies(site, fetcher):
    site.robots = (200, "User-agent: *\nAllow: /\n\nUser-agent: YibaoCMSVerifier\nDisallow: /present\n")

    assert fetcher.fetch(f"{site.base}/present").outcome == Outcome.ROBOTS_DISALLOWED
    assert fetcher.fetch(f"{site.base}/other").outcome == Outcome.OK


def test_missing_robots_txt_allows_everything(site, fetcher):
    site.robots = None

    assert fetcher.fetch(f"{site.base}/private/page").outcome == Outcome.OK


def test_unreachable_robots_txt_disallows_the_site_for_now(site, fetcher):
    site.robots = (503, "busy")

    first = fetcher.fetch(f"{site.base}/present")
    second = fetcher.fetch(f"{site.base}/other")

    assert first.outcome == second.outcome == Outcome.SERVER_ERROR
    assert first.is_transient
    assert not first.is_evidence
    assert "robots.txt" in first.error
    assert site.paths() == ["/robots.txt"]


def test_robots_txt_is_fetched_once_per_host_per_run(site, fetcher):
    for path in ("/present", "/absent", "/other", "/third"):
        fetcher.fetch(f"{site.base}{path}")

    assert site.count("/robots.txt") == 1
    assert fetcher.robots_requests == 1


# Encodings.


@pytest.mark.parametrize("path", ["/gbk", "/gbk-meta", "/gbk-unlabelled"])
def test_gbk_pages_are_decoded(site, fetcher, path):
    result = fetcher.fetch(f"{site.base}{path}")

    assert result.outcome == Outcome.OK
    assert "吴川市医疗保障局" in result.text
    assert number_on_page(result.text, NUMBER, ORGANISATION).status == FOUND_NEAR_ORGANISATION


def test_decode_body_prefers_the_header_then_meta_then_guesses():
    gbk = "医保局".encode("gbk")

    assert decode_body(gbk, "text/html; charset=GB2312") == "医保局"
    assert decode_body(b"<meta charset=gbk>" + gbk) == "<meta charset=gbk>医保局"
    assert decode_body("医保局".encode()) == "医保局"
    assert decode_body(gbk, "text/html; charset=iso-8859-1") == "医保局"  # a lazy server default
    assert decode_body(gbk, "text/html; charset=no-such-charset") == "医保局"


def test_pages_labelled_gb2312_may_use_gbk_characters():
    body = "张堃（科长）".encode("gbk")  # 堃 is in GBK, not in GB2312

    assert decode_body(body, "text/html; charset=gb2312") == "张堃（科长）"


# Refusals: what must never be requested.


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1:{port}/present",
        "javascript:alert(1)",
        "http:///present",
        "gopher://x/",
    ],
)
def test_non_http_urls_are_refused_without_a_request(site, fetcher, url):
    result = fetcher.fetch(url.format(port=site.port))

    assert result.outcome == Outcome.REFUSED
    assert not result.is_evidence
    assert site.hits == []
    assert fetcher.requests_made == 0


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.1.2.3", "0.0.0.0"])  # noqa: S104
def test_production_refuses_loopback_and_private_addresses_before_any_request(site, settings, host):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    with PageFetcher() as production:
        result = production.fetch(f"http://{host}:{site.port}/present")

    assert result.outcome == Outcome.REFUSED
    assert not result.is_evidence
    assert not result.is_transient
    assert site.hits == []
    assert production.requests_made == 0


def test_production_refuses_a_redirect_to_a_private_address(site, settings):
    # Loopback is let through so the first hop can reach the test server; the filter stays on for the
    # rest, and 0.0.0.0 (which Linux would connect to this same server) is refused.
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    with PageFetcher(allow_loopback=True) as production:
        reachable = production.fetch(f"{site.base}/other")
        result = production.fetch(f"{site.base}/redirect-private")

    assert reachable.outcome == Outcome.OK
    assert result.outcome == Outcome.REFUSED
    assert result.final_url == f"http://0.0.0.0:{site.port}/present"
    assert site.paths() == ["/robots.txt", "/other", "/redirect-private"]


def test_local_mode_follows_the_same_redirect(site, fetcher):
    """The control for the test above: without the filter the redirect does reach the server."""
    result = fetcher.fetch(f"{site.base}/redirect-private")

    assert result.outcome == Outcome.OK
    assert site.paths()[-1] == "/present"


# Politeness and one fetch per page.


def test_requests_to_one_host_are_spaced_by_the_delay(site, settings):
    settings.FETCH_HOST_DELAY = 0.3
    with PageFetcher() as run:
        for path in ("/present", "/absent", "/other"):
            run.fetch(f"{site.base}{path}")

    arrivals = [hit.arrived for hit in site.hits]
    assert [hit.path for hit in site.hits] == ["/robots.txt", "/present", "/absent", "/other"]
    assert all(later - earlier >= 0.3 for earlier, later in itertools.pairwise(arrivals))


def test_threads_sharing_a_fetcher_take_turns_on_one_host(site, settings):
    settings.FETCH_HOST_DELAY = 0.2
    paths = ["/present", "/absent", "/other", "/third", "/gbk", "/changing"]
    with PageFetcher() as run, ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda path: run.fetch(f"{site.base}{path}"), paths))

    assert all(result.outcome == Outcome.OK for result in results)
    arrivals = sorted(hit.arrived for hit in site.hits)
    assert len(arrivals) == len(paths) + 1
    assert all(later - earlier >= 0.2 for earlier, later in itertools.pairwise(arrivals))


def test_a_page_is_fetched_once_per_run_however_often_it_is_asked_for(site, fetcher):
    spellings = [f"{site.base}/present", f"HTTP://127.0.0.1:{site.port}/present#contact"]
    results = [fetcher.fetch(spellings[i % 2]) for i in range(50)]

    assert site.count("/present") == 1
    assert fetcher.page_requests == 1
    assert all(result is results[0] for result in results)


def test_concurrent_requests_for_one_page_make_one_request(site, fetcher):
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: fetcher.fetch(f"{site.base}/present"), range(50)))

    assert site.count("/present") == 1
    assert {result.outcome for result in results} == {Outcome.OK}


def test_page_requests_equal_distinct_pages(site, fetcher):
    for _ in range(10):
        for path in ("/present", "/absent", "/other"):
            fetcher.fetch(f"{site.base}{path}")

    assert fetcher.page_requests == 3
    assert fetcher.robots_requests == 1
    assert fetcher.requests_made == len(site.hits) == 4


def test_a_new_run_fetches_again(site):
    for _ in range(2):
        with PageFetcher() as run:
            run.fetch(f"{site.base}/present")

    assert site.count("/present") == 2


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.GOV.cn/a?b=1#frag", "http://example.gov.cn/a?b=1"),
        ("http://example.gov.cn", "http://example.gov.cn/"),
        ("https://example.gov.cn:443/x", "https://example.gov.cn/x"),
        ("http://user:pw@example.gov.cn:8080/x", "http://example.gov.cn:8080/x"),
    ],
)
def test_normalise_url(url, expected):
    assert normalise_url(url) == expected


def test_a_runs_pages_are_kept_out_of_memory_and_come_back_whole():
    """The fetcher keeps a run's pages in a temporary SQLite file, the last few in memory: every
    result comes back equal, whether from memory or from the file, and nothing is left on disk."""
    import tempfile
    from pathlib import Path

    from cms.verification.fetcher import FetchResult, Outcome, ResultStore

    before = set(Path(tempfile.gettempdir()).glob("fetched-pages-*"))
    store = ResultStore(recent=2)
    results = {
        f"http://example.test/{i}": FetchResult(
            url=f"http://example.test/{i}", outcome=Outcome.OK, status=200, text="医保电话 0759-5586822 " * i
        )
        for i in range(20)
    }
    for key, result in results.items():
        store.put(key, result)
    assert len(store) == 20
    assert len(store._recent) == 2  # the rest only on disk
    assert all(store.get(key) == result for key, result in results.items())
    assert store.get("http://example.test/missing") is None
    assert set(Path(tempfile.gettempdir()).glob("fetched-pages-*")) == before
    store.close()
    assert store.get("http://example.test/3") is None

"""The one small fetcher for official source pages (the network side of the hotline re-check).

Built on ``requests-hardened``, which pins each connection to an address it has checked, so private,
loopback and link-local addresses are refused before any packet is sent, on every redirect hop too.
Around it this module adds only what a polite, bounded crawler needs: http(s) only, connect / read / total
timeouts, a size cap read in a stream, conditional requests, robots.txt (RFC 9309) once per site, one
request at a time per host with a pause between requests, and one fetch per distinct page per run.

``fetch`` is single-shot: it never retries. A result says whether it is evidence about the page
(``is_evidence``) or a transient failure the caller may retry later (``is_transient``).

Settings (read when a ``PageFetcher`` is made; defaults in ``DEFAULTS``):
``FETCH_ALLOW_PRIVATE_ADDRESSES``, ``FETCH_CONNECT_TIMEOUT``, ``FETCH_READ_TIMEOUT``,
``FETCH_TOTAL_TIMEOUT``, ``FETCH_MAX_BYTES``, ``FETCH_HOST_DELAY``, ``FETCH_USER_AGENT``.
"""

import codecs
import hashlib
import os
import pickle
import re
import sqlite3
import tempfile
import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from django.conf import settings
from protego import Protego
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import InvalidIPAddress
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import ReadTimeoutError

DEFAULTS: dict[str, Any] = {
    # Production never fetches from private, loopback or link-local addresses; tests and local set True.
    "FETCH_ALLOW_PRIVATE_ADDRESSES": False,
    "FETCH_CONNECT_TIMEOUT": 5.0,  # seconds
    "FETCH_READ_TIMEOUT": 15.0,  # seconds without a byte from the server
    "FETCH_TOTAL_TIMEOUT": 60.0,  # seconds for one response, so a trickling server cannot hold a worker
    "FETCH_MAX_BYTES": 5 * 1024 * 1024,
    "FETCH_HOST_DELAY": 2.0,  # seconds between the end of one request to a host and the next
    "FETCH_USER_AGENT": "YibaoCMSVerifier/1.0 (hotline re-check of official pages)",
}

MAX_REDIRECTS = 5  # RFC 9309 asks for at least five for robots.txt; pages get the same
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: parse at least the first 500 KiB
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
GONE_STATUSES = frozenset({404, 410})  # the page is not there: evidence about the source
RETRY_LATER_STATUSES = frozenset({408, 425, 429})
TEXT_TYPES = ("text/", "application/xhtml+xml", "application/xml")

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_CHINESE_LABELS = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "csgb2312", "chinese", "cp936", "euc-cn"}
_WEAK_LABELS = {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "windows-1252", "cp1252"}


class Outcome(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    HTTP_ERROR = "http_error"  # 4xx, or a redirect loop; 404 / 410 are evidence
    SERVER_ERROR = "server_error"  # 5xx
    TIMEOUT = "timeout"
    NETWORK_ERROR = "network_error"
    REFUSED = "refused"  # not http(s), or an address production must not reach
    TOO_LARGE = "too_large"
    ROBOTS_DISALLOWED = "robots_disallowed"
    UNSUPPORTED_CONTENT = "unsupported_content"  # a PDF, an image …: nothing this check can read


TRANSIENT_OUTCOMES = frozenset({Outcome.TIMEOUT, Outcome.SERVER_ERROR, Outcome.NETWORK_ERROR})


@dataclass(frozen=True, kw_only=True)
class FetchResult:
    url: str  # as asked for
    final_url: str = ""  # the last URL tried, after any redirects
    outcome: Outcome
    status: int | None = None
    text: str = ""  # decoded body of an ``ok`` text page
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    content_hash: str = ""  # sha256 of the body bytes of an ``ok`` page
    elapsed: float = 0.0  # seconds on the network for this page, politeness waits and robots.txt excluded
    error: str = ""

    @property
    def is_evidence(self) -> bool:
        """Whether the result says something about the page itself: it was read, it is unchanged, or
        the site says it is gone. Everything else leaves a hotline's status alone."""
        if self.outcome in (Outcome.OK, Outcome.NOT_MODIFIED):
            return True
        return self.outcome == Outcome.HTTP_ERROR and self.status in GONE_STATUSES

    @property
    def is_transient(self) -> bool:
        """Worth trying again later: timeouts, 5xx, network errors, 408 / 425 / 429."""
        if self.outcome in TRANSIENT_OUTCOMES:
            return True
        return self.outcome == Outcome.HTTP_ERROR and self.status in RETRY_LATER_STATUSES


def setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def normalise_url(url: str) -> str:
    """The page a URL names: scheme and host lower-cased, default port, user info and fragment dropped,
    an empty path made ``/``. Raises ``ValueError`` for a URL that has no usable host or port."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError("no host")
    port = parts.port  # ValueError when it is not a number in range
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def decode_body(body: bytes, content_type: str = "") -> str:
    """Text of a page: the BOM, the charset in the Content-Type header, then the one in a ``<meta>``;
    then UTF-8 and GB18030 (a superset of GBK and GB2312, which Chinese pages often mislabel)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    declared = [_charset_from_content_type(content_type), _charset_from_meta(body[:4096])]
    labels = [label for label in declared if label and label not in _WEAK_LABELS]
    labels += ["utf-8", "gb18030", *(label for label in declared if label in _WEAK_LABELS)]
    for label in labels:
        try:
            return body.decode(_codec(label))
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def _charset_from_content_type(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'").lower()
    return ""


def _charset_from_meta(head: bytes) -> str:
    match = _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else ""


def _codec(label: str) -> str:
    return "gb18030" if label in _CHINESE_LABELS else codecs.lookup(label).name


@dataclass(frozen=True)
class _Response:
    url: str
    status: int
    headers: Any
    body: bytes
    truncated: bool
    elapsed: float


class _Failure(Exception):
    """A failed request, carried up the stack to become a ``FetchResult``."""

    def __init__(self, outcome: Outcome, error: str, *, elapsed: float = 0.0) -> None:
        super().__init__(error)
        self.outcome = outcome
        self.error = error
        self.elapsed = elapsed


@dataclass(frozen=True)
class _Robots:
    parser: Protego | None = None  # None: no robots.txt, everything allowed
    failure: _Failure | None = None  # robots.txt unreachable: RFC 9309 says assume everything disallowed


class PageFetcher:
    """Fetches pages for one run. Thread-safe: a thread pool may share one instance.

    ``requests_made`` counts every HTTP request sent (pages, redirect hops and robots.txt);
    ``robots_requests`` the robots.txt ones among them, so ``page_requests`` is what the pages cost.
    ``allow_loopback`` keeps the address filter on but lets loopback through: for tests of production mode.
    """

    def __init__(self, *, allow_loopback: bool = False) -> None:
        self.allow_private = bool(setting("FETCH_ALLOW_PRIVATE_ADDRESSES"))
        self.allow_loopback = allow_loopback
        self.timeout = (float(setting("FETCH_CONNECT_TIMEOUT")), float(setting("FETCH_READ_TIMEOUT")))
        self.total_timeout = float(setting("FETCH_TOTAL_TIMEOUT"))
        self.max_bytes = int(setting("FETCH_MAX_BYTES"))
        self.host_delay = float(setting("FETCH_HOST_DELAY"))
        self.user_agent = str(setting("FETCH_USER_AGENT"))
        self.requests_made = 0
        self.robots_requests = 0
        self._lock = threading.Lock()
        self._page_locks: dict[str, threading.Lock] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._host_locks: dict[str, threading.Lock] = {}
        self._results = ResultStore()
        self._robots: dict[str, _Robots] = {}
        self._host_free_at: dict[str, float] = {}
        self._local = threading.local()
        self._sessions: list[requests.Session] = []

    @property
    def page_requests(self) -> int:
        return self.requests_made - self.robots_requests

    def __enter__(self) -> "PageFetcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._results.close()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """Fetch ``url`` once in this run: a page asked for again (in any spelling that normalises to
        the same URL) gets the first result back, whatever validators come with the later call."""
        try:
            key = normalise_url(url)
        except ValueError as exc:
            return FetchResult(url=url, outcome=Outcome.REFUSED, error=f"网址无效：{exc}。")
        with self._keyed_lock(self._page_locks, key):
            result = self._results.get(key)
            if result is None:
                result = self._fetch(url, key, etag=etag, last_modified=last_modified)
                self._results.put(key, result)
        return result

    # The page, hop by hop.

    def _fetch(self, url: str, current: str, *, etag: str | None, last_modified: str | None) -> FetchResult:
        headers = {"Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        elapsed = 0.0
        status = None
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                current = self._check_url(current)
                self._check_robots(current)
                response = self._request(current, headers, max_bytes=self.max_bytes, robots=False)
            except _Failure as failure:
                return FetchResult(
                    url=url,
                    final_url=current,
                    outcome=failure.outcome,
                    elapsed=elapsed + failure.elapsed,
                    error=failure.error,
                )
            elapsed += response.elapsed
            status = response.status
            location = response.headers.get("Location")
            if status not in REDIRECT_STATUSES or not location:
                return self._result(
                    url, response, elapsed, etag=etag or "", last_modified=last_modified or ""
                )
            current = urljoin(response.url, location.strip())
        return FetchResult(
            url=url,
            final_url=current,
            outcome=Outcome.HTTP_ERROR,
            status=status,
            elapsed=elapsed,
            error=f"重定向超过 {MAX_REDIRECTS} 次。",
        )

    def _result(
        self, url: str, response: _Response, elapsed: float, *, etag: str, last_modified: str
    ) -> FetchResult:
        status = response.status
        content_type = response.headers.get("Content-Type", "")
        common = {
            "url": url,
            "final_url": response.url,
            "status": status,
            "content_type": content_type,
            "elapsed": elapsed,
        }
        validators = {
            "etag": response.headers.get("ETag", etag),
            "last_modified": response.headers.get("Last-Modified", last_modified),
        }
        if status == 304:
            return FetchResult(outcome=Outcome.NOT_MODIFIED, **common, **validators)
        if status >= 500:
            return FetchResult(outcome=Outcome.SERVER_ERROR, error=f"服务器错误 HTTP {status}。", **common)
        if status >= 300:
            return FetchResult(outcome=Outcome.HTTP_ERROR, error=f"HTTP {status}。", **common)
        if response.truncated:
            return FetchResult(
                outcome=Outcome.TOO_LARGE, error=f"网页超过 {self.max_bytes} 字节的上限。", **common
            )
        media_type = content_type.split(";")[0].strip().lower()
        if media_type and not media_type.startswith(TEXT_TYPES):
            error = f"内容类型是 {media_type}，不是可读的网页，无法核对号码。"
            return FetchResult(outcome=Outcome.UNSUPPORTED_CONTENT, error=error, **common)
        return FetchResult(
            outcome=Outcome.OK,
            text=decode_body(response.body, content_type),
            content_hash=hashlib.sha256(response.body).hexdigest(),
            **common,
            **validators,
        )

    @staticmethod
    def _check_url(url: str) -> str:
        """The normalised URL, if it is one this fetcher may ask for."""
        scheme = urlsplit(url).scheme
        if scheme.lower() not in ("http", "https"):
            raise _Failure(Outcome.REFUSED, f"只抓取 http/https 网址，拒绝“{scheme}:”。")
        try:
            return normalise_url(url)
        except ValueError as exc:
            raise _Failure(Outcome.REFUSED, f"网址无效：{exc}。") from exc

    # robots.txt, once per site per run.

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)  # normalised: lower-case, no user info
        origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        with self._keyed_lock(self._robots_locks, origin):
            robots = self._robots.get(origin)
            if robots is None:
                robots = self._robots[origin] = self._load_robots(origin + "/robots.txt")
        if robots.failure is not None:
            raise _Failure(robots.failure.outcome, robots.failure.error)
        if robots.parser is not None and not robots.parser.can_fetch(url, self.user_agent):
            raise _Failure(Outcome.ROBOTS_DISALLOWED, "robots.txt 不允许抓取该网页。")

    def _load_robots(self, url: str) -> _Robots:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                url = self._check_url(url)
                response = self._request(
                    url, {"Accept": "text/plain"}, max_bytes=ROBOTS_MAX_BYTES, robots=True
                )
            except _Failure as failure:
                if failure.outcome == Outcome.REFUSED:
                    return _Robots(failure=failure)
                return _Robots(failure=_robots_unreachable(failure.outcome, failure.error))
            location = response.headers.get("Location")
            if response.status in REDIRECT_STATUSES and location:
                url = urljoin(response.url, location.strip())
                continue
            if response.status >= 500 or response.status == 429:
                return _Robots(failure=_robots_unreachable(Outcome.SERVER_ERROR, f"HTTP {response.status}"))
            if response.status >= 300:
                return _Robots()  # unavailable (4xx): RFC 9309 lets a crawler fetch anything
            text = response.body.decode("utf-8", errors="replace")
            return _Robots(parser=Protego.parse(text))
        return _Robots()  # too many redirects: unavailable

    # One HTTP request: one at a time per host, a pause between them, a bounded body.

    def _request(self, url: str, headers: dict[str, str], *, max_bytes: int, robots: bool) -> _Response:
        host = (urlsplit(url).hostname or "").lower()
        with self._keyed_lock(self._host_locks, host):
            wait = self._host_free_at.get(host, 0.0) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                return self._send(url, headers, max_bytes=max_bytes, robots=robots)
            finally:
                self._host_free_at[host] = time.monotonic() + self.host_delay

    def _send(self, url: str, headers: dict[str, str], *, max_bytes: int, robots: bool) -> _Response:
        started = time.monotonic()
        deadline = started + self.total_timeout
        sent = False
        try:
            response = self._session().get(url, headers=headers, stream=True, timeout=self.timeout)
            sent = True
            with response:
                body = bytearray()
                truncated = _declared_length(response) > max_bytes
                # read1 returns whatever one read brings (decompressed, at most 16 KiB), so a server that
                # trickles bytes meets the deadline; the cap counts decompressed bytes.
                while not truncated and (chunk := response.raw.read1(16 * 1024, decode_content=True)):
                    body += chunk
                    if len(body) > max_bytes:
                        truncated = True
                        del body[max_bytes:]
                    elif time.monotonic() > deadline:
                        raise _Failure(Outcome.TIMEOUT, f"{self.total_timeout:g} 秒内未收完网页。")
                return _Response(
                    url=response.url,
                    status=response.status_code,
                    headers=response.headers,
                    body=bytes(body),
                    truncated=truncated,
                    elapsed=time.monotonic() - started,
                )
        except _Failure as failure:
            failure.elapsed = time.monotonic() - started
            raise
        except InvalidIPAddress as exc:
            raise _Failure(Outcome.REFUSED, f"生产环境不访问内网、本机或链路本地地址（{exc}）。") from exc
        except (requests.RequestException, Urllib3HTTPError) as exc:
            sent = not isinstance(exc, requests.exceptions.InvalidSchema | requests.exceptions.InvalidURL)
            raise _failure_from(exc, time.monotonic() - started) from exc
        finally:
            if sent:
                with self._lock:
                    self.requests_made += 1
                    self.robots_requests += int(robots)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            config = Config(
                ip_filter_enable=not self.allow_private,
                ip_filter_allow_loopback_ips=self.allow_loopback,
                never_redirect=True,  # redirects are followed here, hop by hop, through every check
                default_timeout=self.timeout,
                user_agent_override=self.user_agent,
            )
            session = HTTPSession(config)
            session.trust_env = False  # no proxy or .netrc from the environment
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _keyed_lock(self, locks: dict[str, threading.Lock], key: str) -> threading.Lock:
        with self._lock:
            lock = locks.get(key)
            if lock is None:
                lock = locks[key] = threading.Lock()
            return lock


class ResultStore:
    """A run's fetched pages by normalised URL, kept in a temporary SQLite file, compressed, rather
    than in memory: a run reads each cited page once, and later batches of numbers citing it need it
    again, so a run over thousands of pages would otherwise hold them all. The last few results stay
    in memory (numbers are checked page by page). Safe across threads. The file is unlinked as soon
    as it is open, so nothing is left behind however the run ends."""

    def __init__(self, *, recent: int = 8) -> None:
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, FetchResult] = OrderedDict()
        self._keep = recent
        self._db: sqlite3.Connection | None = None

    def get(self, key: str) -> FetchResult | None:
        with self._lock:
            result = self._recent.get(key)
            if result is not None:
                self._recent.move_to_end(key)
                return result
            if self._db is None:
                return None
            row = self._db.execute("SELECT result FROM page WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            result = pickle.loads(zlib.decompress(row[0]))  # noqa: S301 -- our own, written by put()
            self._remember(key, result)
            return result

    def put(self, key: str, result: FetchResult) -> None:
        blob = zlib.compress(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        with self._lock:
            if self._db is None:
                handle, path = tempfile.mkstemp(prefix="fetched-pages-", suffix=".sqlite3")
                os.close(handle)
                try:
                    self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
                    self._db.execute("PRAGMA journal_mode = OFF")
                    self._db.execute("PRAGMA synchronous = OFF")
                    self._db.execute("CREATE TABLE page (key TEXT PRIMARY KEY, result BLOB NOT NULL)")
                finally:
                    os.unlink(path)  # the open connection keeps it; the system frees it on close
            self._db.execute("INSERT OR REPLACE INTO page VALUES (?, ?)", (key, blob))
            self._remember(key, result)

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM page").fetchone()[0] if self._db else 0

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
            self._recent.clear()

    def _remember(self, key: str, result: FetchResult) -> None:
        self._recent[key] = result
        self._recent.move_to_end(key)
        while len(self._recent) > self._keep:
            self._recent.popitem(last=False)


def _declared_length(response: requests.Response) -> int:
    value = response.headers.get("Content-Length", "")
    return int(value) if value.strip().isdigit() else 0


def _failure_from(exc: Exception, elapsed: float) -> _Failure:
    detail = str(exc)[:300]
    if isinstance(exc, requests.Timeout | ReadTimeoutError):
        return _Failure(Outcome.TIMEOUT, f"连接或读取超时：{detail}", elapsed=elapsed)
    if isinstance(exc, requests.exceptions.InvalidSchema | requests.exceptions.InvalidURL):
        return _Failure(Outcome.REFUSED, f"网址无效：{detail}", elapsed=elapsed)
    return _Failure(Outcome.NETWORK_ERROR, f"网络错误：{detail}", elapsed=elapsed)


def _robots_unreachable(outcome: Outcome, detail: str) -> _Failure:
    return _Failure(outcome, f"robots.txt 暂时无法获取（{detail}）：按 RFC 9309 暂不抓取该网站。")

"""The product's hottest request, a detail, answered without Django's request machinery.

``GET /api/v1/articles/<slug>/`` (and ``hotlines/<id>/``, ``hospitals/<id>/``) with no query string,
no conditional or cross-origin headers, is answered here from ``read_detail``'s one query, with the
throttle asked as on the full path and the same headers the full path gives (the security headers,
ETag, Last-Modified, Cache-Control, Vary, Content-Length): tests/api/test_fast_detail.py compares the
two answers header by header and byte by byte. Anything else returns None and goes the whole Django
way, which answers it as before: a miss (404), a throttled client (429), a conditional request, a
request with an Origin, a host not in ALLOWED_HOSTS, an insecure request production redirects, a
path that is not UTF-8, any error. ``API_FAST_DETAIL = False`` turns it off.

Django's request, middleware, URL resolver, DRF view and response objects cost three times the
query on this request (0.5 of 0.75 ms in-process); the live form exists to be read cheaply.
"""

import hashlib
import re
from types import SimpleNamespace

from django.conf import settings
from django.core import signals
from django.http.request import HttpHeaders, split_domain_port, validate_host

from api.throttling import ReaderRateThrottle
from api.views import read_detail
from cms.middleware import last_modified
from cms.models import LiveArticle, LiveHospital, LiveHotline

ROUTES = (  # as api/urls.py routes them: <str:slug>, <int:pk>
    (re.compile(r"/api/v1/articles/([^/]+)/"), LiveArticle, "slug", str),
    (re.compile(r"/api/v1/hotlines/([0-9]+)/"), LiveHotline, "pk", int),
    (re.compile(r"/api/v1/hospitals/([0-9]+)/"), LiveHospital, "pk", int),
)
# Headers that make the full path answer differently (304, CORS headers).
DIVERTING = ("HTTP_ORIGIN", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_RANGE")


def answer(environ) -> tuple[str, list[tuple[str, str]], bytes] | None:
    """(status, headers, body) for a detail the fast path can serve, else None."""
    if not getattr(settings, "API_FAST_DETAIL", True) or environ.get("REQUEST_METHOD") != "GET":
        return None
    if environ.get("QUERY_STRING") or environ.get("SCRIPT_NAME") or any(h in environ for h in DIVERTING):
        return None
    try:
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None
    route = next(((r, m) for r in ROUTES if (m := r[0].fullmatch(path))), None)
    if route is None:
        return None
    (_pattern, model, field, convert), match = route
    secure = _is_secure(environ)
    if not _host_allowed(environ) or (settings.SECURE_SSL_REDIRECT and not secure):
        return None
    # Django's request signals, as its handler sends them (their receivers close stale database
    # connections; tests disconnect that, as Django's test client does).
    signals.request_started.send(sender=__name__, environ=environ)
    try:
        row = read_detail(model, field, convert(match.group(1)))
        client = SimpleNamespace(META=environ, headers=HttpHeaders(environ))  # what the throttle reads
        if row is None or not ReaderRateThrottle().allow_request(client, None):
            return None
    except Exception:  # the full path answers it, and reports the error
        return None
    finally:
        signals.request_finished.send(sender=__name__)
    text, changed_at = row
    body = text.encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Cache-Control", f"public, max-age={settings.API_CACHE_SECONDS}"),
        ("Vary", "origin"),
        ("ETag", f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'),
        ("Content-Length", str(len(body))),
        *_security_headers(secure),
    ]
    if changed_at is not None:
        headers.append(("Last-Modified", last_modified(changed_at)[0]))
    return "200 OK", headers, body


def _is_secure(environ) -> bool:
    """As ``HttpRequest.is_secure``: the proxy's header when SECURE_PROXY_SSL_HEADER names one."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def _host_allowed(environ) -> bool:
    """As ``HttpRequest.get_host``: the host the request names must be in ALLOWED_HOSTS."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    elif "HTTP_HOST" in environ:
        host = environ["HTTP_HOST"]
    else:
        host = environ.get("SERVER_NAME", "")
        port = str(environ.get("SERVER_PORT", ""))
        if port != ("443" if environ.get("wsgi.url_scheme") == "https" else "80"):
            host = f"{host}:{port}"
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


def _security_headers(secure: bool) -> list[tuple[str, str]]:
    """What SecurityMiddleware adds to a response."""
    headers = []
    if secure and settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        value = policy if isinstance(policy, str) else ",".join(policy)
        headers.append(("Referrer-Policy", value))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    return headers

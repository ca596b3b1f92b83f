"""The fast detail path (api/fast.py) gives exactly what the full Django path gives: the same status,
headers and bytes, or it stands aside and the full path answers. Both are driven through the WSGI
application gunicorn serves (cms.wsgi.application), on the real database."""

import io
import sys

import pytest

from api import fast
from cms.handlers import Application

pytestmark = pytest.mark.django_db

HOST = "api.example.test"


@pytest.fixture
def served(monkeypatch):
    """How many requests the fast path answered."""
    count = {"n": 0}
    answer = fast.answer

    def counting(environ):
        result = answer(environ)
        count["n"] += result is not None
        return result

    monkeypatch.setattr(fast, "answer", counting)
    return count


@pytest.fixture
def site(settings):
    """The WSGI application, with the test's database connection left open as Django's test client
    leaves it (closing "old" connections at a request's start and end would close the test's
    transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    settings.ALLOWED_HOSTS = [HOST]
    settings.API_FAST_DETAIL = True
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield Application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def call(app, path: str, **extra) -> tuple[str, dict[str, str], bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path.encode().decode("latin-1"),  # as a server hands it over
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "HTTP_HOST": HOST,
        "REMOTE_ADDR": "203.0.113.9",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        **extra,
    }
    answers = []
    body = app(environ, lambda status, headers, exc_info=None: answers.append((status, headers)))
    content = b"".join(body)
    if hasattr(body, "close"):
        body.close()
    status, headers = answers[0]
    return status, {name.lower(): value for name, value in headers}, content


def both(app, settings, path: str, **extra):
    """The fast path's answer and the full path's, to the same request."""
    settings.API_FAST_DETAIL = True
    quick = call(app, path, **extra)
    settings.API_FAST_DETAIL = False
    full = call(app, path, **extra)
    settings.API_FAST_DETAIL = True
    return quick, full


@pytest.fixture
def items(make_article, make_hotline, make_hospital):
    return {
        "article": make_article(slug="湛江-吴川-医保电话"),
        "hotline": make_hotline(),
        "hospital": make_hospital(),
    }


def paths(items) -> list[str]:
    return [
        f"/api/v1/articles/{items['article'].slug}/",
        f"/api/v1/hotlines/{items['hotline'].pk}/",
        f"/api/v1/hospitals/{items['hospital'].pk}/",
    ]


def test_a_detail_is_answered_fast_and_exactly_as_the_full_path_would(site, settings, items, served):
    for path in paths(items):
        quick, full = both(site, settings, path)
        assert quick[0] == "200 OK"
        assert quick == full
        assert {"etag", "last-modified", "vary", "content-length"} <= set(quick[1])
    assert served["n"] == 3


def test_over_https_behind_the_proxy_with_hsts(site, settings, items, served):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    site = Application()  # SecurityMiddleware reads its settings when it is made
    for path in paths(items):
        quick, full = both(site, settings, path, HTTP_X_FORWARDED_PROTO="https")
        assert quick == full
        assert quick[1]["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert served["n"] == 3
    # Plain HTTP is redirected by the full path.
    quick, full = both(site, settings, paths(items)[0])
    assert quick == full
    assert quick[0].startswith("301")
    assert served["n"] == 3


@pytest.mark.parametrize(
    ("case", "path", "extra"),
    [
        ("missing article", "/api/v1/articles/no-such-article/", {}),
        ("missing hotline", "/api/v1/hotlines/999999/", {}),
        ("query string", "{article}", {"QUERY_STRING": "x=1"}),
        ("conditional", "{article}", {"HTTP_IF_NONE_MATCH": '"abc"'}),
        ("cross-origin", "{article}", {"HTTP_ORIGIN": "https://front.example.test"}),
        ("host not allowed", "{article}", {"HTTP_HOST": "evil.example.test"}),
        ("HEAD", "{article}", {"REQUEST_METHOD": "HEAD"}),
        ("not UTF-8", "/api/v1/articles/%ff/", {"PATH_INFO": "/api/v1/articles/\xff/"}),
        ("a list", "/api/v1/articles/", {}),
    ],
)
def test_anything_else_goes_the_full_way(site, settings, items, served, case, path, extra):
    settings.CORS_ALLOWED_ORIGINS = ["https://front.example.test"]
    path = path.format(article=paths(items)[0])
    quick, full = both(site, settings, path, **extra)
    assert served["n"] == 0, case
    assert quick[0] == full[0]
    assert quick[2] == full[2]


def test_the_throttle_counts_fast_answers_and_refuses_as_the_full_path(
    site, settings, items, served, throttle_rate
):
    throttle_rate("2/minute")
    path = paths(items)[1]
    statuses = [call(site, path)[0] for _ in range(3)]
    assert statuses == ["200 OK", "200 OK", "429 Too Many Requests"]
    assert served["n"] == 2

"""The baseline of the API benchmark: a bare WSGI app that answers the benchmark's requests with the
API's JSON straight from ONE SQL query each, through psycopg, with one connection per worker.

It reads the same live tables as the API (``payload`` holds the exact JSON of one article), so it is
what the API would cost with no framework at all. Served by gunicorn like the API:

    BENCH_BASELINE_DATABASE_URL=postgres://… gunicorn -w 2 bench.baseline:application

It knows only what the benchmark asks: ``GET /api/v1/articles/`` with ``page_size``, ``page``,
``region`` and ``q``, and ``GET /api/v1/articles/<slug>/``. The envelope and its ``next``/``previous``
links are built as the API builds them (api/views.py, ``LiveListView``).
"""

import json
import os
import re
from urllib.parse import parse_qs, parse_qsl, quote, urlencode

import psycopg

LIST_PATH = "/api/v1/articles/"
DETAIL_PATH = re.compile(r"^/api/v1/articles/(?P<slug>[^/]+)/$")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_TERMS = 5
JSON = "application/json"

_connection: psycopg.Connection | None = None


def connection() -> psycopg.Connection:
    """One connection per worker process, opened on first use (after gunicorn forked the worker)."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["BENCH_BASELINE_DATABASE_URL"], autocommit=True)
    return _connection


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def article_json(payload: str, article_id: str) -> str:
    """An article's JSON as readers get it: its ``payload`` with its open flags as ``outdated``, made
    when it is read (as the API does, cms.services.live.article_json_sql)."""
    reasons = "coalesce(jsonb_agg(f.public_reason ORDER BY f.created_at, f.id), '[]'::jsonb)"
    open_flags = f"FROM cms_flag f WHERE f.article_id = {article_id} AND f.resolved_at IS NULL"
    outdated = f"SELECT jsonb_build_object('flagged', count(*) > 0, 'reasons', {reasons}) {open_flags}"
    return f"({payload} || jsonb_build_object('outdated', ({outdated})))"


def list_query(*, region: str | None, terms: list[str]) -> tuple[str, list]:
    """The one query of a list page: the filtered count and the page's payloads as a JSON array,
    ordered newest first (search: more terms in the title first, then newest)."""
    where, params = ["TRUE"], []
    if region:
        where.append(
            "EXISTS (SELECT 1 FROM cms_livearticle_regions r"
            " WHERE r.livearticle_id = a.article_id AND r.region_id LIKE %s)"
        )
        params.append(f"{region}%")
    for term in terms:
        where.append("a.search_text LIKE %s")
        params.append(like_pattern(term))
    rank, rank_params = "0", []
    if terms:
        rank = " + ".join(["(a.title LIKE %s)::int"] * len(terms))
        rank_params = [like_pattern(t) for t in terms]
    condition = " AND ".join(where)
    sql = f"""
        SELECT (SELECT count(*) FROM cms_livearticle a WHERE {condition}),
               (SELECT coalesce(json_agg({article_json("s.payload", "s.id")}
                                         ORDER BY s.rank DESC, s.updated_at DESC, s.id DESC), '[]')
                  FROM (SELECT a.payload, {rank} AS rank, a.updated_at, a.article_id AS id
                          FROM cms_livearticle a
                         WHERE {condition}
                         ORDER BY rank DESC, a.updated_at DESC, a.article_id DESC
                         LIMIT %s OFFSET %s) s)::text
    """  # noqa: S608 -- only fixed SQL fragments are interpolated; every value is a bound parameter
    return sql, [*params, *rank_params, *params]


def page_url(environ, page: int) -> str:
    """As the API links pages: its own absolute URL with ``page`` set in place (or appended), every
    other parameter kept in the order the client sent it."""
    query: dict[str, list[str]] = {}
    for key, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True):
        query.setdefault(key, []).append(value)
    query["page"] = [str(page)]
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    path = quote(environ.get("PATH_INFO", "").encode("latin-1"))
    return f"{environ['wsgi.url_scheme']}://{host}{path}?{urlencode(query, doseq=True)}"


def positive_int(value: str | None, default: int) -> int | None:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number > 0 else None


def article_list(environ) -> tuple[str, bytes]:
    params = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
    size = positive_int(params.get("page_size"), DEFAULT_PAGE_SIZE)
    size = DEFAULT_PAGE_SIZE if size is None else min(size, MAX_PAGE_SIZE)
    page = positive_int(params.get("page"), 1)
    if page is None:
        return "404 Not Found", b'{"detail":"Invalid page."}'
    region = params.get("region", "").strip()
    if region and not re.fullmatch(r"[0-9]{6}", region):
        return "400 Bad Request", b'{"region":["Not a six-digit division code."]}'
    if region:
        # A province (440000) covers every code under 44, a city (440800) every code under 4408.
        region = region[:2] if region.endswith("0000") else region[:4] if region.endswith("00") else region
    terms = params.get("q", "").split()[:MAX_TERMS]
    sql, args = list_query(region=region or None, terms=terms)
    count, results = connection().execute(sql, [*args, size, (page - 1) * size]).fetchone()
    if page > 1 and results == "[]":
        return "404 Not Found", b'{"detail":"Invalid page."}'
    following = page_url(environ, page + 1) if page * size < count else None
    previous = page_url(environ, page - 1) if page > 1 else None
    head = f'{{"count":{count},"next":{json.dumps(following)},"previous":{json.dumps(previous)},"results":'
    return "200 OK", head.encode() + results.encode() + b"}"


def article_detail(slug: str) -> tuple[str, bytes]:
    sql = f"SELECT {article_json('a.payload', 'a.article_id')}::text FROM cms_livearticle a WHERE a.slug = %s"  # noqa: S608 -- fixed SQL
    row = connection().execute(sql, [slug]).fetchone()
    if row is None:
        return "404 Not Found", b'{"detail":"Not found."}'
    return "200 OK", row[0].encode()


def application(environ, start_response):
    # The server hands the (percent-decoded) path over as latin-1; Chinese slugs are UTF-8.
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    if environ.get("REQUEST_METHOD") != "GET":
        status, body = "405 Method Not Allowed", b'{"detail":"Method not allowed."}'
    elif path == LIST_PATH:
        status, body = article_list(environ)
    elif match := DETAIL_PATH.match(path):
        status, body = article_detail(match["slug"])
    else:
        status, body = "404 Not Found", b'{"detail":"Not found."}'
    start_response(status, [("Content-Type", JSON), ("Content-Length", str(len(body)))])
    return [body]

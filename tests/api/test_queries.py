"""An exact number of queries per endpoint, the same for one row as for a hundred: on PostgreSQL a list
is one query (count, clock and the page's JSON together), a detail one, sync three (changes, removals,
the clock); a region filter adds one to find the region (api/views.py sends ready-made JSON)."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

API = "/api/v1"
ROWS = 32


@pytest.fixture
def articles(make_article, make_hotline, make_hospital, make_policy):
    hotline = make_hotline()
    hospital = make_hospital()
    policy = make_policy()
    made = [
        make_article(
            title=f"湛江吴川医保电话 {n}",
            regions=["440883", "440802"],
            hotlines=[hotline.pk],
            hospitals=[hospital.pk],
            policies=[policy.pk],
        )
        for n in range(ROWS)
    ]
    return {"articles": made, "policy": policy}


@pytest.fixture
def hotlines(make_hotline):
    return [make_hotline(organisation=f"吴川市医疗保障局 {n}") for n in range(ROWS)]


@pytest.fixture
def hospitals(make_hospital):
    return [make_hospital(name=f"连云港市口腔医院 {n}") for n in range(ROWS)]


@pytest.fixture
def policies(make_policy):
    return [make_policy(region=None) for _ in range(ROWS)]


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    return response


def assert_queries(client, django_assert_num_queries, url, expected, *, rows=None, status=200):
    with django_assert_num_queries(expected):
        response = get(client, url, status)
    if rows is not None:
        assert len(response.json()["results"]) == rows, url
    return response


PAGED = [(1, 1), (20, 20), (100, ROWS)]  # page_size, rows on the first page


def test_article_list(client, django_assert_num_queries, articles):
    for size, rows in PAGED:
        article_list(client, django_assert_num_queries, articles, size, rows)


def article_list(client, django_assert_num_queries, articles, size, rows):
    base = f"{API}/articles/?page_size={size}"
    assert_queries(client, django_assert_num_queries, base, 1, rows=rows)
    assert_queries(client, django_assert_num_queries, f"{base}&q=湛江 医保 电话", 1, rows=rows)
    assert_queries(
        client, django_assert_num_queries, f"{base}&category=hotlines&ordering=title", 1, rows=rows
    )
    assert_queries(client, django_assert_num_queries, f"{base}&policy={articles['policy'].pk}", 1, rows=rows)
    assert_queries(client, django_assert_num_queries, f"{base}&outdated=false", 1, rows=rows)
    assert_queries(
        client, django_assert_num_queries, f"{base}&updated_since=2000-01-01T00:00:00Z", 1, rows=rows
    )
    # A region costs two more: the validator checks the code exists, the filter loads it again.
    assert_queries(client, django_assert_num_queries, f"{base}&region=440800", 2, rows=rows)


def test_article_detail(client, django_assert_num_queries, articles):
    for article in articles["articles"][:3]:
        assert_queries(client, django_assert_num_queries, f"{API}/articles/{article.slug}/", 1)
    assert_queries(client, django_assert_num_queries, f"{API}/articles/nope/", 1, status=404)


def test_article_sync(client, django_assert_num_queries, articles):
    for size, rows in PAGED:
        article_sync(client, django_assert_num_queries, size, rows)


def article_sync(client, django_assert_num_queries, size, rows):
    """Articles' sync reads their flags' events too (raised or resolved flags change what readers
    see of an article without a change of its live row): one query more than the other kinds, and
    one more again when there are flagged articles to read."""
    response = assert_queries(
        client, django_assert_num_queries, f"{API}/sync/articles/?cursor=0&page_size={size}", 4
    )
    assert len(response.json()["results"]) == rows
    cursor = response.json()["next_cursor"]
    assert_queries(
        client, django_assert_num_queries, f"{API}/sync/articles/?cursor={cursor}&page_size={size}", 4
    )
    assert_queries(client, django_assert_num_queries, f"{API}/sync/articles/?cursor=0&region=440000", 5)


def test_hotline_list_detail_and_sync(client, django_assert_num_queries, hotlines):
    for size, rows in PAGED:
        hotline_list_detail_and_sync(client, django_assert_num_queries, hotlines, size, rows)


def hotline_list_detail_and_sync(client, django_assert_num_queries, hotlines, size, rows):
    assert_queries(client, django_assert_num_queries, f"{API}/hotlines/?page_size={size}", 1, rows=rows)
    assert_queries(
        client,
        django_assert_num_queries,
        f"{API}/hotlines/?page_size={size}&q=吴川&purpose=consultation&verification_status=verified",
        1,
        rows=rows,
    )
    assert_queries(
        client, django_assert_num_queries, f"{API}/hotlines/?page_size={size}&region=440000", 2, rows=rows
    )
    assert_queries(
        client, django_assert_num_queries, f"{API}/sync/hotlines/?cursor=0&page_size={size}", 3, rows=rows
    )
    assert_queries(client, django_assert_num_queries, f"{API}/hotlines/{hotlines[0].pk}/", 1)


def test_hospital_list_detail_and_sync(client, django_assert_num_queries, hospitals):
    for size, rows in PAGED:
        hospital_list_detail_and_sync(client, django_assert_num_queries, hospitals, size, rows)


def hospital_list_detail_and_sync(client, django_assert_num_queries, hospitals, size, rows):
    assert_queries(client, django_assert_num_queries, f"{API}/hospitals/?page_size={size}", 1, rows=rows)
    assert_queries(
        client,
        django_assert_num_queries,
        f"{API}/hospitals/?page_size={size}&q=口腔&level=3A&kind=dental&designated=true&ordering=-name",
        1,
        rows=rows,
    )
    assert_queries(
        client, django_assert_num_queries, f"{API}/hospitals/?page_size={size}&region=320700", 2, rows=rows
    )
    assert_queries(
        client, django_assert_num_queries, f"{API}/sync/hospitals/?cursor=0&page_size={size}", 3, rows=rows
    )
    assert_queries(client, django_assert_num_queries, f"{API}/hospitals/{hospitals[0].pk}/", 1)


def test_policy_list_and_detail(client, django_assert_num_queries, policies):
    for size, rows in PAGED:
        policy_list_and_detail(client, django_assert_num_queries, policies, size, rows)


def policy_list_and_detail(client, django_assert_num_queries, policies, size, rows):
    assert_queries(client, django_assert_num_queries, f"{API}/policies/?page_size={size}", 3, rows=rows)
    assert_queries(client, django_assert_num_queries, f"{API}/policies/{policies[0].pk}/", 2)
    # The region filter walks up the tree one query per level: exists + the county + its city + its
    # province, then count and page.
    assert_queries(client, django_assert_num_queries, f"{API}/policies/?page_size={size}&region=440883", 7)
    assert_queries(client, django_assert_num_queries, f"{API}/policies/?page_size={size}&region=440000", 5)


@pytest.mark.parametrize(("size", "rows"), [(1, 1), (20, 20), (100, 100)])
def test_region_list_and_detail(db, client, django_assert_num_queries, size, rows):
    # Count, page, and the area codes of the page (one prefetch, whatever the page size).
    assert_queries(client, django_assert_num_queries, f"{API}/regions/?page_size={size}", 4, rows=rows)
    assert_queries(
        client, django_assert_num_queries, f"{API}/regions/?page_size={size}&level=county", 4, rows=rows
    )
    assert_queries(client, django_assert_num_queries, f"{API}/regions/?page_size={size}&parent=440000", 5)
    # The region, its area codes, its children.
    assert_queries(client, django_assert_num_queries, f"{API}/regions/440000/", 4)
    assert_queries(client, django_assert_num_queries, f"{API}/regions/999999/", 1, status=404)


def test_errors_cost_nothing_or_little(db, client, django_assert_num_queries):
    assert_queries(client, django_assert_num_queries, f"{API}/articles/?nope=1", 0, status=400)
    assert_queries(client, django_assert_num_queries, f"{API}/articles/?page_size=101", 0, status=400)
    assert_queries(client, django_assert_num_queries, f"{API}/articles/?ordering=nope", 0, status=400)
    assert_queries(client, django_assert_num_queries, f"{API}/sync/articles/?cursor=abc", 0, status=400)
    assert_queries(client, django_assert_num_queries, f"{API}/articles/?region=999999", 1, status=400)
    # Past the last page: only the count.
    assert_queries(client, django_assert_num_queries, f"{API}/articles/?page=2", 1, status=404)


def test_health_endpoints(db, client, django_assert_num_queries, settings):
    settings.CELERY_BROKER_URL = "memory://"
    assert_queries(client, django_assert_num_queries, "/healthz", 0)
    assert_queries(client, django_assert_num_queries, "/readyz", 1)


def plan(sql: str) -> str:
    """The plan of ``sql`` with sequential scans priced out, so any usable index shows."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_trigram_index_serves_substring_matches(db):
    """The control for the test below: migration 0009's index exists and an ILIKE uses it."""
    assert "cms_livearticle_search_trgm" in plan(
        "SELECT count(*) FROM cms_livearticle WHERE search_text ILIKE '%湛江市吴川%'"
    )


def search_sql(client, q: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{API}/articles/?{urlencode({'q': q})}").status_code == 200
    (query,) = queries.captured_queries
    return query["sql"]


def index_plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # an almost empty table: make the planner show it can
        try:
            return plan(sql)
        finally:
            cursor.execute("SET enable_seqscan = on")


def test_a_two_character_search_is_an_index_lookup(db, client):
    """医保 is answered by the Chinese-token index alone (migration 0011): no LIKE over the text, no
    ILIKE or UPPER() that no index could serve."""
    sql = search_sql(client, "医保")
    assert "\"search_vector\" @@ to_tsquery('simple', '医保')" in sql
    assert "search_text" not in sql
    assert "cms_livearticle_search_vector" in index_plan(sql)


def test_a_longer_search_is_narrowed_by_the_index_and_confirmed_by_like(db, client):
    sql = search_sql(client, "湛江市吴川")
    assert "to_tsquery('simple', '湛江 & 江市 & 市吴 & 吴川')" in sql
    assert """"search_text"::text LIKE '%湛江市吴川%'""" in sql
    assert 'UPPER("cms_livearticle"."search_text"' not in sql
    assert "Bitmap Index Scan on cms_livearticle_search_" in index_plan(sql)


def test_a_latin_search_uses_the_trigram_index(db, client):
    sql = search_sql(client, "ABC")
    assert """"search_text"::text LIKE '%abc%'""" in sql
    assert "search_vector" not in sql
    assert "cms_livearticle_search_trgm" in index_plan(sql)

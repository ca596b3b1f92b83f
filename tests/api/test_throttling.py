"""Anonymous throttling of the public API (DRF's AnonRateThrottle, one bucket per client address), on
the DRF path and on the detail views' fast path alike."""

from django.conf import settings as django_settings
from rest_framework.throttling import AnonRateThrottle

from api.throttling import ReaderRateThrottle

API = "/api/v1"
CHEAP = f"{API}/regions/440883/"


def test_the_configured_rate_is_what_the_throttle_uses(db):
    assert django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == ["api.throttling.ReaderRateThrottle"]
    assert issubclass(ReaderRateThrottle, AnonRateThrottle)
    assert AnonRateThrottle().get_rate() == django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]
    assert AnonRateThrottle().get_rate() == "120/minute"


def test_the_121st_request_of_a_minute_is_refused(db, client):
    """The default rate, as configured: 120 a minute."""
    for n in range(120):
        assert client.get(f"{API}/articles/?nope=1").status_code == 400, n  # errors count too
    response = client.get(f"{API}/articles/")
    assert response.status_code == 429


def test_the_n_plus_first_request_is_429_with_retry_after(db, client, throttle_rate):
    throttle_rate("5/minute")
    urls = [
        f"{API}/articles/",
        f"{API}/hotlines/",
        f"{API}/regions/",
        CHEAP,
        f"{API}/sync/hospitals/?cursor=0",
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    for url in [*urls, f"{API}/articles/nope/", f"{API}/policies/1/"]:
        response = client.get(url)
        assert response.status_code == 429, url
        assert 1 <= int(response["Retry-After"]) <= 60
        assert response.json()["detail"].startswith("请求已被限流。")
        assert "秒后可用" in response.json()["detail"]
        assert response.content.decode().count("results") == 0


def test_buckets_are_per_client_address(db, client, throttle_rate):
    throttle_rate("2/minute")
    assert client.get(CHEAP, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get(CHEAP, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get(CHEAP, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get(CHEAP, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_the_bucket_refills_as_the_window_slides(db, client, throttle_rate, monkeypatch):
    """Two counters per address (this minute and the last), the last weighted by how much of it is
    still within sixty seconds."""
    throttle_rate("2/minute")
    start = 1_000_020.0  # the start of a minute
    now = [start]
    monkeypatch.setattr(AnonRateThrottle, "timer", lambda self: now[0])
    assert client.get(CHEAP).status_code == 200
    now[0] = start + 30
    assert client.get(CHEAP).status_code == 200
    now[0] = start + 31
    response = client.get(CHEAP)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 29  # until this minute ends
    now[0] = start + 60  # a new minute, but the last one's two requests still count in full
    assert client.get(CHEAP).status_code == 429
    now[0] = start + 75  # a quarter of the last minute has slid out: 1.5 requests estimated
    assert client.get(CHEAP).status_code == 200
    assert client.get(CHEAP).status_code == 429  # 1.5 + 1


def test_the_throttle_costs_the_same_at_any_rate(db, client, throttle_rate):
    """Two cache entries per address whatever the rate (DRF's own keeps every request's time)."""
    from django.core.cache import cache

    throttle_rate("1000000/minute")
    for _ in range(200):
        assert client.get(CHEAP).status_code == 200
    entries = [k.split(":", 2)[-1] for k in cache._cache if "throttle_anon" in k]  # LocMemCache's store
    assert 1 <= len(entries) <= 2  # two if a minute began meanwhile
    assert sum(cache.get(key) for key in entries) == 200


def test_health_checks_are_not_throttled(db, client, throttle_rate, settings):
    throttle_rate("1/minute")
    settings.CELERY_BROKER_URL = "memory://"
    assert client.get(CHEAP).status_code == 200
    assert client.get(CHEAP).status_code == 429
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200


def test_the_throttle_starts_fresh_in_every_test(db, client, throttle_rate):
    """conftest clears the cache around each test: this test's bucket is empty again."""
    throttle_rate("1/minute")
    assert client.get(CHEAP).status_code == 200


def test_a_forged_x_forwarded_for_does_not_reset_the_bucket(db, client, throttle_rate):
    throttle_rate("2/minute")
    statuses = [client.get(CHEAP, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 429, 429]


def test_the_detail_fast_path_counts_once_and_refuses_like_the_rest(db, client, throttle_rate, make_hotline):
    """Found details skip DRF's dispatch but not the throttle; misses and refusals take the DRF way,
    and every request is counted exactly once."""
    hotline = make_hotline()
    throttle_rate("4/minute")
    detail = f"{API}/hotlines/{hotline.pk}/"
    assert client.get(detail).status_code == 200
    assert client.get(f"{API}/hotlines/999999/").status_code == 404
    assert client.head(detail).status_code == 200
    assert client.get(detail).status_code == 200
    for url in (detail, f"{API}/hotlines/999999/", CHEAP):
        response = client.get(url)
        assert response.status_code == 429, url
        assert 1 <= int(response["Retry-After"]) <= 60

"""HTTP caching of the public API (ETag, Last-Modified, 304, Cache-Control) and CORS."""

import datetime
import time

import pytest
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from cms.models import Article, Hotline, LiveClock
from cms.services import workflow

API = "/api/v1"


def settle(seconds: int = 10) -> datetime.datetime:
    """As if the last change readers can see happened ``seconds`` ago (Last-Modified counts whole
    seconds, so a change in the current second is never answered with a 304 by date)."""
    changed_at = timezone.now() - datetime.timedelta(seconds=seconds)
    LiveClock.objects.filter(id=1).update(changed_at=changed_at)
    return changed_at


@pytest.fixture
def content(make_article, make_hotline, make_hospital, make_policy):
    hotline = make_hotline()
    hospital = make_hospital()
    policy = make_policy()
    article = make_article(hotlines=[hotline.pk], regions=["440883"])
    settle()
    return {
        "article list": f"{API}/articles/",
        "article detail": f"{API}/articles/{article.slug}/",
        "hotline list": f"{API}/hotlines/",
        "hotline detail": f"{API}/hotlines/{hotline.pk}/",
        "hospital list": f"{API}/hospitals/",
        "hospital detail": f"{API}/hospitals/{hospital.pk}/",
        "policy list": f"{API}/policies/",
        "policy detail": f"{API}/policies/{policy.pk}/",
        "region list": f"{API}/regions/?parent=440800",
        "region detail": f"{API}/regions/440800/",
        "article sync": f"{API}/sync/articles/?cursor=0",
        "hotline sync": f"{API}/sync/hotlines/?cursor=0",
        "hospital sync": f"{API}/sync/hospitals/?cursor=0",
        "filtered list": f"{API}/articles/?region=440000&q=湛江",
    }


ALL = [
    "article list",
    "article detail",
    "hotline list",
    "hotline detail",
    "hospital list",
    "hospital detail",
    "policy list",
    "policy detail",
    "region list",
    "region detail",
    "article sync",
    "hotline sync",
    "hospital sync",
    "filtered list",
]


@pytest.mark.parametrize("name", ALL)
def test_every_get_has_an_etag_and_public_cache_control(client, content, name):
    response = client.get(content[name])
    assert response.status_code == 200
    etag = response["ETag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert len(etag) > 10
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert "public" in directives
    assert "max-age=60" in directives
    # The ETag follows the content: the same content, the same tag.
    assert client.get(content[name])["ETag"] == etag
    head = client.head(content[name])
    assert head.status_code == 200
    assert head.content == b""
    assert head["Cache-Control"] == response["Cache-Control"]


def test_head_carries_the_same_etag_as_get(client, content):
    assert client.head(content["article list"])["ETag"] == client.get(content["article list"])["ETag"]


@pytest.mark.parametrize("name", ALL)
def test_if_none_match_is_a_304_with_an_empty_body(client, content, name):
    etag = client.get(content[name])["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(content[name], headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response["ETag"] == etag
        assert "max-age=60" in response["Cache-Control"]
    other = client.get(content[name], headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert other.content


@pytest.mark.parametrize("name", ALL)
def test_last_modified_and_if_modified_since(client, content, name):
    response = client.get(content[name])
    assert response.status_code == 200
    last_modified = response["Last-Modified"]
    stamp = parse_http_date(last_modified)
    assert abs(stamp - timezone.now().timestamp()) < 3600
    unchanged = client.get(content[name], headers={"If-Modified-Since": last_modified})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    earlier = client.get(content[name], headers={"If-Modified-Since": http_date(stamp - 60)})
    assert earlier.status_code == 200
    assert earlier.content == response.content


@pytest.mark.parametrize("name", ALL)
def test_last_modified_is_the_last_change_readers_can_see(client, content, name):
    """Every answer, list or detail, is dated by the live clock: a withdrawal elsewhere in a list, or a
    policy re-embedded in an article, moves it too."""
    changed_at = settle(seconds=30)
    assert parse_http_date(client.get(content[name])["Last-Modified"]) == int(changed_at.timestamp())


def test_a_change_in_the_current_second_is_never_a_304_by_date(client, content, make_hotline):
    """Within the second of the last change, Last-Modified says one second earlier and
    If-Modified-Since is not trusted: a second change in the same second must not be hidden."""
    fraction = time.time() % 1
    if fraction > 0.2:
        time.sleep(1.01 - fraction)  # start early in a second: the rest takes a few milliseconds
    make_hotline(organisation="刚发布的机构", number="0759-5550000")
    changed_at = LiveClock.objects.get().changed_at
    response = client.get(content["hotline list"])
    assert int(timezone.now().timestamp()) == int(changed_at.timestamp())
    assert parse_http_date(response["Last-Modified"]) == int(changed_at.timestamp()) - 1
    revalidated = client.get(
        content["hotline list"], headers={"If-Modified-Since": response["Last-Modified"]}
    )
    assert revalidated.status_code == 200
    # The ETag still answers 304.
    assert client.get(content["hotline list"], headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_a_new_publication_changes_the_etag_and_last_modified(client, content, make_article, team):
    before = client.get(content["article list"])
    make_article(title="新发布的文章", published=False)
    # A draft changes nothing readers see: the old ETag still holds.
    assert client.get(content["article list"], headers={"If-None-Match": before["ETag"]}).status_code == 304
    article = Article.objects.get(title="新发布的文章")
    workflow.item_submit(item=article, user=team["editor"])
    workflow.item_pass_check(item=article, user=team["checker"])
    workflow.item_approve(item=article, user=team["publisher"])
    workflow.item_publish(item=article, user=team["publisher"])
    after = client.get(content["article list"], headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert parse_http_date(after["Last-Modified"]) > parse_http_date(before["Last-Modified"])
    assert after.json()["results"][0]["title"] == "新发布的文章"
    assert (
        client.get(
            content["article list"], headers={"If-Modified-Since": before["Last-Modified"]}
        ).status_code
        == 200
    )


def test_republishing_a_hotline_changes_the_linking_articles_etag(client, content, edit, publish):
    before = client.get(content["article detail"])["ETag"]
    hotline = Hotline.objects.get()
    publish(edit(hotline, organisation="吴川市医疗保障局（新址）"))
    after = client.get(content["article detail"], headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.json()["hotlines"][0]["organisation"] == "吴川市医疗保障局（新址）"


def test_if_modified_since_after_a_withdrawal(client, content, make_article, withdraw):
    older = make_article(title="将被撤下的文章")
    newest = make_article(title="最新的文章")
    response = client.get(f"{API}/articles/")
    assert "将被撤下的文章" in response.content.decode()
    withdraw(older)
    assert "将被撤下的文章" not in client.get(f"{API}/articles/").content.decode()
    assert newest
    revalidated = client.get(f"{API}/articles/", headers={"If-Modified-Since": response["Last-Modified"]})
    assert revalidated.status_code == 200


def test_errors_are_not_marked_cacheable(client, content):
    for url in (f"{API}/articles/nope/", f"{API}/articles/?page=0"):
        response = client.get(url)
        assert response.status_code in (400, 404)
        assert "public" not in response.get("Cache-Control", "")


# ---------------------------------------------------------------------------------------------------- CORS


@pytest.fixture
def cors(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.example.org"]


@pytest.mark.parametrize("name", ["article list", "hotline detail", "article sync", "region detail"])
def test_cors_allows_the_configured_origin(client, content, cors, name):
    response = client.get(content[name], headers={"Origin": "https://www.example.org"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://www.example.org"
    assert "origin" in response["Vary"].lower()


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example.com", "http://www.example.org", "https://www.example.org.evil.com", "null"],
)
def test_cors_refuses_other_origins(client, content, cors, origin):
    response = client.get(content["article list"], headers={"Origin": origin})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_cors_preflight(client, content, cors):
    response = client.options(
        content["article list"],
        headers={"Origin": "https://www.example.org", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://www.example.org"
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_cors_only_covers_the_api(client, content, cors):
    response = client.get("/healthz", headers={"Origin": "https://www.example.org"})
    assert "Access-Control-Allow-Origin" not in response


def test_no_cors_without_configured_origins(client, content, settings):
    settings.CORS_ALLOWED_ORIGINS = []
    response = client.get(content["article list"], headers={"Origin": "https://www.example.org"})
    assert "Access-Control-Allow-Origin" not in response

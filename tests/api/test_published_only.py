"""Nothing unpublished ever appears: not drafts, not changes in progress on published items, not
withdrawn or archived items; only the published revision of each item, and nothing internal."""

import datetime
import json
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.utils import timezone

from cms.models import Article, Hospital, Hotline
from cms.services import workflow
from tests.factories import region

from .conftest import CHECKER_NOTE, PERSON_REACHED, verify

API = "/api/v1"

# Every word below exists only in content that is not published (a draft, an edit in progress, a
# withdrawn or archived item): none of it may ever reach a reader.
DRAFT_ONLY = [
    "草稿文章秘密卯",
    "草稿正文秘密辰",
    "改后文章秘密壬",
    "改后正文秘密癸",
    "改后摘要秘密亥",
    "改后草稿秘密子",
    "撤下文章秘密丑",
    "归档文章秘密寅",
    "定时文章秘密巳",
    "改后热线秘密甲",
    "撤下热线秘密乙",
    "归档热线秘密丙",
    "草稿热线秘密丁",
    "改后医院秘密戊",
    "撤下医院秘密己",
    "归档医院秘密庚",
    "草稿医院秘密辛",
    "new-secret-slug",
    "85809999",  # the edited hotline's new number
    "5557777",  # the draft hotline's number
    "5558888",  # the withdrawn hotline's number
    "5559999",  # the archived hotline's number
    "85800000",  # the edited hospital's new phone
    "编辑留言秘密",  # a revision message
    "撤下原因秘密",  # a withdrawal comment
]
INTERNAL_TEXT = [
    CHECKER_NOTE,
    PERSON_REACHED,
    "api-editor",
    "api-checker",
    "api-publisher",
    "@desk.example.cn",
]
INTERNAL_KEYS = {
    "revision",
    "lock_version",
    "author",
    "state",
    "approved_revision",
    "publish_at",
    "withdraw_at",
    "scheduled_by",
    "search_text",
    "payload",
    "data",
    "note",
    "checked_by",
    "person_reached",
    "message",
    "import_key",
    "review_by",
    "created_at",
}


@pytest.fixture
def world(team, make_article, make_hotline, make_hospital, make_policy, publish, edit, withdraw):
    secret_policy = make_policy(title="仅草稿引用的政策")
    h = {
        "pub": make_hotline(organisation="公开热线机构", number="0759-5586822", code="440883"),
        "edited": make_hotline(organisation="旧版热线机构", number="0759-3161234", code="440800"),
        "withdrawn": make_hotline(organisation="撤下热线秘密乙", number="0759-5558888", code="440883"),
        "archived": make_hotline(organisation="归档热线秘密丙", number="0759-5559999", code="440883"),
        "draft": make_hotline(
            organisation="草稿热线秘密丁", number="0759-5557777", code="440883", published=False
        ),
    }
    hos = {
        "pub": make_hospital(name="公开医院", code="320700"),
        "edited": make_hospital(
            name="旧版医院",
            code="440883",
            level="2A",
            kind="general",
            designated=True,
            phones=[{"label": "总机", "number": "0759-5551234", "extension": ""}],
        ),
        "withdrawn": make_hospital(name="撤下医院秘密己", code="440883"),
        "archived": make_hospital(name="归档医院秘密庚", code="440883"),
        "draft": make_hospital(name="草稿医院秘密辛", code="440883", published=False),
    }
    a = {
        "pub": make_article(
            title="公开文章",
            body="公开正文",
            category="hotlines",
            regions=["440883"],
            hotlines=[x.pk for x in h.values() if x.state == "published"],
            hospitals=[x.pk for x in hos.values() if x.state == "published"],
        ),
        "edited": make_article(
            title="旧版文章标题",
            slug="old-slug",
            body="旧版正文内容",
            summary="旧版摘要",
            category="guide",
            regions=["440883"],
        ),
        "edited_draft": make_article(title="旧版第二篇", body="旧版第二篇正文", category="guide"),
        "withdrawn": make_article(title="撤下文章秘密丑", body="撤下的正文", category="guide"),
        "archived": make_article(title="归档文章秘密寅", body="归档的正文", category="guide"),
        "draft": make_article(
            title="草稿文章秘密卯",
            body="草稿正文秘密辰",
            category="guide",
            regions=["440883"],
            published=False,
        ),
        "scheduled": make_article(title="定时文章秘密巳", body="定时正文", category="guide", published=False),
    }
    published = {
        "articles": {k: api_detail(f"articles/{a[k].slug}") for k in ("pub", "edited", "edited_draft")},
        "hotlines": {k: api_detail(f"hotlines/{h[k].pk}") for k in ("pub", "edited")},
        "hospitals": {k: api_detail(f"hospitals/{hos[k].pk}") for k in ("pub", "edited")},
    }

    # Changes in progress on published items.
    edit(
        a["edited"],
        title="改后文章秘密壬",
        slug="new-secret-slug",
        body="改后正文秘密癸",
        summary="改后摘要秘密亥",
        category="policy",
        m2m={"regions": ["320700"], "policies": [secret_policy.pk]},
        message="编辑留言秘密",
    )
    article = Article.objects.get(pk=a["edited"].pk)
    workflow.item_submit(item=article, user=team["editor"])
    workflow.item_pass_check(item=article, user=team["checker"])
    workflow.item_approve(item=article, user=team["publisher"])  # approved, not published
    edit(a["edited_draft"], body="改后草稿秘密子")
    hotline = edit(
        h["edited"], organisation="改后热线秘密甲", number="0518-85809999", region=region("320700")
    )
    verify(hotline, team["checker"])  # the new number is checked: the live form's verification moves on
    workflow.item_submit(item=hotline, user=team["editor"])  # in review
    edit(
        hos["edited"],
        name="改后医院秘密戊",
        level="3A",
        kind="tcm",
        designated=False,
        region=region("320700"),
        phones=[{"label": "新总机", "number": "0518-85800000", "extension": ""}],
    )
    # Drafts in the other states that are not published.
    draft = Article.objects.get(pk=a["draft"].pk)
    workflow.item_submit(item=draft, user=team["editor"])  # in review
    workflow.item_submit(item=Hotline.objects.get(pk=h["draft"].pk), user=team["editor"])
    scheduled = Article.objects.get(pk=a["scheduled"].pk)
    workflow.item_submit(item=scheduled, user=team["editor"])
    workflow.item_pass_check(item=scheduled, user=team["checker"])
    workflow.item_approve(item=scheduled, user=team["publisher"])
    workflow.item_schedule_publication(
        item=scheduled, user=team["publisher"], at=timezone.now() + datetime.timedelta(days=1)
    )
    # Withdrawn, and archived after withdrawal.
    for items in (a, h, hos):
        withdraw(items["withdrawn"], comment="撤下原因秘密")
        withdraw(items["archived"], archive=True, comment="撤下原因秘密")
    assert Article.objects.get(pk=a["archived"].pk).state == "archived"
    assert Hospital.objects.get(pk=hos["withdrawn"].pk).state == "withdrawn"
    return {"articles": a, "hotlines": h, "hospitals": hos, "policy": secret_policy, "published": published}


def api_detail(path):
    response = Client().get(f"{API}/{path}/")
    assert response.status_code == 200, (path, response.content)
    return response.json()


def walk_keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from walk_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from walk_keys(inner)


class Reader:
    """Fetches URLs as a reader would and checks every response for leaks."""

    def __init__(self, client):
        self.client = client
        self.seen: dict[str, str] = {}

    def get(self, url, status=200):
        response = self.client.get(url)
        assert response.status_code == status, (url, response.status_code, response.content[:300])
        text = response.content.decode()
        self.seen[url] = text
        self.check(url, text)
        return json.loads(text)

    def check(self, url, text):
        decoded = json.dumps(json.loads(text), ensure_ascii=False)
        for word in DRAFT_ONLY + INTERNAL_TEXT:
            assert word not in text, (url, word)
            assert word not in decoded, (url, word)
        assert not set(walk_keys(json.loads(text))) & INTERNAL_KEYS, url

    def list(self, path, **params):
        params.setdefault("page_size", 100)
        return self.get(f"{API}/{path}?{urlencode(params)}")["results"]


@pytest.fixture
def reader(client, unthrottled):
    return Reader(client)


def article_slugs(world, *keys):
    return {world["articles"][k].slug for k in keys}


def pks(world, kind, *keys):
    return {world[kind][k].pk for k in keys}


def test_lists_show_only_published_items(world, reader):
    assert {r["slug"] for r in reader.list("articles/")} == article_slugs(
        world, "pub", "edited", "edited_draft"
    )
    assert {r["id"] for r in reader.list("hotlines/")} == pks(world, "hotlines", "pub", "edited")
    assert {r["id"] for r in reader.list("hospitals/")} == pks(world, "hospitals", "pub", "edited")
    assert reader.get(f"{API}/articles/")["count"] == 3
    assert reader.get(f"{API}/hotlines/")["count"] == 2
    assert reader.get(f"{API}/hospitals/")["count"] == 2


def test_edited_items_keep_their_published_revision(world, reader):
    published = world["published"]
    # The article under an approved (not yet published) edit: byte for byte what was published.
    assert reader.get(f"{API}/articles/old-slug/") == published["articles"]["edited"]
    assert (
        reader.get(f"{API}/articles/{world['articles']['edited_draft'].slug}/")
        == (published["articles"]["edited_draft"])
    )
    old = reader.get(f"{API}/articles/old-slug/")
    assert (old["title"], old["summary"], old["body_html"], old["category"]) == (
        "旧版文章标题",
        "旧版摘要",
        "<p>旧版正文内容</p>",
        "guide",
    )
    assert [r["code"] for r in old["regions"]] == ["440883"]
    assert old["policies"] == []
    # The hotline in review after an edit: old organisation, number and region; only its
    # verification (not content) follows the fact-checker's new check.
    hotline = reader.get(f"{API}/hotlines/{world['hotlines']['edited'].pk}/")
    before = published["hotlines"]["edited"]
    content = ["organisation", "number", "display_number", "region", "purpose", "sources", "published_at"]
    assert {k: hotline[k] for k in content} == {k: before[k] for k in content}
    assert hotline["organisation"] == "旧版热线机构"
    assert hotline["region"]["code"] == "440800"
    assert hotline["last_verified_at"] >= before["last_verified_at"]
    hospital = reader.get(f"{API}/hospitals/{world['hospitals']['edited'].pk}/")
    assert hospital == published["hospitals"]["edited"]
    assert (hospital["name"], hospital["level"], hospital["kind"], hospital["designated"]) == (
        "旧版医院",
        "2A",
        "general",
        True,
    )
    assert [p["display_number"] for p in hospital["phones"]] == ["0759-5551234"]


def test_the_edits_slug_is_not_served(world, reader):
    reader.get(f"{API}/articles/new-secret-slug/", status=404)


@pytest.mark.parametrize("key", ["withdrawn", "archived", "draft", "scheduled"])
def test_unpublished_articles_have_no_detail(world, reader, key):
    slug = world["articles"][key].slug
    assert reader.get(f"{API}/articles/{quote(slug)}/", status=404) == {"detail": "没有找到已发布的内容。"}


@pytest.mark.parametrize("kind", ["hotlines", "hospitals"])
@pytest.mark.parametrize("key", ["withdrawn", "archived", "draft"])
def test_unpublished_hotlines_and_hospitals_have_no_detail(world, reader, kind, key):
    reader.get(f"{API}/{kind}/{world[kind][key].pk}/", status=404)


def test_linking_articles_embed_only_live_hotlines_and_hospitals(world, reader):
    article = reader.get(f"{API}/articles/{world['articles']['pub'].slug}/")
    assert [x["organisation"] for x in article["hotlines"]] == ["公开热线机构", "旧版热线机构"]
    assert [x["id"] for x in article["hotlines"]] == sorted(pks(world, "hotlines", "pub", "edited"))
    assert [x["name"] for x in article["hospitals"]] == ["公开医院", "旧版医院"]
    assert article["body_html"] == "<p>公开正文</p>"


FILTERS = {
    "articles/": [
        *({"region": code} for code in ["440000", "440800", "440883", "320000", "320700"]),
        *(
            {"category": c}
            for c in ["policy", "guide", "hotlines", "uncategorised", "reimbursement", "cross_region"]
        ),
        {"outdated": "true"},
        {"outdated": "false"},
        {"updated_since": "2000-01-01T00:00:00Z"},
        *({"ordering": o} for o in ["title", "-title", "published_at", "-updated_at"]),
    ],
    "hotlines/": [
        *({"region": code} for code in ["440000", "440800", "440883", "320000", "320700"]),
        *({"purpose": p} for p in ["consultation", "complaint"]),
        *({"verification_status": v} for v in ["verified", "unverified", "stale", "failing"]),
        {"updated_since": "2000-01-01T00:00:00Z"},
        {"ordering": "organisation"},
    ],
    "hospitals/": [
        *({"region": code} for code in ["440000", "440800", "440883", "320000", "320700"]),
        *({"level": lv} for lv in ["2A", "3A", "ungraded"]),
        *({"kind": k} for k in ["general", "tcm", "dental"]),
        {"designated": "true"},
        {"designated": "false"},
        *({"verification_status": v} for v in ["verified", "failing"]),
        {"updated_since": "2000-01-01T00:00:00Z"},
        {"ordering": "-name"},
    ],
}


def test_every_filter_shows_only_published_revisions(world, reader):
    published = world["published"]
    live = {
        "articles/": {p["slug"]: p for p in reader.list("articles/")},
        "hotlines/": {p["id"]: p for p in reader.list("hotlines/")},
        "hospitals/": {p["id"]: p for p in reader.list("hospitals/")},
    }
    for path, filters in FILTERS.items():
        key = "slug" if path == "articles/" else "id"
        for params in filters:
            for result in reader.list(path, **params):
                # Every result is exactly the published live form (the list's own entry).
                assert result == live[path][result[key]], (path, params)
    # The edits' regions, categories, levels and policies find nothing.
    assert reader.list("articles/", region="320000") == []
    assert reader.list("articles/", category="policy") == []
    assert reader.list("articles/", policy=world["policy"].pk) == []
    assert "仅草稿引用的政策" not in json.dumps(reader.list("articles/"), ensure_ascii=False)
    assert {r["slug"] for r in reader.list("articles/", category="guide")} == article_slugs(
        world, "edited", "edited_draft"
    )
    assert [r["id"] for r in reader.list("hotlines/", region="320000")] == []
    assert {r["id"] for r in reader.list("hotlines/", region="440800")} == pks(
        world, "hotlines", "pub", "edited"
    )
    assert [r["id"] for r in reader.list("hospitals/", kind="tcm")] == []
    assert [r["id"] for r in reader.list("hospitals/", designated="false")] == []
    assert [r["id"] for r in reader.list("hospitals/", region="440883")] == [world["hospitals"]["edited"].pk]
    assert published["hospitals"]["edited"] == live["hospitals/"][world["hospitals"]["edited"].pk]


@pytest.mark.parametrize("word", DRAFT_ONLY)
def test_searching_for_unpublished_words_finds_nothing(world, reader, word):
    for path in ("articles/", "hotlines/", "hospitals/"):
        assert reader.list(path, q=word) == [], (path, word)


def test_searching_for_published_words_finds_the_old_revision(world, reader):
    assert [r["slug"] for r in reader.list("articles/", q="旧版 正文内容")] == ["old-slug"]
    # The article linking the edited hotline is found by that hotline's published name only.
    assert [r["slug"] for r in reader.list("articles/", q="旧版热线机构")] == [world["articles"]["pub"].slug]
    assert [r["title"] for r in reader.list("articles/", q="旧版第二篇正文")] == ["旧版第二篇"]
    assert [r["organisation"] for r in reader.list("hotlines/", q="旧版热线")] == ["旧版热线机构"]
    assert [r["name"] for r in reader.list("hospitals/", q="旧版")] == ["旧版医院"]
    assert reader.list("articles/", q="秘密") == []


def sync_all(reader, path):
    cursor, results = "0", []
    for _ in range(50):
        page = reader.get(f"{API}/sync/{path}?{urlencode({'cursor': cursor, 'page_size': 2})}")
        if page["next_cursor"] == cursor:  # up to date
            assert page["results"] == page["removed"] == []
            return results
        results += page["results"]
        cursor = page["next_cursor"]
    raise AssertionError("sync did not end")


def test_sync_shows_only_published_revisions(world, reader):
    articles = sync_all(reader, "articles/")
    assert sorted(r["slug"] for r in articles) == sorted(
        article_slugs(world, "pub", "edited", "edited_draft")
    )
    by_slug = {r["slug"]: r for r in articles}
    assert by_slug["old-slug"] == world["published"]["articles"]["edited"]
    hotlines = sync_all(reader, "hotlines/")
    assert sorted(r["id"] for r in hotlines) == sorted(pks(world, "hotlines", "pub", "edited"))
    assert {r["organisation"] for r in hotlines} == {"公开热线机构", "旧版热线机构"}
    hospitals = sync_all(reader, "hospitals/")
    assert {r["id"]: r for r in hospitals}[world["hospitals"]["edited"].pk] == (
        world["published"]["hospitals"]["edited"]
    )
    assert len(hospitals) == 2


def test_no_response_carries_internal_data(world, reader):
    """Sweep every endpoint (Reader.check looks at each body for draft text, editors, notes, keys)."""
    for path in ("articles/", "hotlines/", "hospitals/", "policies/", "regions/?parent=440800"):
        reader.get(f"{API}/{path}")
    for slug in article_slugs(world, "pub", "edited", "edited_draft"):
        reader.get(f"{API}/articles/{slug}/")
    for kind in ("hotlines", "hospitals"):
        for pk in pks(world, kind, "pub", "edited"):
            reader.get(f"{API}/{kind}/{pk}/")
    for path in ("articles/", "hotlines/", "hospitals/"):
        sync_all(reader, path)
    reader.get(f"{API}/regions/440883/")
    assert len(reader.seen) >= 15
    # The sweep does read real content, so the leak checks are not vacuous.
    assert any("旧版热线机构" in text for text in reader.seen.values())


def test_publishing_the_edit_replaces_the_old_text_everywhere(world, reader, team):
    """The control: once the edit is published, the new text (and only it) appears."""
    hotline = Hotline.objects.get(pk=world["hotlines"]["edited"].pk)  # in review
    workflow.item_pass_check(item=hotline, user=team["checker"])
    workflow.item_approve(item=hotline, user=team["publisher"])
    workflow.item_publish(item=hotline, user=team["publisher"])
    body = json.loads(reader.client.get(f"{API}/hotlines/{hotline.pk}/").content)
    assert body["organisation"] == "改后热线秘密甲"
    assert body["display_number"] == "0518-85809999"
    assert body["region"]["code"] == "320700"
    article = json.loads(reader.client.get(f"{API}/articles/{world['articles']['pub'].slug}/").content)
    assert "改后热线秘密甲" in [x["organisation"] for x in article["hotlines"]]
    assert "旧版热线机构" not in json.dumps(article, ensure_ascii=False)
    found = json.loads(reader.client.get(f"{API}/hotlines/?q=旧版热线").content)
    assert found["count"] == 0

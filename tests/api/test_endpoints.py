"""Every endpoint of the public read API and every filter, asserted on the bodies they return."""

import datetime
import socket
import threading
import time
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.utils import timezone

from cms.models import Flag, Hospital, Hotline
from cms.services.flags import flag_raise, flag_resolve
from cms.services.live import live_update_verification
from tests.factories import region

API = "/api/v1"


def slugs(body) -> list[str]:
    return [r["slug"] for r in body["results"]]


def names(body, field) -> list[str]:
    return [r[field] for r in body["results"]]


def query(path: str, **params) -> str:
    return f"{API}/{path}?{urlencode(params)}"


def set_verification(item, status: str) -> None:
    """What a verification job does: change the working copy's status and carry it into the live form."""
    type(item).objects.filter(pk=item.pk).update(verification_status=status)
    item.refresh_from_db()
    live_update_verification(item=item, now=timezone.now())


@pytest.fixture
def catalog(make_article, make_hotline, make_hospital, make_policy):
    """Published content spread over the region tree: 广东省 (440000) › 湛江市 (440800) › 吴川市 (440883),
    广州市 (440100); 江苏省 (320000) › 连云港市 (320700)."""
    policies = {
        "national": make_policy(
            title="国家医保局关于跨省异地就医的通知", region=None, effective_from=datetime.date(2022, 7, 1)
        ),
        "guangdong": make_policy(
            title="广东省基本医疗保险办法", region=region("440000"), effective_from=datetime.date(2024, 1, 1)
        ),
        "zhanjiang": make_policy(
            title="湛江市门诊共济保障实施细则",
            region=region("440800"),
            effective_from=datetime.date(2023, 1, 1),
            effective_to=datetime.date(2025, 12, 31),
        ),
        "jiangsu": make_policy(
            title="江苏省医保支付方式改革方案",
            region=region("320000"),
            effective_from=datetime.date(2021, 3, 1),
        ),
    }
    hotlines = {
        "wuchuan": make_hotline(organisation="吴川市医疗保障局", number="0759-5586822", code="440883"),
        "zhanjiang": make_hotline(
            organisation="湛江市医疗保障局", number="0759-3161234", code="440800", purpose="complaint"
        ),
        "guangdong": make_hotline(
            organisation="广东省医疗保障局", number="020-83331234", code="440000", purpose="cross_region"
        ),
        "guangzhou": make_hotline(
            organisation="广州市医疗保障局", number="020-12345678", code="440100", purpose="office"
        ),
        "lianyungang": make_hotline(organisation="连云港市医疗保障局", number="0518-85801234", code="320700"),
    }
    hospitals = {
        "lianyungang": make_hospital(
            name="连云港市口腔医院", code="320700", level="3A", kind="dental", aliases=["连云港口腔"]
        ),
        "wuchuan": make_hospital(
            name="吴川市人民医院",
            code="440883",
            level="2A",
            kind="general",
            address="吴川市梅录街道",
            phones=[{"label": "总机", "number": "0759-5551234", "extension": ""}],
        ),
        "zhanjiang": make_hospital(
            name="湛江中心人民医院",
            code="440800",
            level="3A",
            kind="general",
            designated=False,
            address="湛江市赤坎区",
            phones=[{"label": "急诊", "number": "0759-3201234", "extension": ""}],
        ),
        "guangzhou": make_hospital(
            name="广州中医药大学第一附属医院",
            code="440100",
            level="3A",
            kind="tcm",
            address="广州市白云区",
            phones=[{"label": "总机", "number": "020-36591234", "extension": ""}],
        ),
    }
    articles = {}
    articles["wuchuan"] = make_article(
        title="湛江吴川医保电话",
        body="湛江市吴川市医疗保障局联系电话为 0759-5586822。",
        category="hotlines",
        regions=["440883"],
        hotlines=[hotlines["wuchuan"].pk],
        policies=[policies["zhanjiang"].pk],
    )
    articles["guide"] = make_article(
        title="湛江异地就医备案指南",
        body="在湛江办理异地就医备案，可拨打医保服务电话 0759-3161234 咨询。",
        category="guide",
        regions=["440800"],
        policies=[policies["guangdong"].pk],
    )
    articles["guangdong"] = make_article(
        title="广东省医保政策解读",
        body="广东省基本医疗保险办法的要点。",
        category="policy",
        regions=["440000"],
        policies=[policies["guangdong"].pk],
    )
    articles["lianyungang"] = make_article(
        title="连云港口腔医院报销",
        body="连云港市口腔医院的报销比例。",
        category="reimbursement",
        regions=["320700"],
        hospitals=[hospitals["lianyungang"].pk],
    )
    articles["national"] = make_article(
        title="跨省异地就医直接结算",
        body="全国统一的跨省直接结算流程。",
        category="cross_region",
        policies=[policies["national"].pk],
    )
    return {"policies": policies, "hotlines": hotlines, "hospitals": hospitals, "articles": articles}


def slug_of(catalog, *keys) -> set[str]:
    return {catalog["articles"][k].slug for k in keys}


def hotline_ids(catalog, *keys) -> set[int]:
    return {catalog["hotlines"][k].pk for k in keys}


def hospital_ids(catalog, *keys) -> set[int]:
    return {catalog["hospitals"][k].pk for k in keys}


# ----------------------------------------------------------------------------------------------- articles


def test_article_list_shows_every_published_article_newest_first(catalog, get_json):
    body = get_json(f"{API}/articles/")
    assert body["count"] == 5
    assert body["next"] is None
    assert body["previous"] is None
    order = ["national", "lianyungang", "guangdong", "guide", "wuchuan"]
    assert slugs(body) == [catalog["articles"][k].slug for k in order]
    first = body["results"][-1]
    assert first["title"] == "湛江吴川医保电话"
    assert first["category"] == "hotlines"
    assert first["body_html"] == "<p>湛江市吴川市医疗保障局联系电话为 0759-5586822。</p>"
    assert first["regions"] == [{"code": "440883", "name": "吴川市", "full_name": "广东省湛江市吴川市"}]
    assert [h["organisation"] for h in first["hotlines"]] == ["吴川市医疗保障局"]
    assert first["hotlines"][0]["display_number"] == "0759-5586822"
    assert first["hotlines"][0]["number"] == "+867595586822"
    assert [p["title"] for p in first["policies"]] == ["湛江市门诊共济保障实施细则"]
    assert first["policies"][0]["effective_to"] == "2025-12-31"
    assert first["sources"] == [
        {
            "title": "湛江市医疗保障局",
            "url": first["sources"][0]["url"],
            "publisher": "湛江市医疗保障局",
            "is_official": True,
        }
    ]
    assert first["outdated"] == {"flagged": False, "reasons": []}
    assert first["published_at"] == first["updated_at"]


def test_article_detail_by_slug_is_the_list_entry(catalog, get_json):
    listed = {r["slug"]: r for r in get_json(f"{API}/articles/")["results"]}
    for slug, entry in listed.items():
        assert get_json(f"{API}/articles/{slug}/") == entry
    lianyungang = listed[catalog["articles"]["lianyungang"].slug]
    assert lianyungang["hospitals"] == [
        {
            "id": catalog["hospitals"]["lianyungang"].pk,
            "name": "连云港市口腔医院",
            "level": "3A",
            "kind": "dental",
            "address": "连云港市海州区",
            "designated": True,
        }
    ]


def test_article_detail_with_a_chinese_slug(make_article, get_json):
    make_article(title="吴川医保", slug="吴川医保电话")
    body = get_json(f"{API}/articles/{quote('吴川医保电话')}/")
    assert body["slug"] == "吴川医保电话"
    assert body["title"] == "吴川医保"


def test_unknown_article_is_a_404_with_a_message(catalog, get_json):
    assert get_json(f"{API}/articles/no-such-article/", status=404) == {"detail": "没有找到已发布的内容。"}


# ----------------------------------------------------------------------------------------------- hotlines


def test_hotline_list_and_detail(catalog, get_json):
    body = get_json(f"{API}/hotlines/")
    assert body["count"] == 5
    assert {r["id"] for r in body["results"]} == hotline_ids(catalog, *catalog["hotlines"])
    wuchuan = catalog["hotlines"]["wuchuan"]
    detail = get_json(f"{API}/hotlines/{wuchuan.pk}/")
    assert detail in body["results"]
    assert detail["organisation"] == "吴川市医疗保障局"
    assert detail["number"] == "+867595586822"
    assert detail["display_number"] == "0759-5586822"
    assert detail["purpose"] == "consultation"
    assert detail["region"] == {"code": "440883", "name": "吴川市", "full_name": "广东省湛江市吴川市"}
    assert detail["verification_status"] == "verified"
    assert detail["last_verified_at"] is not None


def test_unknown_hotline_is_a_404(catalog, get_json):
    assert get_json(f"{API}/hotlines/999999/", status=404) == {"detail": "没有找到已发布的内容。"}
    assert get_json(f"{API}/hotlines/99999999999999999999/", status=404)["detail"]


# ---------------------------------------------------------------------------------------------- hospitals


def test_hospital_list_and_detail(catalog, get_json):
    body = get_json(f"{API}/hospitals/")
    assert body["count"] == 4
    assert {r["id"] for r in body["results"]} == hospital_ids(catalog, *catalog["hospitals"])
    hospital = catalog["hospitals"]["lianyungang"]
    detail = get_json(f"{API}/hospitals/{hospital.pk}/")
    assert detail in body["results"]
    assert detail["name"] == "连云港市口腔医院"
    assert detail["aliases"] == ["连云港口腔"]
    assert detail["departments"] == ["口腔科", "正畸科"]
    assert (detail["level"], detail["kind"], detail["designated"]) == ("3A", "dental", True)
    assert detail["region"]["code"] == "320700"
    assert detail["phones"] == [
        {"label": "总机", "number": "+8651885767777", "display_number": "0518-85767777", "extension": ""}
    ]


def test_unknown_hospital_is_a_404(catalog, get_json):
    assert get_json(f"{API}/hospitals/999999/", status=404) == {"detail": "没有找到已发布的内容。"}


# ----------------------------------------------------------------------------------------------- policies


def test_policy_list_and_detail(catalog, get_json):
    body = get_json(f"{API}/policies/")
    assert body["count"] == 4
    # Newest in force first.
    assert names(body, "title") == [
        "广东省基本医疗保险办法",
        "湛江市门诊共济保障实施细则",
        "国家医保局关于跨省异地就医的通知",
        "江苏省医保支付方式改革方案",
    ]
    policy = catalog["policies"]["zhanjiang"]
    detail = get_json(f"{API}/policies/{policy.pk}/")
    assert detail in body["results"]
    assert detail == {
        "id": policy.pk,
        "title": "湛江市门诊共济保障实施细则",
        "document_number": policy.document_number,
        "issuing_authority": "国家医疗保障局",
        "region": "440800",
        "effective_from": "2023-01-01",
        "effective_to": "2025-12-31",
        "superseded_by": None,
        "updated_at": detail["updated_at"],
    }
    assert datetime.datetime.fromisoformat(detail["updated_at"]) == policy.updated_at


def test_policy_superseded_by_is_shown(make_policy, get_json):
    new = make_policy(title="新办法")
    old = make_policy(title="旧办法", superseded_by=new)
    assert get_json(f"{API}/policies/{old.pk}/")["superseded_by"] == new.pk


def test_unknown_policy_is_a_404(db, get_json):
    assert get_json(f"{API}/policies/999999/", status=404) == {"detail": "没有找到该政策。"}


def test_policies_by_region_are_those_of_the_region_and_its_ancestors(catalog, get_json):
    p = catalog["policies"]

    def titles(code):
        return set(names(get_json(query("policies/", region=code)), "title"))

    assert titles("440883") == {p["zhanjiang"].title, p["guangdong"].title}
    assert titles("440800") == {p["zhanjiang"].title, p["guangdong"].title}
    assert titles("440000") == {p["guangdong"].title}
    assert titles("320700") == {p["jiangsu"].title}
    assert titles("110000") == set()


def test_policy_search_and_updated_since(catalog, get_json, make_policy):
    assert names(get_json(query("policies/", q="湛江 门诊")), "title") == ["湛江市门诊共济保障实施细则"]
    assert get_json(query("policies/", q="湛江 江苏"))["count"] == 0
    since = timezone.now()
    make_policy(title="后来的政策")
    assert names(get_json(query("policies/", updated_since=since.isoformat())), "title") == ["后来的政策"]


# ------------------------------------------------------------------------------------------------ regions


def test_region_list_covers_all_divisions(db, get_json):
    body = get_json(f"{API}/regions/")
    assert body["count"] == 3342
    assert len(body["results"]) == 20
    assert body["results"][0] == {
        "code": "110000",
        "name": "北京市",
        "full_name": "北京市",
        "level": "province",
        "parent": None,
        "area_codes": ["010"],
    }
    assert body["next"] == "http://testserver/api/v1/regions/?page=2"


def test_regions_by_parent_and_level(db, get_json):
    children = get_json(query("regions/", parent="440800", page_size=100))
    assert [r["code"] for r in children["results"]] == [
        "440802", "440803", "440804", "440811", "440823", "440825", "440881", "440882", "440883",
    ]  # fmt: skip
    assert {r["parent"] for r in children["results"]} == {"440800"}
    assert {r["level"] for r in children["results"]} == {"county"}
    provinces = get_json(query("regions/", level="province", page_size=100))
    assert provinces["count"] == 34
    assert {r["parent"] for r in provinces["results"]} == {None}
    cities = get_json(query("regions/", parent="440000", level="prefecture", page_size=100))
    assert "440800" in [r["code"] for r in cities["results"]]
    assert {r["level"] for r in cities["results"]} == {"prefecture"}
    assert get_json(query("regions/", parent="440883"))["count"] == 0
    assert [r["code"] for r in get_json(query("regions/", q="吴川"))["results"]] == ["440883"]


def test_region_detail_with_children_and_area_codes(db, get_json):
    body = get_json(f"{API}/regions/440800/")
    assert {k: body[k] for k in ("code", "name", "full_name", "level", "parent", "area_codes")} == {
        "code": "440800",
        "name": "湛江市",
        "full_name": "广东省湛江市",
        "level": "prefecture",
        "parent": "440000",
        "area_codes": ["0759"],
    }
    assert body["children"][0] == {"code": "440802", "name": "赤坎区", "level": "county"}
    assert [c["code"] for c in body["children"]] == sorted(c["code"] for c in body["children"])
    assert len(body["children"]) == 9
    assert get_json(f"{API}/regions/440883/")["children"] == []


def test_unknown_region_is_a_404(db, get_json):
    assert get_json(f"{API}/regions/999999/", status=404) == {"detail": "没有这个行政区划代码。"}
    assert get_json(f"{API}/regions/abc/", status=404) == {"detail": "没有这个行政区划代码。"}


# ------------------------------------------------------------------------------------------------ filters


REGION_TREE = [
    # code, articles, hotlines, hospitals
    ("440000", {"wuchuan", "guide", "guangdong"}, {"wuchuan", "zhanjiang", "guangdong", "guangzhou"},
     {"wuchuan", "zhanjiang", "guangzhou"}),
    ("440800", {"wuchuan", "guide"}, {"wuchuan", "zhanjiang"}, {"wuchuan", "zhanjiang"}),
    ("440883", {"wuchuan"}, {"wuchuan"}, {"wuchuan"}),
    ("440802", set(), set(), set()),  # a sibling county of 吴川市
    ("440100", set(), {"guangzhou"}, {"guangzhou"}),  # another city of the same province
    ("320000", {"lianyungang"}, {"lianyungang"}, {"lianyungang"}),
    ("320700", {"lianyungang"}, {"lianyungang"}, {"lianyungang"}),
    ("110000", set(), set(), set()),  # another province
]  # fmt: skip


@pytest.mark.parametrize(("code", "articles", "hotlines", "hospitals"), REGION_TREE)
def test_region_filter_follows_the_tree(catalog, get_json, code, articles, hotlines, hospitals):
    """A province matches its cities and counties, a city its counties, a county only itself."""
    body = get_json(query("articles/", region=code))
    assert set(slugs(body)) == slug_of(catalog, *articles)
    assert body["count"] == len(articles)
    body = get_json(query("hotlines/", region=code))
    assert set(names(body, "id")) == hotline_ids(catalog, *hotlines)
    assert body["count"] == len(hotlines)
    body = get_json(query("hospitals/", region=code))
    assert set(names(body, "id")) == hospital_ids(catalog, *hospitals)
    assert body["count"] == len(hospitals)
    # The sync feeds filter the same way.
    assert set(slugs(get_json(query("sync/articles/", region=code, cursor="0")))) == slug_of(
        catalog, *articles
    )
    assert {r["id"] for r in get_json(query("sync/hotlines/", region=code, cursor="0"))["results"]} == (
        hotline_ids(catalog, *hotlines)
    )
    assert {r["id"] for r in get_json(query("sync/hospitals/", region=code, cursor="0"))["results"]} == (
        hospital_ids(catalog, *hospitals)
    )


def test_an_article_in_two_counties_appears_once_under_their_city(make_article, get_json):
    article = make_article(title="湛江两地", regions=["440883", "440802"])
    body = get_json(query("articles/", region="440800"))
    assert slugs(body) == [article.slug]
    assert body["count"] == 1


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("hotlines", {"wuchuan"}),
        ("guide", {"guide"}),
        ("policy", {"guangdong"}),
        ("reimbursement", {"lianyungang"}),
        ("cross_region", {"national"}),
        ("uncategorised", set()),
    ],
)
def test_category_filter(catalog, get_json, category, expected):
    body = get_json(query("articles/", category=category))
    assert set(slugs(body)) == slug_of(catalog, *expected)
    assert {r["category"] for r in body["results"]} <= {category}


def test_policy_filter(catalog, get_json):
    p = catalog["policies"]
    assert set(slugs(get_json(query("articles/", policy=p["guangdong"].pk)))) == slug_of(
        catalog, "guide", "guangdong"
    )
    assert set(slugs(get_json(query("articles/", policy=p["zhanjiang"].pk)))) == slug_of(catalog, "wuchuan")
    assert get_json(query("articles/", policy=p["jiangsu"].pk))["count"] == 0
    assert get_json(query("articles/", policy=999999))["count"] == 0


def test_a_fractional_policy_id_is_rejected(catalog, get_json):
    body = get_json(query("articles/", policy=f"{catalog['policies']['guangdong'].pk}.5"), status=400)
    assert "policy" in body


def test_outdated_filter_looks_at_open_flags(catalog, get_json):
    articles = catalog["articles"]
    Flag.objects.create(article=articles["guangdong"], kind="policy_expired", public_reason="该政策已失效")
    Flag.objects.create(
        article=articles["lianyungang"], kind="review_due", public_reason="待复核", resolved_at=timezone.now()
    )
    assert slugs(get_json(query("articles/", outdated="true"))) == [articles["guangdong"].slug]
    assert set(slugs(get_json(query("articles/", outdated="false")))) == slug_of(
        catalog, "wuchuan", "guide", "lianyungang", "national"
    )
    assert get_json(query("articles/", outdated=""))["count"] == 5


def test_raised_flags_show_in_the_payload_and_the_filter(catalog, get_json):
    """Flags are raised and resolved through cms.services.flags; readers get an article's open flags
    as its ``outdated`` part when they read it, and syncing clients get the article again."""
    articles = catalog["articles"]
    url = f"{API}/articles/{articles['guangdong'].slug}/"
    before = get_json(url)
    cursor = get_json(query("sync/articles/", cursor="0", page_size="100"))["next_cursor"]
    _, created = flag_raise(
        item=articles["guangdong"], kind="policy_expired", key="p1", public_reason="该政策已于 2025 年失效"
    )
    assert created
    _, again = flag_raise(
        item=articles["guangdong"], kind="policy_expired", key="p1", public_reason="该政策已于 2025 年失效"
    )
    assert not again  # raised once
    flag_raise(item=articles["lianyungang"], kind="review_due", key="r1", public_reason="待复核")
    assert flag_resolve(item=articles["lianyungang"]) == 1
    after = get_json(url)
    assert after["outdated"] == {"flagged": True, "reasons": ["该政策已于 2025 年失效"]}
    assert {k: v for k, v in after.items() if k != "outdated"} == {
        k: v for k, v in before.items() if k != "outdated"
    }  # the content, and so its updated_at, is unchanged
    synced = get_json(query("sync/articles/", cursor=cursor))  # sync clients see the change
    assert sorted(a["slug"] for a in synced["results"]) == sorted(
        [articles["guangdong"].slug, articles["lianyungang"].slug]
    )
    assert slugs(get_json(query("articles/", outdated="true"))) == [articles["guangdong"].slug]
    resolved = get_json(f"{API}/articles/{articles['lianyungang'].slug}/")
    assert resolved["outdated"] == {"flagged": False, "reasons": []}
    assert articles["guangdong"].slug in slugs(get_json(query("sync/articles/", cursor="0", outdated="true")))


@pytest.mark.parametrize(
    ("url", "key", "expected"),
    [
        ("hotlines/?purpose=complaint", "hotlines", {"zhanjiang"}),
        ("hotlines/?purpose=consultation", "hotlines", {"wuchuan", "lianyungang"}),
        ("hotlines/?purpose=emergency", "hotlines", set()),
        ("hospitals/?level=3A", "hospitals", {"lianyungang", "zhanjiang", "guangzhou"}),
        ("hospitals/?level=2A", "hospitals", {"wuchuan"}),
        ("hospitals/?level=1", "hospitals", set()),
        ("hospitals/?kind=dental", "hospitals", {"lianyungang"}),
        ("hospitals/?kind=general", "hospitals", {"wuchuan", "zhanjiang"}),
        ("hospitals/?kind=tcm", "hospitals", {"guangzhou"}),
        ("hospitals/?designated=true", "hospitals", {"lianyungang", "wuchuan", "guangzhou"}),
        ("hospitals/?designated=false", "hospitals", {"zhanjiang"}),
        ("hospitals/?region=440800&designated=true", "hospitals", {"wuchuan"}),
        ("hotlines/?region=440000&purpose=office", "hotlines", {"guangzhou"}),
    ],
)
def test_choice_and_boolean_filters(catalog, get_json, url, key, expected):
    body = get_json(f"{API}/{url}")
    assert {r["id"] for r in body["results"]} == {catalog[key][k].pk for k in expected}
    assert body["count"] == len(expected)


def test_verification_status_filter(catalog, get_json):
    set_verification(catalog["hotlines"]["guangzhou"], "stale")
    set_verification(catalog["hospitals"]["zhanjiang"], "failing")
    stale = get_json(query("hotlines/", verification_status="stale"))
    assert [r["id"] for r in stale["results"]] == [catalog["hotlines"]["guangzhou"].pk]
    assert stale["results"][0]["verification_status"] == "stale"
    assert set(names(get_json(query("hotlines/", verification_status="verified")), "id")) == hotline_ids(
        catalog, "wuchuan", "zhanjiang", "guangdong", "lianyungang"
    )
    assert get_json(query("hotlines/", verification_status="unverified"))["count"] == 0
    failing = get_json(query("hospitals/", verification_status="failing"))
    assert names(failing, "id") == [catalog["hospitals"]["zhanjiang"].pk]
    assert set(names(get_json(query("hospitals/", verification_status="verified")), "id")) == hospital_ids(
        catalog, "lianyungang", "wuchuan", "guangzhou"
    )


def test_updated_since(catalog, get_json, make_article, make_hotline, make_hospital):
    since = timezone.now()
    later = make_article(title="后来发布的文章")
    hotline = make_hotline(organisation="后来发布的机构", number="0759-5550000")
    hospital = make_hospital(name="后来发布的医院")
    assert slugs(get_json(query("articles/", updated_since=since.isoformat()))) == [later.slug]
    assert names(get_json(query("hotlines/", updated_since=since.isoformat())), "id") == [hotline.pk]
    assert names(get_json(query("hospitals/", updated_since=since.isoformat())), "id") == [hospital.pk]
    # In any offset, and the bound is exclusive.
    beijing = since.astimezone(datetime.timezone(datetime.timedelta(hours=8))).isoformat()
    assert slugs(get_json(query("articles/", updated_since=beijing))) == [later.slug]
    live_at = get_json(f"{API}/articles/{later.slug}/")["updated_at"]
    assert get_json(query("articles/", updated_since=live_at))["count"] == 0
    assert get_json(query("articles/", updated_since="2000-01-01T00:00:00Z"))["count"] == 6


# ------------------------------------------------------------------------------------------------- search


def test_chinese_search_with_several_terms_ranks_title_matches_first(catalog, get_json):
    body = get_json(query("articles/", q="湛江 医保 电话"))
    # Both match every term; "湛江吴川医保电话" has all three in its title, the newer guide only one.
    assert slugs(body) == [catalog["articles"]["wuchuan"].slug, catalog["articles"]["guide"].slug]
    assert body["count"] == 2
    assert body["results"][0]["title"] == "湛江吴川医保电话"


def test_two_character_terms_work(catalog, get_json):
    assert set(slugs(get_json(query("articles/", q="医保")))) == slug_of(
        catalog, "wuchuan", "guide", "guangdong"
    )
    assert set(slugs(get_json(query("articles/", q="口腔")))) == slug_of(catalog, "lianyungang")


def test_every_term_must_match(catalog, get_json):
    assert get_json(query("articles/", q="湛江 连云港"))["count"] == 0
    assert get_json(query("articles/", q="湛江 医保 口腔"))["count"] == 0
    assert slugs(get_json(query("articles/", q="  吴川   0759-5586822 "))) == [
        catalog["articles"]["wuchuan"].slug
    ]


def test_search_finds_region_names_and_linked_hotlines(catalog, get_json):
    # "广东省湛江市吴川市" is the full name of the article's region; the body never says 广东.
    assert slugs(get_json(query("articles/", q="广东 吴川"))) == [catalog["articles"]["wuchuan"].slug]
    assert slugs(get_json(query("articles/", q="吴川市医疗保障局"))) == [catalog["articles"]["wuchuan"].slug]


def test_search_of_hotlines_and_hospitals(catalog, get_json):
    assert set(names(get_json(query("hotlines/", q="湛江")), "id")) == hotline_ids(
        catalog, "wuchuan", "zhanjiang"
    )
    assert names(get_json(query("hotlines/", q="吴川")), "id") == [catalog["hotlines"]["wuchuan"].pk]
    assert set(names(get_json(query("hotlines/", q="0759")), "id")) == hotline_ids(
        catalog, "wuchuan", "zhanjiang"
    )
    assert set(names(get_json(query("hotlines/", q="广东 医疗保障局")), "id")) == hotline_ids(
        catalog, "wuchuan", "zhanjiang", "guangdong", "guangzhou"
    )
    hospitals = catalog["hospitals"]
    assert names(get_json(query("hospitals/", q="口腔")), "id") == [hospitals["lianyungang"].pk]
    assert names(get_json(query("hospitals/", q="连云港口腔")), "id") == [hospitals["lianyungang"].pk]
    assert names(get_json(query("hospitals/", q="赤坎")), "id") == [hospitals["zhanjiang"].pk]
    assert get_json(query("hospitals/", q="口腔 湛江"))["count"] == 0


def test_search_ranks_hotline_organisation_matches_first(make_hotline, get_json):
    by_region = make_hotline(organisation="医疗保障服务中心", number="0759-5550001", code="440883")
    by_name = make_hotline(organisation="吴川医保中心", number="0759-5550002", code="440883")
    older_first = make_hotline(organisation="吴川市医疗保障局", number="0759-5550003", code="440883")
    # Organisation matches first (newest first among them), then the match on the region's name.
    assert names(get_json(query("hotlines/", q="吴川")), "id") == [older_first.pk, by_name.pk, by_region.pk]


def test_search_combines_with_filters(catalog, get_json):
    assert slugs(get_json(query("articles/", q="湛江", category="guide"))) == [
        catalog["articles"]["guide"].slug
    ]
    assert get_json(query("articles/", q="湛江", region="320000"))["count"] == 0


# ----------------------------------------------------------------------------------------------- ordering


@pytest.mark.parametrize(
    ("path", "ordering", "field"),
    [
        ("articles/", "title", "title"),
        ("articles/", "published_at", "published_at"),
        ("articles/", "updated_at", "updated_at"),
        ("hotlines/", "organisation", "organisation"),
        ("hotlines/", "updated_at", "updated_at"),
        ("hospitals/", "name", "name"),
        ("hospitals/", "updated_at", "updated_at"),
    ],
)
def test_ordering_ascending_and_descending(catalog, get_json, path, ordering, field):
    ascending = names(get_json(query(path, ordering=ordering)), field)
    descending = names(get_json(query(path, ordering=f"-{ordering}")), field)
    assert len(ascending) >= 4
    assert ascending == sorted(ascending)
    assert descending == sorted(ascending, reverse=True)


def test_default_and_search_orderings(catalog, get_json):
    body = get_json(f"{API}/articles/")
    assert names(body, "updated_at") == sorted(names(body, "updated_at"), reverse=True)
    # An explicit ordering overrides the search rank.
    ranked = slugs(get_json(query("articles/", q="湛江 医保 电话", ordering="-published_at")))
    assert ranked == [catalog["articles"]["guide"].slug, catalog["articles"]["wuchuan"].slug]


@pytest.mark.parametrize(
    ("path", "value", "allowed"),
    [
        ("articles/", "nope", "updated_at, published_at, title"),
        ("articles/", "payload", "updated_at, published_at, title"),
        ("articles/", "-", "updated_at, published_at, title"),
        ("articles/", "organisation", "updated_at, published_at, title"),
        ("hotlines/", "title", "updated_at, organisation"),
        ("hospitals/", "organisation", "updated_at, name"),
    ],
)
def test_unknown_ordering_is_a_400(db, get_json, path, value, allowed):
    assert get_json(query(path, ordering=value), status=400) == {
        "ordering": [f"只能按 {allowed} 排序（前加 - 为倒序）。"]
    }


def test_double_minus_ordering_is_a_400(db):
    response = Client(raise_request_exception=False).get(query("articles/", ordering="--title"))
    assert response.status_code == 400


# --------------------------------------------------------------------------------------------- pagination


def test_pages_link_to_each_other_and_cover_everything(catalog, get_json):
    first = get_json(query("articles/", page_size=2))
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/articles/?page_size=2&page=2"
    second = get_json(first["next"])
    assert second["previous"] == "http://testserver/api/v1/articles/?page_size=2&page=1"
    third = get_json(second["next"])
    assert len(third["results"]) == 1
    assert third["next"] is None
    seen = slugs(first) + slugs(second) + slugs(third)
    assert seen == slugs(get_json(query("articles/", page_size=100)))
    assert set(seen) == slug_of(catalog, *catalog["articles"])


def test_next_link_keeps_the_filters(catalog, get_json):
    body = get_json(query("hotlines/", region="440000", page_size=1))
    assert body["next"] == "http://testserver/api/v1/hotlines/?region=440000&page_size=1&page=2"
    body = get_json(query("regions/", parent="440800", page_size=5))
    assert body["next"] == "http://testserver/api/v1/regions/?parent=440800&page_size=5&page=2"


def test_page_size_bounds_are_inclusive(catalog, get_json):
    assert len(get_json(query("articles/", page_size=1))["results"]) == 1
    assert len(get_json(query("articles/", page_size=100))["results"]) == 5
    assert len(get_json(query("regions/", page_size=100))["results"]) == 100
    assert len(get_json(f"{API}/regions/")["results"]) == 20  # API_PAGE_SIZE


@pytest.mark.parametrize("path", ["articles/", "hotlines/", "hospitals/", "policies/", "regions/"])
def test_page_past_the_end_is_a_404(catalog, get_json, path):
    assert get_json(query(path, page=100000), status=404)["detail"].startswith("第 100000 页超出范围（共 ")
    if path == "articles/":
        assert get_json(query(path, page=2), status=404) == {"detail": "第 2 页超出范围（共 5 条）。"}
    # An empty list still has a first page.
    assert get_json(query(path, q="不存在的词", page=1))["results"] == []


# ------------------------------------------------------------------------------------------- bad values

LISTS = ["articles/", "hotlines/", "hospitals/", "policies/", "regions/"]
SYNCS = ["sync/articles/", "sync/hotlines/", "sync/hospitals/"]

BAD_PAGES = [
    ("page", "0", "应为 1 到 100000 之间的整数。"),
    ("page", "-1", "应为 1 到 100000 之间的整数。"),
    ("page", "abc", "应为 1 到 100000 之间的整数。"),
    ("page", "1.5", "应为 1 到 100000 之间的整数。"),
    ("page", "100001", "应为 1 到 100000 之间的整数。"),
    ("page", "9" * 40, "应为 1 到 100000 之间的整数。"),
    ("page_size", "0", "应为 1 到 100 之间的整数。"),
    ("page_size", "101", "应为 1 到 100 之间的整数。"),
    ("page_size", "ten", "应为 1 到 100 之间的整数。"),
    ("page_size", "-5", "应为 1 到 100 之间的整数。"),
    ("page_size", "99999999999999999999", "应为 1 到 100 之间的整数。"),
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(("name", "value", "message"), BAD_PAGES)
def test_bad_page_values_are_a_400(db, get_json, path, name, value, message):
    assert get_json(query(path, **{name: value}), status=400) == {name: [message]}


@pytest.mark.parametrize("path", SYNCS)
def test_bad_page_size_on_sync_is_a_400(db, get_json, path):
    assert get_json(query(path, cursor="0", page_size="101"), status=400) == {
        "page_size": ["应为 1 到 100 之间的整数。"]
    }


@pytest.mark.parametrize("name", ["page", "page_size"])
def test_superscript_digits_are_a_400(db, name):
    response = Client(raise_request_exception=False).get(query("articles/", **{name: "²"}))
    assert response.status_code == 400


NOT_A_REGION = "“{}”不是已知的 6 位行政区划代码。"
BAD_FILTERS = [
    # path, parameter, value, message (None: any non-empty message)
    ("articles/", "region", "abc", NOT_A_REGION.format("abc")),
    ("articles/", "region", "44088", NOT_A_REGION.format("44088")),
    ("articles/", "region", "4408830", NOT_A_REGION.format("4408830")),
    ("articles/", "region", "999999", NOT_A_REGION.format("999999")),
    ("articles/", "region", "４４０８８３", NOT_A_REGION.format("４４０８８３")),
    ("articles/", "region", "44088x", NOT_A_REGION.format("44088x")),
    ("hotlines/", "region", "000000", NOT_A_REGION.format("000000")),
    ("hospitals/", "region", "12345", NOT_A_REGION.format("12345")),
    ("policies/", "region", "999999", NOT_A_REGION.format("999999")),
    ("regions/", "parent", "999999", NOT_A_REGION.format("999999")),
    ("regions/", "parent", "4408", NOT_A_REGION.format("4408")),
    ("regions/", "parent", "%", NOT_A_REGION.format("%")),  # django-filter %-formats messages
    ("articles/", "region", "%(x)s", NOT_A_REGION.format("%(x)s")),
    ("articles/", "category", "nope", "选择一个有效的选项。 nope 不在可用的选项中。"),
    ("articles/", "category", "HOTLINES", "选择一个有效的选项。 HOTLINES 不在可用的选项中。"),
    ("articles/", "policy", "abc", "输入整数。"),
    ("articles/", "policy", "NaN", "输入整数。"),
    ("articles/", "updated_since", "yesterday", "输入一个有效的日期/时间。"),
    ("articles/", "updated_since", "2025-13-01T00:00:00", "输入一个有效的日期/时间。"),
    ("articles/", "updated_since", "2025-01-01T25:00:00+08:00", "输入一个有效的日期/时间。"),
    ("hotlines/", "updated_since", "2025-02-30", "输入一个有效的日期/时间。"),
    ("hospitals/", "updated_since", "1700000000", "输入一个有效的日期/时间。"),
    ("policies/", "updated_since", "2025/01/01", "输入一个有效的日期/时间。"),
    ("hotlines/", "purpose", "hotline", "选择一个有效的选项。 hotline 不在可用的选项中。"),
    ("hotlines/", "verification_status", "ok", "选择一个有效的选项。 ok 不在可用的选项中。"),
    ("hospitals/", "verification_status", "VERIFIED", "选择一个有效的选项。 VERIFIED 不在可用的选项中。"),
    ("hospitals/", "level", "4A", "选择一个有效的选项。 4A 不在可用的选项中。"),
    ("hospitals/", "kind", "clinic", "选择一个有效的选项。 clinic 不在可用的选项中。"),
    ("regions/", "level", "city", "选择一个有效的选项。 city 不在可用的选项中。"),
    ("sync/hotlines/", "region", "999999", NOT_A_REGION.format("999999")),
    ("sync/articles/", "category", "nope", "选择一个有效的选项。 nope 不在可用的选项中。"),
]


@pytest.mark.parametrize(("path", "name", "value", "message"), BAD_FILTERS)
def test_bad_filter_values_are_a_400_with_a_message(db, get_json, path, name, value, message):
    params = {name: value, **({"cursor": "0"} if path.startswith("sync/") else {})}
    assert get_json(query(path, **params), status=400) == {name: [message]}


NUL_OR_LONG = "参数值含有空字节或超过 200 个字符。"


@pytest.mark.parametrize("path", LISTS + SYNCS)
@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("page_size", "\x00", NUL_OR_LONG),
        ("page_size", "1" * 201, NUL_OR_LONG),
        ("nope", "1", "未知的查询参数。"),
        ("format", "json", "未知的查询参数。"),
        ("limit", "10", "未知的查询参数。"),
        ("offset", "10", "未知的查询参数。"),
    ],
)
def test_nul_bytes_long_values_and_unknown_parameters_are_a_400(db, get_json, path, name, value, message):
    params = {name: value, **({"cursor": "0"} if path.startswith("sync/") else {})}
    assert get_json(query(path, **params), status=400) == {name: [message]}


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("articles/", "q", "医保\x00"),
        ("articles/", "region", "\x00"),
        ("articles/", "q", "医" * 201),
        ("hotlines/", "q", "a" * 1000),
        ("hospitals/", "region", "4" * 201),
        ("policies/", "q", "\x00"),
        ("regions/", "q", "吴" * 201),
        ("sync/articles/", "cursor", "\x00"),
        ("sync/hotlines/", "cursor", "M" * 201),
    ],
)
def test_nul_bytes_and_long_values_in_filters_are_a_400(db, get_json, path, name, value):
    assert get_json(query(path, **{name: value}), status=400) == {name: [NUL_OR_LONG]}


def test_a_value_of_exactly_the_maximum_length_is_accepted(catalog, get_json):
    assert get_json(query("articles/", q="医" * 200))["count"] == 0


def test_an_overlong_unknown_name_is_cut_in_the_message(db, get_json):
    body = get_json(f"{API}/articles/?{'x' * 300}=1", status=400)
    assert body == {"x" * 50: ["未知的查询参数。"]}


@pytest.mark.parametrize(
    ("path", "pair"),
    [
        ("articles/", "region=440883&region=440800"),
        ("articles/", "category=guide&category=policy"),
        ("articles/", "q=湛江&q=医保"),
        ("articles/", "page=1&page=2"),
        ("hotlines/", "purpose=office&purpose=office"),
        ("hospitals/", "designated=true&designated=false"),
        ("regions/", "level=county&level=province"),
        ("sync/hotlines/", "cursor=0&cursor=0"),
    ],
)
def test_repeated_parameters_are_a_400(db, get_json, path, pair):
    name = pair.split("=")[0]
    assert get_json(f"{API}/{path}?{pair}", status=400) == {name: ["参数只能出现一次。"]}


def test_every_bad_parameter_is_reported_at_once(db, get_json):
    body = get_json(f"{API}/articles/?foo=1&bar=2&q=%00", status=400)
    assert body == {"foo": ["未知的查询参数。"], "bar": ["未知的查询参数。"], "q": [NUL_OR_LONG]}


def test_detail_views_take_no_query_parameters(catalog, get_json):
    slug = catalog["articles"]["wuchuan"].slug
    assert get_json(f"{API}/articles/{slug}/?region=440883", status=400) == {"region": ["未知的查询参数。"]}
    assert get_json(f"{API}/regions/440800/?page=1", status=400) == {"page": ["未知的查询参数。"]}


@pytest.mark.parametrize(
    "url", ["hospitals/?designated=maybe", "hospitals/?designated=1", "articles/?outdated=yes"]
)
def test_bad_boolean_values_are_a_400(catalog, get_json, url):
    name = url.split("?")[1].split("=")[0]
    assert name in get_json(f"{API}/{url}", status=400)


def test_write_methods_are_not_allowed(catalog):
    client = Client()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"{API}/articles/")
        assert response.status_code == 405, method
        assert response.json()["detail"]
    head = client.head(f"{API}/hotlines/")
    assert head.status_code == 200
    assert head.content == b""


# ------------------------------------------------------------------------------------- health and docs


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


class FakeRedis:
    """A broker on a free local port that answers PING (and AUTH) like Redis."""

    def __init__(self, reply_to_ping: bytes = b"+PONG\r\n"):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.reply_to_ping = reply_to_ping
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.server.settimeout(5)
        try:
            connection, _ = self.server.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(5)
            for _ in range(2):
                data = connection.recv(256)
                if not data:
                    return
                self.received.append(data)
                connection.sendall(b"+OK\r\n" if data.startswith(b"AUTH") else self.reply_to_ping)

    def close(self):
        self.thread.join(timeout=6)
        self.server.close()


@pytest.mark.django_db
def test_readyz_is_200_when_database_and_broker_answer(client, settings):
    broker = FakeRedis()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{broker.port}/0"
    response = client.get("/readyz")
    broker.close()
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "broker": True}}
    assert broker.received == [b"PING\r\n"]


@pytest.mark.django_db
def test_readyz_authenticates_to_a_broker_with_a_password(client, settings):
    broker = FakeRedis()
    settings.CELERY_BROKER_URL = f"redis://:s3cret@127.0.0.1:{broker.port}/0"
    response = client.get("/readyz")
    broker.close()
    assert response.status_code == 200
    assert broker.received == [b"AUTH s3cret\r\n", b"PING\r\n"]


@pytest.mark.django_db
def test_readyz_with_the_configured_broker(client):
    """The broker of the test settings (the machine's Redis) answers."""
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": True, "broker": True}


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_port_is_closed(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    started = time.monotonic()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": True, "broker": False}}
    assert time.monotonic() - started < 3


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_does_not_answer_pong(client, settings):
    broker = FakeRedis(reply_to_ping=b"-NOAUTH Authentication required.\r\n")
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{broker.port}/0"
    response = client.get("/readyz")
    broker.close()
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] is False


@pytest.mark.django_db
def test_readyz_unknown_broker_scheme_is_not_ready(client, settings):
    settings.CELERY_BROKER_URL = "amqp://guest@127.0.0.1:5672//"
    assert client.get("/readyz").status_code == 503
    settings.CELERY_BROKER_URL = "memory://"
    assert client.get("/readyz").status_code == 200


def test_docs_render(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "swagger-ui" in page.lower()
    assert "/api/schema/" in page


def test_live_forms_never_come_from_working_copies(catalog, get_json):
    """Renaming the working copy (without publishing) changes nothing readers see."""
    hotline = catalog["hotlines"]["wuchuan"]
    Hotline.objects.filter(pk=hotline.pk).update(organisation="改名中的机构")
    Hospital.objects.filter(pk=catalog["hospitals"]["wuchuan"].pk).update(name="改名中的医院")
    assert get_json(f"{API}/hotlines/{hotline.pk}/")["organisation"] == "吴川市医疗保障局"
    assert get_json(query("hotlines/", q="改名中"))["count"] == 0
    assert get_json(query("hospitals/", q="改名中"))["count"] == 0


def test_updated_since_takes_any_iso_offset(catalog, get_json):
    """ISO 8601 allows offsets PostgreSQL refuses (beyond ±15:59): compared in UTC, not a 500."""
    everything = get_json(query("hotlines/", updated_since="2000-01-01T00:00:00+20:03"))
    assert everything["count"] == get_json(query("hotlines/"))["count"] > 0
    # Beyond Python's calendar once in UTC: after everything, or before it.
    assert get_json(query("hotlines/", updated_since="9999-12-31T23:00:00-20:00"))["count"] == 0
    assert get_json(query("hotlines/", updated_since="0001-01-01T00:00:00+20:00"))["count"] > 0


def test_an_unknown_api_address_is_a_json_404(db, client):
    for url in (f"{API}/hospitals/-981/", f"{API}/nope/", f"{API}/articles/a/b/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "没有这个地址。"}
    assert client.get("/nope/").status_code == 404
    assert "text/html" in client.get("/nope/")["Content-Type"]

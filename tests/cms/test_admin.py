"""Smoke tests of the Chinese admin: every page of every registered ModelAdmin renders, in Chinese, for
a superuser; search, the province filter and region autocomplete find what they should; and adding a
hotline through the admin form normalises its number or refuses it with a Chinese error."""

import re
from typing import NamedTuple

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils import translation

from cms.models import DumpImport, Hospital, Hotline
from tests.factories import (
    ArticleFactory,
    HospitalFactory,
    HotlineFactory,
    PolicyFactory,
    SourceFactory,
    region,
)

HEADER = "医保信息核查后台"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

WUCHUAN = "440883"  # 广东省湛江市吴川市
LIANYUNGANG = "320700"  # 江苏省连云港市


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests")


@pytest.fixture
def root_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def known(db):
    """One object per admin, each with a text that no other object contains."""
    return {
        "region": region(WUCHUAN),
        "source": SourceFactory(title="吴川市医保局办事指南页面"),
        "article": ArticleFactory(title="湛江吴川医保电话查询"),
        "hotline": HotlineFactory(organisation="吴川市医疗保障局"),
        "hospital": HospitalFactory(name="连云港市口腔医院"),
        "dumpimport": DumpImport.objects.create(
            filename="yibao-dump-001.txt",
            sha256="0" * 64,
            size=4096,
            main_title="医保电话大全导出",
            item_count=3,
        ),
        "policy": PolicyFactory(title="关于做好基本医疗保险跨省异地就医直接结算工作的通知"),
    }


class AdminPage(NamedTuple):
    key: str  # in the `known` fixture
    url: str
    verbose_name: str
    verbose_name_plural: str
    text: str  # the known object's text
    listed: str  # a text on the first page of the changelist
    labels: list[str]  # field labels on the add and change forms


PAGES = [
    AdminPage(
        "region",
        "/admin/cms/region/",
        "地区",
        "地区",
        "吴川市",
        "北京市",
        ["行政区划代码", "上级行政区", "全称"],
    ),
    AdminPage(
        "source",
        "/admin/cms/source/",
        "来源",
        "来源",
        "吴川市医保局办事指南页面",
        "吴川市医保局办事指南页面",
        ["网址", "标题", "发布者", "官方来源"],
    ),
    AdminPage(
        "article",
        "/admin/cms/article/",
        "文章",
        "文章",
        "湛江吴川医保电话查询",
        "湛江吴川医保电话查询",
        ["标题", "网址标识", "分类", "正文", "关联内容"],
    ),
    AdminPage(
        "hotline",
        "/admin/cms/hotline/",
        "咨询电话",
        "咨询电话",
        "吴川市医疗保障局",
        "吴川市医疗保障局",
        ["机构", "号码", "核查状态"],
    ),
    AdminPage(
        "hospital",
        "/admin/cms/hospital/",
        "医院",
        "医院",
        "连云港市口腔医院",
        "连云港市口腔医院",
        ["名称", "别名", "医保定点", "核查状态"],
    ),
    AdminPage(
        "dumpimport",
        "/admin/cms/dumpimport/",
        "导入的导出文件",
        "导入的导出文件",
        "医保电话大全导出",
        "医保电话大全导出",
        ["文件名", "主文章", "条目数"],
    ),
    AdminPage(
        "policy",
        "/admin/policies/policy/",
        "政策",
        "政策",
        "关于做好基本医疗保险跨省异地就医直接结算工作的通知",
        "关于做好基本医疗保险跨省异地就医直接结算工作的通知",
        ["标题", "文号", "发文机关", "生效日期"],
    ),
]
ADMINS = [pytest.param(p, id=p.key) for p in PAGES]
ADDABLE = [pytest.param(p, id=p.key) for p in PAGES if p.key != "dumpimport"]

# A search that finds the known object, and one that does not.
SEARCHES = [
    pytest.param("/admin/cms/region/", "region", "吴川", "连云港", id="region"),
    pytest.param("/admin/cms/source/", "source", "办事指南", "查无此项", id="source"),
    pytest.param("/admin/cms/article/", "article", "湛江吴川", "查无此项", id="article"),
    pytest.param("/admin/cms/hotline/", "hotline", "吴川市医疗", "查无此项", id="hotline"),
    pytest.param("/admin/cms/hospital/", "hospital", "口腔医院", "查无此项", id="hospital"),
    pytest.param("/admin/cms/dumpimport/", "dumpimport", "yibao-dump", "查无此项", id="dumpimport"),
    pytest.param("/admin/policies/policy/", "policy", "异地就医", "查无此项", id="policy"),
]


def page(response) -> str:
    return response.content.decode()


def shown(response) -> list:
    return list(response.context["cl"].result_list)


# --- every page of every admin ---------------------------------------------------------------------


@pytest.mark.parametrize("admin_page", ADMINS)
def test_changelist_renders_in_chinese(root_client, known, admin_page):
    response = root_client.get(admin_page.url)

    assert response.status_code == 200
    html = page(response)
    assert HEADER in html
    assert admin_page.verbose_name_plural in html
    assert "搜索" in html  # Django's own admin strings are Chinese too
    assert admin_page.listed in html


@pytest.mark.parametrize("admin_page", ADDABLE)
def test_add_page_renders_in_chinese(root_client, admin_page):
    response = root_client.get(admin_page.url + "add/")

    assert response.status_code == 200
    html = page(response)
    assert HEADER in html
    assert f"增加 {admin_page.verbose_name}" in html
    assert "保存" in html
    for label in admin_page.labels:
        assert label in html


def test_dumpimport_add_page_is_refused(root_client):
    response = root_client.get("/admin/cms/dumpimport/add/")

    assert response.status_code == 403


def test_dumpimport_add_post_is_refused_and_creates_nothing(root_client):
    response = root_client.post(
        "/admin/cms/dumpimport/add/",
        {"filename": "x.txt", "sha256": "1" * 64, "size": 1, "main_title": "x", "item_count": 1},
    )

    assert response.status_code == 403
    assert not DumpImport.objects.exists()


@pytest.mark.parametrize("admin_page", ADMINS)
def test_change_page_renders_in_chinese(root_client, known, admin_page):
    obj = known[admin_page.key]

    response = root_client.get(f"{admin_page.url}{obj.pk}/change/")

    assert response.status_code == 200
    html = page(response)
    assert HEADER in html
    assert admin_page.text in html
    for label in admin_page.labels:
        assert label in html
    # Dumps are read-only: theirs is a view page, every other one a change page.
    action = "查看" if admin_page.key == "dumpimport" else "修改"
    assert f"{action} {admin_page.verbose_name}" in html


@pytest.mark.parametrize(("url", "key", "hit", "miss"), SEARCHES)
def test_changelist_search_finds_matching_object_only(root_client, known, url, key, hit, miss):
    obj = known[key]
    # What the list shows of it: the first column (the hotline's organisation, the others' str()).
    text = getattr(obj, "organisation", None) or str(obj)

    found = root_client.get(url, {"q": hit})
    not_found = root_client.get(url, {"q": miss})

    assert found.status_code == 200
    assert obj in shown(found)
    assert text in page(found)
    assert not_found.status_code == 200
    assert obj not in shown(not_found)
    assert text not in page(not_found)


def test_region_search_for_another_city_shows_that_city_instead(root_client):
    response = root_client.get("/admin/cms/region/", {"q": "连云港"})

    codes = {r.code for r in shown(response)}
    assert LIANYUNGANG in codes
    assert WUCHUAN not in codes


def test_admin_index_lists_the_apps_in_chinese(root_client):
    response = root_client.get("/admin/")

    assert response.status_code == 200
    html = page(response)
    for text in [
        HEADER,
        "编辑工作台",
        "编辑内容",
        "政策",
        "文章",
        "咨询电话",
        "医院",
        "来源",
        "地区",
        "导入的导出文件",
    ]:
        assert text in html


# --- the province filter ---------------------------------------------------------------------------


@pytest.fixture
def hotlines_in_two_provinces(db):
    return (
        HotlineFactory(organisation="吴川市医疗保障局", number="0759-5586822", region=region(WUCHUAN)),
        HotlineFactory(organisation="连云港市医疗保障局", number="12393", region=region(LIANYUNGANG)),
    )


@pytest.fixture
def articles_in_two_provinces(db):
    wuchuan = ArticleFactory(title="吴川市医保咨询电话")
    wuchuan.regions.add(region(WUCHUAN))
    lianyungang = ArticleFactory(title="连云港市医保咨询电话")
    lianyungang.regions.add(region(LIANYUNGANG))
    return wuchuan, lianyungang


def test_hotline_province_filter_shows_only_that_province(root_client, hotlines_in_two_provinces):
    wuchuan, lianyungang = hotlines_in_two_provinces

    guangdong = root_client.get("/admin/cms/hotline/", {"province": "44"})
    jiangsu = root_client.get("/admin/cms/hotline/", {"province": "32"})

    assert guangdong.status_code == 200
    assert shown(guangdong) == [wuchuan]
    assert "吴川市医疗保障局" in page(guangdong)
    assert "连云港市医疗保障局" not in page(guangdong)
    assert "省份" in page(guangdong)  # the filter's title, translated
    assert shown(jiangsu) == [lianyungang]


def test_article_province_filter_follows_the_regions_link(root_client, articles_in_two_provinces):
    wuchuan, lianyungang = articles_in_two_provinces

    guangdong = root_client.get("/admin/cms/article/", {"province": "44"})
    jiangsu = root_client.get("/admin/cms/article/", {"province": "32"})

    assert guangdong.status_code == 200
    assert shown(guangdong) == [wuchuan]
    assert "吴川市医保咨询电话" in page(guangdong)
    assert "连云港市医保咨询电话" not in page(guangdong)
    assert shown(jiangsu) == [lianyungang]


def test_article_in_two_cities_of_a_province_is_listed_once(root_client):
    article = ArticleFactory(title="广东两市医保电话")
    article.regions.add(region(WUCHUAN), region("440300"))  # 吴川市 and 深圳市

    response = root_client.get("/admin/cms/article/", {"province": "44"})

    assert shown(response) == [article]


@pytest.mark.parametrize("value", ["xx", "4", "440", "4x"])
@pytest.mark.parametrize("url", ["/admin/cms/hotline/", "/admin/cms/article/"])
def test_invalid_province_shows_no_rows_without_error(
    root_client, hotlines_in_two_provinces, articles_in_two_provinces, url, value
):
    response = root_client.get(url, {"province": value})

    assert response.status_code == 200
    assert shown(response) == []
    assert response.context["cl"].result_count == 0


# --- autocomplete ----------------------------------------------------------------------------------


def test_region_autocomplete_for_hotline_finds_wuchuan(root_client):
    response = root_client.get(
        "/admin/autocomplete/",
        {"app_label": "cms", "model_name": "hotline", "field_name": "region", "term": "吴川"},
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert {"id": WUCHUAN, "text": "广东省湛江市吴川市"} in results
    assert all("吴川" in r["text"] for r in results)


# --- adding a hotline through the admin form -------------------------------------------------------


def hotline_form(number: str) -> dict[str, str]:
    return {
        "organisation": "吴川市医疗保障局",
        "purpose": "consultation",
        "number": number,
        "extension": "",
        "region": WUCHUAN,
        "service_hours": "",
        "verification_status": "unverified",
        "last_verified_at_0": "",
        "last_verified_at_1": "",
        "next_check_at_0": "",
        "next_check_at_1": "",
    }


def test_admin_add_hotline_normalises_bracketed_number(root_client):
    response = root_client.post("/admin/cms/hotline/add/", hotline_form("（0759）5586822"))

    assert response.status_code == 302
    hotline = Hotline.objects.get(organisation="吴川市医疗保障局")
    assert hotline.number == "+867595586822"
    assert hotline.display_number == "0759-5586822"
    assert hotline.kind == "fixed"
    assert hotline.region_id == WUCHUAN


def test_admin_add_hotline_refuses_area_code_before_short_number(root_client):
    response = root_client.post("/admin/cms/hotline/add/", hotline_form("0475-12333"))

    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.errors
    assert "短号码" in " ".join(errors["number"])
    assert "短号码" in page(response)
    assert "请更正以下错误" in page(response)
    assert not Hotline.objects.exists()


# --- every label is Chinese ------------------------------------------------------------------------


def _has_cjk(text) -> bool:
    return CJK.search(str(text)) is not None


def _labelled_fields(model):
    opts = model._meta
    return [f for f in [*opts.concrete_fields, *opts.local_many_to_many] if not f.auto_created]


def test_every_admin_model_and_field_has_a_chinese_label():
    registered = admin.site._registry
    ours = {m._meta.label for m in registered if m._meta.app_label in {"cms", "policies"}}
    assert ours == {
        "cms.Region",
        "cms.Source",
        "cms.Article",
        "cms.Hotline",
        "cms.Hospital",
        "cms.DumpImport",
        "cms.FactCheck",
        "cms.Flag",
        "cms.Finding",
        "cms.Proposal",
        "cms.JobRun",
        "cms.NumberCheck",
        "policies.Policy",
    }

    missing = []
    with translation.override("zh-hans"):
        for model, model_admin in registered.items():
            strict = model._meta.app_label in {"cms", "policies"}
            # Models edited inline (area codes, hospital phones) are shown in the admin too.
            models = [model, *(inline.model for inline in model_admin.inlines)] if strict else [model]
            if model is Hotline:  # and every model of ours that pages show: revisions, logs, live forms
                models += [
                    m for app in ("cms", "policies") for m in django_apps.get_app_config(app).get_models()
                ]
            for m in models:
                opts = m._meta
                for attr in ("verbose_name", "verbose_name_plural"):
                    if not _has_cjk(getattr(opts, attr)):
                        missing.append(f"{opts.label}.{attr} = {getattr(opts, attr)}")
                if not strict:
                    continue
                if not _has_cjk(m._meta.app_config.verbose_name):
                    missing.append(f"{opts.app_label} app verbose_name")
                for field in _labelled_fields(m):
                    if not _has_cjk(field.verbose_name):
                        missing.append(f"{opts.label}.{field.name} = {field.verbose_name}")
                    for value, label in field.flatchoices:
                        if not _has_cjk(label):
                            missing.append(f"{opts.label}.{field.name} choice {value} = {label}")

    assert missing == []


# --- adding a hospital with its phone numbers inline -----------------------------------------------


def hospital_form(name: str, phones: list[str], **overrides) -> dict[str, str]:
    data = {
        "name": name,
        "aliases": "连云港口腔医院\n 市口腔医院 \n",
        "region": LIANYUNGANG,
        "level": "3A",
        "kind": "dental",
        "address": "",
        "departments": "",
        "verification_status": "unverified",
        "last_verified_at_0": "",
        "last_verified_at_1": "",
        "phones-TOTAL_FORMS": str(len(phones)),
        "phones-INITIAL_FORMS": "0",
        "phones-MIN_NUM_FORMS": "0",
        "phones-MAX_NUM_FORMS": "1000",
    }
    for i, number in enumerate(phones):
        data |= {f"phones-{i}-label": "总机", f"phones-{i}-number": number, f"phones-{i}-extension": ""}
    data.update(overrides)
    return data


def test_admin_add_hospital_stores_aliases_and_normalised_phone(root_client):
    response = root_client.post(
        "/admin/cms/hospital/add/", hospital_form("连云港市口腔医院", ["（0518）85767777"])
    )

    assert response.status_code == 302
    hospital = Hospital.objects.get(name="连云港市口腔医院")
    assert hospital.aliases == ["连云港口腔医院", "市口腔医院"]
    phone = hospital.phones.get()
    assert phone.number == "+8651885767777"
    assert phone.display_number == "0518-85767777"


def test_admin_add_hospital_completes_local_number_from_the_chosen_region(root_client):
    response = root_client.post("/admin/cms/hospital/add/", hospital_form("连云港市口腔医院", ["85767777"]))

    assert response.status_code == 302
    assert Hospital.objects.get(name="连云港市口腔医院").phones.get().display_number == "0518-85767777"


def test_admin_hospital_change_completes_local_number_from_region(root_client):
    hospital = HospitalFactory(name="连云港市口腔医院")  # in 连云港, area code 0518

    response = root_client.post(
        f"/admin/cms/hospital/{hospital.pk}/change/",
        hospital_form(hospital.name, ["85767777"], expected_version=hospital.lock_version),
    )

    assert response.status_code == 302
    assert hospital.phones.get().display_number == "0518-85767777"


def test_admin_hospital_change_page_shows_aliases_one_per_line(root_client):
    hospital = HospitalFactory(name="连云港市口腔医院", aliases=["连云港口腔医院", "市口腔医院"])

    response = root_client.get(f"/admin/cms/hospital/{hospital.pk}/change/")

    assert "连云港口腔医院\n市口腔医院" in page(response)

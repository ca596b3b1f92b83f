import pytest

from cms.models import Region, RegionAreaCode, RegionLevel
from tests.factories import region

pytestmark = pytest.mark.django_db


def test_every_level_is_loaded():
    counts = {level: Region.objects.filter(level=level).count() for level in RegionLevel.values}

    assert counts == {"province": 34, "prefecture": 333, "county": 2975}


def test_parent_links_follow_the_codes():
    for r in Region.objects.select_related("parent").exclude(level=RegionLevel.PROVINCE):
        assert r.parent is not None, r
        assert r.code.startswith(r.parent.code_prefix), r
        if r.level == RegionLevel.PREFECTURE:
            assert r.parent.level == RegionLevel.PROVINCE, r


def test_provinces_have_no_parent():
    assert not Region.objects.filter(level=RegionLevel.PROVINCE, parent__isnull=False).exists()


def test_every_prefecture_level_city_has_an_area_code():
    without = Region.objects.filter(level=RegionLevel.PREFECTURE, area_codes__isnull=True)

    assert list(without.values_list("name", flat=True)) == []


def test_municipalities_have_their_area_codes():
    codes = {
        r.name: [a.code for a in r.area_codes.all()]
        for r in Region.objects.filter(code__in=["110000", "310000"])
    }

    assert codes == {"北京市": ["10"], "上海市": ["21"]}


def test_one_area_code_is_shared_by_several_cities():
    cities = RegionAreaCode.objects.filter(code="937").values_list("region__name", flat=True)

    assert sorted(cities) == ["嘉峪关市", "酒泉市"]


def test_county_dials_the_area_code_of_its_city():
    assert region("440883").full_name == "广东省湛江市吴川市"
    assert region("440883").dialling_area_codes() == ["759"]


def test_county_level_city_under_a_province_has_its_own_area_code():
    assert region("429004").parent == region("420000")  # 仙桃 directly under 湖北
    assert region("429004").dialling_area_codes() == ["728"]


def test_within_covers_every_division_under_a_region():
    guangdong = Region.objects.within(region("440000"))

    assert guangdong.filter(code="440883").exists()  # 吴川
    assert not guangdong.filter(code="320700").exists()  # 连云港
    assert set(Region.objects.within(region("440800")).values_list("name", flat=True)) >= {"湛江市", "吴川市"}
    assert list(Region.objects.within(region("440883")).values_list("code", flat=True)) == ["440883"]

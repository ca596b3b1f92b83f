"""Number rules shared by the content checks and the hotline re-check job (pure: no database)."""

import pytest

from cms.verification import rules
from cms.verification.rules import NumberRecord, find_conflicts, region_table

# --- the region table ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("吴川", "440883"),
        ("吴川市", "440883"),
        ("湛江", "440800"),
        ("楚雄州", "532300"),
        ("大兴安岭", "232700"),
        ("广西", "450000"),
        ("内蒙古", "150000"),
    ],
)
def test_region_names_are_found_with_and_without_their_suffix(written, code):
    assert code in region_table().lookup(written)


def test_short_names_that_are_everyday_words_need_their_suffix():
    table = region_table()

    assert table.lookup("中山") == ()
    assert table.lookup("中山市") == ("442000",)


def test_a_county_is_named_under_its_city():
    table = region_table()

    assert table.path_name("440883") == "湛江市吴川市"
    assert table.full_name("440883") == "广东省湛江市吴川市"
    assert table.path_name("110101") == "北京市东城区"


def test_a_county_dials_its_citys_area_code_and_a_province_has_a_capital():
    table = region_table()

    assert table.dialling_area_codes("440883") == ("759",)
    assert table.capital_of("230000") == "230100"


# --- area codes and regions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("area_code", "region_code", "provincial", "expected"),
    [
        ("759", "440883", False, True),  # 吴川 under 湛江
        ("0759", "440800", False, True),  # written with its trunk 0
        ("937", "620200", False, True),  # 0937 is 嘉峪关's …
        ("937", "620900", False, True),  # … and 酒泉's
        ("931", "620200", False, False),  # 兰州's code for a 嘉峪关 record
        ("451", "230000", True, True),  # 黑龙江省医保局 sits in 哈尔滨
        ("458", "230000", True, False),  # … not in 伊春
        ("458", "230000", False, True),  # a province-wide record may list any of its cities
        ("20", "230000", False, False),  # 广州 is not in 黑龙江
        ("457", "232700", False, True),  # 大兴安岭
        ("451", "232700", False, False),
    ],
)
def test_area_code_matches_region(area_code, region_code, provincial, expected):
    assert rules.area_code_matches_region(area_code, region_code, provincial_agency=provincial) is expected


def test_an_unknown_region_is_not_a_mismatch():
    assert rules.area_code_matches_region("759", "999999") is True


def test_a_shared_area_code_names_all_its_cities():
    assert set(rules.regions_of_area_code("0937")) == {"620200", "620900"}


# --- one digit apart -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("0879-3235661", "0879-3235651", True),
        ("+868793235661", "0879 3235651", True),
        ("0879-3235661", "0879-3235661", False),  # the same number
        ("0879-3235661", "0879-3235556", False),  # two digits
        ("0518-85767777", "0518-8576777", False),  # lengths differ
        ("13800138000", "13800138001", True),
    ],
)
def test_one_digit_apart(a, b, expected):
    assert rules.one_digit_apart(a, b) is expected


def test_national_digits_reads_every_written_form():
    assert rules.national_digits("+867595586822") == "07595586822"
    assert rules.national_digits("(0759)5586822") == "07595586822"
    assert rules.national_digits("+8613800138000") == "13800138000"
    assert rules.national_digits("+861065003456") == "01065003456"  # Beijing, not a mobile number
    assert rules.one_digit_apart("+861065003456", "010-65003457")


# --- purposes and organisations --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "purpose"),
    [
        ("办公室电话", "office"),
        ("监督与举报电话", "complaint"),
        ("预约挂号电话为", "appointment"),
        ("业务咨询电话为", "consultation"),
        ("门诊服务台", "desk"),
        ("地址", None),
    ],
)
def test_purpose_of_a_label(label, purpose):
    assert rules.purpose_of(label) == purpose


def test_spellings_of_one_agency_share_a_key():
    keys = {
        rules.organisation_key(name, "150500")
        for name in ("通辽医保局", "通辽市医疗保障局", "通辽市医疗保险管理局", "通辽市医保局办公室")
    }

    assert keys == {"150500:医保"}


def test_the_bureau_and_its_service_centre_are_two_organisations():
    centres = {
        rules.organisation_key(name, "150500")
        for name in (
            "通辽市医保中心",
            "通辽市医疗保障事业管理中心",
            "通辽市医保经办机构",
            "通辽市医疗保险事业管理局",
        )
    }

    assert centres == {"150500:医保经办"}
    assert rules.organisation_key("通辽市医疗保障局", "150500") not in centres


def test_hospitals_keep_their_own_names():
    a = rules.organisation_key("衢州市人民医院", "330800")
    b = rules.organisation_key("衢州市中医院", "330800")

    assert a == "330800:医院:人民医院"
    assert a != b


# --- short numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "owner", "label", "misused"),
    [
        ("12345", "连云港市口腔医院", "预约挂号电话为", True),
        ("12333", "通辽市医保中心", "统一查询电话", True),
        ("0475-12333", "通辽市医保中心", "统一查询电话", True),
        ("12345", "湛江市医疗保障局", "电话", True),
        ("12345", "", "政务服务便民热线", False),  # presented as what it is
        ("12345", "湛江市医疗保障局", "也可拨打12345政务服务便民热线", False),
        ("12393", "湛江市医疗保障局", "医保服务热线", False),  # 医保's own number
        ("12333", "湛江市社会保险基金管理局", "咨询电话", False),  # 人社's own number
        ("0759-5586822", "连云港市口腔医院", "电话", False),  # not a short number
        ("0759-3312345", "连云港市口腔医院", "电话", False),  # ends like 12345 but is a landline
        ("12345", "湛江市政务服务数据管理局", "热线", False),
    ],
)
def test_short_code_misuse(number, owner, label, misused):
    reason = rules.short_code_misuse(number, owner=owner, label=label)

    assert (reason is not None) is misused
    if misused:
        assert number[-5:] in reason


# --- conflicts between records ---------------------------------------------------------------------


def test_two_records_with_different_numbers_for_one_organisation_and_purpose_conflict():
    records = [
        NumberRecord("150500:医保", "consultation", "+864758910921", source="a"),
        NumberRecord("150500:医保", "consultation", "+864758242927", source="b"),
        NumberRecord("150500:医保", "office", "+864758836278", source="c"),
    ]

    conflicts = find_conflicts(records)

    assert len(conflicts) == 1
    assert {r.source for r in conflicts[0].records} == {"a", "b"}
    assert conflicts[0].one_digit_apart is False


def test_numbers_one_digit_apart_are_a_conflict_and_say_so():
    records = [
        NumberRecord("530821:医保", "consultation", "+868793235661", group=1),
        NumberRecord("530821:医保", "consultation", "+868793235651", group=2),
    ]

    (conflict,) = find_conflicts(records)

    assert conflict.one_digit_apart is True


def test_a_record_listing_two_lines_does_not_conflict_with_one_listing_one_of_them():
    records = [
        NumberRecord("440800:医保", "consultation", "+867593387110", group="list"),
        NumberRecord("440800:医保", "consultation", "+867593387111", group="list"),
        NumberRecord("440800:医保", "consultation", "+867593387110", group="other"),
    ]

    assert find_conflicts(records) == []


def test_different_organisations_faxes_and_unknown_owners_never_conflict():
    records = [
        NumberRecord("440800:医保", "consultation", "+867593387110"),
        NumberRecord("440883:医保", "consultation", "+867595586822"),
        NumberRecord("440800:医保", "fax", "+867593387119"),
        NumberRecord("", "consultation", "+867593387999"),
    ]

    assert find_conflicts(records) == []

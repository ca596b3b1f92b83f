"""Records proposed from imported items (pure: no database): hotlines, hospitals, regions, policies."""

import datetime

import pytest

from cms.checks import CheckInput
from cms.checks.dumps import dump_inputs
from cms.checks.evaluation import SYNTHETIC_DIR
from cms.checks.extract import RegionMention, extract
from tests.conftest import DUMPS


@pytest.fixture(scope="module")
def items() -> dict[str, CheckInput]:
    paths = [*DUMPS, *sorted(SYNTHETIC_DIR.glob("*.txt"))]
    return {entry.item.title: entry.input for path in paths for entry in dump_inputs(path)}


def test_wuchuan_is_mapped_to_its_county_code_under_zhanjiang(items):
    proposals = extract(items["湛江吴川医保电话"])

    assert RegionMention("吴川", "440883", "湛江市吴川市", "广东省湛江市吴川市") in proposals.regions
    assert "440800" in {r.code for r in proposals.regions}


def test_hotlines_are_proposed_with_organisation_purpose_and_normalised_number(items):
    hotlines = extract(items["湛江吴川医保电话"]).hotlines

    first = hotlines[0]
    assert (first.organisation, first.purpose, first.number, first.normalised, first.region_code) == (
        "湛江市吴川市医疗保障局",
        "consultation",
        "0759-5586822",
        "+867595586822",
        "440883",
    )
    assert items["湛江吴川医保电话"].body[first.start : first.end] == first.quote


def test_a_local_number_is_proposed_with_its_area_code_and_a_misused_short_number_is_not(items):
    hotlines = extract(items["连云港市口腔医院预约挂号电话"]).hotlines

    assert [(h.organisation, h.purpose, h.number) for h in hotlines] == [
        ("连云港市口腔医院", "appointment", "0518-85767777")
    ]


def test_each_purpose_of_an_agency_is_its_own_proposal(items):
    hotlines = extract(items["通辽医保局电话是多少"]).hotlines

    assert {(h.purpose, h.normalised) for h in hotlines} == {
        ("consultation", "+864758910921"),
        ("complaint", "+864755776236"),
    }


def test_short_numbers_presented_as_what_they_are_become_their_services(items):
    hotlines = {h.normalised: h for h in extract(items["湛江医保电话是多少"]).hotlines}

    assert hotlines["12393"].organisation == "医疗保障服务热线"
    assert hotlines["12345"].organisation == "政务服务便民热线"


def test_hospitals_with_their_city_level_and_address(items):
    hospitals = {h.name: h for h in extract(items["2025年浙江衢州治疗喘息的医院有哪些"]).hospitals}

    hospital = hospitals["衢州市人民医院"]
    assert (hospital.city_code, hospital.level, hospital.address) == (
        "330800",
        "3A",
        "浙江省衢州市柯城区闽江大道100号",
    )


def test_hospital_names_are_names_not_phrases(items):
    names = {h.name for title in items for h in extract(items[title]).hospitals}

    assert {"伊春市中心医院", "伊春林业管理局中心医院", "鞍钢集团公司总医院", "廊坊市中医医院"} <= names
    assert not any(word in name for name in names for word in ("的", "多家", "定点医院", "一级医院"))


def test_a_hospital_in_a_county_keeps_the_county_and_its_city(items):
    hospitals = {h.name: h for h in extract(items["2025年浙江衢州治疗眼睛痛的医院有哪些"]).hospitals}

    assert hospitals["浙江衢州江山康利眼科医院"].region_code == "330881"
    assert hospitals["浙江衢州江山康利眼科医院"].city_code == "330800"


def test_policies_with_document_number_title_and_effective_date():
    item = CheckInput(
        title="门诊共济",
        body="根据《国务院办公厅关于加快医学教育创新发展的指导意见》(国办发〔2020〕53号),"
        "新办法自2021年1月1日起施行。另据湛医保发〔2023〕12号文件执行。",
    )

    policies = extract(item).policies

    first, second = policies[:2]
    assert first.document_number == "国办发〔2020〕53号"
    assert first.title == "国务院办公厅关于加快医学教育创新发展的指导意见"
    assert first.effective_from == datetime.date(2021, 1, 1)
    assert second.document_number == "湛医保发〔2023〕12号"
    assert second.title is None


def test_policy_dates_on_the_sample_dump(items):
    (policy,) = extract(items["省医保是在本省内都能刷吗"]).policies

    assert policy.title == "广东省基本医疗保障省内跨市就医医疗费用直接结算经办规程"
    assert policy.effective_from == datetime.date(2025, 1, 1)
    assert policy.document_number is None


def test_a_policy_date_alone_is_proposed_without_a_title():
    policies = extract(CheckInput(title="说明", body="从2025年起,个人账户可用于家庭共济。")).policies

    assert [(p.title, p.effective_from, p.quote) for p in policies] == [
        (None, datetime.date(2025, 1, 1), "从2025年起")
    ]


def test_forms_are_not_policies(items):
    titles = {p.title for t in items for p in extract(items[t]).policies}

    assert "广东省异地就医备案登记表" not in titles

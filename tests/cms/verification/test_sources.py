"""Finding a hotline's number and its organisation on a source page (pure: no database, no network)."""

import pytest

from cms.verification.phones import parse_phone
from cms.verification.sources import (
    ABSENT,
    FORM_FULL,
    FORM_INTERNATIONAL,
    FORM_LOCAL,
    FORM_SHORT,
    FOUND,
    FOUND_NEAR_ORGANISATION,
    number_on_page,
    page_text,
)

ORGANISATION = "吴川市医疗保障局"


def page(body: str) -> str:
    return f"<html><head><title>联系我们</title></head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("written", "form"),
    [
        ("0759-5586822", FORM_FULL),
        ("0759－5586822", FORM_FULL),  # full-width dash
        ("０７５９－５５８６８２２", FORM_FULL),  # full-width digits
        ("(0759)5586822", FORM_FULL),
        ("（0759）5586822", FORM_FULL),
        ("0759 558 6822", FORM_FULL),
        ("07595586822", FORM_FULL),
        ("0759—5586822", FORM_FULL),  # em dash
        ("0759-5586822转8001", FORM_FULL),
        ("+86 759 558 6822", FORM_INTERNATIONAL),
        ("+86-0759-5586822", FORM_INTERNATIONAL),
        ("+86 (0)759 5586822", FORM_INTERNATIONAL),
        ("0086 759 5586822", FORM_INTERNATIONAL),
        ("5586822", FORM_LOCAL),
    ],
)
def test_landline_is_found_in_every_common_written_form(written, form):
    result = number_on_page(
        page(f"<p>吴川市医疗保障局 咨询电话：{written}</p>"), "0759-5586822", ORGANISATION
    )

    assert result.status == FOUND_NEAR_ORGANISATION
    assert [match.form for match in result.matches] == [form]


@pytest.mark.parametrize(
    "written",
    [
        "0759-55868221",  # a longer number
        "10759-5586822",
        "0760-5586822",  # the same subscriber number in another city
        "(0760)5586822",
        "0759-5586823",
        "075-95586822",  # the area code split apart is not how it is written
    ],
)
def test_landline_is_not_found_inside_other_numbers(written):
    result = number_on_page(page(f"<p>吴川市医疗保障局 电话：{written}</p>"), "0759-5586822", ORGANISATION)

    assert result.status == ABSENT


def test_mobile_and_400_numbers_are_found_with_or_without_country_code():
    text = page("<p>吴川市医疗保障局 值班手机 +86 138 0013 8000，客服 400-812-3123</p>")

    mobile = number_on_page(text, "13800138000", ORGANISATION)
    service = number_on_page(text, "4008123123", ORGANISATION)

    assert [m.form for m in mobile.matches] == [FORM_INTERNATIONAL]
    assert service.status == FOUND_NEAR_ORGANISATION
    assert number_on_page(page("<p>213800138000</p>"), "13800138000", ORGANISATION).status == ABSENT


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("医保服务热线：12393。", True),
        ("热线 12393、12345", True),
        ("热线（12393）", True),
        ("热线:１２３９３", True),
        ("编号 123930", False),
        ("编号 812393", False),
        ("电话 0759-12393", False),  # an area code and a short number is not how 12393 is dialled
        ("电话 12393-1", False),
    ],
)
def test_short_number_counts_only_as_a_whole_token(text, found):
    result = number_on_page(page(f"<p>吴川市医疗保障局 {text}</p>"), "12393", ORGANISATION)

    assert result.found is found
    if found:
        assert result.matches[0].form == FORM_SHORT


@pytest.mark.parametrize(
    "name_on_page",
    [
        "吴川市医疗保障局",
        "吴川医疗保障局",
        "吴川医保局",
        "吴川市医保局",
        "湛江市吴川市医疗保障局",
        "吴川 市 医疗保障局",
    ],
)
def test_organisation_name_is_matched_with_or_without_its_place_suffix(name_on_page):
    result = number_on_page(page(f"<p>{name_on_page}：0759-5586822</p>"), "0759-5586822", ORGANISATION)

    assert result.organisation_found
    assert result.status == FOUND_NEAR_ORGANISATION


@pytest.mark.parametrize(
    ("organisation", "name_on_page"),
    [
        ("广东省湛江市医疗保障局", "湛江医保局"),
        ("通辽市人力资源和社会保障局", "通辽人社局"),
        ("国家医疗保障局", "国家医保局"),
        ("内蒙古自治区通辽市医疗保障局", "通辽市医保局"),
    ],
)
def test_organisation_abbreviations_are_recognised(organisation, name_on_page):
    result = number_on_page(page(f"<p>{name_on_page} 0759-5586822</p>"), "0759-5586822", organisation)

    assert result.status == FOUND_NEAR_ORGANISATION


def test_another_citys_bureau_is_not_the_organisation():
    text = page("<table><tr><td>茂名市医疗保障局</td><td>0759-5586822</td></tr></table>")

    result = number_on_page(text, "0759-5586822", ORGANISATION)

    assert result.status == FOUND
    assert not result.organisation_found


def test_number_far_from_the_organisation_is_found_but_not_near():
    text = page("<h1>吴川市医疗保障局</h1>" + "<p>" + "政策解读" * 100 + "</p><p>电话 0759-5586822</p>")

    far = number_on_page(text, "0759-5586822", ORGANISATION, window=200)
    wide = number_on_page(text, "0759-5586822", ORGANISATION, window=1000)

    assert far.status == FOUND
    assert far.matches[0].organisation_distance > 200
    assert wide.status == FOUND_NEAR_ORGANISATION


def test_window_is_a_boundary():
    text = "吴川市医疗保障局" + "x" * 50 + "0759-5586822"

    assert number_on_page(text, "0759-5586822", ORGANISATION, window=50).near_organisation
    assert not number_on_page(text, "0759-5586822", ORGANISATION, window=49).near_organisation


def test_the_best_match_is_the_one_near_the_organisation():
    text = page(
        "<p>0759-5586822</p>" + "<p>" + "无关" * 200 + "</p><p>吴川市医疗保障局 咨询：0759-5586822</p>"
    )

    result = number_on_page(text, "0759-5586822", ORGANISATION)

    assert len(result.matches) == 2
    assert result.status == FOUND_NEAR_ORGANISATION
    assert result.quote.endswith("吴川市医疗保障局 咨询:0759-5586822")
    assert result.matches[0].text == "0759-5586822"
    assert not result.matches[0].near_organisation


def test_quote_is_the_context_of_the_number():
    result = number_on_page(
        page("<p>吴川市医疗保障局 咨询电话：0759-5586822（工作日）</p>"), "0759-5586822", ORGANISATION
    )

    assert result.quote == "联系我们 吴川市医疗保障局 咨询电话:0759-5586822(工作日)"


def test_absent_number_has_no_quote():
    result = number_on_page(page("<p>吴川市医疗保障局 电话 0759-5586699</p>"), "0759-5586822", ORGANISATION)

    assert result.status == ABSENT
    assert result.quote == ""
    assert result.matches == ()
    assert result.organisation_found


def test_script_style_and_comments_are_not_page_text():
    text = page(
        "<script>var tel = '0759-5586822';</script><style>.x{}</style><!-- 0759-5586822 -->"
        "<p>吴川市医疗保障局</p>"
    )

    assert number_on_page(text, "0759-5586822", ORGANISATION).status == ABSENT


def test_table_cells_do_not_run_together_into_a_longer_number():
    text = page("<table><tr><td>0759</td><td>5586822</td><td>1</td></tr></table>")

    assert page_text(text) == "联系我们 0759 5586822 1"


def test_inline_tags_inside_a_number_or_a_name_do_not_hide_them():
    text = page("<p>吴川<b>市</b>医疗<span>保障局</span> 电话：0759-<em>5586822</em></p>")

    assert number_on_page(text, "0759-5586822", ORGANISATION).status == FOUND_NEAR_ORGANISATION


def test_plain_text_and_xml_declarations_are_accepted():
    assert page_text("吴川市医疗保障局 0759-5586822") == "吴川市医疗保障局 0759-5586822"
    xhtml = '<?xml version="1.0" encoding="gb2312"?><html><body><p>吴川医保局 12393</p></body></html>'
    assert page_text(xhtml) == "吴川医保局 12393"
    assert page_text("") == ""


def test_a_parsed_phone_can_be_passed():
    phone = parse_phone("5586822", area_codes=["759"])

    assert number_on_page("吴川市医疗保障局 (0759)5586822", phone, ORGANISATION).near_organisation


def test_no_organisation_means_found_at_most():
    result = number_on_page("电话 0759-5586822", "0759-5586822", "")

    assert result.status == FOUND

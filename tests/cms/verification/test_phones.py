"""Phone normalisation (pure: no database)."""

import pytest

from cms.verification.phones import PhoneNumberError, display_with_extension, parse_phone

# Every number written in the sample dumps, with the form it must take.
SAMPLE_NUMBERS = [
    ("0759-5586822", "+867595586822", "0759-5586822", "fixed"),
    ("0759-5586698", "+867595586698", "0759-5586698", "fixed"),
    ("(0759-5586698", "+867595586698", "0759-5586698", "fixed"),
    ("0759-7739701", "+867597739701", "0759-7739701", "fixed"),
    ("0475-8910921", "+864758910921", "0475-8910921", "fixed"),
    ("0475-8836278", "+864758836278", "0475-8836278", "fixed"),
    ("0475-8242927", "+864758242927", "0475-8242927", "fixed"),
    ("0475-5776236", "+864755776236", "0475-5776236", "fixed"),
    ("0518-85460611", "+8651885460611", "0518-85460611", "fixed"),
    ("0879-3235661", "+868793235661", "0879-3235661", "fixed"),
    ("0879-3012539", "+868793012539", "0879-3012539", "fixed"),
    ("0879-2122586", "+868792122586", "0879-2122586", "fixed"),
    ("0570-3023071", "+865703023071", "0570-3023071", "fixed"),
    ("0570-3055102", "+865703055102", "0570-3055102", "fixed"),
    ("0570-8895120", "+865708895120", "0570-8895120", "fixed"),
    ("(0451-87130270", "+8645187130270", "0451-87130270", "fixed"),
    ("12345", "12345", "12345", "short"),
    ("12333", "12333", "12333", "short"),
    ("12393", "12393", "12393", "short"),
]


@pytest.mark.parametrize(("raw", "number", "display", "kind"), SAMPLE_NUMBERS)
def test_sample_dump_numbers_normalise(raw, number, display, kind):
    phone = parse_phone(raw)

    assert (phone.number, phone.display, phone.kind) == (number, display, kind)


@pytest.mark.parametrize(
    "raw",
    [
        "（0759）5586822",
        "(0759)5586822",
        "０７５９－５５８６８２２",
        "0759 558 6822",
        "+86 759 5586822",
        "0086-759-5586822",
    ],
)
def test_written_forms_of_one_landline_are_the_same_number(raw):
    phone = parse_phone(raw)

    assert phone.number == "+867595586822"
    assert phone.display == "0759-5586822"
    assert phone.area_code == "759"


def test_local_number_is_completed_from_the_region_area_code():
    phone = parse_phone("85767777", area_codes=["518"])  # 连云港

    assert phone.number == "+8651885767777"
    assert phone.display == "0518-85767777"
    assert phone.completed is True


def test_local_number_tries_each_area_code_of_the_region():
    phone = parse_phone("5586822", area_codes=["10", "759"])  # Beijing numbers have eight digits

    assert phone.display == "0759-5586822"


def test_local_number_without_region_is_refused_with_reason():
    with pytest.raises(PhoneNumberError, match="缺少区号"):
        parse_phone("85767777")


def test_full_number_is_not_changed_by_the_region():
    phone = parse_phone("0475-8910921", area_codes=["518"])

    assert phone.display == "0475-8910921"
    assert phone.completed is False


@pytest.mark.parametrize(
    ("raw", "number", "display", "kind"),
    [
        ("13800138000", "+8613800138000", "13800138000", "mobile"),
        ("+86 138 0013 8000", "+8613800138000", "13800138000", "mobile"),
        ("4008123123", "+864008123123", "400-812-3123", "service"),
        ("95518", "95518", "95518", "short"),
        ("010-12345678", "+861012345678", "010-12345678", "fixed"),
    ],
)
def test_other_kinds_of_number(raw, number, display, kind):
    phone = parse_phone(raw)

    assert (phone.number, phone.display, phone.kind) == (number, display, kind)


def test_extension_is_split_off():
    phone = parse_phone("0759-5586822转8001")

    assert phone.number == "+867595586822"
    assert phone.extension == "8001"
    assert display_with_extension(phone) == "0759-5586822转8001"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("0475-12333", "短号码"),  # area code plus a short code
        ("010-12393", "短号码"),  # must not pass as a Beijing landline
        ("0999-1234", "7 或 8 位"),
        ("0759-55868221234", "7 或 8 位"),
        ("12000000000", "手机号码"),
        ("99999", "短号码"),
        ("12", "位数太少"),
        ("", "为空"),
        ("   ", "为空"),
        ("0759-558682a", "字符"),
        ("电话：0759-5586822", "字符"),
        ("+852 2345 6789", "+86"),
        ("0001-1234567", "86"),
        ("12393转1", "分机"),
    ],
)
def test_impossible_numbers_are_refused_with_a_chinese_reason(raw, problem):
    with pytest.raises(PhoneNumberError) as excinfo:
        parse_phone(raw)

    assert problem in excinfo.value.message


@pytest.mark.parametrize("raw", ["0340-1234567", "0600-1234567", "0400-1234567"])
def test_unknown_area_code_is_refused(raw):
    with pytest.raises(PhoneNumberError, match=f"区号 {raw[:4]} 不存在"):
        parse_phone(raw)


def test_area_code_length_depends_on_area_code_and_length_alone():
    """parse_phone remembers, per area code and subscriber length, the area-code length phonenumbers
    gives a valid number (asking costs a third of a parse). That is sound only if every valid number
    with the same area code and length gets the same answer: checked for every area code of the
    region data and every other three-digit one, on random valid numbers of both lengths."""
    import random

    import phonenumbers

    from cms.verification.rules import region_table

    known = {code for region in region_table().regions.values() for code in region.area_codes}
    codes = sorted(known | {str(n) for n in range(300, 1000)})
    rnd = random.Random(20261123)  # noqa: S311 -- sample numbers, not secrets
    answers: dict[tuple[str, int], set[int]] = {}
    for code in codes:
        for length in (7, 8):
            for _ in range(12):
                subscriber = str(rnd.randint(2, 9)) + "".join(rnd.choices("0123456789", k=length - 1))
                number = phonenumbers.parse("0" + code + subscriber, "CN")
                if phonenumbers.is_valid_number_for_region(number, "CN"):
                    found = phonenumbers.length_of_geographical_area_code(number)
                    answers.setdefault((code, length), set()).add(found)
    assert len(answers) > 300  # the area codes in use, with valid numbers of one length or both
    assert {key: found for key, found in answers.items() if len(found) > 1} == {}
    assert all(found == {len(code)} for (code, _), found in answers.items() if code in known)
